package model_test

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/compute/model"
)

// The parameter count of a published model from its preset.
func ExamplePreset() {
	a, err := model.Preset("llama-2-7b")
	if err != nil {
		panic(err)
	}
	p := a.Params()
	fmt.Printf("%s: %d parameters (%.2fB), %.2fB non-embedding\n", a.Name, p.Total, float64(p.Total)/1e9, float64(p.NonEmbedding)/1e9)
	// Output: llama-2-7b: 6738415616 parameters (6.74B), 6.48B non-embedding
}

// Total and active parameters of a mixture-of-experts model.
func ExampleArch_Params() {
	a, _ := model.Preset("mixtral-8x7b")
	p := a.Params()
	fmt.Printf("total %.1fB, active %.1fB\n", float64(p.Total)/1e9, float64(p.Active)/1e9)
	// Output: total 46.7B, active 12.9B
}

// Training FLOPs of a model known only by its size: exactly 6·N·D.
func ExampleFromParams() {
	a := model.FromParams(175e9)
	fmt.Printf("%.3g\n", a.TrainingFLOPs(300e9, 2048, model.RecomputeNone))
	// Output: 3.15e+23
}

// Per-token FLOPs with the attention term, and the cost of recomputation.
func ExampleArch_TrainingFLOPsPerToken() {
	a, _ := model.Preset("llama-3-8b")
	for _, rc := range []model.Recompute{model.RecomputeNone, model.RecomputeSelective, model.RecomputeFull} {
		fmt.Printf("%-9s %.4g FLOPs/token\n", rc, a.TrainingFLOPsPerToken(8192, rc))
	}
	// Output:
	// none      5.791e+10 FLOPs/token
	// selective 6.221e+10 FLOPs/token
	// full      7.617e+10 FLOPs/token
}
