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

var hasConvAsm = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasBMI2

// copyRowsAVX512 is CopyRows' kernel (conv_amd64.s); y may be nil.
//
//go:noescape
func copyRowsAVX512(dst *float32, ldd int, src *float32, lds int, y *float32, ldy int, rows, w int)

// addRowsShiftedAVX512 is AddRowsShifted's kernel (conv_amd64.s).
//
//go:noescape
func addRowsShiftedAVX512(dst, src *float32, lds int, offs *int, nrows, n int)
