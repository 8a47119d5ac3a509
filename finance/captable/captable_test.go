package captable

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

const demo = `
name: 星河智能 Galaxy AI
currency: CNY
stakeholders:
  - {id: li, name: 李明, kind: founder}
  - {id: wang, name: 王芳, kind: founder}
  - {id: eng1, name: 工程师一, kind: employee}
  - {id: angel, name: 某天使, kind: investor, pro_rata: true}
  - {id: bank, name: 某银行, kind: investor}
share_classes:
  - {id: common, name: 普通股, kind: common}
  - {id: seed, name: 种子轮优先股, kind: preferred, original_issue_price: "1.50", liquidation_multiple: 1, seniority: 1, conversion_ratio: 2}
issuances:
  - {stakeholder: li, class: common, shares: 6000000, price_per_share: 0.0001, date: 2023-01-10}
  - {stakeholder: wang, class: common, shares: 3000000, date: 2023-01-10}
  - {stakeholder: angel, class: seed, shares: 500000, price_per_share: "1.50", date: 2023-06-01}
option_plan:
  class: common
  pool_size: 1500000
  grants:
    - {id: g1, stakeholder: eng1, shares: 480000, exercise_price: 0.5, vesting_start: 2023-03-15, vesting_months: 48, cliff_months: 12, exercised: 10000}
convertibles:
  - {id: safe1, stakeholder: angel, type: safe_post, amount: "2,000,000", cap: 3000万, discount: 20%, pro_rata: true, date: 2023-09-01}
  - {id: note1, stakeholder: bank, type: note, amount: 1000000, interest_rate: 6%, compounding: annual, day_count: 30/360, date: 2023-07-01, maturity: 2025-07-01}
`

