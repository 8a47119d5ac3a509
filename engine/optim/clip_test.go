package optim

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// gradsFromRef makes parameters whose gradients are the fixture's.
func gradsFromRef(t *testing.T, ref *ref2) []*tensor.Tensor {
	t.Helper()
	var ps []*tensor.Tensor
	for _, g := range ref.Grads {
		p := tensor.Must(tensor.Zeros(g.Shape...)).SetRequiresGrad(true)
		// d/dp Σ p·g = g
		gt := tensor.Must(tensor.FromSlice(append([]float32(nil), g.Data...), g.Shape...))
		if err := tensor.Must(tensor.SumAll(tensor.Must(tensor.Mul(p, gt)))).Backward(); err != nil {
			t.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// TestClipAgainstPyTorch: clip_grad_norm_'s returned total norm and
// clipped gradients (norms 2, 1, 3, inf; one case below the threshold)
// and clip_grad_value_.
func TestClipAgainstPyTorch(t *testing.T) {
	ref := loadRef2(t)
	for name, c := range ref.Clip {
		t.Run(name, func(t *testing.T) {
			ps := gradsFromRef(t, ref)
			if name == "value" {
				if err := ClipGradValue(ps, c.ClipValue); err != nil {
					t.Fatal(err)
				}
			} else {
				nt := math.Inf(1)
				if v, ok := c.NormType.(float64); ok {
					nt = v
				}
				total, err := ClipGradNorm(ps, c.MaxNorm, nt)
				if err != nil {
					t.Fatal(err)
				}
				if !closeTo(total, c.Total, 1e-6, 1e-5) {
					t.Errorf("total norm %.8g, torch %.8g", total, c.Total)
				}
			}
			for i, p := range ps {
				for j, g := range p.Grad().Data() {
					if !closeTo(float64(g), c.Grads[i][j], 1e-7, 1e-5) {
						t.Errorf("grad %d[%d] = %.8g, torch %.8g", i, j, g, c.Grads[i][j])
					}
				}
			}
		})
	}
}

func TestClipEdgeCases(t *testing.T) {
	// no gradients: total 0, nothing to do
	p := tensor.Must(tensor.Zeros(3)).SetRequiresGrad(true)
	if n, err := ClipGradNorm([]*tensor.Tensor{p}, 1, 2); err != nil || n != 0 {
		t.Errorf("no gradients: %g, %v", n, err)
	}
	// float64 parameters, non-finite norm
	q := tensor.Must(tensor.FromFloat64s([]float64{1, 2}, 2)).SetRequiresGrad(true)
	inf := tensor.Must(tensor.FromFloat64s([]float64{math.Inf(1), 0}, 2))
	_ = tensor.Must(tensor.SumAll(tensor.Must(tensor.Mul(q, inf)))).Backward()
	if _, err := ClipGradNorm([]*tensor.Tensor{q}, 1, 2); !errors.Is(err, ErrNonFinite) {
		t.Errorf("infinite gradient: %v", err)
	}
	if g := q.Grad().Float64s(); !math.IsInf(g[0], 1) || g[1] != 0 {
		t.Errorf("gradients changed after a non-finite norm: %v", g)
	}
	for _, nt := range []float64{0, -2, math.NaN(), math.Inf(-1)} {
		if _, err := ClipGradNorm([]*tensor.Tensor{p}, 1, nt); err == nil {
			t.Errorf("norm type %g accepted", nt)
		}
	}
	if _, err := ClipGradNorm([]*tensor.Tensor{p}, -1, 2); err == nil {
		t.Error("negative max norm accepted")
	}
	if err := ClipGradValue([]*tensor.Tensor{p}, -1); err == nil {
		t.Error("negative clip value accepted")
	}
}

func ExampleClipGradNorm() {
	w := tensor.Must(tensor.FromSlice([]float32{0, 0}, 2)).SetRequiresGrad(true)
	g := tensor.Must(tensor.FromSlice([]float32{3, 4}, 2))
	_ = tensor.Must(tensor.SumAll(tensor.Must(tensor.Mul(w, g)))).Backward() // grad = [3 4]
	total, _ := ClipGradNorm([]*tensor.Tensor{w}, 1, 2)
	fmt.Printf("total norm %.1f, clipped grad %.4f\n", total, w.Grad().Data())
	// Output: total norm 5.0, clipped grad [0.6000 0.8000]
}
