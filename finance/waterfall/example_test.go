package waterfall_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// Brad Feld's case: $10M of 1× non-participating preferred for 50%.
func feldInput() *waterfall.Input {
	return &waterfall.Input{
		Currency: money.USD,
		Classes: []waterfall.Class{
			{Name: "Common", Kind: waterfall.Common, Holdings: []waterfall.Holding{{Holder: "Founders", Shares: dec("10000000")}}},
			{Name: "Series A", Kind: waterfall.Preferred, IssuePrice: dec("1"), PreferenceMultiple: dec("1"),
				Holdings: []waterfall.Holding{{Holder: "VC", Shares: dec("10000000")}}},
		},
	}
}

func ExampleCompute() {
	for _, exit := range []string{"14000000", "30000000"} {
		r, err := waterfall.Compute(feldInput(), money.New(dec(exit), money.USD))
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("exit %s: ", exit)
		for _, h := range r.Holders {
			fmt.Printf("%s %s  ", h.Holder, h.Payout.StringFixed(2))
		}
		fmt.Println("| Series A:", r.Decisions[0].Choice)
	}
	// Output:
	// exit 14000000: Founders 4000000.00  VC 10000000.00  | Series A: preference
	// exit 30000000: Founders 15000000.00  VC 15000000.00  | Series A: convert
}

func ExampleCurve() {
	c, err := waterfall.Curve(feldInput(), money.New(dec("0"), money.USD), money.New(dec("40000000"), money.USD), 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, bp := range c.Breakpoints {
		fmt.Println(bp.Exit.StringFixed(2), bp.Label)
	}
	// Output:
	// 10000000.00 preferences of rank 0 paid in full (Series A)
	// 20000000.00 Series A converts to common
}

func ExampleValidate() {
	in := feldInput()
	in.Classes[1].Participating = true
	in.Classes[1].ParticipationCap = dec("0.5")
	fmt.Println(waterfall.Validate(in))
	// Output:
	// waterfall: invalid input: classes[1] (Series A): participation cap 0.5× is below the 1× preference
}
