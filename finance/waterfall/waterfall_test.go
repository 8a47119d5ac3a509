package waterfall

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/msg"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func usd(s string) money.Money { return money.New(d(s), money.USD) }

func holdings(pairs ...string) []Holding {
	var hs []Holding
	for i := 0; i+1 < len(pairs); i += 2 {
		hs = append(hs, Holding{Holder: pairs[i], Shares: d(pairs[i+1])})
	}
	return hs
}

func common(name string, pairs ...string) Class {
	return Class{Name: name, Kind: Common, Holdings: holdings(pairs...)}
}

func pref(name, oip, multiple string, pairs ...string) Class {
	return Class{Name: name, Kind: Preferred, IssuePrice: d(oip), PreferenceMultiple: d(multiple), Holdings: holdings(pairs...)}
}

// payouts maps class/SAFE/debt row names and holder names to payouts.
func payouts(r *Result) map[string]string {
	m := map[string]string{}
	for _, c := range r.Classes {
		m[c.Name] = c.Payout.StringFixed(2)
	}
	for _, h := range r.Holders {
		m["holder:"+h.Holder] = h.Payout.StringFixed(2)
	}
	for _, dc := range r.Decisions {
		m["choice:"+dc.Name] = string(dc.Choice)
	}
	return m
}

func checkSums(t *testing.T, r *Result) {
	t.Helper()
	var c, h decimal.Decimal
	for _, x := range r.Classes {
		c = c.Add(x.Payout)
	}
	for _, x := range r.Holders {
		h = h.Add(x.Payout)
	}
	if !c.Equal(r.Exit) || !h.Equal(r.Exit) {
		t.Fatalf("exit %s: classes sum to %s, holders to %s", r.Exit, c, h)
	}
}

type exitCase struct {
	exit string
	want map[string]string
}

func runCases(t *testing.T, in *Input, cases []exitCase) {
	t.Helper()
	for _, tc := range cases {
		r, err := Compute(in, usd(tc.exit))
		if err != nil {
			t.Fatalf("exit %s: %v", tc.exit, err)
		}
		checkSums(t, r)
		got := payouts(r)
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("exit %s: %s = %s, want %s", tc.exit, k, got[k], v)
			}
		}
	}
}

// feld is Brad Feld's liquidation-preference example (The Full Ratchet,
// episode 10 "The Term Sheet (Brad Feld)", show notes, "1x Liquidation
// Preference, no participation"; the same case as Venture Deals, ch. 4
// "Liquidation Preference"): $10M has been raised for 50% of the equity as
// 1× non-participating preferred. At a sale the investors take the greater
// of their $10M and 50% of the proceeds: $14M → $10M; $20M is the
// conversion point (both give $10M); above it they convert ($30M → $15M).
func feld(participating bool, capMultiple string) *Input {
	a := pref("Series A", "1", "1", "VC", "10000000")
	a.Participating = participating
	if capMultiple != "" {
		a.ParticipationCap = d(capMultiple)
	}
	return &Input{Currency: money.USD, Classes: []Class{common("Common", "Founders", "10000000"), a}}
}

func TestFeldNonParticipating(t *testing.T) {
	runCases(t, feld(false, ""), []exitCase{
		{"14000000", map[string]string{"Series A": "10000000.00", "Common": "4000000.00", "choice:Series A": "preference"}},
		{"20000000", map[string]string{"Series A": "10000000.00", "Common": "10000000.00", "choice:Series A": "preference"}},
		{"30000000", map[string]string{"Series A": "15000000.00", "Common": "15000000.00", "choice:Series A": "convert"}},
		{"5000000", map[string]string{"Series A": "5000000.00", "Common": "0.00"}},
	})
	c, err := Curve(feld(false, ""), usd("0"), usd("40000000"), 5)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10000000.00 preferences_paid", "20000000.00 converts"}
	if got := bpStrings(c); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("breakpoints %v, want %v", got, want)
	}
}

func bpStrings(c *CurveResult) []string {
	var out []string
	for _, bp := range c.Breakpoints {
		var ks []string
		for _, e := range bp.Events {
			ks = append(ks, string(e.Kind))
		}
		out = append(out, bp.Exit.StringFixed(2)+" "+strings.Join(ks, ","))
	}
	return out
}

