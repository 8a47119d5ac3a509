package tensor

import (
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// TestBiasGrad32 checks the vectorised, column-split bias gradient against
// a plain row loop: bit-identical, for 1 and 2 threads, on widths that are
// and are not multiples of the stripe.
func TestBiasGrad32(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	rng := NewRNG(3)
	for _, sh := range [][2]int{{1, 1}, {5, 3}, {7, 33}, {300, 250}, {2048, 768}, {129, 1000}} {
		m, n := sh[0], sh[1]
		gm := make([]float32, m*n)
		for i := range gm {
			gm[i] = float32(rng.NormFloat64())
		}
		want := make([]float32, n)
		for j := range want {
			want[j] = float32(j) * 0.25
		}
		init := append([]float32(nil), want...)
		for r := 0; r < m; r++ {
			for j, v := range gm[r*n : r*n+n] {
				want[j] += v
			}
		}
		for _, threads := range []int{1, 2} {
			kernels.SetThreads(threads)
			gb := append([]float32(nil), init...)
			biasGrad32(gb, gm, m, n)
			for j := range gb {
				if gb[j] != want[j] {
					t.Fatalf("%dx%d threads %d: gb[%d] = %v, want %v", m, n, threads, j, gb[j], want[j])
				}
			}
		}
	}
}
