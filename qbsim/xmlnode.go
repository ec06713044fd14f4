package qbsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"golang.org/x/text/encoding/charmap"
)

// elem is a generic qbXML element. The simulator works on trees rather than
// typed structs because encoding/xml ignores element order, and element
// order is exactly what QuickBooks refuses with a parse error.
type elem struct {
	Name  string
	Attrs []xml.Attr
	Text  string
	Kids  []*elem
}

// el builds an element with children.
func el(name string, kids ...*elem) *elem { return &elem{Name: name, Kids: kids} }

// leaf builds a text element.
func leaf(name, text string) *elem { return &elem{Name: name, Text: text} }

// Attr returns an attribute value.
func (n *elem) Attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// SetAttr sets or replaces an attribute.
func (n *elem) SetAttr(name, value string) {
	for i, a := range n.Attrs {
		if a.Name.Local == name {
			n.Attrs[i].Value = value
			return
		}
	}
	n.Attrs = append(n.Attrs, xml.Attr{Name: xml.Name{Local: name}, Value: value})
}

// Kid returns the first child with that name, or nil.
func (n *elem) Kid(name string) *elem {
	if n == nil {
		return nil
	}
	for _, k := range n.Kids {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// All returns every child with that name.
func (n *elem) All(name string) []*elem {
	if n == nil {
		return nil
	}
	var out []*elem
	for _, k := range n.Kids {
		if k.Name == name {
			out = append(out, k)
		}
	}
	return out
}

// Get returns the text at a slash-separated path ("CustomerRef/FullName").
func (n *elem) Get(path string) string {
	cur := n
	for _, p := range strings.Split(path, "/") {
		cur = cur.Kid(p)
		if cur == nil {
			return ""
		}
	}
	return strings.TrimSpace(cur.Text)
}

// Has reports whether the path exists.
func (n *elem) Has(path string) bool {
	cur := n
	for _, p := range strings.Split(path, "/") {
		cur = cur.Kid(p)
		if cur == nil {
			return false
		}
	}
	return true
}

// Set replaces (or appends) the child name with a text leaf.
func (n *elem) Set(name, text string) {
	n.Put(leaf(name, text))
}

// Put replaces the first child with k's name, or appends k.
func (n *elem) Put(k *elem) {
	for i, c := range n.Kids {
		if c.Name == k.Name {
			n.Kids[i] = k
			return
		}
	}
	n.Kids = append(n.Kids, k)
}

// Remove drops every child with that name.
func (n *elem) Remove(name string) {
	kept := n.Kids[:0]
	for _, k := range n.Kids {
		if k.Name != name {
			kept = append(kept, k)
		}
	}
	n.Kids = kept
}

// Clone deep-copies the tree.
func (n *elem) Clone() *elem {
	if n == nil {
		return nil
	}
	c := &elem{Name: n.Name, Text: n.Text, Attrs: append([]xml.Attr(nil), n.Attrs...)}
	for _, k := range n.Kids {
		c.Kids = append(c.Kids, k.Clone())
	}
	return c
}

// Dec reads a decimal child (zero when absent).
func (n *elem) Dec(path string) (decimal.Decimal, bool) {
	s := n.Get(path)
	if s == "" {
		return decimal.Zero, false
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, false
	}
	return d, true
}

// parseDoc reads a qbXML document into a tree, returning the qbxml
// processing instruction's version text.
func parseDoc(data []byte) (*elem, string, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		switch strings.ToLower(label) {
		case "utf-8", "us-ascii":
			return input, nil
		case "iso-8859-1", "latin1", "windows-1252":
			// QuickBooks runs on Windows, where both labels mean code page
			// 1252: 0x92 is ’, not a C1 control character.
			return charmap.Windows1252.NewDecoder().Reader(input), nil
		}
		return nil, fmt.Errorf("unsupported encoding %q", label)
	}
	var version string
	var stack []*elem
	var root *elem
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, "", err
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target == "qbxml" {
				_, v, _ := strings.Cut(string(t.Inst), "version")
				version = strings.Trim(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "=")), `"'`)
			}
		case xml.StartElement:
			n := &elem{Name: t.Name.Local}
			for _, a := range t.Attr {
				n.Attrs = append(n.Attrs, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: a.Value})
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, "", errors.New("more than one root element")
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.Kids = append(p.Kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].Text += string(t)
			}
		}
	}
	if root == nil {
		return nil, "", errors.New("no root element")
	}
	trimText(root)
	return root, version, nil
}

