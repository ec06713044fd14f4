package qbxml

import (
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Maximum lengths (characters) QuickBooks accepts for the fields bcqb fills
// most, from the 13.0/16.0 schemas. The struct tags carry the full set.
const (
	MaxItemName         = 31
	MaxCustomerName     = 41
	MaxRefNumber        = 11
	MaxPaymentRefNumber = 20
	MaxAddrLine         = 41
	MaxCity             = 31
	MaxState            = 21
	MaxPostalCode       = 13
	MaxCountry          = 31
	MaxMemo             = 4095
	MaxDesc             = 4095
	MaxFullName         = 159
	MaxPaymentMethod    = 31
	MaxEmail            = 1023
	MaxPhone            = 21
	MaxFirstName        = 25
	MaxLastName         = 25
	MaxCompanyName      = 41
	MaxDataExtName      = 31
)

// suffixLen is the length of the "~XXXXX" collision-safe suffix added by Fit.
const suffixLen = 6

var suffixEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// Fit returns s unchanged when it has at most max characters; otherwise it
// keeps the first max-6 characters and appends "~" and five characters of a
// hash of the whole of s. The result is deterministic (same input, same
// output), two different long values sharing a prefix almost never collide,
// and the original should be kept by the caller for display.
// When max is too small for a suffix, s is cut to max characters.
func Fit(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	if max <= suffixLen {
		return string(r[:max])
	}
	sum := sha256.Sum256([]byte(s))
	tag := suffixEncoding.EncodeToString(sum[:])[:suffixLen-1]
	head := strings.TrimRight(string(r[:max-suffixLen]), " ")
	return head + "~" + tag
}

// replacements maps common characters that Windows-1252 lacks to text
// QuickBooks can store. Anything else outside Windows-1252 becomes '?', the
// same character QuickBooks itself would show.
var replacements = map[rune]string{
	'‛': "'", '‟': `"`, '′': "'", '″': `"`, '‐': "-", '‑': "-", '‒': "-", '―': "-",
	'\u2009': " ", '\u200A': " ", '\u2002': " ", '\u2003': " ", '\u202F': " ", '\u200B': "",
	'\uFEFF': "", 'Ł': "L", 'ł': "l", 'Ő': "O", 'ő': "o", 'Ű': "U", 'ű': "u", 'Č': "C", 'č': "c",
	'Ć': "C", 'ć': "c", 'Ę': "E", 'ę': "e", 'Ą': "A", 'ą': "a", 'Ś': "S", 'ś': "s",
	'Ź': "Z", 'ź': "z", 'Ż': "Z", 'ż': "z", 'Ń': "N", 'ń': "n", 'Ř': "R", 'ř': "r",
	'Ě': "E", 'ě': "e", 'Ů': "U", 'ů': "u", 'Ğ': "G", 'ğ': "g", 'İ': "I", 'ı': "i",
	'Ş': "S", 'ş': "s", 'Ţ': "T", 'ţ': "t", 'Ă': "A", 'ă': "a", 'Đ': "D", 'đ': "d",
	'ẞ': "SS",
}

// cp1252Extras are the characters Windows-1252 has at 0x80-0x9F, where
// ISO-8859-1 has control characters: € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ.
var cp1252Extras = func() map[rune]bool {
	m := map[rune]bool{}
	for b := 0x80; b <= 0x9F; b++ {
		if r := charmap.Windows1252.DecodeByte(byte(b)); r >= 0x100 { // the five unassigned bytes decode to C1 controls
			m[r] = true
		}
	}
	return m
}()

// Storable reports whether QuickBooks can store r. QuickBooks keeps text in
// Windows-1252, the code page of US Windows: ISO-8859-1's printable
// characters and, at 0x80-0x9F, the 27 others (curly quotes, dashes, €, ™,
// ...) a pasted product name or address often holds. Control characters
// XML 1.0 forbids, DEL and the C1 controls are not storable (tab, newline
// and carriage return are). Requests are sent as UTF-8, which QuickBooks
// reads into that code page.
func Storable(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r < 0x20:
		return r == '\t' || r == '\n' || r == '\r'
	case r < 0x7F, r >= 0xA0 && r <= 0xFF:
		return true
	}
	return cp1252Extras[r]
}

