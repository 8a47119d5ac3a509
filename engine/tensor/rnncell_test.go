package tensor

import (
	"math"
	"strings"
	"testing"
)

func TestLSTMCellGradcheck(t *testing.T) {
	rng := NewRNG(5)
	rand := func(shape ...int) *Tensor {
		x := Must(Randn(rng, shape...))
		return Must(x.To(Float64))
	}
	gradcheck(t, func(in []*Tensor) (*Tensor, error) { return LSTMCell(in[0], in[1], in[2]) },
		rand(3, 8), rand(3, 8), rand(3, 2))
}

// TestLSTMCellMatchesUnfused compares the fused cell (float32, fast math)
// with the same step composed of elementwise ops in float64.
func TestLSTMCellMatchesUnfused(t *testing.T) {
	rng := NewRNG(6)
	b, h := 4, 37
	gx, gh, c := Must(Randn(rng, b, 4*h)), Must(Randn(rng, b, 4*h)), Must(Randn(rng, b, h))
	hc := Must(LSTMCell(gx, gh, c)).Data()
	x, y, cp := gx.Data(), gh.Data(), c.Data()
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	for r := 0; r < b; r++ {
		for j := 0; j < h; j++ {
			g := func(k int) float64 { return float64(x[r*4*h+k*h+j]) + float64(y[r*4*h+k*h+j]) }
			cn := sig(g(1))*float64(cp[r*h+j]) + sig(g(0))*math.Tanh(g(2))
			hn := sig(g(3)) * math.Tanh(cn)
			if d := math.Abs(float64(hc[r*h+j]) - hn); d > 1e-6 {
				t.Fatalf("h[%d,%d] = %g, want %g", r, j, hc[r*h+j], hn)
			}
			if d := math.Abs(float64(hc[b*h+r*h+j]) - cn); d > 1e-6*(1+math.Abs(cn)) {
				t.Fatalf("c[%d,%d] = %g, want %g", r, j, hc[b*h+r*h+j], cn)
			}
		}
	}
	if _, err := LSTMCell(gx, gh, Must(Randn(rng, b, h+1))); err == nil {
		t.Error("mismatched cell shape: no error")
	}
}

func TestGRUCellGradcheck(t *testing.T) {
	rng := NewRNG(7)
	rand := func(shape ...int) *Tensor {
		x := Must(Randn(rng, shape...))
		return Must(x.To(Float64))
	}
	gradcheck(t, func(in []*Tensor) (*Tensor, error) { return GRUCell(in[0], in[1], in[2]) },
		rand(3, 6), rand(3, 6), rand(3, 2))
}

// TestGRUCellMatchesUnfused compares the fused cell (float32, fast math)
// with PyTorch's GRU equations evaluated in float64, and checks that its
// backward matches the unfused composition of elementwise ops.
func TestGRUCellMatchesUnfused(t *testing.T) {
	rng := NewRNG(8)
	b, h := 4, 37
	gx, gh, hp := Must(Randn(rng, b, 3*h)), Must(Randn(rng, b, 3*h)), Must(Randn(rng, b, h))
	out := Must(GRUCell(gx, gh, hp)).Data()
	x, y, hv := gx.Data(), gh.Data(), hp.Data()
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	for r := 0; r < b; r++ {
		for j := 0; j < h; j++ {
			g := func(k int) (float64, float64) { return float64(x[r*3*h+k*h+j]), float64(y[r*3*h+k*h+j]) }
			xr, yr := g(0)
			xz, yz := g(1)
			xn, yn := g(2)
			rg, z := sig(xr+yr), sig(xz+yz)
			n := math.Tanh(xn + rg*yn)
			want := (1-z)*n + z*float64(hv[r*h+j])
			if d := math.Abs(float64(out[r*h+j]) - want); d > 1e-6*(1+math.Abs(want)) {
				t.Fatalf("h'[%d,%d] = %g, want %g", r, j, out[r*h+j], want)
			}
		}
	}

	// Gradients (float32) against the unfused graph.
	grads := func(fused bool) [3][]float32 {
		a, c, d := Must(gx.Clone()).Detach().SetRequiresGrad(true), Must(gh.Clone()).Detach().SetRequiresGrad(true), Must(hp.Clone()).Detach().SetRequiresGrad(true)
		var hn *Tensor
		if fused {
			hn = Must(GRUCell(a, c, d))
		} else {
			part := func(t *Tensor, k int) *Tensor { return Must(t.Narrow(1, k*h, h)) }
			rg := Must(Sigmoid(Must(Add(part(a, 0), part(c, 0)))))
			z := Must(Sigmoid(Must(Add(part(a, 1), part(c, 1)))))
			n := Must(Tanh(Must(Add(part(a, 2), Must(Mul(rg, part(c, 2)))))))
			hn = Must(Add(n, Must(Mul(z, Must(Sub(d, n))))))
		}
		w := Must(Randn(NewRNG(9), b, h))
		if err := Must(SumAll(Must(Mul(hn, w)))).Backward(); err != nil {
			t.Fatal(err)
		}
		return [3][]float32{a.Grad().Data(), c.Grad().Data(), d.Grad().Data()}
	}
	fg, ug := grads(true), grads(false)
	for i, name := range []string{"gx", "gh", "h"} {
		for k, v := range fg[i] {
			if d := math.Abs(float64(v - ug[i][k])); d > 1e-5*(1+math.Abs(float64(ug[i][k]))) {
				t.Fatalf("d%s[%d] = %g fused, %g unfused", name, k, v, ug[i][k])
			}
		}
	}
	if _, err := GRUCell(gx, gh, Must(Randn(rng, b, h+1))); err == nil || !strings.Contains(err.Error(), "gru_cell") {
		t.Errorf("mismatched state shape: %v", err)
	}
	if _, err := GRUCell(gx, Must(gh.To(Float64)), hp); err == nil {
		t.Error("mixed dtypes: no error")
	}
}
