// Package qbsim is a simulated QuickBooks Desktop company and a simulated
// QuickBooks Web Connector (QBWC), for bcqb's end-to-end tests, its demo and
// its benchmarks. QuickBooks and the Web Connector run only on Windows; this
// package is the next best thing, and it is strict where QuickBooks is strict
// so that a mapping bug shows up here rather than in a customer's books.
// Production packages never import it (main wires its commands in).
//
// # Web Connector
//
// NewWebConnector(WebConnectorOptions{QWC, Password, QuickBooks, ...}) drives
// any QBWC SOAP 1.1 server in Intuit's call order: serverVersion,
// clientVersion, authenticate (ticket; "", a company path, "none", "nvu",
// "busy"; postpone and minimum-interval slots), sendRequestXML (the HCP
// response on the first call, the company's qbXML version and country),
// receiveResponseXML (with hresult/message when QuickBooks refused the
// message), getLastError (after a negative percent or an empty request;
// "NoOp" pauses 5 s on the Clock), connectionError, closeConnection.
// RunSession runs one session and returns its SessionResult with the
// transcript of every call; Run runs sessions on the .qwc schedule. ReadQWC
// reads a .qwc file with QBWC's own checks (https or localhost, no IP host).
//
// # Company
//
// Company implements QuickBooks. NewSampleCompany, OpenCompany,
// OpenOrCreateCompany and SaveAs give a company like a fresh sample file,
// persisted as JSON after every message. Every request is checked against
// content models compiled from Intuit's qbXML 13.0 schema (schema_gen.go,
// made by internal/xsdgen): element order, unknown or missing elements,
// enumerations and number formats; a message with any such error is refused
// as a whole with HRESULT 0x80040400 and no partial work, as QuickBooks
// does. A string over its maximum length fails only its own request, with
// status 3070 ("The string "…" in the field "…" is too long."), as real
// QuickBooks answers. Requests are worked on as generic element trees
// rather than the qbxml package's structs because encoding/xml ignores
// element order and unknown elements, which is exactly what QuickBooks
// refuses; the tests build their requests with qbxml and parse every answer
// back with it.
//
// QuickBooks' rules: ListID/TxnID/EditSequence/TimeCreated/TimeModified;
// names unique across the shared name list and across all item types
// (3100); references must exist (3140); a sales tax item with a nonzero
// rate must name its tax agency (3210); stale EditSequence (3200); line
// amounts are quantity × rate rounded to cents (or the item's price), sales
// tax is the taxable lines times the tax item's rate (the transaction's,
// the customer's or the company default) plus any sales tax item lines,
// which take an Amount and are never taxable; invoice balances, payments (3210
// on overpaying), credit memos and their card refunds, customer balances and
// quantity on hand are derived from the transactions, so a void undoes them;
// a refund by check (an A/R expense line applied to the credit memo) uses
// up the credit, and so does a payment's SetCredit (a credit memo applied to
// an invoice: 3210 beyond the credit or the invoice's balance). Stock moves
// by a line's Quantity: an inventory line with an amount and no Quantity
// moves none. Request elements whose accounting the simulator does not
// carry out (SetCredit on an invoice, payment discounts, IsTaxIncluded, ...)
// are refused with status 3250 rather than ignored. A company made with
// CompanyOptions.SalesTaxOff tracks no sales tax, like a file whose Sales
// Tax preference is No: no SalesTaxPreferences, no tax items or codes, and
// 3250 for any request that names one.
// Queries take ListID/FullName/TxnID/RefNumber, NameFilter, ActiveStatus,
// modified and transaction dates, EntityFilter (a check's payee),
// PaidStatus, OwnerID (data extensions),
// IncludeLineItems/IncludeLinkedTxns/IncludeRetElement and
// iterators (MaxReturned, iteratorID, Continue, iteratorRemainingCount) that
// live for one session. onError stopOnError/continueOnError are honoured.
// The SDK's error recovery works as Intuit's samples describe it: the last
// message set sent with newMessageSetID is saved with its response; sent
// again unchanged it returns that response without posting twice, changed
// it gets messageSetStatusCode 9001, and oldMessageSetID asks for the saved
// responses (600 unknown ID, 9002 nothing saved, 9004 ID over 24 characters).
//
// # Faults
//
// CompanyFaults: QuickBooks' own time (Speed: FastSpeed, TypicalSpeed,
// SlowSpeed from NOTES-qb-performance, plus flat per message, request and
// transaction delays; all on the Clock), records locked (3170/3175/3180,
// always or at a seeded random rate), the company file closed (0x80040416),
// QuickBooks unable to start (0x80040408) or unreachable mid-session
// (0x80040401). ConnectorFaults:
// QuickBooks' response lost after it committed (the fault that makes naive
// servers post twice) and the Web Connector killed before any call. The
// Web Connector's per-call timeout (2 minutes) runs on the Clock, so tests
// use a FakeClock and never sleep.
//
// # Commands
//
// Command(ctx, args, stdin, stdout, stderr) runs `bcqb webconnector ...` and
// `bcqb qb show|do ...` (CommandUsage is their help text); RunWebConnector,
// Show and Do are the same without flags.
package qbsim
