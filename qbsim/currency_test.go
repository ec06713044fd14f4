package qbsim

import (
	"context"
	"strings"
	"testing"
)

// TestMultiCurrency: a multicurrency company says so in its preferences,
// gives customers the home currency unless told, takes a foreign sale in
// its customer's currency at the ExchangeRate it carries (and reports the
// home-currency total), and refuses a foreign sale without a rate, a rate
// other than 1 in the home currency, a deposit to an account of a third
// currency, and CurrencyRef or ExchangeRate in a company without
// multicurrency.
func TestMultiCurrency(t *testing.T) {
	ctx := context.Background()
	c := NewSampleCompany(CompanyOptions{MultiCurrency: true})
	send := func(body string) string {
		t.Helper()
		resp, err := c.ProcessRequest(ctx, `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">`+body+`</QBXMLMsgsRq></QBXML>`)
		if err != nil {
			t.Fatal(err)
		}
		return flat(resp)
	}
	ok := func(resp string) {
		t.Helper()
		if !strings.Contains(resp, `statusCode="0"`) {
			t.Fatalf("refused: %s", resp)
		}
	}
	refused := func(resp, why string) {
		t.Helper()
		if strings.Contains(resp, `statusCode="0"`) || !strings.Contains(resp, why) {
			t.Errorf("want refused with %q: %s", why, resp)
		}
	}
	if p := send(`<PreferencesQueryRq requestID="1"/>`); !strings.Contains(p, "<IsMultiCurrencyOn>true</IsMultiCurrencyOn><HomeCurrencyRef>") || !strings.Contains(p, "<FullName>US Dollar</FullName></HomeCurrencyRef>") {
		t.Errorf("preferences: %s", p)
	}
	ok(send(`<CustomerAddRq requestID="1"><CustomerAdd><Name>Jane Doe (EUR)</Name><CurrencyRef><FullName>Euro</FullName></CurrencyRef></CustomerAdd></CustomerAddRq>`))
	if r := send(`<CustomerAddRq requestID="1"><CustomerAdd><Name>Jane Doe</Name></CustomerAdd></CustomerAddRq>`); !strings.Contains(r, "<CurrencyRef><ListID>") || !strings.Contains(r, "<FullName>US Dollar</FullName></CurrencyRef>") {
		t.Errorf("home customer: %s", r)
	}
	ok(send(`<AccountAddRq requestID="1"><AccountAdd><Name>Bank GBP</Name><AccountType>Bank</AccountType><CurrencyRef><FullName>British Pound Sterling</FullName></CurrencyRef></AccountAdd></AccountAddRq>`))
	sale := func(cust, extra string) string {
		return `<SalesReceiptAddRq requestID="1"><SalesReceiptAdd><CustomerRef><FullName>` + cust + `</FullName></CustomerRef><RefNumber>1</RefNumber>` + extra +
			`<SalesReceiptLineAdd><ItemRef><FullName>Installation</FullName></ItemRef><Amount>100.01</Amount></SalesReceiptLineAdd></SalesReceiptAdd></SalesReceiptAddRq>`
	}
	r := send(sale("Jane Doe (EUR)", `<ExchangeRate>1.0869565217</ExchangeRate>`))
	ok(r)
	if !strings.Contains(r, "<TotalAmount>100.01</TotalAmount><CurrencyRef>") || !strings.Contains(r, "<ExchangeRate>1.0869565217</ExchangeRate><TotalAmountInHomeCurrency>108.71</TotalAmountInHomeCurrency>") {
		t.Errorf("EUR receipt: %s", r)
	}
	refused(send(sale("Jane Doe (EUR)", "")), "needs its ExchangeRate")
	refused(send(sale("Jane Doe", `<ExchangeRate>1.2</ExchangeRate>`)), "must be 1")
	refused(send(sale("Jane Doe (EUR)", `<DepositToAccountRef><FullName>Bank GBP</FullName></DepositToAccountRef><ExchangeRate>1.08</ExchangeRate>`)),
		"The currency of the account must be either in home currency or the transaction currency")
	ok(send(sale("Jane Doe", "")))
	inv := send(`<InvoiceAddRq requestID="1"><InvoiceAdd><CustomerRef><FullName>Jane Doe (EUR)</FullName></CustomerRef><RefNumber>2</RefNumber><ExchangeRate>1.08</ExchangeRate>` +
		`<InvoiceLineAdd><ItemRef><FullName>Installation</FullName></ItemRef><Amount>50.00</Amount></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>`)
	ok(inv)
	if !strings.Contains(inv, "<FullName>Accounts Receivable - EUR</FullName></ARAccountRef>") {
		t.Errorf("EUR invoice A/R: %s", inv)
	}
	refused(send(`<InvoiceAddRq requestID="1"><InvoiceAdd><CustomerRef><FullName>Jane Doe (EUR)</FullName></CustomerRef><ARAccountRef><FullName>Accounts Receivable</FullName></ARAccountRef><ExchangeRate>1.08</ExchangeRate>`+
		`<InvoiceLineAdd><ItemRef><FullName>Installation</FullName></ItemRef><Amount>50.00</Amount></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>`), "needs an A/R account in Euro")
	var eur, usd int
	for _, tx := range c.Transactions() {
		switch {
		case tx.RefNumber == "1" && tx.Currency == "EUR":
			eur++
			if tx.Total.StringFixed(2) != "100.01" || tx.HomeTotal.StringFixed(2) != "108.71" {
				t.Errorf("EUR receipt: total %s home %s", tx.Total, tx.HomeTotal)
			}
		case tx.RefNumber == "1" && tx.Currency == "USD":
			usd++
			if !tx.HomeTotal.Equal(tx.Total) {
				t.Errorf("USD receipt: total %s home %s", tx.Total, tx.HomeTotal)
			}
		}
	}
	if eur != 1 || usd != 1 {
		t.Errorf("%d EUR and %d USD receipts", eur, usd)
	}

	plain := NewSampleCompany(CompanyOptions{})
	// (responses compared without the indentation)
	resp, _ := plain.ProcessRequest(ctx, `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">`+
		`<CustomerAddRq requestID="1"><CustomerAdd><Name>X</Name><CurrencyRef><FullName>Euro</FullName></CurrencyRef></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>`)
	if !strings.Contains(resp, `statusCode="3140"`) && !strings.Contains(resp, `statusCode="3250"`) {
		t.Errorf("CurrencyRef without multicurrency: %s", resp)
	}
	resp, _ = plain.ProcessRequest(ctx, `<?xml version="1.0"?><?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">`+sale("Cook, Brian", `<ExchangeRate>1.08</ExchangeRate>`)+`</QBXMLMsgsRq></QBXML>`)
	if !strings.Contains(resp, `statusCode="3250"`) || !strings.Contains(resp, "multicurrency is off") {
		t.Errorf("ExchangeRate without multicurrency: %s", resp)
	}
}

// flat removes the line breaks and indentation between elements.
func flat(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		b.WriteString(strings.TrimSpace(line))
	}
	return b.String()
}
