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

// zen4 is this project's build machine: an AMD EPYC (Zen 4, family 25
// model 17) VM whose /proc/cpuinfo reads "cpu MHz: 2596.136" and that has
// no cpufreq directory.
var zen4 = Features{Arch: "amd64", AVX512F: true, AVX2: true, AVX: true, FMA: true, Vendor: "AuthenticAMD", Family: 25, Model: 17}

func TestEstimatePeak(t *testing.T) {
	for _, tc := range []struct {
		name       string
		f          Facts
		lanes      int
		isa, clock string
		gflops     float64
	}{
		// The peak that made MFU read 132%: the current clock of a VM, 16
		// lanes (right for Zen 4), one core: 1 × 32 × 2.596136 GHz.
		{"zen4 current clock", Facts{Features: zen4, Cores: 1, CurrentClockHz: 2596.136e6}, 16, "avx512-zen4", ClockCurrent, 83.076352},
		// With cpufreq's maximum (EPYC 9654: 3.7 GHz boost) the max wins.
		{"zen4 max clock", Facts{Features: zen4, Cores: 2, CurrentClockHz: 2596.136e6, MaxClockHz: 3.7e9}, 16, "avx512-zen4", ClockMax, 236.8},
		// A maximum below the current clock is not an upper bound.
		{"max below current", Facts{Features: zen4, Cores: 1, CurrentClockHz: 3e9, MaxClockHz: 2e9}, 16, "avx512-zen4", ClockCurrent, 96},
		{"given clock wins", Facts{Features: zen4, Cores: 1, ClockHz: 3.5e9, CurrentClockHz: 2.6e9, MaxClockHz: 3.7e9}, 16, "avx512-zen4", ClockGiven, 112},
		{"given peak", Facts{Features: zen4, Cores: 2, CurrentClockHz: 2.6e9, PeakFLOPS: 200e9}, 16, "avx512-zen4", ClockCurrent, 200},
		{"given peak, no clock", Facts{Features: zen4, Cores: 2, PeakFLOPS: 200e9}, 16, "avx512-zen4", "", 200},
		{"given lanes", Facts{Features: zen4, Cores: 1, MaxClockHz: 3e9, Lanes: 32}, 32, "given", ClockMax, 192},
		// Zen 5 (family 0x1A): full-width AVX-512.
		{"zen5", Facts{Features: Features{Arch: "amd64", AVX512F: true, AVX2: true, FMA: true, Vendor: "AuthenticAMD", Family: 0x1A}, Cores: 1, MaxClockHz: 3e9}, 32, "avx512", ClockMax, 192},
		// Zen 1 (family 0x17 model 1) and Hygon Dhyana: 128-bit units.
		{"zen1", Facts{Features: Features{Arch: "amd64", AVX2: true, AVX: true, FMA: true, Vendor: "AuthenticAMD", Family: 0x17, Model: 1}, Cores: 8, MaxClockHz: 3.6e9}, 8, "avx2-fma-zen1", ClockMax, 460.8},
		{"hygon", Facts{Features: Features{Arch: "amd64", AVX2: true, AVX: true, FMA: true, Vendor: "HygonGenuine", Family: 0x18, Model: 1}, Cores: 1, MaxClockHz: 2.5e9}, 8, "avx2-fma-zen1", ClockMax, 40},
		// Zen 2 (family 0x17 model 0x31): 256-bit units.
		{"zen2", Facts{Features: Features{Arch: "amd64", AVX2: true, AVX: true, FMA: true, Vendor: "AuthenticAMD", Family: 0x17, Model: 0x31}, Cores: 1, MaxClockHz: 3e9}, 16, "avx2-fma", ClockMax, 96},
		{"bulldozer", Facts{Features: Features{Arch: "amd64", AVX: true, FMA: true, Vendor: "AuthenticAMD", Family: 0x15}, Cores: 2, MaxClockHz: 4e9}, 4, "fma-bulldozer", ClockMax, 64},
		{"sandy bridge", Facts{Features: Features{Arch: "amd64", AVX: true, Vendor: "GenuineIntel", Family: 6}, Cores: 1, MaxClockHz: 3e9}, 8, "avx", ClockMax, 48},
	} {
		p, err := EstimatePeak(tc.f)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if p.FMALanes != tc.lanes || p.ISA != tc.isa || p.ClockSource != tc.clock || math.Abs(p.FLOPS/1e9-tc.gflops) > 1e-9*tc.gflops || p.Basis == "" {
			t.Errorf("%s: %d lanes %s clock %s %g GFLOP/s, want %d %s %s %g", tc.name, p.FMALanes, p.ISA, p.ClockSource, p.FLOPS/1e9,
				tc.lanes, tc.isa, tc.clock, tc.gflops)
		}
		if want := PeakEstimated; tc.f.PeakFLOPS > 0 && p.Source != PeakGiven || tc.f.PeakFLOPS == 0 && p.Source != want {
			t.Errorf("%s: source %q", tc.name, p.Source)
		}
		if u := FMAUnit(tc.f.Features); tc.f.Lanes == 0 && u.FMAUnits*u.Width != p.FMALanes {
			t.Errorf("%s: %d units × %d lanes ≠ %d", tc.name, u.FMAUnits, u.Width, p.FMALanes)
		}
	}
	for _, tc := range []struct {
		f    Facts
		want string
	}{
		{Facts{Features: zen4, Cores: 1}, "clock: unknown"},
		{Facts{Features: zen4, Cores: 0, MaxClockHz: 3e9}, "cores"},
		{Facts{Features: zen4, Cores: 1, MaxClockHz: 30e9}, "clock"},
		{Facts{Features: zen4, Cores: 1, ClockHz: -1}, "clock"},
		{Facts{Features: zen4, Cores: 1, MaxClockHz: 3e9, PeakFLOPS: -1}, "peak"},
		{Facts{Features: zen4, Cores: 1, MaxClockHz: 3e9, PeakFLOPS: math.NaN()}, "peak"},
		{Facts{Features: zen4, Cores: 1, MaxClockHz: 3e9, Lanes: 2000}, "lanes"},
	} {
		if _, err := EstimatePeak(tc.f); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one naming %q", tc.f, err, tc.want)
		}
	}
}

