package hw_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

func ExampleLookup() {
	g, err := hw.Lookup("H100-SXM")
	if err != nil {
		panic(err)
	}
	peak, _ := g.PeakFLOPs(hw.BF16)
	p, _ := g.Price(money.USD)
	fmt.Printf("%s: %.1f TFLOP/s bf16, %g GB, %g W, $%s/GPU-hour (%s)\n", g.Name, peak/1e12, g.MemoryGB, g.TDPW, p.Amount, p.Date)
	// Output: NVIDIA H100 SXM5 80GB: 989.4 TFLOP/s bf16, 80 GB, 700 W, $3.78/GPU-hour (2026-05)
}

func ExampleCatalogue_DefaultMFUFor() {
	c := hw.Default()
	g, _ := c.Lookup("h800")
	r := c.DefaultMFUFor(g)
	fmt.Println(r.ID, r.Value)
	// Output: llama-3-405b 0.4
}
