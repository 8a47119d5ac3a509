package round

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

// TestFixedPointIterationConverges shows that plain fixed-point iteration
// on the price — P ← V / (pre-money shares at P) — converges to the
// solver's exact answer, on Cooley's percentage-ownership example (P* =
// 46/7) and on the YC Guide's Example 1 Question 5 (P* = 2,400/3,649, where
// one safe converts at the round price and the Company Capitalization is
// itself a fixed point). Floats are fine here: this is the demonstration,
// not the computation.
func TestFixedPointIterationConverges(t *testing.T) {
	cooley := func(p float64) float64 { return 8e6 / (1e6 + 1e6/(0.7*p)) }
	yc := func(p float64) float64 {
		b := 10e6
		for j := 0; j < 200; j++ { // the Company Capitalization's own fixed point
			b = 10e6 + math.Max(200e3/p, 0.05*b) + math.Max(800e3/p, 0.10*b)
		}
		return 8.8e6 / (b + 1_573_000)
	}
	for _, tc := range []struct {
		name  string
		step  func(float64) float64
		exact float64
	}{{"cooley", cooley, 46.0 / 7}, {"yc-ex1-q5", yc, 2400.0 / 3649}} {
		p, prev := 1.0, 0.0
		var errs []float64
		for k := 0; k < 60 && math.Abs(p-prev) > 1e-15; k++ {
			prev, p = p, tc.step(p)
			errs = append(errs, math.Abs(p-tc.exact))
		}
		if math.Abs(p-tc.exact) > 1e-12 {
			t.Errorf("%s: iteration ends at %.15f, exact %.15f", tc.name, p, tc.exact)
		}
		// The error shrinks geometrically (a contraction).
		for k := 2; k < len(errs) && errs[k] > 1e-13; k++ {
			if errs[k] > errs[k-1] {
				t.Errorf("%s: error grew at step %d: %g > %g", tc.name, k, errs[k], errs[k-1])
			}
		}
	}
	// And the solver's exact answers.
	c := parse(t, ycTable("safe_post", "4000000"))
	exact := Rounding{PriceDecimals: -1, Price: Nearest, Conversion: Floor, Investors: Floor}
	terms := ycRound("8800000", "2200000", "1573000")
	terms.Rounding = &exact
	r := mustApply(t, c, terms)
	eq(t, "exact price", r.ExactPrice, new(big.Rat).SetFrac64(2400, 3649).FloatString(10))
	if r.Iterations < 2 {
		t.Errorf("iterations %d: B's branch should have switched from cap to round price", r.Iterations)
	}
}

// TestMFN: an MFN safe ($500,000, no cap, no discount) is followed by a
// $1M post-money safe capped at $10M and a $1M discount-only safe (20%).
// 8,000,000 common; $3M at $12M pre, percentage method, exact price. By
// hand: adopting the cap gives the MFN holder 1/25 of the company (T =
// 2,400M/179), adopting the discount 1/24 (T = 1,600M/119, price
// 357/320 = $1.115625, discount price $0.8925), so it takes the discount
// safe's terms: 500,000 / 0.8925 = 560,224.09 shares.
func TestMFN(t *testing.T) {
	c := parse(t, `
name: MFN Co
currency: USD
stakeholders: [{id: f, kind: founder}, {id: m, kind: investor}, {id: k, kind: investor}, {id: d, kind: investor}]
share_classes: [{id: common}]
issuances: [{stakeholder: f, class: common, shares: 8000000}]
convertibles:
  - {id: mfn, stakeholder: m, type: safe_post, amount: 500000, mfn: true, date: 2023-01-01}
  - {id: cap, stakeholder: k, type: safe_post, amount: 1000000, cap: 10000000, date: 2023-03-01}
  - {id: disc, stakeholder: d, type: safe_post, amount: 1000000, discount: 20%, date: 2023-05-01}
`)
	exact := Rounding{PriceDecimals: -1, Price: Nearest, Conversion: Floor, Investors: Floor}
	r := mustApply(t, c, RoundTerms{Name: "A", Date: captable.NewDate(2024, 1, 1), PreMoney: dec("12000000"), Rounding: &exact,
		Investments: []Investment{{Stakeholder: "lead", Amount: dec("3000000")}}})
	eq(t, "price", r.Price, "1.115625")
	m := conv(t, r, "mfn")
	if m.MFNFrom != "disc" || m.Basis != "discount" {
		t.Errorf("MFN adopted %q (basis %s), want the discount safe", m.MFNFrom, m.Basis)
	}
	eq(t, "MFN conversion price", m.ConversionPrice, "0.8925")
	eq(t, "MFN shares", m.Shares, "560224")
	// The capped safe: 10% of Company Capitalization, 0.08T with T = 1,600M/119.
	eq(t, "capped safe", conv(t, r, "cap").Shares, "1075630") // 128M/119 = 1,075,630.25
}

