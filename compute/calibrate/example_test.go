package calibrate_test

import (
	"context"
	"fmt"

	"github.com/kaiwu-ai/kaiwu/compute/calibrate"
)

// The theoretical FP32 peak of one AVX-512 core with two FMA units at
// 3 GHz: 32 lanes × 2 FLOPs × 3e9.
func ExamplePeakFLOPS() {
	f := calibrate.Features{Arch: "amd64", AVX512F: true, AVX2: true, FMA: true, Vendor: "GenuineIntel"}
	p, err := calibrate.PeakFLOPS(f, 1, 3e9, 0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s → %.0f GFLOP/s\n", p.Basis, p.FLOPS/1e9)
	// Output: AVX-512: 2 FMA units × 16 FP32 lanes → 192 GFLOP/s
}

// Calibrate measures the engine on this machine; the numbers vary, so
// this example is compiled but not run.
func ExampleCalibrate() {
	r, err := calibrate.Calibrate(context.Background(), calibrate.Config{Sizes: []int{512}, ClockHz: 3e9})
	if err != nil {
		panic(err)
	}
	fmt.Printf("SGEMM 512: %.1f GFLOP/s, MFU %.0f%% of %.0f GFLOP/s\n",
		r.GEMM[0].FLOPS/1e9, 100*r.GEMM[0].MFU, r.Peak.FLOPS/1e9)
}

// One Zen 4 core whose clock is known only from /proc/cpuinfo (a VM's
// nominal 2.596 GHz): the estimate is 83.1 GFLOP/s. A measured 109.7
// GFLOP/s would be an MFU of 132%, so the peak is raised to it and the
// measurement implies a boost clock of at least 3.43 GHz.
func ExampleEstimatePeak() {
	zen4 := calibrate.Features{Arch: "amd64", AVX512F: true, AVX2: true, AVX: true, FMA: true, Vendor: "AuthenticAMD", Family: 25, Model: 17}
	p, err := calibrate.EstimatePeak(calibrate.Facts{Features: zen4, Cores: 1, CurrentClockHz: 2596.136e6})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s, %s clock: %.1f GFLOP/s\n", p.ISA, p.ClockSource, p.FLOPS/1e9)
	r := p.Raise(109.66e9)
	fmt.Printf("raised %v: %.1f GFLOP/s (estimate %.1f), implied clock %.2f GHz\n", r.Raised(), r.FLOPS/1e9, r.Estimate/1e9, r.ImpliedClockHz()/1e9)
	// Output:
	// avx512-zen4, current clock: 83.1 GFLOP/s
	// raised true: 109.7 GFLOP/s (estimate 83.1), implied clock 3.43 GHz
}
