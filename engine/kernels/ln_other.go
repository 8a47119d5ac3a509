//go:build !amd64 || purego

package kernels

// hasLN is false: the row kernels run their pure-Go loops.
var hasLN = false

func lnSumAVX512(src *float32, n int) float64 { panic("unreachable") }

func lnSqDevAVX512(src *float32, n int, mean float64) float64 { panic("unreachable") }

func lnAffineAVX512(o, x, w, b *float32, n int, mean, inv float32) { panic("unreachable") }

func lnBackAccAVX512(pw, pb, gy, x, w *float32, n int, mean, inv float32) (sh, shx float64) {
	panic("unreachable")
}

func lnBackDxAVX512(dx, gy, x, w *float32, n int, mean, inv, s1, s2 float32, accumulate bool) {
	panic("unreachable")
}
