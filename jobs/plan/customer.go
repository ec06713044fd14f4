package plan

import (
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"
	"unicode"

	"github.com/bcqb/bcqb/bigcommerce"
	"github.com/bcqb/bcqb/qbxml"
)

// CustomerFor returns the customer an order posts to (key, stable name, and
// an Add when new).
//
// A channel with a Customer in Settings.Channels posts every order of that
// channel to it (key "channel:<id>"), whatever the strategy. Otherwise
// CustomerSingle posts to Settings.SingleCustomer (key "single"), and
// CustomerPerShopper keys each shopper by the billing email, lower-cased
// and trimmed ("email:<email>"), registered customers and guests alike; a
// registered customer without email is "bcid:<customer_id>" and a guest
// without email "order:<order id>" (a customer of its own: nothing else
// identifies it).
//
// In a foreign currency of a multicurrency company, the order posts to the
// shopper's customer of that currency: key "<key>|<CUR>" and name
// "<name> (<CUR>)" (the name cut to fit 41 characters, and made distinct
// with the key's hash like any taken name), created with a CurrencyRef.
//
// The name is "First Last", or the company, or the email; characters
// QuickBooks cannot store are transliterated (Cyrillic, Greek) or replaced
// (qbxml.Clean); when nothing readable is left the email is used. It is cut
// to 41 characters with qbxml.Fit. A name that another customer holds in
// QuickBooks gets " ~XXXXX", a hash of the key, so the same shopper always
// gets the same name. The key and the original name are kept in Notes; an
// original QuickBooks cannot store is kept there as a quoted string with
// \u escapes ("\u0418\u0432\u0430\u043d"), which strconv.Unquote reverses.
func CustomerFor(d bigcommerce.OrderDetails, s Settings, l Lists) Customer {
	f, _, _ := foreignFor(d.Order, s, l)
	c, _ := customerFor(d, s, l, f)
	return c
}

// customerFor is CustomerFor with the changes Normalize made to the Add;
// in a foreign currency of a multicurrency company (f set), the customer
// of that currency (see inCurrency).
func customerFor(d bigcommerce.OrderDetails, s Settings, l Lists, f *foreignCurrency) (Customer, []qbxml.Change) {
	c, ch := homeCustomer(d, s, l)
	if f == nil {
		return c, ch
	}
	full := c
	if c.Add == nil {
		// The home-currency customer exists: its fields, for the new one.
		full, ch = homeCustomer(d, s, anyNew{l})
	}
	return inCurrency(c, full.Add, f, l), ch
}

// anyNew is Lists knowing no customer key, so that homeCustomer builds the
// Add of a customer QuickBooks holds already.
type anyNew struct{ Lists }

func (anyNew) Customer(string) (string, bool) { return "", false }

