package plan

import (
	"errors"
	"testing"

	"github.com/bcqb/bcqb/bigcommerce"
)

// TestCreateSKUs: a SKU marked "create in QuickBooks" gets its item created
// (of the kind marked) even when the store's policy parks unmapped SKUs,
// while the other unmapped SKUs still need mapping; a mapping or an item of
// the name wins over the mark.
func TestCreateSKUs(t *testing.T) {
	mk := func() bigcommerce.OrderDetails {
		return order(21, StatusCompleted, false,
			item{sku: "MUG", name: "Mug", price: "8.00", qty: 1},
			item{sku: "E-BOOK", name: "E-book", price: "2.00", qty: 1, kind: "digital"})
	}
	s := DefaultSettings()
	s.Items = ItemsRequireMapping
	if _, err := BuildOrder(store, mk(), s, newLists(), Posted{}); !errors.Is(err, ErrNeedsMapping) {
		t.Fatalf("unmarked under the mapping policy: %v", err)
	}
	s.CreateSKUs = map[string]string{"MUG": ItemsCreateInventory}
	if _, err := BuildOrder(store, mk(), s, newLists(), Posted{}); !errors.Is(err, ErrNeedsMapping) {
		t.Fatalf("E-BOOK is neither marked nor mapped, yet the order posts: %v", err)
	}
	s.CreateSKUs["E-BOOK"] = ItemsCreateInventory
	o := mustPost(t, mk(), s, newLists())
	kinds := map[string]string{}
	for _, it := range o.Items {
		switch {
		case it.Inventory != nil:
			kinds[it.SKU] = "inventory"
		case it.NonInventory != nil:
			kinds[it.SKU] = "noninventory"
		}
	}
	// A download is never an inventory part, whatever the mark.
	if kinds["MUG"] != "inventory" || kinds["E-BOOK"] != "noninventory" {
		t.Errorf("items created %v", kinds)
	}

	l := newLists()
	l.items["E-BOOK"] = "Books:E-book"
	s.SKUs = map[string]string{"MUG": "Kitchen:Mug"}
	o = mustPost(t, mk(), s, l)
	if len(o.Items) != 0 || len(linesOf(lines(o), "Kitchen:Mug")) != 1 || len(linesOf(lines(o), "Books:E-book")) != 1 {
		t.Errorf("mapped and matched SKUs: items %+v, lines %+v", o.Items, lines(o))
	}

	for _, tc := range []struct {
		policy, mark, kind, want string
	}{
		{ItemsRequireMapping, "", "physical", ItemsRequireMapping},
		{ItemsRequireMapping, ItemsCreateNonInventory, "physical", ItemsCreateNonInventory},
		{ItemsCreateNonInventory, ItemsCreateInventory, "physical", ItemsCreateInventory},
		{ItemsCreateInventory, "", "digital", ItemsCreateNonInventory},
		{ItemsCreateInventory, "bogus", "physical", ItemsCreateInventory},
		{"", "", "physical", ItemsCreateNonInventory},
	} {
		s := DefaultSettings()
		s.Items = tc.policy
		if tc.mark != "" {
			s.CreateSKUs = map[string]string{"X": tc.mark}
		}
		if got := ItemPolicy(s, "X", tc.kind); got != tc.want {
			t.Errorf("ItemPolicy(policy %q, mark %q, %s) = %q, want %q", tc.policy, tc.mark, tc.kind, got, tc.want)
		}
	}
}

// TestPaymentDeposits: the money of a payment method lands in (and is
// refunded from) its own deposit account, ahead of the channel's and the
// store's default.
func TestPaymentDeposits(t *testing.T) {
	d := order(22, StatusCompleted, false, item{sku: "A", name: "A", price: "5.00", qty: 1})
	d.Order.PaymentMethod = "PayPal"
	s := DefaultSettings()
	s.Channels = map[int64]Channel{1: {DepositAccount: "Channel Clearing"}}
	o := mustPost(t, d, s, newLists())
	if got := o.SalesReceipt.DepositToAccountRef.FullName; got != "Channel Clearing" {
		t.Errorf("without a method's account: deposited to %q", got)
	}
	s.PaymentDeposits = map[string]string{"PayPal": "PayPal Balance", "Cash": "Cash Drawer"}
	o = mustPost(t, d, s, newLists())
	if got := o.SalesReceipt.DepositToAccountRef.FullName; got != "PayPal Balance" {
		t.Errorf("PayPal deposited to %q", got)
	}
	d.Order.PaymentMethod = "Credit Card"
	s.Channels = nil
	o = mustPost(t, d, s, newLists())
	if got := o.SalesReceipt.DepositToAccountRef.FullName; got != DefaultDepositAccount {
		t.Errorf("an unmapped method deposited to %q", got)
	}
}
