package cli

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/calibrate"
)

// benchMLP times one training step of the MLP 784→512→512→10 (the network
// of bench/pytorch/mlp.py) and counts its steady-state allocations.
func benchMLP(batch, threads, rounds int) (BenchResult, error) {
	step, err := calibrate.NewMLPStep(batch)
	if err != nil {
		return BenchResult{}, err
	}
	sec, err := calibrate.TimeBest(context.Background(), step, rounds, 200*time.Millisecond)
	if err != nil {
		return BenchResult{}, err
	}
	allocs := allocsPerRun(20, func() { _ = step() })
	return BenchResult{Op: "mlp", Batch: batch, Threads: threads,
		GFLOPS: calibrate.MLPFLOPs(batch) / sec / 1e9, MS: sec * 1e3,
		AllocsPerStep: &allocs}, nil
}

func newBenchMLPCommand(o *Options) *cobra.Command {
	var batch, rounds int
	cmd := &cobra.Command{
		Use:   "mlp",
		Short: T(o.Lang, "short.bench.mlp"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if batch < 1 || batch > 65536 {
				return fmt.Errorf("--batch %d: want 1..65536", batch)
			}
			if rounds < 1 {
				return fmt.Errorf("--rounds %d: want at least 1", rounds)
			}
			r, err := benchMLP(batch, o.Threads, rounds)
			if err != nil {
				return err
			}
			t := Table{Header: []string{o.T("op"), o.T("batch"), o.T("threads"), o.T("gflops"), o.T("ms"), o.T("allocs")},
				Right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true},
				Rows: [][]string{{r.Op, itoa(r.Batch), itoa(r.Threads), strconv.FormatFloat(r.GFLOPS, 'f', 1, 64),
					strconv.FormatFloat(r.MS, 'f', 3, 64), strconv.FormatFloat(*r.AllocsPerStep, 'f', 1, 64)}}}
			return o.render([]BenchResult{r}, t)
		},
	}
	cmd.Flags().IntVar(&batch, "batch", 256, "batch size")
	cmd.Flags().IntVar(&rounds, "rounds", 5, "timing rounds; the best is reported")
	return cmd
}

// allocsPerRun is testing.AllocsPerRun without importing testing into the
// binary: the mean number of heap allocations per call of fn, measured on
// one OS thread after a warm-up call.
func allocsPerRun(runs int, fn func()) float64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	fn()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		fn()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(runs)
}