// trimText drops the whitespace between child elements.
func trimText(n *elem) {
	if len(n.Kids) > 0 {
		n.Text = ""
	}
	for _, k := range n.Kids {
		trimText(k)
	}
}

// write renders the tree (compact, escaped).
func (n *elem) write(b *bytes.Buffer) {
	b.WriteString("<" + n.Name)
	for _, a := range n.Attrs {
		b.WriteString(" " + a.Name.Local + `="` + attrEscaper.Replace(a.Value) + `"`)
	}
	if len(n.Kids) == 0 && n.Text == "" {
		b.WriteString(" />")
		return
	}
	b.WriteString(">")
	b.WriteString(textEscaper.Replace(n.Text))
	for _, k := range n.Kids {
		k.write(b)
	}
	b.WriteString("</" + n.Name + ">")
}

// Escapers as QuickBooks writes: &quot; in attributes, quotes left alone in text.
var (
	attrEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")
	textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\r", "&#13;")
)

// String renders the element.
func (n *elem) String() string {
	var b bytes.Buffer
	n.write(&b)
	return b.String()
}

// ---- schema validation ----

// validateNode checks n (whose type is t) against the compiled schema:
// element order, unknown and missing elements, occurrence counts, lengths,
// enumerations and the syntax of qbXML's simple types.
func validateNode(n *elem, t int, path string) error {
	return (&validator{}).node(n, t, path)
}

// validateRequest checks a request the way QuickBooks does: structure and
// value syntax are parse errors (the whole message is refused), while a
// string over its maximum length only fails that request with status 3070,
// returned as tooLong.
func validateRequest(n *elem, t int) (tooLong *qbStatus, err error) {
	v := &validator{lengthsAsStatus: true}
	err = v.node(n, t, n.Name)
	return v.tooLong, err
}

type validator struct {
	lengthsAsStatus bool
	tooLong         *qbStatus
}

func (v *validator) node(n *elem, t int, path string) error {
	typ := schemaTypes[t]
	if !typ.Complex {
		if len(n.Kids) > 0 {
			return fmt.Errorf("%s: element has children but is a %s", path, typ.Base)
		}
		if typ.MaxLen > 0 && utf8.RuneCountInString(n.Text) > typ.MaxLen && v.lengthsAsStatus {
			if v.tooLong == nil {
				v.tooLong = &qbStatus{3070, fmt.Sprintf("The string \"%s\" in the field \"%s\" is too long.", n.Text, n.Name)}
			}
			typ.MaxLen = 0
		}
		return checkSimple(n.Text, typ, path)
	}
	types := make([]int, len(n.Kids))
	next, ok := matchParticle(typ.Model, n.Kids, 0, types)
	if !ok {
		return fmt.Errorf("%s: content does not match the schema (missing required element)", path)
	}
	if next < len(n.Kids) {
		return fmt.Errorf("%s: element %s is not expected here", path, n.Kids[next].Name)
	}
	if strings.TrimSpace(n.Text) != "" {
		return fmt.Errorf("%s: unexpected text", path)
	}
	for i, k := range n.Kids {
		if err := v.node(k, types[i], path+"/"+k.Name); err != nil {
			return err
		}
	}
	return nil
}

// matchParticle matches p greedily against kids[i:], recording each matched
// child's type; qbXML's content models are deterministic, so greedy matching
// with "longest alternative" for choices is exact enough.
func matchParticle(p particle, kids []*elem, i int, types []int) (int, bool) {
	count, emptyOK := 0, false
	for p.Max < 0 || count < p.Max {
		next, ok := matchOnce(p, kids, i, types)
		if !ok {
			break
		}
		if next == i { // matched nothing: the particle is satisfied by absence
			emptyOK = true
			break
		}
		i = next
		count++
	}
	if count < p.Min && !emptyOK {
		return i, false
	}
	return i, true
}

func matchOnce(p particle, kids []*elem, i int, types []int) (int, bool) {
	switch p.Kind {
	case 'e':
		if i < len(kids) && kids[i].Name == p.Name {
			types[i] = p.Type
			return i + 1, true
		}
		return i, false
	case 's':
		cur := i
		for _, k := range p.Kids {
			next, ok := matchParticle(k, kids, cur, types)
			if !ok {
				return i, false
			}
			cur = next
		}
		return cur, true
	case 'c':
		best, found := i, false
		var bestTypes []int
		for _, k := range p.Kids {
			tmp := append([]int(nil), types...)
			next, ok := matchParticle(k, kids, i, tmp)
			if ok && (!found || next > best) {
				best, found, bestTypes = next, true, tmp
			}
		}
		if found {
			copy(types, bestTypes)
		}
		return best, found
	}
	return i, false
}