// TestPreMoneySAFEAndDiscount: a pre-money safe's cap price is cap /
// (pre-round fully diluted + pool increase), excluding the other
// convertibles; lower price wins between cap and discount.
func TestPreMoneySAFEAndDiscount(t *testing.T) {
	c := parse(t, `
name: Pre Co
currency: USD
stakeholders: [{id: f, kind: founder}, {id: s, kind: investor}]
share_classes: [{id: common}]
issuances: [{stakeholder: f, class: common, shares: 4000000}]
convertibles: [{id: s1, stakeholder: s, type: safe_pre, amount: 500000, cap: 4000000, discount: 10%}]
`)
	// Cap price: $4M / (4M + 1M pool increase) = $0.80; pre-money method
	// price: $10M / 5M = $2.00, discount price $1.80. Cap wins: 625,000.
	r := mustApply(t, c, RoundTerms{Name: "A", PreMoney: dec("10000000"), PoolIncrease: dec("1000000"), Method: PreMoneyMethod,
		Investments: []Investment{{Stakeholder: "vc", Amount: dec("2000000")}}})
	eq(t, "price", r.Price, "2")
	s := conv(t, r, "s1")
	eq(t, "cap price", s.ConversionPrice, "0.8")
	eq(t, "shares", s.Shares, "625000")
	eq(t, "pre-money capitalization", r.PreMoneyCapitalization, "5000000")
	// The conversion's own series: Series A-1 at $0.80.
	if s.Class != "a-1" {
		t.Errorf("conversion class %q, want a-1", s.Class)
	}
	cl := r.Company.Class("a-1")
	if cl == nil || !cl.OriginalIssuePrice.Equal(dec("0.8")) {
		t.Errorf("shadow series %+v", cl)
	}
}

func TestScenarioSeedAB(t *testing.T) {
	c := parse(t, `
name: Path Co
currency: USD
stakeholders: [{id: ann, kind: founder}, {id: bo, kind: founder}, {id: angel, kind: investor}]
share_classes: [{id: common}]
issuances:
  - {stakeholder: ann, class: common, shares: 5000000}
  - {stakeholder: bo, class: common, shares: 4000000}
option_plan: {class: common, pool_size: 1000000}
convertibles: [{id: seed-safe, stakeholder: angel, type: safe_post, amount: 1000000, cap: 10000000}]
`)
	rounds := []RoundTerms{
		{Name: "Seed", PreMoney: dec("12000000"), PoolTarget: dec("0.10"), Investments: []Investment{{Stakeholder: "seed-fund", Amount: dec("3000000")}}},
		{Name: "Series A", PreMoney: dec("40000000"), PoolTarget: dec("0.12"), Investments: []Investment{{Stakeholder: "a-fund", Amount: dec("10000000")}}},
		{Name: "Series B", PreMoney: dec("150000000"), Investments: []Investment{{Stakeholder: "b-fund", Amount: dec("30000000")}}},
	}
	sr, err := Scenario(c, "plan", rounds)
	if err != nil {
		t.Fatal(err)
	}
	if len(sr.Stages) != 3 || len(sr.Founders) != 2 || len(sr.Labels) != 4 {
		t.Fatalf("stages %d founders %d labels %v", len(sr.Stages), len(sr.Founders), sr.Labels)
	}
	for _, p := range sr.Founders {
		if len(p.Points) != 4 {
			t.Fatalf("%s: %d points", p.Stakeholder, len(p.Points))
		}
		for k := 1; k < len(p.Points); k++ {
			if p.Points[k].GreaterThan(p.Points[k-1]) {
				t.Errorf("%s's ownership rose from %s to %s", p.Stakeholder, p.Points[k-1], p.Points[k])
			}
		}
	}
	eq(t, "ann at start", sr.Founders[0].Points[0], "50")
	// The Series B has no convertibles and no pool change: b-fund owns
	// exactly 30/180 up to a share's rounding.
	b := sr.Stages[2].Result
	if got := b.Investors[0].Ownership; got.Sub(dec("16.6667")).Abs().GreaterThan(dec("0.0001")) {
		t.Errorf("Series B investor owns %s%%, want 16.6667%%", got)
	}
	if len(sr.Final.Convertibles) != 0 {
		t.Errorf("the seed safe did not convert")
	}
}

