package termsheet

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Published weighted-average examples.
//
// MG Legal (mglick.legal, "Weighted Average Anti-Dilution Protection:
// Formula And Calculator", 2019): 1,000,000 common and 1,000,000 Series A
// preferred at $1.00 (A = 2,000,000); a Series B at $0.50 leaves each
// Series A share convertible into 1.2 common shares under the weighted
// average, "instead of 2 common shares with a Full Ratchet". The 1.2 holds
// for a Series B of C = 1,000,000 shares: CP2 = 1.00 × (2M + 0.5M) / (2M +
// 1M) = $0.8333, 1 / 0.8333 = 1.2.
//
// The Business Professor (J. Gordon, "Weighted Average Antidilution
// Protection", 2020): the same deal at 1/10,000 scale — 100 common, 100
// Series A at $1.00, a Series B of 100 shares at $0.50 — with
// AP = OP × (CO + NCE) / (CO + CE) = 1.00 × 250 / 300 = $0.8333.
func TestWeightedAveragePublished(t *testing.T) {
	for _, tc := range []struct {
		name          string
		a, c          string
		cp2, ratio    string
		series, extra string
	}{
		{"MG Legal", "2000000", "1000000", "0.833333", "1.2", "1000000", "200000"},
		{"Business Professor", "200", "100", "0.833333", "1.2", "100", "20"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			adj, err := Adjust(BroadBased, Issue{CP1: d("1.00"), NewPrice: d("0.50"), Outstanding: d(tc.a), NewShares: d(tc.c), SeriesShares: d(tc.series)})
			if err != nil {
				t.Fatal(err)
			}
			if !adj.CP2.Equal(d(tc.cp2)) || !adj.ConversionRatio.Equal(d(tc.ratio)) || !adj.ExtraShares.Equal(d(tc.extra)) {
				t.Errorf("CP2 %s ratio %s extra %s; want %s, %s, %s", adj.CP2, adj.ConversionRatio, adj.ExtraShares, tc.cp2, tc.ratio, tc.extra)
			}
			fr, err := Adjust(FullRatchet, Issue{CP1: d("1.00"), NewPrice: d("0.50"), Outstanding: d(tc.a), NewShares: d(tc.c)})
			if err != nil {
				t.Fatal(err)
			}
			if !fr.CP2.Equal(d("0.5")) || !fr.ConversionRatio.Equal(d("2")) {
				t.Errorf("full ratchet CP2 %s ratio %s; want 0.5 and 2", fr.CP2, fr.ConversionRatio)
			}
		})
	}
}

// Broad vs narrow base, NVCA definitions: options and convertibles are in
// the broad base only; the narrower A gives a lower CP2.
func TestBroadVersusNarrow(t *testing.T) {
	cap := Capitalization{Common: d("6000000"), PreferredAsConverted: d("2000000"), OptionsOutstanding: d("1500000"),
		ConvertiblesAsConv: d("500000"), PoolUnissued: d("1000000")}
	if got := cap.Base(BroadBased); !got.Equal(d("10000000")) {
		t.Errorf("broad base %s, want 10000000", got)
	}
	if got := cap.Base(NarrowBased); !got.Equal(d("8000000")) {
		t.Errorf("narrow base %s, want 8000000", got)
	}
	cap.IncludeUnissuedPool = true
	if got := cap.Base(BroadBased); !got.Equal(d("11000000")) {
		t.Errorf("broad base with pool %s, want 11000000", got)
	}
	cap.IncludeUnissuedPool = false
	is := Issue{CP1: d("2"), NewPrice: d("1"), NewShares: d("2000000")}
	is.Outstanding = cap.Base(BroadBased)
	broad, _ := Adjust(BroadBased, is)
	is.Outstanding = cap.Base(NarrowBased)
	narrow, _ := Adjust(NarrowBased, is)
	// broad: 2 × (10M + 1M) / 12M = 1.833333; narrow: 2 × 9M / 10M = 1.8.
	if !broad.CP2.Equal(d("1.833333")) || !narrow.CP2.Equal(d("1.8")) {
		t.Errorf("broad %s narrow %s; want 1.833333 and 1.8", broad.CP2, narrow.CP2)
	}
}

