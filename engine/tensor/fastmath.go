package tensor

import (
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// Fast exponentials for the float32 paths. Bulk work goes to the
// vectorised kernels (kernels.Exp, Sigmoid, Tanh, GELU); fexp is the scalar
// fallback for strided rows, evaluated in float64 (the same cost as
// float32 on scalar SSE) so the float32 result is within about 1 ulp. The
// float64 paths (gradient checks, reference computations) keep package
// math.

const (
	fexpShift = 0x1.8p52 // 1.5·2^52: adding it rounds to an integer in the low mantissa bits
	fexpLn2Hi = 6.93147180369123816490e-01
	fexpLn2Lo = 1.90821492927058770002e-10
)

// fexp returns e**x for x in [-708, 708] with a relative error below 1e-8
// (callers clamp: see expClamp). Range reduction x = k·ln2 + r, |r| ≤ ln2/2,
// then a degree-7 Taylor polynomial of e**r evaluated by Estrin's scheme
// (short dependency chains: about 2× math.Exp's speed).
func fexp(x float64) float64 {
	t := x*math.Log2E + fexpShift
	k := int64(math.Float64bits(t)) - int64(math.Float64bits(fexpShift))
	kf := t - fexpShift
	r := x - kf*fexpLn2Hi - kf*fexpLn2Lo
	r2 := r * r
	p01 := 1 + r
	p23 := 0.5 + r*(1.0/6)
	p45 := 1.0/24 + r*(1.0/120)
	p67 := 1.0/720 + r*(1.0/5040)
	r4 := r2 * r2
	p := (p01 + r2*p23) + r4*(p45+r2*p67)
	return p * math.Float64frombits(uint64(k+1023)<<52)
}

// expClamp limits x to the range where fexp is valid; beyond it e**x
// overflows or underflows float32 (and float64) anyway. NaN passes through
// the comparisons unchanged and comes out NaN.
func expClamp(x float64) float64 {
	if x > 708 {
		return 708
	}
	if x < -708 {
		return -708
	}
	return x
}

// fastT reports whether T is float32, whose paths use the fastmath
// functions (float64 paths keep package math for reference accuracy).
func fastT[T float]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// expT is e**x for a T-typed computation: fexp for float32 data,
// math.Exp for float64 (fast is fastT[T]()).
func expT(fast bool, x float64) float64 {
	if fast {
		return fexp(expClamp(x))
	}
	return math.Exp(x)
}

// expShiftSum32 sets row[j] = e**(row[j]-mx) with the vectorised
// kernels.Exp and returns the sum of the results (accumulated in float64).
// The difference is rounded to float32 first, as in PyTorch's kernels.
func expShiftSum32(row []float32, mx float32) float64 {
	return expShiftSumTo32(row, row, mx)
}

// expShiftSumTo32 is expShiftSum32 reading src and writing dst.
func expShiftSumTo32(dst, src []float32, mx float32) float64 {
	src = src[:len(dst)]
	for j, v := range src {
		dst[j] = v - mx
	}
	kernels.Exp(dst, dst)
	return sumRow(dst)
}

// as32 returns s as a []float32 when T is float32 (ok false otherwise).
func as32[T float](s []T) ([]float32, bool) {
	r, ok := any(s).([]float32)
	return r, ok
}
