package qbxml

import (
	"encoding/xml"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Num is the one implementation behind Amount, Price, Quantity and Percent:
// a decimal plus a presence flag, so that the zero value of every numeric
// field means "leave the element out" and an explicit zero is still sent.
// K selects the qbXML type (digits allowed, decimals, fixed scale).
type Num[K numTag] struct {
	d   decimal.Decimal
	set bool
}

// numTag ties a Num to its numberKind; the tags are unexported so only the
// qbXML number types below exist.
type numTag interface{ kind() numberKind }

type (
	amountTag   struct{}
	priceTag    struct{}
	quantityTag struct{}
	percentTag  struct{}
	floatTag    struct{}
)

func (amountTag) kind() numberKind   { return amountKind }
func (priceTag) kind() numberKind    { return priceKind }
func (quantityTag) kind() numberKind { return quantityKind }
func (percentTag) kind() numberKind  { return percentKind }
func (floatTag) kind() numberKind    { return floatKind }

// Amount is a qbXML AMTTYPE: money with exactly two decimals. The zero value
// is "absent" (the element is left out); use AmountOf for a real amount.
// Building a request with more than two decimals fails rather than rounding
// silently, because rounding must happen once, where the caller decides.
type Amount = Num[amountTag]

// Price is a qbXML PRICETYPE (a rate or unit price): up to five decimals.
type Price = Num[priceTag]

// Quantity is a qbXML QUANTYPE: up to five decimals.
type Quantity = Num[quantityTag]

// Percent is a qbXML PERCENTTYPE (7.25 means 7.25 %): up to five decimals.
type Percent = Num[percentTag]

// Float is a qbXML FLOATTYPE (an ExchangeRate: units of home currency per
// unit of the foreign currency). The schema allows any decimal; bcqb writes
// at most ten decimals, so round before building.
type Float = Num[floatTag]

// AmountOf wraps d as a present Amount. It does not round: see RoundAmount.
func AmountOf(d decimal.Decimal) Amount { return Amount{d: d, set: true} }

// RoundAmount rounds d to cents half away from zero, as QuickBooks does, and
// wraps it.
func RoundAmount(d decimal.Decimal) Amount { return AmountOf(d.Round(2)) }

// PriceOf wraps d as a present Price.
func PriceOf(d decimal.Decimal) Price { return Price{d: d, set: true} }

// QuantityOf wraps d as a present Quantity.
func QuantityOf(d decimal.Decimal) Quantity { return Quantity{d: d, set: true} }

// QuantityInt is a convenience for whole quantities.
func QuantityInt(i int64) Quantity { return QuantityOf(decimal.NewFromInt(i)) }

// PercentOf wraps d as a present Percent.
func PercentOf(d decimal.Decimal) Percent { return Percent{d: d, set: true} }

// FloatOf wraps d as a present Float.
func FloatOf(d decimal.Decimal) Float { return Float{d: d, set: true} }

// numberKind describes one of qbXML's numeric string types (qbxmltypes*.xsd).
type numberKind struct {
	name      string
	intDigits int  // maximum digits before the point
	maxScale  int  // maximum digits after the point
	fixed     bool // exactly maxScale digits are written (AMTTYPE)
}

var (
	amountKind   = numberKind{name: "amount", intDigits: 13, maxScale: 2, fixed: true}
	priceKind    = numberKind{name: "price", intDigits: 10, maxScale: 5}
	quantityKind = numberKind{name: "quantity", intDigits: 10, maxScale: 5}
	percentKind  = numberKind{name: "percent", intDigits: 10, maxScale: 5}
	floatKind    = numberKind{name: "float", intDigits: 10, maxScale: 10}
)

func (n Num[K]) kind() numberKind { var k K; return k.kind() }

// Decimal returns the value (zero when absent).
func (n Num[K]) Decimal() decimal.Decimal { return n.d }

// IsSet tells a present value (even 0) from an absent one.
func (n Num[K]) IsSet() bool { return n.set }

// String renders the value as QuickBooks expects it ("12.30" for an
// Amount), or "" when absent.
func (n Num[K]) String() string {
	if !n.set {
		return ""
	}
	if k := n.kind(); k.fixed {
		return n.d.StringFixed(int32(k.maxScale))
	}
	return n.d.String()
}

// Check reports why QuickBooks would reject the value (too many decimals
// or digits); nil when it fits or is absent.
func (n Num[K]) Check() error {
	if !n.set {
		return nil
	}
	k := n.kind()
	if !n.d.Equal(n.d.Round(int32(k.maxScale))) {
		return fmt.Errorf("%s %s has more than %d decimals; round it before building the request", k.name, n.d.String(), k.maxScale)
	}
	if intPart := n.d.Abs().Truncate(0).String(); len(intPart) > k.intDigits {
		return fmt.Errorf("%s %s has more than %d digits before the decimal point", k.name, n.d.String(), k.intDigits)
	}
	return nil
}

// MarshalText renders String(), so JSON and logs show the value.
func (n Num[K]) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// MarshalXML writes the value, or nothing when absent; a value QuickBooks
// would reject is an error.
func (n Num[K]) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if !n.set {
		return nil
	}
	if err := n.Check(); err != nil {
		return fmt.Errorf("%s: %w", start.Name.Local, err)
	}
	return e.EncodeElement(n.String(), start)
}

// UnmarshalXML reads any decimal QuickBooks sends; an empty element stays absent.
func (n *Num[K]) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	s = strings.TrimSpace(s)
	if s == "" {
		*n = Num[K]{}
		return nil
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("%s: %q is not a number: %w", start.Name.Local, s, err)
	}
	*n = Num[K]{d: v, set: true}
	return nil
}

