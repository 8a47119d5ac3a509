package cli

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/calibrate"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// This file holds `kaiwu compute calibrate`: read the clock (the edge's
// I/O) → compute/calibrate → table or JSON.

func init() {
	computeCommands = append(computeCommands, newComputeCalibrateCommand)
	addMessages(map[string][2]string{
		"short.compute.calibrate": {"Measure this CPU's achieved FLOP/s and MFU with the engine's SGEMM and an MLP step",
			"用引擎的 SGEMM 与 MLP 训练步测量本机 CPU 的实际 FLOP/s 与 MFU"},
		"calibrate.item":    {"item", "项目"},
		"calibrate.value":   {"value", "数值"},
		"calibrate.threads": {"threads (cores counted)", "线程数（计入的核数）"},
		"calibrate.path":    {"GEMM kernel", "GEMM 内核"},
		"calibrate.basis":   {"FP32 FMA lanes per cycle", "每周期 FP32 FMA 通道"},
		"calibrate.clock":   {"clock", "主频"},
		"calibrate.peak":    {"theoretical peak", "理论峰值"},
		"calibrate.best":    {"best SGEMM MFU", "SGEMM 最佳 MFU"},
		"calibrate.op":      {"op", "运算"},
		"calibrate.size":    {"size / batch", "规模 / 批大小"},
		"calibrate.gflops":  {"GFLOP/s", "GFLOP/s"},
		"calibrate.ms":      {"ms", "毫秒"},
		"calibrate.mfu":     {"MFU", "MFU"},

		"calibrate.isa.avx512":        {"AVX-512: 2 FMA units × 16 FP32 lanes", "AVX-512：2 个 FMA 单元 × 16 个 FP32 通道"},
		"calibrate.isa.avx512-zen4":   {"AVX-512 on AMD Zen 4: 2 × 256-bit FMA units = 16 FP32 lanes", "AMD Zen 4 上的 AVX-512：2 个 256 位 FMA 单元 = 16 个 FP32 通道"},
		"calibrate.isa.avx2-fma":      {"AVX2+FMA: 2 FMA units × 8 FP32 lanes", "AVX2+FMA：2 个 FMA 单元 × 8 个 FP32 通道"},
		"calibrate.isa.avx2-fma-zen1": {"AVX2+FMA on AMD Zen/Zen+ or Hygon Dhyana: 2 × 128-bit FMA units = 8 FP32 lanes", "AMD Zen/Zen+ 或海光 Dhyana 上的 AVX2+FMA：2 个 128 位 FMA 单元 = 8 个 FP32 通道"},
		"calibrate.isa.fma-bulldozer": {"FMA on AMD Bulldozer family: 2 × 128-bit FMA units shared by 2 cores = 4 FP32 lanes per core", "AMD Bulldozer 系列的 FMA：2 个核共享 2 个 128 位 FMA 单元 = 每核 4 个 FP32 通道"},
		"calibrate.isa.avx":           {"AVX: 8-wide add + 8-wide multiply", "AVX：8 路加法 + 8 路乘法"},
		"calibrate.isa.sse2":          {"SSE2: 4-wide add + 4-wide multiply", "SSE2：4 路加法 + 4 路乘法"},
		"calibrate.isa.asimd":         {"Arm Advanced SIMD: 2 FMA pipes × 4 FP32 lanes", "Arm Advanced SIMD：2 条 FMA 流水线 × 4 个 FP32 通道"},
		"calibrate.isa.scalar":        {"scalar FMA (no known vector unit)", "标量 FMA（未识别向量单元）"},
		"calibrate.isa.given":         {"given: {lanes} FMA lanes", "指定：{lanes} 个 FMA 通道"},

		"calibrate.src.given":   {"--clock-ghz", "--clock-ghz"},
		"calibrate.src.max":     {"maximum (boost) clock, cpufreq cpuinfo_max_freq", "最高（睿频）主频，cpufreq cpuinfo_max_freq"},
		"calibrate.src.current": {"current clock, /proc/cpuinfo cpu MHz: boost may be higher", "当前主频，/proc/cpuinfo cpu MHz：睿频可能更高"},
		"calibrate.peak.given":  {"--peak-gflops", "--peak-gflops"},
		"calibrate.peak.raised": {"raised to the measurement; estimate {estimate}", "已提高至实测值；估计值 {estimate}"},

		"calibrate.notes": {"notes", "说明"},
		"calibrate.note.raised": {"The measured {measured} GFLOP/s exceeds the estimated peak {estimate} GFLOP/s ({clock} GHz × {cores} cores × {fpc} FLOPs per cycle), which is impossible, so the peak is raised to the measurement (its MFU reads 100%). The measurement implies a clock of at least {implied} GHz: the cores boost above the clock used. Give --peak-gflops (or --clock-ghz, the maximum boost clock) for a true figure.",
			"实测 {measured} GFLOP/s 超过估计峰值 {estimate} GFLOP/s（{clock} GHz × {cores} 核 × 每周期 {fpc} FLOPs），这不可能，因此峰值提高至实测值（其 MFU 显示为 100%）。实测值意味着主频至少 {implied} GHz：核心睿频高于所用主频。可用 --peak-gflops（或 --clock-ghz，即最高睿频）给出准确值。"},
		"calibrate.note.raised.given": {"The measured {measured} GFLOP/s exceeds the given peak {estimate} GFLOP/s, so the peak is raised to the measurement (its MFU reads 100%): check --peak-gflops.",
			"实测 {measured} GFLOP/s 超过指定峰值 {estimate} GFLOP/s，因此峰值提高至实测值（其 MFU 显示为 100%）：请检查 --peak-gflops。"},
		"calibrate.note.current": {"The clock is the current one from /proc/cpuinfo (no cpufreq maximum here, as in most VMs); cores that boost run faster, so the peak may be low and MFU high. Give --clock-ghz (the maximum boost clock) or --peak-gflops.",
			"主频取自 /proc/cpuinfo 的当前频率（此处无 cpufreq 最高频率，虚拟机中常见）；睿频时核心更快，因此峰值可能偏低、MFU 偏高。可用 --clock-ghz（最高睿频）或 --peak-gflops 指定。"},
		"calibrate.note.smt": {"Logical CPUs are counted as cores: if they are hyperthreads of fewer physical cores, which share FMA units, the peak is overstated and MFU understated.",
			"逻辑 CPU 按核计算：若它们是较少物理核上的超线程（共享 FMA 单元），峰值被高估、MFU 被低估。"},

		"calibrate.flag.sizes":  {"comma-separated square SGEMM sizes n", "逗号分隔的 SGEMM 方阵规模 n"},
		"calibrate.flag.batch":  {"MLP training-step batch (0 skips the MLP)", "MLP 训练步批大小（0 表示跳过）"},
		"calibrate.flag.clock":  {"core clock in GHz (default: cpufreq's maximum clock, else cpu MHz from /proc/cpuinfo)", "核心主频 GHz（默认取 cpufreq 最高主频，否则取 /proc/cpuinfo 的 cpu MHz）"},
		"calibrate.flag.lanes":  {"FP32 FMA lanes per core per cycle (default: from the CPU features)", "每核每周期 FP32 FMA 通道数（默认按 CPU 特性估计）"},
		"calibrate.flag.peak":   {"theoretical peak of the cores used, in GFLOP/s (overrides clock and lanes)", "所用核心的理论峰值 GFLOP/s（覆盖主频与通道数）"},
		"calibrate.flag.rounds": {"timing rounds; the best is reported", "计时轮数，报告最佳"},
	})
}