// The participating and capped-participating variants of Feld's example
// (Venture Deals, ch. 4, "Participation": full participation takes the
// preference and then shares as-converted; capped participation stops at
// the cap and converts once 50% of the exit beats the cap). Numbers worked
// by hand from the definitions: participating at $14M → 10 + 50%·4 = $12M;
// 2× cap reached at 10 + (W−10)/2 = 20 → W = $30M; conversion beats the
// $20M cap above W = $40M.
func TestFeldParticipatingAndCapped(t *testing.T) {
	runCases(t, feld(true, ""), []exitCase{
		{"14000000", map[string]string{"Series A": "12000000.00", "Common": "2000000.00", "choice:Series A": "participate"}},
		{"100000000", map[string]string{"Series A": "55000000.00", "Common": "45000000.00"}},
	})
	runCases(t, feld(true, "2"), []exitCase{
		{"14000000", map[string]string{"Series A": "12000000.00", "choice:Series A": "participate"}},
		{"35000000", map[string]string{"Series A": "20000000.00", "Common": "15000000.00", "choice:Series A": "capped"}},
		{"40000000", map[string]string{"Series A": "20000000.00", "Common": "20000000.00", "choice:Series A": "capped"}},
		{"50000000", map[string]string{"Series A": "25000000.00", "Common": "25000000.00", "choice:Series A": "convert"}},
	})
	c, err := Curve(feld(true, "2"), usd("0"), usd("60000000"), 7)
	if err != nil {
		t.Fatal(err)
	}
	want := "10000000.00 preferences_paid|30000000.00 cap_reached|40000000.00 converts"
	if got := strings.Join(bpStrings(c), "|"); got != want {
		t.Errorf("breakpoints %s, want %s", got, want)
	}
}

// metrick is the conversion-order exercise of Metrick & Yasuda, "Venture
// Capital and the Finance of Innovation" (2nd ed.), ch. 9 (preferred stock
// exit diagrams), as reposted at expertsmind.com "Find the conversion
// order for investors": Series A $5M face value with a 2× preference,
// converts to 5M shares; B $10M → 8M shares; C $10M → 5M; D $5M → 10M;
// founders 10M common; seniority not stated, so all pari passu. The book's
// method: convert in ascending order of preference per converted share —
// D ($0.50), B ($1.25), then A and C together ($2.00) — each when the
// common value per share reaches that figure: D at W = 35 + 10·0.5 = $40M,
// B at 20 + 28·1.25 = $55M, A and C at 38·2 = $76M. At the stated total
// valuation of $50M only D has converted and common is worth $1.00.
func metrick() *Input {
	cls := func(name, face, mult, shares string) Class {
		// OIP = face / shares, so that the preference is mult × face.
		c := pref(name, "0", mult, name+" fund", shares)
		c.IssuePrice = d(face).Div(d(shares))
		return c
	}
	return &Input{Currency: money.USD, Classes: []Class{
		common("Common", "Founders", "10000000"),
		cls("Series A", "5000000", "2", "5000000"),
		cls("Series B", "10000000", "1", "8000000"),
		cls("Series C", "10000000", "1", "5000000"),
		cls("Series D", "5000000", "1", "10000000"),
	}}
}

func TestMetrickConversionOrder(t *testing.T) {
	runCases(t, metrick(), []exitCase{
		{"50000000", map[string]string{
			"Common": "10000000.00", "Series A": "10000000.00", "Series B": "10000000.00",
			"Series C": "10000000.00", "Series D": "10000000.00",
			"choice:Series D": "convert", "choice:Series B": "preference",
		}},
		{"76000000", map[string]string{"Series A": "10000000.00", "Series C": "10000000.00", "Common": "20000000.00"}},
		// Short of the $35M stack everything is pro rata (20·10/35 each for
		// A, B, C and 20·5/35 for D); the two residual cents go to the
		// largest remainders: D (.714¢), then A (ties by name).
		{"20000000", map[string]string{"Series A": "5714285.72", "Series B": "5714285.71", "Series C": "5714285.71", "Series D": "2857142.86", "Common": "0.00"}},
	})
	c, err := Curve(metrick(), usd("0"), usd("100000000"), 11)
	if err != nil {
		t.Fatal(err)
	}
	want := "35000000.00 preferences_paid|40000000.00 converts|55000000.00 converts|76000000.00 converts,converts"
	if got := strings.Join(bpStrings(c), "|"); got != want {
		t.Errorf("breakpoints %s, want %s", got, want)
	}
}

