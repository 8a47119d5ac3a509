package exit_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/exit"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
	"github.com/kaiwu-ai/kaiwu/msg"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func date(t *testing.T, s string) captable.Date {
	t.Helper()
	if s == "" {
		return captable.Date{}
	}
	v, err := captable.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func parse(t *testing.T, doc string) *captable.Company {
	t.Helper()
	c, err := captable.Parse([]byte(doc), false)
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, doc)
	}
	return c
}

// head is the common part of the small documents below: two founders,
// common stock.
const head = `name: T
currency: USD
stakeholders:
  - {id: ann, name: Ann, kind: founder}
  - {id: bo, name: Bo, kind: founder}
  - {id: vc, name: VC, kind: investor}
  - {id: vc2, name: VC2, kind: investor}
  - {id: emp, name: Emp, kind: employee}
`

func TestFromCompanyMapping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		doc   string
		asOf  string
		check func(t *testing.T, in waterfall.Input)
		notes []string // substrings, each in some note
	}{
		{
			name: "common only",
			doc: head + `share_classes: [{id: common, name: Common}]
issuances:
  - {stakeholder: ann, class: common, shares: 600}
  - {stakeholder: bo, class: common, shares: 400}
`,
			check: func(t *testing.T, in waterfall.Input) {
				if in.Currency != money.USD || len(in.Classes) != 1 || in.Classes[0].Kind != waterfall.Common || len(in.Classes[0].Holdings) != 2 {
					t.Fatalf("%+v", in)
				}
				if h := in.Classes[0].Holdings[1]; h.Holder != "Bo" || !h.Shares.Equal(d("400")) {
					t.Errorf("holding %+v", h)
				}
			},
		},
		{
			name: "preferred terms, stacked seniority, pari passu group",
			doc: head + `share_classes:
  - {id: common, name: Common, kind: common}
  - {id: a, name: Series A, kind: preferred, original_issue_price: 1, liquidation_multiple: 1, seniority: 1}
  - {id: b, name: Series B, kind: preferred, original_issue_price: 2, liquidation_multiple: 1.5, participating: true, participation_cap: 3, seniority: 2, conversion_ratio: 1.25}
  - {id: b2, name: Series B-2, kind: preferred, original_issue_price: 2, liquidation_multiple: 1, seniority: 2}
  - {id: z, name: Series Z, kind: preferred, original_issue_price: 9, liquidation_multiple: 1, seniority: 7}
issuances:
  - {stakeholder: ann, class: common, shares: 1000}
  - {stakeholder: vc, class: a, shares: 100}
  - {stakeholder: vc2, class: b, shares: 50}
  - {stakeholder: vc, class: b2, shares: 10}
`,
			check: func(t *testing.T, in waterfall.Input) {
				if len(in.Classes) != 4 {
					t.Fatalf("want 4 classes (Series Z has no shares), got %+v", in.Classes)
				}
				a, b, b2 := in.Classes[1], in.Classes[2], in.Classes[3]
				// Highest seniority (2) is rank 0, paid first; A (1) rank 1.
				if a.Rank != 1 || b.Rank != 0 || b2.Rank != 0 {
					t.Errorf("ranks A %d B %d B-2 %d; want 1 0 0", a.Rank, b.Rank, b2.Rank)
				}
				if a.PariPassuGroup != "" || b.PariPassuGroup != "seniority 2" || b2.PariPassuGroup != "seniority 2" {
					t.Errorf("groups %q %q %q", a.PariPassuGroup, b.PariPassuGroup, b2.PariPassuGroup)
				}
				if !b.IssuePrice.Equal(d("2")) || !b.PreferenceMultiple.Equal(d("1.5")) || !b.Participating ||
					!b.ParticipationCap.Equal(d("3")) || !b.ConversionRatio.Equal(d("1.25")) || b.Kind != waterfall.Preferred {
					t.Errorf("Series B terms %+v", b)
				}
				if a.Participating || !a.ParticipationCap.IsZero() {
					t.Errorf("Series A terms %+v", a)
				}
			},
			notes: []string{"share_classes[4] (Series Z) has no outstanding shares"},
		},
		{
			name: "options, exercised shares and the unissued pool",
			asOf: "2025-01-01",
			doc: head + `share_classes: [{id: common, name: Common}]
issuances: [{stakeholder: ann, class: common, shares: 1000}]
option_plan:
  class: common
  pool_size: 500
  grants:
    - {id: g1, stakeholder: emp, shares: 200, exercise_price: 0.1, vesting_start: 2024-01-01, vesting_months: 48, cliff_months: 12, exercised: 50}
    - {id: g2, stakeholder: bo, shares: 100, exercise_price: 0.5}
    - {id: g3, stakeholder: vc, shares: 40, exercise_price: 0.1, exercised: 40}
`,
			check: func(t *testing.T, in waterfall.Input) {
				if n := len(in.Classes[0].Holdings); n != 3 {
					t.Fatalf("exercised shares are common holdings: %+v", in.Classes[0].Holdings)
				}
				if len(in.Options) != 2 {
					t.Fatalf("options %+v", in.Options)
				}
				o := in.Options[0]
				if o.Holder != "Emp" || !o.Shares.Equal(d("150")) || !o.ExercisePrice.Equal(d("0.1")) || o.Class != "Common" {
					t.Errorf("option %+v", o)
				}
				if !in.UnissuedPool.Equal(d("160")) {
					t.Errorf("unissued pool %s, want 500 − 340 = 160", in.UnissuedPool)
				}
			},
			// g1: 12 of 48 months vested on 2025-01-01 → 150 unvested, all
			// of them among the 150 unexercised.
			notes: []string{"150 granted options are unvested on 2025-01-01"},
		},
		{
			name: "SAFEs: post capped, MFN, uncapped with discount, pre-money",
			doc: head + `share_classes: [{id: common, name: Common}]
issuances: [{stakeholder: ann, class: common, shares: 1000000}]
convertibles:
  - {id: mfn, stakeholder: bo, type: safe_post, amount: 100000, mfn: true, date: 2024-01-01}
  - {id: post, stakeholder: vc, type: safe_post, amount: 500000, cap: 10000000, discount: 20%, date: 2024-02-01}
  - {id: post2, stakeholder: vc, type: safe_post, amount: 500000, cap: 8000000, date: 2024-03-01}
  - {id: disc, stakeholder: vc2, type: safe_post, amount: 200000, discount: 20%, date: 2024-04-01}
  - {id: pre, stakeholder: emp, type: safe_pre, amount: 300000, cap: 5000000, date: 2024-05-01}
`,
			check: func(t *testing.T, in waterfall.Input) {
				if len(in.SAFEs) != 5 {
					t.Fatalf("%+v", in.SAFEs)
				}
				want := []struct{ name, holder, amount, cap string }{
					{"mfn", "Bo", "100000", "5100000"}, // adopts "pre" (lowest later cap, $5M pre-money) → 5M + its own 100k
					{"post", "VC", "500000", "10000000"},
					{"post2", "VC", "500000", "8000000"},
					{"disc", "VC2", "200000", "0"},
					{"pre", "Emp", "300000", "5300000"},
				}
				for i, w := range want {
					s := in.SAFEs[i]
					if s.Name != w.name || s.Holder != w.holder || !s.PurchaseAmount.Equal(d(w.amount)) || !s.ValuationCap.Equal(d(w.cap)) {
						t.Errorf("safes[%d] = %+v, want %+v", i, s, w)
					}
				}
			},
			notes: []string{
				"convertibles[0] (mfn): MFN SAFE adopts the terms of the later pre",
				"convertibles[3] (disc): uncapped SAFE with a 20% discount",
				"worth about 250,000",
				"convertibles[4] (pre): pre-money SAFE with cap 5,000,000 mapped to a post-money cap of 5,300,000",
			},
		},
		{
			name: "notes repaid with interest to the exit date",
			asOf: "2025-01-01",
			doc: head + `share_classes: [{id: common, name: Common}]
issuances: [{stakeholder: ann, class: common, shares: 1000}]
convertibles:
  - {id: n1, stakeholder: vc, type: note, amount: 1000000, interest_rate: 10%, compounding: simple, day_count: 30/360, cap: 8000000, date: 2024-01-01}
  - {id: n2, stakeholder: vc2, type: note, amount: 100000, interest_rate: 8%, compounding: annual, day_count: ACTUAL/365, date: 2022-01-01}
`,
			check: func(t *testing.T, in waterfall.Input) {
				if len(in.Debts) != 2 {
					t.Fatalf("%+v", in.Debts)
				}
				// n1: 30/360 gives exactly one year: 10% of 1,000,000.
				// n2: 1096 days ACTUAL/365 = 3 years + 1 day:
				// 100000·1.08³·(1 + 0.08/365) − 100000 = 25,998.81.
				if dd := in.Debts[0]; dd.Name != "n1" || dd.Holder != "VC" || !dd.Amount.Equal(d("1100000")) || dd.Rank != 0 {
					t.Errorf("n1 %+v", dd)
				}
				if dd := in.Debts[1]; !dd.Amount.Equal(d("125998.81")) {
					t.Errorf("n2 %+v, want 125998.81", dd)
				}
			},
			notes: []string{"convertibles[0] (n1): convertible note repaid as debt", "premium"},
		},
		{
			name: "note without a date accrues nothing",
			doc: head + `share_classes: [{id: common, name: Common}]
issuances: [{stakeholder: ann, class: common, shares: 1000}]
convertibles:
  - {id: n1, stakeholder: vc, type: note, amount: 1000, interest_rate: 10%, compounding: simple, day_count: 30/360, date: 2024-01-01}
`,
			check: func(t *testing.T, in waterfall.Input) {
				if !in.Debts[0].Amount.Equal(d("1000")) {
					t.Errorf("%+v", in.Debts)
				}
			},
			notes: []string{"no exit date given"},
		},
		{
			name: "names: duplicate stakeholder and class names, convertible id clashing with a class",
			doc: `name: T
currency: CNY
stakeholders:
  - {id: a, name: Li, kind: founder}
  - {id: b, name: Li, kind: founder}
  - {id: c, kind: investor}
share_classes:
  - {id: common, name: Shares, kind: common}
  - {id: seed, name: Shares, kind: preferred, original_issue_price: 1, liquidation_multiple: 1}
issuances:
  - {stakeholder: a, class: common, shares: 10}
  - {stakeholder: b, class: common, shares: 10}
  - {stakeholder: c, class: seed, shares: 10}
convertibles:
  - {id: "Shares (common)", stakeholder: c, type: safe_post, amount: 10, cap: 1000}
`,
			check: func(t *testing.T, in waterfall.Input) {
				if in.Classes[0].Name != "Shares (common)" || in.Classes[1].Name != "Shares (seed)" {
					t.Errorf("class names %q %q", in.Classes[0].Name, in.Classes[1].Name)
				}
				if h := in.Classes[0].Holdings; h[0].Holder != "Li (a)" || h[1].Holder != "Li (b)" {
					t.Errorf("holders %+v", h)
				}
				if in.Classes[1].Holdings[0].Holder != "c" {
					t.Errorf("unnamed stakeholder: %+v", in.Classes[1].Holdings)
				}
				if in.SAFEs[0].Name != "Shares (common) (safe_post)" {
					t.Errorf("SAFE name %q", in.SAFEs[0].Name)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, notes, err := exit.FromCompany(parse(t, tc.doc), date(t, tc.asOf))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, in)
			checkNotes(t, notes)
			all := strings.Join(msg.Texts(notes), "\n")
			for _, n := range tc.notes {
				if !strings.Contains(all, n) {
					t.Errorf("notes lack %q:\n%s", n, all)
				}
			}
			if err := waterfall.Validate(&in); err != nil {
				t.Errorf("adapted input does not validate: %v", err)
			}
		})
	}
}

