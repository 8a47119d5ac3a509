package kernels

import (
	"math/rand"
	"testing"
)

// TestGELUGradMul checks GELUGradMul and GELUGradMulAdd bit for bit
// against GELUGrad followed by scalar float32 products, across block and
// vector boundaries.
func TestGELUGradMul(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, n := range []int{1, 15, 16, 33, 511, 512, 513, 1300} {
		x, g, acc := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], g[i], acc[i] = float32(rng.NormFloat64()*3), float32(rng.NormFloat64()), float32(rng.NormFloat64())
		}
		d := make([]float32, n)
		GELUGrad(d, x)
		got := make([]float32, n)
		GELUGradMul(got, x, g)
		sum := append([]float32(nil), acc...)
		GELUGradMulAdd(sum, x, g)
		for i := range d {
			p := d[i] * g[i]
			if got[i] != p {
				t.Fatalf("n=%d GELUGradMul[%d] = %v, want %v", n, i, got[i], p)
			}
			if w := acc[i] + p; sum[i] != w {
				t.Fatalf("n=%d GELUGradMulAdd[%d] = %v, want %v", n, i, sum[i], w)
			}
		}
	}
}
