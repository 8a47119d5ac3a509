package runway

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// growthPlaces is the precision kept for compounding factors between
// months; amounts are rounded to cents after the factor is applied.
const growthPlaces = 18

// Options select how a plan is projected.
type Options struct {
	// Scenario is base (default), bull, bear or one the plan defines.
	Scenario string
	// RaiseMonths, when positive, overrides fundraising.raise_months.
	RaiseMonths int
}

// Row is one month of the projection. Costs = Headcount + Compute + Other
// (gross burn); NetBurn = Costs − Revenue; Financing = inflows − debt
// service; Cash is the closing balance.
type Row struct {
	Month     Month       `json:"month"`
	Revenue   money.Money `json:"revenue"`
	Headcount money.Money `json:"headcount"`
	Compute   money.Money `json:"compute"`
	Other     money.Money `json:"other"`
	Costs     money.Money `json:"costs"`
	NetBurn   money.Money `json:"net_burn"`
	Financing money.Money `json:"financing"`
	Cash      money.Money `json:"cash"`
	// People is the headcount in the month.
	People int `json:"people"`
}

// Burn summarises the burn rate.
type Burn struct {
	// Gross and Net are the first month's costs and costs − revenue.
	Gross money.Money `json:"gross"`
	Net   money.Money `json:"net"`
	// NetAvg3 is the mean net burn of the first three months.
	NetAvg3 money.Money `json:"net_avg3"`
	// SimpleRunway is opening cash ÷ first month's net burn, the textbook
	// formula; nil when net burn is not positive.
	SimpleRunway *decimal.Decimal `json:"simple_runway_months"`
}

// Runway is how long the cash lasts in the projection (inflows included).
type Runway struct {
	// Months is the fractional number of months from the plan start until
	// cash reaches zero, assuming spending is even within a month; when the
	// cash outlasts the plan it is the plan length and Survives is true.
	Months decimal.Decimal `json:"months"`
	// OutOfCash is the month during which the balance reaches zero; nil
	// when it does not within the plan.
	OutOfCash *Month `json:"out_of_cash"`
	Survives  bool   `json:"survives_plan"`
}

// Result is a projected plan.
type Result struct {
	Name        string          `json:"name"`
	Scenario    string          `json:"scenario"`
	Currency    money.Currency  `json:"currency"`
	Start       Month           `json:"start"`
	OpeningCash money.Money     `json:"opening_cash"`
	Rows        []Row           `json:"rows"`
	Burn        Burn            `json:"burn"`
	Runway      Runway          `json:"runway"`
	BreakEven   *Month          `json:"break_even"`
	Alive       AliveResult     `json:"default_alive"`
	Fundraising FundraisingPlan `json:"fundraising"`
}

