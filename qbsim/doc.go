// Package qbsim is a simulated QuickBooks Desktop company and a simulated
// QuickBooks Web Connector (QBWC).
//
// QuickBooks and the Web Connector run only on Windows, so bcqb's end-to-end
// tests, its demo and its benchmarks run against this package instead. It is
// deliberately strict where QuickBooks is strict (element order, name
// uniqueness, references, field lengths, amounts computed from lines) so that
// a mapping bug shows up here rather than in a customer's books.
//
// Two halves:
//
//   - WebConnector drives any QBWC SOAP server over HTTP(S) in Intuit's call
//     order (serverVersion, clientVersion, authenticate, sendRequestXML,
//     receiveResponseXML, getLastError, connectionError, closeConnection) and
//     hands each qbXML request to a QuickBooks implementation.
//   - Company is that QuickBooks: lists and transactions answering qbXML,
//     persisted to a JSON file.
//
// Faults (delays, locked file, lost responses, a killed Web Connector, the
// two-minute HTTP timeout, a closed company file) can be switched on to prove
// that a server survives them.
//
// Production packages never import qbsim.
package qbsim
