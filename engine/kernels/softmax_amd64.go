//go:build amd64 && !purego

package kernels

// Assembly in softmax_amd64.s; n is a positive multiple of 16.

// maxAVX512 returns the maximum of n floats, ignoring NaNs.
//
//go:noescape
func maxAVX512(src *float32, n int) float32

// expShiftSumAVX512 returns Σ e**(src[i]-shift) in float64 and, when dst is
// not nil, stores the terms.
//
//go:noescape
func expShiftSumAVX512(dst, src *float32, n int, shift float32) float64

// expShiftScaleAVX512 stores dst[i] = e**(src[i]-shift)·scale.
//
//go:noescape
func expShiftScaleAVX512(dst, src *float32, n int, shift, scale float32)