func TestFromCompanyErrors(t *testing.T) {
	common := `share_classes: [{id: common, name: Common}]
issuances: [{stakeholder: ann, class: common, shares: 1000}]
`
	for _, tc := range []struct {
		name, doc, asOf, want string
	}{
		{"document invalid", head + `share_classes:
  - {id: common, name: Common}
  - {id: a, name: Series A, kind: preferred, original_issue_price: 1, liquidation_multiple: 2, participating: true, participation_cap: 1}
issuances: [{stakeholder: ann, class: common, shares: 1}]
`, "", "share_classes[1] (Series A): participation_cap 1× is below the liquidation multiple 2×"},
		{"common with a conversion ratio", head + `share_classes:
  - {id: x, name: Other}
  - {id: common, name: Common, conversion_ratio: 2}
issuances:
  - {stakeholder: ann, class: x, shares: 1}
  - {stakeholder: ann, class: common, shares: 1}
`, "", "share_classes[1] (Common): common stock has conversion ratio 2 (must be 1)"},
		{"post-money cap not above the amount", head + common + `convertibles:
  - {id: s1, stakeholder: vc, type: safe_post, amount: 500, cap: 500}
`, "", "convertibles[0] (s1): post-money valuation cap 500 must exceed the purchase amount 500"},
		{"SAFEs claim everything", head + common + `convertibles:
  - {id: s1, stakeholder: vc, type: safe_post, amount: 600, cap: 1000}
  - {id: s2, stakeholder: vc2, type: safe_post, amount: 600, cap: 1000}
`, "", "convertibles: capped SAFEs claim 120% of the post-money capitalization"},
		{"exit before a note was issued", head + common + `convertibles:
  - {id: n1, stakeholder: vc, type: note, amount: 100, interest_rate: 5%, compounding: simple, day_count: 30/360, date: 2024-06-01}
`, "2024-01-01", "convertibles[0] (n1): the exit date 2024-01-01 is before the note's issue date 2024-06-01"},
		{"options on a class without shares", head + `share_classes: [{id: common, name: Common}, {id: a, name: A, kind: preferred, original_issue_price: 1, liquidation_multiple: 1}]
issuances: [{stakeholder: vc, class: a, shares: 10}]
option_plan: {class: common, pool_size: 100, grants: [{id: g1, stakeholder: emp, shares: 10, exercise_price: 0.1}]}
`, "", `option_plan.grants[0] (g1): the plan's class "common" has no outstanding shares`},
		{"nothing outstanding", head + `share_classes: [{id: common, name: Common}]
issuances: []
`, "", "classes: none given"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := captable.Parse([]byte(tc.doc), false)
			if err == nil {
				_, _, err = exit.FromCompany(c, date(t, tc.asOf))
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v\nwant one containing %q", err, tc.want)
			}
		})
	}
	if _, _, err := exit.FromCompany(nil, captable.Date{}); err == nil {
		t.Error("nil company accepted")
	}
}

