package runway

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ip(n int) *int { return &n }

// flat is a plan with constant costs and revenue, the shape of the
// textbook burn-rate examples.
func flat(cash, costs, revenue string, months int) *Plan {
	return &Plan{Name: "flat", Currency: "USD", Start: "2026-01", Months: months, OpeningCash: Num(cash),
		Costs:   Costs{Other: []CostLine{{Name: "all costs", Monthly: Num(costs)}}},
		Revenue: Revenue{MRR: Num(revenue)}}
}

// TestPublishedRunwayExamples reproduces published burn-rate worked
// examples:
//   - calculatorjar.com "Burn Rate Calculator" default example: cash
//     $500,000, gross burn $75,000/mo, revenue $25,000/mo → net burn
//     $50,000, runway 10.0 months, cash timeline from $500,000 in Jan 2026
//     to $0 at the start of Nov 2026 (so the money is used up during
//     October, our out-of-cash month);
//   - costcalculator.calculator.city "How Is Burn Rate Typically
//     Calculated?": $40,000 salaries + $5,000 rent + $5,000 servers = $50,000
//     gross burn, $15,000 revenue → $35,000 net burn; $350,000 cash → 10
//     months;
//   - logicify.com dictionary "Burn Rate": $30,000 spent, $10,000 revenue
//     → gross $30,000, net $20,000; $500,000 at $50,000 a month → 10 months.
func TestPublishedRunwayExamples(t *testing.T) {
	cost35 := &Plan{Name: "cc", Currency: "USD", Start: "2026-01", Months: 12, OpeningCash: "350000",
		Costs: Costs{Headcount: []Role{{Role: "team", MonthlyCost: "40000", Count: 1}},
			Compute: []CostLine{{Name: "servers/marketing", Monthly: "5000"}},
			Other:   []CostLine{{Name: "rent", Monthly: "5000"}}},
		Revenue: Revenue{MRR: "15000"}}
	for _, tc := range []struct {
		name                   string
		plan                   *Plan
		gross, net, runway, oo string
	}{
		{"calculatorjar", flat("500000", "75000", "25000", 24), "75000", "50000", "10", "2026-10"},
		{"costcalculator", cost35, "50000", "35000", "10", "2026-10"},
		{"logicify-net", flat("500000", "30000", "10000", 36), "30000", "20000", "25", "2028-01"},
		{"logicify-runway", flat("500000", "50000", "0", 24), "50000", "50000", "10", "2026-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Project(tc.plan, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Burn.Gross.Amount.Equal(d(tc.gross)) || !r.Burn.Net.Amount.Equal(d(tc.net)) {
				t.Errorf("burn gross %s net %s, want %s %s", r.Burn.Gross, r.Burn.Net, tc.gross, tc.net)
			}
			if !r.Runway.Months.Equal(d(tc.runway)) || r.Burn.SimpleRunway == nil || !r.Burn.SimpleRunway.Equal(d(tc.runway)) {
				t.Errorf("runway %s (simple %v), want %s", r.Runway.Months, r.Burn.SimpleRunway, tc.runway)
			}
			if r.Runway.OutOfCash == nil || r.Runway.OutOfCash.String() != tc.oo {
				t.Errorf("out of cash %v, want %s", r.Runway.OutOfCash, tc.oo)
			}
		})
	}
	// calculatorjar's timeline: closing balance after Jan is $450,000, … ,
	// after Oct $0.
	r, _ := Project(flat("500000", "75000", "25000", 12), Options{})
	for i, want := range []string{"450000", "400000", "350000", "300000", "250000", "200000", "150000", "100000", "50000", "0"} {
		if !r.Rows[i].Cash.Amount.Equal(d(want)) {
			t.Errorf("%s closing cash %s, want %s", r.Rows[i].Month, r.Rows[i].Cash, want)
		}
	}
}