// cpuInfo is what calibrate needs from /proc/cpuinfo.
type cpuInfo struct {
	MHz    float64
	Vendor string
	Family int
	Model  int
}

// parseCPUInfo reads the first processor's "cpu MHz", "vendor_id", "cpu
// family" and "model" lines (x86 Linux); missing fields stay zero.
func parseCPUInfo(text string) cpuInfo {
	var ci cpuInfo
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if seen[k] {
			continue
		}
		seen[k] = true
		switch k {
		case "cpu MHz":
			ci.MHz, _ = strconv.ParseFloat(v, 64)
		case "vendor_id":
			ci.Vendor = v
		case "cpu family":
			ci.Family, _ = strconv.Atoi(v)
		case "model":
			ci.Model, _ = strconv.Atoi(v)
		}
	}
	return ci
}

// cpufreqMaxPath holds the maximum clock of CPU 0 in kHz (Linux cpufreq).
const cpufreqMaxPath = "/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"

// parseMaxFreq reads cpuinfo_max_freq (kHz) as Hz; 0 when it is not a
// positive number.
func parseMaxFreq(text string) float64 {
	khz, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	if err != nil || !(khz > 0) {
		return 0
	}
	return khz * 1e3
}

// calibrateOutput is the --json shape: the calibration and where the
// clock (or the peak) came from.
type calibrateOutput struct {
	*calibrate.Result
	ClockSource string `json:"clock_source"`
}

