package waterfall

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Choice is what a preferred class or SAFE did at the exit.
type Choice string

// The choices a Decision reports.
const (
	// ChoicePreference: a non-participating class took its preference.
	ChoicePreference Choice = "preference"
	// ChoiceParticipate: a participating class took its preference and
	// participated, below any cap.
	ChoiceParticipate Choice = "participate"
	// ChoiceCapped: a capped participating class stopped at its cap.
	ChoiceCapped Choice = "capped"
	// ChoiceConvert: the class converted to common (or the SAFE took its
	// Conversion Amount).
	ChoiceConvert Choice = "convert"
	// ChoiceCashOut: the SAFE took its Cash-Out Amount.
	ChoiceCashOut Choice = "cash_out"
)

// Row kinds in ClassPayout.Kind and Line.Kind besides Common and Preferred.
const (
	KindSAFE    = "safe"
	KindDebt    = "debt"
	KindOptions = "options"
)

// Result is the waterfall at one exit value. Money amounts are decimal
// strings in JSON, in Currency, rounded to cents; Payout columns sum to
// Exit exactly.
type Result struct {
	// Currency of every amount.
	Currency money.Currency `json:"currency"`
	// Exit is the exit value distributed (net proceeds to securityholders).
	Exit decimal.Decimal `json:"exit"`
	// CommonPerShare is the value of one common share (6 decimal places);
	// options receive it less their exercise price.
	CommonPerShare decimal.Decimal `json:"common_per_share"`
	// LiquidityCapitalization is the YC safe's Liquidity Capitalization
	// (shares) under the final decisions; present only when SAFEs are.
	LiquidityCapitalization decimal.Decimal `json:"liquidity_capitalization,omitzero"`
	// Classes lists the payout per class, then per SAFE, per debt, and one
	// row for all options.
	Classes []ClassPayout `json:"classes"`
	// Holders lists the payout per holder, sorted by name.
	Holders []HolderPayout `json:"holders"`
	// Decisions lists what each preferred class and SAFE chose.
	Decisions []Decision `json:"decisions"`
}

// ClassPayout is one row of Result.Classes.
type ClassPayout struct {
	// Name of the class, SAFE or debt ("Options" for the option row).
	Name string `json:"name"`
	// Kind is "common", "preferred", "safe", "debt" or "options".
	Kind string `json:"kind"`
	// Shares outstanding (not as-converted); zero for SAFEs and debt.
	Shares decimal.Decimal `json:"shares,omitzero"`
	// Payout to the row, in cents.
	Payout decimal.Decimal `json:"payout"`
	// PerShare is Payout / Shares to 6 places, when Shares is not zero.
	PerShare decimal.Decimal `json:"per_share,omitzero"`
	// Choice is the row's Decision, for preferred classes and SAFEs.
	Choice Choice `json:"choice,omitzero"`
}

// HolderPayout is one holder's total and its parts.
type HolderPayout struct {
	// Holder name.
	Holder string `json:"holder"`
	// Payout is the holder's total, in cents.
	Payout decimal.Decimal `json:"payout"`
	// Lines are the holder's instruments.
	Lines []Line `json:"lines"`
}

// Line is a holder's payout on one instrument.
type Line struct {
	// Instrument is the class, SAFE or debt name, or "Options @ PRICE".
	Instrument string `json:"instrument"`
	// Kind is "common", "preferred", "safe", "debt" or "options".
	Kind string `json:"kind"`
	// Shares held (options: shares under grant); zero for SAFEs and debt.
	Shares decimal.Decimal `json:"shares,omitzero"`
	// Payout in cents.
	Payout decimal.Decimal `json:"payout"`
}

// Decision says what a preferred class or SAFE did and what the other
// choice would have paid it, all else equal.
type Decision struct {
	// Name of the class or SAFE.
	Name string `json:"name"`
	// Kind is "preferred" or "safe".
	Kind string `json:"kind"`
	// Choice made.
	Choice Choice `json:"choice"`
	// Payout under the choice, in cents.
	Payout decimal.Decimal `json:"payout"`
	// Alternative is the other choice (convert, or preference / cash-out).
	Alternative Choice `json:"alternative"`
	// AlternativePayout is what the alternative would have paid, to the
	// cent, with every other decision held fixed.
	AlternativePayout decimal.Decimal `json:"alternative_payout"`
}

// unit is a piece of the exit rounded to cents first: a class, a SAFE, a
// debt or an option grant.
type unit struct {
	kind  int // order: debt, safe, class, option
	name  string
	extra string // tie-break for option grants
	exact decimal.Decimal
	cents int64
}

