package plan

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

// Multicurrency. A QuickBooks Desktop company with multicurrency on has a
// home currency; each customer has one currency (CustomerAdd's CurrencyRef,
// the home currency when left out), and a sales transaction is in its
// customer's currency, its amounts in that currency, with an ExchangeRate
// in units of home currency per unit of the foreign currency. Items and
// accounts are currency-neutral, except that the account money is
// deposited to must be in the home currency or the transaction's:
// Undeposited Funds is a home-currency account, and QuickBooks records a
// foreign sales receipt (or payment) deposited there at the transaction's
// exchange rate, in home currency.
//
// So an order whose transactional currency (BigCommerce's
// default_currency_code) is not the home currency posts in that currency,
// BigCommerce's amounts as they are, to a customer of its own for that
// currency: key "<key>|<CUR>", name "<name> (<CUR>)". The exchange rate is
// BigCommerce's: store_default_to_transactional_exchange_rate is
// transactional units per store-default unit, so QuickBooks' rate is its
// inverse, rounded to 10 decimals. The home currency is taken to be the
// store's default currency (store_default_currency_code) unless
// Lists.HomeCurrency knows QuickBooks'; when the two differ, BigCommerce's
// rate says nothing of QuickBooks' home currency and the ExchangeRate is
// left out (QuickBooks uses its currency list's rate, noted).
//
// Without multicurrency, amounts are converted to the store's default
// currency at BigCommerce's rate (see newConv).

// currencyNames are QuickBooks Desktop's names of its built-in currencies
// (the Currency list, CurrencyRef FullName) for the common ISO codes;
// Settings.CurrencyNames adds or overrides.
var currencyNames = map[string]string{
	"USD": "US Dollar", "EUR": "Euro", "GBP": "British Pound Sterling", "CAD": "Canadian Dollar",
	"AUD": "Australian Dollar", "NZD": "New Zealand Dollar", "JPY": "Japanese Yen", "CHF": "Swiss Franc",
	"MXN": "Mexican Peso", "SEK": "Swedish Krona", "NOK": "Norwegian Krone", "DKK": "Danish Krone",
	"HKD": "Hong Kong Dollar", "SGD": "Singapore Dollar", "INR": "Indian Rupee", "ZAR": "South African Rand",
	"CNY": "Chinese Yuan Renminbi", "PLN": "Polish Zloty", "CZK": "Czech Koruna", "HUF": "Hungarian Forint",
	"BRL": "Brazilian Real", "ILS": "Israeli Shekel", "KRW": "South Korean Won", "TWD": "Taiwan Dollar",
}

// CurrencyName is QuickBooks' name of an ISO currency code ("" when unknown).
func CurrencyName(s Settings, code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if n, ok := s.CurrencyNames[code]; ok && n != "" {
		return n
	}
	return currencyNames[code]
}

// CurrencyCode is the ISO code of a QuickBooks currency name ("" when unknown).
func CurrencyCode(s Settings, name string) string {
	for code, n := range s.CurrencyNames {
		if strings.EqualFold(n, name) {
			return strings.ToUpper(code)
		}
	}
	for code, n := range currencyNames {
		if strings.EqualFold(n, name) {
			return code
		}
	}
	return ""
}

// foreignCurrency is what a transaction in a foreign currency needs.
type foreignCurrency struct {
	code string      // ISO code ("EUR")
	name string      // QuickBooks' name ("Euro")
	rate qbxml.Float // home per foreign; absent when BigCommerce's rate does not apply
}

// foreignFor decides whether an order posts in a foreign currency of a
// multicurrency company, and with which rate; err wraps ErrNeedsMapping
// when QuickBooks' name of the currency is unknown.
func foreignFor(o bigcommerce.Order, s Settings, l Lists) (*foreignCurrency, string, error) {
	if !l.MultiCurrency() {
		return nil, "", nil
	}
	txn := strings.ToUpper(strings.TrimSpace(o.DefaultCurrencyCode))
	if txn == "" {
		txn = strings.ToUpper(strings.TrimSpace(o.CurrencyCode))
	}
	base := strings.ToUpper(strings.TrimSpace(o.StoreDefaultCode))
	home := strings.ToUpper(strings.TrimSpace(l.HomeCurrency()))
	if home == "" {
		home = base
	}
	if txn == "" || home == "" || txn == home {
		return nil, "", nil
	}
	f := &foreignCurrency{code: txn, name: CurrencyName(s, txn)}
	if f.name == "" {
		return nil, "", fmt.Errorf("%w: the order is in %s and bcqb does not know QuickBooks' name of that currency: add it to currency_names in the settings (\"%s\": the name in QuickBooks' Currency List)",
			ErrNeedsMapping, txn, txn)
	}
	one := decimal.NewFromInt(1)
	r := o.StoreDefaultToTxnFX.Decimal
	var note string
	switch {
	case home != base:
		note = fmt.Sprintf("the order is in %s; QuickBooks' home currency is %s but the store's is %s, so BigCommerce's rate does not apply: QuickBooks uses its own %s rate", txn, home, base, txn)
	case !r.IsPositive() || r.Equal(one):
		note = fmt.Sprintf("the order is in %s but BigCommerce gave no exchange rate from %s: QuickBooks uses its own %s rate", txn, home, txn)
	default:
		f.rate = qbxml.FloatOf(one.DivRound(r, 10))
		note = fmt.Sprintf("the order is in %s: posted in %s to a %s customer, at BigCommerce's rate (1 %s = %s %s, so 1 %s = %s %s)",
			txn, txn, txn, home, r.String(), txn, txn, f.rate.String(), home)
	}
	return f, note, nil
}

// inCurrency is a customer of a foreign currency: the key and name of the
// home-currency customer with "|CUR" and " (CUR)", a CurrencyRef on the Add.
// c is the home-currency customer; from, when set, gives the new one's fields.
func inCurrency(c Customer, from *qbxml.CustomerAdd, f *foreignCurrency, l Lists) Customer {
	key := c.Key + "|" + f.code
	if n, ok := l.Customer(key); ok {
		return Customer{Key: key, Name: n}
	}
	suffix := " (" + f.code + ")"
	base := c.Name
	max := qbxml.MaxCustomerName - len([]rune(suffix))
	name := strings.TrimRight(qbxml.Fit(base, max), " ") + suffix
	if l.NameTaken(name) {
		name = withKeyHash(base, key, max) + suffix
	}
	var add qbxml.CustomerAdd
	if from != nil {
		add = *from
		add.Notes = strings.Replace(add.Notes, "BigCommerce customer "+c.Key, "BigCommerce customer "+key, 1)
	} else {
		add.Notes = "BigCommerce customer " + key
	}
	add.Name = name
	add.CurrencyRef = qbxml.RefName(f.name)
	return Customer{Key: key, Name: name, Add: &add}
}
