//go:build !amd64 || purego

package kernels

var hasConvAsm = false

func directConv8AVX512(dst *float32, ldd int, x *float32, offs *int, ntaps int, w *float32, bias *[8]float32, relu int, nblk int, nc int) {
	panic("unreachable")
}

func directConvGrad8AVX512(dw, gy *float32, ldg int, x *float32, offs *int, npos int, nc int) {
	panic("unreachable")
}

func copyRowsAVX512(dst *float32, ldd int, src *float32, lds int, y *float32, ldy int, rows, w int) {
	panic("unreachable")
}

func addRowsShiftedAVX512(dst, src *float32, lds int, offs *int, nrows, n int) {
	panic("unreachable")
}
