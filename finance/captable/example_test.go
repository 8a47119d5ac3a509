package captable_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

func ExampleParse() {
	c, err := captable.Parse([]byte(`
name: Example Co
currency: USD
stakeholders:
  - {id: ann, kind: founder}
  - {id: bo, kind: founder}
share_classes: [{id: common}]
issuances:
  - {stakeholder: ann, class: common, shares: 2000000}
  - {stakeholder: bo, class: common, shares: 1000000}
option_plan: {class: common, pool_size: 500000}
`), false)
	if err != nil {
		panic(err)
	}
	t, _ := c.Compute(captable.Options{Decimals: 2})
	for _, h := range t.Holders {
		fmt.Println(h.Stakeholder, h.OutstandingPct, h.FullyDilutedPct)
	}
	fmt.Println("pool", t.UnissuedPoolHolderPct)
	// Output:
	// ann 66.67 57.14
	// bo 33.33 28.57
	// pool 14.29
}

func ExamplePercentages() {
	one := decimal.NewFromInt(1)
	fmt.Println(captable.Percentages([]decimal.Decimal{one, one, one}, 2))
	// Output: [33.34 33.33 33.33]
}

func ExampleDays360() {
	a, _ := captable.ParseDate("2008-12-20")
	b, _ := captable.ParseDate("2009-03-31")
	fmt.Println(captable.Days360(a, b))
	// Output: 101
}
