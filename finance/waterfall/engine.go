package waterfall

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// prec is the number of decimal places kept by the few divisions the
// waterfall needs (per-share values, pro-rata shares). Quotients are
// truncated, so exact payouts never exceed the exit value and the cent
// allocation only ever hands out a non-negative residue.
const prec = 30

var (
	one = decimal.NewFromInt(1)
	// huge stands for "unbounded" per-share value: the remainder cannot be
	// absorbed by the pool under a decision profile (only capped classes
	// participate). Such a profile is never an equilibrium.
	huge = decimal.New(1, 40)
)

// quo is a/b truncated to prec places (a, b ≥ 0, b > 0).
func quo(a, b decimal.Decimal) decimal.Decimal {
	q, _ := a.QuoRem(b, prec)
	return q
}

type mclass struct {
	in          *Class
	name        string
	kind        Kind
	shares      decimal.Decimal // raw
	asConv      decimal.Decimal // shares × ratio
	pref        decimal.Decimal // preference incl. dividends
	capAmt      decimal.Decimal // total-return cap amount; zero = none
	room        decimal.Decimal // capAmt − pref (≥ 0) for capped participating
	rank        int
	convertible bool            // may convert (non-participating, or capped participating)
	threshold   decimal.Decimal // converts when common value per share exceeds this
	// For splitting cents among holders with integer arithmetic: holdings
	// in holder-name order, shares scaled to integers (nil when they do not
	// fit in 64 bits; the decimal path is used then).
	byName []int
	scaled []uint64
	total  uint64
}

type msafe struct {
	name, holder string
	p, cap       decimal.Decimal
	rank         int
	canConvert   bool
}

type mdebt struct {
	name, holder string
	amount       decimal.Decimal
	rank         int
}

type mgrant struct {
	holder        string
	class         string
	shares, price decimal.Decimal
}

type strike struct{ price, shares decimal.Decimal }

// member kinds of a payment tier
const (
	mDebt = iota
	mClass
	mSafe
)

type member struct{ kind, idx int }

type tier struct {
	debt    bool
	rank    int
	members []member
}

// model is a validated Input, prepared for many evaluations.
type model struct {
	cur      money.Currency
	classes  []*mclass
	safes    []*msafe
	debts    []*mdebt
	grants   []mgrant
	strikes  []strike // grants aggregated by exercise price, ascending
	optAll   decimal.Decimal
	tiers    []tier
	convOrd  []int // convertible classes by (threshold, name)
	anySafe  bool  // some SAFE can convert: decisions interact through the Liquidity Capitalization
	claimant []claimantRef
	unissued decimal.Decimal
}

type claimantRef struct {
	safe bool
	idx  int
	name string
}

