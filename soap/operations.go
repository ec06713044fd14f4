// Package soap is the transport of the Web Connector contract: it decodes
// SOAP 1.1 document/literal envelopes in Intuit's namespace, calls a Service,
// encodes the answer, serves the WSDL and turns errors into SOAP faults.
// It knows nothing of tickets, jobs or QuickBooks; package qwc does.
package soap

// Namespace is the target namespace Intuit's WSDL fixes for every element.
const Namespace = "http://developer.intuit.com/"

// Result types of the operations.
const (
	resultString      = "s:string"
	resultInt         = "s:int"
	resultArrayString = "tns:ArrayOfString"
)

// param is one parameter of an operation, in the WSDL's order.
type param struct {
	Name string
	// Int marks the s:int parameters (qbXMLMajorVers, qbXMLMinorVers), which
	// the WSDL makes required.
	Int bool
}

// operation is one Web Connector callback as the WSDL declares it.
type operation struct {
	Name   string
	Params []param
	Result string
	Doc    string
}

// operations lists the contract: Intuit's eight callbacks plus the three of
// interactive mode, which QBWC 2.0 calls but Intuit's published WSDL omits.
// The WSDL we serve and the decoder are both generated from this table.
var operations = []operation{
	{Name: "serverVersion", Result: resultString, Doc: "The version of bcqb, shown in the Web Connector."},
	{Name: "clientVersion", Params: []param{{Name: "strVersion"}}, Result: resultString,
		Doc: `The Web Connector's version: "" to go on, "W:…" to warn, "E:…" to refuse.`},
	{Name: "authenticate", Params: []param{{Name: "strUserName"}, {Name: "strPassword"}}, Result: resultArrayString,
		Doc: "A ticket and what to do: \"\" (use the open company file), \"none\", \"nvu\" or \"busy\"; then postpone seconds and minimum run interval."},
	{Name: "connectionError", Params: []param{{Name: "ticket"}, {Name: "hresult"}, {Name: "message"}}, Result: resultString,
		Doc: "The Web Connector could not reach QuickBooks; the answer is \"done\"."},
	{Name: "sendRequestXML", Params: []param{{Name: "ticket"}, {Name: "strHCPResponse"}, {Name: "strCompanyFileName"},
		{Name: "qbXMLCountry"}, {Name: "qbXMLMajorVers", Int: true}, {Name: "qbXMLMinorVers", Int: true}}, Result: resultString,
		Doc: "The next qbXML request for QuickBooks, or \"\" when there is none."},
	{Name: "receiveResponseXML", Params: []param{{Name: "ticket"}, {Name: "response"}, {Name: "hresult"}, {Name: "message"}},
		Result: resultInt, Doc: "QuickBooks' response; the answer is the percent done, or negative on error."},
	{Name: "getLastError", Params: []param{{Name: "ticket"}}, Result: resultString,
		Doc: "The last error in words, or \"NoOp\" to have the Web Connector wait and call again."},
	{Name: "closeConnection", Params: []param{{Name: "ticket"}}, Result: resultString, Doc: "A one-line summary of the session."},
	{Name: "getInteractiveURL", Params: []param{{Name: "wcTicket"}, {Name: "sessionID"}}, Result: resultString,
		Doc: "The page the Web Connector opens in interactive mode."},
	{Name: "interactiveDone", Params: []param{{Name: "wcTicket"}}, Result: resultString,
		Doc: "\"Done\" when the interactive step is over."},
	{Name: "interactiveRejected", Params: []param{{Name: "wcTicket"}, {Name: "reason"}}, Result: resultString,
		Doc: "The user declined interactive mode; the answer is a message to show."},
}

var operationByName = func() map[string]*operation {
	m := make(map[string]*operation, len(operations))
	for i := range operations {
		m[operations[i].Name] = &operations[i]
	}
	return m
}()