// The case that printed 132%: one Zen 4 core measured at 109.66 GFLOP/s
// against a peak from the current clock (83.08 GFLOP/s). The peak is
// raised to the measurement, MFU reads 100%, the estimate is kept and the
// implied clock (≥ 3.43 GHz, the boost) is reported.
func TestRaisedPeak(t *testing.T) {
	p, err := EstimatePeak(Facts{Features: zen4, Cores: 1, CurrentClockHz: 2596.136e6})
	if err != nil {
		t.Fatal(err)
	}
	measured := 1.32 * p.FLOPS
	r := &Result{Peak: p,
		GEMM: []Measurement{{Op: "gemm", Size: 256, FLOPS: 0.9 * p.FLOPS}, {Op: "gemm", Size: 512, FLOPS: measured}},
		MLP:  &Measurement{Op: "mlp", Batch: 256, FLOPS: 1.1 * p.FLOPS}}
	r.rate()
	if !r.Peak.Raised() || r.Peak.FLOPS != measured || r.Peak.Estimate != p.FLOPS || r.Peak.Source != PeakMeasured {
		t.Fatalf("peak %+v, want raised to %g from %g", r.Peak, measured, p.FLOPS)
	}
	if r.Best.Size != 512 || r.Best.MFU != 1 || math.Abs(r.GEMM[0].MFU-0.9/1.32) > 1e-12 || math.Abs(r.MLP.MFU-1.1/1.32) > 1e-12 {
		t.Errorf("MFUs best %+v gemm %+v mlp %+v", r.Best, r.GEMM, r.MLP)
	}
	if got := r.Peak.ImpliedClockHz() / 1e9; math.Abs(got-1.32*2.596136) > 1e-9 {
		t.Errorf("implied clock %g GHz, want %g", got, 1.32*2.596136)
	}
	// Not raised when the measurements stay below, and raising twice keeps
	// the first estimate.
	q := p.Raise(0.5 * p.FLOPS)
	if q != p || q.Raised() {
		t.Errorf("raised by a lower measurement: %+v", q)
	}
	if q := p.Raise(2 * p.FLOPS).Raise(3 * p.FLOPS); q.Estimate != p.FLOPS || q.FLOPS != 3*p.FLOPS {
		t.Errorf("raised twice: %+v", q)
	}
	if q := p.Raise(math.Inf(1)); q != p {
		t.Errorf("raised to infinity: %+v", q)
	}
	// With the max clock known (3.7 GHz) the same measurement is 92.6%.
	m, _ := EstimatePeak(Facts{Features: zen4, Cores: 1, CurrentClockHz: 2596.136e6, MaxClockHz: 3.7e9})
	if mfu := measured / m.Raise(measured).FLOPS; m.Raise(measured).Raised() || math.Abs(mfu-measured/118.4e9) > 1e-12 {
		t.Errorf("max clock: MFU %g", mfu)
	}
}
