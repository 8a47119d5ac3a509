package runway

import (
	"math"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// aliveHorizon bounds the default-alive iteration: a company whose money
// lasts 100 years at a shrinking burn is counted alive.
const aliveHorizon = 1200

// AliveInput is Paul Graham's question in numbers: cash in the bank, this
// month's expenses (held constant), this month's revenue and its recent
// monthly growth rate.
type AliveInput struct {
	Cash     decimal.Decimal
	Expenses decimal.Decimal
	Revenue  decimal.Decimal
	Growth   decimal.Decimal
}

// Alive is the default-alive verdict.
type Alive struct {
	// Alive is true when revenue overtakes the constant expenses before the
	// cash runs out.
	Alive bool
	// MonthsToProfit is the number of months until revenue ≥ expenses (0:
	// already profitable); -1 when revenue never catches up (no growth).
	MonthsToProfit int
	// CapitalNeeded is the cash burnt before profitability: the sum of
	// expenses − revenue over the months before MonthsToProfit.
	CapitalNeeded decimal.Decimal
	// Cushion is Cash − CapitalNeeded: to spare when positive, short when
	// negative (zero when never profitable).
	Cushion decimal.Decimal
	// RunwayMonths is, for a dead company, the fractional months until the
	// cash runs out; zero for an alive one.
	RunwayMonths decimal.Decimal
}

// DefaultAlive answers Paul Graham's test ("Default Alive or Default
// Dead?", October 2015, https://paulgraham.com/aord.html): "Assuming their
// expenses remain constant and their revenue growth is what it has been
// over the last several months, do they make it to profitability on the
// money they have left?" It is computed the way Trevor Blackwell's
// calculator (growth.tlb.org, linked from the essay) sets it up —
// revenue R·(1+g)^n against flat expenses E, profitable at the first n with
// R·(1+g)^n ≥ E, capital needed Σ_{k<n} (E − R·(1+g)^k), alive when the
// capital needed is no more than the cash — but month by month in exact
// decimals (each month's revenue rounded to cents) instead of in
// continuous time; BlackwellContinuous is the closed form.
func DefaultAlive(in AliveInput) Alive {
	e, cash := in.Expenses, in.Cash
	step := one.Add(in.Growth)
	f := one
	spent := decimal.Zero
	for n := 0; n <= aliveHorizon; n++ {
		r := in.Revenue.Mul(f).Round(2)
		if r.GreaterThanOrEqual(e) {
			a := Alive{Alive: spent.LessThanOrEqual(cash), MonthsToProfit: n, CapitalNeeded: spent, Cushion: cash.Sub(spent)}
			if !a.Alive {
				a.RunwayMonths = runwayWithin(in, n)
			}
			return a
		}
		spent = spent.Add(e.Sub(r))
		f = f.Mul(step).Round(growthPlaces)
		if !in.Growth.IsPositive() || in.Revenue.IsZero() {
			// revenue never catches up: dead; runway at the current net burn
			// (and, if revenue shrinks, shorter)
			return Alive{MonthsToProfit: -1, RunwayMonths: runwayWithin(in, aliveHorizon)}
		}
	}
	// not profitable within the horizon: alive only if the money outlasts it
	if spent.LessThanOrEqual(cash) {
		return Alive{Alive: true, MonthsToProfit: -1, Cushion: cash.Sub(spent)}
	}
	return Alive{MonthsToProfit: -1, RunwayMonths: runwayWithin(in, aliveHorizon)}
}

// runwayWithin is the fractional month at which cash runs out within the
// first n months of the default-alive trajectory; zero when it does not.
func runwayWithin(in AliveInput, n int) decimal.Decimal {
	if !in.Cash.IsPositive() {
		return decimal.Zero
	}
	bal := in.Cash
	f := one
	step := one.Add(in.Growth)
	for k := 0; k < n; k++ {
		burn := in.Expenses.Sub(in.Revenue.Mul(f).Round(2))
		if burn.GreaterThanOrEqual(bal) && burn.IsPositive() {
			return decimal.NewFromInt(int64(k)).Add(bal.DivRound(burn, 4))
		}
		bal = bal.Sub(burn)
		f = f.Mul(step).Round(growthPlaces)
	}
	return decimal.Zero
}

// Blackwell is the continuous-time form of the default-alive calculation.
type Blackwell struct {
	Alive bool
	// MonthsToProfit is ln(E/R)/ln(1+g); +Inf when never.
	MonthsToProfit float64
	// CapitalNeeded is ∫₀ᵀ (E − R·e^{rt}) dt = E·T − (E − R)/r, r = ln(1+g).
	CapitalNeeded float64
}

// BlackwellContinuous is Trevor Blackwell's growth.tlb.org model in closed
// form: revenue compounds continuously, R·e^{rt} with r = ln(1+g), so the
// answer does not depend on the period the rates are given in. It uses
// floats and serves as an independent check of DefaultAlive.
func BlackwellContinuous(cash, expenses, revenue, growth float64) Blackwell {
	if revenue >= expenses {
		return Blackwell{Alive: true}
	}
	r := math.Log1p(growth)
	if revenue <= 0 || r <= 0 {
		return Blackwell{MonthsToProfit: math.Inf(1), CapitalNeeded: math.Inf(1)}
	}
	t := math.Log(expenses/revenue) / r
	c := expenses*t - (expenses-revenue)/r
	return Blackwell{Alive: c <= cash, MonthsToProfit: t, CapitalNeeded: c}
}

// AliveResult is the default-alive verdict of a projected plan, evaluated
// at the plan start with its first month's expenses and revenue and the
// plan's revenue growth (growth − churn, or, for explicit values, the
// compound growth of the first values).
type AliveResult struct {
	Alive          bool             `json:"alive"`
	Cash           money.Money      `json:"cash"`
	Expenses       money.Money      `json:"expenses"`
	Revenue        money.Money      `json:"revenue"`
	Growth         decimal.Decimal  `json:"monthly_growth"`
	MonthsToProfit *int             `json:"months_to_profit"`
	ProfitMonth    *Month           `json:"profit_month"`
	CapitalNeeded  *money.Money     `json:"capital_needed"`
	Cushion        *money.Money     `json:"cushion"`
	RunwayMonths   *decimal.Decimal `json:"runway_months"`
	Source         string           `json:"source"`
}

func (m *model) defaultAlive(s *series, sc scenarioModel) AliveResult {
	g := m.revenue.growth.Sub(m.revenue.churn).Mul(sc.growth)
	if v := m.revenue.values; len(v) >= 2 {
		k := min(3, len(v)-1)
		if v[0].IsPositive() {
			ratio, _ := v[k].Div(v[0]).Float64()
			g = decimal.NewFromFloat(math.Pow(ratio, 1/float64(k)) - 1).Round(6)
		}
	}
	in := AliveInput{Cash: m.opening, Expenses: s.costs(0), Revenue: s.rev[0], Growth: g}
	a := DefaultAlive(in)
	r := AliveResult{Alive: a.Alive, Cash: m.money(in.Cash), Expenses: m.money(in.Expenses),
		Revenue: m.money(in.Revenue), Growth: g,
		Source: "Paul Graham, Default Alive or Default Dead? (2015), https://paulgraham.com/aord.html; method of Trevor Blackwell's calculator, growth.tlb.org"}
	if a.MonthsToProfit >= 0 {
		n := a.MonthsToProfit
		mo := m.start + Month(n)
		c, cu := m.money(a.CapitalNeeded), m.money(a.Cushion)
		r.MonthsToProfit, r.ProfitMonth, r.CapitalNeeded, r.Cushion = &n, &mo, &c, &cu
	}
	if !a.Alive {
		rm := a.RunwayMonths
		r.RunwayMonths = &rm
	}
	return r
}
