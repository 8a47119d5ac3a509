package channel_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/finance/channel"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// A Chinese seed-stage company needing ¥20M that cares most about control.
func ExampleRecommend() {
	cs, err := channel.Defaults()
	if err != nil {
		fmt.Println(err)
		return
	}
	amount, _ := money.Parse("¥20000000")
	rec, err := channel.Recommend(cs, channel.Request{
		Stage:       "seed",
		Amount:      amount,
		Priorities:  channel.Priorities{channel.CritControl: 3, channel.CritSpeed: 2},
		Constraints: channel.Constraints{ChinaEntity: true},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range rec.Ranked[:2] {
		fmt.Println(r.Explanation.EN)
		fmt.Println(r.Explanation.ZH)
	}
	// Output:
	// Ranked 1st: fast to close (~4.5 months); ticket range ¥5M–¥30M covers ¥20M.
	// 第1名：交割快（约4.5个月）；单笔规模 ¥5M–¥30M 可覆盖 ¥20M。
	// Ranked 2nd: keeps full control (no board seat or vetoes); ticket range ¥100K–¥10M covers only 50% of ¥20M.
	// 第2名：不影响控制权（无董事席位或否决权）；单笔规模 ¥100K–¥10M 仅能覆盖 ¥20M 的 50%。
}
