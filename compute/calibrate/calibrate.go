// Package calibrate measures this machine the way compute/train and
// compute/serve model a GPU: achieved FLOP/s of the engine's SGEMM
// (engine/kernels.Sgemm) and of an MLP training step (engine/train.Stepper,
// the same network as `kaiwu bench mlp`), against the CPU's theoretical FP32
// peak — cores × FMA lanes × 2 FLOPs × clock — giving the model FLOPs
// utilisation, MFU = achieved / peak. The same arithmetic, measured.
//
// The peak is honest: the clock is the maximum (boost) clock where known,
// the FMA units and their width follow the detected instruction set and
// core (FMAUnit), and when a measurement still exceeds the peak, the peak
// is raised to the measurement (Peak.Raise) so that no MFU exceeds 100%,
// and the result says so for the caller to explain.
//
// The package reads no files: the clocks are inputs (the CLI reads
// cpufreq's cpuinfo_max_freq and /proc/cpuinfo), and the instruction-set
// features come from golang.org/x/sys/cpu (Detect) plus, where the CLI
// knows them, the vendor, family and model. EstimatePeak is a pure
// function of those facts.
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
	"math"
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
	// AVX512F, AVX2, AVX and FMA are the x86 vector extensions; ASIMD is
	// arm64's Advanced SIMD.
	AVX512F bool `json:"avx512f"`
	AVX2    bool `json:"avx2"`
	AVX     bool `json:"avx"`
	FMA     bool `json:"fma"`
	ASIMD   bool `json:"asimd"`
	// Vendor ("GenuineIntel", "AuthenticAMD", "HygonGenuine"), Family and
	// Model (x86 "cpu family" and "model") tell AMD and Hygon cores whose
	// vector units are narrower than their instruction set; empty and 0
	// when unknown.
	Vendor string `json:"vendor,omitempty"`
	Family int    `json:"family,omitempty"`
	Model  int    `json:"model,omitempty"`
}

// Detect reads the vector extensions from golang.org/x/sys/cpu. Vendor,
// Family and Model are left for the caller (they need /proc/cpuinfo).
func Detect() Features {
	return Features{Arch: runtime.GOARCH, AVX512F: cpu.X86.HasAVX512F, AVX2: cpu.X86.HasAVX2, AVX: cpu.X86.HasAVX,
		FMA: cpu.X86.HasFMA, ASIMD: cpu.ARM64.HasASIMD}
}

// Unit is a core's FP32 multiply-add hardware: FMAUnits units, each Width
// FP32 lanes wide.
type Unit struct {
	// ISA is a stable code for the case ("avx512", "avx512-zen4",
	// "avx2-fma", "avx2-fma-zen1", "fma-bulldozer", "avx", "sse2",
	// "asimd", "scalar"; "given" for an override), for an edge to
	// translate Basis.
	ISA      string
	FMAUnits int
	Width    int
	// Basis explains the count, in English.
	Basis string
}

// Lanes is FMAUnits × Width, the FP32 FMAs per core per cycle.
func (u Unit) Lanes() int { return u.FMAUnits * u.Width }

// AMD and Hygon x86 families with vector units narrower than their
// instructions.
const (
	amdBulldozerFamily = 0x15 // two cores share one FPU: 2 × 128-bit FMA per module
	amdZenFamily       = 0x17 // Zen/Zen+ (models below 0x30): 128-bit units; Zen 2: 256-bit
	hygonFamily        = 0x18 // Hygon Dhyana: Zen-derived, 128-bit units
	amdZen4Family      = 0x19 // Zen 3 (AVX2, 256-bit) and Zen 4 (AVX-512 on 256-bit units)
	amdZen2FirstModel  = 0x30
)

