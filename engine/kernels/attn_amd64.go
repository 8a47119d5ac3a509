//go:build amd64 && !purego

package kernels

// Assembly in attn_amd64.s; n is a positive multiple of 16.

// attnDot64AVX512 returns Σ x[i]·y[i] in float64.
//
//go:noescape
func attnDot64AVX512(x, y *float32, n int) float64

// attnDSAVX512 sets dp[i] = p[i]·(dp[i] − d)·scale.
//
//go:noescape
func attnDSAVX512(dp, p *float32, n int, d, scale float32)
