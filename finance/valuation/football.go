package valuation

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// FootballFieldInput chooses the methods to combine and how wide the bar of
// a method that yields a single value is.
type FootballFieldInput struct {
	// Methods to include (names as in Methods); default: every method
	// whose section the document has.
	Methods []string `yaml:"methods" json:"methods"`
	// Spread is the ± fraction around a point estimate (default 0.2, i.e.
	// ±20%). Multiples use their quartiles and First Chicago its lowest and
	// highest scenario instead.
	Spread Number `yaml:"spread" json:"spread"`
}

// Bar is one method's range, shaped for a horizontal bar chart: Low ≤ Mid ≤ High.
// Every bar is a pre-money-equivalent value of the company today: the VC
// method's pre-money, the angel methods' pre-money, First Chicago's value,
// DCF equity value and multiples' value (equity when net debt is given).
type Bar struct {
	Method string      `json:"method"`
	Low    money.Money `json:"low"`
	Mid    money.Money `json:"mid"`
	High   money.Money `json:"high"`
}

// Field is the football field: the bars and the overall range, from the
// lowest Low to the highest High, with the mean of the bars' Mids.
type Field struct {
	Currency money.Currency `json:"currency"`
	Bars     []Bar          `json:"bars"`
	Overall  Bar            `json:"overall"`
}

// FootballField runs the chosen methods and combines their ranges.
func FootballField(d *Document) (*Field, error) {
	ff := d.FootballField
	if ff == nil {
		ff = &FootballFieldInput{}
	}
	spread := ff.Spread.Or(decimal.RequireFromString("0.2"))
	if spread.Sign() < 0 || spread.GreaterThanOrEqual(one) {
		return nil, &FieldError{"football_field.spread", fmt.Sprintf("%s outside [0, 1)", spread.String())}
	}
	methods := ff.Methods
	if len(methods) == 0 {
		for _, name := range Methods {
			if d.has(name) {
				methods = append(methods, name)
			}
		}
		if len(methods) == 0 {
			return nil, &FieldError{"football_field", "the document has no method sections to combine"}
		}
	}
	c := d.Currency
	point := func(name string, v money.Money) Bar {
		w := v.Amount.Abs().Mul(spread)
		return Bar{name, m(v.Amount.Sub(w), c), v, m(v.Amount.Add(w), c)}
	}
	f := &Field{Currency: c}
	seen := map[string]bool{}
	for i, name := range methods {
		if seen[name] {
			return nil, &FieldError{fmt.Sprintf("football_field.methods[%d]", i), fmt.Sprintf("%q listed twice", name)}
		}
		seen[name] = true
		var b Bar
		switch name {
		case MethodVC:
			r, err := VC(d)
			if err != nil {
				return nil, err
			}
			b = point(name, r.PreMoney)
		case MethodScorecard:
			r, err := Scorecard(d)
			if err != nil {
				return nil, err
			}
			b = point(name, r.PreMoney)
		case MethodBerkus:
			r, err := Berkus(d)
			if err != nil {
				return nil, err
			}
			b = point(name, r.PreMoney)
		case MethodRiskFactor:
			r, err := RiskFactorSummation(d)
			if err != nil {
				return nil, err
			}
			b = point(name, r.PreMoney)
		case MethodFirstChicago:
			r, err := FirstChicago(d)
			if err != nil {
				return nil, err
			}
			b = Bar{name, r.Low, r.Value, r.High}
		case MethodDCF:
			r, err := DCF(d)
			if err != nil {
				return nil, err
			}
			b = point(name, r.EquityValue)
		case MethodMultiples:
			r, err := Multiples(d)
			if err != nil {
				return nil, err
			}
			b = Bar{name, r.Low, r.Mid, r.High}
		default:
			return nil, &FieldError{fmt.Sprintf("football_field.methods[%d]", i), fmt.Sprintf("unknown method %q; want one of %s", name, strings.Join(Methods, ", "))}
		}
		f.Bars = append(f.Bars, b)
	}
	lo, hi, sum := f.Bars[0].Low.Amount, f.Bars[0].High.Amount, zero
	for _, b := range f.Bars {
		if b.Low.Amount.LessThan(lo) {
			lo = b.Low.Amount
		}
		if b.High.Amount.GreaterThan(hi) {
			hi = b.High.Amount
		}
		sum = sum.Add(b.Mid.Amount)
	}
	f.Overall = Bar{"overall", m(lo, c), m(div(sum, decimal.NewFromInt(int64(len(f.Bars)))), c), m(hi, c)}
	return f, nil
}

func (d *Document) has(method string) bool {
	switch method {
	case MethodVC:
		return d.VC != nil
	case MethodScorecard:
		return d.Scorecard != nil
	case MethodBerkus:
		return d.Berkus != nil
	case MethodRiskFactor:
		return d.RiskFactor != nil
	case MethodFirstChicago:
		return d.FirstChicago != nil
	case MethodDCF:
		return d.DCF != nil
	case MethodMultiples:
		return d.Multiples != nil
	}
	return false
}
