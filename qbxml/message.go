package qbxml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Request is one request inside QBXMLMsgsRq. Every concrete type (CustomerAddRq,
// SalesReceiptAddRq, ...) embeds RqHeader and marshals its own children in
// schema order, so a Request round-trips through encoding/xml.
type Request interface {
	// RqName is the element name, e.g. "CustomerAddRq".
	RqName() string
	// RequestID is the requestID attribute that maps the response back to its job.
	RequestID() string
	// SetRequestID sets the requestID attribute (at most 50 characters).
	SetRequestID(string)
}

// RqHeader carries the requestID attribute shared by all requests.
type RqHeader struct {
	ID string `xml:"requestID,attr,omitempty"`
}

// RequestID returns the requestID attribute.
func (h *RqHeader) RequestID() string { return h.ID }

// SetRequestID sets the requestID attribute.
func (h *RqHeader) SetRequestID(id string) { h.ID = id }

// IteratorMode is the iterator attribute of a query that pages its results.
type IteratorMode string

// Iterator modes (qbXML 13.0: Start, Continue, Stop).
const (
	IteratorStart    IteratorMode = "Start"
	IteratorContinue IteratorMode = "Continue"
	IteratorStop     IteratorMode = "Stop"
)

// IterHeader carries the iterator attributes of the queries that support
// them. Start with Iterator=IteratorStart and MaxReturned; continue with the
// iteratorID from the response while iteratorRemainingCount > 0. Iterators
// live inside one QuickBooks session only.
type IterHeader struct {
	Iterator   IteratorMode `xml:"iterator,attr,omitempty"`
	IteratorID string       `xml:"iteratorID,attr,omitempty"`
}

// Iterable is a query request that supports iterators.
type Iterable interface {
	Request
	SetIterator(mode IteratorMode, id string)
}

// SetIterator sets the iterator attributes.
func (h *IterHeader) SetIterator(mode IteratorMode, id string) {
	h.Iterator, h.IteratorID = mode, id
}

// OnError is the onError attribute of QBXMLMsgsRq.
type OnError string

// The onError values QuickBooks Desktop honours (rollbackOnError is not
// supported by Desktop, so it is not offered).
const (
	StopOnError     OnError = "stopOnError"
	ContinueOnError OnError = "continueOnError"
)

// Message is a qbXML request message set: several requests sent in one
// sendRequestXML answer. Build it with NewMessage and Add, then Build for the
// negotiated version. ParseMessage is the reverse (used by the simulator).
type Message struct {
	OnError OnError
	// NewMessageSetID names this message set for QuickBooks' error recovery:
	// QuickBooks keeps the response of the last set per application, so a
	// set whose response was lost can be asked about (OldMessageSetID) or
	// resent unchanged without being applied twice.
	NewMessageSetID string
	// OldMessageSetID asks for the stored status of an earlier message set.
	OldMessageSetID string
	Requests        []Request
}

// NewMessage starts a message set.
func NewMessage(onError OnError, reqs ...Request) *Message {
	return &Message{OnError: onError, Requests: reqs}
}

// Add appends req with the given requestID and returns the message for chaining.
func (m *Message) Add(requestID string, req Request) *Message {
	req.SetRequestID(requestID)
	m.Requests = append(m.Requests, req)
	return m
}

// MaxRequestIDLen is QuickBooks' limit on requestID (status 1060 above it).
const MaxRequestIDLen = 50

// Validate checks every request against the field rules of version v:
// required elements, maximum lengths, characters QuickBooks cannot store,
// decimals, element choices and elements newer than v. Build calls it.
func (m *Message) Validate(v Version) error {
	if !isSupported(v) {
		return fmt.Errorf("qbxml: version %s is not supported (bcqb speaks %v)", v, SupportedVersions)
	}
	if m.OnError != StopOnError && m.OnError != ContinueOnError {
		return fmt.Errorf("qbxml: onError %q must be stopOnError or continueOnError", m.OnError)
	}
	if len(m.Requests) == 0 && m.OldMessageSetID == "" {
		return errors.New("qbxml: message has no requests")
	}
	var errs []error
	seen := map[string]bool{}
	for i, r := range m.Requests {
		if r == nil {
			errs = append(errs, fmt.Errorf("request %d is nil", i))
			continue
		}
		id := r.RequestID()
		if len([]rune(id)) > MaxRequestIDLen {
			errs = append(errs, fmt.Errorf("%s: requestID %q is longer than %d characters", r.RqName(), id, MaxRequestIDLen))
		}
		if id != "" && seen[id] {
			errs = append(errs, fmt.Errorf("%s: requestID %q is used twice in one message", r.RqName(), id))
		}
		seen[id] = true
		if err := ValidateRequest(r, v); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func isSupported(v Version) bool {
	for _, s := range SupportedVersions {
		if s == v {
			return true
		}
	}
	return false
}

// Build validates the message for version v and renders it with the
// <?qbxml version="X.Y"?> instruction, ready for sendRequestXML.
func (m *Message) Build(v Version) ([]byte, error) {
	if err := m.Validate(v); err != nil {
		return nil, err
	}
	return m.marshal(v)
}

func (m *Message) marshal(v Version) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	fmt.Fprintf(&buf, `<?qbxml version="%s"?>`+"\n", v)
	e := xml.NewEncoder(&buf)
	if err := e.Encode(m); err != nil {
		return nil, fmt.Errorf("qbxml: encode message: %w", err)
	}
	return buf.Bytes(), nil
}

// MarshalXML writes <QBXML><QBXMLMsgsRq onError=...>requests</QBXMLMsgsRq></QBXML>.
func (m *Message) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	msgs := xml.StartElement{Name: xml.Name{Local: "QBXMLMsgsRq"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "onError"}, Value: string(m.OnError)}}}
	if m.OldMessageSetID != "" {
		msgs.Attr = append(msgs.Attr, xml.Attr{Name: xml.Name{Local: "oldMessageSetID"}, Value: m.OldMessageSetID})
	}
	if m.NewMessageSetID != "" {
		msgs.Attr = append(msgs.Attr, xml.Attr{Name: xml.Name{Local: "newMessageSetID"}, Value: m.NewMessageSetID})
	}
	return encodeEnvelope(e, msgs, len(m.Requests), func(i int) (any, string) {
		return m.Requests[i], m.Requests[i].RqName()
	})
}