// TestDefaultAliveByHand checks the discrete test against a hand
// calculation: E = 10,000, R = 5,000, g = 10%: revenues 5,000, 5,500,
// 6,050, 6,655, 7,320.50, 8,052.55, 8,857.81, 9,743.59, then 10,717.94 ≥
// 10,000 in month 8; capital needed 8 × 10,000 − 57,179.45 = 22,820.55.
// With 20,000 of cash the balance after five months is 525.50 and month 5
// burns 1,947.45, so the money lasts 5 + 525.50/1,947.45 = 5.2698 months.
func TestDefaultAliveByHand(t *testing.T) {
	for _, tc := range []struct {
		cash          string
		alive         bool
		months        int
		capital, runw string
	}{
		{"100000", true, 8, "22820.55", "0"},
		{"22820.55", true, 8, "22820.55", "0"},
		{"22820.54", false, 8, "22820.55", "8"},
		{"20000", false, 8, "22820.55", "5.2698"},
	} {
		a := DefaultAlive(AliveInput{Cash: d(tc.cash), Expenses: d("10000"), Revenue: d("5000"), Growth: d("0.1")})
		if a.Alive != tc.alive || a.MonthsToProfit != tc.months || !a.CapitalNeeded.Equal(d(tc.capital)) || !a.RunwayMonths.Equal(d(tc.runw)) {
			t.Errorf("cash %s: got %+v, want alive=%v months=%d capital=%s runway=%s", tc.cash, a, tc.alive, tc.months, tc.capital, tc.runw)
		}
	}
	// No growth, no revenue: dead, runway = cash / expenses.
	a := DefaultAlive(AliveInput{Cash: d("90000"), Expenses: d("30000"), Revenue: d("0"), Growth: d("0.2")})
	if a.Alive || a.MonthsToProfit != -1 || !a.RunwayMonths.Equal(d("3")) {
		t.Errorf("pre-revenue: %+v", a)
	}
	// Already profitable: alive at month 0.
	a = DefaultAlive(AliveInput{Cash: d("0"), Expenses: d("30000"), Revenue: d("30000")})
	if !a.Alive || a.MonthsToProfit != 0 {
		t.Errorf("profitable: %+v", a)
	}
}

// TestBlackwellReference reproduces Trevor Blackwell's calculator
// (growth.tlb.org) at its default inputs — expenses $1,600/week, revenue
// $100/week, growth 2.5%/week — whose answer is profitability after 25.82
// months and $118,908 of capital needed. (Reference values as recorded by
// an independent re-implementation's test of that calculator,
// "TLB reference (growth.tlb.org defaults, monthly)", since the live page
// cannot be fetched here; they also follow from the closed form by hand:
// T = ln 16 / ln 1.025 = 112.28 weeks, C = 1600·T − 1500/ln 1.025.)
func TestBlackwellReference(t *testing.T) {
	wpm := 365.2425 / 7 / 12 // weeks per month
	b := BlackwellContinuous(0, 1600*wpm, 100*wpm, math.Pow(1.025, wpm)-1)
	if math.Abs(b.MonthsToProfit-25.823576392986606) > 1e-6 || math.Abs(b.CapitalNeeded-118907.70751121586) > 1 || b.Alive {
		t.Errorf("got %+v, want 25.8236 months, $118,908, dead with no cash", b)
	}
	// The same in weekly units gives the same capital.
	w := BlackwellContinuous(118908, 1600, 100, 0.025)
	if math.Abs(w.CapitalNeeded-118907.70751121586) > 1 || !w.Alive {
		t.Errorf("weekly: %+v", w)
	}
}

// TestDiscreteAgreesWithContinuous: the month-by-month decimal test and the
// continuous closed form give the same verdict whenever the cash is not
// within 15% of the capital needed (the two differ by about half a month of
// burn, which is where the models may disagree).
func TestDiscreteAgreesWithContinuous(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	checked := 0
	for i := 0; i < 300; i++ {
		e := 10000 + rng.Float64()*90000
		r := e * (0.05 + 0.9*rng.Float64())
		g := 0.01 + 0.2*rng.Float64()
		cash := rng.Float64() * 1.5e6
		b := BlackwellContinuous(cash, e, r, g)
		if math.Abs(cash-b.CapitalNeeded) < 0.15*b.CapitalNeeded+e {
			continue
		}
		in := AliveInput{Cash: decimal.NewFromFloat(cash).Round(2), Expenses: decimal.NewFromFloat(e).Round(2),
			Revenue: decimal.NewFromFloat(r).Round(2), Growth: decimal.NewFromFloat(g).Round(6)}
		a := DefaultAlive(in)
		if a.Alive != b.Alive || math.Abs(float64(a.MonthsToProfit)-b.MonthsToProfit) > 1 {
			t.Errorf("E=%.0f R=%.0f g=%.3f cash=%.0f: discrete %+v, continuous %+v", e, r, g, cash, a, b)
		}
		checked++
	}
	if checked < 100 {
		t.Fatalf("only %d cases checked", checked)
	}
}

