package jobs

import (
	"testing"

	"github.com/bcqb/bcqb/jobs/plan"
	"github.com/bcqb/bcqb/qbxml"
)

// TestFeeDefaults: the processing fee item is an other charge item posting
// to the fee expense account, which is an expense account.
func TestFeeDefaults(t *testing.T) {
	pl := &planning{s: plan.DefaultSettings()}
	rq, typ, _ := pl.defaultRequest("Item", plan.DefaultFeeExpenseItem)
	oc, ok := rq.(*qbxml.ItemOtherChargeAddRq)
	if !ok || typ != "ItemOtherCharge" || oc.ItemOtherChargeAdd.SalesOrPurchase == nil ||
		oc.ItemOtherChargeAdd.SalesOrPurchase.AccountRef.FullName != plan.DefaultFeeExpenseAcct {
		t.Fatalf("fee item: %T %s %+v", rq, typ, rq)
	}
	if err := qbxml.ValidateRequest(oc, qbxml.V13); err != nil {
		t.Error(err)
	}
	rq, typ, _ = pl.defaultRequest("Account", plan.DefaultFeeExpenseAcct)
	acct, ok := rq.(*qbxml.AccountAddRq)
	if !ok || typ != "Account" || acct.AccountAdd.AccountType != qbxml.AccountTypeExpense {
		t.Fatalf("fee account: %T %s %+v", rq, typ, rq)
	}
}