// Project validates p and projects it month by month.
func Project(p *Plan, o Options) (*Result, error) {
	m, err := compile(p)
	if err != nil {
		return nil, err
	}
	name := strings.ToLower(strings.TrimSpace(o.Scenario))
	if name == "" {
		name = "base"
	}
	sc, ok := m.scenario[name]
	if !ok {
		var names []string
		for k := range m.scenario {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("scenario %q: not defined (have %s)", o.Scenario, strings.Join(names, ", "))
	}
	if o.RaiseMonths < 0 || o.RaiseMonths > 36 {
		return nil, fmt.Errorf("raise months %d: not between 0 and 36", o.RaiseMonths)
	}
	if o.RaiseMonths > 0 {
		m.raise.raiseMonths = o.RaiseMonths
	}
	s := m.simulate(sc)
	r := &Result{Name: m.name, Scenario: name, Currency: m.currency, Start: m.start,
		OpeningCash: m.money(m.opening)}
	for i := 0; i < m.n; i++ {
		r.Rows = append(r.Rows, Row{
			Month: m.start + Month(i), Revenue: m.money(s.rev[i]),
			Headcount: m.money(s.head[i]), Compute: m.money(s.comp[i]), Other: m.money(s.other[i]),
			Costs: m.money(s.costs(i)), NetBurn: m.money(s.costs(i).Sub(s.rev[i])),
			Financing: m.money(s.fin[i]), Cash: m.money(s.cash[i]), People: s.people[i],
		})
	}
	r.Burn = m.burn(s)
	r.Runway = m.runway(s.cash)
	for i := 0; i < m.n; i++ {
		if s.rev[i].IsPositive() && s.rev[i].GreaterThanOrEqual(s.costs(i)) {
			mo := m.start + Month(i)
			r.BreakEven = &mo
			break
		}
	}
	r.Alive = m.defaultAlive(s, sc)
	r.Fundraising = m.fundraising(s, r.Runway)
	return r, nil
}

func (m *model) money(d decimal.Decimal) money.Money { return money.New(d, m.currency) }

// series is the simulated plan, one value per month.
type series struct {
	rev, head, comp, other, fin, cash []decimal.Decimal
	people                            []int
}

func (s *series) costs(i int) decimal.Decimal { return s.head[i].Add(s.comp[i]).Add(s.other[i]) }

// compound returns base·(1+g)^k for k = 0..n-1, each rounded to cents.
func compound(base, g decimal.Decimal, n int) []decimal.Decimal {
	out := make([]decimal.Decimal, n)
	f := one
	step := one.Add(g)
	for k := 0; k < n; k++ {
		out[k] = base.Mul(f).Round(2)
		f = f.Mul(step).Round(growthPlaces)
	}
	return out
}

func (m *model) simulate(sc scenarioModel) *series {
	n := m.n
	s := &series{}
	for _, p := range []*[]decimal.Decimal{&s.rev, &s.head, &s.comp, &s.other, &s.fin, &s.cash} {
		*p = make([]decimal.Decimal, n)
	}
	s.people = make([]int, n)

	// Revenue.
	rv := m.revenue
	net := rv.growth.Sub(rv.churn).Mul(sc.growth)
	if net.LessThan(minusOk) {
		net = minusOk
	}
	if len(rv.values) > 0 {
		for k, v := range rv.values {
			if rv.from+k < n {
				s.rev[rv.from+k] = v.Round(2)
			}
		}
		last := rv.values[len(rv.values)-1]
		tail := compound(last, net, n+1)
		for i := rv.from + len(rv.values); i < n; i++ {
			s.rev[i] = tail[i-rv.from-len(rv.values)+1]
		}
	} else {
		c := compound(rv.mrr, net, n)
		for i := rv.from; i < n; i++ {
			s.rev[i] = c[i-rv.from]
		}
	}
	ug := rv.usersGrowth.Mul(sc.growth)
	if ug.LessThan(minusOk) {
		ug = minusOk
	}
	users := compound(rv.users, ug, n)

	// Headcount.
	for _, ro := range m.roles {
		raise := compound(one, ro.salaryGrowth, n/12+1)
		for i := 0; i < n; i++ {
			c := 0
			if i >= ro.from {
				c = ro.count
			}
			for _, h := range ro.hires {
				if h.at <= i {
					c += h.count
				}
			}
			s.people[i] += c
			if c > 0 {
				unit := ro.cost.Mul(raise[i/12]).Mul(sc.costs)
				s.head[i] = s.head[i].Add(unit.Mul(decimal.NewFromInt(int64(c))).Round(2))
			}
		}
	}
	// Compute and other costs.
	lines := func(ls []line, out []decimal.Decimal) {
		for _, l := range ls {
			switch l.kind {
			case lump:
				out[l.at] = out[l.at].Add(l.amount.Mul(sc.costs).Round(2))
			case recurring:
				c := compound(l.amount.Mul(sc.costs), l.growth, l.to-l.from+1)
				for i := l.from; i <= l.to; i++ {
					out[i] = out[i].Add(c[i-l.from])
				}
			case revenueShare:
				for i := l.from; i <= l.to; i++ {
					out[i] = out[i].Add(s.rev[i].Mul(l.amount).Mul(sc.costs).Round(2))
				}
			case perUser:
				for i := l.from; i <= l.to; i++ {
					out[i] = out[i].Add(users[i].Mul(l.amount).Mul(sc.costs).Round(2))
				}
			}
		}
	}
	lines(m.compute, s.comp)
	lines(m.other, s.other)

	// Financing: inflows and debt service.
	for _, f := range m.inflows {
		s.fin[f.at] = s.fin[f.at].Add(f.amount)
		if f.kind != "debt" {
			continue
		}
		for i, pay := range debtService(f) {
			if f.at+1+i < n {
				s.fin[f.at+1+i] = s.fin[f.at+1+i].Sub(pay)
			}
		}
	}
	cash := m.opening
	for i := 0; i < n; i++ {
		cash = cash.Add(s.rev[i]).Sub(s.costs(i)).Add(s.fin[i])
		s.cash[i] = cash
	}
	return s
}

// debtService is the schedule of payments (interest + principal) for a debt
// draw, one per month after the draw: interest on the outstanding balance
// at rate/12, rounded to cents; interest only for f.io months; then equal
// principal instalments, the last one taking the rounding remainder.
func debtService(f inflow) []decimal.Decimal {
	out := make([]decimal.Decimal, f.term)
	bal := f.amount
	monthly := f.rate.Div(twelve)
	amort := f.term - f.io
	inst := f.amount.Div(decimal.NewFromInt(int64(amort))).Round(2)
	for j := 0; j < f.term; j++ {
		interest := bal.Mul(monthly).Round(2)
		pay := interest
		if j >= f.io {
			p := inst
			if j == f.term-1 {
				p = bal
			}
			bal = bal.Sub(p)
			pay = pay.Add(p)
		}
		out[j] = pay
	}
	return out
}

func (m *model) burn(s *series) Burn {
	b := Burn{Gross: m.money(s.costs(0)), Net: m.money(s.costs(0).Sub(s.rev[0]))}
	k := min(3, m.n)
	sum := decimal.Zero
	for i := 0; i < k; i++ {
		sum = sum.Add(s.costs(i).Sub(s.rev[i]))
	}
	b.NetAvg3 = m.money(sum.DivRound(decimal.NewFromInt(int64(k)), 2))
	if b.Net.Amount.IsPositive() {
		r := m.opening.DivRound(b.Net.Amount, 2)
		b.SimpleRunway = &r
	}
	return b
}

// runwayOf finds, in closing balances cash (starting from opening), the
// fractional month at which the balance reaches zero: the first month k
// whose closing balance is ≤ 0 while the month before was positive is
// reached after k + before/(before − after) months. It returns -1 when the
// balance stays positive.
func runwayOf(opening decimal.Decimal, cash []decimal.Decimal) (decimal.Decimal, int) {
	if !opening.IsPositive() {
		return decimal.Zero, 0
	}
	prev := opening
	for k, c := range cash {
		if !c.IsPositive() {
			frac := prev.DivRound(prev.Sub(c), 4)
			return decimal.NewFromInt(int64(k)).Add(frac), k
		}
		prev = c
	}
	return decimal.Zero, -1
}

func (m *model) runway(cash []decimal.Decimal) Runway {
	months, k := runwayOf(m.opening, cash)
	if k < 0 {
		return Runway{Months: decimal.NewFromInt(int64(m.n)), Survives: true}
	}
	mo := m.start + Month(k)
	return Runway{Months: months, OutOfCash: &mo}
}