// randomPlan builds a plan exercising every kind of line.
func randomPlan(rng *rand.Rand) *Plan {
	amt := func(lo, hi int) Num { return Num(decimal.NewFromInt(int64(lo + rng.IntN(hi-lo))).String()) }
	rate := func(lo, hi int) Num { return Num(decimal.NewFromInt(int64(lo+rng.IntN(hi-lo))).String() + "%") }
	p := &Plan{Name: "random", Currency: "CNY", Start: "2026-03", Months: 12 + rng.IntN(48), OpeningCash: amt(0, 50_000_000),
		Costs: Costs{
			Headcount: []Role{{Role: "eng", MonthlyCost: amt(30_000, 90_000), Count: 1 + rng.IntN(5),
				Hires: []Hire{{Month: "2026-06", Count: 2}, {Month: "2027-01", Count: 1}}, SalaryGrowth: rate(0, 15)}},
			Compute: []CostLine{
				{Name: "training", Month: "2026-08", GPUHours: amt(1000, 200_000), PricePerGPUHour: "14.5"},
				{Name: "cluster", Monthly: amt(10_000, 500_000), Growth: rate(-5, 10)},
				{Name: "inference", ShareOfRevenue: rate(5, 40)},
				{Name: "per user", PerUser: "0.35"}},
			Other: []CostLine{{Name: "rent", Monthly: amt(10_000, 200_000), From: "2026-05"}},
		},
		Revenue: Revenue{MRR: amt(0, 2_000_000), Growth: rate(-5, 25), Churn: rate(0, 5), Users: amt(100, 100_000), UsersGrowth: rate(0, 20)},
		Inflows: []Inflow{{Name: "A", Kind: "equity", Month: "2026-10", Amount: amt(1, 80_000_000)},
			{Name: "debt", Kind: "debt", Month: "2026-07", Amount: amt(1, 10_000_000), Rate: rate(5, 15), TermMonths: 24, InterestOnlyMonths: 6}},
	}
	return p
}

// TestCashIdentity is the property cash(t) = cash(t−1) + revenue − costs +
// financing, exactly, with costs the sum of the groups.
func TestCashIdentity(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 60; i++ {
		p := randomPlan(rng)
		for _, sc := range []string{"base", "bull", "bear"} {
			r, err := Project(p, Options{Scenario: sc})
			if err != nil {
				t.Fatal(err)
			}
			prev := r.OpeningCash.Amount
			for _, row := range r.Rows {
				if !row.Costs.Amount.Equal(row.Headcount.Amount.Add(row.Compute.Amount).Add(row.Other.Amount)) {
					t.Fatalf("%s: costs %s ≠ sum of groups", row.Month, row.Costs)
				}
				if !row.NetBurn.Amount.Equal(row.Costs.Amount.Sub(row.Revenue.Amount)) {
					t.Fatalf("%s: net burn %s ≠ costs − revenue", row.Month, row.NetBurn)
				}
				want := prev.Add(row.Revenue.Amount).Sub(row.Costs.Amount).Add(row.Financing.Amount)
				if !row.Cash.Amount.Equal(want) {
					t.Fatalf("%s: cash %s, want %s", row.Month, row.Cash, want)
				}
				if row.Cash.Amount.Exponent() < -2 {
					t.Fatalf("%s: cash %s has fractions of a cent", row.Month, row.Cash.Amount)
				}
				prev = row.Cash.Amount
			}
		}
	}
}