func TestNoTriggerAboveCP1(t *testing.T) {
	for _, k := range []Kind{BroadBased, NarrowBased, FullRatchet, NoProtection} {
		adj, err := Adjust(k, Issue{CP1: d("1"), NewPrice: d("1.5"), Outstanding: d("100"), NewShares: d("10")})
		if err != nil {
			t.Fatal(err)
		}
		if adj.Triggered || !adj.CP2.Equal(d("1")) {
			t.Errorf("%s: an up round must not adjust: %+v", k, adj)
		}
	}
}

// Properties: new price ≤ weighted-average CP2 ≤ CP1, full ratchet ≤
// weighted average, narrow (smaller A) ≤ broad.
func TestAntiDilutionProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for i := 0; i < 2000; i++ {
		cp1 := decimal.New(1+rng.Int64N(100000), -3)
		np := decimal.New(1+rng.Int64N(100000), -3)
		a := decimal.NewFromInt(1 + rng.Int64N(1e8))
		narrowA := a.Sub(decimal.NewFromInt(rng.Int64N(a.IntPart())))
		c := decimal.NewFromInt(1 + rng.Int64N(1e8))
		wa := WeightedAverage(cp1, np, a, c)
		lo, hi := decimal.Min(cp1, np), decimal.Max(cp1, np)
		if wa.LessThan(lo.Sub(d("1e-18"))) || wa.GreaterThan(hi.Add(d("1e-18"))) {
			t.Fatalf("WA %s outside [%s, %s] (a=%s c=%s)", wa, lo, hi, a, c)
		}
		br, _ := Adjust(BroadBased, Issue{CP1: cp1, NewPrice: np, Outstanding: a, NewShares: c})
		nr, _ := Adjust(NarrowBased, Issue{CP1: cp1, NewPrice: np, Outstanding: narrowA, NewShares: c})
		fr, _ := Adjust(FullRatchet, Issue{CP1: cp1, NewPrice: np, Outstanding: a, NewShares: c})
		if fr.CP2.GreaterThan(br.CP2) || nr.CP2.GreaterThan(br.CP2) {
			t.Fatalf("ratchet %s / narrow %s above broad %s", fr.CP2, nr.CP2, br.CP2)
		}
		if np.LessThan(cp1) && (br.CP2.LessThan(np) || br.CP2.GreaterThan(cp1)) {
			t.Fatalf("broad CP2 %s not in [%s, %s]", br.CP2, np, cp1)
		}
	}
}

