package qbxml

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestEveryRequestHasASample keeps sampleRequests complete, so the schema
// test below covers every builder.
func TestEveryRequestHasASample(t *testing.T) {
	samples := sampleRequests()
	for _, name := range RequestNames() {
		f, ok := samples[name]
		if !ok {
			t.Errorf("no sample for %s", name)
			continue
		}
		if got := f().RqName(); got != name {
			t.Errorf("sample %s builds a %s", name, got)
		}
	}
}

// TestBuildersValidateAgainstXSD builds every request, alone and all in one
// message, for every supported version, and has xmllint check the result
// against Intuit's schema for that version.
func TestBuildersValidateAgainstXSD(t *testing.T) {
	ref := referenceDir(t)
	for _, v := range SupportedVersions {
		t.Run(v.String(), func(t *testing.T) {
			docs := map[string][]byte{}
			all := NewMessage(StopOnError)
			for name, f := range sampleRequests() {
				msg := NewMessage(ContinueOnError).Add("r-"+name, f())
				b, err := msg.Build(v)
				if err != nil {
					t.Errorf("%s: build: %v", name, err)
					continue
				}
				if !bytes.Contains(b, []byte(`<?qbxml version="`+v.String()+`"?>`)) {
					t.Errorf("%s: missing qbxml version instruction:\n%s", name, b)
				}
				docs[name] = b
				all.Add("all-"+name, f())
			}
			b, err := all.Build(v)
			if err != nil {
				t.Fatalf("all-in-one build: %v", err)
			}
			docs["all-in-one"] = b
			for name, why := range xmllint(t, xsdFor(ref, v), docs) {
				t.Errorf("%s does not validate against %s:\n%s\n%s", name, xsdFor(ref, v), why, docs[name])
			}
		})
	}
}

// TestXSDCatchesOrder proves the validator is awake: swapping two elements
// of a built request makes xmllint refuse it.
func TestXSDCatchesOrder(t *testing.T) {
	ref := referenceDir(t)
	b, err := NewMessage(StopOnError).Add("1", sampleRequests()["CustomerAddRq"]()).Build(V13)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(b), "<IsActive>true</IsActive>", "", 1)
	bad = strings.Replace(bad, "<CompanyName>", "<IsActive>true</IsActive><CompanyName>", 1)
	bad = strings.Replace(bad, "<Name>", "<IsActive>true</IsActive><Name>", 1)
	fails := xmllint(t, xsdFor(ref, V13), map[string][]byte{"swapped": []byte(bad)})
	if _, ok := fails["swapped"]; !ok {
		t.Fatalf("xmllint accepted IsActive before Name:\n%s", bad)
	}
}

// TestVersionGating: an element that first appeared in 16.0 is refused for
// 13.0 with a clear reason, and accepted (and schema-valid) for 16.0.
func TestVersionGating(t *testing.T) {
	mk := func() Request {
		r := sampleRequests()["CheckAddRq"]().(*CheckAddRq)
		r.CheckAdd.ExpenseLines[0].VendorRef = RefName("Acme Supply")
		return r
	}
	_, err := NewMessage(StopOnError).Add("1", mk()).Build(V13)
	var fe *FieldError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "needs qbXML 16.0") || !strings.Contains(err.Error(), "VendorRef") {
		t.Fatalf("13.0 build error = %v, want a FieldError naming VendorRef and 16.0", err)
	}
	b, err := NewMessage(StopOnError).Add("1", mk()).Build(V16)
	if err != nil {
		t.Fatalf("16.0 build: %v", err)
	}
	if ref := referenceDirOrEmpty(t); ref != "" {
		if fails := xmllint(t, xsdFor(ref, V16), map[string][]byte{"vendor": b}); len(fails) > 0 {
			t.Fatalf("16.0 message does not validate: %v\n%s", fails, b)
		}
	}
}

