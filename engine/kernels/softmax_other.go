//go:build !amd64 || purego

package kernels

func maxAVX512(src *float32, n int) float32 { panic("unreachable") }

func expShiftSumAVX512(dst, src *float32, n int, shift float32) float64 { panic("unreachable") }

func expShiftScaleAVX512(dst, src *float32, n int, shift, scale float32) { panic("unreachable") }