// A published answer that is wrong: regantih.github.io "PE/VC · the
// practitioner's lab — Liquidation Preference Waterfall" says "A $100M pre
// with a $20M Series B at 2x participating preferred is not the same deal
// as a 1x non-participating. At a $100M exit, the second deal pays the
// founders ~$50M; the first pays them closer to $20M." The investor owns
// 20/120 = 1/6. Under 1× non-participating it takes its $20M preference
// (1/6 of $100M is only $16.7M) and the founders get $80M; under 2×
// participating it takes $40M + 1/6·$60M = $50M and the founders get $50M.
// The page's $50M/$20M are the investor's take under each deal, not the
// founders'. We test the right numbers.
func TestRegantihCorrected(t *testing.T) {
	mk := func(mult string, part bool) *Input {
		b := pref("Series B", "1", mult, "Fund", "20000000")
		b.Participating = part
		return &Input{Currency: money.USD, Classes: []Class{common("Common", "Founders", "100000000"), b}}
	}
	runCases(t, mk("1", false), []exitCase{{"100000000", map[string]string{"holder:Founders": "80000000.00", "Series B": "20000000.00"}}})
	runCases(t, mk("2", true), []exitCase{{"100000000", map[string]string{"holder:Founders": "50000000.00", "Series B": "50000000.00"}}})
}

// YC Post-Money Valuation SAFE (v1.1), §1(b) "Liquidity Event": the
// Investor receives the greater of (i) the Purchase Amount (the Cash-Out
// Amount) and (ii) the amount payable on Purchase Amount / Liquidity Price
// shares of Common (the Conversion Amount); §2: Liquidity Price = Post-Money
// Valuation Cap / Liquidity Capitalization, and the Liquidity
// Capitalization includes all outstanding shares as converted, all
// outstanding options and the converting SAFEs but excludes the unissued
// pool. §1(d): the Cash-Out Amount is junior to debt, on par with other
// SAFEs and preferred stock (pro rata when short), senior to common.
//
// Worked by hand for $1M at a $10M post-money cap, 8M common and 1M
// options at $0.50, a 0.5M unissued pool: converting, the SAFE holds 10% of
// L = 9M / 0.9 = 10M shares, so its Liquidity Price is exactly $1.00. At a
// $5M exit, converting would pay 1M shares of (5 + 0.5)/10 = $0.55 = $0.55M
// (exercise proceeds count) < $1M, so it cashes out; $4M is left for 8M
// common + 1M options: 8θ + (θ − 0.5) = 4 → θ = $0.50, options worth 0.
// At $20M it converts: 10θ − 0.5 = 20 → θ = $2.05, SAFE $2.05M, common
// $16.4M, options $1.55M.
func TestSAFELiquidityEvent(t *testing.T) {
	in := &Input{
		Currency:     money.USD,
		Classes:      []Class{common("Common", "Founders", "8000000")},
		Options:      []Option{{Holder: "Staff", Shares: d("1000000"), ExercisePrice: d("0.5")}},
		UnissuedPool: d("500000"),
		SAFEs:        []SAFE{{Holder: "Angel", PurchaseAmount: d("1000000"), ValuationCap: d("10000000")}},
	}
	runCases(t, in, []exitCase{
		{"5000000", map[string]string{"SAFE Angel": "1000000.00", "Common": "4000000.00", "Options": "0.00", "choice:SAFE Angel": "cash_out"}},
		{"20000000", map[string]string{"SAFE Angel": "2050000.00", "Common": "16400000.00", "Options": "1550000.00", "choice:SAFE Angel": "convert"}},
	})
	r, _ := Compute(in, usd("20000000"))
	if !r.LiquidityCapitalization.Equal(d("10000000")) {
		t.Errorf("liquidity capitalization %s, want 10000000", r.LiquidityCapitalization)
	}
	// §1(d)(ii): on par with preferred — short proceeds are shared pro
	// rata to the full amounts due ($2M Seed preference, $1M SAFE).
	in.Classes = append(in.Classes, pref("Seed", "1", "1", "Seed Fund", "2000000"))
	runCases(t, in, []exitCase{{"1500000", map[string]string{"Seed": "1000000.00", "SAFE Angel": "500000.00", "Common": "0.00"}}})
}

