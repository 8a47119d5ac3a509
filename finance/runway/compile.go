package runway

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

var (
	one     = decimal.NewFromInt(1)
	twelve  = decimal.NewFromInt(12)
	minusOk = decimal.NewFromInt(-1) // the lowest growth rate accepted (-100%)
)

// model is a validated plan: everything parsed, months as indices from the
// plan start.
type model struct {
	name     string
	currency money.Currency
	start    Month
	n        int
	opening  decimal.Decimal

	roles    []role
	compute  []line
	other    []line
	revenue  revenueModel
	inflows  []inflow
	raise    raiseModel
	scenario map[string]scenarioModel
}

type role struct {
	name         string
	cost         decimal.Decimal
	count        int
	from         int
	hires        []hire
	salaryGrowth decimal.Decimal
}

type hire struct{ at, count int }

type lineKind int

const (
	lump lineKind = iota
	recurring
	revenueShare
	perUser
)

type line struct {
	name     string
	kind     lineKind
	at       int // lump month
	amount   decimal.Decimal
	growth   decimal.Decimal
	from, to int
}

type revenueModel struct {
	from        int
	mrr         decimal.Decimal
	growth      decimal.Decimal
	churn       decimal.Decimal
	values      []decimal.Decimal
	users       decimal.Decimal
	usersGrowth decimal.Decimal
}

type inflow struct {
	name     string
	kind     string
	at       int
	amount   decimal.Decimal
	rate     decimal.Decimal
	term, io int
}

type raiseModel struct {
	raiseMonths, bufferMonths int
	milestoneAt               int // -1: by MRR
	milestoneMRR              decimal.Decimal
	hasMRR                    bool
	margin                    decimal.Decimal
	extraMonths               int
}

type scenarioModel struct{ growth, costs decimal.Decimal }

// errs collects validation errors, each prefixed with where it is.
type errs []string

func (e *errs) add(where, format string, a ...any) {
	*e = append(*e, where+": "+fmt.Sprintf(format, a...))
}

func (e errs) err() error {
	if len(e) == 0 {
		return nil
	}
	return errors.New(strings.Join(e, "\n"))
}

// Validate checks a plan and returns every problem found, one per line,
// each naming the field (e.g. "costs.compute[1] (H100 training run): month
// 2027-13 is not a month").
func (p *Plan) Validate() error {
	_, err := compile(p)
	return err
}