func referenceDirOrEmpty(t *testing.T) (dir string) {
	ok := t.Run("reference", func(t *testing.T) { dir = referenceDir(t) })
	if !ok {
		return ""
	}
	return dir
}

// TestBuildRefuses lists the mistakes Build must catch before QuickBooks does.
func TestBuildRefuses(t *testing.T) {
	cases := []struct {
		name string
		req  func() Request
		v    Version
		want string
	}{
		{"missing customer name", func() Request { return &CustomerAddRq{} }, V13, "CustomerAdd.Name: is required"},
		{"void a payment", func() Request { return &TxnVoidRq{TxnVoidType: TxnTypeReceivePayment, TxnID: "1-1"} }, V13, "cannot void a ReceivePayment"},
		{"delete an invoice", func() Request { return &TxnDelRq{TxnDelType: TxnTypeInvoice, TxnID: "1-1"} }, V13, "deletes only ReceivePayment"},
		{"customer name 42 chars", func() Request {
			return &CustomerAddRq{CustomerAdd: CustomerAdd{Name: strings.Repeat("x", 42)}}
		}, V13, "longer than 41"},
		{"outside Windows-1252", func() Request {
			return &CustomerAddRq{CustomerAdd: CustomerAdd{Name: "Zoë “Z” Łukasz"}}
		}, V13, "cannot store"},
		{"three-decimal amount", func() Request {
			r := sampleRequests()["ReceivePaymentAddRq"]().(*ReceivePaymentAddRq)
			r.ReceivePaymentAdd.TotalAmount = AmountOf(dec("15.005"))
			return r
		}, V13, "more than 2 decimals"},
		{"six-decimal rate", func() Request {
			r := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
			r.SalesReceiptAdd.Lines[0].Rate = PriceOf(dec("1.123456"))
			return r
		}, V13, "more than 5 decimals"},
		{"eleven-decimal exchange rate", func() Request {
			r := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
			r.SalesReceiptAdd.ExchangeRate = FloatOf(dec("1.08695652173"))
			return r
		}, V13, "more than 10 decimals"},
		{"rate and percent", func() Request {
			r := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
			r.SalesReceiptAdd.Lines[0].RatePercent = PercentOf(dec("5"))
			return r
		}, V13, "Rate or RatePercent"},
		{"no lines", func() Request { return &SalesReceiptAddRq{} }, V13, "Lines: is required"},
		{"ListID and filter", func() Request {
			return &CustomerQueryRq{ListSelect: ListSelect{ListIDs: []string{"1"}}, ListFilter: ListFilter{ActiveStatus: ActiveAll}}
		}, V13, "choose one of ListID"},
		{"auto-apply and applied", func() Request {
			r := sampleRequests()["ReceivePaymentAddRq"]().(*ReceivePaymentAddRq)
			r.ReceivePaymentAdd.IsAutoApply = new(true)
			return r
		}, V13, "exactly one of IsAutoApply"},
		{"item without pricing block", func() Request { return &ItemServiceAddRq{ItemServiceAdd: ItemServiceAdd{Name: "x"}} }, V13, "SalesOrPurchase"},
		{"unsupported version", func() Request { return &HostQueryRq{} }, Version{12, 0}, "not supported"},
		{"amount too large", func() Request {
			r := sampleRequests()["ReceivePaymentAddRq"]().(*ReceivePaymentAddRq)
			r.ReceivePaymentAdd.TotalAmount = AmountOf(dec("12345678901234"))
			return r
		}, V13, "13 digits"},
		{"bad date", func() Request {
			r := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
			r.SalesReceiptAdd.TxnDate = Date{2026, 2, 30}
			return r
		}, V13, "TxnDate"},
		{"payment method ref too long", func() Request {
			r := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
			r.SalesReceiptAdd.PaymentMethodRef = RefName(strings.Repeat("p", 32))
			return r
		}, V13, "most QuickBooks allows in PaymentMethodRef"},
		{"sales tax code ref too long", func() Request {
			r := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
			r.SalesReceiptAdd.Lines[0].SalesTaxCodeRef = RefName("Taxable")
			return r
		}, V13, "SalesTaxCodeRef"},
		{"unknown account type", func() Request {
			return &AccountAddRq{AccountAdd: AccountAdd{Name: "Sales", AccountType: "Revenue"}}
		}, V13, `AccountType "Revenue" is not a QuickBooks account type`},
		{"account without type", func() Request { return &AccountAddRq{AccountAdd: AccountAdd{Name: "Sales"}} }, V13, "AccountAdd.AccountType: is required"},
		{"account number too long", func() Request {
			return &AccountAddRq{AccountAdd: AccountAdd{Name: "Sales", AccountType: AccountTypeIncome, AccountNumber: "40100000"}}
		}, V13, "longer than 7"},
		{"class name too long", func() Request { return &ClassAddRq{ClassAdd: ClassAdd{Name: strings.Repeat("c", 32)}} }, V13, "longer than 31"},
		{"tax rate without agency", func() Request {
			return &ItemSalesTaxAddRq{ItemSalesTaxAdd: ItemSalesTaxAdd{Name: "BC Tax", TaxRate: PercentOf(dec("6.25"))}}
		}, V13, "needs a TaxVendorRef"},
		{"sales tax code without IsTaxable", func() Request { return &SalesTaxCodeAddRq{SalesTaxCodeAdd: SalesTaxCodeAdd{Name: "BCT"}} }, V13, "IsTaxable: is required"},
		{"sales tax code name of 4", func() Request {
			return &SalesTaxCodeAddRq{SalesTaxCodeAdd: SalesTaxCodeAdd{Name: "BCTX", IsTaxable: new(false)}}
		}, V13, "longer than 3"},
		{"payment query by TxnID and filter", func() Request {
			return &ReceivePaymentQueryRq{TxnSelect: TxnSelect{TxnIDs: []string{"1-1"}}, TxnFilter: TxnFilter{MaxReturned: 1}}
		}, V13, "choose one of TxnID"},
		{"check query with two date filters", func() Request {
			return &CheckQueryRq{TxnFilter: TxnFilter{ModifiedDateRangeFilter: &ModifiedDateRangeFilter{}, TxnDateRangeFilter: &TxnDateRangeFilter{}}}
		}, V13, "cannot both be set"},
		{"long requestID", func() Request {
			r := &HostQueryRq{}
			r.SetRequestID(strings.Repeat("9", 51))
			return r
		}, V13, "longer than 50"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.req()
			id := r.RequestID()
			if id == "" {
				id = "x"
			}
			_, err := NewMessage(StopOnError).Add(id, r).Build(c.v)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Build error = %v, want it to mention %q", err, c.want)
			}
		})
	}
}

