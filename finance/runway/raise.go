package runway

import (
	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// FundraisingPlan is the fundraising timing a projection implies.
//
// Timing: the round must close while BufferMonths of runway remain, so it
// closes at the latest at the start of month floor(runway − BufferMonths)
// (CloseBy) and the founders must start raising RaiseMonths before that
// (StartBy). When that is already past, StartBy is the plan's first month
// and LateByMonths says by how much.
//
// Size: Needed is the deepest cash shortfall up to the milestone month (the
// money the company is short of reaching it); Raise = Needed × (1 + Margin)
// + ExtraMonths × the milestone month's net burn. For18Months and
// For24Months size the round by the "raise 18–24 months of runway" rule of
// thumb: the amount that, added at CloseBy (or the plan start when the cash
// never runs out), keeps the balance at or above zero for 18 (24) months;
// past the plan's end the last month's net burn is assumed to continue.
type FundraisingPlan struct {
	RaiseMonths      int              `json:"raise_months"`
	BufferMonths     int              `json:"buffer_months"`
	CloseBy          *Month           `json:"close_by"`
	StartBy          *Month           `json:"start_by"`
	LateByMonths     int              `json:"late_by_months"`
	Milestone        string           `json:"milestone"`
	MilestoneMonth   *Month           `json:"milestone_month"`
	MilestoneReached bool             `json:"milestone_reached"`
	Needed           money.Money      `json:"needed"`
	Margin           decimal.Decimal  `json:"margin"`
	MarginAmount     money.Money      `json:"margin_amount"`
	ExtraMonths      int              `json:"extra_months"`
	ExtraAmount      money.Money      `json:"extra_amount"`
	Raise            money.Money      `json:"raise"`
	RunwayAfterRaise *decimal.Decimal `json:"runway_after_raise_months"`
	// SurvivesAfterRaise: with the raise, the cash never runs out (within
	// the plan and 20 years of its last month's burn).
	SurvivesAfterRaise bool        `json:"survives_after_raise"`
	For18Months        money.Money `json:"for_18_months"`
	For24Months        money.Money `json:"for_24_months"`
}

// extendedCash returns closing balances for months 0..n+extra-1: the
// projection, then the last month's net burn repeated with no financing.
func (m *model) extendedCash(s *series, extra int) []decimal.Decimal {
	out := append([]decimal.Decimal(nil), s.cash...)
	last := s.costs(m.n - 1).Sub(s.rev[m.n-1])
	bal := s.cash[m.n-1]
	for k := 0; k < extra; k++ {
		bal = bal.Sub(last)
		out = append(out, bal)
	}
	return out
}

// shortfall is max(0, −min cash[from..to]).
func shortfall(cash []decimal.Decimal, from, to int) decimal.Decimal {
	worst := decimal.Zero
	for k := from; k <= to && k < len(cash); k++ {
		if cash[k].LessThan(worst) {
			worst = cash[k]
		}
	}
	return worst.Neg()
}

func (m *model) fundraising(s *series, rw Runway) FundraisingPlan {
	rm := m.raise
	f := FundraisingPlan{RaiseMonths: rm.raiseMonths, BufferMonths: rm.bufferMonths,
		Margin: rm.margin, ExtraMonths: rm.extraMonths}
	closeIdx := 0
	if !rw.Survives {
		c := rw.Months.Sub(decimal.NewFromInt(int64(rm.bufferMonths))).Floor().IntPart()
		st := c - int64(rm.raiseMonths)
		if c < 0 {
			c = 0
		}
		closeIdx = int(c)
		cb := m.start + Month(c)
		f.CloseBy = &cb
		if st < 0 {
			f.LateByMonths = int(-st)
			st = 0
		}
		sb := m.start + Month(st)
		f.StartBy = &sb
	}

	// Milestone.
	mi := rm.milestoneAt
	f.MilestoneReached = true
	if rm.hasMRR {
		f.Milestone = "MRR ≥ " + m.money(rm.milestoneMRR).String()
		mi = m.n - 1
		f.MilestoneReached = false
		for i := 0; i < m.n; i++ {
			if s.rev[i].GreaterThanOrEqual(rm.milestoneMRR) {
				mi, f.MilestoneReached = i, true
				break
			}
		}
	} else {
		f.Milestone = (m.start + Month(mi)).String()
	}
	mo := m.start + Month(mi)
	f.MilestoneMonth = &mo

	need := shortfall(s.cash, 0, mi)
	marginAmt := need.Mul(rm.margin).Round(2)
	netAtMilestone := s.costs(mi).Sub(s.rev[mi])
	if netAtMilestone.IsNegative() {
		netAtMilestone = decimal.Zero
	}
	extra := netAtMilestone.Mul(decimal.NewFromInt(int64(rm.extraMonths)))
	raise := need.Add(marginAmt).Add(extra)
	f.Needed, f.MarginAmount, f.ExtraAmount, f.Raise = m.money(need), m.money(marginAmt), m.money(extra), m.money(raise)

	ext := m.extendedCash(s, 24+MaxMonths)
	f.For18Months = m.money(shortfall(ext, closeIdx, closeIdx+17))
	f.For24Months = m.money(shortfall(ext, closeIdx, closeIdx+23))
	if raise.IsPositive() {
		opening := m.opening
		if closeIdx > 0 {
			opening = ext[closeIdx-1]
		}
		after := make([]decimal.Decimal, 0, len(ext)-closeIdx)
		for _, c := range ext[closeIdx:] {
			after = append(after, c.Add(raise))
		}
		if months, k := runwayOf(opening.Add(raise), after); k >= 0 {
			f.RunwayAfterRaise = &months
		} else {
			f.SurvivesAfterRaise = true
		}
	}
	return f
}
