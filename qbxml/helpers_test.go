package qbxml

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bcqb/bcqb/internal/sharedref"
	"github.com/shopspring/decimal"
)

// referenceDir finds ../shared/reference next to the module root, or skips.
func referenceDir(t testing.TB) string {
	t.Helper()
	return filepath.Dir(sharedref.Dir(t, "qbxml"))
}

// xsdFor is the schema that judges a message of version v: 16.0 for 16.0,
// 13.0 for 13.0-15.0 (bcqb sends only 13.0 elements below 16.0, and qbXML
// versions only add elements).
func xsdFor(ref string, v Version) string {
	if V16.Less(v) || v == V16 {
		return filepath.Join(ref, "qbxml", "xsd", "16.0", "qbxmlops160.xsd")
	}
	return filepath.Join(ref, "qbxml", "xsd", "13.0", "qbxmlops130.xsd")
}

// xmllint validates docs (name -> XML) against xsd in one xmllint run and
// returns the failures by name, with xmllint's explanation.
func xmllint(t testing.TB, xsd string, docs map[string][]byte) map[string]string {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils); skipping schema validation")
	}
	dir := t.TempDir()
	names := make([]string, 0, len(docs))
	for n := range docs {
		names = append(names, n)
	}
	sort.Strings(names)
	args := []string{"--noout", "--schema", xsd}
	for _, n := range names {
		p := filepath.Join(dir, n+".xml")
		if err := os.WriteFile(p, docs[n], 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	_ = cmd.Run() // exit status is non-zero when any file fails; read the report
	fails := map[string]string{}
	report := out.String()
	for _, n := range names {
		p := filepath.Join(dir, n+".xml")
		if strings.Contains(report, p+" validates") {
			continue
		}
		var why []string
		for _, line := range strings.Split(report, "\n") {
			if strings.HasPrefix(line, p) {
				why = append(why, strings.TrimPrefix(line, p))
			}
		}
		fails[n] = strings.Join(why, "\n")
	}
	return fails
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

var testDay = Date{2026, time.November, 3}

func addr() *Address {
	return &Address{Addr1: "Jane Doe", Addr2: "12 Main St", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US"}
}

// sampleRequests has a filled-in instance of every request type, built the
// way bcqb's jobs use them, touching as many elements as is valid at once.
func sampleRequests() map[string]func() Request {
	return map[string]func() Request{
		"HostQueryRq":        func() Request { return &HostQueryRq{} },
		"CompanyQueryRq":     func() Request { return &CompanyQueryRq{OwnerIDs: []string{"0"}} },
		"PreferencesQueryRq": func() Request { return &PreferencesQueryRq{IncludeRetElement: []string{"AccountingPreferences"}} },
		"AccountQueryRq": func() Request {
			return &AccountQueryRq{ListFilter: ListFilter{ActiveStatus: ActiveOnly}, AccountTypes: []string{AccountTypeIncome, AccountTypeBank}}
		},
		"ItemQueryRq": func() Request {
			q := &ItemQueryRq{ListFilter: ListFilter{MaxReturned: 100, ActiveStatus: ActiveAll,
				FromModifiedDate: DateTimeOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600))),
				NameFilter:       &NameFilter{MatchCriterion: StartsWith, Name: "SKU"}}}
			q.SetIterator(IteratorStart, "")
			return q
		},
		"ItemNonInventoryAddRq": func() Request {
			return &ItemNonInventoryAddRq{ItemNonInventoryAdd: ItemNonInventoryAdd{Name: "Gift wrap", IsActive: new(true),
				ManufacturerPartNumber: "GW-1", SalesTaxCodeRef: RefName("Tax"),
				SalesOrPurchase: &SalesOrPurchase{Desc: "Gift wrapping", Price: PriceOf(dec("4.50")), AccountRef: RefName("Sales")}}}
		},
		"ItemInventoryAddRq": func() Request {
			return &ItemInventoryAddRq{ItemInventoryAdd: ItemInventoryAdd{Name: "TSHIRT-RED-M", BarCode: &BarCode{BarCodeValue: "0123456789012"},
				SalesDesc: "T-shirt red M", SalesPrice: PriceOf(dec("19.99")), IncomeAccountRef: RefName("Sales"),
				PurchaseCost: PriceOf(dec("7.12345")), COGSAccountRef: RefName("Cost of Goods Sold"), AssetAccountRef: RefName("Inventory Asset"),
				QuantityOnHand: QuantityOf(dec("12.5")), InventoryDate: testDay}}
		},
		"ItemServiceAddRq": func() Request {
			return &ItemServiceAddRq{ItemServiceAdd: ItemServiceAdd{Name: "Engraving",
				SalesAndPurchase: &SalesAndPurchase{SalesDesc: "Engraving", SalesPrice: PriceOf(dec("10")), IncomeAccountRef: RefName("Sales"),
					PurchaseCost: PriceOf(dec("2")), ExpenseAccountRef: RefName("Cost of Goods Sold")}}}
		},
		"ItemOtherChargeAddRq": func() Request {
			return &ItemOtherChargeAddRq{ItemOtherChargeAdd: ItemOtherChargeAdd{Name: "Shipping", SalesTaxCodeRef: RefName("Non"),
				SalesOrPurchase: &SalesOrPurchase{Desc: "Shipping", AccountRef: RefName("Shipping Income")}}}
		},
		"ItemDiscountAddRq": func() Request {
			return &ItemDiscountAddRq{ItemDiscountAdd: ItemDiscountAdd{Name: "BC Coupon", ItemDesc: "BigCommerce coupon",
				DiscountRatePercent: PercentOf(dec("10")), AccountRef: RefName("Discounts")}}
		},
		"ItemSalesTaxQueryRq": func() Request { return &ItemSalesTaxQueryRq{ListFilter: ListFilter{ActiveStatus: ActiveOnly}} },
		"ItemSalesTaxAddRq": func() Request {
			return &ItemSalesTaxAddRq{ItemSalesTaxAdd: ItemSalesTaxAdd{Name: "BC Sales Tax", BarCode: &BarCode{BarCodeValue: "TAX-1", AllowOverride: new(true)},
				IsActive: new(true), ClassRef: RefName("Web"), ItemDesc: "Sales tax charged by BigCommerce",
				TaxRate: PercentOf(dec("6.25")), TaxVendorRef: RefName("Illinois Department of Revenue")}}
		},
		"AccountAddRq": func() Request {
			return &AccountAddRq{AccountAdd: AccountAdd{Name: "BigCommerce Sales", IsActive: new(true), ParentRef: RefName("Sales"),
				AccountType: AccountTypeIncome, AccountNumber: "4010", Desc: "Sales from the BigCommerce store", CurrencyRef: RefName("US Dollar")},
				IncludeRetElement: []string{"ListID", "FullName", "EditSequence"}}
		},
		"ClassAddRq": func() Request {
			return &ClassAddRq{ClassAdd: ClassAdd{Name: "BigCommerce", IsActive: new(true), ParentRef: RefName("Web")}}
		},
		"SalesTaxCodeAddRq": func() Request {
			return &SalesTaxCodeAddRq{SalesTaxCodeAdd: SalesTaxCodeAdd{Name: "BCT", IsActive: new(true), IsTaxable: new(true), Desc: "BigCommerce taxable"}}
		},
		"ItemInventoryQueryRq": func() Request {
			return &ItemInventoryQueryRq{ListSelect: ListSelect{FullNames: []string{"TSHIRT-RED-M"}}}
		},
		"SalesTaxCodeQueryRq": func() Request { return &SalesTaxCodeQueryRq{} },
		"ClassQueryRq": func() Request {
			return &ClassQueryRq{ListFilter: ListFilter{NameRangeFilter: &NameRangeFilter{FromName: "A", ToName: "M"}}}
		},
		"PaymentMethodQueryRq": func() Request { return &PaymentMethodQueryRq{PaymentMethodTypes: []string{PaymentVisa}} },
		"PaymentMethodAddRq": func() Request {
			return &PaymentMethodAddRq{PaymentMethodAdd: PaymentMethodAdd{Name: "BigCommerce Stripe", PaymentMethodType: PaymentOtherCreditCard}}
		},
		"CustomerQueryRq": func() Request {
			q := &CustomerQueryRq{ListFilter: ListFilter{MaxReturned: 50, ActiveStatus: ActiveAll, NameFilter: &NameFilter{MatchCriterion: Contains, Name: "Doe"}},
				IncludeRetElement: []string{"ListID", "EditSequence", "FullName", "Email", "BillAddress", "ShipAddress"}}
			q.SetIterator(IteratorContinue, "{a7a2b1c0-0000-4000-8000-000000000001}")
			return q
		},
		"CustomerAddRq": func() Request {
			return &CustomerAddRq{CustomerAdd: CustomerAdd{Name: "Jane Doe <jane@example.com>", IsActive: new(true), CompanyName: "Doe & Co",
				FirstName: "Jane", LastName: "Doe", BillAddress: addr(), ShipAddress: addr(), Phone: "555-0100", Email: "jane@example.com",
				SalesTaxCodeRef: RefName("Tax"), AccountNumber: "BC-17", PreferredPaymentMethodRef: RefName("Visa"), Notes: "BigCommerce customer 17",
				CurrencyRef: RefName("Euro")}}
		},
		"CustomerModRq": func() Request {
			return &CustomerModRq{CustomerMod: CustomerMod{ListID: "80000001-1416570432", EditSequence: "1416570432",
				Email: "jane.doe@example.com", BillAddress: addr(), CreditLimit: AmountOf(dec("0"))}}
		},
		"CurrencyQueryRq": func() Request { return &CurrencyQueryRq{ListFilter: ListFilter{ActiveStatus: ActiveOnly}} },
		"SalesReceiptAddRq": func() Request {
			return &SalesReceiptAddRq{SalesReceiptAdd: SalesReceiptAdd{CustomerRef: RefName("Jane Doe"), ClassRef: RefName("Web"),
				TxnDate: testDay, RefNumber: "100042", BillAddress: addr(), ShipAddress: addr(), PaymentMethodRef: RefName("Visa"),
				ShipDate: testDay, ItemSalesTaxRef: RefName("IL Sales Tax"), Memo: "BigCommerce order #100042",
				IsToBePrinted: new(false), IsToBeEmailed: new(false), CustomerSalesTaxCodeRef: RefName("Tax"),
				DepositToAccountRef: RefName("Undeposited Funds"), ExchangeRate: FloatOf(dec("1.0869565217")),
				Lines: []SalesLineAdd{
					{ItemRef: RefName("TSHIRT-RED-M"), Desc: "T-shirt", Quantity: QuantityInt(2), Rate: PriceOf(dec("19.99")), Amount: AmountOf(dec("39.98")), SalesTaxCodeRef: RefName("Tax")},
					{ItemRef: RefName("BC Coupon"), RatePercent: PercentOf(dec("-10"))},
					{ItemRef: RefName("Shipping"), Amount: AmountOf(dec("5.00")), SalesTaxCodeRef: RefName("Non")},
				}}}
		},
		"InvoiceAddRq": func() Request {
			return &InvoiceAddRq{InvoiceAdd: InvoiceAdd{CustomerRef: RefID("80000001-1416570432"), ARAccountRef: RefName("Accounts Receivable"),
				TxnDate: testDay, RefNumber: "100043", PONumber: "PO-9", DueDate: testDay, Memo: "BigCommerce order #100043", ExchangeRate: FloatOf(dec("0.73529")),
				Lines: []SalesLineAdd{{ItemRef: RefName("Engraving"), Quantity: QuantityOf(dec("1.5")), Rate: PriceOf(dec("10.00001")), Amount: AmountOf(dec("15.00"))}}}}
		},
		"ReceivePaymentAddRq": func() Request {
			return &ReceivePaymentAddRq{ReceivePaymentAdd: ReceivePaymentAdd{CustomerRef: RefID("80000001-1416570432"), TxnDate: testDay,
				RefNumber: "ch_3Nabcdefghijklmn", TotalAmount: AmountOf(dec("15.00")), ExchangeRate: FloatOf(dec("1.2658227848")), PaymentMethodRef: RefName("Visa"),
				DepositToAccountRef: RefName("Undeposited Funds"),
				AppliedToTxns: []AppliedToTxnAdd{{TxnID: "C5-1417118624", PaymentAmount: AmountOf(dec("15.00")),
					SetCredit: []SetCredit{{CreditTxnID: "C7-1417118700", AppliedAmount: AmountOf(dec("2.00")), Override: new(false)}}}}}}
		},
		"CreditMemoAddRq": func() Request {
			return &CreditMemoAddRq{CreditMemoAdd: CreditMemoAdd{CustomerRef: RefName("Jane Doe"), TxnDate: testDay, RefNumber: "R100042",
				Memo: "BigCommerce refund 7 of order #100042", ExchangeRate: FloatOf(dec("1")),
				Lines: []SalesLineAdd{{ItemRef: RefName("TSHIRT-RED-M"), Quantity: QuantityInt(1), Rate: PriceOf(dec("19.99"))}}}}
		},
		"ARRefundCreditCardAddRq": func() Request {
			return &ARRefundCreditCardAddRq{ARRefundCreditCardAdd: ARRefundCreditCardAdd{CustomerRef: RefName("Jane Doe"),
				RefundFromAccountRef: RefName("Undeposited Funds"), TxnDate: testDay, RefNumber: "R100042", PaymentMethodRef: RefName("Visa"),
				Memo: "Refund", ExchangeRate: FloatOf(dec("1.0869565217")),
				RefundAppliedToTxns: []RefundAppliedToTxnAdd{{TxnID: "C7-1417118700", RefundAmount: AmountOf(dec("19.99"))}}}}
		},
		"CheckAddRq": func() Request {
			return &CheckAddRq{CheckAdd: CheckAdd{AccountRef: RefName("Checking"), PayeeEntityRef: RefName("Jane Doe"), RefNumber: "R100042",
				TxnDate: testDay, Memo: "Refund by check", IsToBePrinted: new(true),
				ExpenseLines: []ExpenseLineAdd{{AccountRef: RefName("Accounts Receivable"), Amount: AmountOf(dec("19.99")), CustomerRef: RefName("Jane Doe")}}}}
		},
		"TxnVoidRq": func() Request { return &TxnVoidRq{TxnVoidType: TxnTypeSalesReceipt, TxnID: "C5-1417118624"} },
		"TxnDelRq":  func() Request { return &TxnDelRq{TxnDelType: TxnTypeReceivePayment, TxnID: "C7-1417118624"} },
		"SalesReceiptQueryRq": func() Request {
			return &SalesReceiptQueryRq{TxnSelect: TxnSelect{RefNumbers: []string{"100042"}}, IncludeLineItems: new(true)}
		},
		"InvoiceQueryRq": func() Request {
			q := &InvoiceQueryRq{TxnFilter: TxnFilter{MaxReturned: 20, ModifiedDateRangeFilter: &ModifiedDateRangeFilter{
				FromModifiedDate: DateTime{Raw: "2026-11-01T00:00:00"}, ToModifiedDate: DateTime{Raw: "2026-11-04T00:00:00"}},
				RefNumberFilter: &RefNumberFilter{MatchCriterion: StartsWith, RefNumber: "1000"}}, PaidStatus: "All", IncludeLinkedTxns: new(true)}
			q.SetIterator(IteratorStart, "")
			return q
		},
		"CreditMemoQueryRq": func() Request {
			return &CreditMemoQueryRq{TxnFilter: TxnFilter{TxnDateRangeFilter: &TxnDateRangeFilter{FromTxnDate: testDay, ToTxnDate: testDay},
				EntityFilter: &EntityFilter{FullNames: []string{"Jane Doe"}}}}
		},
		"ReceivePaymentQueryRq": func() Request {
			return &ReceivePaymentQueryRq{TxnSelect: TxnSelect{RefNumbers: []string{"ch_3Nabcdefghijklmn"}}, IncludeLineItems: new(true), OwnerIDs: []string{"0"}}
		},
		"ARRefundCreditCardQueryRq": func() Request {
			q := &ARRefundCreditCardQueryRq{TxnFilter: TxnFilter{MaxReturned: 10, TxnDateRangeFilter: &TxnDateRangeFilter{FromTxnDate: testDay, ToTxnDate: testDay},
				EntityFilter: &EntityFilter{ListIDs: []string{"80000001-1416570432"}}, RefNumberFilter: &RefNumberFilter{MatchCriterion: StartsWith, RefNumber: "R1000"}},
				IncludeLineItems: new(true), IncludeRetElement: []string{"TxnID", "RefNumber", "TotalAmount"}}
			q.SetIterator(IteratorStart, "")
			return q
		},
		"CheckQueryRq": func() Request {
			return &CheckQueryRq{TxnSelect: TxnSelect{TxnIDs: []string{"C9-1417118700"}}, IncludeLineItems: new(true), IncludeLinkedTxns: new(true), OwnerIDs: []string{"0"}}
		},
		"InventoryAdjustmentAddRq": func() Request {
			return &InventoryAdjustmentAddRq{InventoryAdjustmentAdd: InventoryAdjustmentAdd{AccountRef: RefName("Inventory Adjustments"),
				TxnDate: testDay, RefNumber: "ADJ-1", Memo: "BigCommerce stock sync",
				Lines: []InventoryAdjustmentLineAdd{
					{ItemRef: RefName("TSHIRT-RED-M"), QuantityAdjustment: &QuantityAdjustment{NewQuantity: QuantityInt(8)}},
					{ItemRef: RefName("TSHIRT-RED-L"), QuantityAdjustment: &QuantityAdjustment{QuantityDifference: QuantityOf(dec("-1.25"))}},
				}}}
		},
		"DataExtDefAddRq": func() Request {
			return &DataExtDefAddRq{DataExtDefAdd: DataExtDefAdd{OwnerID: "0", DataExtName: "BigCommerce ID", DataExtType: DataExtTypeStr255,
				AssignToObject: []string{"SalesReceipt", "Invoice", "CreditMemo", "Customer"}}}
		},
		"DataExtDefQueryRq": func() Request { return &DataExtDefQueryRq{OwnerIDs: []string{"0"}} },
		"DataExtAddRq": func() Request {
			return &DataExtAddRq{DataExtAdd: DataExtAdd{OwnerID: "0", DataExtName: "BigCommerce ID", TxnDataExtType: TxnTypeSalesReceipt,
				TxnID: "C5-1417118624", DataExtValue: "order:100042"}}
		},
	}
}
