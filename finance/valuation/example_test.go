package valuation_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/finance/valuation"
)

// The VC method on Metrick & Yasuda's textbook numbers: a $25M exit in 4
// years, a 50% target IRR and a $3M investment.
func ExampleVC() {
	d, _ := valuation.Parse([]byte(`currency: USD
vc: {investment: 3000000, terminal_value: 25000000, target_irr: 50%, years: 4}`), false)
	r, _ := valuation.VC(d)
	fmt.Println(r.PostMoney, r.PreMoney, r.OwnershipAtClose)
	// Output: $4,938,271.60 $1,938,271.60 0.6075
}

// Payne's Scorecard with the default weights.
func ExampleScorecard() {
	d, _ := valuation.Parse([]byte(`currency: CNY
scorecard:
  average_pre_money: 30000000
  factors:
    - {name: management, comparison: 125%}
    - {name: opportunity, comparison: 150%}
    - {name: product, comparison: 100%}
    - {name: competition, comparison: 75%}
    - {name: marketing, comparison: 80%}
    - {name: additional_investment, comparison: 100%}
    - {name: other, comparison: 100%}`), false)
	r, _ := valuation.Scorecard(d)
	fmt.Println(r.Factor, r.PreMoney)
	// Output: 1.155 ¥34,650,000.00
}

// A DCF with a Gordon-growth terminal value.
func ExampleDCF() {
	d, _ := valuation.Parse([]byte(`currency: USD
dcf: {cash_flows: [100, 110, 121, 133, 146], discount_rate: 10%, terminal: {method: gordon, growth: 3%}, net_debt: 200}`), false)
	r, _ := valuation.DCF(d)
	fmt.Println(r.TerminalValue, r.EnterpriseValue, r.EquityValue)
	// Output: $2,148.29 $1,788.14 $1,588.14
}

// The football field combines the methods a document holds.
func ExampleFootballField() {
	d, _ := valuation.Parse([]byte(`currency: USD
vc: {investment: 500000, terminal_value: 42500000, target_multiple: 20}
berkus: {factors: [{name: sound_idea, value: 500000}, {name: prototype, value: 500000}, {name: quality_team, value: 400000}]}
football_field: {spread: 10%}`), false)
	f, _ := valuation.FootballField(d)
	for _, b := range append(f.Bars, f.Overall) {
		fmt.Println(b.Method, b.Low, b.Mid, b.High)
	}
	// Output:
	// vc $1,462,500.00 $1,625,000.00 $1,787,500.00
	// berkus $1,260,000.00 $1,400,000.00 $1,540,000.00
	// overall $1,260,000.00 $1,512,500.00 $1,787,500.00
}

// Numbers in documents may be percentages or carry separators.
func ExampleParseNumber() {
	a, _ := valuation.ParseNumber("12.5%")
	b, _ := valuation.ParseNumber("1,250,000")
	fmt.Println(a, b)
	// Output: 0.125 1250000
}
