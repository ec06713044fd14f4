package qbsim

import (
	"strings"
	"testing"

	"github.com/bcqb/bcqb/qbxml"
)

// A company that does not track sales tax has no SalesTaxPreferences, no
// sales tax lists, and refuses every request naming a tax item or code;
// tax a store charged is then an other-charge line to a liability account.
func TestSalesTaxOff(t *testing.T) {
	yes := true
	c := NewSampleCompany(CompanyOptions{Clock: NewFakeClock(testStart), SalesTaxOff: true})
	prefs := one[*qbxml.PreferencesQueryRs](t, c, &qbxml.PreferencesQueryRq{})
	if prefs.Preferences == nil || prefs.Preferences.SalesTaxPreferences != nil {
		t.Fatalf("preferences = %+v; want them without SalesTaxPreferences", prefs.Preferences)
	}
	codes := one[*qbxml.SalesTaxCodeQueryRs](t, c, &qbxml.SalesTaxCodeQueryRq{})
	if len(codes.SalesTaxCodes) != 0 {
		t.Errorf("%d sales tax codes in a company without sales tax", len(codes.SalesTaxCodes))
	}

	refused := []struct {
		name string
		rq   qbxml.Request
	}{
		{"a sales tax item", &qbxml.ItemSalesTaxAddRq{ItemSalesTaxAdd: qbxml.ItemSalesTaxAdd{Name: "BigCommerce No Tax", TaxRate: qbxml.PercentOf(dec("0"))}}},
		{"a sales tax code", &qbxml.SalesTaxCodeAddRq{SalesTaxCodeAdd: qbxml.SalesTaxCodeAdd{Name: "Tax", IsTaxable: &yes}}},
		{"a header tax item", &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{RefNumber: "1", ItemSalesTaxRef: qbxml.RefName("Out of State"),
			Lines: []qbxml.SalesLineAdd{line("Widget", "1", "19.99")}}}},
		{"a line's tax code", &qbxml.InvoiceAddRq{InvoiceAdd: qbxml.InvoiceAdd{CustomerRef: qbxml.RefName("Cook, Brian"), RefNumber: "2",
			Lines: []qbxml.SalesLineAdd{{ItemRef: qbxml.RefName("Widget"), Amount: qbxml.AmountOf(dec("19.99")), SalesTaxCodeRef: qbxml.RefName("Tax")}}}}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			rs := send(t, c, qbxml.StopOnError, tc.rq)
			code, msg := status(rs[0])
			if code != 3250 || !strings.Contains(msg, "sales tax is turned off") {
				t.Errorf("status %d %q; want 3250 saying sales tax is off", code, msg)
			}
		})
	}

	// The tax as an other charge on Sales Tax Payable: the total is the sum of the lines.
	item := one[*qbxml.ItemOtherChargeAddRs](t, c, &qbxml.ItemOtherChargeAddRq{ItemOtherChargeAdd: qbxml.ItemOtherChargeAdd{Name: "BigCommerce Sales Tax",
		SalesOrPurchase: &qbxml.SalesOrPurchase{Desc: "Sales tax", AccountRef: qbxml.RefName("Sales Tax Payable")}}})
	if code, msg := status(item); code != 0 {
		t.Fatalf("tax item: %d %s", code, msg)
	}
	sr := one[*qbxml.SalesReceiptAddRs](t, c, &qbxml.SalesReceiptAddRq{SalesReceiptAdd: qbxml.SalesReceiptAdd{RefNumber: "3",
		Lines: []qbxml.SalesLineAdd{line("Widget", "2", "19.99"), {ItemRef: qbxml.RefName("BigCommerce Sales Tax"), Amount: qbxml.AmountOf(dec("3.10"))}}}})
	if code, msg := status(sr); code != 0 {
		t.Fatalf("sales receipt: %d %s", code, msg)
	}
	if got := txnByRef(t, c, "SalesReceipt", "3").Total.StringFixed(2); got != "43.08" {
		t.Errorf("total %s; want 43.08 (39.98 + 3.10)", got)
	}
}
