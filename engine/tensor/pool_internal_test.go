package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPool2x2FastMatchesGeneral compares the branch-free float32 2×2
// max-pool (values and argmax) with the general window loop on data full
// of ties, signed zeros, infinities and NaNs, including odd sizes.
func TestMaxPool2x2FastMatchesGeneral(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), -float32(math.NaN()), 2, 2}
	for _, sz := range [][2]int{{4, 4}, {5, 7}, {28, 28}, {2, 3}} {
		h, w := sz[0], sz[1]
		ho, wo := h/2, w/2
		planes := 3
		x := make([]float32, planes*h*w)
		for i := range x {
			if r.IntN(3) == 0 {
				x[i] = special[r.IntN(len(special))]
			} else {
				x[i] = float32(r.IntN(5) - 2)
			}
		}
		p := PoolParams{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}}
		o1, o2 := make([]float32, planes*ho*wo), make([]float32, planes*ho*wo)
		i1, i2 := make([]int, len(o1)), make([]int, len(o1))
		maxPoolGeneral(o1, i1, x, planes, h, w, ho, wo, &p)
		maxPool2x2Planes32(o2, i2, x, 0, planes, h, w, ho, wo)
		for i := range o1 {
			if i1[i] != i2[i] || math.Float32bits(o1[i]) != math.Float32bits(o2[i]) {
				t.Fatalf("%dx%d: out %d: general (%v at %d), fast (%v at %d)", h, w, i, o1[i], i1[i], o2[i], i2[i])
			}
		}
	}
}