func TestAdjustBadInput(t *testing.T) {
	ok := Issue{CP1: d("1"), NewPrice: d("0.5"), Outstanding: d("100"), NewShares: d("10")}
	for _, tc := range []struct {
		mut  func(*Issue)
		want string
	}{
		{func(i *Issue) { i.CP1 = d("0") }, "cp1 0"},
		{func(i *Issue) { i.NewPrice = d("-1") }, "new price -1"},
		{func(i *Issue) { i.NewShares = d("0") }, "new shares 0"},
		{func(i *Issue) { i.Outstanding = d("-5") }, "outstanding (A) -5"},
		{func(i *Issue) { i.OriginalIssuePrice = d("-1") }, "original issue price"},
		{func(i *Issue) { i.SeriesShares = d("-1") }, "series shares"},
	} {
		is := ok
		tc.mut(&is)
		if _, err := Adjust(BroadBased, is); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
	if _, err := ParseKind("sideways"); err == nil {
		t.Error("ParseKind accepted nonsense")
	}
}

// Venture Hacks, "The Option Pool Shuffle" (Nivi, 2007): an $8M pre-money,
// $2M investment and a 20% post-money pool created in the pre-money make
// the effective pre-money $6M.
func TestOptionPoolShuffleVentureHacks(t *testing.T) {
	doc, err := ParseOffers([]byte(`currency: USD
company: {founder_shares: 8000000}
offers:
  - {name: vh, pre_money: 8000000, amount: 2000000, pool_target: 20%}
exits: [10000000]
`), false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := CompareOffers(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := c.Offers[0]
	if !o.EffectivePreMoney.Amount.Equal(d("6000000")) || !o.PricePerShare.Amount.Equal(d("0.75")) || !o.Ownership.Pool.Equal(d("0.2")) {
		t.Errorf("effective pre %s, price %s, pool %s; want 6000000, 0.75, 0.2", o.EffectivePreMoney, o.PricePerShare, o.Ownership.Pool)
	}
	if !o.Ownership.NewInvestor.Equal(d("0.2")) || !o.Ownership.Founders.Equal(d("0.6")) {
		t.Errorf("ownership %+v", o.Ownership)
	}
}

// Hand-worked offers: founders 8M shares, 2M unissued pool (takes nothing
// at an exit), existing 1× non-participating preferred of 2M shares for
// $2M, a new $5M at $10M pre (price $0.8333: 12M fully diluted shares).
func TestCompareOffers(t *testing.T) {
	doc, err := ParseOffers([]byte(`currency: USD
company:
  founder_shares: 8000000
  pool_unissued: 2000000
  existing_preferred: {shares: 2000000, invested: 2000000}
offers:
  - {name: plain, pre_money: 10000000, amount: 5000000}
  - {name: participating, pre_money: 10000000, amount: 5000000, participating: true}
  - {name: capped, pre_money: 10000000, amount: 5000000, participating: true, participation_cap: 2, anti_dilution: full_ratchet, board_seats: 2, pro_rata: true}
exits: [6000000, 60000000]
`), false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := CompareOffers(doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	// New shares 5M / (10M/12M) = 6M; total 18M.
	plain := c.Offers[0]
	if !plain.NewShares.Equal(d("6000000")) || !plain.Ownership.Founders.Equal(d("0.444444")) {
		t.Fatalf("plain: %+v", plain)
	}
	// Exit 6M: new takes its $5M preference, existing its $1M remainder,
	// founders nothing.
	if p := plain.Proceeds[0]; !p.Founders.Amount.IsZero() || !p.NewInvestor.Amount.Equal(d("5000000")) || p.NewInvestorConverts {
		t.Errorf("plain at 6M: %+v", p)
	}
	// Exit 60M: everyone converts; founders 60M × 8/16 = 30M (the unissued
	// pool takes nothing).
	if p := plain.Proceeds[1]; !p.Founders.Amount.Equal(d("30000000")) || !p.NewInvestorConverts {
		t.Errorf("plain at 60M: %+v", p)
	}
	// Participating at 60M: $5M preference, then 55M less existing $0? The
	// existing preferred converts (it gets more as common): common is
	// founders 8M + existing 2M + new 6M = 16M shares; founders
	// 55M × 8/16 = 27.5M.
	if p := c.Offers[1].Proceeds[1]; !p.Founders.Amount.Equal(d("27500000")) || !p.NewInvestor.Amount.Equal(d("25625000")) {
		t.Errorf("participating at 60M: %+v", p)
	}
	// Capped at 2× ($10M): participating would give 25.625M > cap, and
	// converting gives 60M × 6/16 = 22.5M > 10M, so it converts: same as plain.
	if p := c.Offers[2].Proceeds[1]; !p.Founders.Amount.Equal(d("30000000")) || !p.NewInvestorConverts {
		t.Errorf("capped at 60M: %+v", p)
	}
	if c.Offers[2].AntiDilution != FullRatchet || c.Offers[2].BoardSeats != 2 {
		t.Errorf("terms not carried: %+v", c.Offers[2])
	}
}

// Properties of the simple waterfall: payouts sum to the exit, and the
// founders' proceeds never fall as the exit rises.
func TestSimpleWaterfallProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for it := 0; it < 200; it++ {
		c := SimpleCap{
			Founders: decimal.NewFromInt(1 + rng.Int64N(1e7)), OptionsGranted: decimal.NewFromInt(rng.Int64N(1e6)),
			OtherCommon: decimal.NewFromInt(rng.Int64N(1e6)),
			NewShares:   decimal.NewFromInt(1 + rng.Int64N(1e7)), NewInvested: decimal.NewFromInt(1 + rng.Int64N(2e7)),
			NewMultiple: decimal.NewFromInt(1 + rng.Int64N(3)), NewParticipating: rng.IntN(2) == 0,
		}
		if c.NewParticipating && rng.IntN(2) == 0 {
			c.NewCap = c.NewMultiple.Add(decimal.NewFromInt(1 + rng.Int64N(3)))
		}
		if rng.IntN(2) == 0 {
			c.OldShares, c.OldInvested = decimal.NewFromInt(1+rng.Int64N(5e6)), decimal.NewFromInt(rng.Int64N(5e6))
		}
		prev := decimal.NewFromInt(-1)
		for e := int64(0); e <= 200; e++ {
			exit := decimal.NewFromInt(e * 1e6)
			p, err := SimpleWaterfall(c, exit)
			if err != nil {
				t.Fatalf("exit %s (cap %+v): %v", exit, c, err)
			}
			// The waterfall pays in cents, and the cents sum to the exit
			// exactly.
			sum := p.Founders.Add(p.Options).Add(p.OtherCommon).Add(p.New).Add(p.Old)
			if !sum.Equal(exit) {
				t.Fatalf("payouts %s do not sum to exit %s: %+v (cap %+v)", sum, exit, p, c)
			}
			if p.Founders.LessThan(prev) {
				t.Fatalf("founders' proceeds fell from %s to %s at exit %s (cap %+v)", prev, p.Founders, exit, c)
			}
			prev = p.Founders
		}
	}
}

func TestOffersBadInput(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"company: {founder_shares: 1}", "currency: missing"},
		{"currency: USD\ncompany: {founder_shares: 0}\noffers: [{name: a, pre_money: 1, amount: 1}]", "company.founder_shares: missing or not positive"},
		{"currency: USD\ncompany: {founder_shares: 1}", "offers: none given"},
		{"currency: USD\ncompany: {founder_shares: 1, pool_unissued: -5}\noffers: [{name: a, pre_money: 1, amount: 1}]", "company.pool_unissued: -5 must not be negative"},
		{"currency: USD\ncompany: {founder_shares: 1}\noffers: [{name: a, pre_money: -1, amount: 1}]", "offers[0] (a).pre_money"},
		{"currency: USD\ncompany: {founder_shares: 1}\noffers: [{name: a, pre_money: 1, amount: 1, participation_cap: 3}]", "set on a non-participating preferred"},
		{"currency: USD\ncompany: {founder_shares: 1}\noffers: [{name: a, pre_money: 1, amount: 1, participating: true, participation_cap: 1}]", "must exceed the liquidation multiple"},
		{"currency: USD\ncompany: {founder_shares: 1}\noffers: [{name: a, pre_money: 1, amount: 1, pool_target: 1.2}]", "pool_target: 1.2 outside [0, 1)"},
		{"currency: USD\ncompany: {founder_shares: 1}\noffers: [{name: a, pre_money: 1, amount: 1, anti_dilution: magic}]", `anti-dilution "magic"`},
		{"currency: USD\ncompany: {founder_shares: 1}\noffers: [{name: a, pre_money: 1, amount: 1}]\nexits: [-3]", "exits[0]: -3"},
		{"currency: USD\ncompany: {founder_shares: 1}\noffers: [{name: a, pre_money: 1, amount: 9, pool_target: 0.5}]", "cannot be reached"},
		{"currency: USD\ncompany: {founder_shares: 1, typo: 2}", "typo"},
	} {
		doc, err := ParseOffers([]byte(tc.doc), false)
		if err == nil {
			_, err = CompareOffers(doc, nil)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.doc, err, tc.want)
		}
	}
}
