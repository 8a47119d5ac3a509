package waterfall

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

type genOpts struct {
	safes         bool // include SAFEs
	uncappedPart  bool // allow uncapped participating preferred
	maxPreferred  int
	holdersPerCls int
}

// randomInput builds a seeded random cap table with whole-cent amounts.
func randomInput(r *rand.Rand, o genOpts) *Input {
	cents := func(lo, hi int) decimal.Decimal { return decimal.New(int64(lo+r.IntN(hi-lo+1)), -2) }
	shares := func() decimal.Decimal { return decimal.NewFromInt(int64(100_000 + r.IntN(5_000_000))) }
	in := &Input{Currency: money.USD}
	hs := func(prefix string) []Holding {
		n := 1 + r.IntN(o.holdersPerCls)
		var out []Holding
		for i := range n {
			// Holders overlap across classes on purpose.
			out = append(out, Holding{Holder: fmt.Sprintf("%s%d", prefix, (i+r.IntN(3))%7), Shares: shares()})
		}
		// de-duplicate holders
		seen := map[string]bool{}
		var uniq []Holding
		for _, h := range out {
			if !seen[h.Holder] {
				seen[h.Holder] = true
				uniq = append(uniq, h)
			}
		}
		return uniq
	}
	in.Classes = append(in.Classes, Class{Name: "Common", Kind: Common, Holdings: hs("founder")})
	np := r.IntN(o.maxPreferred + 1)
	for i := range np {
		c := Class{
			Name: fmt.Sprintf("Series %c", 'A'+i), Kind: Preferred, Holdings: hs("inv"),
			IssuePrice:         cents(10, 500),
			PreferenceMultiple: []decimal.Decimal{d("1"), d("1"), d("1.5"), d("2")}[r.IntN(4)],
			Rank:               r.IntN(3),
		}
		if r.IntN(3) == 0 {
			c.ConversionRatio = d("1.5")
		}
		if r.IntN(4) == 0 {
			c.AccruedDividends = cents(0, 50_000_000)
		}
		if r.IntN(3) == 0 {
			c.Participating = true
			switch {
			case o.uncappedPart && r.IntN(2) == 0:
			default:
				c.ParticipationCap = c.PreferenceMultiple.Add(decimal.NewFromInt(int64(r.IntN(3))))
			}
		}
		in.Classes = append(in.Classes, c)
	}
	for range r.IntN(4) {
		in.Options = append(in.Options, Option{Holder: fmt.Sprintf("staff%d", r.IntN(5)), Shares: shares(), ExercisePrice: cents(1, 300)})
	}
	if o.safes {
		for i := range r.IntN(3) {
			in.SAFEs = append(in.SAFEs, SAFE{Name: fmt.Sprintf("SAFE %d", i), Holder: fmt.Sprintf("angel%d", i),
				PurchaseAmount: cents(10_000_000, 200_000_000), ValuationCap: cents(2_000_000_000, 5_000_000_000)})
		}
	}
	if r.IntN(3) == 0 {
		in.Debts = []Debt{{Holder: "bank", Amount: cents(0, 300_000_000)}}
	}
	return in
}

func holderMap(r *Result) map[string]decimal.Decimal {
	m := map[string]decimal.Decimal{}
	for _, h := range r.Holders {
		m[h.Holder] = h.Payout
	}
	return m
}

// scale is a rough size of the table's claims, to pick exits that span
// all regimes.
func scale(in *Input) decimal.Decimal {
	s := decimal.NewFromInt(1_000_000)
	for _, c := range in.Classes {
		var n decimal.Decimal
		for _, h := range c.Holdings {
			n = n.Add(h.Shares)
		}
		s = s.Add(n.Mul(decimal.Max(c.IssuePrice, d("1"))).Mul(decimal.Max(c.ParticipationCap, d("2"))))
	}
	return s.Round(0)
}

const propCases = 150

