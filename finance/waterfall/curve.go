package waterfall

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// EventKind says what happens at a breakpoint.
type EventKind string

// The breakpoint events.
const (
	// EventDebtRepaid: a rank of debt is repaid in full.
	EventDebtRepaid EventKind = "debt_repaid"
	// EventPreferencesPaid: a rank of preferences (and SAFE cash-outs) is
	// paid in full; the next rank, or common, starts receiving.
	EventPreferencesPaid EventKind = "preferences_paid"
	// EventConverts: a preferred class converts to common.
	EventConverts EventKind = "converts"
	// EventCapReached: a participating class reaches its participation cap.
	EventCapReached EventKind = "cap_reached"
	// EventOptionsInMoney: options at one exercise price come into the money.
	EventOptionsInMoney EventKind = "options_in_money"
	// EventSAFEConverts: a SAFE's Conversion Amount overtakes its Cash-Out
	// Amount.
	EventSAFEConverts EventKind = "safe_converts"
	// EventReverts: a class or SAFE goes back from converting to its
	// preference or cash-out (possible only where SAFEs interact).
	EventReverts EventKind = "reverts"
)

// Event is one thing that happens at a breakpoint.
type Event struct {
	// Kind of event.
	Kind EventKind `json:"kind"`
	// Subject is the class, SAFE, debt rank or strike concerned.
	Subject string `json:"subject"`
	// Label is a sentence for a chart marker, in English.
	Label string `json:"label"`
	// Code names Label's template in Events (finer than Kind: it tells a
	// cap reached from a cap left, a class reverting from a SAFE), and
	// Args fill it, so an edge can render the label in the user's
	// language.
	Code string            `json:"code"`
	Args map[string]string `json:"args,omitempty"`
}

// Note returns the event's label as a translatable message.
func (e Event) Note() msg.Note { return msg.Note{Code: e.Code, Args: e.Args, Text: e.Label} }

// The codes of breakpoint event labels (Event.Code) and their arguments.
const (
	// LabelDebtRepaid (EventDebtRepaid). Args: rank, names.
	LabelDebtRepaid = "debt-repaid"
	// LabelPreferencesPaid (EventPreferencesPaid). Args: rank, names.
	LabelPreferencesPaid = "preferences-paid"
	// LabelClassConverts (EventConverts). Args: class.
	LabelClassConverts = "class-converts"
	// LabelClassReverts (EventReverts): back to the preference. Args:
	// class.
	LabelClassReverts = "class-reverts"
	// LabelSAFEConverts (EventSAFEConverts). Args: safe.
	LabelSAFEConverts = "safe-converts"
	// LabelSAFEReverts (EventReverts): back to the cash-out. Args: safe.
	LabelSAFEReverts = "safe-reverts"
	// LabelCapReached (EventCapReached). Args: class, cap (a multiple,
	// "2×").
	LabelCapReached = "cap-reached"
	// LabelCapLeft (EventCapReached, going down). Args: class.
	LabelCapLeft = "cap-left"
	// LabelOptionsInMoney (EventOptionsInMoney). Args: price.
	LabelOptionsInMoney = "options-in-money"
)

// Events holds the English template of every event label code; an edge's
// catalogue translates the same templates (its tests iterate
// Events.Codes()).
var Events = msg.Catalogue{
	LabelDebtRepaid:      "debt of rank {rank} repaid in full ({names})",
	LabelPreferencesPaid: "preferences of rank {rank} paid in full ({names})",
	LabelClassConverts:   "{class} converts to common",
	LabelClassReverts:    "{class} goes back to its preference",
	LabelSAFEConverts:    "{safe} takes its conversion amount",
	LabelSAFEReverts:     "{safe} goes back to its cash-out amount",
	LabelCapReached:      "{class} reaches its {cap} participation cap",
	LabelCapLeft:         "{class} drops below its participation cap",
	LabelOptionsInMoney:  "options at {price} come into the money",
}

// event makes an Event whose label is the code's template filled by kv.
func event(kind EventKind, subject, code string, kv ...string) Event {
	n := Events.Make(code, kv...)
	return Event{Kind: kind, Subject: subject, Label: n.Text, Code: n.Code, Args: n.Args}
}

// Breakpoint is an exit value where some holder's payout changes slope.
type Breakpoint struct {
	// Exit value, to the cent: the exact threshold (computed analytically
	// from the piecewise-linear waterfall) rounded half up, or, where no
	// formula applies, the first cent after the change found by bisection.
	Exit decimal.Decimal `json:"exit"`
	// Label joins the events' labels.
	Label string `json:"label"`
	// Events happening at Exit.
	Events []Event `json:"events"`
}

