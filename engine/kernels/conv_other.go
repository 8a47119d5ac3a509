//go:build !amd64 || purego

package kernels

var (
	hasConvAVX512 = false
	hasConvAVX2   = false
)

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

func directConv8AVX2(dst *float32, ldd int, x *float32, offs *int, ntaps int, w *float32, bias *float32, relu int, nsub int, six int) {
	panic("unreachable")
}

func directConvGrad4AVX2(dw, gy *float32, ldg int, x *float32, offs *int, npos int) {
	panic("unreachable")
}

func copyRowsAVX2(dst *float32, ldd int, src *float32, lds int, y *float32, ldy int, rows, w int) {
	panic("unreachable")
}

func addRowsShiftedAVX2(dst, src *float32, lds int, offs *int, nrows, n int) {
	panic("unreachable")
}
