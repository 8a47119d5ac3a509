package round

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func parse(t *testing.T, doc string) *captable.Company {
	t.Helper()
	c, err := captable.Parse([]byte(doc), false)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return c
}

func mustApply(t *testing.T, c *captable.Company, terms RoundTerms) *Result {
	t.Helper()
	r, err := Apply(c, terms)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return r
}

func conv(t *testing.T, r *Result, id string) Conversion {
	t.Helper()
	for _, c := range r.Conversions {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no conversion %q in %+v", id, r.Conversions)
	return Conversion{}
}

func eq(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// ycTable is the pre-safe capitalization of the YC Post-Money Safe User
// Guide (v1.2, Appendix II, Example 1): 9,250,000 founder shares, 300,000
// outstanding options, 350,000 promised options (entered as grants) and a
// 100,000-share unissued pool — 10,000,000 fully diluted. Investor A buys a
// $200,000 safe at a $4M post-money cap (5%), Investor B $800,000 at $8M
// (10%). In Example 2, A's safe is a pre-money safe with a $3.8M cap.
func ycTable(aType, aCap string) string {
	return `
name: Example Co
currency: USD
stakeholders:
  - {id: founders, kind: founder}
  - {id: employees, kind: employee}
  - {id: a, name: Investor A, kind: investor}
  - {id: b, name: Investor B, kind: investor}
share_classes:
  - {id: common, kind: common}
issuances:
  - {stakeholder: founders, class: common, shares: 9250000}
option_plan:
  class: common
  pool_size: 750000
  grants:
    - {id: outstanding, stakeholder: employees, shares: 300000}
    - {id: promised, stakeholder: employees, shares: 350000}
convertibles:
  - {id: safe-a, stakeholder: a, type: ` + aType + `, amount: 200000, cap: ` + aCap + `, date: 2023-01-01}
  - {id: safe-b, stakeholder: b, type: safe_post, amount: 800000, cap: 8000000, date: 2023-02-01}
`
}

func ycRound(pre, invest, pool string) RoundTerms {
	r := YCGuideRounding()
	return RoundTerms{Name: "Series A", PreMoney: dec(pre), PoolIncrease: dec(pool),
		Investments: []Investment{{Stakeholder: "lead", Name: "Series A investors", Amount: dec(invest)}}, Rounding: &r}
}

// TestYCPostMoneySafeUserGuide reproduces the worked rounds of Y
// Combinator's "Post-Money Safe User Guide" (v1.2, Feb 2023, Appendix II,
// "Sample Conversion Calculations"), Examples 1 and 2, Questions 2 and 5.
// Every printed figure is matched exactly with the Guide's own rounding
// (YCGuideRounding: price to 4 decimals, nearest; safe shares floored;
// new-money shares to the nearest share).
//
// Two remarks on the Guide. (1) Example 2, Question 2 says the new money is
// "$5,000,000 divided by the Series A-1 price per share of $1.1144"; that is
// a typo carried from Example 1: its own 4,498,426 is $5M / $1.1115, the
// price it computes. (2) The Guide floors safe shares but rounds new-money
// shares to the nearest share (4,498,425.55 → 4,498,426 and 3,350,593.97 →
// 3,350,594); under DefaultRounding, which floors both, those two numbers
// are one share lower, which TestYCGuideDefaultRoundingFloors checks.
func TestYCPostMoneySafeUserGuide(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		aType, aCap          string
		pre, invest, pool    string
		price                string
		a, b, aBasis, bBasis string
		newShares, total     string
		companyCap           string
	}{
		// Example 1, Question 2: both safes at their caps. Company
		// Capitalization 11,764,705; price $15M / (11,764,705 + 1,695,000).
		{"ex1-q2", "safe_post", "4000000", "15000000", "5000000", "1695000", "1.1144",
			"588235", "1176470", "cap", "cap", "4486719", "17946424", "11764705"},
		// Example 1, Question 5: a $8.8M pre-money; B converts at the round
		// price, A at its cap.
		{"ex1-q5", "safe_post", "4000000", "8800000", "2200000", "1573000", "0.6577",
			"590334", "1216360", "cap", "round", "3344990", "16724684", "11806694"},
		// Example 2, Question 2: A is a pre-money safe ($3.8M cap, Safe
		// Price $3.8M / 11,700,000 = $0.3248).
		{"ex2-q2", "safe_pre", "3800000", "15000000", "5000000", "1700000", "1.1115",
			"615763", "1179529", "cap", "cap", "4498426", "17993718", "11795292"},
		// Example 2, Question 5.
		{"ex2-q5", "safe_pre", "3800000", "8800000", "2200000", "1575000", "0.6566",
			"609198", "1218397", "cap", "round", "3350594", "16753189", "11827595"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := parse(t, ycTable(tc.aType, tc.aCap))
			r := mustApply(t, c, ycRound(tc.pre, tc.invest, tc.pool))
			eq(t, "price", r.Price, tc.price)
			ca, cb := conv(t, r, "safe-a"), conv(t, r, "safe-b")
			eq(t, "investor A shares", ca.Shares, tc.a)
			eq(t, "investor B shares", cb.Shares, tc.b)
			if ca.Basis != tc.aBasis || cb.Basis != tc.bBasis {
				t.Errorf("bases A=%s B=%s, want %s %s", ca.Basis, cb.Basis, tc.aBasis, tc.bBasis)
			}
			eq(t, "new shares", r.NewShares, tc.newShares)
			eq(t, "post-round fully diluted", r.PostRoundShares, tc.total)
			eq(t, "company capitalization", r.CompanyCapitalization, tc.companyCap)
		})
	}
}

