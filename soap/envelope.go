package soap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

const (
	envelopeNS11 = "http://schemas.xmlsoap.org/soap/envelope/"
	envelopeNS12 = "http://www.w3.org/2003/05/soap-envelope"
	xsiNS        = "http://www.w3.org/2001/XMLSchema-instance"
)

// Call is one decoded Web Connector call: the operation and its parameters by name.
type Call struct {
	Op     string
	Params map[string]string
}

// Str returns a string parameter ("" when absent or nil).
func (c Call) Str(name string) string { return c.Params[name] }

// Int returns an s:int parameter. A malformed one is a client error; a
// missing one reads as 0, because SOAP stacks that treat the WSDL's ints as
// optional (gowsdl among them) leave out zeros.
func (c Call) Int(name string) (int, error) {
	v, ok := c.Params[name]
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 32)
	if err != nil {
		return 0, &Fault{Code: FaultClient, String: fmt.Sprintf("%s: parameter %s is not an int: %q", c.Op, name, v)}
	}
	return int(n), nil
}

// Fault codes of SOAP 1.1.
const (
	FaultVersionMismatch = "soap:VersionMismatch"
	FaultClient          = "soap:Client"
	FaultServer          = "soap:Server"
)

// Fault is a SOAP 1.1 fault; it is answered with HTTP 500.
type Fault struct {
	Code   string
	String string
}

func (f *Fault) Error() string { return f.Code + ": " + f.String }

func clientFault(format string, args ...any) *Fault {
	return &Fault{Code: FaultClient, String: fmt.Sprintf(format, args...)}
}

// Decode reads a SOAP 1.1 envelope and returns the call in its body. The
// operation is taken from the body's first element, never from the
// SOAPAction header alone. Any malformed input yields a *Fault.
func Decode(r io.Reader) (Call, error) {
	d := xml.NewDecoder(r)
	// QBWC sends UTF-8; a declared ASCII, Windows-1252 or ISO-8859-1 is
	// accepted too (see charsetReader).
	d.CharsetReader = charsetReader
	env, err := nextStart(d)
	if err != nil {
		return Call{}, readFault("no envelope", err)
	}
	switch {
	case env.Name.Local == "Envelope" && env.Name.Space == envelopeNS12:
		return Call{}, &Fault{Code: FaultVersionMismatch, String: "SOAP 1.2 is not supported; the Web Connector speaks SOAP 1.1"}
	case env.Name.Local != "Envelope" || env.Name.Space != envelopeNS11:
		return Call{}, clientFault("the root element must be a SOAP 1.1 Envelope, got {%s}%s", env.Name.Space, env.Name.Local)
	}
	var call Call
	found := false
	for {
		tok, err := d.Token()
		if err != nil {
			return Call{}, readFault("reading the envelope", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Space == envelopeNS11 && t.Name.Local == "Header":
				if err := d.Skip(); err != nil {
					return Call{}, readFault("reading the header", err)
				}
			case t.Name.Space == envelopeNS11 && t.Name.Local == "Body":
				if found {
					return Call{}, clientFault("the envelope has two Body elements")
				}
				call, err = decodeBody(d)
				if err != nil {
					return Call{}, err
				}
				found = true
			default:
				return Call{}, clientFault("unexpected element {%s}%s in the envelope", t.Name.Space, t.Name.Local)
			}
		case xml.EndElement:
			if !found {
				return Call{}, clientFault("the envelope has no Body")
			}
			// The envelope is closed; anything after it but whitespace and comments is malformed.
			if err := expectEOF(d); err != nil {
				return Call{}, err
			}
			return call, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return Call{}, clientFault("unexpected text in the envelope")
			}
		}
	}
}

