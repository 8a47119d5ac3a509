package valuation

import (
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Number is an exact decimal read from a valuation document: plain numbers
// (2000000, 0.3), strings with thousands separators ("2,000,000",
// "1_000_000") and percentages ("30%" is 0.3), with Set telling a given
// value from an omitted one. It is money.Number.
type Number = money.Number

// ParseNumber reads a Number from text; a trailing "%" divides by 100.
// Exponents, NaN and infinities are rejected. See money.ParseNumber.
func ParseNumber(s string) (Number, error) { return money.ParseNumber(s) }

// Num returns the Number written in s and panics if s is malformed. It is
// meant for literals in code, tests and examples: Num("0.3"), Num("25%").
func Num(s string) Number {
	n, err := ParseNumber(s)
	if err != nil {
		panic("valuation.Num: " + err.Error())
	}
	return n
}

// NumOf wraps an existing decimal as a given Number.
func NumOf(d decimal.Decimal) Number { return money.NumberOf(d) }

// FieldError is a validation error that names where in the document it is,
// e.g. `scorecard.factors[2] (product): comparison 3.5 outside [0, 3]`.
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// errList collects validation errors in document order.
type errList []error

func (l *errList) add(path, format string, args ...any) {
	*l = append(*l, &FieldError{path, fmt.Sprintf(format, args...)})
}

func (l errList) err() error { return errors.Join(l...) }

// precision is the number of decimal places kept by divisions; money is
// rounded to cents only when results are reported.
const precision = 24

var (
	zero    = decimal.Zero
	one     = decimal.NewFromInt(1)
	hundred = decimal.NewFromInt(100)
)

func div(a, b decimal.Decimal) decimal.Decimal { return a.DivRound(b, precision) }

// powInt is x**n for n ≥ 0 by repeated squaring: exact for decimals.
func powInt(x decimal.Decimal, n int) decimal.Decimal {
	r := one
	for n > 0 {
		if n&1 == 1 {
			r = r.Mul(x).Round(precision + 8)
		}
		x = x.Mul(x).Round(precision + 8)
		n >>= 1
	}
	return r
}

// sqrt is the square root of x > 0 by Newton's method in decimals, to
// `precision` places; it keeps the mid-year discount factor free of floats.
func sqrt(x decimal.Decimal) decimal.Decimal {
	if x.Sign() <= 0 {
		return zero
	}
	f, _ := x.Float64()
	g := decimal.NewFromFloat(math.Sqrt(f))
	two := decimal.NewFromInt(2)
	for i := 0; i < 8; i++ {
		g = div(g.Add(div(x, g)), two)
	}
	return g.Round(precision)
}

// ratio rounds a dimensionless result for reporting.
func ratio(d decimal.Decimal) decimal.Decimal { return d.Round(10) }

// m builds a Money in currency c rounded to the minor unit.
func m(d decimal.Decimal, c money.Currency) money.Money { return money.New(d, c).Round() }

func isWholeNumber(d decimal.Decimal) bool { return d.Equal(d.Truncate(0)) }

func decimalInt(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }
