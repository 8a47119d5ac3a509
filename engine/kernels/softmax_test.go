package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSoftmaxRowKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 15, 16, 17, 63, 64, 65, 100, 4096, 4097, 5000, 9000} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 4)
		}
		want := float32(math.Inf(-1))
		for _, v := range x {
			want = max(want, v)
		}
		if got := Max(x); got != want {
			t.Errorf("n=%d: Max = %v, want %v", n, got, want)
		}
		if n > 3 { // NaNs are ignored
			y := append([]float32(nil), x...)
			y[n/2], y[n-1] = float32(math.NaN()), float32(math.NaN())
			w := float32(math.Inf(-1))
			for _, v := range y {
				if v > w {
					w = v
				}
			}
			if got := Max(y); got != w {
				t.Errorf("n=%d with NaN: Max = %v, want %v", n, got, w)
			}
		}

		const shift = 1.25
		// Reference: Exp of the rounded differences (the same exponential).
		e := make([]float32, n)
		for i, v := range x {
			e[i] = v - shift
		}
		Exp(e, e)
		var ref float64
		for _, v := range e {
			ref += float64(v)
		}
		dst := make([]float32, n)
		s := ExpShiftSum(dst, x, shift)
		if s0 := ExpShiftSum(nil, x, shift); s0 != s {
			t.Errorf("n=%d: sum without store %v != with store %v", n, s0, s)
		}
		if math.Abs(s-ref) > 1e-12*math.Max(1, math.Abs(ref)) {
			t.Errorf("n=%d: ExpShiftSum = %v, want %v", n, s, ref)
		}
		for i := range dst {
			if dst[i] != e[i] {
				t.Fatalf("n=%d: ExpShiftSum stored dst[%d] = %v, want %v", n, i, dst[i], e[i])
			}
		}
		const scale = 0.375
		ExpShiftScale(dst, x, shift, scale)
		for i := range dst {
			if w := e[i] * scale; dst[i] != w {
				t.Fatalf("n=%d: ExpShiftScale dst[%d] = %v, want %v", n, i, dst[i], w)
			}
		}
		// Against float64 math.
		for i, v := range x {
			w := math.Exp(float64(v-shift)) * scale
			if math.Abs(float64(dst[i])-w) > 4e-7*w {
				t.Fatalf("n=%d: ExpShiftScale dst[%d] = %v, want %v", n, i, dst[i], w)
			}
		}
	}
}

func TestAddTo(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 64, 65, 100, 5000, 9000} {
		dst := make([]float32, n+3)
		src := make([]float32, n)
		want := make([]float32, n+3)
		for i := range dst {
			dst[i] = float32(i%13) * 0.37
			want[i] = dst[i]
		}
		for i := range src {
			src[i] = float32(i%7) * -1.3
			want[i] += src[i]
		}
		AddTo(dst, src)
		for i := range dst {
			if dst[i] != want[i] {
				t.Fatalf("n=%d: dst[%d] = %v, want %v", n, i, dst[i], want[i])
			}
		}
	}
}
