//go:build !amd64 || purego

package kernels

func geluMulAVX512(d, gy *float32, n int) { panic("unreachable") }

func geluMulAddAVX512(dst, d, gy *float32, n int) { panic("unreachable") }