func demo(t *testing.T) *captable.Company {
	t.Helper()
	b, err := os.ReadFile("../../cli/testdata/captable-demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, string(b))
}

// The demo company (cli/testdata/captable-demo.yaml): common, an ESOP, three
// post-money SAFEs (one MFN, uncapped) and a 6% note.
func TestDemoCompany(t *testing.T) {
	in, notes, err := exit.FromCompany(demo(t), date(t, "2025-06-30"))
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Classes) != 1 || len(in.Classes[0].Holdings) != 3 || len(in.Options) != 3 || len(in.SAFEs) != 3 || len(in.Debts) != 1 {
		t.Fatalf("%+v", in)
	}
	// Pool 1,500,000 − granted 950,000.
	if !in.UnissuedPool.Equal(d("550000")) {
		t.Errorf("unissued pool %s", in.UnissuedPool)
	}
	// The MFN angel SAFE adopts safe-qiji's $20M cap (lower than safe-qiji-2's $25M).
	if s := in.SAFEs[0]; s.Holder != "天使 李先生" || !s.ValuationCap.Equal(d("20000000")) {
		t.Errorf("angel SAFE %+v", s)
	}
	// 1,500,000 × 6% × 302/365 = 74,465.75 (as in the cap table test).
	if dd := in.Debts[0]; !dd.Amount.Equal(d("1574465.75")) || dd.Holder != "某云厂商战投" {
		t.Errorf("note %+v", dd)
	}
	checkNotes(t, notes)
	all := strings.Join(msg.Texts(notes), "\n")
	for _, want := range []string{"MFN SAFE adopts the terms of the later safe-qiji", "note-cloud", "unvested on 2025-06-30"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes lack %q:\n%s", want, all)
		}
	}
}