// TestRequestRoundTrip: a built message parses back (ParseMessage) into
// equal typed requests, which is what the simulator relies on.
func TestRequestRoundTrip(t *testing.T) {
	for name, f := range sampleRequests() {
		t.Run(name, func(t *testing.T) {
			want := f()
			b, err := NewMessage(ContinueOnError).Add("id-1", want).Build(V16)
			if err != nil {
				t.Fatal(err)
			}
			m, v, err := ParseMessage(b)
			if err != nil {
				t.Fatal(err)
			}
			if v != V16 || m.OnError != ContinueOnError || len(m.Requests) != 1 {
				t.Fatalf("got version %v onError %q %d requests", v, m.OnError, len(m.Requests))
			}
			got := m.Requests[0]
			if got.RequestID() != "id-1" {
				t.Errorf("requestID %q", got.RequestID())
			}
			// Compare by re-encoding: DateTime keeps Raw after parsing, so
			// the XML is the stable form to compare.
			again, err := NewMessage(ContinueOnError).Add("id-1", got).Build(V16)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, again) {
				t.Errorf("round trip changed the XML:\n%s\n%s", b, again)
			}
			if reflect.TypeOf(got) != reflect.TypeOf(want) {
				t.Errorf("decoded as %T, want %T", got, want)
			}
		})
	}
}