func TestYCGuideDefaultRoundingFloors(t *testing.T) {
	c := parse(t, ycTable("safe_pre", "3800000"))
	terms := ycRound("15000000", "5000000", "1700000")
	terms.Rounding = nil
	r := mustApply(t, c, terms)
	eq(t, "new shares", r.NewShares, "4498425")
	eq(t, "post-round fully diluted", r.PostRoundShares, "17993717")
}

// TestYCGuideTargetPool enters Example 1's round with the Guide's stated
// target ("Target available option pool: 10%") instead of its fixed
// 1,695,000-share increase. Solved exactly (by hand: T = 3,966,000,000/221,
// price $2,210/1,983), the target needs 1,694,570.14 new shares: the
// Guide's 1,695,000 is about 430 shares more than its own target requires
// (it gives 10.0021%), consistent with rounding to the nearest thousand.
func TestYCGuideTargetPool(t *testing.T) {
	c := parse(t, ycTable("safe_post", "4000000"))
	exact := Rounding{PriceDecimals: -1, Price: Nearest, Conversion: Floor, Investors: Floor}
	r := mustApply(t, c, RoundTerms{Name: "Series A", PreMoney: dec("15000000"), PoolTarget: dec("0.10"),
		Investments: []Investment{{Stakeholder: "lead", Amount: dec("5000000")}}, Rounding: &exact})
	eq(t, "exact price", r.ExactPrice, "1.1144730207") // 2210/1983
	eq(t, "pool increase (1,694,570.14 rounded up)", r.PoolIncrease, "1694571")
	if r.UnissuedPoolPct.Sub(dec("10")).Abs().GreaterThan(dec("0.0001")) {
		t.Errorf("unissued pool %s%%, want 10%%", r.UnissuedPoolPct)
	}
	// A binding post-money cap does not see the pool: still 5% and 10% of
	// 200,000,000/17.
	eq(t, "A", conv(t, r, "safe-a").Shares, "588235")
	eq(t, "B", conv(t, r, "safe-b").Shares, "1176470")
}

// TestYCGuideProRata reproduces the User Guide's pro-rata example (Quick
// Start Guide, item 3): safes sold 15% of the company pre-Series A at a $5M
// post-money cap, each with a pro rata side letter; options are 8%; the new
// investors take 25% post-Series A excluding the safe holders' pro rata,
// and the pool becomes 10% available. The Guide's back-solve:
//
//	Safe Pro-Rata Allocation % = 25% / (100% − 15%) − 25% = 4.41%.
//
// Here the round is $5M at $12M pre (5/17 = 29.41% new money): the lead
// puts in $4.25M (25%) and the safe holders their 15% of the round,
// $750,000, which is the right the engine reports; that purchase is 4.41%
// of the company.
func TestYCGuideProRata(t *testing.T) {
	c := parse(t, `
name: ProRata Co
currency: USD
stakeholders:
  - {id: founders, kind: founder}
  - {id: staff, kind: employee}
  - {id: angels, kind: investor}
share_classes: [{id: common}]
issuances: [{stakeholder: founders, class: common, shares: 7700000}]
option_plan: {class: common, pool_size: 800000, grants: [{id: g, stakeholder: staff, shares: 800000}]}
convertibles:
  - {id: safes, stakeholder: angels, type: safe_post, amount: 750000, cap: 5000000, pro_rata: true}
`)
	r := mustApply(t, c, RoundTerms{Name: "Series A", PreMoney: dec("12000000"), PoolTarget: dec("0.10"),
		Investments: []Investment{{Stakeholder: "lead", Amount: dec("4250000")}, {Stakeholder: "angels", Amount: dec("750000")}}})
	if len(r.ProRata) != 1 || r.ProRata[0].Stakeholder != "angels" {
		t.Fatalf("pro rata rights %+v", r.ProRata)
	}
	pr := r.ProRata[0]
	eq(t, "safe holders' pro-rata percent", pr.Percent, "15")
	if pr.Amount.Sub(dec("750000")).Abs().GreaterThan(r.Price) {
		t.Errorf("pro-rata amount %s, want $750,000 within a share", pr.Amount)
	}
	got := pr.Shares.Div(r.PostRoundShares).Shift(2).Round(2)
	eq(t, "pro-rata purchase as % of the company", got, "4.41")
	var lead Allocation
	for _, a := range r.Investors {
		if a.Stakeholder == "lead" {
			lead = a
		}
	}
	if lead.Ownership.Sub(dec("25")).Abs().GreaterThan(dec("0.001")) {
		t.Errorf("lead owns %s%%, want 25%%", lead.Ownership)
	}
}