// clockSource names where the peak's clock (or the peak) came from, for
// the JSON's clock_source.
func clockSource(p calibrate.Peak, peakGiven bool) string {
	switch {
	case peakGiven:
		return "--peak-gflops"
	case p.ClockSource == calibrate.ClockGiven:
		return "--clock-ghz"
	case p.ClockSource == calibrate.ClockMax:
		return "cpufreq cpuinfo_max_freq"
	}
	return "/proc/cpuinfo cpu MHz"
}

func newComputeCalibrateCommand(o *Options) *cobra.Command {
	var sizes string
	var batch, lanes, rounds int
	var clockGHz, peakGFLOPS float64
	cmd := &cobra.Command{
		Use:   "calibrate [--sizes 256,512,1024] [--clock-ghz X] [--peak-gflops P]",
		Short: o.T("short.compute.calibrate"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			ns, err := serveIntList("sizes", sizes)
			if err != nil {
				return err
			}
			for _, n := range ns {
				if n > 16384 {
					return fmt.Errorf("--sizes: %d is above 16384", n)
				}
			}
			if batch < 0 || batch > 65536 {
				return fmt.Errorf("--mlp-batch %d: want 0 to 65536", batch)
			}
			if batch == 0 {
				batch = -1
			}
			if rounds < 1 || rounds > 100 {
				return fmt.Errorf("--rounds %d: want 1 to 100", rounds)
			}
			if lanes < 0 || lanes > 1024 {
				return fmt.Errorf("--lanes %d: want 1 to 1024", lanes)
			}
			if c.Flags().Changed("clock-ghz") && (math.IsNaN(clockGHz) || clockGHz < 0.1 || clockGHz > 10) {
				return fmt.Errorf("--clock-ghz %g: want 0.1 to 10", clockGHz)
			}
			if c.Flags().Changed("peak-gflops") && (math.IsNaN(peakGFLOPS) || peakGFLOPS <= 0 || peakGFLOPS > 1e9) {
				return fmt.Errorf("--peak-gflops %g: want more than 0 and at most 1e9", peakGFLOPS)
			}
			// The edge's I/O: CPU facts from /proc/cpuinfo and cpufreq.
			f := calibrate.Detect()
			var ci cpuInfo
			if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
				ci = parseCPUInfo(string(b))
			}
			f.Vendor, f.Family, f.Model = ci.Vendor, ci.Family, ci.Model
			var maxHz float64
			if b, err := os.ReadFile(cpufreqMaxPath); err == nil {
				maxHz = parseMaxFreq(string(b))
			}
			cfg := calibrate.Config{Sizes: ns, MLPBatch: batch, Features: &f, ClockHz: clockGHz * 1e9,
				MaxClockHz: maxHz, CurrentClockHz: ci.MHz * 1e6, PeakFLOPS: peakGFLOPS * 1e9, Lanes: lanes,
				Rounds: rounds, MinRound: 200 * time.Millisecond}
			if cfg.ClockHz == 0 && cfg.MaxClockHz == 0 && cfg.CurrentClockHz <= 0 && cfg.PeakFLOPS == 0 {
				return fmt.Errorf("--clock-ghz: no clock in %s or /proc/cpuinfo (\"cpu MHz\"); give --clock-ghz or --peak-gflops", cpufreqMaxPath)
			}
			fmt.Fprintln(o.Err(), o.T("benchmarking")+" …")
			r, err := calibrate.Calibrate(context.Background(), cfg)
			if err != nil {
				return err
			}
			out := calibrateOutput{Result: r, ClockSource: clockSource(r.Peak, cfg.PeakFLOPS > 0)}
			if o.JSON {
				return writeJSON(o.Out(), out)
			}
			return writeCalibrate(o, r, cfg.PeakFLOPS > 0)
		},
	}
	cmd.Flags().StringVar(&sizes, "sizes", "256,512,1024", o.T("calibrate.flag.sizes"))
	cmd.Flags().IntVar(&batch, "mlp-batch", 256, o.T("calibrate.flag.batch"))
	cmd.Flags().Float64Var(&clockGHz, "clock-ghz", 0, o.T("calibrate.flag.clock"))
	cmd.Flags().IntVar(&lanes, "lanes", 0, o.T("calibrate.flag.lanes"))
	cmd.Flags().Float64Var(&peakGFLOPS, "peak-gflops", 0, o.T("calibrate.flag.peak"))
	cmd.Flags().IntVar(&rounds, "rounds", 3, o.T("calibrate.flag.rounds"))
	return cmd
}