// TestParseMessageUnknownRequest: a request type the package lacks becomes
// *UnknownRequest rather than an error.
func TestParseMessageUnknownRequest(t *testing.T) {
	in := `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">` +
		`<VendorQueryRq requestID="7"><MaxReturned>1</MaxReturned></VendorQueryRq><HostQueryRq requestID="8"/></QBXMLMsgsRq></QBXML>`
	m, v, err := ParseMessage([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	u, ok := m.Requests[0].(*UnknownRequest)
	if v != V13 || !ok || u.RqName() != "VendorQueryRq" || u.RequestID() != "7" {
		t.Fatalf("got %v %#v", v, m.Requests[0])
	}
	if _, ok := m.Requests[1].(*HostQueryRq); !ok {
		t.Fatalf("second request %T", m.Requests[1])
	}
}

// TestRefLimitsKnown: every reference element in the request types has an
// entry in the schema-derived FullName limits, so none escapes the check.
func TestRefLimitsKnown(t *testing.T) {
	refType := reflect.TypeFor[*Ref]()
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		for i := 0; i < typ.NumField(); i++ {
			sf := typ.Field(i)
			elem, _, _ := strings.Cut(sf.Tag.Get("xml"), ",")
			if sf.Type == refType {
				if _, ok := refFullNameMax[elem]; !ok {
					t.Errorf("%s.%s: element %q has no FullName limit", typ.Name(), sf.Name, elem)
				}
				continue
			}
			walk(sf.Type)
		}
	}
	for _, name := range RequestNames() {
		r, _ := NewRequest(name)
		walk(reflect.TypeOf(r))
	}
}

// fillStrings sets every settable string field of r chosen by pick to the
// length it returns (0 = leave alone), with Latin-1 letters; empty strings
// too when fillEmpty.
func fillStrings(r Request, fillEmpty bool, pick func(t tagRules) int) {
	_ = visit(reflect.ValueOf(r), "", func(_ string, f reflect.Value, t tagRules) error {
		if f.Kind() == reflect.Pointer && !f.IsNil() {
			if ref, ok := f.Interface().(*Ref); ok && ref.FullName != "" {
				n := refFullNameMax[t.elem]
				if n == 0 {
					n = 209
				}
				ref.FullName = strings.Repeat("r", n)
			}
			return nil
		}
		if f.Kind() != reflect.String || !f.CanSet() || t.elem == "FullName" || (f.String() == "" && !fillEmpty) {
			return nil // FullName inside a Ref was set above with that Ref's limit
		}
		if n := pick(t); n > 0 {
			f.SetString(strings.Repeat("é", n))
		}
		return nil
	})
}

// TestMaxLengthsMatchSchema checks the length rules against Intuit's XSD in
// both directions: every string filled to its declared maximum validates
// (our limit is not above the schema's), and every string without a
// declared maximum, made very long, draws no maxLength complaint (no
// schema limit was forgotten).
func TestMaxLengthsMatchSchema(t *testing.T) {
	ref := referenceDir(t)
	for _, v := range []Version{V13, V16} {
		t.Run(v.String(), func(t *testing.T) {
			atMax, untagged := map[string][]byte{}, map[string][]byte{}
			for name, mk := range sampleRequests() {
				r := mk()
				fillStrings(r, true, func(t tagRules) int { return t.max })
				b, err := NewMessage(StopOnError).Add("1", r).Build(v)
				if err != nil {
					t.Fatalf("%s at max: %v", name, err)
				}
				atMax[name] = b
				r = mk()
				fillStrings(r, true, func(t tagRules) int {
					if t.max == 0 && t.elem != "" {
						return 5000
					}
					return 0
				})
				b, err = (&Message{OnError: StopOnError, Requests: []Request{r}}).marshal(v)
				if err != nil {
					t.Fatalf("%s untagged: %v", name, err)
				}
				untagged[name] = b
			}
			for name, why := range xmllint(t, xsdFor(ref, v), atMax) {
				t.Errorf("%s with every string at its declared maximum does not validate:\n%s", name, why)
			}
			for name, why := range xmllint(t, xsdFor(ref, v), untagged) {
				if strings.Contains(why, "maxLength") {
					t.Errorf("%s: a string without a declared maximum has one in the schema:\n%s", name, why)
				}
			}
		})
	}
}

// TestMessageSetIDs: the error-recovery attributes validate against the
// XSD and survive a round trip (the simulator reads them).
func TestMessageSetIDs(t *testing.T) {
	m := NewMessage(StopOnError).Add("r1", sampleRequests()["SalesReceiptAddRq"]())
	m.NewMessageSetID = "order-1001-v2"
	m.OldMessageSetID = "order-1001-v1"
	b, err := m.Build(V13)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`<QBXMLMsgsRq onError="stopOnError" oldMessageSetID="order-1001-v1" newMessageSetID="order-1001-v2">`)) {
		t.Errorf("attributes missing:\n%s", b)
	}
	back, _, err := ParseMessage(b)
	if err != nil || back.NewMessageSetID != m.NewMessageSetID || back.OldMessageSetID != m.OldMessageSetID {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	// Asking only for an old set's status is a valid message without requests.
	status, err := (&Message{OnError: StopOnError, OldMessageSetID: "order-1001-v1"}).Build(V13)
	if err != nil {
		t.Fatalf("status-only message: %v", err)
	}
	if ref := referenceDirOrEmpty(t); ref != "" {
		docs := map[string][]byte{"with ids": b, "status only": status}
		for name, why := range xmllint(t, xsdFor(ref, V13), docs) {
			t.Errorf("%s does not validate: %s\n%s", name, why, docs[name])
		}
	}
}