// encodeEnvelope writes <QBXML><msgs>children</msgs></QBXML>; child(i)
// returns the i-th value and its element name.
func encodeEnvelope(e *xml.Encoder, msgs xml.StartElement, n int, child func(int) (any, string)) error {
	root := xml.StartElement{Name: xml.Name{Local: "QBXML"}}
	if err := e.EncodeToken(root); err != nil {
		return err
	}
	if err := e.EncodeToken(msgs); err != nil {
		return err
	}
	for i := range n {
		v, name := child(i)
		if err := e.EncodeElement(v, xml.StartElement{Name: xml.Name{Local: name}}); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if err := e.EncodeToken(msgs.End()); err != nil {
		return err
	}
	return e.EncodeToken(root.End())
}

// UnknownRequest is a request element this package has no type for; the
// simulator answers it with an error instead of failing the whole message.
type UnknownRequest struct {
	RqHeader
	Name     string `xml:"-"`
	InnerXML string `xml:",innerxml"`
}

// RqName returns the element name as received.
func (u *UnknownRequest) RqName() string { return u.Name }

// UnmarshalXML reads <QBXML><QBXMLMsgsRq>, decoding each request into its
// registered type by element name (see NewRequest).
func (m *Message) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	return walkMsgs(d, start, "QBXMLMsgsRq", func(s xml.StartElement) {
		for _, a := range s.Attr {
			switch a.Name.Local {
			case "onError":
				m.OnError = OnError(a.Value)
			case "newMessageSetID":
				m.NewMessageSetID = a.Value
			case "oldMessageSetID":
				m.OldMessageSetID = a.Value
			}
		}
	}, func(child xml.StartElement) error {
		r, ok := NewRequest(child.Name.Local)
		if !ok {
			r = &UnknownRequest{Name: child.Name.Local}
		}
		if err := d.DecodeElement(r, &child); err != nil {
			return fmt.Errorf("%s: %w", child.Name.Local, err)
		}
		m.Requests = append(m.Requests, r)
		return nil
	})
}