// monotoneOpts alternates tables with preferred stock and tables with
// SAFEs but no preferred: where both are present a preferred conversion
// enlarges the SAFEs' Liquidity Capitalization, and the post-money SAFEs'
// payout jumps there (see the package doc), so those tables are left out
// of the continuity-based properties.
func monotoneOpts(k, holders int) genOpts {
	if k%2 == 0 {
		return genOpts{safes: true, maxPreferred: 0, holdersPerCls: holders}
	}
	return genOpts{uncappedPart: true, maxPreferred: 4, holdersPerCls: holders}
}

func TestPropertySumsAndZero(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for k := range propCases {
		in := randomInput(r, genOpts{safes: true, uncappedPart: true, maxPreferred: 4, holdersPerCls: 5})
		for _, ex := range []decimal.Decimal{decimal.Zero, decimal.New(int64(r.IntN(1_000_000_000)), -2), scale(in).Mul(decimal.New(int64(r.IntN(300)), -2)).Round(2)} {
			res, err := Compute(in, money.New(ex, money.USD))
			if err != nil {
				t.Fatalf("case %d exit %s: %v", k, ex, err)
			}
			checkSums(t, res)
			if ex.IsZero() {
				for _, h := range res.Holders {
					if !h.Payout.IsZero() {
						t.Fatalf("case %d: zero exit pays %s %s", k, h.Holder, h.Payout)
					}
				}
			}
		}
	}
}

func TestPropertyMonotone(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for k := range propCases {
		in := randomInput(r, monotoneOpts(k, 4))
		if len(in.SAFEs) > 1 {
			// Two post-money SAFEs with different caps: when the second
			// converts, the first's Liquidity Capitalization grows and
			// common falls (package doc, "Discontinuities").
			in.SAFEs = in.SAFEs[:1]
		}
		top := scale(in).Mul(d("3"))
		c, err := Curve(in, usd("0"), money.New(top, money.USD), 41)
		if err != nil {
			t.Fatalf("case %d: %v", k, err)
		}
		checkEvents(t, c)
		lines := map[string]int{}
		res, _ := Compute(in, usd("1"))
		for _, h := range res.Holders {
			lines[h.Holder] = len(h.Lines)
		}
		for _, s := range c.Holders {
			for i := 1; i < len(s.Payouts); i++ {
				// Exact payouts never fall; a constant amount that is not a
				// whole number of cents may lose its residual cent when the
				// others' remainders grow, so allow one cent per instrument.
				if s.Payouts[i].LessThan(s.Payouts[i-1].Sub(cent.Mul(decimal.NewFromInt(int64(lines[s.Name]))))) {
					t.Fatalf("case %d: %s falls from %s at exit %s to %s at %s", k, s.Name, s.Payouts[i-1], c.Exits[i-1], s.Payouts[i], c.Exits[i])
				}
			}
		}
	}
}

// Between consecutive curve points payouts are linear, because every
// breakpoint is a curve point: interpolating at the midpoint must match a
// direct evaluation to within rounding.
func TestPropertyCurveExactBetweenPoints(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for k := range 60 {
		in := randomInput(r, monotoneOpts(k, 3))
		w, err := New(in)
		if err != nil {
			t.Fatal(err)
		}
		c, err := w.Curve(usd("0"), money.New(scale(in).Mul(d("2")), money.USD), 9)
		if err != nil {
			t.Fatal(err)
		}
		checkEvents(t, c)
		for i := 1; i < len(c.Exits); i++ {
			a, b := c.Exits[i-1], c.Exits[i]
			if b.Sub(a).LessThan(d("1")) {
				continue
			}
			mid := a.Add(b).Div(d("2")).Truncate(2)
			res, err := w.At(money.New(mid, money.USD))
			if err != nil {
				t.Fatal(err)
			}
			got := holderMap(res)
			frac := mid.Sub(a).DivRound(b.Sub(a), 20)
			for _, s := range c.Holders {
				lin := s.Payouts[i-1].Add(s.Payouts[i].Sub(s.Payouts[i-1]).Mul(frac))
				if got[s.Name].Sub(lin).Abs().GreaterThan(d("0.05")) {
					t.Fatalf("case %d: %s at %s is %s, linear between %s..%s gives %s (breakpoints %v)", k, s.Name, mid, got[s.Name], a, b, lin.Round(2), bpStrings(c))
				}
			}
		}
	}
}