// Series is one payout curve: Payouts[i] is paid at CurveResult.Exits[i].
type Series struct {
	// Name of the holder or class.
	Name string `json:"name"`
	// Payouts in cents, aligned with CurveResult.Exits.
	Payouts []decimal.Decimal `json:"payouts"`
}

// CurveResult is the waterfall over a range of exit values. Exits holds the
// requested grid plus every breakpoint inside the range, ascending, so a
// chart that joins the points with straight lines draws every curve
// exactly (payouts are piecewise linear between breakpoints).
type CurveResult struct {
	// Currency of every amount.
	Currency money.Currency `json:"currency"`
	// Exits are the x values, ascending.
	Exits []decimal.Decimal `json:"exits"`
	// CommonPerShare is the common value per share at each exit.
	CommonPerShare []decimal.Decimal `json:"common_per_share"`
	// Holders has one series per holder, sorted by name.
	Holders []Series `json:"holders"`
	// Classes has one series per class, SAFE and debt, then "Options",
	// in the order of Result.Classes.
	Classes []Series `json:"classes"`
	// Breakpoints inside [from, to], ascending.
	Breakpoints []Breakpoint `json:"breakpoints"`
}

// Curve validates in and computes its exit curve; see Waterfall.Curve.
func Curve(in *Input, from, to money.Money, points int) (*CurveResult, error) {
	w, err := New(in)
	if err != nil {
		return nil, err
	}
	return w.Curve(from, to, points)
}

// sig is the regime of the waterfall at one exit: within one regime every
// payout is linear in the exit value.
type sig struct {
	tierFull, conv, safeConv, capped, itm []bool
}

type pt struct {
	w  decimal.Decimal
	st *state
	sg sig
}

func (m *model) signature(st *state) sig {
	s := sig{tierFull: st.tierFull, conv: st.prof.conv, safeConv: st.prof.safeConv}
	s.capped = make([]bool, len(m.classes))
	for i, c := range m.classes {
		// A capped class is at its cap before it can convert (it converts
		// only when as-converted beats the cap), so "capped" stays true
		// once converted: the flag never goes back, and no cap event can
		// hide between two points whose classes both converted.
		if c.in.Participating && !c.capAmt.IsZero() {
			s.capped[i] = st.prof.conv[i] || c.asConv.Mul(st.theta).GreaterThanOrEqual(c.room)
		}
	}
	s.itm = make([]bool, len(m.strikes))
	for k, o := range m.strikes {
		s.itm[k] = st.theta.GreaterThan(o.price)
	}
	return s
}

func (m *model) point(w decimal.Decimal) (pt, error) {
	st, err := m.equilibrium(w)
	if err != nil {
		return pt{}, err
	}
	return pt{w, st, m.signature(st)}, nil
}

// change is one component of sig that differs between two points.
type change struct {
	kind int // 0 tier, 1 conv, 2 safe, 3 capped, 4 itm
	idx  int
	up   bool // false → true
}

func diff(a, b sig) []change {
	var out []change
	add := func(kind int, x, y []bool) {
		for i := range x {
			if x[i] != y[i] {
				out = append(out, change{kind, i, y[i]})
			}
		}
	}
	add(0, a.tierFull, b.tierFull)
	add(1, a.conv, b.conv)
	add(2, a.safeConv, b.safeConv)
	add(3, a.capped, b.capped)
	add(4, a.itm, b.itm)
	return out
}

// exact returns the exit value at which change c happens, computed from the
// regime on its left (or, for a SAFE conversion, its right): for tiers the
// cumulative claims; otherwise the common value per share θ at which it
// happens mapped back to an exit by W = stack + f(θ), which is exact
// within a regime.
func (m *model) exact(c change, l, r *state) (decimal.Decimal, bool) {
	if !c.up {
		return decimal.Zero, false
	}
	at := func(st *state, theta decimal.Decimal) decimal.Decimal {
		return m.stack(st.prof, -1).Add(m.pool(st.prof, st.safeShares).value(theta))
	}
	switch c.kind {
	case 0:
		return m.stack(l.prof, c.idx), true
	case 1:
		return at(l, m.classes[c.idx].threshold), true
	case 2:
		s := m.safes[c.idx]
		if r.safeShares[c.idx].Sign() <= 0 {
			return decimal.Zero, false
		}
		return at(r, quo(s.p, r.safeShares[c.idx])), true
	case 3:
		cl := m.classes[c.idx]
		return at(l, quo(cl.room, cl.asConv)), true
	default:
		return at(l, m.strikes[c.idx].price), true
	}
}

