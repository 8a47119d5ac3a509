// Package calibrate measures this machine the way compute/train and
// compute/serve model a GPU: achieved FLOP/s of the engine's SGEMM
// (engine/kernels.Sgemm) and of an MLP training step (engine/train.Stepper,
// the same network as `kaiwu bench mlp`), against the CPU's theoretical FP32
// peak — cores × FMA lanes × 2 FLOPs × clock — giving the model FLOPs
// utilisation, MFU = achieved / peak. The same arithmetic, measured.
//
// The package reads no files: the clock is an input (the CLI reads
// /proc/cpuinfo), and the instruction-set features come from
// golang.org/x/sys/cpu (Detect) plus, where the CLI knows them, the vendor
// and family.
//
// compute → engine: this package imports engine/kernels, engine/nn,
// engine/optim, engine/tensor and engine/train, an arrow DESIGN.md lists
// for lifecycle, serve and market; calibration is the one place in compute
// that runs the engine.
package calibrate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"golang.org/x/sys/cpu"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// Features are the CPU facts the peak depends on.
type Features struct {
	// Arch is runtime.GOARCH.
	Arch string `json:"arch"`
	// AVX512F, AVX2 and FMA are the x86 vector extensions; ASIMD is arm64's
	// Advanced SIMD.
	AVX512F bool `json:"avx512f"`
	AVX2    bool `json:"avx2"`
	FMA     bool `json:"fma"`
	ASIMD   bool `json:"asimd"`
	// Vendor ("GenuineIntel", "AuthenticAMD") and Family (x86 "cpu family")
	// refine the AVX-512 width; empty and 0 when unknown.
	Vendor string `json:"vendor,omitempty"`
	Family int    `json:"family,omitempty"`
}

// Detect reads the vector extensions from golang.org/x/sys/cpu. Vendor and
// Family are left for the caller (they need /proc/cpuinfo).
func Detect() Features {
	return Features{Arch: runtime.GOARCH, AVX512F: cpu.X86.HasAVX512F, AVX2: cpu.X86.HasAVX2,
		FMA: cpu.X86.HasFMA, ASIMD: cpu.ARM64.HasASIMD}
}

// Peak is the theoretical FP32 peak of the cores used.
type Peak struct {
	// FMALanes is FP32 fused multiply-adds per core per cycle (vector
	// width × FMA units); FLOPsPerCycle is twice that.
	FMALanes      int     `json:"fma_lanes"`
	FLOPsPerCycle float64 `json:"flops_per_cycle"`
	// Basis explains FMALanes.
	Basis   string  `json:"basis"`
	ClockHz float64 `json:"clock_hz"`
	Cores   int     `json:"cores"`
	// FLOPS is Cores × FLOPsPerCycle × ClockHz.
	FLOPS float64 `json:"flops"`
}

// AMD x86 families: Zen 4 (0x19 with AVX-512) runs 512-bit instructions on
// 256-bit units; Zen 5 (0x1A) has full-width units.
const (
	amdZen4Family = 0x19
)

// Lanes returns the FP32 FMA lanes per core per cycle for f, and why:
//
//   - AVX-512: 2 FMA units × 16 lanes = 32 (Intel Skylake-SP Gold/Platinum
//     and later, AMD Zen 5), but 16 on AMD Zen 4, whose AVX-512 is
//     double-pumped on 256-bit units (AMD, "Software Optimization Guide for
//     the AMD Zen4 Microarchitecture", 2023);
//   - AVX2 with FMA: 2 × 8 = 16 (Intel Haswell and later, AMD Zen 2/3);
//   - SSE2 (the amd64 baseline): a 4-wide add and a 4-wide multiply per
//     cycle, counted as 4 FMA lanes;
//   - arm64 Advanced SIMD: 2 × 4 = 8 (Arm Neoverse N1; cores with four
//     pipes, such as Apple's, reach 16 — override with lanes).
//
// Intel parts with one AVX-512 FMA unit (some Xeon Silver/Bronze) reach
// half the AVX-512 figure; override it then.
func Lanes(f Features) (int, string) {
	switch {
	case f.AVX512F && f.Vendor == "AuthenticAMD" && f.Family == amdZen4Family:
		return 16, "AVX-512 on AMD Zen 4: 2 × 256-bit FMA units = 16 FP32 lanes"
	case f.AVX512F:
		return 32, "AVX-512: 2 FMA units × 16 FP32 lanes"
	case f.AVX2 && f.FMA:
		return 16, "AVX2+FMA: 2 FMA units × 8 FP32 lanes"
	case f.Arch == "amd64" || f.Arch == "386":
		return 4, "SSE2: 4-wide add + 4-wide multiply"
	case f.ASIMD || f.Arch == "arm64":
		return 8, "Arm Advanced SIMD: 2 FMA pipes × 4 FP32 lanes"
	}
	return 1, "scalar FMA (no known vector unit)"
}

