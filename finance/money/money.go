// Package money is exact currency arithmetic for kaiwu's finance domains:
// amounts are shopspring/decimal values tagged with an ISO 4217 currency,
// so that CNY and USD are never added by accident and no float ever
// touches money.
package money

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Currency is an ISO 4217 code. kaiwu's users work in CNY and USD; other
// codes are accepted when well formed.
type Currency string

// The currencies kaiwu's defaults and reports know by name.
const (
	USD Currency = "USD"
	CNY Currency = "CNY"
)

// ParseCurrency accepts an ISO 4217 code (case-insensitive) or the common
// symbols and names: "$", "usd", "¥", "￥", "RMB", "元", "人民币".
func ParseCurrency(s string) (Currency, error) {
	t := strings.TrimSpace(s)
	switch strings.ToUpper(t) {
	case "$", "US$", "USD":
		return USD, nil
	case "¥", "￥", "RMB", "CNY", "元", "人民币":
		return CNY, nil
	}
	if len(t) == 3 && strings.ToUpper(t) == t && strings.IndexFunc(t, func(r rune) bool { return r < 'A' || r > 'Z' }) < 0 {
		return Currency(t), nil
	}
	return "", fmt.Errorf("money: unknown currency %q (want an ISO 4217 code such as USD or CNY)", s)
}

// Symbol is the currency's usual symbol, or its code.
func (c Currency) Symbol() string {
	switch c {
	case USD:
		return "$"
	case CNY:
		return "¥"
	}
	return string(c) + " "
}

// Money is an exact amount in one currency.
type Money struct {
	Amount   decimal.Decimal
	Currency Currency
}

// New returns amount in currency c.
func New(amount decimal.Decimal, c Currency) Money { return Money{amount, c} }

// Parse reads "1234.50 USD", "USD 1,234.50", "$1,234.50", "¥1000" or
// "1000 CNY". Thousands separators (",", "_") and the magnitude suffixes of
// ParseScaled ("$10M", "¥5000万", "2.5k USD") are allowed; a plain number
// without currency is an error, so an amount never loses its currency.
func Parse(s string) (Money, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return Money{}, fmt.Errorf("money: empty amount")
	}
	var cur, num string
	for _, sym := range []string{"US$", "$", "¥", "￥"} {
		if strings.HasPrefix(t, sym) {
			cur, num = sym, t[len(sym):]
			break
		}
	}
	if cur == "" {
		f := strings.Fields(t)
		switch {
		case len(f) == 2 && isAmount(f[0]):
			num, cur = f[0], f[1]
		case len(f) == 2:
			cur, num = f[0], f[1]
		default:
			return Money{}, fmt.Errorf("money: %q: want an amount with a currency, e.g. \"1000 USD\" or \"¥1000\"", s)
		}
	}
	c, err := ParseCurrency(cur)
	if err != nil {
		return Money{}, fmt.Errorf("money: %q: %w", s, err)
	}
	d, err := ParseScaled(num)
	if err != nil {
		return Money{}, fmt.Errorf("money: %q: %w", s, err)
	}
	return Money{d, c}, nil
}

// ParseIn reads an amount that may omit its currency: a bare number
// ("2.5", "15M", "3000万") is in def; anything else is read by Parse
// ("$2.5", "¥14", "2.5 USD").
func ParseIn(s string, def Currency) (Money, error) {
	if d, err := ParseScaled(s); err == nil {
		return Money{d, def}, nil
	}
	return Parse(s)
}

func isAmount(s string) bool { _, err := ParseScaled(s); return err == nil }

// ParseAmount reads a decimal number, allowing "," and "_" as thousands
// separators. Exponents, NaN and infinities are rejected.
func ParseAmount(s string) (decimal.Decimal, error) {
	t := strings.NewReplacer(",", "", "_", "").Replace(strings.TrimSpace(s))
	if t == "" || strings.ContainsAny(t, "eEnNiI") {
		return decimal.Decimal{}, fmt.Errorf("%q is not a decimal amount", s)
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q is not a decimal amount", s)
	}
	return d, nil
}

// Add returns m+o; adding different currencies is an error.
func (m Money) Add(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("money: cannot add %s to %s", o.Currency, m.Currency)
	}
	return Money{m.Amount.Add(o.Amount), m.Currency}, nil
}

// Sub returns m-o; subtracting different currencies is an error.
func (m Money) Sub(o Money) (Money, error) {
	if m.Currency != o.Currency {
		return Money{}, fmt.Errorf("money: cannot subtract %s from %s", o.Currency, m.Currency)
	}
	return Money{m.Amount.Sub(o.Amount), m.Currency}, nil
}

// Round rounds to the currency's minor unit (cents/分), half away from zero.
func (m Money) Round() Money { return Money{m.Amount.Round(2), m.Currency} }

// String formats with the symbol, thousands separators and two decimals,
// the sign before the symbol: "$1,234,567.89", "-¥12.00".
func (m Money) String() string {
	if m.Amount.IsNegative() {
		return "-" + m.Currency.Symbol() + Group(m.Amount.Neg().StringFixed(2))
	}
	return m.Currency.Symbol() + Group(m.Amount.StringFixed(2))
}

// Group inserts thousands separators into a plain decimal string.
func Group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// moneyJSON is Money's JSON form: the amount as a string, so no JSON
// reader turns it into a float.
type moneyJSON struct {
	Amount   string   `json:"amount"`
	Currency Currency `json:"currency"`
}

// MarshalJSON implements json.Marshaler: {"amount":"1234.5","currency":"USD"}.
func (m Money) MarshalJSON() ([]byte, error) {
	return json.Marshal(moneyJSON{m.Amount.String(), m.Currency})
}

// UnmarshalJSON implements json.Unmarshaler for the form MarshalJSON writes.
func (m *Money) UnmarshalJSON(b []byte) error {
	var j moneyJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("money: want {\"amount\": \"…\", \"currency\": \"…\"}: %w", err)
	}
	c, err := ParseCurrency(string(j.Currency))
	if err != nil {
		return err
	}
	d, err := ParseAmount(j.Amount)
	if err != nil {
		return fmt.Errorf("money: %w", err)
	}
	*m = Money{d, c}
	return nil
}