func TestDocumentScenario(t *testing.T) {
	c := parse(t, `
name: Doc Co
currency: CNY
stakeholders: [{id: f, kind: founder}]
share_classes: [{id: common}]
issuances: [{stakeholder: f, class: common, shares: 10000000}]
scenarios:
  - name: base
    rounds:
      - {name: 天使轮, pre_money: 20000000, investments: [{stakeholder: angel, name: 某天使, amount: 5000000}]}
      - name: A轮
        pre_money: 1亿
        pool_target: 10%
        investments: [{stakeholder: vc, amount: 3000万}]
        class: {name: A轮优先股, liquidation_multiple: 1, participating: false}
`)
	sr, err := DocumentScenario(c, "base")
	if err != nil {
		t.Fatal(err)
	}
	a := sr.Stages[1].Result
	eq(t, "A round new money", a.NewMoney, "30000000")
	if a.Company.Class("a轮") == nil || a.Company.Class("a轮").Seniority != 2 {
		t.Errorf("classes %+v", a.Company.ShareClasses)
	}
	if _, err := DocumentScenario(c, "nope"); err == nil || !strings.Contains(err.Error(), `"base"`) {
		t.Errorf("unknown scenario: %v", err)
	}
}

func TestBadTerms(t *testing.T) {
	c := parse(t, `
name: Bad Co
currency: USD
stakeholders: [{id: f, kind: founder}, {id: s, kind: investor}, {id: n, kind: investor}]
share_classes: [{id: common}, {id: seed, kind: preferred, original_issue_price: 1}]
issuances: [{stakeholder: f, class: common, shares: 1000000}]
option_plan: {class: common, pool_size: 300000}
convertibles:
  - {id: big, stakeholder: s, type: safe_post, amount: 6000000, cap: 10000000}
`)
	inv := []Investment{{Stakeholder: "vc", Amount: dec("1000000")}}
	bad := Rounding{PriceDecimals: 4, Price: "sideways", Conversion: Floor, Investors: Floor}
	tiny := Rounding{PriceDecimals: 0, Price: Down, Conversion: Floor, Investors: Floor}
	noteCo := parse(t, `
name: Note Co
currency: USD
stakeholders: [{id: f}, {id: n}]
share_classes: [{id: common}]
issuances: [{stakeholder: f, class: common, shares: 1000000}]
convertibles: [{id: n1, stakeholder: n, type: note, amount: 100000, interest_rate: 8%, date: 2023-01-01}]
`)
	small := parse(t, `
name: Small Co
currency: USD
stakeholders: [{id: f}]
share_classes: [{id: common}]
issuances: [{stakeholder: f, class: common, shares: 1000000}]
option_plan: {class: common, pool_size: 300000}
`)
	empty := parse(t, "name: Empty\ncurrency: USD\nshare_classes: [{id: common}]\n")
	for _, tc := range []struct {
		c    *captable.Company
		t    RoundTerms
		want string
	}{
		{small, RoundTerms{Name: "A", PreMoney: dec("0"), Investments: inv}, "pre-money must be > 0"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000")}, "at least one investment"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), Investments: []Investment{{Stakeholder: "vc", Amount: dec("-5")}}}, "investments[0] (vc): amount must be > 0"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), Investments: []Investment{{Amount: dec("5")}}}, "stakeholder: required"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), PoolTarget: dec("1.2"), Investments: inv}, "pool target must be in"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), PoolTarget: dec("0.1"), PoolIncrease: dec("5"), Investments: inv}, "contradict"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), PoolTarget: dec("0.6"), Investments: inv}, "leave nothing for the existing holders"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), PoolTarget: dec("0.05"), Investments: inv}, "below the unissued pool"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), PoolIncrease: dec("-1"), Investments: inv}, "pool increase must not be negative"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), Method: "magic", Investments: inv}, `method "magic"`},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), Rounding: &bad, Investments: inv}, `price rounding "sideways"`},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000"), Rounding: &tiny, Investments: inv}, "rounds to zero"},
		{small, RoundTerms{Name: "A", PreMoney: dec("1000000"), Class: captable.ShareClass{ID: "common"}, Investments: inv}, `share class id "common" already exists`},
		{c, RoundTerms{Name: "A", PreMoney: dec("1000000"), Investments: inv}, "no positive price solves the round"},
		{noteCo, RoundTerms{Name: "A", PreMoney: dec("1000000"), Investments: inv}, "needs a date"},
		{empty, RoundTerms{Name: "A", PreMoney: dec("1000000"), Investments: inv}, "has no shares"},
	} {
		_, err := Apply(tc.c, tc.t)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.t, err, tc.want)
		}
	}
	// The post-money caps claim 60% alone; 120% is impossible.
	over := c.Clone()
	over.Convertibles = append(over.Convertibles, captable.Convertible{ID: "more", Stakeholder: "n", Type: captable.SAFEPost,
		Amount: dec("6000000"), Cap: dec("10000000")})
	if _, err := Apply(over, RoundTerms{Name: "A", PreMoney: dec("1e7"), Investments: inv}); err == nil || !strings.Contains(err.Error(), "Σ amount/cap ≥ 100%") {
		t.Errorf("caps over 100%%: %v", err)
	}
}

