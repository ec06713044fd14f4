// Package qbxml speaks QuickBooks Desktop's qbXML: typed requests that are
// valid against Intuit's 13.0/16.0 schemas by construction, and typed,
// classified responses. It is a pure library: no I/O, no storage, no
// knowledge of BigCommerce.
//
// # Building a request message
//
//	msg := qbxml.NewMessage(qbxml.ContinueOnError)
//	msg.Add("job-42", &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{
//		CustomerRef: qbxml.RefName("Web Customer"),
//		TxnDate:     qbxml.DateOf(placed),
//		RefNumber:   "1042",
//		Lines: []qbxml.SalesLineAdd{{
//			ItemRef:  qbxml.RefName("SKU-1"),
//			Quantity: qbxml.QuantityInt(2),
//			Rate:     qbxml.PriceOf(decimal.RequireFromString("9.99")),
//		}},
//	}})
//	text, err := msg.Build(version) // <?xml?><?qbxml version="16.0"?><QBXML>...
//
// Every request type (HostQueryRq ... DataExtAddRq; see RequestNames) embeds
// RqHeader (requestID) and, for paging queries, IterHeader. Struct field
// order is schema order; encoding/xml therefore emits elements in the order
// QuickBooks demands. Optional values use their zero value for "absent":
// nil pointers (*Ref, *Address, *bool — use new(true) in Go 1.26), empty
// strings, and the zero Amount/Price/Quantity/Percent/Date/DateTime.
//
// # Field rules
//
// Build calls Message.Validate, which refuses (with a *FieldError per
// problem, joined) a missing required element, a string over the schema's
// maximum length, a character QuickBooks cannot store (outside
// Windows-1252, its code page; requests are sent as UTF-8), a reference
// FullName over the limit of that ...Ref element, an Amount
// with more than 2 decimals, a Price/Quantity/Percent with more than 5, a
// broken xsd:choice, and an element newer than the target version (tag
// `qb:"since=16.0"`). The tags are tested against Intuit's XSD in both
// directions, so they are the schema's limits. Nothing is changed silently. To make
// data fit, call Clean (predictable Windows-1252 replacement), Fit (truncation
// with a stable "~XXXXX" hash suffix, collision-safe) or Normalize (both, on
// a whole request, returning the changes so the caller keeps originals).
// Money is shopspring/decimal throughout; RoundAmount rounds to cents half
// away from zero.
//
// # Versions and editions
//
// NegotiateVersion picks the highest of SupportedVersions (16.0, 15.0, 14.0,
// 13.0) not above the Web Connector's qbXMLMajorVers/MinorVers and listed
// in HostRet/SupportedQBXMLVersion. CheckCountry refuses CA and UK files
// with ErrUnsupportedCountry ("not supported yet").
//
// # Company info (HCP)
//
// CompanyInfoRequests builds HostQuery+CompanyQuery+PreferencesQuery for a
// refresh; ParseHCPResponse parses the Web Connector's strHCPResponse into
// HCP (HostRet, CompanyRet with the FileID data extension, PreferencesRet),
// and HCP.Negotiate combines the country check and version choice.
//
// # Responses
//
// ParseResponse turns receiveResponseXML text into a ResponseMessage whose
// Responses are typed (*CustomerAddRs, *ItemQueryRs, ...; unknown ones are
// *UnknownRs). Every Rs embeds RsHeader (statusCode, statusSeverity,
// statusMessage, requestID, retCount, iteratorID, iteratorRemainingCount)
// and holds typed ...Ret values with ListID/TxnID, EditSequence, times and
// decimal amounts (ItemRet covers every item kind; Kind() names it). Unknown elements are ignored; the parser never panics
// (fuzzed by FuzzParseResponse). Text declared as Windows-1252 or
// ISO-8859-1 is decoded as Windows-1252, QuickBooks' code page.
//
// # Errors
//
// Classify (or RsHeader.Outcome/Err) maps a status code to an Action
// (success, warning, retry later, fix mapping, already exists, not found,
// bad request) with a message for the bookkeeper; ClassifyHResult does the
// same for the Web Connector's hresult (0x80040400 = QuickBooks could not
// parse the request).
//
// # Paging, lookups, partial answers
//
// Queries that page (ItemQueryRq, CustomerQueryRq, the Txn queries, ...)
// embed IterHeader: start with SetIterator(IteratorStart, "") and
// MaxReturned, then NextPage(req, rs.Header()) sets up the next page while
// iteratorRemainingCount > 0. FindByRefNumber and FindModified build the
// queries that look for a transaction an interrupted session may already
// have posted. ResponseMessage.Unanswered lists the requests QuickBooks
// skipped after an error under stopOnError. DataExtValue and
// HCP.FileIDFor read data extensions by owner and name.
//
// # Reverse direction (simulator)
//
// The types round-trip: ParseMessage decodes a request message into typed
// requests by element name (NewRequest), and a ResponseMessage of typed Rs
// values (NewResponse, RsHeader.SetStatus) marshals with Build. qbsim uses
// this to play QuickBooks in tests.
package qbxml
