//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// addAVX512 sets dst[i] += src[i] for n (a positive multiple of 16)
// elements (addto_amd64.s).
//
//go:noescape
func addAVX512(dst, src *float32, n int)

var hasAddAsm = cpu.X86.HasAVX512F
