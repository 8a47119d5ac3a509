//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

// kernel8x32AVX512 is the AVX-512 micro-kernel (kernel_amd64.s): 8×32 tile,
// 16 ZMM accumulators.
//
//go:noescape
func kernel8x32AVX512(kc int, a *float32, rsa, csa int, b, c *float32, ldc int, ep *epilogue)

// kernel6x16AVX2 is the AVX2+FMA micro-kernel (kernel_amd64.s): 6×16 tile,
// 12 YMM accumulators.
//
//go:noescape
func kernel6x16AVX2(kc int, a *float32, rsa, csa int, b, c *float32, ldc int, ep *epilogue)

// transpose8 is the packing helper in kernel_amd64.s: dst[p*ldd+i] =
// src[i*lds+p] for i < rows (6 or 8) and p < kc8 (a multiple of 8).
//
//go:noescape
func transpose8(kc8 int, src *float32, lds int, dst *float32, ldd int, rows int)

// copyPanel is the packing helper in kernel_amd64.s: it copies kc rows of
// nr (6, 8, 16 or 32) floats, src row stride lds, to dst contiguously.
//
//go:noescape
func copyPanel(kc int, src *float32, lds int, dst *float32, nr int)

// Blocking for Zen 4 / Skylake-class cores (32–48 KiB L1d, 1–2 MiB L2):
//   - kc×nr of packed B, the micro-panel reused by every micro-tile of a
//     row block, is 32 KiB (AVX-512) or 16 KiB (AVX2) and stays in L1/L2;
//   - mc×kc of packed A, reused for every micro-panel of B, is 96–120 KiB
//     and stays in L2;
//   - kc×nc of packed B (4 MiB at most) lives in L3.
//
// On Zen 4 throughput is flat (±2%, within noise) for kc in 192..512 and mc
// in 64..256; the micro-kernel itself runs at ≈116 GFLOP/s per core (the
// FMA peak), the blocked GEMM at ≈108–111.
var (
	avx512Kernel = kernel{path: PathAVX512, mr: 8, nr: 32, kc: 256, mc: 96, nc: 4096, fn: kernel8x32AVX512, transpose: transpose8, copyPanel: copyPanel}
	avx2Kernel   = kernel{path: PathAVX2, mr: 6, nr: 16, kc: 256, mc: 120, nc: 4096, fn: kernel6x16AVX2, transpose: transpose8, copyPanel: copyPanel}
)

// registerArch adds the assembly paths the CPU supports.
func registerArch() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		paths[PathAVX2] = &avx2Kernel
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		// Narrow outputs (n = 10, or m ≤ 16 rows) waste most of an 8×32
		// tile; the 6×16 YMM kernel is then the better AVX-512-era choice.
		avx512Kernel.narrow = &avx2Kernel
		paths[PathAVX512] = &avx512Kernel
	}
}
