// Package runway projects a startup's monthly plan — headcount, compute,
// other costs, revenue and one-off inflows — into a month-by-month cash
// table, and answers the questions founders ask of it: how much do we burn,
// how many months of runway are left and in which month does the money run
// out, are we default alive or default dead (Paul Graham, "Default Alive or
// Default Dead?", October 2015, https://paulgraham.com/aord.html), when is
// break-even, when must we start raising at the latest, and how much should
// we raise to reach the next milestone.
//
// All money is exact decimal (shopspring/decimal) in the plan's single
// currency; each month's line items are rounded to the currency's minor unit
// (cents / 分) so that every row of the table reconciles to the cent:
//
//	cash(t) = cash(t-1) + revenue(t) - costs(t) + financing(t)
//
// Floats appear only in BlackwellContinuous, the closed-form cross-check.
package runway

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// MaxMonths is the longest plan accepted (20 years).
const MaxMonths = 240

// DefaultMonths is the plan length when a plan does not give one.
const DefaultMonths = 36

// Month is a calendar month, counted as year*12 + (month-1).
type Month int

// ParseMonth reads "2026-01" (YYYY-MM).
func ParseMonth(s string) (Month, error) {
	t := strings.TrimSpace(s)
	y, m, ok := strings.Cut(t, "-")
	if !ok || len(y) != 4 || len(m) < 1 || len(m) > 2 {
		return 0, fmt.Errorf("month %q is not a month (want YYYY-MM, e.g. 2026-01)", s)
	}
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || yi < 1900 || yi > 2999 {
		return 0, fmt.Errorf("month %q is not a month (want YYYY-MM, e.g. 2026-01)", s)
	}
	if mi < 1 || mi > 12 {
		return 0, fmt.Errorf("month %s is not a month", t)
	}
	return Month(yi*12 + mi - 1), nil
}

// Year is the calendar year.
func (m Month) Year() int { return int(m) / 12 }

// Num is the month of the year, 1–12.
func (m Month) Num() int { return int(m)%12 + 1 }

// String formats as "2026-01".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year(), m.Num()) }