// allocate rounds exact amounts (summing to at most total cents) down to
// cents and hands the residue out one cent at a time by largest remainder,
// ties by key order (the caller sorts by key), so the result depends on
// neither input order nor chance.
func allocate(exact []decimal.Decimal, total int64) []int64 {
	out := make([]int64, len(exact))
	type rem struct {
		i    int
		frac decimal.Decimal
	}
	rems := make([]rem, len(exact))
	var sum int64
	for i, x := range exact {
		c := x.Shift(2)
		f := c.Floor()
		out[i] = f.IntPart()
		sum += out[i]
		rems[i] = rem{i, c.Sub(f)}
	}
	left := total - sum
	if left <= 0 || len(exact) == 0 {
		return out
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return b.frac.Cmp(a.frac) })
	for k := int64(0); k < left; k++ {
		out[rems[int(k)%len(rems)].i]++
	}
	return out
}

func cents(c int64) decimal.Decimal { return decimal.New(c, -2) }

func checkExit(cur money.Currency, exit money.Money, what string) error {
	if exit.Currency != cur {
		return fmt.Errorf("waterfall: %s is in %s but the cap table is in %s", what, exit.Currency, cur)
	}
	if exit.Amount.Sign() < 0 {
		return fmt.Errorf("waterfall: %s %s is negative", what, exit.Amount)
	}
	if !exit.Amount.Equal(exit.Amount.Truncate(2)) {
		return fmt.Errorf("waterfall: %s %s has more than 2 decimal places (give it in cents)", what, exit.Amount)
	}
	return nil
}

// rounded holds a state's payouts in cents.
type rounded struct {
	classCents  []int64
	safeCents   []int64
	debtCents   []int64
	grantCents  []int64
	holderCents [][]int64 // per class, per holding
}

func (m *model) round(st *state) rounded {
	var us []unit
	for i, d := range m.debts {
		us = append(us, unit{kind: 0, name: d.name, exact: st.debtPaid[i]})
	}
	for j, s := range m.safes {
		us = append(us, unit{kind: 1, name: s.name, exact: m.safeTake(st, j)})
	}
	for i, c := range m.classes {
		us = append(us, unit{kind: 2, name: c.name, exact: m.classTake(st, i)})
	}
	for _, g := range m.grants {
		x := decimal.Zero
		if st.theta.GreaterThan(g.price) {
			x = g.shares.Mul(st.theta.Sub(g.price))
		}
		us = append(us, unit{kind: 3, name: g.holder, extra: g.price.String() + "/" + g.shares.String(), exact: x})
	}
	order := make([]int, len(us))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ua, ub := us[a], us[b]
		return cmp.Or(cmp.Compare(ua.kind, ub.kind), strings.Compare(ua.name, ub.name), strings.Compare(ua.extra, ub.extra))
	})
	ex := make([]decimal.Decimal, len(us))
	for k, i := range order {
		ex[k] = us[i].exact
	}
	alloc := allocate(ex, st.w.Shift(2).IntPart())
	for k, i := range order {
		us[i].cents = alloc[k]
	}
	var r rounded
	k := 0
	next := func() int64 { k++; return us[k-1].cents }
	for range m.debts {
		r.debtCents = append(r.debtCents, next())
	}
	for range m.safes {
		r.safeCents = append(r.safeCents, next())
	}
	for _, c := range m.classes {
		cc := next()
		r.classCents = append(r.classCents, cc)
		r.holderCents = append(r.holderCents, splitClass(c, cc))
	}
	for range m.grants {
		r.grantCents = append(r.grantCents, next())
	}
	return r
}

// splitClass divides a class's cents among its holders pro rata to shares
// (largest remainder, ties by holder name).
func splitClass(c *mclass, total int64) []int64 {
	if c.scaled != nil && total >= 0 {
		return splitInt(c, uint64(total))
	}
	hs := c.in.Holdings
	order := make([]int, len(hs))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(hs[a].Holder, hs[b].Holder) })
	ex := make([]decimal.Decimal, len(hs))
	t := cents(total)
	for k, i := range order {
		ex[k] = quo(t.Mul(hs[i].Shares), c.shares)
	}
	a := allocate(ex, total)
	out := make([]int64, len(hs))
	for k, i := range order {
		out[i] = a[k]
	}
	return out
}

// Waterfall is a validated Input ready to be evaluated at many exits.
type Waterfall struct {
	m *model
}

// New validates in and prepares it. The Input is not copied: do not change
// it while the Waterfall is in use.
func New(in *Input) (*Waterfall, error) {
	m, err := build(in)
	if err != nil {
		return nil, err
	}
	return &Waterfall{m}, nil
}

// Compute validates in and runs the waterfall at exit.
func Compute(in *Input, exit money.Money) (*Result, error) {
	w, err := New(in)
	if err != nil {
		return nil, err
	}
	return w.At(exit)
}

