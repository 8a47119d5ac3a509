//go:build !amd64 || purego

package kernels

func attnDot64AVX512(x, y *float32, n int) float64 { panic("unreachable") }

func attnDSAVX512(dp, p *float32, n int, d, scale float32) { panic("unreachable") }