// FMAUnit returns the FP32 FMA hardware of one core of f:
//
//   - AVX-512: 2 FMA units × 16 lanes = 32 (Intel Skylake-SP Gold/Platinum
//     and later, AMD Zen 5), but 2 × 8 = 16 on AMD Zen 4, whose AVX-512 is
//     double-pumped on 256-bit units (AMD, "Software Optimization Guide for
//     the AMD Zen4 Microarchitecture", 2023);
//   - AVX2 with FMA: 2 × 8 = 16 (Intel Haswell and later, AMD Zen 2/3),
//     but 2 × 4 = 8 on AMD Zen/Zen+ (family 0x17 below model 0x30) and
//     Hygon Dhyana (family 0x18), which split 256-bit operations over
//     128-bit units, and 1 × 4 per core on AMD's Bulldozer family (0x15),
//     whose two cores per module share two 128-bit FMA units;
//   - AVX without FMA (Sandy/Ivy Bridge): an 8-wide add and an 8-wide
//     multiply per cycle, counted as 8 FMA lanes;
//   - SSE2 (the amd64 baseline): a 4-wide add and a 4-wide multiply per
//     cycle, counted as 4 FMA lanes;
//   - arm64 Advanced SIMD: 2 × 4 = 8 (Arm Neoverse N1; cores with four
//     pipes, such as Apple's or Neoverse V1, reach 16 — override then).
//
// Intel parts with one AVX-512 FMA unit (some Xeon Silver/Bronze) reach
// half the AVX-512 figure; the count here is the upper bound, so that an
// MFU against it is never flattering.
func FMAUnit(f Features) Unit {
	amd := f.Vendor == "AuthenticAMD"
	switch {
	case f.AVX512F && amd && f.Family == amdZen4Family:
		return Unit{"avx512-zen4", 2, 8, "AVX-512 on AMD Zen 4: 2 × 256-bit FMA units = 16 FP32 lanes"}
	case f.AVX512F:
		return Unit{"avx512", 2, 16, "AVX-512: 2 FMA units × 16 FP32 lanes"}
	case f.AVX2 && f.FMA && (amd && f.Family == amdZenFamily && f.Model < amdZen2FirstModel ||
		f.Vendor == "HygonGenuine" && f.Family == hygonFamily):
		return Unit{"avx2-fma-zen1", 2, 4, "AVX2+FMA on AMD Zen/Zen+ or Hygon Dhyana: 2 × 128-bit FMA units = 8 FP32 lanes"}
	case f.FMA && amd && f.Family == amdBulldozerFamily:
		return Unit{"fma-bulldozer", 1, 4, "FMA on AMD Bulldozer family: 2 × 128-bit FMA units shared by 2 cores = 4 FP32 lanes per core"}
	case f.AVX2 && f.FMA:
		return Unit{"avx2-fma", 2, 8, "AVX2+FMA: 2 FMA units × 8 FP32 lanes"}
	case f.AVX:
		return Unit{"avx", 1, 8, "AVX: 8-wide add + 8-wide multiply"}
	case f.Arch == "amd64" || f.Arch == "386":
		return Unit{"sse2", 1, 4, "SSE2: 4-wide add + 4-wide multiply"}
	case f.ASIMD || f.Arch == "arm64":
		return Unit{"asimd", 2, 4, "Arm Advanced SIMD: 2 FMA pipes × 4 FP32 lanes"}
	}
	return Unit{"scalar", 1, 1, "scalar FMA (no known vector unit)"}
}

// Lanes returns the FP32 FMA lanes per core per cycle for f, and why (see
// FMAUnit).
func Lanes(f Features) (int, string) {
	u := FMAUnit(f)
	return u.Lanes(), u.Basis
}

// Clock sources: where Peak.ClockHz came from.
const (
	// ClockGiven: the user gave the clock.
	ClockGiven = "given"
	// ClockMax: the maximum (boost) clock the OS reports (Linux cpufreq
	// cpuinfo_max_freq), the right clock for an upper bound.
	ClockMax = "max"
	// ClockCurrent: the clock of the moment (/proc/cpuinfo "cpu MHz"; in
	// most VMs the nominal clock). A core that boosts runs faster, so a
	// peak at this clock may be too low.
	ClockCurrent = "current"
)

// Peak sources: how Peak.FLOPS was found.
const (
	// PeakEstimated: cores × FLOPs per cycle × clock.
	PeakEstimated = "estimated"
	// PeakGiven: the user gave the peak.
	PeakGiven = "given"
	// PeakMeasured: a measurement exceeded the estimate, so the peak was
	// raised to it (Peak.Raise).
	PeakMeasured = "measured"
)

