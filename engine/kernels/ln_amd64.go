//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// Assembly in ln_amd64.s; n is a positive multiple of 16.

// hasLN gates the AVX-512F row kernels of ln_amd64.s, attn_amd64.s and
// gelu_amd64.s (AVX-512F only: no DQ instructions are used).
var hasLN = cpu.X86.HasAVX512F

// lnSumAVX512 returns Σ src[i] in float64.
//
//go:noescape
func lnSumAVX512(src *float32, n int) float64

// lnSqDevAVX512 returns Σ (src[i] − mean)² in float64.
//
//go:noescape
func lnSqDevAVX512(src *float32, n int, mean float64) float64

// lnAffineAVX512 stores o[i] = (x[i] − mean)·inv·w[i] + b[i].
//
//go:noescape
func lnAffineAVX512(o, x, w, b *float32, n int, mean, inv float32)

// lnBackAccAVX512 is LNBackAcc's vector body.
//
//go:noescape
func lnBackAccAVX512(pw, pb, gy, x, w *float32, n int, mean, inv float32) (sh, shx float64)

// lnBackDxAVX512 is LNBackDx's vector body.
//
//go:noescape
func lnBackDxAVX512(dx, gy, x, w *float32, n int, mean, inv, s1, s2 float32, accumulate bool)
