//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// maxPool2x2AVX512 is MaxPool2x2's kernel (pool2x2_amd64.s): rows output
// rows of wo windows each, the input rows of stride w floats.
//
//go:noescape
func maxPool2x2AVX512(out *float32, idx *int, x *float32, w, wo, rows, base int)

var hasPoolAsm = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512DQ && cpu.X86.HasBMI2
