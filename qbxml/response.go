package qbxml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// Response is one ...Rs element of QBXMLMsgsRs. Concrete types embed RsHeader
// and hold typed ...Ret values; they marshal back to the same XML, which is
// what the simulator uses to answer.
type Response interface {
	// RsName is the element name, e.g. "CustomerAddRs".
	RsName() string
	// Header returns the status attributes.
	Header() *RsHeader
}

// RsHeader holds the attributes every ...Rs carries.
type RsHeader struct {
	RequestID              string `xml:"requestID,attr,omitempty"`
	StatusCode             int    `xml:"statusCode,attr"`
	StatusSeverity         string `xml:"statusSeverity,attr"`
	StatusMessage          string `xml:"statusMessage,attr,omitempty"`
	RetCount               int    `xml:"retCount,attr,omitempty"`
	IteratorRemainingCount int    `xml:"iteratorRemainingCount,attr,omitempty"`
	IteratorID             string `xml:"iteratorID,attr,omitempty"`
}

// Header returns h itself, so that every Rs type satisfies Response.
func (h *RsHeader) Header() *RsHeader { return h }

// Outcome classifies the status (see Classify).
func (h *RsHeader) Outcome() Outcome {
	return Classify(h.StatusCode, h.StatusSeverity, h.StatusMessage)
}

// Err returns nil when QuickBooks did what was asked (Info or Warn severity,
// including status 1 "no match"), else a *StatusError carrying the Outcome.
func (h *RsHeader) Err() error {
	o := h.Outcome()
	if !o.Failed() {
		return nil
	}
	return &StatusError{RequestID: h.RequestID, Outcome: o}
}

// More reports whether an iterator has further pages.
func (h *RsHeader) More() bool { return h.IteratorID != "" && h.IteratorRemainingCount > 0 }

// UnknownRs is a ...Rs element this package has no type for. Its status is
// still parsed; its body is kept raw.
type UnknownRs struct {
	RsHeader
	Name     string `xml:"-"`
	InnerXML string `xml:",innerxml"`
}

// RsName returns the element name as received.
func (u *UnknownRs) RsName() string { return u.Name }

// ResponseMessage is a parsed QBXMLMsgsRs.
type ResponseMessage struct {
	// Version is from <?qbxml version?> when QuickBooks sent one (it usually does not).
	Version   Version
	Responses []Response
}

// ByRequestID finds the response for a requestID.
func (m *ResponseMessage) ByRequestID(id string) (Response, bool) {
	for _, r := range m.Responses {
		if r.Header().RequestID == id {
			return r, true
		}
	}
	return nil, false
}

// MarshalXML writes <QBXML><QBXMLMsgsRs>responses</QBXMLMsgsRs></QBXML>.
func (m *ResponseMessage) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	msgs := xml.StartElement{Name: xml.Name{Local: "QBXMLMsgsRs"}}
	return encodeEnvelope(e, msgs, len(m.Responses), func(i int) (any, string) {
		return m.Responses[i], m.Responses[i].RsName()
	})
}

// UnmarshalXML reads <QBXML><QBXMLMsgsRs>, decoding each ...Rs into its
// registered type (see NewResponse) or *UnknownRs.
func (m *ResponseMessage) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return walkMsgs(d, start, "QBXMLMsgsRs", func(xml.StartElement) {}, func(child xml.StartElement) error {
		r, ok := NewResponse(child.Name.Local)
		if !ok {
			r = &UnknownRs{Name: child.Name.Local}
		}
		if err := d.DecodeElement(r, &child); err != nil {
			return fmt.Errorf("%s: %w", child.Name.Local, err)
		}
		m.Responses = append(m.Responses, r)
		return nil
	})
}

// Build renders the response message as QuickBooks would (used by the
// simulator). A zero Version writes no <?qbxml?> instruction, like QuickBooks.
func (m *ResponseMessage) Build() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" ?>` + "\n")
	if !m.Version.IsZero() {
		fmt.Fprintf(&buf, `<?qbxml version="%s"?>`+"\n", m.Version)
	}
	if err := xml.NewEncoder(&buf).Encode(m); err != nil {
		return nil, fmt.Errorf("qbxml: encode response: %w", err)
	}
	return buf.Bytes(), nil
}

// ParseResponse parses the response text of receiveResponseXML (or any
// qbXML response message). Unknown elements are ignored, unknown ...Rs
// become *UnknownRs, and it never panics on arbitrary input.
func ParseResponse(data []byte) (*ResponseMessage, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("qbxml: empty response")
	}
	d := newDecoder(data)
	v, root, err := readPrologue(d)
	if err != nil {
		return nil, err
	}
	m := &ResponseMessage{Version: v}
	if err := m.UnmarshalXML(d, root); err != nil {
		return nil, err
	}
	return m, nil
}

// severityFromCode gives the severity QuickBooks uses for a code, for
// building simulated responses.
func severityFromCode(code int) string {
	switch {
	case code < 500:
		return "Info"
	case code < 1000:
		return "Warn"
	default:
		return "Error"
	}
}

// SetStatus fills h for a simulated response: code, severity derived from the
// code, and message (QuickBooks' own text for known codes when msg is "").
func (h *RsHeader) SetStatus(code int, msg string) {
	h.StatusCode = code
	h.StatusSeverity = severityFromCode(code)
	if msg == "" {
		msg = strings.TrimSpace(defaultStatusMessage(code))
	}
	h.StatusMessage = msg
}
