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
)

// This file holds `kaiwu compute calibrate`: read the clock (the edge's
// I/O) → compute/calibrate → table or JSON.

func init() {
	computeCommands = append(computeCommands, newComputeCalibrateCommand)
	addMessages(map[string][2]string{
		"short.compute.calibrate": {"Measure this CPU's achieved FLOP/s and MFU with the engine's SGEMM and an MLP step",
			"用引擎的 SGEMM 与 MLP 训练步测量本机 CPU 的实际 FLOP/s 与 MFU"},
		"calibrate.item":        {"item", "项目"},
		"calibrate.value":       {"value", "数值"},
		"calibrate.threads":     {"threads (cores counted)", "线程数（计入的核数）"},
		"calibrate.path":        {"GEMM kernel", "GEMM 内核"},
		"calibrate.basis":       {"FP32 FMA lanes per cycle", "每周期 FP32 FMA 通道"},
		"calibrate.clock":       {"clock", "主频"},
		"calibrate.peak":        {"theoretical peak", "理论峰值"},
		"calibrate.best":        {"best SGEMM MFU", "SGEMM 最佳 MFU"},
		"calibrate.op":          {"op", "运算"},
		"calibrate.size":        {"size / batch", "规模 / 批大小"},
		"calibrate.gflops":      {"GFLOP/s", "GFLOP/s"},
		"calibrate.ms":          {"ms", "毫秒"},
		"calibrate.mfu":         {"MFU", "MFU"},
		"calibrate.note":        {"cores may be hyperthreads of one physical core, and the clock read is the current one (turbo may exceed it): MFU above 100% means the peak is underestimated; set --clock-ghz or --lanes", "多个线程可能共享一个物理核，读取的主频为当前频率（睿频可能更高）：MFU 超过 100% 说明峰值被低估，可设 --clock-ghz 或 --lanes"},
		"calibrate.flag.sizes":  {"comma-separated square SGEMM sizes n", "逗号分隔的 SGEMM 方阵规模 n"},
		"calibrate.flag.batch":  {"MLP training-step batch (0 skips the MLP)", "MLP 训练步批大小（0 表示跳过）"},
		"calibrate.flag.clock":  {"core clock in GHz (default: cpu MHz from /proc/cpuinfo)", "核心主频 GHz（默认读取 /proc/cpuinfo 的 cpu MHz）"},
		"calibrate.flag.lanes":  {"FP32 FMA lanes per core per cycle (default: from the CPU features)", "每核每周期 FP32 FMA 通道数（默认按 CPU 特性估计）"},
		"calibrate.flag.rounds": {"timing rounds; the best is reported", "计时轮数，报告最佳"},
	})
}

// cpuInfo is what calibrate needs from /proc/cpuinfo.
type cpuInfo struct {
	MHz    float64
	Vendor string
	Family int
}

// parseCPUInfo reads the first processor's "cpu MHz", "vendor_id" and
// "cpu family" lines (x86 Linux); missing fields stay zero.
func parseCPUInfo(text string) cpuInfo {
	var ci cpuInfo
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "cpu MHz":
			if ci.MHz == 0 {
				ci.MHz, _ = strconv.ParseFloat(v, 64)
			}
		case "vendor_id":
			if ci.Vendor == "" {
				ci.Vendor = v
			}
		case "cpu family":
			if ci.Family == 0 {
				ci.Family, _ = strconv.Atoi(v)
			}
		}
	}
	return ci
}

// calibrateOutput is the --json shape: the calibration and where the
// clock came from.
type calibrateOutput struct {
	*calibrate.Result
	ClockSource string `json:"clock_source"`
}

func newComputeCalibrateCommand(o *Options) *cobra.Command {
	var sizes string
	var batch, lanes, rounds int
	var clockGHz float64
	cmd := &cobra.Command{
		Use:   "calibrate [--sizes 256,512,1024] [--clock-ghz X]",
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
			f := calibrate.Detect()
			var ci cpuInfo
			if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
				ci = parseCPUInfo(string(b))
			}
			f.Vendor, f.Family = ci.Vendor, ci.Family
			src := "--clock-ghz"
			hz := clockGHz * 1e9
			if !c.Flags().Changed("clock-ghz") {
				if ci.MHz <= 0 {
					return fmt.Errorf("--clock-ghz: no \"cpu MHz\" in /proc/cpuinfo; give the clock")
				}
				hz, src = ci.MHz*1e6, "/proc/cpuinfo cpu MHz"
			} else if math.IsNaN(clockGHz) || clockGHz < 0.1 || clockGHz > 10 {
				return fmt.Errorf("--clock-ghz %g: want 0.1 to 10", clockGHz)
			}
			fmt.Fprintln(o.Err(), o.T("benchmarking")+" …")
			r, err := calibrate.Calibrate(context.Background(), calibrate.Config{Sizes: ns, MLPBatch: batch,
				Features: &f, ClockHz: hz, Lanes: lanes, Rounds: rounds, MinRound: 200 * time.Millisecond})
			if err != nil {
				return err
			}
			out := calibrateOutput{Result: r, ClockSource: src}
			if o.JSON {
				return writeJSON(o.Out(), out)
			}
			sum := Table{Header: []string{o.T("calibrate.item"), o.T("calibrate.value")}, Right: map[int]bool{1: true}}
			add := func(k, v string) { sum.Rows = append(sum.Rows, []string{o.T(k), v}) }
			add("calibrate.threads", fmt.Sprintf("%d (%d)", r.Threads, r.Peak.Cores))
			add("calibrate.path", r.GEMMPath)
			add("calibrate.basis", fmt.Sprintf("%d — %s", r.Peak.FMALanes, r.Peak.Basis))
			add("calibrate.clock", fmtF(r.Peak.ClockHz/1e9, 3)+" GHz ("+src+")")
			add("calibrate.peak", fmtF(r.Peak.FLOPS/1e9, 1)+" GFLOP/s")
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
				rows.Rows = append(rows.Rows, []string{m.Op, itoa(n), fmtF(m.FLOPS/1e9, 1), fmtF(m.Seconds*1e3, 3),
					fmtF(100*m.MFU, 1) + "%"})
			}
			if err := sum.Write(o.Out()); err != nil {
				return err
			}
			fmt.Fprintln(o.Out())
			if err := rows.Write(o.Out()); err != nil {
				return err
			}
			_, err = fmt.Fprintln(o.Out(), "\n"+o.T("calibrate.note"))
			return err
		},
	}
	cmd.Flags().StringVar(&sizes, "sizes", "256,512,1024", o.T("calibrate.flag.sizes"))
	cmd.Flags().IntVar(&batch, "mlp-batch", 256, o.T("calibrate.flag.batch"))
	cmd.Flags().Float64Var(&clockGHz, "clock-ghz", 0, o.T("calibrate.flag.clock"))
	cmd.Flags().IntVar(&lanes, "lanes", 0, o.T("calibrate.flag.lanes"))
	cmd.Flags().IntVar(&rounds, "rounds", 3, o.T("calibrate.flag.rounds"))
	return cmd
}
