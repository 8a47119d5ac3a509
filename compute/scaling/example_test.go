package scaling_test

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/compute/scaling"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// The compute-optimal model for Gopher's budget, as in Chinchilla's
// Table 3, and under the Epoch AI refit.
func ExampleOptimal() {
	for _, name := range []string{"chinchilla", "epoch"} {
		law, _ := scaling.ByName(name)
		r, _ := scaling.Optimal(law, 5.76e23)
		fmt.Printf("%-10s N=%.3g D=%.3g (%.1f tokens/param) loss %.3f\n", name, r.Params, r.Tokens, r.TokensPerParam, r.Loss)
	}
	// Output:
	// chinchilla N=6.78e+10 D=1.42e+12 (20.9 tokens/param) loss 1.937
	// epoch      N=7.22e+10 D=1.33e+12 (18.4 tokens/param) loss 1.977
}

// What a money budget buys: dollars → GPU-hours → FLOPs → model.
func ExampleHardware_FLOPsForBudget() {
	h := scaling.Hardware{PeakFLOPs: 989e12, MFU: 0.4, PricePerHour: money.New(decimal.RequireFromString("2.50"), money.USD)}
	budget := money.New(decimal.NewFromInt(10_000_000), money.USD)
	c, _ := h.FLOPsForBudget(budget)
	r, _ := scaling.Optimal(scaling.ChinchillaApproach1, c)
	fmt.Printf("%.3g FLOPs → %.3gB parameters on %.3gT tokens\n", c, r.Params/1e9, r.Tokens/1e12)
	// Output: 5.7e+24 FLOPs → 213B parameters on 4.45T tokens
}

// Predicted loss from the Chinchilla parametric fit.
func ExampleParametric_Loss() {
	fmt.Printf("%.3f\n", scaling.Chinchilla.Loss(70e9, 1.4e12))
	// Output: 1.937
}