// randomCompany builds a valid company with n stakeholders, k classes and
// s SAFEs, deterministically from rng.
func randomCompany(rng *rand.Rand, n, k, s int) *captable.Company {
	c := &captable.Company{Name: "Random", Currency: "USD"}
	c.ShareClasses = append(c.ShareClasses, captable.ShareClass{ID: "common", Name: "Common", Kind: captable.Common, ConversionRatio: decimal.NewFromInt(1)})
	for j := 1; j < k; j++ {
		c.ShareClasses = append(c.ShareClasses, captable.ShareClass{ID: fmt.Sprintf("p%d", j), Name: fmt.Sprintf("Series %d", j),
			Kind: captable.Preferred, OriginalIssuePrice: decimal.New(int64(1+rng.IntN(500)), -2), LiquidationMultiple: decimal.NewFromInt(1),
			Seniority: j, ConversionRatio: decimal.New(int64(5+rng.IntN(20)), -1)})
	}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("h%d", i)
		kind := captable.Investor
		if i < 2 {
			kind = captable.Founder
		}
		c.Stakeholders = append(c.Stakeholders, captable.Stakeholder{ID: id, Name: id, Kind: kind, ProRata: rng.IntN(10) == 0})
		c.Issuances = append(c.Issuances, captable.Issuance{Stakeholder: id, Class: c.ShareClasses[rng.IntN(k)].ID,
			Shares: decimal.NewFromInt(int64(1 + rng.IntN(2_000_000)))})
	}
	pool := decimal.NewFromInt(int64(rng.IntN(3_000_000)))
	c.OptionPlan = &captable.OptionPlan{Name: "ESOP", Class: "common", PoolSize: pool}
	left := pool
	for g := 0; g < n/5 && left.GreaterThan(decimal.NewFromInt(100)); g++ {
		sh := decimal.NewFromInt(int64(1 + rng.IntN(int(left.IntPart()/2))))
		c.OptionPlan.Grants = append(c.OptionPlan.Grants, captable.Grant{ID: fmt.Sprintf("g%d", g), Stakeholder: fmt.Sprintf("h%d", rng.IntN(n)), Shares: sh})
		left = left.Sub(sh)
	}
	for j := 0; j < s; j++ {
		cv := captable.Convertible{ID: fmt.Sprintf("c%d", j), Stakeholder: fmt.Sprintf("h%d", rng.IntN(n)),
			Type:   []captable.ConvertibleType{captable.SAFEPost, captable.SAFEPre, captable.Note}[rng.IntN(3)],
			Amount: decimal.NewFromInt(int64(10_000 + rng.IntN(500_000))), Date: captable.NewDate(2022, 1, 1+rng.IntN(28)), ProRata: rng.IntN(3) == 0}
		if rng.IntN(4) > 0 {
			cv.Cap = decimal.NewFromInt(int64(20_000_000 + rng.IntN(80_000_000)))
		}
		if rng.IntN(2) == 0 {
			cv.Discount = decimal.New(int64(rng.IntN(30)), -2)
		}
		if cv.Type == captable.Note {
			cv.InterestRate = decimal.New(int64(rng.IntN(10)), -2)
			cv.DayCount = []captable.DayCount{captable.Actual365, captable.Thirty360}[rng.IntN(2)]
			cv.Compounding = []captable.Compounding{captable.Simple, captable.Annual}[rng.IntN(2)]
		}
		c.Convertibles = append(c.Convertibles, cv)
	}
	return c
}

