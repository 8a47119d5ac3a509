//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// adamAVX512 is in adam_amd64.s: n (a multiple of 16) elements.
//
//go:noescape
func adamAVX512(wp, gp, mp, vp *float32, n int, c *adamConsts)

var hasAdamAVX512 = cpu.X86.HasAVX512F