// TestExchangeRateAndCurrency: ExchangeRate is written where the schema puts
// it on each sales and money transaction (the XSD test checks the order),
// with its decimals as given; absent, it is left out; a customer's
// CurrencyRef is written by name.
func TestExchangeRateAndCurrency(t *testing.T) {
	for name, want := range map[string]string{
		"SalesReceiptAddRq":       "<Other>",
		"InvoiceAddRq":            "",
		"CreditMemoAddRq":         "",
		"ReceivePaymentAddRq":     "<TotalAmount>15.00</TotalAmount><ExchangeRate>",
		"ARRefundCreditCardAddRq": "<Memo>Refund</Memo><ExchangeRate>",
	} {
		b, err := NewMessage(StopOnError).Add("1", sampleRequests()[name]()).Build(V13)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Contains(b, []byte("<ExchangeRate>")) || (want != "" && want != "<Other>" && !bytes.Contains(b, []byte(want))) {
			t.Errorf("%s: no ExchangeRate (after %q):\n%s", name, want, b)
		}
	}
	sr := sampleRequests()["SalesReceiptAddRq"]().(*SalesReceiptAddRq)
	b, _ := NewMessage(StopOnError).Add("1", sr).Build(V13)
	if !bytes.Contains(b, []byte("<ExchangeRate>1.0869565217</ExchangeRate>")) {
		t.Errorf("rate not written as given:\n%s", b)
	}
	sr.SalesReceiptAdd.ExchangeRate = Float{}
	b, _ = NewMessage(StopOnError).Add("1", sr).Build(V13)
	if bytes.Contains(b, []byte("ExchangeRate")) {
		t.Errorf("absent rate written:\n%s", b)
	}
	b, _ = NewMessage(StopOnError).Add("1", sampleRequests()["CustomerAddRq"]()).Build(V13)
	if !bytes.Contains(b, []byte("<CurrencyRef><FullName>Euro</FullName></CurrencyRef></CustomerAdd>")) {
		t.Errorf("customer currency:\n%s", b)
	}
}
