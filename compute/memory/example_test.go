package memory_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/memory"
	"github.com/kaiwu-ai/kaiwu/compute/model"
)

// The ZeRO paper's 7.5B example on 64 data-parallel GPUs.
func ExampleModelStates() {
	for stage := 0; stage <= 3; stage++ {
		w, g, o := memory.ModelStates(7.5e9, stage, 64)
		fmt.Printf("ZeRO-%d: %.1f GB\n", stage, (w+g+o)/1e9)
	}
	// Output:
	// ZeRO-0: 120.0 GB
	// ZeRO-1: 31.4 GB
	// ZeRO-2: 16.6 GB
	// ZeRO-3: 1.9 GB
}

func ExampleCheapest() {
	a, _ := model.Preset("llama-2-7b")
	g, _ := hw.Lookup("h100")
	c, err := memory.Cheapest(memory.Input{Arch: a, GPU: g, GPUs: 8, Seq: 4096, MicroBatch: 1}, 0)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Layout, c.Fits)
	// Output: TP1 PP1 DP8 ZeRO-1 selective true
}