// PeakFLOPS is the theoretical FP32 peak of cores cores at clockHz; lanes,
// when positive, overrides Lanes(f).
func PeakFLOPS(f Features, cores int, clockHz float64, lanes int) (Peak, error) {
	if cores < 1 {
		return Peak{}, fmt.Errorf("cores: %d: want at least 1", cores)
	}
	if !(clockHz >= 1e8 && clockHz <= 1e10) {
		return Peak{}, fmt.Errorf("clock: %g Hz: want between 0.1 and 10 GHz", clockHz)
	}
	if lanes < 0 || lanes > 1024 {
		return Peak{}, fmt.Errorf("lanes: %d: want 1 to 1024 FMA lanes per cycle", lanes)
	}
	basis := fmt.Sprintf("given: %d FMA lanes", lanes)
	if lanes == 0 {
		lanes, basis = Lanes(f)
	}
	fpc := 2 * float64(lanes)
	return Peak{FMALanes: lanes, FLOPsPerCycle: fpc, Basis: basis, ClockHz: clockHz, Cores: cores,
		FLOPS: float64(cores) * fpc * clockHz}, nil
}

// Config is one calibration.
type Config struct {
	// Sizes are the square GEMM sizes n (C[n×n] = A·B); empty means
	// DefaultSizes.
	Sizes []int
	// MLPBatch is the batch of the MLP training step; 0 means
	// DefaultMLPBatch, negative skips the MLP.
	MLPBatch int
	// Threads, when positive, sets the engine's threads for the
	// measurement (restored after); 0 uses the current setting.
	Threads int
	// Features describe the CPU; nil means Detect().
	Features *Features
	// ClockHz is the core clock (required).
	ClockHz float64
	// Lanes overrides the FMA lanes per cycle when positive.
	Lanes int
	// Rounds and MinRound set the timing: after a warm-up, Rounds rounds
	// each of at least MinRound, best mean per call kept (DESIGN.md,
	// Benchmarks: best-of-N on shared machines). Defaults 3 and 200 ms.
	Rounds   int
	MinRound time.Duration
}

// The defaults.
var (
	DefaultSizes    = []int{256, 512, 1024}
	DefaultMLPBatch = 256
	// MLPSizes is the benchmark network, as `kaiwu bench mlp` and
	// bench/pytorch/mlp.py.
	MLPSizes = []int{784, 512, 512, 10}
)

// Measurement is one timed operation.
type Measurement struct {
	// Op is "gemm" or "mlp"; Size is n for gemm, Batch the MLP batch.
	Op    string `json:"op"`
	Size  int    `json:"size,omitempty"`
	Batch int    `json:"batch,omitempty"`
	// FLOPs is the work of one call: 2n³ for gemm; 6 × batch × Σ in·out
	// for an MLP step (forward and two backward products per layer).
	FLOPs float64 `json:"flops"`
	// Seconds is the best mean time per call.
	Seconds float64 `json:"seconds"`
	// FLOPS is FLOPs / Seconds; MFU is FLOPS / the peak.
	FLOPS float64 `json:"flops_per_second"`
	MFU   float64 `json:"mfu"`
}

// Result is a calibration.
type Result struct {
	Threads  int      `json:"threads"`
	GEMMPath string   `json:"gemm_path"`
	Features Features `json:"features"`
	Peak     Peak     `json:"peak"`
	// GEMM is one measurement per size, ascending; MLP the training step
	// (nil when skipped).
	GEMM []Measurement `json:"gemm"`
	MLP  *Measurement  `json:"mlp,omitempty"`
	// Best is the GEMM with the highest MFU.
	Best Measurement `json:"best"`
}

