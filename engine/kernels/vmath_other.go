//go:build !amd64 || purego

package kernels

var hasVMath = false

func vmathAVX512(dst, src *float32, n int, mode int) { panic("unreachable") }
