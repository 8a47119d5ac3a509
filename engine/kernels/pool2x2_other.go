//go:build !amd64 || purego

package kernels

var hasPoolAsm = false

func maxPool2x2AVX512(out *float32, idx *int, x *float32, w, wo, rows, base int) {
	panic("unreachable")
}
