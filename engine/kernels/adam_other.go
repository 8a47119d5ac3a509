//go:build !amd64 || purego

package kernels

var hasAdamAVX512 = false

func adamAVX512(wp, gp, mp, vp *float32, n int, c *adamConsts) { panic("unreachable") }