func shuffled(r *rand.Rand, in *Input) *Input {
	out := *in
	out.Classes = append([]Class(nil), in.Classes...)
	for i := range out.Classes {
		out.Classes[i].Holdings = append([]Holding(nil), out.Classes[i].Holdings...)
		r.Shuffle(len(out.Classes[i].Holdings), func(a, b int) {
			out.Classes[i].Holdings[a], out.Classes[i].Holdings[b] = out.Classes[i].Holdings[b], out.Classes[i].Holdings[a]
		})
	}
	r.Shuffle(len(out.Classes), func(a, b int) { out.Classes[a], out.Classes[b] = out.Classes[b], out.Classes[a] })
	out.Options = append([]Option(nil), in.Options...)
	r.Shuffle(len(out.Options), func(a, b int) { out.Options[a], out.Options[b] = out.Options[b], out.Options[a] })
	out.SAFEs = append([]SAFE(nil), in.SAFEs...)
	r.Shuffle(len(out.SAFEs), func(a, b int) { out.SAFEs[a], out.SAFEs[b] = out.SAFEs[b], out.SAFEs[a] })
	return &out
}

func TestPropertyOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for k := range propCases {
		in := randomInput(r, genOpts{safes: true, uncappedPart: true, maxPreferred: 5, holdersPerCls: 5})
		ex := money.New(scale(in).Mul(decimal.New(int64(r.IntN(200)), -2)).Round(2), money.USD)
		a, err := Compute(in, ex)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Compute(shuffled(r, in), ex)
		if err != nil {
			t.Fatal(err)
		}
		pa, pb := payouts(a), payouts(b)
		if len(pa) != len(pb) {
			t.Fatalf("case %d: %d vs %d rows", k, len(pa), len(pb))
		}
		for key, v := range pa {
			if pb[key] != v {
				t.Fatalf("case %d exit %s: %s = %s, shuffled %s", k, ex.Amount, key, v, pb[key])
			}
		}
	}
}

// Far above every preference and cap (and with no uncapped participating
// class, which by design keeps taking more than its share) everyone gets
// at least the as-converted share of the exit: shares / L of it, where L is
// the Liquidity Capitalization-style count of all shares, options and SAFE
// conversion shares; options less their exercise price.
func TestPropertyAboveCapsAsConverted(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for k := range propCases {
		in := randomInput(r, genOpts{safes: true, maxPreferred: 4, holdersPerCls: 4})
		ex := scale(in).Mul(d("1000")).Round(2)
		res, err := Compute(in, money.New(ex, money.USD))
		if err != nil {
			t.Fatal(err)
		}
		b, phi := decimal.Zero, decimal.Zero
		for _, c := range in.Classes {
			for _, h := range c.Holdings {
				b = b.Add(h.Shares.Mul(c.ratio()))
			}
		}
		for _, o := range in.Options {
			b = b.Add(o.Shares)
		}
		for _, s := range in.SAFEs {
			phi = phi.Add(s.PurchaseAmount.Div(s.ValuationCap))
		}
		l := b.Div(one.Sub(phi))
		for _, db := range in.Debts {
			ex = ex.Sub(db.Amount) // debt comes off the top
		}
		floor := map[string]decimal.Decimal{}
		for _, c := range in.Classes {
			for _, h := range c.Holdings {
				floor[h.Holder] = floor[h.Holder].Add(h.Shares.Mul(c.ratio()).Mul(ex).Div(l))
			}
		}
		for _, o := range in.Options {
			floor[o.Holder] = floor[o.Holder].Add(o.Shares.Mul(ex.Div(l).Sub(o.ExercisePrice)))
		}
		for _, s := range in.SAFEs {
			floor[s.Holder] = floor[s.Holder].Add(s.PurchaseAmount.Div(s.ValuationCap).Mul(ex))
		}
		got := holderMap(res)
		for h, f := range floor {
			if got[h].LessThan(f.Sub(d("0.10"))) {
				t.Fatalf("case %d equity %s: %s gets %s, below its as-converted %s", k, ex, h, got[h], f.Round(2))
			}
		}
	}
}