// MarshalText implements encoding.TextMarshaler ("2026-01").
func (m Month) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *Month) UnmarshalText(b []byte) error {
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Plan is the monthly plan document (YAML or JSON; see
// docs/formats/finance-runway.md). Amounts and rates are kept as the text
// the user wrote and are checked by Validate, so that an error can name the
// field it is about.
type Plan struct {
	Name        string              `yaml:"name" json:"name"`
	Currency    string              `yaml:"currency" json:"currency"`
	Start       string              `yaml:"start" json:"start"`
	Months      int                 `yaml:"months" json:"months"`
	OpeningCash Num                 `yaml:"opening_cash" json:"opening_cash"`
	Costs       Costs               `yaml:"costs" json:"costs"`
	Revenue     Revenue             `yaml:"revenue" json:"revenue"`
	Inflows     []Inflow            `yaml:"inflows" json:"inflows"`
	Fundraising Fundraising         `yaml:"fundraising" json:"fundraising"`
	Scenarios   map[string]Scenario `yaml:"scenarios" json:"scenarios"`
}

// Costs groups the plan's cost lines.
type Costs struct {
	Headcount []Role     `yaml:"headcount" json:"headcount"`
	Compute   []CostLine `yaml:"compute" json:"compute"`
	Other     []CostLine `yaml:"other" json:"other"`
}

// Role is one line of the headcount plan: Count people from Start (default:
// the plan start) plus Hires, each at MonthlyCost fully loaded (salary,
// social insurance / benefits, taxes, equipment). SalaryGrowth is an annual
// raise applied on each anniversary of the plan start.
type Role struct {
	Role         string `yaml:"role" json:"role"`
	MonthlyCost  Num    `yaml:"monthly_cost" json:"monthly_cost"`
	Count        int    `yaml:"count" json:"count"`
	Start        string `yaml:"start" json:"start"`
	Hires        []Hire `yaml:"hires" json:"hires"`
	SalaryGrowth Num    `yaml:"salary_growth" json:"salary_growth"`
}

// Hire adds Count people to a role from Month on.
type Hire struct {
	Month string `yaml:"month" json:"month"`
	Count int    `yaml:"count" json:"count"`
}

// CostLine is a compute or other cost in exactly one of four forms:
//
//   - a lump in one month: Month with Amount, or GPUHours × PricePerGPUHour
//     (a training run);
//   - recurring: Monthly, or GPUHours × PricePerGPUHour per month, from From
//     to To (default: the whole plan), growing by Growth a month;
//   - proportional to revenue: ShareOfRevenue (e.g. "30%" for inference);
//   - proportional to users: PerUser × the revenue section's users.
type CostLine struct {
	Name            string `yaml:"name" json:"name"`
	Month           string `yaml:"month" json:"month"`
	Amount          Num    `yaml:"amount" json:"amount"`
	Monthly         Num    `yaml:"monthly" json:"monthly"`
	GPUHours        Num    `yaml:"gpu_hours" json:"gpu_hours"`
	PricePerGPUHour Num    `yaml:"price_per_gpu_hour" json:"price_per_gpu_hour"`
	Growth          Num    `yaml:"growth" json:"growth"`
	From            string `yaml:"from" json:"from"`
	To              string `yaml:"to" json:"to"`
	ShareOfRevenue  Num    `yaml:"share_of_revenue" json:"share_of_revenue"`
	PerUser         Num    `yaml:"per_user" json:"per_user"`
}

// Revenue is monthly recurring revenue from Start (default: the plan
// start): either MRR growing by Growth and shrinking by Churn each month
// (net monthly factor 1 + Growth − Churn), or explicit Values month by month
// from Start, continued after the last value at Growth − Churn. Users and
// UsersGrowth drive per-user cost lines.
type Revenue struct {
	Start       string `yaml:"start" json:"start"`
	MRR         Num    `yaml:"mrr" json:"mrr"`
	Growth      Num    `yaml:"growth" json:"growth"`
	Churn       Num    `yaml:"churn" json:"churn"`
	Values      []Num  `yaml:"values" json:"values"`
	Users       Num    `yaml:"users" json:"users"`
	UsersGrowth Num    `yaml:"users_growth" json:"users_growth"`
}

// Inflow is a one-off cash inflow: a closed round (kind equity), a grant, a
// venture-debt or bank-loan draw (kind debt), or other. A debt draw is
// repaid over TermMonths: interest at Rate (annual, on the outstanding
// balance, Rate/12 a month) every month, interest only for the first
// InterestOnlyMonths, then equal principal instalments.
type Inflow struct {
	Name               string `yaml:"name" json:"name"`
	Kind               string `yaml:"kind" json:"kind"`
	Month              string `yaml:"month" json:"month"`
	Amount             Num    `yaml:"amount" json:"amount"`
	Rate               Num    `yaml:"rate" json:"rate"`
	TermMonths         int    `yaml:"term_months" json:"term_months"`
	InterestOnlyMonths int    `yaml:"interest_only_months" json:"interest_only_months"`
}

// Fundraising holds the assumptions of the fundraising-timing answer.
type Fundraising struct {
	// RaiseMonths is how long a round takes from first meeting to money in
	// the bank; default 6.
	RaiseMonths *int `yaml:"raise_months" json:"raise_months"`
	// BufferMonths is the runway that must remain when the round closes;
	// default 6.
	BufferMonths *int `yaml:"buffer_months" json:"buffer_months"`
	// Milestone is what the round must reach; default the plan's last month.
	Milestone Milestone `yaml:"milestone" json:"milestone"`
	// Margin is the safety margin on the amount needed; default 25%.
	Margin Num `yaml:"margin" json:"margin"`
	// ExtraMonths adds that many months of net burn after the milestone.
	ExtraMonths int `yaml:"extra_months" json:"extra_months"`
}

// Milestone is a month, or the first month revenue reaches an MRR target.
type Milestone struct {
	Month string `yaml:"month" json:"month"`
	MRR   Num    `yaml:"mrr" json:"mrr"`
}

// Scenario multiplies the plan's revenue (and user) growth rates and all of
// its costs. The built-in scenarios are base (1, 1), bull (growth ×1.5) and
// bear (growth ×0.5, costs ×1.1); a plan may redefine them or add others.
type Scenario struct {
	Growth Num `yaml:"growth" json:"growth"`
	Costs  Num `yaml:"costs" json:"costs"`
}

// Num is a decimal amount or rate as written in a document: a number, or a
// string such as "1,200,000" or "15%". JSON numbers are accepted too. It is
// kept as text (see money.Literal) so that Validate can name the field.
type Num string

// UnmarshalJSON accepts a JSON number or string.
func (n *Num) UnmarshalJSON(b []byte) error {
	var l money.Literal
	if err := l.UnmarshalJSON(b); err != nil {
		return err
	}
	*n = Num(l.Text)
	return nil
}

// set reports whether a value was given.
func (n Num) set() bool { return strings.TrimSpace(string(n)) != "" }

// amount parses an amount (no percent sign).
func (n Num) amount() (decimal.Decimal, error) {
	s := strings.TrimSpace(string(n))
	if strings.HasSuffix(s, "%") {
		return decimal.Decimal{}, fmt.Errorf("%q is a percentage, want an amount", s)
	}
	return money.ParseAmount(s)
}

// rate parses "15%" as 0.15 and "0.15" as 0.15.
func (n Num) rate() (decimal.Decimal, error) {
	s := strings.TrimSpace(string(n))
	d, err := money.ParseFraction(s)
	switch {
	case err == nil:
		return d, nil
	case strings.HasSuffix(s, "%"):
		return decimal.Decimal{}, fmt.Errorf("%q is not a percentage", s)
	}
	return decimal.Decimal{}, fmt.Errorf("%q is not a rate (want e.g. 15%% or 0.15)", s)
}