// Payouts sum to the exit exactly, per holder and per class, at every exit,
// on the demo company and on one with stacked, participating and pari
// passu preferred.
func TestPayoutsSumToExit(t *testing.T) {
	stacked := parse(t, head+`share_classes:
  - {id: common, name: Common}
  - {id: a, name: Series A, kind: preferred, original_issue_price: 1, liquidation_multiple: 1, participating: true, participation_cap: 3, seniority: 1}
  - {id: b, name: Series B, kind: preferred, original_issue_price: 3, liquidation_multiple: 2, seniority: 2}
  - {id: b2, name: Series B-2, kind: preferred, original_issue_price: 3.3, liquidation_multiple: 1, seniority: 2, conversion_ratio: 1.1}
issuances:
  - {stakeholder: ann, class: common, shares: 3333333}
  - {stakeholder: bo, class: common, shares: 2222222}
  - {stakeholder: vc, class: a, shares: 1000000}
  - {stakeholder: vc2, class: b, shares: 700001}
  - {stakeholder: vc, class: b2, shares: 123457}
option_plan: {class: common, pool_size: 1000000, grants: [{id: g1, stakeholder: emp, shares: 500000, exercise_price: 0.37}]}
convertibles:
  - {id: s1, stakeholder: bo, type: safe_post, amount: 777777, cap: 21000000}
  - {id: n1, stakeholder: vc2, type: note, amount: 250000, interest_rate: 7%, compounding: annual, day_count: ACTUAL/365, date: 2023-03-17}
`)
	for name, c := range map[string]*captable.Company{"demo": demo(t), "stacked": stacked} {
		in, _, err := exit.FromCompany(c, date(t, "2025-06-30"))
		if err != nil {
			t.Fatal(err)
		}
		w, err := waterfall.New(&in)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []string{"0", "0.01", "1000000", "1574465.75", "3333333.33", "7654321.09", "20000000", "55555555.55", "123456789.01", "1000000000"} {
			r, err := w.At(money.New(d(x), in.Currency))
			if err != nil {
				t.Fatal(err)
			}
			hs, cs := decimal.Zero, decimal.Zero
			for _, h := range r.Holders {
				hs = hs.Add(h.Payout)
			}
			for _, c := range r.Classes {
				cs = cs.Add(c.Payout)
			}
			if !hs.Equal(d(x)) || !cs.Equal(d(x)) {
				t.Errorf("%s at %s: holders sum to %s, classes to %s", name, x, hs, cs)
			}
		}
	}
}