func randomTerms(rng *rand.Rand, c *captable.Company) RoundTerms {
	fd := c.Holdings().FullyDiluted()
	t := RoundTerms{Name: "Series X", Date: captable.NewDate(2024, 6, 30),
		PreMoney: fd.Mul(decimal.New(int64(50+rng.IntN(500)), -2)).Round(0),
		Method:   []Method{PercentageOwnership, PreMoneyMethod, DollarsInvested}[rng.IntN(3)]}
	for j := 0; j < 1+rng.IntN(4); j++ {
		t.Investments = append(t.Investments, Investment{Stakeholder: fmt.Sprintf("new%d", j), Amount: decimal.NewFromInt(int64(100_000 + rng.IntN(5_000_000)))})
	}
	switch rng.IntN(3) {
	case 0:
		t.PoolIncrease = decimal.NewFromInt(int64(rng.IntN(1_000_000)))
	case 1:
		pool := c.Holdings().UnissuedPool
		t.PoolTarget = pool.Div(fd).Add(decimal.New(int64(rng.IntN(10)), -2)).Round(4)
	}
	r := DefaultRounding()
	if rng.IntN(2) == 0 {
		r = YCGuideRounding()
	}
	t.Rounding = &r
	return t
}

// TestRoundProperties: on random companies and rounds, ownership sums to
// exactly 100%, no holder's shares and no total decreases, and conversion
// and investor shares are whole.
func TestRoundProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	hundred := decimal.NewFromInt(100)
	solved := 0
	for trial := 0; trial < 300; trial++ {
		c := randomCompany(rng, 3+rng.IntN(30), 1+rng.IntN(4), rng.IntN(5))
		terms := randomTerms(rng, c)
		r, err := Apply(c, terms)
		if err != nil {
			// Random terms may be infeasible (a pool target below the pool,
			// caps over 100%); those must be refused with a reason.
			if !strings.Contains(err.Error(), "pool") && !strings.Contains(err.Error(), "claim") && !strings.Contains(err.Error(), "price") {
				t.Fatalf("trial %d: unexpected error %v", trial, err)
			}
			continue
		}
		solved++
		sum := r.After.UnissuedPoolHolderPct
		for _, h := range r.After.Holders {
			sum = sum.Add(h.FullyDilutedPct)
		}
		if !sum.Equal(hundred) {
			t.Fatalf("trial %d: fully diluted ownership sums to %s", trial, sum)
		}
		if r.PostRoundShares.LessThan(r.PreRoundShares) {
			t.Fatalf("trial %d: shares fell from %s to %s", trial, r.PreRoundShares, r.PostRoundShares)
		}
		before := map[string]decimal.Decimal{}
		for _, h := range r.Before.Holders {
			before[h.Stakeholder] = h.FullyDiluted
		}
		for _, h := range r.After.Holders {
			if h.FullyDiluted.LessThan(before[h.Stakeholder]) {
				t.Fatalf("trial %d: %s lost shares", trial, h.Stakeholder)
			}
		}
		for _, cv := range r.Conversions {
			if !cv.Shares.Equal(cv.Shares.Floor()) || cv.Shares.IsNegative() {
				t.Fatalf("trial %d: conversion shares %s", trial, cv.Shares)
			}
		}
		if !r.Company.Holdings().FullyDiluted().Equal(r.PostRoundShares) {
			t.Fatalf("trial %d: post-round company disagrees with the result", trial)
		}
	}
	if solved < 150 {
		t.Fatalf("only %d of 300 random rounds solved", solved)
	}
}

