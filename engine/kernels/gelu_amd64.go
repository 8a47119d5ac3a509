//go:build amd64 && !purego

package kernels

// Assembly in gelu_amd64.s; n is a positive multiple of 16.

// geluMulAVX512 sets d[i] *= g[i].
//
//go:noescape
func geluMulAVX512(d, gy *float32, n int)

// geluMulAddAVX512 sets dst[i] += d[i]·g[i] (product rounded first).
//
//go:noescape
func geluMulAddAVX512(dst, d, gy *float32, n int)