// A hand-worked waterfall. The rules (NVCA Model Certificate of
// Incorporation, Art. Fourth §B.2.1 and §B.4; and any note's repayment
// terms): debt is repaid before any equity; each Series A share receives
// the greater of its 1× preference and what it would receive as converted
// to common; options share as common net of their exercise price.
//
// Founder 6,000,000 common; Series A 2,000,000 shares at $1 (1×,
// non-participating); options on 1,000,000 shares at $0.10 (500,000 more
// unissued in the pool); a $1,000,000 note at 10% simple, 30/360, issued
// 2024-01-01, repaid on 2025-01-01 at $1,100,000.
//
//	exit $14.5M: the note takes 1.1M, leaving 13.4M. As converted, common
//	is worth θ with 8M·θ + 1M·(θ − 0.10) = 13.4M → θ = 1.50, so Series A
//	takes 3.0M > its 2.0M preference and converts. Founder 9.0M,
//	options 1.4M.
//	exit $5.1M: 4.0M after the note. Converted, 9M·θ − 0.1M = 4.0M gives
//	θ = 0.4556 and A 0.91M < 2.0M, so A takes its 2.0M preference; then
//	6M·θ + 1M·(θ − 0.10) = 2.0M → θ = 0.30. Founder 1.8M, options 0.2M.
//	exit $0.7M: all to the note.
func TestHandWorked(t *testing.T) {
	c := parse(t, `name: Hand
currency: USD
stakeholders:
  - {id: f, name: Founder, kind: founder}
  - {id: a, name: Investor A, kind: investor}
  - {id: e, name: Employee, kind: employee}
  - {id: l, name: Lender, kind: investor}
share_classes:
  - {id: common, name: Common}
  - {id: a, name: Series A, kind: preferred, original_issue_price: 1, liquidation_multiple: 1}
issuances:
  - {stakeholder: f, class: common, shares: 6000000}
  - {stakeholder: a, class: a, shares: 2000000}
option_plan: {class: common, pool_size: 1500000, grants: [{id: g, stakeholder: e, shares: 1000000, exercise_price: 0.10}]}
convertibles:
  - {id: note, stakeholder: l, type: note, amount: 1000000, interest_rate: 10%, compounding: simple, day_count: 30/360, date: 2024-01-01}
`)
	in, _, err := exit.FromCompany(c, date(t, "2025-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		exit, founder, a, employee, lender, perShare string
		choice                                       waterfall.Choice
	}{
		{"14500000", "9000000", "3000000", "1400000", "1100000", "1.5", waterfall.ChoiceConvert},
		{"5100000", "1800000", "2000000", "200000", "1100000", "0.3", waterfall.ChoicePreference},
		{"700000", "0", "0", "0", "700000", "0", waterfall.ChoicePreference},
	} {
		r, err := waterfall.Compute(&in, money.New(d(tc.exit), money.USD))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]decimal.Decimal{}
		for _, h := range r.Holders {
			got[h.Holder] = h.Payout
		}
		for h, want := range map[string]string{"Founder": tc.founder, "Investor A": tc.a, "Employee": tc.employee, "Lender": tc.lender} {
			if !got[h].Equal(d(want)) {
				t.Errorf("exit %s: %s takes %s, want %s", tc.exit, h, got[h], want)
			}
		}
		if !r.CommonPerShare.Equal(d(tc.perShare)) || r.Decisions[0].Choice != tc.choice {
			t.Errorf("exit %s: common per share %s, Series A %s; want %s, %s", tc.exit, r.CommonPerShare, r.Decisions[0].Choice, tc.perShare, tc.choice)
		}
	}
}

