package valuation

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Number is an exact decimal read from a valuation document. It accepts
// plain numbers (2000000, 0.3), strings with thousands separators
// ("2,000,000", "1_000_000") and percentages ("30%" is 0.3). Set tells a
// value that was given (even 0) from one that was left out, so that
// defaults apply only to omitted fields.
type Number struct {
	decimal.Decimal
	Set bool
}

// ParseNumber reads a Number from text; a trailing "%" divides by 100.
// Exponents, NaN and infinities are rejected.
func ParseNumber(s string) (Number, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	d, err := money.ParseAmount(t)
	if err != nil {
		return Number{}, fmt.Errorf("%q is not a decimal number", s)
	}
	if pct {
		d = d.Shift(-2)
	}
	return Number{d, true}, nil
}

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
func NumOf(d decimal.Decimal) Number { return Number{d, true} }

// Or returns n if it was given and def otherwise.
func (n Number) Or(def decimal.Decimal) decimal.Decimal {
	if n.Set {
		return n.Decimal
	}
	return def
}

// UnmarshalYAML implements yaml.Unmarshaler: a scalar, or null for "not given".
func (n *Number) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a number, got a %s", v.Line, yamlKind(v.Kind))
	}
	if v.Tag == "!!null" {
		*n = Number{}
		return nil
	}
	p, err := ParseNumber(v.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", v.Line, err)
	}
	*n = p
	return nil
}

func yamlKind(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "non-scalar"
}

// UnmarshalJSON implements json.Unmarshaler: a JSON number, a string as
// ParseNumber reads it, or null for "not given".
func (n *Number) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "null" {
		*n = Number{}
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	p, err := ParseNumber(s)
	if err != nil {
		return err
	}
	*n = p
	return nil
}

// MarshalJSON writes the number as a decimal string (null when not given),
// so no JSON reader turns it into a float.
func (n Number) MarshalJSON() ([]byte, error) {
	if !n.Set {
		return []byte("null"), nil
	}
	return json.Marshal(n.String())
}

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