func (m *model) label(c change, l *state) Event {
	switch c.kind {
	case 0:
		t := m.tiers[c.idx]
		var names []string
		for _, mb := range t.members {
			if _, ok := m.active(l.prof, mb); ok {
				switch mb.kind {
				case mDebt:
					names = append(names, m.debts[mb.idx].name)
				case mClass:
					names = append(names, m.classes[mb.idx].name)
				default:
					names = append(names, m.safes[mb.idx].name)
				}
			}
		}
		subj := strings.Join(names, ", ")
		rank := strconv.Itoa(t.rank)
		if t.debt {
			return event(EventDebtRepaid, subj, LabelDebtRepaid, "rank", rank, "names", subj)
		}
		return event(EventPreferencesPaid, subj, LabelPreferencesPaid, "rank", rank, "names", subj)
	case 1:
		n := m.classes[c.idx].name
		if !c.up {
			return event(EventReverts, n, LabelClassReverts, "class", n)
		}
		return event(EventConverts, n, LabelClassConverts, "class", n)
	case 2:
		n := m.safes[c.idx].name
		if !c.up {
			return event(EventReverts, n, LabelSAFEReverts, "safe", n)
		}
		return event(EventSAFEConverts, n, LabelSAFEConverts, "safe", n)
	case 3:
		cl := m.classes[c.idx]
		if !c.up {
			return event(EventCapReached, cl.name, LabelCapLeft, "class", cl.name)
		}
		return event(EventCapReached, cl.name, LabelCapReached, "class", cl.name, "cap", mult(cl.in.ParticipationCap))
	default:
		p := m.strikes[c.idx].price
		return event(EventOptionsInMoney, p.String(), LabelOptionsInMoney, "price", p.String())
	}
}

var cent = decimal.New(1, -2)

// refine finds the breakpoints in (a.w, b.w].
func (m *model) refine(a, b pt, out *[]Breakpoint) error {
	ch := diff(a.sg, b.sg)
	if len(ch) == 0 {
		return nil
	}
	// Analytic: every change has a formula and they agree on one cent.
	var x decimal.Decimal
	ok := true
	for k, c := range ch {
		v, good := m.exact(c, a.st, b.st)
		if !good {
			ok = false
			break
		}
		v = v.Round(2)
		if k == 0 {
			x = v
		} else if !v.Equal(x) {
			ok = false
			break
		}
	}
	if ok && x.GreaterThanOrEqual(a.w) && x.LessThanOrEqual(b.w) {
		m.record(x, ch, a.st, out)
		return nil
	}
	if b.w.Sub(a.w).LessThanOrEqual(cent) {
		m.record(b.w, ch, a.st, out)
		return nil
	}
	mid := a.w.Add(b.w).Div(decimal.NewFromInt(2)).Truncate(2)
	if mid.LessThanOrEqual(a.w) || mid.GreaterThanOrEqual(b.w) {
		m.record(b.w, ch, a.st, out)
		return nil
	}
	p, err := m.point(mid)
	if err != nil {
		return err
	}
	if err := m.refine(a, p, out); err != nil {
		return err
	}
	return m.refine(p, b, out)
}

func (m *model) record(x decimal.Decimal, ch []change, l *state, out *[]Breakpoint) {
	bp := Breakpoint{Exit: x}
	for _, c := range ch {
		bp.Events = append(bp.Events, m.label(c, l))
	}
	var ls []string
	for _, e := range bp.Events {
		ls = append(ls, e.Label)
	}
	bp.Label = strings.Join(ls, "; ")
	*out = append(*out, bp)
}