// Stacked seniority versus pari passu, by hand: Series B ($10M, 1×)
// senior to Series A ($5M, 1×) at a $12M exit pays B $10M and A $2M; pari
// passu they share pro rata to preference amounts, 12·10/15 = $8M and
// 12·5/15 = $4M (Carta, "Liquidation preferences", seniority: standard,
// pari passu, tiered).
func TestSeniority(t *testing.T) {
	mk := func(rankA, rankB int, group string) *Input {
		a := pref("Series A", "1", "1", "A Fund", "5000000")
		b := pref("Series B", "2", "1", "B Fund", "5000000")
		a.Rank, b.Rank = rankA, rankB
		a.PariPassuGroup, b.PariPassuGroup = group, group
		return &Input{Currency: money.USD, Classes: []Class{common("Common", "Founders", "10000000"), a, b}}
	}
	runCases(t, mk(1, 0, ""), []exitCase{{"12000000", map[string]string{"Series B": "10000000.00", "Series A": "2000000.00", "Common": "0.00"}}})
	runCases(t, mk(0, 0, "AB"), []exitCase{{"12000000", map[string]string{"Series B": "8000000.00", "Series A": "4000000.00"}}})
}

// Options participate net of their exercise price, only in the money: 9M
// common + 1M options at $1. At $5M common is worth 5/9 < $1: options get
// nothing. At $20M, 9θ + (θ − 1) = 20 → θ = $2.10: options $1.1M, common
// $18.9M. They come into the money at W = 9·1 = $9M.
func TestOptionsNetOfStrike(t *testing.T) {
	in := &Input{Currency: money.USD, Classes: []Class{common("Common", "Founders", "9000000")},
		Options: []Option{{Holder: "Staff", Shares: d("1000000"), ExercisePrice: d("1")}}}
	runCases(t, in, []exitCase{
		{"5000000", map[string]string{"Options": "0.00", "Common": "5000000.00"}},
		{"20000000", map[string]string{"Options": "1100000.00", "Common": "18900000.00"}},
	})
	c, _ := Curve(in, usd("0"), usd("20000000"), 3)
	if got := strings.Join(bpStrings(c), "|"); got != "9000000.00 options_in_money" {
		t.Errorf("breakpoints %s", got)
	}
}

func TestDebtAndDividends(t *testing.T) {
	in := feld(false, "")
	in.Classes[1].AccruedDividends = d("800000")
	in.Debts = []Debt{{Holder: "Bank", Amount: d("3000000")}}
	runCases(t, in, []exitCase{
		{"2000000", map[string]string{"Debt Bank": "2000000.00", "Series A": "0.00"}},
		{"8000000", map[string]string{"Debt Bank": "3000000.00", "Series A": "5000000.00"}},
		{"15000000", map[string]string{"Debt Bank": "3000000.00", "Series A": "10800000.00", "Common": "1200000.00"}},
		// Converting forfeits the dividend: 50% of 27M = 13.5M > 10.8M.
		{"30000000", map[string]string{"Series A": "13500000.00", "choice:Series A": "convert"}},
	})
}

// Cents: three equal holders of $100.00 get 33.34, 33.33, 33.33 — the
// residue goes to the largest remainder, ties by holder name.
func TestRoundingResidue(t *testing.T) {
	in := &Input{Currency: money.USD, Classes: []Class{common("Common", "Carol", "1", "Alice", "1", "Bob", "1")}}
	runCases(t, in, []exitCase{{"100.00", map[string]string{"holder:Alice": "33.34", "holder:Bob": "33.33", "holder:Carol": "33.33"}}})
}

