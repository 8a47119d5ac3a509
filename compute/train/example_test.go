package train_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/compute/train"
)

// Llama 2 70B on 2,048 A100s at 40 % MFU for 2T tokens.
func ExampleNew() {
	a, _ := model.Preset("llama-2-70b")
	p, err := train.New(train.Input{Arch: &a, Tokens: 2e12, GPU: "a100", GPUs: 2048, MFU: 0.4})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%.3g FLOPs, %.3gM GPU-hours, %.0f days, %s\n", p.ModelFLOPs, p.GPUHours/1e6, p.WallClockDays, p.Cost)
	// Output: 8.89e+23 FLOPs, 1.98M GPU-hours, 40 days, $4,946,795.76
}

func ExamplePlan_Schedule() {
	p, _ := train.New(train.Input{Params: 7e9, Tokens: 1e12, GPU: "h800", GPUs: 64, MFU: 0.4})
	months, _ := p.Schedule("2027-01")
	for _, m := range months {
		fmt.Println(m.Month, m.Amount.StringFixed(2))
	}
	// Output: 2027-01 58958.29
}