// Curve evaluates the waterfall at points exit values evenly spaced from
// from to to (rounded to cents) and finds every breakpoint in between: the
// exit values where some payout changes slope because a rank of debt or
// preferences is paid in full, a class converts, a cap is reached, options
// come into the money or a SAFE converts.
func (w *Waterfall) Curve(from, to money.Money, points int) (*CurveResult, error) {
	m := w.m
	if err := checkExit(m.cur, from, "from"); err != nil {
		return nil, err
	}
	if err := checkExit(m.cur, to, "to"); err != nil {
		return nil, err
	}
	if !to.Amount.GreaterThan(from.Amount) {
		return nil, fmt.Errorf("waterfall: curve range %s..%s is empty (to must exceed from)", from.Amount, to.Amount)
	}
	if points < 2 || points > 100000 {
		return nil, fmt.Errorf("waterfall: curve points %d out of range (want 2..100000)", points)
	}
	step := to.Amount.Sub(from.Amount).Div(decimal.NewFromInt(int64(points - 1)))
	var grid []pt
	for i := range points {
		x := from.Amount.Add(step.Mul(decimal.NewFromInt(int64(i)))).Round(2)
		if i == points-1 {
			x = to.Amount
		}
		if len(grid) > 0 && !x.GreaterThan(grid[len(grid)-1].w) {
			continue
		}
		p, err := m.point(x)
		if err != nil {
			return nil, err
		}
		grid = append(grid, p)
	}
	res := &CurveResult{Currency: m.cur}
	for i := 1; i < len(grid); i++ {
		if err := m.refine(grid[i-1], grid[i], &res.Breakpoints); err != nil {
			return nil, err
		}
	}
	// Merge breakpoints that landed on the same cent.
	slices.SortStableFunc(res.Breakpoints, func(a, b Breakpoint) int { return a.Exit.Cmp(b.Exit) })
	merged := res.Breakpoints[:0]
	for _, bp := range res.Breakpoints {
		if n := len(merged); n > 0 && merged[n-1].Exit.Equal(bp.Exit) {
			merged[n-1].Events = append(merged[n-1].Events, bp.Events...)
			merged[n-1].Label += "; " + bp.Label
			continue
		}
		merged = append(merged, bp)
	}
	res.Breakpoints = merged
	// Points: grid plus breakpoints.
	// With convertible SAFEs a conversion can make payouts jump (it
	// enlarges the others' Liquidity Capitalization), so the cent after
	// each breakpoint is drawn too.
	var extra []decimal.Decimal
	for _, bp := range res.Breakpoints {
		extra = append(extra, bp.Exit)
		if m.anySafe && bp.Exit.Add(cent).LessThanOrEqual(to.Amount) {
			extra = append(extra, bp.Exit.Add(cent))
		}
	}
	all := slices.Clone(grid)
	for _, x := range extra {
		if slices.ContainsFunc(all, func(p pt) bool { return p.w.Equal(x) }) {
			continue
		}
		p, err := m.point(x)
		if err != nil {
			return nil, err
		}
		all = append(all, p)
	}
	slices.SortFunc(all, func(a, b pt) int { return a.w.Cmp(b.w) })
	holderIdx := map[string]int{}
	var names []string
	addHolder := func(h string) {
		if _, ok := holderIdx[h]; !ok {
			holderIdx[h] = 0
			names = append(names, h)
		}
	}
	for _, c := range m.classes {
		for _, h := range c.in.Holdings {
			addHolder(h.Holder)
		}
	}
	for _, s := range m.safes {
		addHolder(s.holder)
	}
	for _, d := range m.debts {
		addHolder(d.holder)
	}
	for _, g := range m.grants {
		addHolder(g.holder)
	}
	slices.Sort(names)
	for i, n := range names {
		holderIdx[n] = i
		res.Holders = append(res.Holders, Series{Name: n})
	}
	for _, c := range m.classes {
		res.Classes = append(res.Classes, Series{Name: c.name})
	}
	for _, s := range m.safes {
		res.Classes = append(res.Classes, Series{Name: s.name})
	}
	for _, d := range m.debts {
		res.Classes = append(res.Classes, Series{Name: d.name})
	}
	if len(m.grants) > 0 {
		res.Classes = append(res.Classes, Series{Name: "Options"})
	}
	hc := make([]int64, len(names))
	for _, p := range all {
		r := m.round(p.st)
		res.Exits = append(res.Exits, p.w)
		res.CommonPerShare = append(res.CommonPerShare, p.st.theta.Round(6))
		clear(hc)
		var cls []int64
		for i, c := range m.classes {
			cls = append(cls, r.classCents[i])
			for k, h := range c.in.Holdings {
				hc[holderIdx[h.Holder]] += r.holderCents[i][k]
			}
		}
		for j, s := range m.safes {
			cls = append(cls, r.safeCents[j])
			hc[holderIdx[s.holder]] += r.safeCents[j]
		}
		for i, d := range m.debts {
			cls = append(cls, r.debtCents[i])
			hc[holderIdx[d.holder]] += r.debtCents[i]
		}
		if len(m.grants) > 0 {
			var o int64
			for k, g := range m.grants {
				o += r.grantCents[k]
				hc[holderIdx[g.holder]] += r.grantCents[k]
			}
			cls = append(cls, o)
		}
		for i, v := range hc {
			res.Holders[i].Payouts = append(res.Holders[i].Payouts, cents(v))
		}
		for i, v := range cls {
			res.Classes[i].Payouts = append(res.Classes[i].Payouts, cents(v))
		}
	}
	return res, nil
}
