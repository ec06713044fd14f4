package qbxml

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFit(t *testing.T) {
	long := "Organic Cotton Crew Neck T-Shirt - Heather Grey"
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short stays", "SKU-1", 31, "SKU-1"},
		{"exact stays", strings.Repeat("a", 31), 31, strings.Repeat("a", 31)},
		{"item name", long, MaxItemName, "Organic Cotton Crew Neck~4B121"},
		{"ref number", "BC-ORDER-1000042", MaxRefNumber, "BC-OR~M2K7E"},
		{"tiny max cuts", "abcdefgh", 4, "abcd"},
		{"zero max", "abc", 0, ""},
		{"counts characters not bytes", strings.Repeat("é", 41), 41, strings.Repeat("é", 41)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Fit(c.in, c.max)
			if got != c.want {
				t.Fatalf("Fit(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
			}
			if utf8.RuneCountInString(got) > c.max {
				t.Fatalf("result %q longer than %d", got, c.max)
			}
		})
	}
	// Deterministic, idempotent on its own output, and a fixed value so a
	// change of the hash is noticed (names already in QuickBooks depend on it).
	if a, b := Fit(long, 31), Fit(long, 31); a != b || Fit(a, 31) != a {
		t.Errorf("not stable: %q %q", a, b)
	}
	// Collisions: 2000 names sharing a 40-character prefix stay distinct.
	seen := map[string]string{}
	for i := range 2000 {
		in := fmt.Sprintf("BigCommerce Product With A Very Long Name variant %d", i)
		out := Fit(in, MaxItemName)
		if prev, ok := seen[out]; ok {
			t.Fatalf("%q and %q both fit to %q", prev, in, out)
		}
		seen[out] = in
	}
	// Trailing space before the suffix is trimmed so the name reads well.
	if got := Fit("Gift Card Twenty Five Dollars X Y Z", 31); strings.Contains(got, " ~") {
		t.Errorf("space before suffix: %q", got)
	}
}

func TestClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain ASCII", "plain ASCII"},
		{"Zoë Müller, Straße", "Zoë Müller, Straße"},
		{"“Quoted” ‘single’ – dash — long…", "“Quoted” ‘single’ – dash — long…"}, // Windows-1252 has them
		{"‟odd‟ ‛quotes‛ ‐ ―", `"odd" 'quotes' - -`},                             // it lacks these
		{"Łódź Kraków", "Lódz Kraków"},
		{"price €5 ™ Œuvre Šárka", "price €5 ™ Œuvre Šárka"},
		{"C1 \u0080\u0092 controls", "C1  controls"},
		{"日本", "??"},
		{"emoji 🎉!", "emoji ?!"},
		{"tab\tnew\nline\x00nul\x1b", "tab\tnew\nlinenul"},
		{"bad \xff byte", "bad ? byte"},
		{"zero\u200Bwidth", "zerowidth"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got := Clean(c.in)
			if got != c.want {
				t.Fatalf("Clean(%q) = %q, want %q", c.in, got, c.want)
			}
			for _, r := range got {
				if !Storable(r) {
					t.Fatalf("left %q", r)
				}
			}
			if Clean(got) != got {
				t.Fatalf("not idempotent")
			}
		})
	}
}

// TestStorable: QuickBooks stores Windows-1252, so its 27 characters at
// 0x80-0x9F are storable beside ISO-8859-1's printable ones; control
// characters and what Windows-1252 lacks are not.
func TestStorable(t *testing.T) {
	for _, c := range []struct {
		r    rune
		want bool
	}{
		{'a', true}, {'\t', true}, {'\n', true}, {'\r', true}, {'é', true}, {'ÿ', true}, {'\u00A0', true},
		{'€', true}, {'‚', true}, {'ƒ', true}, {'„', true}, {'…', true}, {'†', true}, {'‡', true}, {'ˆ', true}, {'‰', true},
		{'Š', true}, {'‹', true}, {'Œ', true}, {'Ž', true}, {'‘', true}, {'’', true}, {'“', true}, {'”', true},
		{'•', true}, {'–', true}, {'—', true}, {'˜', true}, {'™', true}, {'š', true}, {'›', true}, {'œ', true},
		{'ž', true}, {'Ÿ', true},
		{0, false}, {'\x1b', false}, {0x7F, false}, {0x80, false}, {0x92, false}, {0x9F, false}, {0x81, false},
		{'Ł', false}, {'‛', false}, {'東', false}, {'🎉', false}, {utf8.RuneError, false},
	} {
		if got := Storable(c.r); got != c.want {
			t.Errorf("Storable(%U %q) = %v, want %v", c.r, c.r, got, c.want)
		}
	}
}