func compile(p *Plan) (*model, error) {
	var e errs
	m := &model{name: p.Name}
	if strings.TrimSpace(p.Currency) == "" {
		e.add("currency", "missing (want an ISO 4217 code such as CNY or USD)")
	} else if c, err := money.ParseCurrency(p.Currency); err != nil {
		e.add("currency", "%v", err)
	} else {
		m.currency = c
	}
	if strings.TrimSpace(p.Start) == "" {
		e.add("start", "missing (want the first month, e.g. 2026-01)")
		return nil, e.err()
	}
	start, err := ParseMonth(p.Start)
	if err != nil {
		e.add("start", "%v", err)
		return nil, e.err()
	}
	m.start = start
	m.n = p.Months
	switch {
	case p.Months == 0:
		m.n = DefaultMonths
	case p.Months < 0:
		e.add("months", "%d is negative", p.Months)
		m.n = DefaultMonths
	case p.Months > MaxMonths:
		e.add("months", "%d is longer than the %d months (20 years) a plan may cover", p.Months, MaxMonths)
		m.n = MaxMonths
	}
	end := start + Month(m.n-1)

	// month parses a month inside the plan; optional months may be empty.
	month := func(where, field, s string, def int) int {
		if strings.TrimSpace(s) == "" {
			return def
		}
		mo, err := ParseMonth(s)
		if err != nil {
			e.add(where, "%s: %v", field, err)
			return def
		}
		if mo < start || mo > end {
			e.add(where, "%s: month %s is outside the plan (%s … %s)", field, mo, start, end)
			return def
		}
		return int(mo - start)
	}
	amount := func(where, field string, n Num, required bool) decimal.Decimal {
		if !n.set() {
			if required {
				e.add(where, "%s: missing", field)
			}
			return decimal.Zero
		}
		d, err := n.amount()
		if err != nil {
			e.add(where, "%s: %v", field, err)
			return decimal.Zero
		}
		if d.IsNegative() {
			e.add(where, "%s: %s is negative", field, d)
			return decimal.Zero
		}
		return d
	}
	// rate parses a rate; growth rates may be negative down to -100%.
	rate := func(where, field string, n Num, allowNegative bool) decimal.Decimal {
		if !n.set() {
			return decimal.Zero
		}
		d, err := n.rate()
		if err != nil {
			e.add(where, "%s: %v", field, err)
			return decimal.Zero
		}
		if allowNegative && d.LessThan(minusOk) {
			e.add(where, "%s: %s is below -100%%", field, pct(d))
			return decimal.Zero
		}
		if !allowNegative && d.IsNegative() {
			e.add(where, "%s: %s is negative", field, pct(d))
			return decimal.Zero
		}
		return d
	}

	if !p.OpeningCash.set() {
		e.add("opening_cash", "missing")
	} else if d, err := p.OpeningCash.amount(); err != nil {
		e.add("opening_cash", "%v", err)
	} else {
		m.opening = d // may be negative: an overdraft
	}

	for i, r := range p.Costs.Headcount {
		where := fmt.Sprintf("costs.headcount[%d]", i)
		if r.Role != "" {
			where += " (" + r.Role + ")"
		}
		ro := role{name: r.Role, count: r.Count}
		if ro.name == "" {
			ro.name = fmt.Sprintf("role %d", i+1)
		}
		ro.cost = amount(where, "monthly_cost", r.MonthlyCost, true)
		if r.Count < 0 {
			e.add(where, "count: %d is negative", r.Count)
		}
		ro.from = month(where, "start", r.Start, 0)
		ro.salaryGrowth = rate(where, "salary_growth", r.SalaryGrowth, true)
		last := -1
		for j, h := range r.Hires {
			hw := fmt.Sprintf("%s.hires[%d]", where, j)
			if strings.TrimSpace(h.Month) == "" {
				e.add(hw, "month: missing")
				continue
			}
			at := month(hw, "month", h.Month, -1)
			if at < 0 {
				continue
			}
			if at < last {
				e.add(hw, "month %s comes before the previous hire's; list hires in month order", start+Month(at))
			}
			last = at
			if h.Count <= 0 {
				e.add(hw, "count: %d is not a positive number of people", h.Count)
			}
			ro.hires = append(ro.hires, hire{at, h.Count})
		}
		m.roles = append(m.roles, ro)
	}
	hasUsers := p.Revenue.Users.set()
	parseLines := func(group string, ls []CostLine) []line {
		var out []line
		for i, l := range ls {
			where := fmt.Sprintf("costs.%s[%d]", group, i)
			if l.Name != "" {
				where += " (" + l.Name + ")"
			}
			li := line{name: l.Name, from: 0, to: m.n - 1}
			if li.name == "" {
				li.name = fmt.Sprintf("%s %d", group, i+1)
			}
			gpu := l.GPUHours.set() || l.PricePerGPUHour.set()
			var gpuCost decimal.Decimal
			if gpu {
				h := amount(where, "gpu_hours", l.GPUHours, true)
				pr := amount(where, "price_per_gpu_hour", l.PricePerGPUHour, true)
				gpuCost = h.Mul(pr)
			}
			forms := 0
			for _, b := range []bool{strings.TrimSpace(l.Month) != "", l.Monthly.set() || (gpu && strings.TrimSpace(l.Month) == ""), l.ShareOfRevenue.set(), l.PerUser.set()} {
				if b {
					forms++
				}
			}
			if forms != 1 {
				e.add(where, "give exactly one of: month (a lump, with amount or gpu_hours × price_per_gpu_hour), monthly (or gpu_hours per month), share_of_revenue, per_user")
				continue
			}
			switch {
			case strings.TrimSpace(l.Month) != "":
				li.kind = lump
				li.at = month(where, "month", l.Month, -1)
				if li.at < 0 {
					continue
				}
				switch {
				case gpu && l.Amount.set():
					e.add(where, "give amount or gpu_hours × price_per_gpu_hour, not both")
				case gpu:
					li.amount = gpuCost
				default:
					li.amount = amount(where, "amount", l.Amount, true)
				}
			case l.ShareOfRevenue.set():
				li.kind = revenueShare
				li.amount = rate(where, "share_of_revenue", l.ShareOfRevenue, false)
			case l.PerUser.set():
				li.kind = perUser
				li.amount = amount(where, "per_user", l.PerUser, true)
				if !hasUsers {
					e.add(where, "per_user: the revenue section gives no users")
				}
			default:
				li.kind = recurring
				if gpu && l.Monthly.set() {
					e.add(where, "give monthly or gpu_hours × price_per_gpu_hour, not both")
				} else if gpu {
					li.amount = gpuCost
				} else {
					li.amount = amount(where, "monthly", l.Monthly, true)
				}
				li.growth = rate(where, "growth", l.Growth, true)
			}
			if li.kind != lump {
				li.from = month(where, "from", l.From, 0)
				li.to = month(where, "to", l.To, m.n-1)
				if li.to < li.from {
					e.add(where, "to %s comes before from %s", start+Month(li.to), start+Month(li.from))
				}
			} else if l.From != "" || l.To != "" || l.Growth.set() {
				e.add(where, "a lump in one month takes no from, to or growth")
			}
			if l.Amount.set() && li.kind != lump {
				e.add(where, "amount is for a lump in one month; use monthly for a recurring cost")
			}
			out = append(out, li)
		}
		return out
	}
	m.compute = parseLines("compute", p.Costs.Compute)
	m.other = parseLines("other", p.Costs.Other)

	rv := p.Revenue
	m.revenue.from = month("revenue", "start", rv.Start, 0)
	m.revenue.growth = rate("revenue", "growth", rv.Growth, true)
	m.revenue.churn = rate("revenue", "churn", rv.Churn, false)
	if m.revenue.churn.GreaterThan(one) {
		e.add("revenue", "churn: %s is above 100%%", pct(m.revenue.churn))
	}
	if m.revenue.growth.Sub(m.revenue.churn).LessThan(minusOk) {
		e.add("revenue", "growth − churn is below -100%%")
	}
	if rv.MRR.set() && len(rv.Values) > 0 {
		e.add("revenue", "give mrr or values, not both")
	}
	m.revenue.mrr = amount("revenue", "mrr", rv.MRR, false)
	for i, v := range rv.Values {
		m.revenue.values = append(m.revenue.values, amount("revenue", fmt.Sprintf("values[%d]", i), v, true))
	}
	if len(rv.Values) > m.n-m.revenue.from {
		e.add("revenue", "values: %d values run past the plan's last month %s", len(rv.Values), end)
	}
	m.revenue.users = amount("revenue", "users", rv.Users, false)
	m.revenue.usersGrowth = rate("revenue", "users_growth", rv.UsersGrowth, true)

	for i, in := range p.Inflows {
		where := fmt.Sprintf("inflows[%d]", i)
		if in.Name != "" {
			where += " (" + in.Name + ")"
		}
		f := inflow{name: in.Name, kind: strings.ToLower(strings.TrimSpace(in.Kind))}
		if f.name == "" {
			f.name = fmt.Sprintf("inflow %d", i+1)
		}
		switch f.kind {
		case "":
			f.kind = "equity"
		case "equity", "grant", "debt", "other":
		default:
			e.add(where, "kind: %q is not one of equity, grant, debt, other", in.Kind)
		}
		if strings.TrimSpace(in.Month) == "" {
			e.add(where, "month: missing")
		}
		f.at = month(where, "month", in.Month, -1)
		f.amount = amount(where, "amount", in.Amount, true)
		if in.Amount.set() && f.amount.IsZero() {
			e.add(where, "amount: zero")
		}
		if f.kind == "debt" {
			f.rate = rate(where, "rate", in.Rate, false)
			f.term, f.io = in.TermMonths, in.InterestOnlyMonths
			if f.term <= 0 {
				e.add(where, "term_months: %d; a debt draw needs a positive term", f.term)
			}
			if f.io < 0 || (f.term > 0 && f.io >= f.term) {
				e.add(where, "interest_only_months: %d must be at least 0 and below term_months %d", f.io, f.term)
			}
		} else if in.Rate.set() || in.TermMonths != 0 || in.InterestOnlyMonths != 0 {
			e.add(where, "rate, term_months and interest_only_months apply to kind debt only")
		}
		if f.at >= 0 {
			m.inflows = append(m.inflows, f)
		}
	}

	fr := p.Fundraising
	m.raise = raiseModel{raiseMonths: 6, bufferMonths: 6, milestoneAt: m.n - 1, margin: decimal.RequireFromString("0.25"), extraMonths: fr.ExtraMonths}
	if fr.RaiseMonths != nil {
		m.raise.raiseMonths = *fr.RaiseMonths
		if *fr.RaiseMonths < 0 || *fr.RaiseMonths > 36 {
			e.add("fundraising", "raise_months: %d is not between 0 and 36", *fr.RaiseMonths)
		}
	}
	if fr.BufferMonths != nil {
		m.raise.bufferMonths = *fr.BufferMonths
		if *fr.BufferMonths < 0 || *fr.BufferMonths > 60 {
			e.add("fundraising", "buffer_months: %d is not between 0 and 60", *fr.BufferMonths)
		}
	}
	if fr.ExtraMonths < 0 {
		e.add("fundraising", "extra_months: %d is negative", fr.ExtraMonths)
	}
	if fr.Margin.set() {
		m.raise.margin = rate("fundraising", "margin", fr.Margin, false)
	}
	switch {
	case fr.Milestone.Month != "" && fr.Milestone.MRR.set():
		e.add("fundraising.milestone", "give month or mrr, not both")
	case fr.Milestone.Month != "":
		m.raise.milestoneAt = month("fundraising.milestone", "month", fr.Milestone.Month, m.n-1)
	case fr.Milestone.MRR.set():
		m.raise.hasMRR = true
		m.raise.milestoneMRR = amount("fundraising.milestone", "mrr", fr.Milestone.MRR, true)
	}

	m.scenario = map[string]scenarioModel{
		"base": {one, one},
		"bull": {decimal.RequireFromString("1.5"), one},
		"bear": {decimal.RequireFromString("0.5"), decimal.RequireFromString("1.1")},
	}
	names := make([]string, 0, len(p.Scenarios))
	for k := range p.Scenarios {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		s := p.Scenarios[k]
		where := "scenarios." + k
		sm := scenarioModel{one, one}
		if s.Growth.set() {
			sm.growth = amount(where, "growth", s.Growth, true)
		}
		if s.Costs.set() {
			sm.costs = amount(where, "costs", s.Costs, true)
		}
		m.scenario[strings.ToLower(k)] = sm
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	return m, nil
}

// pct formats a fraction as a percentage: 0.155 → "15.5%".
func pct(d decimal.Decimal) string {
	return d.Mul(decimal.NewFromInt(100)).String() + "%"
}