func TestResultJSON(t *testing.T) {
	r, err := Compute(feld(false, ""), usd("30000000"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"currency":"USD"`, `"exit":"30000000"`, `"payout":"15000000"`, `"choice":"convert"`, `"alternative_payout":"10000000"`, `"common_per_share":"1.5"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	var in Input
	src := `{"currency":"USD","classes":[{"name":"Common","kind":"common","holdings":[{"holder":"F","shares":"10"}]},
	 {"name":"A","kind":"preferred","issue_price":"1.5","preference_multiple":1,"participating":true,"participation_cap":"3","holdings":[{"holder":"V","shares":10}]}]}`
	if err := json.Unmarshal([]byte(src), &in); err != nil {
		t.Fatal(err)
	}
	if _, err := Compute(&in, usd("100")); err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	base := func() *Input { return feld(false, "") }
	cases := []struct {
		name string
		mod  func(*Input)
		want string
	}{
		{"negative shares", func(in *Input) { in.Classes[0].Holdings[0].Shares = d("-1") }, "classes[0] (Common): holdings[0] (Founders): shares -1 are negative"},
		{"cap below preference", func(in *Input) {
			in.Classes = append(in.Classes, pref("Series B", "1", "1", "B", "10"))
			in.Classes[2].Participating, in.Classes[2].ParticipationCap = true, d("0.5")
		}, "classes[2] (Series B): participation cap 0.5× is below the 1× preference"},
		{"cap on non-participating", func(in *Input) { in.Classes[1].ParticipationCap = d("3") }, "classes[1] (Series A): participation cap 3× is set but the class is not participating"},
		{"unknown option class", func(in *Input) {
			in.Options = []Option{{Holder: "Eve", Class: "Commn", Shares: d("1"), ExercisePrice: d("1")}}
		}, `options[0] (Eve): class "Commn" not found`},
		{"option into preferred", func(in *Input) {
			in.Options = []Option{{Holder: "Eve", Class: "Series A", Shares: d("1"), ExercisePrice: d("1")}}
		}, `options[0] (Eve): class "Series A" is preferred`},
		{"mixed-rank group", func(in *Input) {
			in.Classes = append(in.Classes, pref("Series B", "1", "1", "B", "10"))
			in.Classes[1].PariPassuGroup, in.Classes[2].PariPassuGroup = "AB", "AB"
			in.Classes[2].Rank = 1
		}, `classes[2] (Series B): pari-passu group "AB" has rank 1 here but rank 0 at classes[1] (Series A)`},
		{"no price", func(in *Input) { in.Classes[1].IssuePrice = decimal.Zero }, "classes[1] (Series A): preferred stock needs an original issue price above zero"},
		{"duplicate name", func(in *Input) { in.Classes[1].Name = "Common" }, `classes[1] (Common): name "Common" is already used by classes[0] (Common)`},
		{"bad kind", func(in *Input) { in.Classes[1].Kind = "pref" }, `classes[1] (Series A): kind "pref" is not`},
		{"common with preference", func(in *Input) { in.Classes[0].PreferenceMultiple = d("1") }, "classes[0] (Common): common stock cannot have a preference"},
		{"negative debt", func(in *Input) { in.Debts = []Debt{{Holder: "Bank", Amount: d("-5")}} }, "debts[0] (Bank): amount -5 is negative"},
		{"safe cap below amount", func(in *Input) {
			in.SAFEs = []SAFE{{Holder: "Angel", PurchaseAmount: d("10"), ValuationCap: d("5")}}
		}, "safes[0] (Angel): post-money valuation cap 5 must exceed the purchase amount 10"},
		{"safe zero amount", func(in *Input) { in.SAFEs = []SAFE{{Holder: "Angel"}} }, "safes[0] (Angel): purchase amount 0 must be above zero"},
		{"missing currency", func(in *Input) { in.Currency = "" }, "currency: missing"},
		{"duplicate holder", func(in *Input) { in.Classes[0].Holdings = holdings("F", "1", "F", "2") }, "classes[0] (Common): holdings[1] (F): holder is already listed at holdings[0]"},
		{"negative dividends", func(in *Input) { in.Classes[1].AccruedDividends = d("-1") }, "classes[1] (Series A): accrued dividends -1 are negative"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.mod(in)
			_, err := Compute(in, usd("100"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
	exits := []struct {
		exit money.Money
		want string
	}{
		{usd("-1"), "exit value -1 is negative"},
		{usd("1.005"), "more than 2 decimal places"},
		{money.New(d("1"), money.CNY), "exit value is in CNY but the cap table is in USD"},
	}
	for _, tc := range exits {
		if _, err := Compute(base(), tc.exit); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("exit %v: error %v, want %q", tc.exit, err, tc.want)
		}
	}
	if _, err := Curve(base(), usd("10"), usd("5"), 10); err == nil {
		t.Error("empty range accepted")
	}
	if _, err := Curve(base(), usd("0"), usd("5"), 1); err == nil {
		t.Error("1 point accepted")
	}
}

// Two post-money SAFEs ($1M each at a $10M cap, 8M common). Each holds 10%
// of the Liquidity Capitalization when both convert (L = 8M / 0.8 = 10M),
// so both converting is an equilibrium above $10M (each gets W/10 > $1M);
// both cashing out is one up to $11M (alone, one converting gets
// 10%·(W − 1M)). The solver picks the holder-favourable "greater of"
// reading: at $10.5M both convert ($1.05M each, common $8.4M); at $9M both
// cash out (common $7M). At $10M both readings pay common $8M, so the
// selection keeps common's curve continuous.
func TestTwoSAFEsEquilibrium(t *testing.T) {
	in := &Input{Currency: money.USD, Classes: []Class{common("Common", "Founders", "8000000")},
		SAFEs: []SAFE{
			{Holder: "A", PurchaseAmount: d("1000000"), ValuationCap: d("10000000")},
			{Holder: "B", PurchaseAmount: d("1000000"), ValuationCap: d("10000000")},
		}}
	runCases(t, in, []exitCase{
		{"10500000", map[string]string{"SAFE A": "1050000.00", "SAFE B": "1050000.00", "Common": "8400000.00", "choice:SAFE A": "convert"}},
		{"10000000", map[string]string{"SAFE A": "1000000.00", "Common": "8000000.00", "choice:SAFE A": "cash_out"}},
		{"9000000", map[string]string{"SAFE A": "1000000.00", "SAFE B": "1000000.00", "Common": "7000000.00"}},
	})
}

// checkEvents checks every breakpoint event's label against its code's
// template (known code, every placeholder given, the English label that
// makes) and that a breakpoint's label joins its events' labels.
func checkEvents(t *testing.T, c *CurveResult) {
	t.Helper()
	for _, bp := range c.Breakpoints {
		var ls []string
		for _, e := range bp.Events {
			ls = append(ls, e.Label)
			tmpl, ok := Events[e.Code]
			if !ok {
				t.Errorf("event %+v: unknown code", e)
				continue
			}
			for _, p := range msg.Placeholders(tmpl) {
				if _, ok := e.Args[p]; !ok {
					t.Errorf("event %s lacks argument %q: %+v", e.Code, p, e.Args)
				}
			}
			if n := e.Note(); n.Text != msg.Format(tmpl, e.Args) || n.Code != e.Code {
				t.Errorf("event %s: label %q does not fill %q", e.Code, e.Label, tmpl)
			}
		}
		if bp.Label != strings.Join(ls, "; ") {
			t.Errorf("breakpoint label %q, events %q", bp.Label, ls)
		}
	}
}

func TestEventLabels(t *testing.T) {
	c, err := Curve(feld(true, "2"), usd("0"), usd("60000000"), 7)
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, c)
	var got []string
	for _, bp := range c.Breakpoints {
		for _, e := range bp.Events {
			got = append(got, e.Code+": "+e.Label)
		}
	}
	want := []string{
		"preferences-paid: preferences of rank 0 paid in full (Series A)",
		"cap-reached: Series A reaches its 2× participation cap",
		"class-converts: Series A converts to common",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, code := range Events.Codes() {
		if len(msg.Placeholders(Events[code])) == 0 {
			t.Errorf("%s: template names no argument", code)
		}
	}
}
