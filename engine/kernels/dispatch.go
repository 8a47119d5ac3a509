package kernels

import (
	"fmt"
	"sync/atomic"
)

// Path names a GEMM implementation (micro-kernel plus its blocking).
type Path int

const (
	// PathAuto picks the fastest path the CPU supports.
	PathAuto Path = iota
	// PathGeneric is the portable pure-Go path.
	PathGeneric
	// PathAVX2 is the AVX2+FMA path (6×16 micro-kernel), amd64 only.
	PathAVX2
	// PathAVX512 is the AVX-512 path (8×32 micro-kernel), amd64 only.
	PathAVX512
)

// String returns the path's name: "auto", "generic", "avx2" or "avx512".
func (p Path) String() string {
	switch p {
	case PathAuto:
		return "auto"
	case PathGeneric:
		return "generic"
	case PathAVX2:
		return "avx2"
	case PathAVX512:
		return "avx512"
	}
	return fmt.Sprintf("Path(%d)", int(p))
}

// Available reports whether this build and CPU can run path p.
// PathAuto and PathGeneric are always available.
func (p Path) Available() bool {
	switch p {
	case PathAuto, PathGeneric:
		return true
	}
	return p >= 0 && int(p) < len(paths) && paths[p] != nil
}

// kernelFunc computes one MR×NR tile: C = epilogue(A · packedB) over kc
// steps. Element (i, p) of A is at a[i*rsa + p*csa] (a packed micro-panel
// has rsa = 1, csa = MR); b is a packed micro-panel; c points at the tile's
// top-left element and ldc is C's row stride.
type kernelFunc func(kc int, a *float32, rsa, csa int, b, c *float32, ldc int, ep *epilogue)

// kernel describes one path: its micro-kernel and cache blocking.
//
// The driver (gemm.go) follows BLIS: for each nc-wide column block of B and
// each kc-deep slice of K, B is packed into nr-wide micro-panels; then for
// each mc-tall row block of A, A is packed into mr-tall micro-panels and
// the micro-kernel sweeps the mc×nc block tile by tile. mc×kc of packed A is
// sized to stay in L2, a kc×nr micro-panel of B to stay in L1/L2, and the
// kc×nc packed B panel in L3.
type kernel struct {
	path       Path
	mr, nr     int // micro-tile: mr rows × nr columns
	kc, mc, nc int // cache blocking
	fn         kernelFunc
	// transpose, when non-nil, is an assembly helper for the transposing
	// packs (see transpose8 in kernel_amd64.s); it needs AVX.
	transpose func(kc8 int, src *float32, lds int, dst *float32, ldd int, rows int)
	// copyPanel, when non-nil, copies kc rows of nr floats into a packed
	// B micro-panel (see copyPanel in kernel_amd64.s).
	copyPanel func(kc int, src *float32, lds int, dst *float32, nr int)
	// narrow, when non-nil, is a smaller-tile kernel of the same path used
	// for shapes that would leave most of this kernel's tile empty (e.g.
	// n = 10 with nr = 32); see pick.
	narrow *kernel
}

// tileEfficiency is the fraction of the padded m×n tile grid that is real.
func (k *kernel) tileEfficiency(m, n int) float64 {
	return float64(m) / float64(roundUp(m, k.mr)) * float64(n) / float64(roundUp(n, k.nr))
}

// pick returns k or, when it wastes clearly less of its tiles on an
// m×n output, k's narrow kernel.
func (k *kernel) pick(m, n int) *kernel {
	if k.narrow != nil && k.narrow.tileEfficiency(m, n) > 1.15*k.tileEfficiency(m, n) {
		return k.narrow
	}
	return k
}

// paths holds the kernels this build/CPU supports, indexed by Path
// (nil where unsupported); filled by init functions.
var paths [4]*kernel

// best is the kernel PathAuto selects.
var best *kernel

// forced, when non-nil, overrides best (see ForcePath).
var forced atomic.Pointer[kernel]

func activeKernel() *kernel {
	if k := forced.Load(); k != nil {
		return k
	}
	return best
}

// ActivePath reports the path Sgemm currently uses (never PathAuto).
func ActivePath() Path { return activeKernel().path }

// ForcePath makes the kernels use path p (PathAuto restores automatic
// selection) until the returned restore function is called. It is meant for
// tests and benchmarks and is not safe to combine with concurrent ForcePath
// calls. It panics if p is not Available.
func ForcePath(p Path) (restore func()) {
	if !p.Available() {
		panic(fmt.Sprintf("kernels: ForcePath(%v): not supported by this build/CPU", p))
	}
	prev := forced.Load()
	if p == PathAuto {
		forced.Store(nil)
	} else {
		forced.Store(paths[p])
	}
	return func() { forced.Store(prev) }
}

func init() {
	paths[PathGeneric] = &genericKernel
	registerArch()
	best = &genericKernel
	for _, p := range []Path{PathAVX2, PathAVX512} {
		if paths[p] != nil {
			best = paths[p]
		}
	}
}