// TestRunwayMonotoneInCash: more opening cash never shortens the runway.
func TestRunwayMonotoneInCash(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 40; i++ {
		p := randomPlan(rng)
		prev := decimal.NewFromInt(-1)
		for _, c := range []string{"0", "1000", "100000", "1000000", "5000000", "20000000", "100000000"} {
			p.OpeningCash = Num(c)
			r, err := Project(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Runway.Months.LessThan(prev) {
				t.Fatalf("plan %d: runway %s with cash %s < %s with less", i, r.Runway.Months, c, prev)
			}
			prev = r.Runway.Months
		}
	}
}

func TestDebtService(t *testing.T) {
	// 1,200,000 at 12% a year over 12 months, 3 interest-only: 1% a month.
	s := debtService(inflow{amount: d("1200000"), rate: d("0.12"), term: 12, io: 3})
	if !s[0].Equal(d("12000")) || !s[2].Equal(d("12000")) {
		t.Errorf("interest-only payments %s %s, want 12000", s[0], s[2])
	}
	// first amortising month: interest 12,000 + principal 133,333.33
	if !s[3].Equal(d("145333.33")) {
		t.Errorf("month 4 payment %s, want 145333.33", s[3])
	}
	total := decimal.Zero
	for _, p := range s {
		total = total.Add(p)
	}
	// principal back in full plus interest: 3×12,000 + Σ interest on the
	// declining balance (12,000 + 10,666.67 + … + 1,333.33 = 60,000.00)
	if !total.Equal(d("1296000")) {
		t.Errorf("total repaid %s, want 1296000.00", total)
	}
}

// TestFundraisingTiming: $1,000,000 burning $50,000 a month lasts 20
// months; with 6 months to raise and 6 of buffer the round must close by
// month 14 (2027-03) and raising must start by month 8 (2026-09).
// Reaching 2027-12 needs 24 × 50,000 − 1,000,000 = 200,000; with 25%
// margin, raise 250,000, which from the close (300,000 left) buys 11
// months. 18 months from the close needs 32 × 50,000 − 1,000,000 = 600,000
// and 24 months 900,000.
func TestFundraisingTiming(t *testing.T) {
	p := flat("1000000", "50000", "0", 24)
	r, err := Project(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := r.Fundraising
	if f.CloseBy.String() != "2027-03" || f.StartBy.String() != "2026-09" || f.LateByMonths != 0 {
		t.Errorf("close by %v start by %v late %d", f.CloseBy, f.StartBy, f.LateByMonths)
	}
	for _, c := range []struct {
		name string
		got  decimal.Decimal
		want string
	}{{"needed", f.Needed.Amount, "200000"}, {"margin", f.MarginAmount.Amount, "50000"}, {"raise", f.Raise.Amount, "250000"},
		{"18", f.For18Months.Amount, "600000"}, {"24", f.For24Months.Amount, "900000"}} {
		if !c.got.Equal(d(c.want)) {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
	if f.RunwayAfterRaise == nil || !f.RunwayAfterRaise.Equal(d("11")) {
		t.Errorf("runway after raise %v, want 11", f.RunwayAfterRaise)
	}
	// Taking 12 months to raise: already 4 months late.
	r, _ = Project(p, Options{RaiseMonths: 18})
	if r.Fundraising.LateByMonths != 4 || r.Fundraising.StartBy.String() != "2026-01" {
		t.Errorf("raise 18 months: late %d start %v", r.Fundraising.LateByMonths, r.Fundraising.StartBy)
	}
	// An MRR milestone.
	p.Revenue = Revenue{MRR: "10000", Growth: "20%"}
	p.Fundraising.Milestone = Milestone{MRR: "50000"}
	p.Fundraising.Margin = "0"
	p.Fundraising.ExtraMonths = 2
	r, _ = Project(p, Options{})
	// 10,000 × 1.2^9 = 51,597.82 ≥ 50,000 in month 9 (2026-10): profitable
	// from then on, and the deepest balance is never negative.
	if !r.Fundraising.MilestoneReached || r.Fundraising.MilestoneMonth.String() != "2026-10" || !r.Fundraising.Needed.Amount.IsZero() {
		t.Errorf("MRR milestone: %+v", r.Fundraising)
	}
	if r.BreakEven == nil || r.BreakEven.String() != "2026-10" {
		t.Errorf("break-even %v, want 2026-10", r.BreakEven)
	}
	if !r.Alive.Alive {
		t.Errorf("growing 20%%/month from 10,000 against 50,000 with 1,000,000: want default alive, got %+v", r.Alive)
	}
}

func TestScenarios(t *testing.T) {
	p := flat("1000000", "50000", "10000", 24)
	p.Revenue.Growth = "10%"
	base, _ := Project(p, Options{})
	bull, _ := Project(p, Options{Scenario: "bull"})
	bear, _ := Project(p, Options{Scenario: "BEAR"})
	last := len(base.Rows) - 1
	if !bull.Rows[last].Revenue.Amount.GreaterThan(base.Rows[last].Revenue.Amount) || !bear.Rows[last].Revenue.Amount.LessThan(base.Rows[last].Revenue.Amount) {
		t.Error("bull revenue should exceed base, bear fall below")
	}
	if !bear.Rows[0].Costs.Amount.Equal(d("55000")) {
		t.Errorf("bear costs %s, want 55000 (×1.1)", bear.Rows[0].Costs)
	}
	p.Scenarios = map[string]Scenario{"crunch": {Growth: "0", Costs: "0.8"}}
	c, err := Project(p, Options{Scenario: "crunch"})
	if err != nil || !c.Rows[5].Revenue.Amount.Equal(d("10000")) || !c.Rows[0].Costs.Amount.Equal(d("40000")) {
		t.Errorf("custom scenario: %v %v", err, c)
	}
	if _, err := Project(p, Options{Scenario: "moon"}); err == nil || !strings.Contains(err.Error(), `"moon"`) {
		t.Errorf("unknown scenario error %v", err)
	}
}

func TestRevenueValuesAndCosts(t *testing.T) {
	p := &Plan{Currency: "¥", Start: "2026-01", Months: 6, OpeningCash: "1,000,000",
		Costs: Costs{
			Headcount: []Role{{Role: "eng", MonthlyCost: "10000", Count: 2, Hires: []Hire{{Month: "2026-03", Count: 1}}}},
			Compute: []CostLine{{Name: "run", Month: "2026-02", GPUHours: "1000", PricePerGPUHour: "12.5"},
				{Name: "inference", ShareOfRevenue: "50%"}},
		},
		Revenue: Revenue{Start: "2026-02", Values: []Num{"1000", "2000"}, Growth: "10%"},
	}
	r, err := Project(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantRev := []string{"0", "1000", "2000", "2200", "2420", "2662"}
	wantComp := []string{"0", "13000", "1000", "1100", "1210", "1331"}
	wantHead := []string{"20000", "20000", "30000", "30000", "30000", "30000"}
	for i := range wantRev {
		if !r.Rows[i].Revenue.Amount.Equal(d(wantRev[i])) || !r.Rows[i].Compute.Amount.Equal(d(wantComp[i])) || !r.Rows[i].Headcount.Amount.Equal(d(wantHead[i])) {
			t.Errorf("%s: revenue %s compute %s headcount %s", r.Rows[i].Month, r.Rows[i].Revenue, r.Rows[i].Compute, r.Rows[i].Headcount)
		}
	}
	if r.Currency != "CNY" || r.Rows[2].People != 3 {
		t.Errorf("currency %s people %d", r.Currency, r.Rows[2].People)
	}
}

func TestValidationErrors(t *testing.T) {
	good := func() *Plan { return flat("1000", "10", "0", 12) }
	for _, tc := range []struct {
		name string
		edit func(p *Plan)
		want string
	}{
		{"missing currency", func(p *Plan) { p.Currency = "" }, "currency: missing"},
		{"bad currency", func(p *Plan) { p.Currency = "dollars" }, "currency: "},
		{"missing start", func(p *Plan) { p.Start = "" }, "start: missing"},
		{"bad start", func(p *Plan) { p.Start = "2026-00" }, "start: month 2026-00 is not a month"},
		{"too long", func(p *Plan) { p.Months = 300 }, "months: 300 is longer than the 240 months"},
		{"negative cost", func(p *Plan) { p.Costs.Other[0].Monthly = "-5" }, "costs.other[0] (all costs): monthly: -5 is negative"},
		{"bad month", func(p *Plan) {
			p.Costs.Compute = []CostLine{{Name: "a", Monthly: "1"}, {Name: "H100 training run", Month: "2027-13", Amount: "5"}}
		}, "costs.compute[1] (H100 training run): month: month 2027-13 is not a month"},
		{"outside plan", func(p *Plan) { p.Costs.Compute = []CostLine{{Name: "run", Month: "2030-01", Amount: "5"}} }, "month 2030-01 is outside the plan (2026-01 … 2026-12)"},
		{"from after to", func(p *Plan) { p.Costs.Other[0].From, p.Costs.Other[0].To = "2026-09", "2026-03" }, "to 2026-03 comes before from 2026-09"},
		{"hires out of order", func(p *Plan) {
			p.Costs.Headcount = []Role{{Role: "eng", MonthlyCost: "1", Hires: []Hire{{Month: "2026-05", Count: 1}, {Month: "2026-02", Count: 1}}}}
		}, "costs.headcount[0] (eng).hires[1]: month 2026-02 comes before the previous hire's"},
		{"growth below -100%", func(p *Plan) { p.Revenue.Growth = "-150%" }, "revenue: growth: -150% is below -100%"},
		{"cost growth below -100%", func(p *Plan) { p.Costs.Other[0].Growth = "-1.5" }, "growth: -150% is below -100%"},
		{"two forms", func(p *Plan) { p.Costs.Other[0].ShareOfRevenue = "5%" }, "give exactly one of"},
		{"per user without users", func(p *Plan) { p.Costs.Other[0] = CostLine{Name: "u", PerUser: "1"} }, "the revenue section gives no users"},
		{"missing opening cash", func(p *Plan) { p.OpeningCash = "" }, "opening_cash: missing"},
		{"not a number", func(p *Plan) { p.OpeningCash = "lots" }, `opening_cash: "lots" is not a decimal amount`},
		{"debt without term", func(p *Plan) { p.Inflows = []Inflow{{Name: "vd", Kind: "debt", Month: "2026-02", Amount: "10"}} }, "inflows[0] (vd): term_months: 0"},
		{"bad kind", func(p *Plan) { p.Inflows = []Inflow{{Kind: "gift", Month: "2026-02", Amount: "10"}} }, `inflows[0]: kind: "gift"`},
		{"rate on equity", func(p *Plan) { p.Inflows = []Inflow{{Kind: "equity", Month: "2026-02", Amount: "10", Rate: "5%"}} }, "apply to kind debt only"},
		{"milestone both", func(p *Plan) { p.Fundraising.Milestone = Milestone{Month: "2026-05", MRR: "10"} }, "fundraising.milestone: give month or mrr"},
		{"raise months", func(p *Plan) { p.Fundraising.RaiseMonths = ip(-1) }, "fundraising: raise_months: -1"},
		{"scenario", func(p *Plan) { p.Scenarios = map[string]Scenario{"x": {Costs: "-1"}} }, "scenarios.x: costs: -1 is negative"},
		{"values past end", func(p *Plan) { p.Revenue = Revenue{Start: "2026-12", Values: []Num{"1", "2"}} }, "values: 2 values run past"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good()
			tc.edit(p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if _, perr := Project(p, Options{}); perr == nil {
				t.Error("Project accepted an invalid plan")
			}
		})
	}
	if err := good().Validate(); err != nil {
		t.Errorf("good plan: %v", err)
	}
}

func TestParseMonth(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{{"2026-01", "2026-01", true}, {"2026-1", "2026-01", true}, {" 2027-12 ", "2027-12", true},
		{"2027-13", "", false}, {"2027-0", "", false}, {"27-01", "", false}, {"2027/01", "", false}, {"", "", false}} {
		m, err := ParseMonth(tc.in)
		if (err == nil) != tc.ok || (tc.ok && m.String() != tc.want) {
			t.Errorf("ParseMonth(%q) = %v, %v", tc.in, m, err)
		}
	}
	var m Month
	if err := m.UnmarshalText([]byte("2026-07")); err != nil || m.Num() != 7 || m.Year() != 2026 {
		t.Errorf("UnmarshalText: %v %v", m, err)
	}
}