// walkMsgs walks <QBXML> and calls each for every child element of the
// msgs element; elements elsewhere are skipped.
func walkMsgs(d *xml.Decoder, start xml.StartElement, msgs string, attrs func(xml.StartElement), each func(xml.StartElement) error) error {
	if start.Name.Local != "QBXML" {
		return fmt.Errorf("qbxml: root element is <%s>, want <QBXML>", start.Name.Local)
	}
	depth := 0 // 0: inside QBXML; 1: inside msgs
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("qbxml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && t.Name.Local == msgs {
				attrs(t)
				depth = 1
				continue
			}
			if depth == 1 {
				if err := each(t); err != nil {
					return err
				}
				continue
			}
			if err := d.Skip(); err != nil {
				return fmt.Errorf("qbxml: %w", err)
			}
		case xml.EndElement:
			if depth == 1 {
				depth = 0
				continue
			}
			return nil
		}
	}
}

// newDecoder returns a decoder that accepts the encodings QuickBooks and the
// Web Connector use (UTF-8, Windows-1252 under any of its labels, US-ASCII).
func newDecoder(data []byte) *xml.Decoder {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark some stacks prepend
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charsetReader
	return d
}

// charsetReader decodes a declared encoding. QuickBooks is a Windows program
// that stores text in code page 1252, and on Windows an "ISO-8859-1" label
// means that code page too (as in the WHATWG encoding standard browsers
// follow), so every such label is decoded with x/text's Windows-1252: 0x92
// is ’ (U+2019) and 0x80 is €, never the C1 control characters a Latin-1
// reading makes of them. soap decodes envelopes with the same decoder.
//
// Text that declares a single-byte encoding but is valid UTF-8 holding
// non-ASCII characters has already been decoded once on its way (the Web
// Connector carries qbXML as text inside a UTF-8 SOAP envelope, and a
// declaration inside it no longer describes the bytes); it is read as it
// is, because decoding it again would turn ’ into â€™. Genuine Windows-1252
// text is valid UTF-8 only when it holds such mojibake already.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	case "windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1":
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		if utf8.Valid(b) {
			return bytes.NewReader(b), nil // ASCII, or already decoded (see above)
		}
		return charmap.Windows1252.NewDecoder().Reader(bytes.NewReader(b)), nil
	}
	return nil, fmt.Errorf("qbxml: unsupported encoding %q", label)
}

// readPrologue reads tokens up to the root element, returning the version
// from <?qbxml version="X.Y"?> (zero if absent) and the root start element.
func readPrologue(d *xml.Decoder) (Version, xml.StartElement, error) {
	var v Version
	for {
		tok, err := d.Token()
		if err != nil {
			return v, xml.StartElement{}, fmt.Errorf("qbxml: no <QBXML> element: %w", err)
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target == "qbxml" {
				if pv, err := parsePIVersion(string(t.Inst)); err == nil {
					v = pv
				} else {
					return v, xml.StartElement{}, err
				}
			}
		case xml.StartElement:
			return v, t, nil
		}
	}
}

func parsePIVersion(inst string) (Version, error) {
	_, rest, ok := strings.Cut(inst, "version")
	if !ok {
		return Version{}, fmt.Errorf("qbxml: processing instruction %q has no version", inst)
	}
	rest = strings.TrimSpace(rest)
	rest = strings.TrimPrefix(rest, "=")
	rest = strings.Trim(strings.TrimSpace(rest), `"'`)
	return ParseVersion(rest)
}

// ParseMessage reads a request message set (the reverse of Build) and
// returns it with the version of its <?qbxml?> instruction. Unknown request
// elements become *UnknownRequest. It never panics on arbitrary input.
func ParseMessage(data []byte) (*Message, Version, error) {
	d := newDecoder(data)
	v, root, err := readPrologue(d)
	if err != nil {
		return nil, v, err
	}
	m := &Message{}
	if err := m.UnmarshalXML(d, root); err != nil {
		return nil, v, err
	}
	return m, v, nil
}
