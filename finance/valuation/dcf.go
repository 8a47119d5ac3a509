package valuation

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Terminal-value methods of a DCF.
const (
	TerminalGordon       = "gordon"
	TerminalExitMultiple = "exit_multiple"
)

// TerminalInput is how a DCF values the years after the forecast: Gordon
// growth, FCF_n × (1+g) / (r − g), which needs r > g; or an exit multiple,
// Metric × Multiple (e.g. final-year EBITDA × EV/EBITDA).
type TerminalInput struct {
	Method   string `yaml:"method" json:"method"`
	Growth   Number `yaml:"growth" json:"growth"`
	Metric   Number `yaml:"metric" json:"metric"`
	Multiple Number `yaml:"multiple" json:"multiple"`
}

// DCFInput is a discounted-cash-flow valuation: free cash flows for years
// 1..n, discounted at DiscountRate (the WACC for enterprise value), plus a
// terminal value at the end of year n.
type DCFInput struct {
	CashFlows    []Number      `yaml:"cash_flows" json:"cash_flows"`
	DiscountRate Number        `yaml:"discount_rate" json:"discount_rate"`
	Terminal     TerminalInput `yaml:"terminal" json:"terminal"`
	// MidYear discounts each year's cash flow from the middle of the year
	// (t − ½); the terminal value stays discounted from the end of year n.
	MidYear bool `yaml:"mid_year" json:"mid_year"`
	// NetDebt (debt − cash; negative for net cash) turns enterprise value
	// into equity value.
	NetDebt Number `yaml:"net_debt" json:"net_debt"`
}

// DCFYear is one forecast year.
type DCFYear struct {
	Year           int             `json:"year"`
	CashFlow       money.Money     `json:"cash_flow"`
	DiscountFactor decimal.Decimal `json:"discount_factor"`
	PresentValue   money.Money     `json:"present_value"`
}

// DCFResult is the DCF's answer.
type DCFResult struct {
	Years                 []DCFYear       `json:"years"`
	TerminalMethod        string          `json:"terminal_method"`
	TerminalValue         money.Money     `json:"terminal_value"`
	TerminalPresentValue  money.Money     `json:"terminal_present_value"`
	SumPresentValues      money.Money     `json:"sum_present_values"`
	EnterpriseValue       money.Money     `json:"enterprise_value"`
	NetDebt               money.Money     `json:"net_debt"`
	EquityValue           money.Money     `json:"equity_value"`
	TerminalShareOfValue  decimal.Decimal `json:"terminal_share_of_value"`
	ImpliedExitMultipleFC decimal.Decimal `json:"implied_terminal_multiple_of_final_cash_flow"`
}

// DCF runs the discounted-cash-flow valuation on the document's dcf section.
func DCF(d *Document) (*DCFResult, error) {
	in := d.DCF
	if in == nil {
		return nil, missing("dcf")
	}
	return dcf(in, "dcf", d.Currency)
}