// Peak is the theoretical FP32 peak of the cores used.
type Peak struct {
	// FMALanes is FP32 fused multiply-adds per core per cycle (vector
	// width × FMA units); FLOPsPerCycle is twice that.
	FMALanes      int     `json:"fma_lanes"`
	FLOPsPerCycle float64 `json:"flops_per_cycle"`
	// ISA, FMAUnits and Width are FMAUnit's (ISA "given" when the lanes
	// were).
	ISA      string `json:"isa"`
	FMAUnits int    `json:"fma_units,omitempty"`
	Width    int    `json:"width,omitempty"`
	// Basis explains FMALanes, in English.
	Basis string `json:"basis"`
	// ClockHz is the clock assumed and ClockSource where it came from
	// (ClockGiven, ClockMax, ClockCurrent); zero and empty when the peak
	// was given and no clock is known.
	ClockHz     float64 `json:"clock_hz"`
	ClockSource string  `json:"clock_source,omitempty"`
	Cores       int     `json:"cores"`
	// FLOPS is the peak: Cores × FLOPsPerCycle × ClockHz, the given peak,
	// or the best measurement when that was higher (Source says which).
	FLOPS  float64 `json:"flops"`
	Source string  `json:"source"`
	// Estimate is the peak before a measurement raised it; zero when it
	// was not raised.
	Estimate float64 `json:"estimate,omitempty"`
}

// Raised reports whether a measurement exceeded the estimate and the peak
// was raised to it.
func (p Peak) Raised() bool { return p.Source == PeakMeasured }

// ImpliedClockHz is the clock at which the cores would reach FLOPS with
// FLOPsPerCycle each: for a raised peak, the least clock the measurement
// implies.
func (p Peak) ImpliedClockHz() float64 {
	if p.Cores < 1 || p.FLOPsPerCycle <= 0 {
		return 0
	}
	return p.FLOPS / (float64(p.Cores) * p.FLOPsPerCycle)
}

// Raise returns the peak raised to measured when measured exceeds it (an
// achieved rate above the theoretical peak means the peak was wrong —
// most often a clock read below the boost clock), keeping the estimate in
// Estimate; otherwise p unchanged. MFU against the result never exceeds
// 100%.
func (p Peak) Raise(measured float64) Peak {
	if !(measured > p.FLOPS) || math.IsInf(measured, 0) {
		return p
	}
	if !p.Raised() {
		p.Estimate = p.FLOPS
	}
	p.FLOPS, p.Source = measured, PeakMeasured
	return p
}

// Facts are what is known about the CPU and what the user gave: the input
// of EstimatePeak. Zero means unknown or not given.
type Facts struct {
	Features Features
	// Cores counted (the engine's threads, at most the logical CPUs).
	Cores int
	// ClockHz is a clock the user gave; MaxClockHz the maximum (boost)
	// clock the OS reports; CurrentClockHz the current clock.
	ClockHz, MaxClockHz, CurrentClockHz float64
	// Lanes overrides FMAUnit's FP32 FMA lanes per core per cycle.
	Lanes int
	// PeakFLOPS overrides the whole peak.
	PeakFLOPS float64
}

