package waterfall

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// benchInput: 8 classes (common + 7 series with mixed terms), 500 holders,
// 100 option grants at 5 strikes.
func benchInput() *Input {
	in := &Input{Currency: money.USD}
	h := 0
	holders := func(n int) []Holding {
		var hs []Holding
		for range n {
			hs = append(hs, Holding{Holder: fmt.Sprintf("holder%03d", h), Shares: decimal.NewFromInt(int64(10_000 + 137*h))})
			h++
		}
		return hs
	}
	in.Classes = append(in.Classes, Class{Name: "Common", Kind: Common, Holdings: holders(101)})
	for i := range 7 {
		c := Class{Name: fmt.Sprintf("Series %c", 'A'+i), Kind: Preferred, Holdings: holders(57),
			IssuePrice: decimal.New(int64(50+40*i), -2), PreferenceMultiple: decimal.NewFromInt(int64(1 + i%2)), Rank: 7 - i}
		if i%3 == 1 {
			c.Participating, c.ParticipationCap = true, decimal.NewFromInt(3)
		}
		in.Classes = append(in.Classes, c)
	}
	for i := range 100 {
		in.Options = append(in.Options, Option{Holder: fmt.Sprintf("holder%03d", i), Shares: decimal.NewFromInt(5_000), ExercisePrice: decimal.New(int64(10+20*(i%5)), -2)})
	}
	return in
}

func BenchmarkCurve1000(b *testing.B) {
	w, err := New(benchInput())
	if err != nil {
		b.Fatal(err)
	}
	from, to := money.New(decimal.Zero, money.USD), money.New(decimal.NewFromInt(200_000_000), money.USD)
	for b.Loop() {
		if _, err := w.Curve(from, to, 1000); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBenchInputShape(t *testing.T) {
	in := benchInput()
	n := map[string]bool{}
	for _, c := range in.Classes {
		for _, h := range c.Holdings {
			n[h.Holder] = true
		}
	}
	if len(in.Classes) != 8 || len(n) != 500 {
		t.Fatalf("%d classes, %d holders", len(in.Classes), len(n))
	}
}