// TestInvestorsOwnInvestmentOverPostMoney: with no convertibles, under the
// percentage method, each new investor owns exactly amount / (pre + new
// money) whenever the price and cheques divide evenly, and within one
// share's rounding otherwise.
func TestInvestorsOwnInvestmentOverPostMoney(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := 0; trial < 200; trial++ {
		c := randomCompany(rng, 2+rng.IntN(20), 1+rng.IntN(3), 0)
		fd := c.Holdings().FullyDiluted()
		price := decimal.New(int64(1+rng.IntN(10_000)), -2) // cents
		even := trial%2 == 0
		terms := RoundTerms{Name: "A", PreMoney: price.Mul(fd)}
		if !even {
			terms.PreMoney = terms.PreMoney.Add(decimal.NewFromInt(int64(rng.IntN(1000))))
		}
		for j := 0; j < 1+rng.IntN(3); j++ {
			amt := price.Mul(decimal.NewFromInt(int64(1 + rng.IntN(1_000_000))))
			if !even {
				amt = amt.Add(decimal.New(int64(rng.IntN(100)), -2))
			}
			terms.Investments = append(terms.Investments, Investment{Stakeholder: fmt.Sprintf("i%d", j), Amount: amt})
		}
		r, err := Apply(c, terms)
		if err != nil {
			t.Fatal(err)
		}
		post := r.PreMoney.Add(r.NewMoney)
		for _, a := range r.Investors {
			got := new(big.Rat).Quo(a.Shares.Rat(), r.PostRoundShares.Rat())
			want := new(big.Rat).Quo(a.Amount.Rat(), post.Rat())
			if even {
				if got.Cmp(want) != 0 {
					t.Fatalf("trial %d: %s owns %s, want exactly %s", trial, a.Stakeholder, got.FloatString(12), want.FloatString(12))
				}
				continue
			}
			diff, _ := new(big.Rat).Sub(got, want).Float64()
			// A share of rounding each way, plus the price's 4-decimal rounding.
			tol := 2/r.PostRoundShares.InexactFloat64() + 1e-4/r.Price.InexactFloat64()
			if math.Abs(diff) > tol {
				t.Fatalf("trial %d: %s owns %s, want %s ± %g", trial, a.Stakeholder, got.FloatString(12), want.FloatString(12), tol)
			}
		}
	}
}

// Benchmark500x8: a 500-stakeholder, 8-class cap table with 20
// convertibles through a round with a pool target.
func Benchmark500x8(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := randomCompany(rng, 500, 8, 20)
	terms := RoundTerms{Name: "B", Date: captable.NewDate(2024, 6, 30), PreMoney: c.Holdings().FullyDiluted().Mul(dec("3")).Round(0),
		PoolTarget:  c.Holdings().UnissuedPool.Div(c.Holdings().FullyDiluted()).Add(dec("0.05")).Round(4),
		Investments: []Investment{{Stakeholder: "lead", Amount: dec("20000000")}, {Stakeholder: "follow", Amount: dec("5000000")}}}
	if _, err := Apply(c, terms); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Apply(c, terms); err != nil {
			b.Fatal(err)
		}
	}
}