func dcf(in *DCFInput, section string, c money.Currency) (*DCFResult, error) {
	var errs errList
	n := len(in.CashFlows)
	if n == 0 {
		errs.add(section+".cash_flows", "none given: list the free cash flow of each forecast year")
	}
	for i, cf := range in.CashFlows {
		if !cf.Set {
			errs.add(fmt.Sprintf("%s.cash_flows[%d]", section, i), "missing value")
		}
	}
	r := in.DiscountRate
	switch {
	case !r.Set:
		errs.add(section+".discount_rate", "missing")
	case r.Sign() <= 0 || r.GreaterThanOrEqual(one):
		errs.add(section+".discount_rate", "%s outside (0, 1): give a rate such as 0.12 or 12%%", r.String())
	}
	t := in.Terminal
	var tv decimal.Decimal
	switch t.Method {
	case TerminalGordon, "":
		t.Method = TerminalGordon
		if t.Metric.Set || t.Multiple.Set {
			errs.add(section+".terminal", "metric and multiple belong to method exit_multiple, not gordon")
		}
		switch {
		case !t.Growth.Set:
			errs.add(section+".terminal.growth", "missing: the perpetual growth rate g of the Gordon model")
		case r.Set && t.Growth.GreaterThanOrEqual(r.Decimal):
			errs.add(section+".terminal.growth", "growth %s must be below the discount rate %s (Gordon growth needs r > g)", t.Growth.String(), r.String())
		case t.Growth.LessThanOrEqual(one.Neg()):
			errs.add(section+".terminal.growth", "%s must be above -1", t.Growth.String())
		}
		if len(errs) == 0 {
			last := in.CashFlows[n-1].Decimal
			tv = div(last.Mul(one.Add(t.Growth.Decimal)), r.Sub(t.Growth.Decimal))
		}
	case TerminalExitMultiple:
		if t.Growth.Set {
			errs.add(section+".terminal.growth", "belongs to method gordon, not exit_multiple")
		}
		requirePositive(&errs, section+".terminal.metric", t.Metric)
		requirePositive(&errs, section+".terminal.multiple", t.Multiple)
		tv = t.Metric.Mul(t.Multiple.Decimal)
	default:
		errs.add(section+".terminal.method", "%q: want gordon or exit_multiple", t.Method)
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	base := one.Add(r.Decimal)
	half := one
	if in.MidYear {
		half = sqrt(base)
	}
	res := &DCFResult{TerminalMethod: t.Method}
	sum := zero
	for i, cf := range in.CashFlows {
		// (1+r)^(t−½) = (1+r)^t / √(1+r) under the mid-year convention.
		f := div(half, powInt(base, i+1))
		pv := cf.Mul(f)
		sum = sum.Add(pv)
		res.Years = append(res.Years, DCFYear{i + 1, m(cf.Decimal, c), f.Round(10), m(pv, c)})
	}
	tpv := div(tv, powInt(base, n))
	ev := sum.Add(tpv)
	nd := in.NetDebt.Decimal
	res.TerminalValue = m(tv, c)
	res.TerminalPresentValue = m(tpv, c)
	res.SumPresentValues = m(sum, c)
	res.EnterpriseValue = m(ev, c)
	res.NetDebt = m(nd, c)
	res.EquityValue = m(ev.Sub(nd), c)
	if ev.Sign() != 0 {
		res.TerminalShareOfValue = ratio(div(tpv, ev))
	}
	if last := in.CashFlows[n-1].Decimal; last.Sign() != 0 {
		res.ImpliedExitMultipleFC = ratio(div(tv, last))
	}
	return res, nil
}

// ------------------------------------------------------------- First Chicago

// Scenario is one First Chicago outcome: either a Value reached at the
// exit (years from now, see FirstChicagoInput.Years) or its own yearly
// CashFlows plus a TerminalValue at the end of the last year.
type Scenario struct {
	Name          string   `yaml:"name" json:"name"`
	Probability   Number   `yaml:"probability" json:"probability"`
	Value         Number   `yaml:"value" json:"value"`
	CashFlows     []Number `yaml:"cash_flows" json:"cash_flows"`
	TerminalValue Number   `yaml:"terminal_value" json:"terminal_value"`
}

// FirstChicagoInput is the First Chicago method: a probability-weighted
// present value over scenarios (typically best, base and worst case) whose
// probabilities sum to 1.
type FirstChicagoInput struct {
	// DiscountRate discounts scenario values and cash flows (0 = values
	// are already present values).
	DiscountRate Number `yaml:"discount_rate" json:"discount_rate"`
	// Years from now at which each Value is reached (default 0).
	Years     Number     `yaml:"years" json:"years"`
	Scenarios []Scenario `yaml:"scenarios" json:"scenarios"`
}

// ScenarioResult is one scenario's present value and weight.
type ScenarioResult struct {
	Name          string          `json:"name"`
	Probability   decimal.Decimal `json:"probability"`
	PresentValue  money.Money     `json:"present_value"`
	WeightedValue money.Money     `json:"weighted_value"`
}

// FirstChicagoResult is the First Chicago method's answer; Low and High
// are the lowest and highest scenario present values.
type FirstChicagoResult struct {
	Scenarios []ScenarioResult `json:"scenarios"`
	Value     money.Money      `json:"value"`
	Low       money.Money      `json:"low"`
	High      money.Money      `json:"high"`
}

// FirstChicago runs the First Chicago method on the document's
// first_chicago section. Scenario values may be negative (a scenario that
// loses money), probabilities may not.
func FirstChicago(d *Document) (*FirstChicagoResult, error) {
	in := d.FirstChicago
	if in == nil {
		return nil, missing("first_chicago")
	}
	var errs errList
	r := in.DiscountRate.Or(zero)
	if r.Sign() < 0 || r.GreaterThanOrEqual(one) {
		errs.add("first_chicago.discount_rate", "%s outside [0, 1)", r.String())
	}
	years := in.Years.Or(zero)
	if !isWholeNumber(years) || years.Sign() < 0 || years.GreaterThan(decimal.NewFromInt(50)) {
		errs.add("first_chicago.years", "%s: want a whole number of years from 0 to 50", years.String())
	}
	if len(in.Scenarios) == 0 {
		errs.add("first_chicago.scenarios", "none given: list best, base and worst cases with probabilities")
	}
	psum := zero
	for i, s := range in.Scenarios {
		path := fmt.Sprintf("first_chicago.scenarios[%d] (%s)", i, s.Name)
		switch {
		case !s.Probability.Set:
			errs.add(path, "probability missing")
		case s.Probability.Sign() < 0 || s.Probability.GreaterThan(one):
			errs.add(path, "probability %s outside [0, 1]", s.Probability.String())
		}
		psum = psum.Add(s.Probability.Decimal)
		hasFlows := len(s.CashFlows) > 0 || s.TerminalValue.Set
		switch {
		case s.Value.Set && hasFlows:
			errs.add(path, "give value or cash_flows with terminal_value, not both")
		case !s.Value.Set && !hasFlows:
			errs.add(path, "value missing (or give cash_flows and terminal_value)")
		case hasFlows && r.Sign() == 0:
			errs.add(path, "cash_flows need first_chicago.discount_rate")
		}
		for j, cf := range s.CashFlows {
			if !cf.Set {
				errs.add(fmt.Sprintf("%s.cash_flows[%d]", path, j), "missing value")
			}
		}
	}
	if len(in.Scenarios) > 0 && !psum.Equal(one) {
		errs.add("first_chicago.scenarios", "probabilities sum to %s, want 1", psum.String())
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	c := d.Currency
	base := one.Add(r)
	res := &FirstChicagoResult{}
	total := zero
	var lo, hi decimal.Decimal
	for i, s := range in.Scenarios {
		var pv decimal.Decimal
		if s.Value.Set {
			pv = div(s.Value.Decimal, powInt(base, int(years.IntPart())))
		} else {
			for j, cf := range s.CashFlows {
				pv = pv.Add(div(cf.Decimal, powInt(base, j+1)))
			}
			pv = pv.Add(div(s.TerminalValue.Decimal, powInt(base, len(s.CashFlows))))
		}
		w := pv.Mul(s.Probability.Decimal)
		total = total.Add(w)
		if i == 0 || pv.LessThan(lo) {
			lo = pv
		}
		if i == 0 || pv.GreaterThan(hi) {
			hi = pv
		}
		res.Scenarios = append(res.Scenarios, ScenarioResult{s.Name, s.Probability.Decimal, m(pv, c), m(w, c)})
	}
	res.Value, res.Low, res.High = m(total, c), m(lo, c), m(hi, c)
	return res, nil
}