func TestParseAndCompute(t *testing.T) {
	c, err := Parse([]byte(demo), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Convertibles[0].Cap.String() != "30000000" || !c.Convertibles[0].Discount.Equal(dec("0.2")) {
		t.Fatalf("convertible %+v", c.Convertibles[0])
	}
	tab, err := c.Compute(Options{AsOf: NewDate(2024, 9, 15)})
	if err != nil {
		t.Fatal(err)
	}
	// Outstanding: 6M + 3M + 500k×2 (as converted) + 10,000 exercised.
	if !tab.Outstanding.Equal(dec("10010000")) || !tab.FullyDiluted.Equal(dec("11500000")) {
		t.Fatalf("outstanding %s fully diluted %s", tab.Outstanding, tab.FullyDiluted)
	}
	if !tab.Options.Equal(dec("470000")) || !tab.UnissuedPool.Equal(dec("1020000")) {
		t.Fatalf("options %s pool %s", tab.Options, tab.UnissuedPool)
	}
	byID := map[string]HolderRow{}
	for _, h := range tab.Holders {
		byID[h.Stakeholder] = h
	}
	// 李明: 6,000,000 / 11,500,000 = 52.173913…% → 52.1739.
	if got := byID["li"].FullyDilutedPct; !got.Equal(dec("52.1739")) {
		t.Errorf("li fully diluted %s", got)
	}
	// eng1 vested 18 of 48 months on 2024-09-15: 480,000 × 18/48 = 180,000.
	if v := byID["eng1"].Vested; v == nil || !v.Equal(dec("180000")) {
		t.Errorf("eng1 vested %v", v)
	}
	sum := tab.UnissuedPoolHolderPct
	for _, h := range tab.Holders {
		sum = sum.Add(h.FullyDilutedPct)
	}
	if !sum.Equal(dec("100")) {
		t.Errorf("fully diluted sums to %s", sum)
	}
	if len(tab.Unconverted) != 2 || !tab.Unconverted[1].Interest.IsPositive() {
		t.Errorf("unconverted %+v", tab.Unconverted)
	}
	// 30/360 from 2023-07-01 to 2024-09-15: 434 days; one whole year at 6%
	// then 74/360 simple on 1,060,000: 60,000 + 13,073.33 = 73,073.33.
	if got := tab.Unconverted[1].Interest; !got.Equal(dec("73073.33")) {
		t.Errorf("note interest %s", got)
	}
	// The same document as JSON parses to the same company.
	js := `{"name":"J","currency":"USD","stakeholders":[{"id":"a"}],"share_classes":[{"id":"common"}],
	  "issuances":[{"stakeholder":"a","class":"common","shares":1000000.5,"price_per_share":"0.001"}]}`
	cj, err := Parse([]byte(js), true)
	if err != nil {
		t.Fatal(err)
	}
	if !cj.Issuances[0].Shares.Equal(dec("1000000.5")) {
		t.Errorf("JSON number parsed as %s", cj.Issuances[0].Shares)
	}
}

// Exact decimals: a YAML or JSON number never passes through a float.
func TestNumbersAreExact(t *testing.T) {
	doc := "name: X\ncurrency: USD\nstakeholders: [{id: a}]\nshare_classes: [{id: common}]\n" +
		"issuances: [{stakeholder: a, class: common, shares: 12345678901234567890.123456789, price_per_share: 0.1}]\n"
	c, err := Parse([]byte(doc), false)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Issuances[0].Shares.String(); got != "12345678901234567890.123456789" {
		t.Errorf("shares %s", got)
	}
}

func TestBadDocuments(t *testing.T) {
	base := func(extra string) string {
		return "name: X\ncurrency: USD\nstakeholders: [{id: a}, {id: b}]\nshare_classes:\n  - {id: common}\n  - {id: sa, name: Series A, kind: preferred, original_issue_price: 1}\n" + extra
	}
	for _, tc := range []struct {
		doc  string
		json bool
		want string
	}{
		{"", false, "empty document"},
		{"name: X\n", false, "currency: required"},
		{"currency: USD\n", false, "name: the company needs a name"},
		{"name: X\ncurrency: XYZW\n", false, "currency: money: unknown currency"},
		{"name: X\ncurrency: USD\nsurprise: 1\n", false, "field surprise not found"},
		{`{"name":"X","currency":"USD","surprise":1}`, true, `unknown field "surprise"`},
		{`{"name":"X","currency":"USD"} {}`, true, "unexpected data"},
		{base("issuances:\n  - {stakeholder: a, class: common, shares: 1}\n  - {stakeholder: a, class: common, shares: 1}\n  - {stakeholder: a, class: common, shares: 1}\n  - {stakeholder: bob, class: common, shares: 1}\n"), false, `issuances[3]: unknown stakeholder "bob"`},
		{base("issuances: [{stakeholder: a, class: nope, shares: 1}]\n"), false, `issuances[0]: unknown share class "nope"`},
		{base("issuances: [{stakeholder: a, class: common, shares: -5}]\n"), false, "issuances[0]: shares must not be negative (got -5)"},
		{base("issuances: [{stakeholder: a, class: common, shares: 0}]\n"), false, "shares must be > 0"},
		{base("issuances: [{stakeholder: a, class: common}]\n"), false, "shares: required"},
		{base("issuances: [{stakeholder: a, class: common, shares: 1e6}]\n"), false, `"1e6" is not a decimal amount`},
		{base("issuances: [{stakeholder: a, class: common, shares: [1]}]\n"), false, "want a number"},
		{base("issuances: [{stakeholder: a, class: common, shares: 1, price_per_share: -1}]\n"), false, "price_per_share must not be negative"},
		{base("issuances: [{stakeholder: a, class: common, shares: 1, date: 2024-13-01}]\n"), false, "is not a date"},
		{"name: X\ncurrency: USD\nshare_classes:\n  - {id: common}\n  - {id: sa, name: Series A, kind: preferred}\n", false, "share_classes[1] (Series A): original issue price must be > 0"},
		{"name: X\ncurrency: USD\nshare_classes: [{id: c, kind: ordinary}]\n", false, `kind: "ordinary" is not common or preferred`},
		{"name: X\ncurrency: USD\nshare_classes: [{id: p, kind: preferred, original_issue_price: 1, liquidation_multiple: -1}]\n", false, "liquidation_multiple must not be negative"},
		{"name: X\ncurrency: USD\nshare_classes: [{id: p, kind: preferred, original_issue_price: 1, participation_cap: 3}]\n", false, "not participating"},
		{"name: X\ncurrency: USD\nshare_classes: [{id: p, kind: preferred, original_issue_price: 1, liquidation_multiple: 2, participating: true, participation_cap: 1.5}]\n", false, "below the liquidation multiple"},
		{"name: X\ncurrency: USD\nshare_classes: [{id: p, kind: preferred, original_issue_price: 1, conversion_ratio: 0}]\n", false, "conversion_ratio must be > 0"},
		{"name: X\ncurrency: USD\nshare_classes: [{id: c, liquidation_multiple: 1}]\n", false, "common stock has no liquidation preference"},
		{"name: X\ncurrency: USD\nshare_classes: [{id: p, kind: preferred, original_issue_price: 5 CNY}]\n", false, "is in CNY but the company reports in USD"},
		{"name: X\ncurrency: USD\nstakeholders: [{id: a}, {id: a}]\n", false, `stakeholders[1]: duplicate id "a"`},
		{"name: X\ncurrency: USD\nstakeholders: [{name: nobody}]\n", false, "stakeholders[0]: id: required"},
		{"name: X\ncurrency: USD\nstakeholders: [{id: a, kind: king}]\n", false, `kind: "king" is not one of`},
		{"name: X\ncurrency: USD\nshare_classes: [{id: c}, {id: c}]\n", false, `share_classes[1]: duplicate id "c"`},
		{base("option_plan: {class: common, pool_size: 100, grants: [{stakeholder: a, shares: 60}, {stakeholder: b, shares: 50}]}\n"), false, "110 options granted exceed the pool of 100"},
		{base("option_plan: {class: sa, pool_size: 100}\n"), false, `"sa" is not a common class`},
		{base("option_plan: {pool_size: 100}\n"), false, "option_plan: class: required"},
		{base("option_plan: {class: common, pool_size: -1}\n"), false, "pool_size must not be negative"},
		{base("option_plan: {class: common, pool_size: 100, grants: [{id: g, stakeholder: zed, shares: 10}]}\n"), false, `grants[0] (g): unknown stakeholder "zed"`},
		{base("option_plan: {class: common, pool_size: 100, grants: [{stakeholder: a, shares: 10, exercised: 11}]}\n"), false, "exercised 11 exceeds"},
		{base("option_plan: {class: common, pool_size: 100, grants: [{stakeholder: a, shares: 10, vesting_start: 2024-01-01, vesting_months: 12, cliff_months: 13}]}\n"), false, "cliff_months 13"},
		{base("option_plan: {class: common, pool_size: 100, grants: [{stakeholder: a, shares: 10, vesting_months: 12}]}\n"), false, "vesting_start: required"},
		{base("option_plan: {class: common, pool_size: 100, grants: [{id: g, stakeholder: a, shares: 1}, {id: g, stakeholder: a, shares: 1}]}\n"), false, `duplicate id "g"`},
		{base("convertibles: [{id: s, stakeholder: a, type: safe_post, amount: 100, cap: -5}]\n"), false, "cap must not be below zero"},
		{base("convertibles: [{id: s, stakeholder: a, type: safe_post, amount: 100, cap: 0}]\n"), false, "cap: must be > 0"},
		{base("convertibles: [{id: s, stakeholder: a, type: safe_post, amount: 0}]\n"), false, "amount must be > 0"},
		{base("convertibles: [{id: s, stakeholder: a, type: bond, amount: 1}]\n"), false, `type: "bond" is not`},
		{base("convertibles: [{id: s, stakeholder: q, type: safe_post, amount: 1}]\n"), false, `convertibles[0] (s): unknown stakeholder "q"`},
		{base("convertibles: [{id: s, stakeholder: a, type: safe_post, amount: 1, discount: 100%}]\n"), false, "discount must be in"},
		{base("convertibles: [{id: s, stakeholder: a, type: safe_post, amount: 1, interest_rate: 5%}]\n"), false, "a SAFE bears no interest"},
		{base("convertibles: [{id: s, stakeholder: a, type: note, amount: 1}]\n"), false, "date: required"},
		{base("convertibles: [{id: s, stakeholder: a, type: note, amount: 1, date: 2024-01-01, day_count: ACT/360}]\n"), false, `day_count: "ACT/360"`},
		{base("convertibles: [{id: s, stakeholder: a, type: note, amount: 1, date: 2024-01-01, compounding: daily}]\n"), false, `compounding: "daily"`},
		{base("convertibles: [{id: s, stakeholder: a, type: note, amount: 1, date: 2024-01-01, maturity: 2023-01-01}]\n"), false, "is not after the issue date"},
		{base("convertibles: [{id: s, stakeholder: a, type: safe_post, amount: 1, mfn: true, cap: 5}]\n"), false, "an MFN instrument has no cap"},
		{base("convertibles: [{id: s, stakeholder: a, type: safe_post, amount: 1}, {id: s, stakeholder: a, type: safe_post, amount: 1}]\n"), false, `convertibles[1]: duplicate id "s"`},
		{base("scenarios: [{name: s, rounds: [{name: A, pre_money: 0, investments: [{stakeholder: v, amount: 1}]}]}]\n"), false, "pre_money must be > 0"},
		{base("scenarios: [{name: s, rounds: [{name: A, pre_money: 10, pool_target: 10%, pool_increase: 5, investments: [{stakeholder: v, amount: 1}]}]}]\n"), false, "contradict"},
		{base("scenarios: [{name: s, rounds: []}]\n"), false, "at least one round"},
		{base("scenarios: [{name: s, rounds: [{name: A, pre_money: 10}]}]\n"), false, "needs at least one investment"},
		{base("scenarios: [{name: s, rounds: [{name: A, pre_money: 10, investments: [{stakeholder: v, amount: -1}]}]}]\n"), false, "amount must be > 0"},
	} {
		_, err := Parse([]byte(tc.doc), tc.json)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q:\n  error %v\n  want one containing %q", tc.doc, err, tc.want)
		}
	}
}

