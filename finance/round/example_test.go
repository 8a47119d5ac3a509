package round_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/round"
)

// The option pool shuffle (Venture Hacks): $2M at $8M pre-money with a 20%
// post-money pool carved out of the pre-money.
func ExampleApply() {
	c, err := captable.Parse([]byte(`
name: Shuffle Inc
currency: USD
stakeholders: [{id: founders, kind: founder}]
share_classes: [{id: common}]
issuances: [{stakeholder: founders, class: common, shares: 6000000}]
`), false)
	if err != nil {
		panic(err)
	}
	r, err := round.Apply(c, round.RoundTerms{
		Name:        "Series A",
		PreMoney:    decimal.NewFromInt(8_000_000),
		PoolTarget:  decimal.RequireFromString("0.20"),
		Investments: []round.Investment{{Stakeholder: "vc", Amount: decimal.NewFromInt(2_000_000)}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("price:", r.Price)
	fmt.Println("effective pre-money:", r.EffectivePreMoney)
	fmt.Println("pool increase:", r.PoolIncrease)
	fmt.Println("vc owns:", r.Investors[0].Ownership, "%")
	// Output:
	// price: 1
	// effective pre-money: 6000000
	// pool increase: 2000000
	// vc owns: 20 %
}

// A seed SAFE converting in a Series A, then a Series B.
func ExampleScenario() {
	c, _ := captable.Parse([]byte(`
name: Path Co
currency: USD
stakeholders: [{id: ann, kind: founder}, {id: angel, kind: investor}]
share_classes: [{id: common}]
issuances: [{stakeholder: ann, class: common, shares: 9000000}]
option_plan: {class: common, pool_size: 1000000}
convertibles: [{id: safe, stakeholder: angel, type: safe_post, amount: 1000000, cap: 10000000}]
`), false)
	sr, err := round.Scenario(c, "plan", []round.RoundTerms{
		{Name: "Series A", PreMoney: decimal.NewFromInt(20_000_000), Investments: []round.Investment{{Stakeholder: "a", Amount: decimal.NewFromInt(5_000_000)}}},
		{Name: "Series B", PreMoney: decimal.NewFromInt(100_000_000), Investments: []round.Investment{{Stakeholder: "b", Amount: decimal.NewFromInt(25_000_000)}}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(sr.Labels)
	fmt.Println(sr.Founders[0].Name, sr.Founders[0].Points)
	// Output:
	// [start Series A Series B]
	// ann [90 64.8 51.84]
}