// EstimatePeak is the theoretical FP32 peak for f: Cores × FMA lanes × 2
// FLOPs × clock, unless PeakFLOPS is given. The clock is the one given,
// else the higher of the maximum and the current clock (the peak is an
// upper bound, and the maximum is the boost clock a loaded core may
// reach; the current clock is only a lower bound of it). It is an error
// when no clock is known and no peak given.
func EstimatePeak(f Facts) (Peak, error) {
	if f.Cores < 1 {
		return Peak{}, fmt.Errorf("cores: %d: want at least 1", f.Cores)
	}
	if f.Lanes < 0 || f.Lanes > 1024 {
		return Peak{}, fmt.Errorf("lanes: %d: want 1 to 1024 FMA lanes per cycle", f.Lanes)
	}
	if math.IsNaN(f.PeakFLOPS) || f.PeakFLOPS < 0 || f.PeakFLOPS > 1e18 {
		return Peak{}, fmt.Errorf("peak: %g FLOP/s: want more than 0 and at most 1e18", f.PeakFLOPS)
	}
	u := FMAUnit(f.Features)
	if f.Lanes > 0 {
		u = Unit{ISA: "given", Basis: fmt.Sprintf("given: %d FMA lanes", f.Lanes)}
	}
	lanes := u.Lanes()
	if f.Lanes > 0 {
		lanes = f.Lanes
	}
	p := Peak{FMALanes: lanes, FLOPsPerCycle: 2 * float64(lanes), ISA: u.ISA, FMAUnits: u.FMAUnits, Width: u.Width,
		Basis: u.Basis, Cores: f.Cores}
	switch {
	case f.ClockHz != 0:
		p.ClockHz, p.ClockSource = f.ClockHz, ClockGiven
	case f.MaxClockHz > 0 && f.MaxClockHz >= f.CurrentClockHz:
		p.ClockHz, p.ClockSource = f.MaxClockHz, ClockMax
	case f.CurrentClockHz > 0:
		p.ClockHz, p.ClockSource = f.CurrentClockHz, ClockCurrent
	}
	if p.ClockSource != "" && !(p.ClockHz >= 1e8 && p.ClockHz <= 1e10) {
		return Peak{}, fmt.Errorf("clock: %g Hz (%s): want between 0.1 and 10 GHz", p.ClockHz, p.ClockSource)
	}
	if f.PeakFLOPS > 0 {
		p.FLOPS, p.Source = f.PeakFLOPS, PeakGiven
		return p, nil
	}
	if p.ClockSource == "" {
		return Peak{}, errors.New("clock: unknown (no clock given, no maximum or current clock read): give the clock or the peak")
	}
	p.FLOPS, p.Source = float64(f.Cores)*p.FLOPsPerCycle*p.ClockHz, PeakEstimated
	return p, nil
}

// PeakFLOPS is the theoretical FP32 peak of cores cores at clockHz (a
// given clock); lanes, when positive, overrides FMAUnit(f). See
// EstimatePeak for the other facts.
func PeakFLOPS(f Features, cores int, clockHz float64, lanes int) (Peak, error) {
	if !(clockHz >= 1e8 && clockHz <= 1e10) {
		return Peak{}, fmt.Errorf("clock: %g Hz: want between 0.1 and 10 GHz", clockHz)
	}
	return EstimatePeak(Facts{Features: f, Cores: cores, ClockHz: clockHz, Lanes: lanes})
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
	// ClockHz (a clock the user gave), MaxClockHz and CurrentClockHz (read
	// by the caller) and PeakFLOPS (a given peak) are EstimatePeak's Facts;
	// at least one clock or the peak is required.
	ClockHz, MaxClockHz, CurrentClockHz float64
	PeakFLOPS                           float64
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

// Calibrate runs the measurements and rates them against the peak
// (EstimatePeak of c's facts). When a measurement exceeds the peak, the
// peak is raised to it (Peak.Raise, Peak.Source "measured") and every MFU
// is against the raised peak, so none exceeds 100%; the caller says so.

// It returns ctx's error if ctx is done before they finish.
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
	peak, err := EstimatePeak(Facts{Features: f, Cores: min(threads, runtime.NumCPU()), ClockHz: c.ClockHz,
		MaxClockHz: c.MaxClockHz, CurrentClockHz: c.CurrentClockHz, Lanes: c.Lanes, PeakFLOPS: c.PeakFLOPS})
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
		return m, nil
	}
	for _, n := range sizes {
		m, err := measure(Measurement{Op: "gemm", Size: n, FLOPs: 2 * float64(n) * float64(n) * float64(n)}, NewGEMM(n))
		if err != nil {
			return nil, err
		}
		r.GEMM = append(r.GEMM, m)
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
	r.rate()
	return r, nil
}

// rate raises the peak to the best measurement if that exceeds it, then
// sets every MFU and Best.
func (r *Result) rate() {
	for _, m := range r.GEMM {
		r.Peak = r.Peak.Raise(m.FLOPS)
	}
	if r.MLP != nil {
		r.Peak = r.Peak.Raise(r.MLP.FLOPS)
	}
	r.Best = Measurement{}
	for i := range r.GEMM {
		r.GEMM[i].MFU = r.GEMM[i].FLOPS / r.Peak.FLOPS
		if r.GEMM[i].MFU > r.Best.MFU {
			r.Best = r.GEMM[i]
		}
	}
	if r.MLP != nil {
		r.MLP.MFU = r.MLP.FLOPS / r.Peak.FLOPS
	}
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
