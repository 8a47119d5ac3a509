package calibrate

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

func TestLanesAndPeak(t *testing.T) {
	for _, tc := range []struct {
		name   string
		f      Features
		cores  int
		ghz    float64
		lanes  int
		want   int
		gflops float64
	}{
		// Intel Xeon Platinum 8380 (Ice Lake-SP): 2 AVX-512 FMA units →
		// 32 FP32 FMAs = 64 FLOPs/cycle/core; 40 cores × 2.3 GHz base =
		// 5,888 GFLOP/s (Intel's "FP32 peak" arithmetic at base clock).
		{"avx512 intel", Features{Arch: "amd64", AVX512F: true, AVX2: true, FMA: true, Vendor: "GenuineIntel", Family: 6}, 40, 2.3, 0, 32, 5888},
		{"avx512 zen4", Features{Arch: "amd64", AVX512F: true, AVX2: true, FMA: true, Vendor: "AuthenticAMD", Family: 0x19}, 2, 2.6, 0, 16, 166.4},
		{"avx512 zen5", Features{Arch: "amd64", AVX512F: true, AVX2: true, FMA: true, Vendor: "AuthenticAMD", Family: 0x1A}, 1, 3, 0, 32, 192},
		{"avx2", Features{Arch: "amd64", AVX2: true, FMA: true}, 4, 3, 0, 16, 384},
		{"sse2", Features{Arch: "amd64"}, 1, 2, 0, 4, 16},
		{"arm64", Features{Arch: "arm64", ASIMD: true}, 8, 3, 0, 8, 384},
		{"override", Features{Arch: "arm64", ASIMD: true}, 1, 3.2, 16, 16, 102.4},
	} {
		p, err := PeakFLOPS(tc.f, tc.cores, tc.ghz*1e9, tc.lanes)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if p.FMALanes != tc.want || math.Abs(p.FLOPS/1e9-tc.gflops) > 1e-9*tc.gflops || p.Basis == "" {
			t.Errorf("%s: %d lanes, %g GFLOP/s (%s), want %d, %g", tc.name, p.FMALanes, p.FLOPS/1e9, p.Basis, tc.want, tc.gflops)
		}
	}
}

func TestPeakErrors(t *testing.T) {
	for _, tc := range []struct {
		cores int
		hz    float64
		lanes int
		want  string
	}{{0, 3e9, 0, "cores"}, {1, 0, 0, "clock"}, {1, 5e10, 0, "clock"}, {1, math.NaN(), 0, "clock"}, {1, 3e9, -1, "lanes"}} {
		if _, err := PeakFLOPS(Detect(), tc.cores, tc.hz, tc.lanes); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one naming %s", tc, err, tc.want)
		}
	}
}

func TestMLPFLOPs(t *testing.T) {
	// 6 × 256 × (784·512 + 512·512 + 512·10) = 1,024,065,536·… by hand:
	// 784·512 = 401,408; 512·512 = 262,144; 512·10 = 5,120; sum 668,672.
	if got, want := MLPFLOPs(256), 6*256*668672.0; got != want {
		t.Errorf("MLPFLOPs(256) = %g, want %g", got, want)
	}
}

// fast is a tiny, quick calibration for tests.
func fast() Config {
	return Config{Sizes: []int{48, 16, 16}, MLPBatch: 4, Threads: 1, ClockHz: 2e9, Rounds: 1, MinRound: time.Millisecond}
}

func TestCalibrateTiny(t *testing.T) {
	r, err := Calibrate(context.Background(), fast())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.GEMM) != 2 || r.GEMM[0].Size != 16 || r.GEMM[1].Size != 48 {
		t.Fatalf("GEMM sizes %+v, want 16 and 48 (sorted, deduplicated)", r.GEMM)
	}
	if r.Threads != 1 || r.Peak.Cores != 1 || r.GEMMPath == "" {
		t.Errorf("threads %d cores %d path %q", r.Threads, r.Peak.Cores, r.GEMMPath)
	}
	for _, m := range append(r.GEMM, *r.MLP) {
		if !(m.Seconds > 0 && m.FLOPS > 0) || math.Abs(m.FLOPS-m.FLOPs/m.Seconds) > 1e-9*m.FLOPS ||
			math.Abs(m.MFU-m.FLOPS/r.Peak.FLOPS) > 1e-12 {
			t.Errorf("inconsistent measurement %+v", m)
		}
	}
	if r.GEMM[1].FLOPs != 2*48*48*48 || r.MLP.FLOPs != MLPFLOPs(4) {
		t.Errorf("FLOPs %g / %g", r.GEMM[1].FLOPs, r.MLP.FLOPs)
	}
	if r.Best.MFU < r.GEMM[0].MFU || r.Best.MFU < r.GEMM[1].MFU {
		t.Errorf("best %+v is not the highest MFU", r.Best)
	}
}

func TestCalibrateCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Calibrate(ctx, fast()); err != context.Canceled {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

func TestCalibrateErrors(t *testing.T) {
	for _, tc := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Sizes = []int{0} }, "sizes"},
		{func(c *Config) { c.Sizes = []int{20000} }, "sizes"},
		{func(c *Config) { c.ClockHz = 0 }, "clock"},
		{func(c *Config) { c.MLPBatch = 1 << 20 }, "mlp batch"},
		{func(c *Config) { c.Threads = -2 }, "threads"},
		{func(c *Config) { c.Lanes = -1 }, "lanes"},
	} {
		c := fast()
		tc.edit(&c)
		if _, err := Calibrate(context.Background(), c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
}