// Calibrate runs the measurements. It returns ctx's error if ctx is done
// before they finish.
func Calibrate(ctx context.Context, c Config) (*Result, error) {
	sizes := slices.Clone(c.Sizes)
	if len(sizes) == 0 {
		sizes = slices.Clone(DefaultSizes)
	}
	for _, n := range sizes {
		if n < 1 || n > 16384 {
			return nil, fmt.Errorf("sizes: %d: want 1 to 16384", n)
		}
	}
	slices.Sort(sizes)
	sizes = slices.Compact(sizes)
	batch := c.MLPBatch
	if batch == 0 {
		batch = DefaultMLPBatch
	}
	if batch > 65536 {
		return nil, fmt.Errorf("mlp batch: %d: want 1 to 65536", batch)
	}
	if c.Threads < 0 || c.Threads > 4096 {
		return nil, fmt.Errorf("threads: %d: want 1 to 4096", c.Threads)
	}
	if c.Rounds < 0 || c.MinRound < 0 {
		return nil, errors.New("rounds: want non-negative rounds and round time")
	}
	rounds, minRound := c.Rounds, c.MinRound
	if rounds == 0 {
		rounds = 3
	}
	if minRound == 0 {
		minRound = 200 * time.Millisecond
	}
	f := Detect()
	if c.Features != nil {
		f = *c.Features
	}
	if c.Threads > 0 {
		defer kernels.SetThreads(kernels.Threads())
		kernels.SetThreads(c.Threads)
	}
	threads := kernels.Threads()
	peak, err := PeakFLOPS(f, min(threads, runtime.NumCPU()), c.ClockHz, c.Lanes)
	if err != nil {
		return nil, err
	}
	r := &Result{Threads: threads, GEMMPath: kernels.ActivePath().String(), Features: f, Peak: peak}
	measure := func(m Measurement, fn func() error) (Measurement, error) {
		sec, err := TimeBest(ctx, fn, rounds, minRound)
		if err != nil {
			return m, err
		}
		m.Seconds = sec
		m.FLOPS = m.FLOPs / sec
		m.MFU = m.FLOPS / peak.FLOPS
		return m, nil
	}
	for _, n := range sizes {
		m, err := measure(Measurement{Op: "gemm", Size: n, FLOPs: 2 * float64(n) * float64(n) * float64(n)}, NewGEMM(n))
		if err != nil {
			return nil, err
		}
		r.GEMM = append(r.GEMM, m)
		if m.MFU > r.Best.MFU {
			r.Best = m
		}
	}
	if batch > 0 {
		step, err := NewMLPStep(batch)
		if err != nil {
			return nil, err
		}
		m, err := measure(Measurement{Op: "mlp", Batch: batch, FLOPs: MLPFLOPs(batch)}, step)
		if err != nil {
			return nil, err
		}
		r.MLP = &m
	}
	return r, nil
}

// NewGEMM prepares C = A·B on random n×n float32 matrices and returns the
// call to time (2n³ FLOPs). `kaiwu bench gemm` times the same call.
func NewGEMM(n int) func() error {
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i] = rng.Float32()*2 - 1
		b[i] = rng.Float32()*2 - 1
	}
	return func() error {
		kernels.Sgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n)
		return nil
	}
}

// MLPFLOPs is the GEMM work of one MLPSizes training step at batch: 6 ×
// batch × Σ in·out (one forward and two backward products per layer).
func MLPFLOPs(batch int) float64 {
	s := 0
	for i := 0; i+1 < len(MLPSizes); i++ {
		s += MLPSizes[i] * MLPSizes[i+1]
	}
	return 6 * float64(batch) * float64(s)
}

// NewMLPStep prepares one MLPSizes training step (cross-entropy, Adam
// lr 1e-3) on random data and returns it; `kaiwu bench mlp` and
// bench/pytorch/mlp.py time the same step.
func NewMLPStep(batch int) (func() error, error) {
	rng := tensor.NewRNG(1)
	model, err := nn.NewMLP(rng, MLPSizes...)
	if err != nil {
		return nil, err
	}
	opt, err := optim.NewAdam(nn.Tensors(model), 1e-3)
	if err != nil {
		return nil, err
	}
	x, err := tensor.Randn(rng, batch, MLPSizes[0])
	if err != nil {
		return nil, err
	}
	targets := make([]int, batch)
	for i := range targets {
		targets[i] = rng.Intn(MLPSizes[len(MLPSizes)-1])
	}
	s := train.NewStepper(model, opt)
	return func() error { _, err := s.Step(x, targets); return err }, nil
}

// TimeBest runs fn once to warm up, then rounds rounds of at least
// minRound each, and returns the best mean seconds per call. Best-of-N is
// the right statistic on shared, noisy machines (DESIGN.md, Benchmarks).
func TimeBest(ctx context.Context, fn func() error, rounds int, minRound time.Duration) (float64, error) {
	if err := fn(); err != nil {
		return 0, err
	}
	best := time.Duration(1<<63 - 1)
	for range rounds {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n := 0
		start := time.Now()
		for {
			if err := fn(); err != nil {
				return 0, err
			}
			n++
			if el := time.Since(start); el >= minRound {
				best = min(best, el/time.Duration(n))
				break
			}
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
	}
	return max(best.Seconds(), 1e-12), nil
}