// gf formats FLOP/s as GFLOP/s with one decimal.
func gf(flops float64) string { return fmtF(flops/1e9, 1) }

// writeCalibrate prints the calibration: the peak and how it was found,
// the measurements, and notes explaining the peak.
func writeCalibrate(o *Options, r *calibrate.Result, peakGiven bool) error {
	p := r.Peak
	sum := Table{Header: []string{o.T("calibrate.item"), o.T("calibrate.value")}, Right: map[int]bool{1: true}}
	add := func(k, v string) { sum.Rows = append(sum.Rows, []string{o.T(k), v}) }
	add("calibrate.threads", fmt.Sprintf("%d (%d)", r.Threads, p.Cores))
	add("calibrate.path", r.GEMMPath)
	basis := p.Basis
	if k := "calibrate.isa." + p.ISA; messages[k] != [2]string{} {
		basis = msg.Format(o.T(k), map[string]string{"lanes": strconv.Itoa(p.FMALanes)})
	}
	add("calibrate.basis", fmt.Sprintf("%d — %s", p.FMALanes, basis))
	if p.ClockSource != "" {
		add("calibrate.clock", fmtF(p.ClockHz/1e9, 3)+" GHz ("+o.T("calibrate.src."+p.ClockSource)+")")
	}
	peak := gf(p.FLOPS) + " GFLOP/s"
	switch p.Source {
	case calibrate.PeakGiven:
		peak += " (" + o.T("calibrate.peak.given") + ")"
	case calibrate.PeakMeasured:
		peak += " (" + msg.Format(o.T("calibrate.peak.raised"), map[string]string{"estimate": gf(p.Estimate)}) + ")"
	}
	add("calibrate.peak", peak)
	add("calibrate.best", fmt.Sprintf("%s%% (n = %d)", fmtF(100*r.Best.MFU, 1), r.Best.Size))
	rows := Table{Header: []string{o.T("calibrate.op"), o.T("calibrate.size"), o.T("calibrate.gflops"),
		o.T("calibrate.ms"), o.T("calibrate.mfu")}, Right: map[int]bool{1: true, 2: true, 3: true, 4: true}}
	ms := r.GEMM
	if r.MLP != nil {
		ms = append(ms, *r.MLP)
	}
	for _, m := range ms {
		n := m.Size
		if m.Op == "mlp" {
			n = m.Batch
		}
		rows.Rows = append(rows.Rows, []string{m.Op, itoa(n), gf(m.FLOPS), fmtF(m.Seconds*1e3, 3), fmtF(100*m.MFU, 1) + "%"})
	}
	w := o.Out()
	if err := sum.Write(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := rows.Write(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, o.T("calibrate.notes"))
	for _, n := range calibrateNotes(o, p, peakGiven) {
		fmt.Fprintln(w, "- "+n)
	}
	return nil
}

// calibrateNotes explain the peak: why it was raised (an MFU that would
// have passed 100%; peakGiven: the user's --peak-gflops was too low), a
// clock that may be below the boost clock, and hyperthreads.
func calibrateNotes(o *Options, p calibrate.Peak, peakGiven bool) []string {
	var out []string
	switch {
	case p.Raised() && peakGiven:
		out = append(out, msg.Format(o.T("calibrate.note.raised.given"), map[string]string{"measured": gf(p.FLOPS), "estimate": gf(p.Estimate)}))
	case p.Raised():
		out = append(out, msg.Format(o.T("calibrate.note.raised"), map[string]string{
			"measured": gf(p.FLOPS), "estimate": gf(p.Estimate), "clock": fmtF(p.ClockHz/1e9, 3),
			"cores": strconv.Itoa(p.Cores), "fpc": fmtF(p.FLOPsPerCycle, 0), "implied": fmtF(p.ImpliedClockHz()/1e9, 2)}))
	case p.ClockSource == calibrate.ClockCurrent && p.Source == calibrate.PeakEstimated:
		out = append(out, o.T("calibrate.note.current"))
	}
	return append(out, o.T("calibrate.note.smt"))
}