// At runs the waterfall at one exit value (in the Input's currency, ≥ 0,
// at most 2 decimal places).
func (w *Waterfall) At(exit money.Money) (*Result, error) {
	m := w.m
	if err := checkExit(m.cur, exit, "exit value"); err != nil {
		return nil, err
	}
	st, err := m.equilibrium(exit.Amount)
	if err != nil {
		return nil, err
	}
	r := m.round(st)
	res := &Result{Currency: m.cur, Exit: exit.Amount, CommonPerShare: st.theta.Round(6)}
	if len(m.safes) > 0 {
		res.LiquidityCapitalization = st.liqCap.Round(6)
	}
	holders := map[string]*HolderPayout{}
	line := func(holder string, l Line) {
		h := holders[holder]
		if h == nil {
			h = &HolderPayout{Holder: holder}
			holders[holder] = h
		}
		h.Lines = append(h.Lines, l)
		h.Payout = h.Payout.Add(l.Payout)
	}
	for i, c := range m.classes {
		row := ClassPayout{Name: c.name, Kind: string(c.kind), Shares: c.shares, Payout: cents(r.classCents[i])}
		row.PerShare = row.Payout.DivRound(c.shares, 6)
		if c.kind == Preferred {
			d := m.decision(st, claimantRef{idx: i, name: c.name}, row.Payout)
			row.Choice = d.Choice
			res.Decisions = append(res.Decisions, d)
		}
		res.Classes = append(res.Classes, row)
		for k, h := range c.in.Holdings {
			line(h.Holder, Line{Instrument: c.name, Kind: string(c.kind), Shares: h.Shares, Payout: cents(r.holderCents[i][k])})
		}
	}
	for j, s := range m.safes {
		row := ClassPayout{Name: s.name, Kind: KindSAFE, Payout: cents(r.safeCents[j])}
		d := m.decision(st, claimantRef{safe: true, idx: j, name: s.name}, row.Payout)
		row.Choice = d.Choice
		res.Decisions = append(res.Decisions, d)
		res.Classes = append(res.Classes, row)
		line(s.holder, Line{Instrument: s.name, Kind: KindSAFE, Payout: row.Payout})
	}
	for i, d := range m.debts {
		row := ClassPayout{Name: d.name, Kind: KindDebt, Payout: cents(r.debtCents[i])}
		res.Classes = append(res.Classes, row)
		line(d.holder, Line{Instrument: d.name, Kind: KindDebt, Payout: row.Payout})
	}
	if len(m.grants) > 0 {
		row := ClassPayout{Name: "Options", Kind: KindOptions, Shares: m.optAll}
		for k, g := range m.grants {
			p := cents(r.grantCents[k])
			row.Payout = row.Payout.Add(p)
			line(g.holder, Line{Instrument: "Options @ " + g.price.String(), Kind: KindOptions, Shares: g.shares, Payout: p})
		}
		if m.optAll.Sign() > 0 {
			row.PerShare = row.Payout.DivRound(m.optAll, 6)
		}
		res.Classes = append(res.Classes, row)
	}
	for _, h := range holders {
		res.Holders = append(res.Holders, *h)
	}
	slices.SortFunc(res.Holders, func(a, b HolderPayout) int { return strings.Compare(a.Holder, b.Holder) })
	return res, nil
}

// decision describes claimant c's choice under st and prices the other one.
func (m *model) decision(st *state, c claimantRef, payout decimal.Decimal) Decision {
	d := Decision{Name: c.name, Payout: payout}
	alt := m.evaluate(st.prof.flip(c), st.w)
	d.AlternativePayout = m.take(alt, c).Round(2)
	if c.safe {
		d.Kind = KindSAFE
		if st.prof.safeConv[c.idx] {
			d.Choice, d.Alternative = ChoiceConvert, ChoiceCashOut
		} else {
			d.Choice, d.Alternative = ChoiceCashOut, ChoiceConvert
		}
		if alt.inf {
			d.AlternativePayout = decimal.Zero
		}
		return d
	}
	d.Kind = string(Preferred)
	cl := m.classes[c.idx]
	pref := ChoicePreference
	if cl.in.Participating {
		pref = ChoiceParticipate
		if !cl.capAmt.IsZero() && cl.asConv.Mul(st.theta).GreaterThanOrEqual(cl.room) && st.theta.Sign() > 0 {
			pref = ChoiceCapped
		}
	}
	if st.prof.conv[c.idx] {
		d.Choice, d.Alternative = ChoiceConvert, ChoicePreference
		if cl.in.Participating {
			d.Alternative = ChoiceParticipate
		}
	} else {
		d.Choice, d.Alternative = pref, ChoiceConvert
	}
	if alt.inf {
		d.AlternativePayout = decimal.Zero
	}
	return d
}

// splitInt is splitClass in 128-bit integer arithmetic: holder h gets
// floor(total·s_h/S) cents and the leftover cents go to the largest
// remainders (the remainders share the denominator S), ties by name.
func splitInt(c *mclass, total uint64) []int64 {
	out := make([]int64, len(c.scaled))
	rem := make([]uint64, len(c.scaled))
	var given uint64
	for i, s := range c.scaled {
		hi, lo := bits.Mul64(total, s)
		q, r := bits.Div64(hi, lo, c.total)
		out[i], rem[i] = int64(q), r
		given += q
	}
	left := total - given
	if left == 0 {
		return out
	}
	order := slices.Clone(c.byName)
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rem[b], rem[a]) })
	for k := uint64(0); k < left; k++ {
		out[order[int(k)%len(order)]]++
	}
	return out
}
