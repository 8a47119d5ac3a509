//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// vmathAVX512 is in vmath_amd64.s: n (a multiple of 16) elements, mode
// vmExp, vmSigmoid or vmTanh.
//
//go:noescape
func vmathAVX512(dst, src *float32, n int, mode int)

var hasVMath = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ
