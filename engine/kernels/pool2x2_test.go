package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMaxPool2x2 compares MaxPool2x2 (assembly where available) with its
// scalar definition on data full of ties, signed zeros, infinities and
// NaNs, for even and odd plane sizes and rows shorter and longer than 16
// windows.
func TestMaxPool2x2(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	special := []float32{0, float32(math.Copysign(0, -1)), 1, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), -float32(math.NaN()), 2, 2}
	for _, sz := range [][2]int{{2, 2}, {4, 4}, {5, 7}, {10, 10}, {28, 28}, {6, 66}, {3, 33}, {9, 32}} {
		h, w := sz[0], sz[1]
		ho, wo := h/2, w/2
		x := make([]float32, h*w)
		for i := range x {
			if r.IntN(3) == 0 {
				x[i] = special[r.IntN(len(special))]
			} else {
				x[i] = float32(r.IntN(5) - 2)
			}
		}
		o1, o2 := make([]float32, ho*wo+1), make([]float32, ho*wo+1)
		i1, i2 := make([]int, ho*wo+1), make([]int, ho*wo+1)
		o1[ho*wo], o2[ho*wo], i1[ho*wo], i2[ho*wo] = 7, 7, 7, 7 // must stay untouched
		MaxPool2x2(o1, i1, x, h, w, 1000)
		maxPool2x2Go(o2, i2, x, w, wo, ho, 1000)
		for i := range o1 {
			if i1[i] != i2[i] || math.Float32bits(o1[i]) != math.Float32bits(o2[i]) {
				t.Fatalf("%dx%d: out %d: got %v at %d, want %v at %d", h, w, i, o1[i], i1[i], o2[i], i2[i])
			}
		}
	}
}
