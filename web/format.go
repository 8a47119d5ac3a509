package web

import (
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/chart"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/web/i18n"
)

// fmtr formats numbers for one reader: ¥/$, and 万/亿 in Chinese, through
// chart.Format so labels and tables agree.
type fmtr struct{ lang i18n.Lang }

// unit is the chart unit of a currency (Plain for others, with the code).
func unitOf(c money.Currency) chart.Unit {
	switch c {
	case money.CNY:
		return chart.CNY
	case money.USD:
		return chart.USD
	}
	return chart.Plain
}

// Money formats an exact amount compactly ("¥3,500万", "$12.5M").
func (f fmtr) Money(c money.Currency, d decimal.Decimal) string {
	u := unitOf(c)
	s := chart.FormatDecimal(d, u, string(f.lang))
	if u == chart.Plain {
		s += " " + string(c)
	}
	return s
}

// M formats a money.Money.
func (f fmtr) M(m money.Money) string { return f.Money(m.Currency, m.Amount) }

// Exact formats an amount to the cent with separators ("$1,234,567.00").
func (f fmtr) Exact(c money.Currency, d decimal.Decimal) string {
	return c.Symbol() + money.Group(d.StringFixed(2))
}

// Count formats a count compactly ("1.2万", "12K").
func (f fmtr) Count(v float64) string { return chart.Format(v, chart.Plain, string(f.lang)) }

// Shares formats a share count in full with separators.
func (f fmtr) Shares(d decimal.Decimal) string { return money.Group(d.Round(0).String()) }

// Pct formats a percentage held in percent (12.5 → "12.50%").
func (f fmtr) Pct(d decimal.Decimal) string { return d.StringFixed(2) + "%" }

// Frac formats a fraction as a percentage (0.125 → "12.5%").
func (f fmtr) Frac(v float64) string { return chart.Format(v, chart.Percent, string(f.lang)) }

// Sci formats a physical magnitude ("6.2e23").
func (f fmtr) Sci(v float64) string { return chart.Format(v, chart.Sci, string(f.lang)) }

// Fixed formats v with prec decimals.
func (f fmtr) Fixed(v float64, prec int) string { return strconv.FormatFloat(v, 'f', prec, 64) }

// GB formats bytes as GB (1e9).
func (f fmtr) GB(b float64) string { return strconv.FormatFloat(b/1e9, 'f', 1, 64) + " GB" }

// MoneyIn is Money with the currency as text (templates).
func (f fmtr) MoneyIn(c string, d decimal.Decimal) string { return f.Money(money.Currency(c), d) }

// ExactIn is Exact with the currency as text (templates).
func (f fmtr) ExactIn(c string, d decimal.Decimal) string { return f.Exact(money.Currency(c), d) }