// Date is a qbXML DATETYPE, a calendar day without time zone, written
// YYYY-MM-DD. The zero value is absent.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf takes the calendar day of t in t's own location. Callers convert to
// the company's time zone first; this package never guesses one.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("date %q: %w", s, err)
	}
	return DateOf(t), nil
}

// IsZero reports an absent date.
func (d Date) IsZero() bool { return d == Date{} }

// String renders YYYY-MM-DD, or "" when absent.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Time returns midnight UTC of the day, for comparisons.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// MarshalText renders YYYY-MM-DD ("" when absent).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// MarshalXML writes YYYY-MM-DD, or nothing when absent.
func (d Date) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if d.IsZero() {
		return nil
	}
	if _, err := ParseDate(d.String()); err != nil {
		return fmt.Errorf("%s: %w", start.Name.Local, err)
	}
	return e.EncodeElement(d.String(), start)
}

// UnmarshalXML reads YYYY-MM-DD; an empty element stays absent.
func (d *Date) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := dec.DecodeElement(&s, &start); err != nil {
		return err
	}
	if strings.TrimSpace(s) == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("%s: %w", start.Name.Local, err)
	}
	*d = v
	return nil
}

// DateTime is a qbXML DATETIMETYPE. QuickBooks writes local time with an
// offset that is wrong around DST changes, so Raw keeps exactly what was
// received (store it for cursors) and Time is the best-effort parse.
// When marshalling, Raw wins if set; otherwise Time is written with its offset.
type DateTime struct {
	Time time.Time
	Raw  string
}

// DateTimeOf wraps t for a request (e.g. FromModifiedDate).
func DateTimeOf(t time.Time) DateTime { return DateTime{Time: t} }

var dateTimeLayouts = []string{
	"2006-01-02T15:04:05-07:00",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseDateTime reads the forms the schema pattern allows. Raw is always kept.
func ParseDateTime(s string) (DateTime, error) {
	s = strings.TrimSpace(s)
	for _, l := range dateTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return DateTime{Time: t, Raw: s}, nil
		}
	}
	return DateTime{Raw: s}, fmt.Errorf("date-time %q is not in a form qbXML uses", s)
}

// IsZero reports an absent value.
func (t DateTime) IsZero() bool { return t.Raw == "" && t.Time.IsZero() }

// String is the text QuickBooks gets or gave.
func (t DateTime) String() string {
	if t.Raw != "" {
		return t.Raw
	}
	if t.Time.IsZero() {
		return ""
	}
	return t.Time.Format("2006-01-02T15:04:05-07:00")
}

// MarshalText renders String().
func (t DateTime) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// MarshalXML writes the value, or nothing when absent.
func (t DateTime) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if t.IsZero() {
		return nil
	}
	return e.EncodeElement(t.String(), start)
}

// UnmarshalXML keeps Raw and parses Time when it can; an unparsable value is
// kept in Raw rather than failing the whole response.
func (t *DateTime) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := d.DecodeElement(&s, &start); err != nil {
		return err
	}
	v, _ := ParseDateTime(s)
	if strings.TrimSpace(s) == "" {
		v = DateTime{}
	}
	*t = v
	return nil
}

// Ref points at a list object by ListID or FullName (qbXML ListRef). Set one;
// QuickBooks prefers ListID when both are present.
type Ref struct {
	ListID   string `xml:"ListID,omitempty" qb:"max=36"`
	FullName string `xml:"FullName,omitempty" qb:"max=209"`
}

// RefID is a Ref by ListID.
func RefID(listID string) *Ref { return &Ref{ListID: listID} }

// RefName is a Ref by FullName.
func RefName(fullName string) *Ref { return &Ref{FullName: fullName} }

// IsZero reports an empty reference.
func (r *Ref) IsZero() bool { return r == nil || (r.ListID == "" && r.FullName == "") }

// Address is a qbXML postal address (AddressData group) with the schema's lengths.
type Address struct {
	Addr1      string `xml:"Addr1,omitempty" qb:"max=41"`
	Addr2      string `xml:"Addr2,omitempty" qb:"max=41"`
	Addr3      string `xml:"Addr3,omitempty" qb:"max=41"`
	Addr4      string `xml:"Addr4,omitempty" qb:"max=41"`
	Addr5      string `xml:"Addr5,omitempty" qb:"max=41"`
	City       string `xml:"City,omitempty" qb:"max=31"`
	State      string `xml:"State,omitempty" qb:"max=21"`
	PostalCode string `xml:"PostalCode,omitempty" qb:"max=13"`
	Country    string `xml:"Country,omitempty" qb:"max=31"`
	Note       string `xml:"Note,omitempty" qb:"max=41"`
}

// AddressBlock is the formatted address QuickBooks returns (five lines).
type AddressBlock struct {
	Addr1 string `xml:"Addr1,omitempty"`
	Addr2 string `xml:"Addr2,omitempty"`
	Addr3 string `xml:"Addr3,omitempty"`
	Addr4 string `xml:"Addr4,omitempty"`
	Addr5 string `xml:"Addr5,omitempty"`
}

// DataExtRet is a custom field value attached to a returned object
// (QuickBooks Web Connector stores the company FileID this way).
type DataExtRet struct {
	OwnerID      string `xml:"OwnerID,omitempty"`
	DataExtName  string `xml:"DataExtName"`
	DataExtType  string `xml:"DataExtType"`
	DataExtValue string `xml:"DataExtValue"`
}