// Clean replaces the characters QuickBooks cannot store, predictably: some
// typography and Central-European letters by their closest Windows-1252
// text, forbidden control characters removed, anything else by '?'.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case Storable(r):
			b.WriteRune(r)
		case r < 0x20 || (r >= 0x7F && r <= 0x9F):
			// control characters are dropped
		default:
			if rep, ok := replacements[r]; ok {
				b.WriteString(rep)
			} else {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

func isClean(s string) bool {
	for _, r := range s {
		if !Storable(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// FieldError is one field that breaks a rule.
type FieldError struct {
	Request string // e.g. "CustomerAddRq"
	Path    string // e.g. "CustomerAdd.BillAddress.Addr1"
	Problem string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("qbxml: %s %s: %s", e.Request, e.Path, e.Problem)
}

// tagRules is the parsed `qb:"..."` struct tag: max=N, req, since=X.Y,
// plus the field's XML element name.
type tagRules struct {
	max   int
	req   bool
	since Version
	elem  string
}

func parseTag(tag string) tagRules {
	var t tagRules
	for _, part := range strings.Split(tag, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "max":
			t.max, _ = strconv.Atoi(v)
		case "req":
			t.req = true
		case "since":
			t.since, _ = ParseVersion(v)
		}
	}
	return t
}

// rulesCache holds the parsed tags of each struct type, field by field, so
// validation does not re-parse struct tags for every value.
var rulesCache sync.Map // reflect.Type -> []tagRules

func fieldRules(typ reflect.Type, i int) tagRules {
	if r, ok := rulesCache.Load(typ); ok {
		return r.([]tagRules)[i]
	}
	rules := make([]tagRules, typ.NumField())
	for j := range rules {
		sf := typ.Field(j)
		rules[j] = parseTag(sf.Tag.Get("qb"))
		rules[j].elem, _, _ = strings.Cut(sf.Tag.Get("xml"), ",")
	}
	rulesCache.Store(typ, rules)
	return rules[i]
}

// checker is implemented by request parts with rules a tag cannot say
// (choices between elements).
type checker interface {
	check() error
}

// visit walks every exported field of v (a pointer to a struct) depth-first,
// calling fn with the field's path, value and tag rules.
func visit(v reflect.Value, path string, fn func(path string, f reflect.Value, t tagRules) error) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil
	}
	var errs []error
	typ := v.Type()
	for i := 0; i < typ.NumField(); i++ {
		sf := typ.Field(i)
		if !sf.IsExported() {
			continue
		}
		f := v.Field(i)
		name := sf.Name
		p := path + "." + name
		if sf.Anonymous {
			p = path
		}
		t := fieldRules(typ, i)
		if err := fn(strings.TrimPrefix(p, "."), f, t); err != nil {
			errs = append(errs, err)
		}
		switch f.Kind() {
		case reflect.Struct, reflect.Pointer:
			if isLeaf(f.Type()) {
				continue
			}
			if f.Kind() == reflect.Struct && !f.CanAddr() {
				continue
			}
			if err := visit(f, p, fn); err != nil {
				errs = append(errs, err)
			}
		case reflect.Slice:
			for j := 0; j < f.Len(); j++ {
				el := f.Index(j)
				ep := fmt.Sprintf("%s[%d]", p, j)
				if el.Kind() == reflect.String {
					if err := fn(strings.TrimPrefix(ep, "."), el, t); err != nil {
						errs = append(errs, err)
					}
					continue
				}
				if err := fn(strings.TrimPrefix(ep, "."), el, tagRules{}); err != nil {
					errs = append(errs, err)
				}
				if err := visit(el, ep, fn); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

var (
	typeAmount   = reflect.TypeFor[Amount]()
	typePrice    = reflect.TypeFor[Price]()
	typeQuantity = reflect.TypeFor[Quantity]()
	typePercent  = reflect.TypeFor[Percent]()
	typeFloat    = reflect.TypeFor[Float]()
	typeDate     = reflect.TypeFor[Date]()
	typeDateTime = reflect.TypeFor[DateTime]()
)

// isLeaf reports the value types that are checked whole, not walked.
func isLeaf(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case typeAmount, typePrice, typeQuantity, typePercent, typeFloat, typeDate, typeDateTime:
		return true
	}
	return t.Kind() != reflect.Struct
}

// isZero reports an absent field.
func isZero(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Slice, reflect.Map:
		return f.Len() == 0
	}
	if f.CanInterface() {
		switch x := f.Interface().(type) {
		case interface{ IsSet() bool }:
			return !x.IsSet()
		case *Ref:
			return x.IsZero()
		case Ref:
			return x.IsZero()
		}
	}
	return f.IsZero()
}

func asChecker(f reflect.Value) checker {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil
		}
		c, _ := f.Interface().(checker)
		return c
	}
	if f.Kind() == reflect.Struct && f.CanAddr() && f.Addr().CanInterface() {
		c, _ := f.Addr().Interface().(checker)
		return c
	}
	return nil
}

// ValidateRequest checks one request for version v (see Message.Validate).
func ValidateRequest(r Request, v Version) error {
	name := r.RqName()
	err := visit(reflect.ValueOf(r), "", func(path string, f reflect.Value, t tagRules) error {
		zero := isZero(f)
		if c := asChecker(f); c != nil && !zero {
			if err := c.check(); err != nil {
				return &FieldError{name, path, err.Error()}
			}
		}
		if t.req && zero {
			return &FieldError{name, path, "is required"}
		}
		if !t.since.IsZero() && !zero && v.Less(t.since) {
			return &FieldError{name, path, fmt.Sprintf("needs qbXML %s or later; this QuickBooks speaks %s", t.since, v)}
		}
		if zero || !f.CanInterface() {
			return nil
		}
		switch x := f.Interface().(type) {
		case *Ref:
			if max := refFullNameMax[t.elem]; max > 0 && utf8.RuneCountInString(x.FullName) > max {
				return &FieldError{name, path + ".FullName", fmt.Sprintf("%q is longer than %d characters, the most QuickBooks allows in %s", x.FullName, max, t.elem)}
			}
		case string:
			if !isClean(x) {
				return &FieldError{name, path, fmt.Sprintf("%q has characters QuickBooks cannot store; pass it through qbxml.Clean", x)}
			}
			if t.max > 0 && utf8.RuneCountInString(x) > t.max {
				return &FieldError{name, path, fmt.Sprintf("%q is longer than %d characters; use qbxml.Fit", x, t.max)}
			}
		case interface{ Check() error }:
			if err := x.Check(); err != nil {
				return &FieldError{name, path, err.Error()}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if c, ok := r.(checker); ok {
		if err := c.check(); err != nil {
			return &FieldError{name, "", err.Error()}
		}
	}
	return nil
}

// Change records one value Normalize altered, so the caller can keep the
// original for display.
type Change struct {
	Path     string
	Original string
	Value    string
}

// Normalize makes every string field of r storable and short enough, in
// place: Clean first, then Fit to the field's maximum length. It returns what
// it changed. Names that other requests refer to (item and customer names)
// should be fitted by the caller before use so both sides agree.
func Normalize(r Request) []Change {
	var changes []Change
	_ = visit(reflect.ValueOf(r), "", func(path string, f reflect.Value, t tagRules) error {
		if f.Kind() != reflect.String || !f.CanSet() {
			return nil
		}
		orig := f.String()
		s := Clean(orig)
		if t.max > 0 {
			s = Fit(s, t.max)
		}
		if s != orig {
			f.SetString(s)
			changes = append(changes, Change{Path: path, Original: orig, Value: s})
		}
		return nil
	})
	return changes
}
