package kernels

import "math"

// Row kernels for softmax-style reductions over float32 slices (the fused
// cross-entropy of a language-model head): the maximum, the sum of
// e**(x-shift), and e**(x-shift) scaled. On AVX-512 CPUs they run 16 lanes at
// a time with the exponential of vmath_amd64.s (so results match Exp
// element for element); elsewhere scalar loops with the same contract.
//
// Every result depends only on the input (never on the thread count): sums
// are accumulated in float64 in a fixed order.

// Max returns the largest element of x, ignoring NaNs (-Inf when x is empty
// or all NaN).
func Max(x []float32) float32 {
	m := float32(math.Inf(-1))
	i := 0
	if hasVMath {
		for len(x)-i >= 16 {
			n := min(vmathChunk, len(x)-i) &^ 15
			m = max32(m, maxAVX512(&x[i], n))
			i += n
		}
	}
	for _, v := range x[i:] {
		if v > m {
			m = v
		}
	}
	return m
}

// max32 is max ignoring a NaN v.
func max32(m, v float32) float32 {
	if v > m {
		return v
	}
	return m
}

// ExpShiftSum returns Σ e**(src[i]-shift), accumulated in float64; when dst
// is not nil it also stores dst[i] = e**(src[i]-shift) (dst may alias src).
// The difference is rounded to float32 before the exponential.
func ExpShiftSum(dst, src []float32, shift float32) float64 {
	if dst != nil {
		dst = dst[:len(src)]
	}
	if !hasVMath {
		var s float64
		for i, v := range src {
			e := float32(math.Exp(float64(v - shift)))
			if dst != nil {
				dst[i] = e
			}
			s += float64(e)
		}
		return s
	}
	var s float64
	for i := 0; i < len(src); i += vmathChunk {
		c := min(vmathChunk, len(src)-i)
		m := c &^ 15
		if m > 0 {
			var d *float32
			if dst != nil {
				d = &dst[i]
			}
			s += expShiftSumAVX512(d, &src[i], m, shift)
		}
		if r := c - m; r > 0 {
			// Tail: padded to a full vector so every element takes the
			// same path; only the r real lanes are summed.
			var buf [16]float32
			copy(buf[:], src[i+m:i+c])
			expShiftScaleAVX512(&buf[0], &buf[0], 16, shift, 1)
			for _, e := range buf[:r] {
				s += float64(e)
			}
			if dst != nil {
				copy(dst[i+m:i+c], buf[:r])
			}
		}
	}
	return s
}

// ExpShiftScale sets dst[i] = e**(src[i]-shift)·scale (dst may alias src).
func ExpShiftScale(dst, src []float32, shift, scale float32) {
	dst = dst[:len(src)]
	if !hasVMath {
		for i, v := range src {
			dst[i] = float32(math.Exp(float64(v-shift))) * scale
		}
		return
	}
	for i := 0; i < len(src); i += vmathChunk {
		c := min(vmathChunk, len(src)-i)
		m := c &^ 15
		if m > 0 {
			expShiftScaleAVX512(&dst[i], &src[i], m, shift, scale)
		}
		if r := c - m; r > 0 {
			var buf [16]float32
			copy(buf[:], src[i+m:i+c])
			expShiftScaleAVX512(&buf[0], &buf[0], 16, shift, scale)
			copy(dst[i+m:i+c], buf[:r])
		}
	}
}