// TestVentureHacksOptionPoolShuffle reproduces Venture Hacks, "The Option
// Pool Shuffle" (venturehacks.com/option-pool-shuffle): a $2M investment at
// an $8M pre-money with 6M shares outstanding, the pre-money "includes an
// option pool equal to 20% of the post-financing fully diluted
// capitalization". The founders expect $8M / 6M = $1.33 a share; the term
// sheet's price is $1.00, and the effective pre-money is $6M.
func TestVentureHacksOptionPoolShuffle(t *testing.T) {
	c := parse(t, `
name: Shuffle Inc
currency: USD
stakeholders: [{id: founders, kind: founder}]
share_classes: [{id: common}]
issuances: [{stakeholder: founders, class: common, shares: 6000000}]
`)
	r := mustApply(t, c, RoundTerms{Name: "Series A", PreMoney: dec("8000000"), PoolTarget: dec("0.20"),
		Investments: []Investment{{Stakeholder: "blue-shirt", Name: "Blue Shirt Capital", Amount: dec("2000000")}}})
	eq(t, "price", r.Price, "1")
	eq(t, "pool increase", r.PoolIncrease, "2000000")
	eq(t, "new shares", r.NewShares, "2000000")
	eq(t, "effective pre-money", r.EffectivePreMoney, "6000000")
	eq(t, "post-money", r.PostMoney, "10000000")
	eq(t, "pool increase value", r.PoolIncreaseValue, "2000000")
	eq(t, "unissued pool %", r.UnissuedPoolPct, "20")
	for _, d := range r.Dilution {
		if d.Stakeholder == "founders" {
			eq(t, "founders after", d.After, "60")
		}
	}
}

// TestCooleyThreeMethods reproduces Cooley GO, "Calculating Share Price
// With Outstanding Convertible Notes or Safes" (Derek Colla): an $8M
// pre-money, $2M from the Series A investors, 1,000,000 shares fully
// diluted, and $1M of notes or safes converting at a 30% discount. Cooley
// counts shares at the unrounded price and prints shares to the nearest
// share and prices to the cent:
//
//	method      price  conv. price  safe shares  new shares  total      founders
//	pre-money   $8.00  $5.60        178,571      250,000     1,428,571  70.00%
//	percentage  $6.57  $4.60        217,391      304,348     1,521,739  65.71%
//	dollars     $7.57  $5.30        188,679      264,151     1,452,830  68.83%
//
// The exact prices are $8, $46/7 and $53/7.
func TestCooleyThreeMethods(t *testing.T) {
	c := parse(t, `
name: Cooley Example
currency: USD
stakeholders: [{id: founders, kind: founder}, {id: holders, kind: investor}]
share_classes: [{id: common}]
issuances: [{stakeholder: founders, class: common, shares: 1000000}]
convertibles: [{id: notes, stakeholder: holders, type: safe_pre, amount: 1000000, discount: 30%}]
`)
	rnd := Rounding{PriceDecimals: -1, Price: Nearest, Conversion: NearestShare, Investors: NearestShare}
	for _, tc := range []struct {
		m                                Method
		price, convPrice                 string
		safe, newShares, total, founders string
		exact                            string
	}{
		{PreMoneyMethod, "8.00", "5.60", "178571", "250000", "1428571", "70.00", "8"},
		{PercentageOwnership, "6.57", "4.60", "217391", "304348", "1521739", "65.71", "6.5714285714"},
		{DollarsInvested, "7.57", "5.30", "188679", "264151", "1452830", "68.83", "7.5714285714"},
	} {
		t.Run(string(tc.m), func(t *testing.T) {
			r := mustApply(t, c, RoundTerms{Name: "Series A", PreMoney: dec("8000000"), Method: tc.m, Rounding: &rnd,
				Investments: []Investment{{Stakeholder: "series-a", Amount: dec("2000000")}}})
			eq(t, "price (to the cent)", r.Price.Round(2), tc.price)
			eq(t, "exact price", r.ExactPrice, tc.exact)
			cv := conv(t, r, "notes")
			eq(t, "conversion price", cv.ConversionPrice.Round(2), tc.convPrice)
			eq(t, "safe shares", cv.Shares, tc.safe)
			eq(t, "new shares", r.NewShares, tc.newShares)
			eq(t, "total", r.PostRoundShares, tc.total)
			for _, d := range r.Dilution {
				if d.Stakeholder == "founders" {
					eq(t, "founders %", d.After.Round(2), tc.founders)
				}
			}
		})
	}
}

