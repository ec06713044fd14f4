package qbsim

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Multicurrency (CompanyOptions.MultiCurrency). The company has a home
// currency and a few active built-in currencies; every customer and
// account has one currency (the home currency unless its Add names
// another); a sales or money transaction is in its customer's currency,
// its amounts in that currency, at the ExchangeRate it carries (units of
// home currency per unit of the foreign currency: the simulator keeps no
// rates of its own, so a foreign transaction without one is refused). The
// account money goes to or comes from must be in the home currency or the
// transaction's; the A/R account must be in the transaction's (QuickBooks
// makes one per currency, "Accounts Receivable - EUR", and so does the
// simulator when the request names none). A request that breaks these
// rules is refused with status 3250: QuickBooks' own status code for them
// is not documented where bcqb could check it; the message is QuickBooks'
// where it is known ("The currency of the account must be either in home
// currency or the transaction currency").

// sampleCurrencies are the built-in currencies a multicurrency sample has
// active: QuickBooks Desktop's names.
var sampleCurrencies = []struct{ name, code string }{
	{"US Dollar", "USD"}, {"Euro", "EUR"}, {"British Pound Sterling", "GBP"}, {"Canadian Dollar", "CAD"},
	{"Australian Dollar", "AUD"}, {"Japanese Yen", "JPY"},
}

var currencyTxnKinds = map[string]bool{"SalesReceipt": true, "Invoice": true, "CreditMemo": true, "ReceivePayment": true, "ARRefundCreditCard": true}

// currencyOf is the currency record of a customer or account (the home
// currency when it names none).
func (c *Company) currencyOf(r *record) *record {
	if r != nil {
		if cur := c.refRecord(r.Ret, "CurrencyRef"); cur != nil {
			return cur
		}
	}
	return c.byID[c.d.HomeCurrency]
}

// listCurrency gives a new customer or account its currency: refused when
// multicurrency is off, the home currency when the Add names none.
func (c *Company) listCurrency(kind string, ret *elem) *qbStatus {
	if kind != "Customer" && kind != "Account" && kind != "Vendor" {
		return nil
	}
	if !c.d.MultiCurrency {
		if ret.Has("CurrencyRef") {
			return &qbStatus{3250, "This feature is not enabled or not available in this version of QuickBooks: multicurrency is off, so a " + kind + " has no CurrencyRef."}
		}
		return nil
	}
	if !ret.Has("CurrencyRef") {
		if home := c.byID[c.d.HomeCurrency]; home != nil {
			ret.Put(refNode("CurrencyRef", home))
		}
	}
	return nil
}

// txnCurrency checks a transaction's currency and rate against its
// customer and accounts, before its amounts are worked out, and records
// them on r.
func (c *Company) txnCurrency(kind string, ret *elem, r *record) *qbStatus {
	if !c.d.MultiCurrency {
		if ret.Has("ExchangeRate") {
			return &qbStatus{3250, "This feature is not enabled or not available in this version of QuickBooks: multicurrency is off, so a transaction has no ExchangeRate."}
		}
		return nil
	}
	if !currencyTxnKinds[kind] {
		return nil
	}
	cur := c.currencyOf(c.byID[r.Customer])
	home := c.byID[c.d.HomeCurrency]
	if cur == nil || home == nil {
		return &qbStatus{3250, "The simulator's multicurrency company has no home currency."}
	}
	rate, has := ret.Dec("ExchangeRate")
	switch {
	case cur.ID == home.ID:
		if has && !rate.Equal(decimal.NewFromInt(1)) {
			return statusInvalidValue(fmt.Sprintf("The exchange rate of a transaction in the home currency (%s) must be 1, not %s.", home.fullName(), rate))
		}
		rate = decimal.NewFromInt(1)
	case !has:
		return &qbStatus{3250, fmt.Sprintf("The simulator keeps no exchange rates: a %s in %s needs its ExchangeRate.", kind, cur.fullName())}
	case !rate.IsPositive():
		return statusInvalidValue(fmt.Sprintf("The exchange rate %s is not positive.", rate))
	}
	for _, name := range []string{"DepositToAccountRef", "RefundFromAccountRef"} {
		if acct := c.refRecord(ret, name); acct != nil {
			if ac := c.currencyOf(acct); ac.ID != home.ID && ac.ID != cur.ID {
				return &qbStatus{3250, fmt.Sprintf("The currency of the account must be either in home currency or the transaction currency (account \"%s\" is in %s, the %s in %s).",
					acct.fullName(), ac.fullName(), kind, cur.fullName())}
			}
		}
	}
	if kind != "SalesReceipt" {
		if acct := c.refRecord(ret, "ARAccountRef"); acct != nil {
			if ac := c.currencyOf(acct); ac.ID != cur.ID {
				return &qbStatus{3250, fmt.Sprintf("The A/R account \"%s\" is in %s; a %s in %s needs an A/R account in %s.", acct.fullName(), ac.fullName(), kind, cur.fullName(), cur.fullName())}
			}
		} else if cur.ID != home.ID {
			ret.Put(refNode("ARAccountRef", c.arAccount(cur)))
		}
	}
	ret.Put(refNode("CurrencyRef", cur))
	ret.Set("ExchangeRate", rate.String())
	r.Currency, r.Rate = cur.Ret.Get("CurrencyCode"), rate
	return nil
}

// arAccount is the Accounts Receivable account of a foreign currency,
// created the first time it is needed, as QuickBooks does.
func (c *Company) arAccount(cur *record) *record {
	for _, a := range c.recordsOf("Account") {
		if a.Ret.Get("AccountType") == "AccountsReceivable" && c.currencyOf(a).ID == cur.ID {
			return a
		}
	}
	a, st := c.listAdd("Account", el("AccountAdd", leaf("Name", "Accounts Receivable - "+cur.Ret.Get("CurrencyCode")),
		leaf("AccountType", "AccountsReceivable"), refNode("CurrencyRef", cur)))
	if st != nil {
		panic(fmt.Sprintf("A/R account in %s: %v", cur.fullName(), st)) // a bug in the simulator
	}
	return a
}

// homeTotal is a transaction's total in the home currency.
func (r *record) homeTotal() decimal.Decimal {
	if r.Rate.IsZero() {
		return r.Total
	}
	return round2(r.Total.Mul(r.Rate))
}
