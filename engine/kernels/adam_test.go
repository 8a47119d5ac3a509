package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAdamStepMatchesScalar checks the vectorised Adam update against the
// scalar loop bit for bit (lengths around the vector width, with and
// without weight decay).
func TestAdamStepMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 15, 16, 17, 100} {
		for _, p := range []AdamParams{
			{Beta1: 0.9, Beta2: 0.999, StepSize: 3e-3, InvSqrtBC2: 1.7, Eps: 1e-8, Decay: 1},
			{Beta1: 0.8, Beta2: 0.99, StepSize: 1e-2, InvSqrtBC2: 1.1, Eps: 1e-6, Decay: 0.999, WeightDecay: 0.1, L2: true},
		} {
			var in [4][]float32
			for i := range in {
				in[i] = make([]float32, n)
				for j := range in[i] {
					in[i][j] = float32(rng.NormFloat64())
				}
			}
			for j := range in[3] {
				in[3][j] = float32(math.Abs(float64(in[3][j])))
			}
			var a, b [4][]float32
			for i := range in {
				a[i] = append([]float32(nil), in[i]...)
				b[i] = append([]float32(nil), in[i]...)
			}
			AdamStep(a[0], a[1], a[2], a[3], &p)
			adamGo(b[0], b[1], b[2], b[3], &p)
			for i := range a {
				for j := range a[i] {
					if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
						t.Fatalf("n=%d L2=%v buffer %d [%d]: %g, scalar %g", n, p.L2, i, j, a[i][j], b[i][j])
					}
				}
			}
		}
	}
}