// homeCustomer is the customer of an order in the home currency.
func homeCustomer(d bigcommerce.OrderDetails, s Settings, l Lists) (Customer, []qbxml.Change) {
	o := d.Order
	if ch, ok := s.Channels[o.ChannelID]; ok && ch.Customer != "" {
		return shared("channel:"+strconv.FormatInt(o.ChannelID, 10), ch.Customer, l), nil
	}
	if s.Customers == CustomerSingle {
		name := s.SingleCustomer
		if name == "" {
			name = DefaultCustomer
		}
		return shared("single", name, l), nil
	}
	a := o.BillingAddress
	email := strings.ToLower(strings.TrimSpace(a.Email))
	var key string
	switch {
	case email != "":
		key = "email:" + email
	case o.CustomerID > 0:
		key = "bcid:" + strconv.FormatInt(o.CustomerID, 10)
	default:
		key = "order:" + strconv.FormatInt(o.ID, 10)
	}
	if n, ok := l.Customer(key); ok {
		return Customer{Key: key, Name: n}, nil
	}
	orig := strings.TrimSpace(strings.TrimSpace(a.FirstName) + " " + strings.TrimSpace(a.LastName))
	if orig == "" {
		orig = strings.TrimSpace(a.Company)
	}
	if orig == "" {
		orig = email
	}
	if orig == "" {
		orig = "BigCommerce " + strings.ReplaceAll(key, ":", " ")
	}
	name := storableName(orig)
	if !readable(name) && email != "" {
		name = storableName(email)
	}
	name = qbxml.Fit(strings.ReplaceAll(name, ":", "-"), qbxml.MaxCustomerName)
	if l.NameTaken(name) {
		name = withKeyHash(name, key, qbxml.MaxCustomerName)
	}
	notes := "BigCommerce customer " + key
	if orig != name {
		notes += "; name in BigCommerce: " + orig
		if qbxml.Clean(orig) != orig {
			// QuickBooks cannot store it: keep it reversibly, as a quoted
			// string with \u escapes (strconv.Unquote gives it back).
			notes += " " + strconv.QuoteToASCII(orig)
		}
	}
	if o.CustomerID > 0 {
		notes += "; customer id " + strconv.FormatInt(o.CustomerID, 10)
	}
	add := &qbxml.CustomerAdd{
		Name: name, CompanyName: strings.TrimSpace(a.Company), FirstName: storableName(strings.TrimSpace(a.FirstName)),
		LastName: storableName(strings.TrimSpace(a.LastName)), BillAddress: txnAddress(a),
		Phone: strings.TrimSpace(a.Phone), Email: strings.TrimSpace(a.Email), Notes: notes,
	}
	if len(d.ShippingAddresses) > 0 {
		add.ShipAddress = txnAddress(d.ShippingAddresses[0].Address)
	}
	// Normalize cuts what is too long and replaces what cannot be stored;
	// the name is fitted already so the sale's CustomerRef agrees.
	rq := &qbxml.CustomerAddRq{CustomerAdd: *add}
	changes := normalize(rq, "Customer")
	*add = rq.CustomerAdd
	return Customer{Key: key, Name: name, Add: add}, changes
}

// shared is a customer every order of a strategy posts to: adopted when
// QuickBooks has the name, created otherwise.
func shared(key, name string, l Lists) Customer {
	if n, ok := l.Customer(key); ok {
		return Customer{Key: key, Name: n}
	}
	name = qbxml.Fit(qbxml.Clean(name), qbxml.MaxCustomerName)
	if l.NameTaken(name) {
		return Customer{Key: key, Name: name}
	}
	return Customer{Key: key, Name: name, Add: &qbxml.CustomerAdd{Name: name, Notes: "BigCommerce customer " + key}}
}

// withKeyHash makes a name distinct and stable for a key: the name, cut to
// leave room within size runes, then " ~" and five characters of a hash of
// the key.
func withKeyHash(name, key string, size int) string {
	sum := sha256.Sum256([]byte(key))
	tag := " ~" + base32.StdEncoding.EncodeToString(sum[:])[:5]
	r := []rune(name)
	if max := size - len(tag); len(r) > max {
		r = r[:max]
	}
	return strings.TrimRight(string(r), " ") + tag
}

// readable reports whether a cleaned name still has a letter or digit
// (a name of only '?' says nothing to a bookkeeper).
func readable(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// storableName transliterates Cyrillic and Greek letters to Latin (so
// "Иван Петров" is "Ivan Petrov", not "???? ??????"), then applies
// qbxml.Clean for everything else.
func storableName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if t, ok := translit[r]; ok {
			b.WriteString(t)
			continue
		}
		if u := unicode.ToLower(r); u != r {
			if t, ok := translit[u]; ok && t != "" {
				b.WriteString(strings.ToUpper(t[:1]) + t[1:])
				continue
			}
		}
		b.WriteRune(r)
	}
	return qbxml.Clean(b.String())
}

var translit = map[rune]string{
	// Cyrillic (Russian, Ukrainian, Belarusian, Serbian, Bulgarian letters)
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya", 'є': "ye", 'і': "i", 'ї': "yi", 'ґ': "g", 'ў': "u", 'ђ': "dj", 'ј': "j",
	'љ': "lj", 'њ': "nj", 'ћ': "c", 'џ': "dz",
	// Greek
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t",
	'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o", 'ά': "a", 'έ': "e", 'ή': "i", 'ί': "i", 'ό': "o",
	'ύ': "y", 'ώ': "o",
}
