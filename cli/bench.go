package cli

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/calibrate"
)

// BenchResult is the stable JSON shape of one `kaiwu bench` measurement.
// Size is set for gemm (n for an n×n×n product), Batch for the training
// steps (mlp, cnn, lstm, gpt).
type BenchResult struct {
	Op      string  `json:"op"`
	Size    int     `json:"size,omitempty"`
	Batch   int     `json:"batch,omitempty"`
	Threads int     `json:"threads"`
	GFLOPS  float64 `json:"gflops"`
	MS      float64 `json:"ms"`
	// AllocsPerStep is reported by the training steps (mlp, cnn, lstm,
	// gpt): heap allocations per step in the steady state.
	AllocsPerStep *float64 `json:"allocs_per_step,omitempty"`
}

func itoa(n int) string { return strconv.Itoa(n) }

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 16384 {
			return nil, fmt.Errorf("--sizes: %q is not a size between 1 and 16384", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--sizes: no sizes given")
	}
	return out, nil
}

func newBenchCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: T(o.Lang, "short.bench"),
	}
	var sizes string
	var rounds int
	gemm := &cobra.Command{
		Use:   "gemm",
		Short: T(o.Lang, "short.bench.gemm"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			ns, err := parseSizes(sizes)
			if err != nil {
				return err
			}
			if rounds < 1 {
				return fmt.Errorf("--rounds %d: want at least 1", rounds)
			}
			sort.Ints(ns)
			var res []BenchResult
			for _, n := range ns {
				r, err := benchGEMM(n, o.Threads, rounds)
				if err != nil {
					return err
				}
				res = append(res, r)
			}
			t := Table{Header: []string{o.T("op"), o.T("size"), o.T("threads"), o.T("gflops"), o.T("ms")},
				Right: map[int]bool{1: true, 2: true, 3: true, 4: true}}
			for _, r := range res {
				t.Rows = append(t.Rows, []string{r.Op, itoa(r.Size), itoa(r.Threads),
					strconv.FormatFloat(r.GFLOPS, 'f', 1, 64), strconv.FormatFloat(r.MS, 'f', 3, 64)})
			}
			return o.render(res, t)
		},
	}
	gemm.Flags().StringVar(&sizes, "sizes", "256,512,1024,2048", "comma-separated square sizes n (C[n×n] = A[n×n]·B[n×n])")
	gemm.Flags().IntVar(&rounds, "rounds", 5, "timing rounds; the best is reported")
	cmd.AddCommand(gemm)
	cmd.AddCommand(newBenchMLPCommand(o))
	cmd.AddCommand(newBenchModelCommands(o)...)
	return cmd
}

// benchGEMM times C = A·B for n×n float32 matrices.
func benchGEMM(n, threads, rounds int) (BenchResult, error) {
	sec, err := calibrate.TimeBest(context.Background(), calibrate.NewGEMM(n), rounds, 200*time.Millisecond)
	if err != nil {
		return BenchResult{}, err
	}
	flops := 2 * float64(n) * float64(n) * float64(n)
	return BenchResult{Op: "gemm", Size: n, Threads: threads, GFLOPS: flops / sec / 1e9, MS: sec * 1e3}, nil
}
