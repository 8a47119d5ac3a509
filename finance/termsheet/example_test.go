package termsheet_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/termsheet"
)

// A down round at half the Series A price, broad-based weighted average.
func ExampleAdjust() {
	d := decimal.RequireFromString
	adj, _ := termsheet.Adjust(termsheet.BroadBased, termsheet.Issue{
		CP1: d("1.00"), NewPrice: d("0.50"), Outstanding: d("2000000"), NewShares: d("1000000"), SeriesShares: d("1000000"),
	})
	fmt.Println(adj.CP2, adj.ConversionRatio, adj.ExtraShares)
	// Output: 0.833333 1.2 200000
}

// Two offers compared by the founders' proceeds at two exits.
func ExampleCompareOffers() {
	doc, _ := termsheet.ParseOffers([]byte(`currency: USD
company: {founder_shares: 8000000, pool_unissued: 2000000}
offers:
  - {name: clean, pre_money: 10000000, amount: 5000000}
  - {name: 2x participating, pre_money: 14000000, amount: 5000000, liquidation_multiple: 2, participating: true}
exits: [15000000, 100000000]`), false)
	c, _ := termsheet.CompareOffers(doc, nil)
	for _, o := range c.Offers {
		fmt.Println(o.Name, o.Proceeds[0].Founders, o.Proceeds[1].Founders)
	}
	// Output:
	// clean $9,230,769.23 $61,538,461.54
	// 2x participating $3,456,790.12 $62,222,222.22
}