func TestAmountRules(t *testing.T) {
	cases := []struct {
		in, rounded, text string
	}{
		{"1", "1.00", "1.00"},
		{"1.005", "1.01", ""},   // half away from zero
		{"-1.005", "-1.01", ""}, // half away from zero for refunds too
		{"2.675", "2.68", ""},   // exact decimal, no float error
		{"0.004", "0.00", ""},
		{"19.98", "19.98", "19.98"},
		{"-0.5", "-0.50", "-0.50"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			if got := RoundAmount(dec(c.in)).String(); got != c.rounded {
				t.Errorf("RoundAmount(%s) = %s, want %s", c.in, got, c.rounded)
			}
			err := AmountOf(dec(c.in)).Check()
			if (err == nil) != (c.text != "") {
				t.Errorf("check(%s) = %v", c.in, err)
			}
			if c.text != "" && AmountOf(dec(c.in)).String() != c.text {
				t.Errorf("String = %s", AmountOf(dec(c.in)).String())
			}
		})
	}
	if (Amount{}).IsSet() || (Amount{}).String() != "" || !AmountOf(dec("0")).IsSet() {
		t.Error("presence")
	}
	if got := QuantityOf(dec("1.50000")).String(); got != "1.5" {
		t.Errorf("quantity text %s", got)
	}
	if err := QuantityOf(dec("1.123456")).Check(); err == nil {
		t.Error("six-decimal quantity accepted")
	}
	if err := PriceOf(dec("12345678901")).Check(); err == nil {
		t.Error("11-digit price accepted")
	}
}

func TestDates(t *testing.T) {
	d, err := ParseDate("2026-03-09")
	if err != nil || d.String() != "2026-03-09" {
		t.Fatalf("%v %v", d, err)
	}
	if _, err := ParseDate("03/09/2026"); err == nil {
		t.Error("US date accepted")
	}
	for _, s := range []string{"2014-11-27T18:03:44-02:00", "2014-11-27T18:03:44", "2014-11-27"} {
		dt, err := ParseDateTime(s)
		if err != nil || dt.Raw != s || dt.Time.Year() != 2014 || dt.String() != s {
			t.Errorf("ParseDateTime(%s) = %+v %v", s, dt, err)
		}
	}
	if dt, err := ParseDateTime("soon"); err == nil || dt.Raw != "soon" {
		t.Error("bad date-time")
	}
}

// TestEscaping: XML-special characters in values are escaped, the message
// validates, and the value comes back unchanged.
func TestEscaping(t *testing.T) {
	memo := `Order #5 <gift> & "thanks" 'ok' ]]>`
	r := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
	r.SalesReceiptAdd.Memo = memo
	b, err := NewMessage(StopOnError).Add("1", r).Build(V13)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("<gift>")) || !bytes.Contains(b, []byte("&lt;gift&gt; &amp;")) {
		t.Fatalf("not escaped:\n%s", b)
	}
	m, _, err := ParseMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Requests[0].(*SalesReceiptAddRq).SalesReceiptAdd.Memo; got != memo {
		t.Fatalf("memo came back as %q", got)
	}
	if ref := referenceDirOrEmpty(t); ref != "" {
		if fails := xmllint(t, xsdFor(ref, V13), map[string][]byte{"escaped": b}); len(fails) > 0 {
			t.Fatal(fails)
		}
	}
}

// TestNormalize cleans and fits a whole request in place and reports what
// changed, and the result builds.
func TestNormalize(t *testing.T) {
	r := &CustomerAddRq{CustomerAdd: CustomerAdd{
		Name:        "Łucja “The Best” Customer of All Time Ltd",
		BillAddress: &Address{Addr1: "Ulica Łąkowa 12", City: "A City Whose Name Is Far Too Long"},
		Email:       "renee@example.com",
	}}
	changes := Normalize(r)
	if len(changes) != 3 {
		t.Fatalf("changes %+v", changes)
	}
	if changes[0].Path != "CustomerAdd.Name" || changes[0].Original != "Łucja “The Best” Customer of All Time Ltd" ||
		changes[0].Value != "Lucja “The Best” Customer of All Time Ltd" {
		t.Errorf("first change %+v", changes[0])
	}
	if got := r.CustomerAdd.BillAddress.Addr1; got != "Ulica Lakowa 12" {
		t.Errorf("Addr1 %q", got)
	}
	if _, err := NewMessage(StopOnError).Add("1", r).Build(V13); err != nil {
		t.Fatal(err)
	}
	if again := Normalize(r); len(again) != 0 {
		t.Errorf("second Normalize changed %+v", again)
	}
}