// TestFundersClubNoteCapDiscount reproduces FundersClub, "Numerical
// Example: $25k convertible note with $5M cap, 20% discount"
// (fundersclub.com/learn/convertible-notes/convertible-notes-numerical-
// examples/convertible-note-cap-discount), interest ignored as there. At a
// $10M pre-money and $5.00 a share (2,000,000 pre-money shares) the cap
// wins: $5.00 × $5M/$10M = $2.50, 10,000 shares. At a $6M pre-money and
// $5.00 (1,200,000 shares) the discount wins: $4.00 against $4.1667, 6,250
// shares. FundersClub prices the round on the shares before conversion:
// Cooley's pre-money method.
func TestFundersClubNoteCapDiscount(t *testing.T) {
	for _, tc := range []struct {
		shares, pre, convPrice, conv, basis string
	}{
		{"2000000", "10000000", "2.5", "10000", "cap"},
		{"1200000", "6000000", "4", "6250", "discount"},
	} {
		c := parse(t, `
name: Seed Co
currency: USD
stakeholders: [{id: founders, kind: founder}, {id: you, kind: investor}]
share_classes: [{id: common}]
issuances: [{stakeholder: founders, class: common, shares: `+tc.shares+`}]
convertibles:
  - {id: note, stakeholder: you, type: note, amount: 25000, cap: 5000000, discount: 20%, interest_rate: 0, date: 2022-01-01}
`)
		r := mustApply(t, c, RoundTerms{Name: "Series A", Date: captable.NewDate(2023, 6, 1), PreMoney: dec(tc.pre), Method: PreMoneyMethod,
			Investments: []Investment{{Stakeholder: "vc", Amount: dec("2000000")}}})
		eq(t, "price", r.Price, "5")
		cv := conv(t, r, "note")
		eq(t, "conversion price", cv.ConversionPrice, tc.convPrice)
		eq(t, "shares", cv.Shares, tc.conv)
		if cv.Basis != tc.basis {
			t.Errorf("basis %s, want %s", cv.Basis, tc.basis)
		}
	}
}

// TestNoteWithInterestConverts follows FundersClub's glossary entry
// "Interest (in a convertible note)": $1M at 5% converting a year later at
// a $10M valuation is $1M × 1.05 = $1.05M of stock, 10.5% of the company.
// Here 365 days at ACTUAL/365, simple, accrue $50,000; the note (no cap,
// no discount) converts at the round price of $1.00 (8,950,000 shares at an
// $8.95M pre-money, pre-money method) into 1,050,000 shares: 10.5% of the
// 10,000,000 shares of the $10M company before the new money.
func TestNoteWithInterestConverts(t *testing.T) {
	c := parse(t, `
name: Note Co
currency: USD
stakeholders: [{id: founders, kind: founder}, {id: lender, kind: investor}]
share_classes: [{id: common}]
issuances: [{stakeholder: founders, class: common, shares: 8950000}]
convertibles:
  - {id: n1, stakeholder: lender, type: note, amount: 1000000, interest_rate: 5%, date: 2023-01-01, day_count: ACTUAL/365}
`)
	r := mustApply(t, c, RoundTerms{Name: "A", Date: captable.NewDate(2024, 1, 1), PreMoney: dec("8950000"), Method: PreMoneyMethod,
		Investments: []Investment{{Stakeholder: "vc", Amount: dec("1000000")}}})
	cv := conv(t, r, "n1")
	eq(t, "interest", cv.Interest, "50000")
	eq(t, "price", r.Price, "1")
	eq(t, "shares", cv.Shares, "1050000")
	eq(t, "note % of the company before new money", cv.Shares.Div(r.CompanyCapitalization).Shift(2), "10.5")
}