var (
	amountSyntax = numberSyntax{13, 2, true}
	fiveDecimals = numberSyntax{10, 5, false}
)

type numberSyntax struct {
	intDigits, decimals int
	fixed               bool
}

func (s numberSyntax) ok(v string) bool {
	v = strings.TrimLeft(v, "+-")
	ip, fp, hasPoint := strings.Cut(v, ".")
	if len(ip) < 1 || len(ip) > s.intDigits || !digits(ip) {
		return false
	}
	if !hasPoint {
		return true
	}
	if s.fixed {
		return len(fp) == s.decimals && digits(fp)
	}
	return len(fp) >= 1 && len(fp) <= s.decimals && digits(fp)
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func checkSimple(v string, t xsdType, path string) error {
	if t.MaxLen > 0 && utf8.RuneCountInString(v) > t.MaxLen {
		return fmt.Errorf("%s: value %q is longer than %d characters", path, v, t.MaxLen)
	}
	if len(t.Enum) > 0 {
		found := false
		for _, e := range t.Enum {
			if v == e {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("%s: %q is not one of %v", path, v, t.Enum)
		}
	}
	s := strings.TrimSpace(v)
	bad := false
	switch t.Base {
	case "IDTYPE":
		bad = utf8.RuneCountInString(v) > 36
	case "BOOLTYPE":
		bad = s != "" && s != "true" && s != "false" && s != "1" && s != "0"
	case "AMTTYPE":
		bad = s != "" && !amountSyntax.ok(s)
	case "PRICETYPE", "QUANTYPE", "PERCENTTYPE":
		bad = s != "" && !fiveDecimals.ok(s)
	case "INTTYPE":
		_, err := strconv.Atoi(s)
		bad = err != nil
	case "DATETYPE":
		if s != "" {
			_, err := time.Parse("2006-01-02", s)
			bad = err != nil
		}
	case "DATETIMETYPE":
		bad = s != "" && parseQBTime(s).IsZero()
	}
	// QuickBooks keeps text in Windows-1252 and refuses a request holding a
	// character that code page lacks (Jason Barnabe's tests, qbwc/qbxml#8:
	// Latin-1 letters pass, Chinese, Greek and Cyrillic fail the whole
	// message); curly quotes, dashes and € are in it.
	for _, r := range v {
		if _, ok := charmap.Windows1252.EncodeRune(r); !ok {
			return fmt.Errorf("%s: character %q is outside Windows-1252", path, r)
		}
	}
	if bad {
		return fmt.Errorf("%s: %q is not a valid %s", path, v, t.Base)
	}
	return nil
}

// parseQBTime reads the DATETIMETYPE forms; zero when it cannot.
func parseQBTime(s string) time.Time {
	for _, l := range []string{"2006-01-02T15:04:05-07:00", "2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t
		}
	}
	return time.Time{}
}

// ---- schema ordering ----

// orderNode sorts n's children (recursively) into the order of type t's
// content model and drops children the model does not allow, so responses
// are always schema-valid whatever order the company built them in.
func orderNode(n *elem, t int) {
	typ := schemaTypes[t]
	if !typ.Complex {
		return
	}
	rank := map[string]int{}
	kidType := map[string]int{}
	var walk func(p particle)
	walk = func(p particle) {
		if p.Kind == 'e' {
			if _, ok := rank[p.Name]; !ok {
				rank[p.Name] = len(rank)
				kidType[p.Name] = p.Type
			}
			return
		}
		for _, k := range p.Kids {
			walk(k)
		}
	}
	walk(typ.Model)
	kept := make([]*elem, 0, len(n.Kids))
	for _, k := range n.Kids {
		if _, ok := rank[k.Name]; ok {
			kept = append(kept, k)
		}
	}
	// stable insertion sort: lists are short
	for i := 1; i < len(kept); i++ {
		for j := i; j > 0 && rank[kept[j].Name] < rank[kept[j-1].Name]; j-- {
			kept[j], kept[j-1] = kept[j-1], kept[j]
		}
	}
	n.Kids = kept
	for _, k := range n.Kids {
		orderNode(k, kidType[k.Name])
	}
}

// childType finds the type of element name inside type t's model.
func childType(t int, name string) (int, bool) {
	var find func(p particle) (int, bool)
	find = func(p particle) (int, bool) {
		if p.Kind == 'e' {
			return p.Type, p.Name == name
		}
		for _, k := range p.Kids {
			if ti, ok := find(k); ok {
				return ti, true
			}
		}
		return 0, false
	}
	return find(schemaTypes[t].Model)
}
