package bigcommerce

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// FuzzAmount: any JSON BigCommerce could put in a money field either
// decodes to an exact decimal that round-trips, or fails cleanly.
func FuzzAmount(f *testing.F) {
	for _, s := range []string{`"62.6793"`, `12.5`, `""`, `null`, `"1.0000000000"`, `5`, `{}`, `"-0.0100"`, `1e3`, `"abc"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var a Amount
		if err := json.Unmarshal([]byte(in), &a); err != nil {
			return
		}
		out, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("marshal %v: %v", a, err)
		}
		var back Amount
		if err := json.Unmarshal(out, &back); err != nil || !back.Equal(a.Decimal) {
			t.Fatalf("%s -> %s -> %v (%v)", in, out, back, err)
		}
	})
}

// FuzzParseDate: a date that parses comes back in UTC, and a date we format
// in either wire format parses back to the same instant.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"Tue, 05 Mar 2019 21:40:11 +0000", "2018-05-08T15:06:12+00:00", "2017-04-20T11:32:00.000-04:00", "", "2026-01-01", "Mon, 02 Jan 2006"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		tm, err := ParseDate(in)
		if err != nil {
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("%q parsed in %v, want UTC", in, tm.Location())
		}
		if tm.Year() < 1000 || tm.Year() > 9999 {
			return
		}
		for _, layout := range []string{time.RFC1123Z, time.RFC3339} {
			s := tm.Truncate(time.Second).Format(layout)
			back, err := ParseDate(s)
			if err != nil || !back.Equal(tm.Truncate(time.Second)) {
				t.Fatalf("%q -> %q -> %v (%v)", in, s, back, err)
			}
		}
	})
}

func TestAmountDecodesExactly(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"62.6793"`, "62.6793"}, {`12.5`, "12.5"}, {`0.1`, "0.1"}, {`""`, "0"}, {`null`, "0"},
		{`"1.0000000000"`, "1"}, {`{}`, "0"}, {`19.99`, "19.99"}, {`"  3.10 "`, "3.1"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var a Amount
			if err := json.Unmarshal([]byte(tc.in), &a); err != nil {
				t.Fatal(err)
			}
			if !a.Equal(decimal.RequireFromString(tc.want)) {
				t.Errorf("%s = %s, want %s", tc.in, a, tc.want)
			}
		})
	}
	var a Amount
	if err := json.Unmarshal([]byte(`"twelve"`), &a); err == nil {
		t.Error("a non-number decoded")
	}
}

func TestDatesBecomeUTC(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"Tue, 05 Mar 2019 21:40:11 +0000"`, "2019-03-05T21:40:11Z"},
		{`"2017-04-20T11:32:00.000-04:00"`, "2017-04-20T15:32:00Z"},
		{`"2018-05-08T15:06:12+00:00"`, "2018-05-08T15:06:12Z"},
		{`1529512970`, "2018-06-20T16:42:50Z"},
		{`""`, "0001-01-01T00:00:00Z"},
		{`null`, "0001-01-01T00:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			tm, err := parseTime([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := tm.Format(time.RFC3339); got != tc.want || tm.Location() != time.UTC {
				t.Errorf("%s = %s (%v), want %s UTC", tc.in, got, tm.Location(), tc.want)
			}
		})
	}
	if _, err := ParseDate("yesterday"); err == nil {
		t.Error("a non-date parsed")
	}
}