func TestDocumentLimits(t *testing.T) {
	big := make([]byte, MaxDocumentBytes+1)
	if _, err := Parse(big, false); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized document: %v", err)
	}
	var b strings.Builder
	b.WriteString("name: X\ncurrency: USD\nshare_classes:\n")
	for i := 0; i <= MaxClasses; i++ {
		b.WriteString("  - {id: c" + strings.Repeat("x", 0) + itoa(i) + "}\n")
	}
	if _, err := Parse([]byte(b.String()), false); err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Errorf("too many classes: %v", err)
	}
	long := "name: X\ncurrency: USD\nstakeholders: [{id: a}]\nshare_classes: [{id: c}]\nissuances: [{stakeholder: a, class: c, shares: " + strings.Repeat("9", 60) + "}]\n"
	if _, err := Parse([]byte(long), false); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("long number: %v", err)
	}
}

func itoa(i int) string { return decimal.NewFromInt(int64(i)).String() }

// TestPercentagesSumTo100 is the largest-remainder property: for random
// parts and decimals, the percentages sum to exactly 100 and each is within
// one unit of its exact value.
func TestPercentagesSumTo100(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	hundred := decimal.NewFromInt(100)
	for trial := 0; trial < 2000; trial++ {
		n := 1 + rng.IntN(40)
		parts := make([]decimal.Decimal, n)
		total := decimal.Zero
		for i := range parts {
			switch rng.IntN(4) {
			case 0:
				parts[i] = decimal.Zero
			default:
				parts[i] = decimal.New(int64(rng.IntN(1_000_000_000)), -int32(rng.IntN(4)))
			}
			total = total.Add(parts[i])
		}
		d := int32(rng.IntN(7))
		got := Percentages(parts, d)
		sum := decimal.Zero
		for i, p := range got {
			sum = sum.Add(p)
			if total.IsPositive() {
				exact := parts[i].Mul(hundred).DivRound(total, 20)
				if p.Sub(exact).Abs().GreaterThan(decimal.New(1, -d)) {
					t.Fatalf("part %d: %s%% is more than one unit from %s%%", i, p, exact)
				}
			}
		}
		if total.IsPositive() && !sum.Equal(hundred) {
			t.Fatalf("trial %d: %v at %d decimals sums to %s", trial, got, d, sum)
		}
	}
	// The classic thirds.
	third := Percentages([]decimal.Decimal{dec("1"), dec("1"), dec("1")}, 2)
	if third[0].String() != "33.34" || third[1].String() != "33.33" || third[2].String() != "33.33" {
		t.Errorf("thirds: %v", third)
	}
}

