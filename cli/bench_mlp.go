package cli

import (
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// mlpBenchSizes is the benchmark network, the same as bench/pytorch/mlp.py.
var mlpBenchSizes = []int{784, 512, 512, 10}

// mlpBench is one prepared MLP training step on random data.
type mlpBench struct {
	step    *train.Stepper
	x       *tensor.Tensor
	targets []int
}

func newMLPBench(batch int) (*mlpBench, error) {
	rng := tensor.NewRNG(1)
	model, err := nn.NewMLP(rng, mlpBenchSizes...)
	if err != nil {
		return nil, err
	}
	opt, err := optim.NewAdam(nn.Tensors(model), 1e-3)
	if err != nil {
		return nil, err
	}
	x, err := tensor.Randn(rng, batch, mlpBenchSizes[0])
	if err != nil {
		return nil, err
	}
	targets := make([]int, batch)
	for i := range targets {
		targets[i] = rng.Intn(mlpBenchSizes[len(mlpBenchSizes)-1])
	}
	return &mlpBench{step: train.NewStepper(model, opt), x: x, targets: targets}, nil
}

func (b *mlpBench) run() error {
	_, err := b.step.Step(b.x, b.targets)
	return err
}

// mlpFLOPs counts the GEMM work of one step: forward and two backward
// products per layer.
func mlpFLOPs(batch int) float64 {
	s := 0
	for i := 0; i+1 < len(mlpBenchSizes); i++ {
		s += mlpBenchSizes[i] * mlpBenchSizes[i+1]
	}
	return 6 * float64(batch) * float64(s)
}

func benchMLP(batch, threads, rounds int) (BenchResult, error) {
	b, err := newMLPBench(batch)
	if err != nil {
		return BenchResult{}, err
	}
	var stepErr error
	per := timeBest(func() {
		if err := b.run(); err != nil && stepErr == nil {
			stepErr = err
		}
	}, rounds, 200*time.Millisecond)
	if stepErr != nil {
		return BenchResult{}, stepErr
	}
	allocs := allocsPerRun(20, func() { _ = b.run() })
	return BenchResult{Op: "mlp", Batch: batch, Threads: threads,
		GFLOPS: mlpFLOPs(batch) / per.Seconds() / 1e9, MS: float64(per.Nanoseconds()) / 1e6,
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