// Seniority maps to rank in the right direction: with Series B senior, it
// is paid first; at equal seniority the two share pro rata to their
// preferences (NVCA Model COI §B.2.1: "ratably … in proportion to the full
// preferential amount").
func TestSeniorityAndPariPassu(t *testing.T) {
	doc := func(senA, senB int) string {
		return head + `share_classes:
  - {id: common, name: Common}
  - {id: a, name: Series A, kind: preferred, original_issue_price: 1, liquidation_multiple: 1, seniority: ` + itoa(senA) + `}
  - {id: b, name: Series B, kind: preferred, original_issue_price: 3, liquidation_multiple: 1, seniority: ` + itoa(senB) + `}
issuances:
  - {stakeholder: ann, class: common, shares: 5000000}
  - {stakeholder: vc, class: a, shares: 2000000}
  - {stakeholder: vc2, class: b, shares: 1000000}
`
	}
	for _, tc := range []struct {
		senA, senB int
		a, b       string
	}{
		{1, 2, "0", "2500000"},       // B senior: takes all 2.5M of its 3M
		{2, 1, "2000000", "500000"},  // A senior: 2M, B the rest
		{1, 1, "1000000", "1500000"}, // pari passu: 2.5M split 2:3
	} {
		in, _, err := exit.FromCompany(parse(t, doc(tc.senA, tc.senB)), captable.Date{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := waterfall.Compute(&in, money.New(d("2500000"), money.USD))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]decimal.Decimal{}
		for _, c := range r.Classes {
			got[c.Name] = c.Payout
		}
		if !got["Series A"].Equal(d(tc.a)) || !got["Series B"].Equal(d(tc.b)) {
			t.Errorf("seniority A %d B %d: A %s B %s, want %s %s", tc.senA, tc.senB, got["Series A"], got["Series B"], tc.a, tc.b)
		}
	}
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

// checkNotes checks that every note has a known code, arguments for every
// placeholder of its template, and the English text those make.
func checkNotes(t *testing.T, notes []msg.Note) {
	t.Helper()
	for _, n := range notes {
		tmpl, ok := exit.Notes[n.Code]
		if !ok {
			t.Errorf("note with unknown code %q: %s", n.Code, n.Text)
			continue
		}
		for _, p := range msg.Placeholders(tmpl) {
			if _, ok := n.Args[p]; !ok {
				t.Errorf("note %s lacks argument %q: %+v", n.Code, p, n.Args)
			}
		}
		if n.Text != msg.Format(tmpl, n.Args) || strings.Contains(n.Text, "{") {
			t.Errorf("note %s text %q does not fill its template", n.Code, n.Text)
		}
	}
}

// Every code is documented in the package's English catalogue, and the
// catalogue has no code the package never emits (the tests above reach
// each one).
func TestNoteCodes(t *testing.T) {
	want := []string{exit.NoteClassNoShares, exit.NoteOptionsUnvested, exit.NoteSAFEUncappedDiscount, exit.NoteSAFEUncapped,
		exit.NoteSAFEPreMoney, exit.NoteNoExitDate, exit.NoteNoteAsDebt, exit.NoteMFNAdopts}
	slices.Sort(want)
	if got := exit.Notes.Codes(); !slices.Equal(got, want) {
		t.Errorf("codes %v, want %v", got, want)
	}
	for _, c := range want {
		if len(msg.Placeholders(exit.Notes[c])) == 0 {
			t.Errorf("%s: template names no argument", c)
		}
	}
}