func decodeBody(d *xml.Decoder) (Call, error) {
	opStart, err := nextStart(d)
	if err != nil {
		return Call{}, readFault("the Body has no operation", err)
	}
	op, ok := operationByName[opStart.Name.Local]
	if !ok {
		return Call{}, clientFault("unknown operation %q", opStart.Name.Local)
	}
	if opStart.Name.Space != Namespace {
		return Call{}, clientFault("operation %s must be in namespace %s, got %q", op.Name, Namespace, opStart.Name.Space)
	}
	call := Call{Op: op.Name, Params: make(map[string]string, len(op.Params))}
	for {
		tok, err := d.Token()
		if err != nil {
			return Call{}, readFault("reading "+op.Name, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v struct {
				Text  string     `xml:",chardata"`
				Inner string     `xml:",innerxml"`
				Kids  []struct{} `xml:",any"`
				Nil   string     `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
			}
			if err := d.DecodeElement(&v, &t); err != nil {
				return Call{}, readFault("reading "+op.Name+"/"+t.Name.Local, err)
			}
			// Unknown children are ignored (QBWC versions differ; serverVersion may carry a ticket).
			switch {
			case v.Nil == "true":
			case len(v.Kids) > 0:
				// qbXML embedded as elements rather than escaped text (some SOAP
				// stacks do this): the value is the markup itself.
				call.Params[t.Name.Local] = strings.TrimSpace(v.Inner)
			default:
				call.Params[t.Name.Local] = v.Text
			}
		case xml.EndElement:
			// The operation is closed; the Body must close next.
			for {
				tok, err := d.Token()
				if err != nil {
					return Call{}, readFault("reading the Body", err)
				}
				switch t := tok.(type) {
				case xml.EndElement:
					return call, nil
				case xml.StartElement:
					return Call{}, clientFault("the Body holds more than one operation (%s after %s)", t.Name.Local, op.Name)
				case xml.CharData:
					if len(bytes.TrimSpace(t)) > 0 {
						return Call{}, clientFault("unexpected text in the Body")
					}
				}
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return Call{}, clientFault("unexpected text in %s", op.Name)
			}
		}
	}
}

func nextStart(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.EndElement:
			return xml.StartElement{}, errors.New("element closed before any child")
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return xml.StartElement{}, errors.New("unexpected text")
			}
		}
	}
}

func expectEOF(d *xml.Decoder) error {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return readFault("after the envelope", err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return clientFault("text after the envelope")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return clientFault("content after the envelope")
		}
	}
}

// readFault turns a read or parse error into a client fault, keeping a body
// that was too large recognisable.
func readFault(where string, err error) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return clientFault("malformed SOAP (%s): the message ended early", where)
	}
	return clientFault("malformed SOAP (%s): %v", where, err)
}

// charsetReader decodes a declared single-byte encoding. The Web Connector
// and QuickBooks run on Windows, whose code page 1252 is what such text is
// in, and there an "ISO-8859-1" label means that code page too (as in the
// WHATWG encoding standard browsers follow): every such label is decoded
// with x/text's Windows-1252, the decoder qbxml uses, so 0x92 is ’ (U+2019)
// and 0x80 is €, never the C1 control characters a Latin-1 reading makes of
// them.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(charset)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		return charmap.Windows1252.NewDecoder().Reader(input), nil
	}
	return nil, fmt.Errorf("unsupported charset %q", charset)
}

const envelopeOpen = `<?xml version="1.0" encoding="utf-8"?>` +
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
	`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
	`<soap:Body>`
const envelopeClose = `</soap:Body></soap:Envelope>`

// appendEscaped escapes s as XML character data. Characters XML cannot carry
// become U+FFFD, as encoding/xml does.
func appendEscaped(b *bytes.Buffer, s string) {
	xml.EscapeText(b, []byte(s)) //nolint:errcheck // bytes.Buffer cannot fail
}

// EncodeString writes the response envelope of an operation with a string result.
func EncodeString(b *bytes.Buffer, op, result string) {
	b.WriteString(envelopeOpen)
	b.WriteString("<" + op + `Response xmlns="` + Namespace + `"><` + op + "Result>")
	appendEscaped(b, result)
	b.WriteString("</" + op + "Result></" + op + "Response>")
	b.WriteString(envelopeClose)
}

// EncodeInt writes the response envelope of an operation with an int result.
// Zero is written as 0, never as an empty element: the Web Connector would
// fail to parse it.
func EncodeInt(b *bytes.Buffer, op string, result int) {
	b.WriteString(envelopeOpen)
	b.WriteString("<" + op + `Response xmlns="` + Namespace + `"><` + op + "Result>")
	b.WriteString(strconv.Itoa(result))
	b.WriteString("</" + op + "Result></" + op + "Response>")
	b.WriteString(envelopeClose)
}

// EncodeStrings writes the response envelope of an operation with an
// ArrayOfString result. Every element is written, empty ones as <string></string>:
// the Web Connector reads the slots by position.
func EncodeStrings(b *bytes.Buffer, op string, result []string) {
	b.WriteString(envelopeOpen)
	b.WriteString("<" + op + `Response xmlns="` + Namespace + `"><` + op + "Result>")
	for _, s := range result {
		b.WriteString("<string>")
		appendEscaped(b, s)
		b.WriteString("</string>")
	}
	b.WriteString("</" + op + "Result></" + op + "Response>")
	b.WriteString(envelopeClose)
}

// EncodeFault writes a SOAP 1.1 fault envelope.
func EncodeFault(b *bytes.Buffer, f *Fault) {
	b.WriteString(envelopeOpen)
	b.WriteString("<soap:Fault><faultcode>")
	appendEscaped(b, f.Code)
	b.WriteString("</faultcode><faultstring>")
	appendEscaped(b, f.String)
	b.WriteString("</faultstring></soap:Fault>")
	b.WriteString(envelopeClose)
}
