package tensor

import (
	"math"
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
