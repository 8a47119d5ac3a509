package exit_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/exit"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
)

// A founder, a 1× non-participating Series A and a $1M post-money SAFE
// with a $10M cap, sold for $30M. Everyone converts: the SAFE owns 10% of
// the Liquidity Capitalization (13M shares / 0.9), worth $3M; the other
// $27M is split 8:5.
func ExampleFromCompany() {
	c, err := captable.Parse([]byte(`
name: Example Co
currency: USD
stakeholders:
  - {id: ann, name: Ann, kind: founder}
  - {id: vc, name: Fund I, kind: investor}
  - {id: angel, name: Angel, kind: investor}
share_classes:
  - {id: common, name: Common}
  - {id: a, name: Series A, kind: preferred, original_issue_price: 1, liquidation_multiple: 1}
issuances:
  - {stakeholder: ann, class: common, shares: 8000000}
  - {stakeholder: vc, class: a, shares: 5000000}
convertibles:
  - {id: safe-1, stakeholder: angel, type: safe_post, amount: 1000000, cap: 10000000}
`), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	in, notes, err := exit.FromCompany(c, captable.NewDate(2025, 6, 30))
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := waterfall.Compute(&in, money.New(decimal.NewFromInt(30_000_000), money.USD))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range r.Holders {
		fmt.Println(h.Holder, h.Payout.StringFixed(2))
	}
	for _, d := range r.Decisions {
		fmt.Println(d.Name, d.Choice)
	}
	fmt.Println(len(notes), "notes")
	// Output:
	// Angel 3000000.00
	// Ann 16615384.62
	// Fund I 10384615.38
	// Series A convert
	// safe-1 convert
	// 0 notes
}
