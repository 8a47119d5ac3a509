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