func build(in *Input) (*model, error) {
	if err := validateInput(in); err != nil {
		return nil, err
	}
	m := &model{cur: in.Currency, unissued: in.UnissuedPool}
	var commonName string
	prefRanks := map[int]bool{}
	maxPrefRank, anyPref := 0, false
	for i := range in.Classes {
		c := &in.Classes[i]
		mc := &mclass{in: c, name: c.Name, kind: c.Kind, rank: c.Rank}
		for _, h := range c.Holdings {
			mc.shares = mc.shares.Add(h.Shares)
		}
		mc.asConv = mc.shares.Mul(c.ratio())
		mc.prepareSplit()
		if c.Kind == Common {
			commonName = c.Name
		} else {
			mc.pref = c.PreferenceMultiple.Mul(c.IssuePrice).Mul(mc.shares).Add(c.AccruedDividends)
			if !c.ParticipationCap.IsZero() {
				mc.capAmt = c.ParticipationCap.Mul(c.IssuePrice).Mul(mc.shares)
				mc.room = decimal.Max(mc.capAmt.Sub(mc.pref), decimal.Zero)
			}
			mc.convertible = !c.Participating || !mc.capAmt.IsZero()
			if mc.convertible {
				mc.threshold = quo(decimal.Max(mc.pref, mc.capAmt), mc.asConv)
			}
			prefRanks[c.Rank] = true
			if !anyPref || c.Rank > maxPrefRank {
				maxPrefRank = c.Rank
			}
			anyPref = true
		}
		m.classes = append(m.classes, mc)
	}
	for _, o := range in.Options {
		cl := o.Class
		if cl == "" {
			cl = commonName
		}
		m.grants = append(m.grants, mgrant{holder: o.Holder, class: cl, shares: o.Shares, price: o.ExercisePrice})
		m.optAll = m.optAll.Add(o.Shares)
	}
	for _, g := range m.grants {
		k := slices.IndexFunc(m.strikes, func(s strike) bool { return s.price.Equal(g.price) })
		if k < 0 {
			m.strikes = append(m.strikes, strike{g.price, g.shares})
		} else {
			m.strikes[k].shares = m.strikes[k].shares.Add(g.shares)
		}
	}
	slices.SortFunc(m.strikes, func(a, b strike) int { return a.price.Cmp(b.price) })
	for _, s := range in.SAFEs {
		ms := &msafe{name: safeName(s), holder: s.Holder, p: s.PurchaseAmount, cap: s.ValuationCap, canConvert: s.ValuationCap.Sign() > 0}
		switch {
		case s.Rank != nil:
			ms.rank = *s.Rank
		case anyPref:
			ms.rank = maxPrefRank
		}
		m.anySafe = m.anySafe || ms.canConvert
		m.safes = append(m.safes, ms)
	}
	for _, d := range in.Debts {
		m.debts = append(m.debts, &mdebt{name: debtName(d), holder: d.Holder, amount: d.Amount, rank: d.Rank})
	}
	// Tiers: debt by rank, then preferences and SAFE cash-outs by rank.
	addTo := func(debt bool, rank int, mb member) {
		for i := range m.tiers {
			if m.tiers[i].debt == debt && m.tiers[i].rank == rank {
				m.tiers[i].members = append(m.tiers[i].members, mb)
				return
			}
		}
		m.tiers = append(m.tiers, tier{debt: debt, rank: rank, members: []member{mb}})
	}
	for i, d := range m.debts {
		addTo(true, d.rank, member{mDebt, i})
	}
	for i, c := range m.classes {
		if c.kind == Preferred && c.pref.Sign() > 0 {
			addTo(false, c.rank, member{mClass, i})
		}
	}
	for i, s := range m.safes {
		addTo(false, s.rank, member{mSafe, i})
	}
	slices.SortFunc(m.tiers, func(a, b tier) int {
		if a.debt != b.debt {
			if a.debt {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.rank, b.rank)
	})
	for i, c := range m.classes {
		if c.convertible {
			m.convOrd = append(m.convOrd, i)
		}
	}
	slices.SortFunc(m.convOrd, func(a, b int) int {
		if c := m.classes[a].threshold.Cmp(m.classes[b].threshold); c != 0 {
			return c
		}
		return strings.Compare(m.classes[a].name, m.classes[b].name)
	})
	for i, c := range m.classes {
		if c.kind == Preferred {
			m.claimant = append(m.claimant, claimantRef{idx: i, name: c.name})
		}
	}
	for i, s := range m.safes {
		if s.canConvert {
			m.claimant = append(m.claimant, claimantRef{safe: true, idx: i, name: s.name})
		}
	}
	slices.SortFunc(m.claimant, func(a, b claimantRef) int { return strings.Compare(a.name, b.name) })
	total := m.optAll
	for _, c := range m.classes {
		total = total.Add(c.asConv)
	}
	if total.Sign() <= 0 {
		return nil, &InputError{Problems: []string{"classes: no shares outstanding at all"}}
	}
	return m, nil
}

// profile is one set of conversion decisions.
type profile struct {
	conv     []bool // per class: converted to common
	safeConv []bool // per SAFE: takes its Conversion Amount
}

func (p profile) clone() profile {
	return profile{slices.Clone(p.conv), slices.Clone(p.safeConv)}
}

func (p profile) key() string {
	b := make([]byte, 0, len(p.conv)+len(p.safeConv))
	for _, v := range append(slices.Clone(p.conv), p.safeConv...) {
		if v {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	return string(b)
}

func (p profile) flip(c claimantRef) profile {
	q := p.clone()
	if c.safe {
		q.safeConv[c.idx] = !q.safeConv[c.idx]
	} else {
		q.conv[c.idx] = !q.conv[c.idx]
	}
	return q
}

// state is the exact (unrounded) outcome of one profile at one exit value.
type state struct {
	w          decimal.Decimal
	prof       profile
	debtPaid   []decimal.Decimal
	prefPaid   []decimal.Decimal // per class
	safeCash   []decimal.Decimal
	tierFull   []bool
	residual   decimal.Decimal
	liqCap     decimal.Decimal
	safeShares []decimal.Decimal // as-converted shares of converting SAFEs
	theta      decimal.Decimal   // common value per share
	inf        bool
}

func (m *model) active(p profile, mb member) (decimal.Decimal, bool) {
	switch mb.kind {
	case mDebt:
		return m.debts[mb.idx].amount, true
	case mClass:
		return m.classes[mb.idx].pref, !p.conv[mb.idx]
	default:
		return m.safes[mb.idx].p, !p.safeConv[mb.idx]
	}
}

// stack is the total of claims paid before the common pool under p,
// through tier upto (inclusive; -1 = all).
func (m *model) stack(p profile, upto int) decimal.Decimal {
	s := decimal.Zero
	for ti, t := range m.tiers {
		if upto >= 0 && ti > upto {
			break
		}
		for _, mb := range t.members {
			if a, ok := m.active(p, mb); ok {
				s = s.Add(a)
			}
		}
	}
	return s
}

// liquidity returns the Liquidity Capitalization and the as-converted
// shares of each converting SAFE under p (YC post-money safe, §2
// "Liquidity Capitalization"): all outstanding capital stock as converted,
// all outstanding options, and converting securities — except preferred and
// SAFEs taking a cash-out/preference in lieu of as-converted amounts, and
// the unissued pool. A converting SAFE holds PurchaseAmount/Cap of it, so
// L = B / (1 − Σ P/cap).
func (m *model) liquidity(p profile) (decimal.Decimal, []decimal.Decimal) {
	b := m.optAll
	for i, c := range m.classes {
		if c.kind == Common || p.conv[i] || c.in.Participating {
			b = b.Add(c.asConv)
		}
	}
	phi := decimal.Zero
	for j, s := range m.safes {
		if p.safeConv[j] {
			phi = phi.Add(quo(s.p, s.cap))
		}
	}
	l := b
	if phi.Sign() > 0 {
		l = quo(b, one.Sub(phi))
	}
	sh := make([]decimal.Decimal, len(m.safes))
	for j, s := range m.safes {
		if p.safeConv[j] {
			sh[j] = quo(s.p.Mul(l), s.cap)
		}
	}
	return l, sh
}

type capped struct{ shares, room decimal.Decimal }

// pool describes who shares the remainder under a profile: linear holders
// (common, converted preferred, uncapped participating, converting SAFEs),
// capped participating classes and options by strike.
type pool struct {
	lin    decimal.Decimal
	capped []capped
	opts   []strike
}

func (m *model) pool(p profile, safeShares []decimal.Decimal) pool {
	var pl pool
	for i, c := range m.classes {
		switch {
		case c.kind == Common || p.conv[i]:
			pl.lin = pl.lin.Add(c.asConv)
		case c.in.Participating && c.capAmt.IsZero():
			pl.lin = pl.lin.Add(c.asConv)
		case c.in.Participating:
			pl.capped = append(pl.capped, capped{c.asConv, c.room})
		}
	}
	for j := range m.safes {
		if p.safeConv[j] {
			pl.lin = pl.lin.Add(safeShares[j])
		}
	}
	pl.opts = m.strikes
	return pl
}

// value is the pool's total net take when common is worth theta per share:
// f(θ) = lin·θ + Σ min(s·θ, room) + Σ n·max(θ − k, 0). It is continuous,
// piecewise linear and non-decreasing; the exit value at which the common
// per-share value is θ under a profile is stack + f(θ).
func (pl pool) value(theta decimal.Decimal) decimal.Decimal {
	v := pl.lin.Mul(theta)
	for _, c := range pl.capped {
		v = v.Add(decimal.Min(c.shares.Mul(theta), c.room))
	}
	for _, o := range pl.opts {
		if theta.GreaterThan(o.price) {
			v = v.Add(o.shares.Mul(theta.Sub(o.price)))
		}
	}
	return v
}

type kink struct {
	at    decimal.Decimal
	delta decimal.Decimal // slope change
}

// solve finds θ ≥ 0 with f(θ) = r (truncated), walking the kinks of f.
func (pl pool) solve(r decimal.Decimal) (decimal.Decimal, bool) {
	if r.Sign() <= 0 {
		return decimal.Zero, true
	}
	slope := pl.lin
	ks := make([]kink, 0, len(pl.capped)+len(pl.opts))
	for _, c := range pl.capped {
		slope = slope.Add(c.shares)
		ks = append(ks, kink{quo(c.room, c.shares), c.shares.Neg()})
	}
	for _, o := range pl.opts {
		ks = append(ks, kink{o.price, o.shares})
	}
	slices.SortFunc(ks, func(a, b kink) int { return a.at.Cmp(b.at) })
	cur, val := decimal.Zero, decimal.Zero
	for _, k := range ks {
		next := val.Add(slope.Mul(k.at.Sub(cur)))
		if next.GreaterThanOrEqual(r) && slope.Sign() > 0 {
			return cur.Add(quo(r.Sub(val), slope)), true
		}
		cur, val = k.at, next
		slope = slope.Add(k.delta)
	}
	if slope.Sign() <= 0 {
		return huge, false
	}
	return cur.Add(quo(r.Sub(val), slope)), true
}

// evaluate pays the waterfall for one profile at exit w.
func (m *model) evaluate(p profile, w decimal.Decimal) *state {
	st := &state{
		w: w, prof: p,
		debtPaid: make([]decimal.Decimal, len(m.debts)),
		prefPaid: make([]decimal.Decimal, len(m.classes)),
		safeCash: make([]decimal.Decimal, len(m.safes)),
		tierFull: make([]bool, len(m.tiers)),
	}
	rem := w
	for ti, t := range m.tiers {
		total := decimal.Zero
		for _, mb := range t.members {
			if a, ok := m.active(p, mb); ok {
				total = total.Add(a)
			}
		}
		pay := func(mb member, amt decimal.Decimal) {
			switch mb.kind {
			case mDebt:
				st.debtPaid[mb.idx] = amt
			case mClass:
				st.prefPaid[mb.idx] = amt
			default:
				st.safeCash[mb.idx] = amt
			}
		}
		if rem.GreaterThanOrEqual(total) {
			st.tierFull[ti] = true
			for _, mb := range t.members {
				if a, ok := m.active(p, mb); ok {
					pay(mb, a)
				}
			}
			rem = rem.Sub(total)
			continue
		}
		// Pari passu: pro rata to the full amounts due.
		for _, mb := range t.members {
			if a, ok := m.active(p, mb); ok {
				pay(mb, quo(rem.Mul(a), total))
			}
		}
		rem = decimal.Zero
	}
	st.residual = rem
	st.liqCap, st.safeShares = m.liquidity(p)
	st.theta, _ = m.pool(p, st.safeShares).solve(rem)
	st.inf = st.theta.Equal(huge)
	return st
}

// classTake is class i's exact total under st.
func (m *model) classTake(st *state, i int) decimal.Decimal {
	c := m.classes[i]
	switch {
	case c.kind == Common || st.prof.conv[i]:
		return c.asConv.Mul(st.theta)
	case c.in.Participating && c.capAmt.IsZero():
		return st.prefPaid[i].Add(c.asConv.Mul(st.theta))
	case c.in.Participating:
		return st.prefPaid[i].Add(decimal.Min(c.asConv.Mul(st.theta), c.room))
	}
	return st.prefPaid[i]
}

func (m *model) safeTake(st *state, j int) decimal.Decimal {
	if st.prof.safeConv[j] {
		return st.safeShares[j].Mul(st.theta)
	}
	return st.safeCash[j]
}

func (m *model) take(st *state, c claimantRef) decimal.Decimal {
	if c.safe {
		return m.safeTake(st, c.idx)
	}
	return m.classTake(st, c.idx)
}

// prefix decides the preferred classes given the SAFEs' decisions in p:
// classes convert in ascending order of their conversion threshold
// (preference, or cap, per as-converted share) while the common value per
// share exceeds the next threshold. See the package doc for why this is the
// equilibrium and why it needs at most one evaluation per class.
func (m *model) prefix(p profile, w decimal.Decimal) (profile, *state) {
	p = p.clone()
	for i := range p.conv {
		p.conv[i] = false
	}
	st := m.evaluate(p, w)
	for _, i := range m.convOrd {
		if !(st.inf || st.theta.GreaterThan(m.classes[i].threshold)) {
			break
		}
		p.conv[i] = true
		st = m.evaluate(p, w)
	}
	return p, st
}

// equilibrium returns the decisions at exit w and the outcome under them.
func (m *model) equilibrium(w decimal.Decimal) (*state, error) {
	p := profile{conv: make([]bool, len(m.classes)), safeConv: make([]bool, len(m.safes))}
	for j, s := range m.safes {
		p.safeConv[j] = s.canConvert
	}
	p, st := m.prefix(p, w)
	if !m.anySafe {
		return st, nil
	}
	// SAFEs present: exact best response, one switch at a time (the
	// largest strict gain, ties by name), until nobody gains by switching.
	seen := map[string]bool{}
	for {
		k := p.key()
		if seen[k] {
			return nil, ErrNoEquilibrium
		}
		seen[k] = true
		best, gain := -1, decimal.Zero
		for ci, c := range m.claimant {
			if !c.safe && !m.classes[c.idx].convertible && !p.conv[c.idx] {
				continue
			}
			alt := m.evaluate(p.flip(c), w)
			g := m.take(alt, c).Sub(m.take(st, c))
			// Switch on a strict gain; a converting SAFE indifferent to its
			// cash-out goes back to it (conversion only when it pays more).
			tie := c.safe && p.safeConv[c.idx] && g.IsZero()
			if g.GreaterThan(gain) || (tie && best < 0) {
				best, gain = ci, decimal.Max(g, gain)
			}
		}
		if best < 0 {
			return st, nil
		}
		p = p.flip(m.claimant[best])
		st = m.evaluate(p, w)
	}
}

func (c *mclass) prepareSplit() {
	hs := c.in.Holdings
	c.byName = make([]int, len(hs))
	for i := range c.byName {
		c.byName[i] = i
	}
	slices.SortFunc(c.byName, func(a, b int) int { return strings.Compare(hs[a].Holder, hs[b].Holder) })
	var e int32
	for _, h := range hs {
		e = max(e, -h.Shares.Exponent())
	}
	limit := decimal.NewFromUint64(math.MaxInt64)
	t := c.shares.Shift(e)
	if e > 18 || t.GreaterThan(limit) {
		return
	}
	c.total = t.BigInt().Uint64()
	c.scaled = make([]uint64, len(hs))
	for i, h := range hs {
		c.scaled[i] = h.Shares.Shift(e).BigInt().Uint64()
	}
}
