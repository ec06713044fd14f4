package bigcommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Amount is an exact decimal money (or rate) value decoded from BigCommerce.
//
// v2 sends money as strings with 4 decimals ("62.6793"), v3 as JSON numbers
// (12.5), some v2 fields as either, and a few fields as "" or null for
// "nothing". Amount accepts all of them and never passes through float64, so a
// value read here is exactly the value BigCommerce stored. Use the embedded
// decimal.Decimal for arithmetic.
type Amount struct {
	decimal.Decimal
}

// NewAmount parses s ("12.34") into an Amount; it panics on bad input and is
// meant for constants in tests and generators.
func NewAmount(s string) Amount {
	return Amount{decimal.RequireFromString(s)}
}

// UnmarshalJSON implements json.Unmarshaler for strings, numbers, "" and null.
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		a.Decimal = decimal.Zero
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		var err error
		s, err = strconv.Unquote(s)
		if err != nil {
			return fmt.Errorf("bigcommerce: amount %s: %w", b, err)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			a.Decimal = decimal.Zero
			return nil
		}
	}
	if b[0] == '{' || b[0] == '[' || b[0] == 't' || b[0] == 'f' {
		// Some fields (map_price on variants) come back as {} where a number is
		// documented: treat a non-scalar as "no amount" rather than failing the page.
		a.Decimal = decimal.Zero
		return nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return fmt.Errorf("bigcommerce: amount %q: %w", s, err)
	}
	a.Decimal = d
	return nil
}

// MarshalJSON writes the amount as a JSON number (the v3 form), used when the
// client sends a body.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(a.Decimal.String()), nil
}

// parseTime reads any date BigCommerce sends: RFC 2822 in v2 ("Tue, 05 Mar 2019
// 21:40:11 +0000"), RFC 3339 in v3, a Unix number (/v2/time), and "" or null for
// "no date" (date_shipped before shipping). The result is always UTC so that
// nothing past this package needs to care about zones.
func parseTime(b []byte) (time.Time, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return time.Time{}, nil
	}
	if b[0] != '"' {
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("bigcommerce: date %s: %w", b, err)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return time.Time{}, fmt.Errorf("bigcommerce: date %s: %w", b, err)
	}
	return ParseDate(s)
}

// ParseDate parses one BigCommerce date string in any of the formats the API
// uses and returns it in UTC; "" gives the zero time.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC3339Nano, "2006-01-02T15:04:05-0700", time.RFC1123, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bigcommerce: unrecognised date %q", s)
}

// flexTime is the decoding shim behind every time.Time field of this package.
type flexTime struct{ t time.Time }

func (f *flexTime) UnmarshalJSON(b []byte) error {
	t, err := parseTime(b)
	f.t = t
	return err
}

// flexInt decodes integers that BigCommerce sometimes sends as strings
// ("order_id": "121" in v3 transactions) or null.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// A decimal like 2.0 is still an integer.
		d, derr := decimal.NewFromString(s)
		if derr != nil || !d.IsInteger() {
			return fmt.Errorf("bigcommerce: integer %s: %w", b, err)
		}
		n = d.IntPart()
	}
	*f = flexInt(n)
	return nil
}

// flexString decodes values documented as strings that arrive as numbers or
// null (payment_provider_id).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*f = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	*f = flexString(b)
	return nil
}

// rawCopy keeps the document exactly as pulled, detached from the decoder's
// buffer, so the store can save it byte for byte.
func rawCopy(b []byte) json.RawMessage {
	return append(json.RawMessage(nil), b...)
}

// decodeRaw decodes b into v (an alias type without UnmarshalJSON) and keeps
// a copy of b in raw.
func decodeRaw[T any](b []byte, v *T, raw *json.RawMessage) error {
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	*raw = rawCopy(b)
	return nil
}