// TestDays360 checks the 30/360 US day count against published examples:
// Microsoft's DAYS360 documentation (US/NASD method): 2011-01-30 →
// 2011-02-01 is 1 day, 2011-01-01 → 2011-12-31 is 360, 2011-01-01 →
// 2011-02-01 is 30; Apple Numbers' DAYS360 help (NASD): 2008-12-20 →
// 2009-03-31 is 101, 2008-02-27 → 2009-03-31 is 394. The February rules
// follow the SIA / Cbonds statement of 30/360 US: the last day of February
// counts as the 30th, for the end date only when the start is one too.
func TestDays360(t *testing.T) {
	d := func(s string) Date { x, _ := ParseDate(s); return x }
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"2011-01-30", "2011-02-01", 1},
		{"2011-01-01", "2011-12-31", 360},
		{"2011-01-01", "2011-02-01", 30},
		{"2008-12-20", "2009-03-31", 101},
		{"2008-02-27", "2009-03-31", 394},
		{"2011-01-31", "2011-03-31", 60},  // D1=31→30, then D2=31→30
		{"2011-02-28", "2011-03-31", 30},  // last of Feb → 30, D2 31 → 30
		{"2011-02-28", "2012-02-29", 360}, // both last of Feb
		{"2012-02-29", "2012-03-15", 15},
	} {
		if got := Days360(d(tc.a), d(tc.b)); got != tc.want {
			t.Errorf("Days360(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestAccruedInterest: FundersClub's glossary example ($1M at 5% for a
// year is $50,000), the textbook compound case ($100,000 at 8% compounded
// annually for 2 years: 100,000 × 1.08² − 100,000 = $16,640), and the two
// day counts over a short period.
func TestAccruedInterest(t *testing.T) {
	note := func(amt, rate string, c Compounding, dc DayCount, from string) Convertible {
		d, _ := ParseDate(from)
		return Convertible{ID: "n", Type: Note, Amount: dec(amt), InterestRate: dec(rate), Compounding: c, DayCount: dc, Date: d}
	}
	at := func(s string) Date { d, _ := ParseDate(s); return d }
	for _, tc := range []struct {
		c    Convertible
		to   string
		want string
	}{
		{note("1000000", "0.05", Simple, Actual365, "2023-01-01"), "2024-01-01", "50000"},
		{note("100000", "0.08", Annual, Thirty360, "2022-03-01"), "2024-03-01", "16640"},
		{note("100000", "0.08", Annual, Actual365, "2021-03-01"), "2023-03-01", "16640"},
		// 30/360: 2024-01-31 → 2024-03-31 is 60 days; ACTUAL/365: 60 days too.
		{note("365000", "0.10", Simple, Thirty360, "2024-01-31"), "2024-03-31", "6083.33"},
		{note("365000", "0.10", Simple, Actual365, "2024-01-31"), "2024-03-31", "6000"},
		{note("1000", "0.10", Simple, Actual365, "2024-01-01"), "2024-01-01", "0"},
	} {
		got, err := AccruedInterest(tc.c, at(tc.to))
		if err != nil || !got.Equal(dec(tc.want)) {
			t.Errorf("%s %s %s from %s to %s: %s, %v; want %s", tc.c.Amount, tc.c.Compounding, tc.c.DayCount, tc.c.Date, tc.to, got, err, tc.want)
		}
	}
	if _, err := AccruedInterest(note("1", "0.1", Simple, Actual365, "2024-01-01"), at("2023-01-01")); err == nil {
		t.Error("a date before issue must be an error")
	}
}

func TestVesting(t *testing.T) {
	start := NewDate(2023, time.January, 31)
	g := Grant{Shares: dec("48000"), VestingStart: start, VestingMonths: 48, CliffMonths: 12}
	for _, tc := range []struct {
		at   Date
		want string
	}{
		{NewDate(2023, time.January, 1), "0"},
		{NewDate(2024, time.January, 30), "0"},      // 11 months: before the cliff
		{NewDate(2024, time.January, 31), "12000"},  // the cliff: 12 months at once
		{NewDate(2024, time.February, 29), "13000"}, // month-end: 29 Feb completes month 13
		{NewDate(2026, time.December, 31), "47000"},
		{NewDate(2027, time.January, 31), "48000"},
		{NewDate(2030, time.January, 1), "48000"},
	} {
		if got := VestedShares(g, tc.at); !got.Equal(dec(tc.want)) {
			t.Errorf("vested at %s: %s, want %s", tc.at, got, tc.want)
		}
	}
	if got := VestedShares(Grant{Shares: dec("7")}, NewDate(2020, 1, 1)); !got.Equal(dec("7")) {
		t.Errorf("no schedule: %s", got)
	}
	// Floor: 1,000 shares over 3 months, after 1 month: 333.
	if got := VestedShares(Grant{Shares: dec("1000"), VestingStart: start, VestingMonths: 3}, NewDate(2023, 2, 28)); !got.Equal(dec("333")) {
		t.Errorf("floored vesting: %s", got)
	}
}

func TestParseMoneyAndFraction(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2500000", "2500000"}, {"2,500,000", "2500000"}, {"2.5M", "2500000"}, {"500k", "500000"},
		{"3000万", "30000000"}, {"1.2亿", "120000000"}, {"$1,000", "1000"}, {"1000 USD", "1000"},
	} {
		got, err := ParseMoney("x", tc.in, "USD")
		if err != nil || !got.Equal(dec(tc.want)) {
			t.Errorf("ParseMoney(%q) = %s, %v", tc.in, got, err)
		}
	}
	if _, err := ParseMoney("x", "¥100", "USD"); err == nil {
		t.Error("a CNY amount for a USD company must be refused")
	}
	for _, tc := range []struct{ in, want string }{{"20%", "0.2"}, {"0.2", "0.2"}, {"12.5%", "0.125"}} {
		got, err := ParseFraction("x", tc.in)
		if err != nil || !got.Equal(dec(tc.want)) {
			t.Errorf("ParseFraction(%q) = %s, %v", tc.in, got, err)
		}
	}
	if Slug("Series A") != "series-a" || Slug("天使轮") != "天使轮" || Slug("  Pre-Seed!! ") != "pre-seed" {
		t.Error("Slug")
	}
}
