//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// directConv8AVX512 is DirectConv8's kernel (conv_amd64.s): nblk blocks of
// 32 positions × nc ≤ 8 channels, ntaps ≥ 1 taps; relu is 0 or 1; ldd in
// floats.
//
//go:noescape
func directConv8AVX512(dst *float32, ldd int, x *float32, offs *int, ntaps int, w *float32, bias *[8]float32, relu int, nblk int, nc int)

// directConvGrad8AVX512 is DirectConvGrad8's kernel for one pair of taps
// (offs[0], offs[1]): dw[8t+j] += Σ_p g[j·ldg+p]·x[p+offs[t]] for t < 2,
// j < nc ≤ 8, p < npos (a multiple of 16); dw[8t+j] for j ≥ nc get +0.
//
//go:noescape
func directConvGrad8AVX512(dw, gy *float32, ldg int, x *float32, offs *int, npos int, nc int)

var (
	hasConvAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasBMI2
	hasConvAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
)

// copyRowsAVX512 is CopyRows' kernel (conv_amd64.s); y may be nil.
//
//go:noescape
func copyRowsAVX512(dst *float32, ldd int, src *float32, lds int, y *float32, ldy int, rows, w int)

// addRowsShiftedAVX512 is AddRowsShifted's kernel (conv_amd64.s).
//
//go:noescape
func addRowsShiftedAVX512(dst, src *float32, lds int, offs *int, nrows, n int)

// directConv8AVX2 is DirectConv8's AVX2 kernel (conv_avx2_amd64.s): nsub
// blocks of 16 positions × 4 channels (6 when six ≠ 0), ntaps ≥ 1 taps;
// w holds the tap-major weights of the first channel (stride 8 floats per
// tap), bias 4 or 6 floats; relu is 0 or 1; ldd in floats.
//
//go:noescape
func directConv8AVX2(dst *float32, ldd int, x *float32, offs *int, ntaps int, w *float32, bias *float32, relu int, nsub int, six int)

// directConvGrad4AVX2 is DirectConvGrad8's AVX2 kernel for one pair of
// taps (offs[0], offs[1]) and 4 channels: dw[8t+j] += Σ_p g[j·ldg+p]·x[p+offs[t]]
// for t < 2, j < 4, p < npos (a multiple of 8).
//
//go:noescape
func directConvGrad4AVX2(dw, gy *float32, ldg int, x *float32, offs *int, npos int)

// copyRowsAVX2 is CopyRows' AVX2 kernel (conv_avx2_amd64.s); y may be nil.
//
//go:noescape
func copyRowsAVX2(dst *float32, ldd int, src *float32, lds int, y *float32, ldy int, rows, w int)

// addRowsShiftedAVX2 is AddRowsShifted's AVX2 kernel (conv_avx2_amd64.s).
//
//go:noescape
func addRowsShiftedAVX2(dst, src *float32, lds int, offs *int, nrows, n int)
