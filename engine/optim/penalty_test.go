package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/tensor/gradcheck"
)

func TestPenaltiesGradcheck(t *testing.T) {
	rng := tensor.NewRNG(4)
	a := tensor.Must(tensor.Randn(rng, 2, 3))
	b := tensor.Must(tensor.Randn(rng, 4))
	a64, b64 := tensor.Must(a.To(tensor.Float64)), tensor.Must(b.To(tensor.Float64))
	// keep away from |w|'s kink at 0
	for _, x := range []*tensor.Tensor{a64, b64} {
		for i, v := range x.Float64s() {
			if math.Abs(v) < 1e-3 {
				x.Float64s()[i] = 0.5
			}
		}
	}
	gradcheck.Check(t, func(in []*tensor.Tensor) (*tensor.Tensor, error) { return L1Penalty(in, 0.3) }, a64, b64)
	gradcheck.Check(t, func(in []*tensor.Tensor) (*tensor.Tensor, error) { return L2Penalty(in, 0.7) }, a64, b64)
}

// TestL2PenaltyIsWeightDecay: SGD on loss + L2Penalty(λ) moves exactly like
// SGD with weight decay 2λ on the loss alone.
func TestL2PenaltyIsWeightDecay(t *testing.T) {
	start := []float32{0.5, -1, 2}
	w1 := tensor.Must(tensor.FromSlice(append([]float32(nil), start...), 3)).SetRequiresGrad(true)
	w2 := tensor.Must(tensor.FromSlice(append([]float32(nil), start...), 3)).SetRequiresGrad(true)
	o1 := must[*SGD](t)(NewSGD([]*tensor.Tensor{w1}, 0.1, 0.9))
	o2 := must[*SGD](t)(NewSGD([]*tensor.Tensor{w2}, 0.1, 0.9))
	o2.WeightDecay = 0.2
	for s := 0; s < 5; s++ {
		o1.ZeroGrad()
		o2.ZeroGrad()
		pen := must[*tensor.Tensor](t)(L2Penalty([]*tensor.Tensor{w1}, 0.1))
		l1 := tensor.Must(tensor.Add(tensor.Must(tensor.SumAll(tensor.Must(tensor.Mul(w1, w1)))), pen))
		l2 := tensor.Must(tensor.SumAll(tensor.Must(tensor.Mul(w2, w2))))
		_, _ = l1.Backward(), l2.Backward()
		_, _ = o1.Step(), o2.Step()
	}
	for i, v := range w1.Data() {
		if d := math.Abs(float64(v - w2.Data()[i])); d > 1e-6 {
			t.Errorf("w[%d]: penalty %g, weight decay %g", i, v, w2.Data()[i])
		}
	}
}

func TestPenaltyBadInput(t *testing.T) {
	w := tensor.Must(tensor.Zeros(2))
	w64 := tensor.Must(tensor.FromFloat64s([]float64{1}, 1))
	if _, err := L1Penalty(nil, 0.1); err == nil {
		t.Error("no parameters accepted")
	}
	if _, err := L2Penalty([]*tensor.Tensor{w}, -1); err == nil {
		t.Error("negative lambda accepted")
	}
	if _, err := L2Penalty([]*tensor.Tensor{w, w64}, 0.1); err == nil {
		t.Error("mixed dtypes accepted")
	}
}

func ExampleL1Penalty() {
	w := tensor.Must(tensor.FromSlice([]float32{0.5, -2, 0}, 3)).SetRequiresGrad(true)
	pen, _ := L1Penalty([]*tensor.Tensor{w}, 0.1) // 0.1·(0.5 + 2 + 0)
	_ = pen.Backward()
	fmt.Printf("penalty %.2f grad %.1f\n", pen.Item(), w.Grad().Data())
	// Output: penalty 0.25 grad [0.1 -0.1 0.0]
}
