package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// DemoMLPResult is the stable JSON shape of `kaiwu demo mlp --json`.
type DemoMLPResult struct {
	Dataset       string    `json:"dataset"`
	TrainSamples  int       `json:"train_samples"`
	TestSamples   int       `json:"test_samples"`
	Model         string    `json:"model"`
	Parameters    int       `json:"parameters"`
	Optimizer     string    `json:"optimizer"`
	Epochs        int       `json:"epochs"`
	FinalLoss     float64   `json:"final_loss"`
	TrainAccuracy float64   `json:"train_accuracy"`
	TestAccuracy  float64   `json:"test_accuracy"`
	Seconds       float64   `json:"seconds"`
	LossCurve     []float64 `json:"loss_curve"`
}

// demoMLPConfig are the knobs of `kaiwu demo mlp`.
type demoMLPConfig struct {
	Epochs, Points, Hidden, Batch int
	LR, Turns, Noise              float64
	Seed                          uint64
}

func (c demoMLPConfig) validate() error {
	switch {
	case c.Epochs < 1 || c.Epochs > 100000:
		return fmt.Errorf("--epochs %d: want 1..100000", c.Epochs)
	case c.Points < 10 || c.Points > 1000000:
		return fmt.Errorf("--points %d: want 10..1000000 points per class", c.Points)
	case c.Hidden < 1 || c.Hidden > 8192:
		return fmt.Errorf("--hidden %d: want 1..8192", c.Hidden)
	case c.Batch < 1:
		return fmt.Errorf("--batch %d: want a positive batch size", c.Batch)
	case !(c.LR > 0 && c.LR < 10):
		return fmt.Errorf("--lr %g: want a learning rate in (0, 10)", c.LR)
	case !(c.Turns > 0 && c.Turns <= 100):
		return fmt.Errorf("--turns %g: want a number of turns in (0, 100]", c.Turns)
	case !(c.Noise >= 0 && c.Noise <= 10):
		return fmt.Errorf("--noise %g: want a standard deviation in [0, 10]", c.Noise)
	}
	return nil
}

// runDemoMLP trains the spirals MLP until done or ctx is done; progress
// (may be nil) is told per epoch.
func runDemoMLP(ctx context.Context, c demoMLPConfig, progress train.Progress) (DemoMLPResult, error) {
	if err := c.validate(); err != nil {
		return DemoMLPResult{}, err
	}
	ds, err := data.TwoSpirals(c.Points, c.Turns, c.Noise, c.Seed)
	if err != nil {
		return DemoMLPResult{}, err
	}
	tr, te, err := ds.Split(0.2, c.Seed+1)
	if err != nil {
		return DemoMLPResult{}, err
	}
	model, err := nn.NewMLP(tensor.NewRNG(c.Seed+2), 2, c.Hidden, c.Hidden, 2)
	if err != nil {
		return DemoMLPResult{}, err
	}
	opt, err := optim.NewAdam(nn.Tensors(model), float32(c.LR))
	if err != nil {
		return DemoMLPResult{}, err
	}
	start := time.Now()
	h, err := train.FitClassifierContext(ctx, model, opt, tr, train.Config{Epochs: c.Epochs, BatchSize: c.Batch, Seed: c.Seed + 3}, progress)
	if err != nil {
		return DemoMLPResult{}, err
	}
	secs := time.Since(start).Seconds()
	trAcc, err := train.Accuracy(model, tr)
	if err != nil {
		return DemoMLPResult{}, err
	}
	teAcc, err := train.Accuracy(model, te)
	if err != nil {
		return DemoMLPResult{}, err
	}
	return DemoMLPResult{
		Dataset: "two-spirals", TrainSamples: tr.Len(), TestSamples: te.Len(),
		Model:      fmt.Sprintf("mlp 2-%d-%d-2", c.Hidden, c.Hidden),
		Parameters: nn.NumParams(model), Optimizer: "adam", Epochs: c.Epochs,
		FinalLoss: h.Loss[len(h.Loss)-1], TrainAccuracy: trAcc, TestAccuracy: teAcc,
		Seconds: secs, LossCurve: h.Loss,
	}, nil
}

// interruptible returns cmd's context, canceled by Ctrl-C (SIGINT) or
// SIGTERM until stop is called; a demo stops at its next step then.
func interruptible(cmd *cobra.Command) (ctx context.Context, stop context.CancelFunc) {
	ctx = cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	return onInterrupt(ctx)
}

// onInterrupt returns a copy of ctx that Ctrl-C (SIGINT) or SIGTERM
// cancels until stop is called.
func onInterrupt(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// newTrainingBar is the progress bar of a training loop of total steps
// on o's standard error: the count, the ETA and the elapsed time, cleared
// when it finishes.
func newTrainingBar(o *Options, total int) *progressbar.ProgressBar {
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(o.Err()),
		progressbar.OptionSetDescription(o.T("training")),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
}

// stepBar is a training progress bar made at the first update, when the
// number of steps is known; the zero value has no bar yet.
type stepBar struct{ bar *progressbar.ProgressBar }

// update moves the bar to step of total and shows the loss, after
// "epoch e/E" when epochs > 0.
func (b *stepBar) update(o *Options, total, step, epoch, epochs int, loss float64) {
	if b.bar == nil {
		b.bar = newTrainingBar(o, total)
	}
	d := fmt.Sprintf("%s %s %.4f", o.T("training"), o.T("loss"), loss)
	if epochs > 0 {
		d = fmt.Sprintf("%s %d/%d %s", o.T("epoch"), epoch, epochs, d)
	}
	b.bar.Describe(d)
	_ = b.bar.Set(step)
}

// finish completes the bar, if there is one.
func (b *stepBar) finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
	}
}

// interrupted marks err, the error of a demo, as an interruption when
// ctx (from interruptible) is done and err comes from it.
func interrupted(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && errors.Is(err, cerr) {
		return fmt.Errorf("interrupted: %w", err)
	}
	return err
}

// demoCommands are further `kaiwu demo` subcommands; their files register
// constructors in an init function, as the finance topics do.
var demoCommands []func(o *Options) *cobra.Command

func newDemoCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{Use: "demo", Short: T(o.Lang, "short.demo")}
	for _, f := range demoCommands {
		cmd.AddCommand(f(o))
	}
	c := demoMLPConfig{}
	mlp := &cobra.Command{
		Use:   "mlp",
		Short: T(o.Lang, "short.demo.mlp"),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := c.validate(); err != nil {
				return err
			}
			bar := newTrainingBar(o, c.Epochs)
			ctx, stop := interruptible(cmd)
			defer stop()
			res, err := runDemoMLP(ctx, c, func(epoch, epochs int, loss float64) {
				bar.Describe(fmt.Sprintf("%s %s %.4f", o.T("training"), o.T("loss"), loss))
				_ = bar.Set(epoch)
			})
			if err != nil {
				_ = bar.Exit()
				fmt.Fprintln(o.Err())
				return interrupted(ctx, err)
			}
			_ = bar.Finish()
			f := func(x float64, p int) string { return strconv.FormatFloat(x, 'f', p, 64) }
			pct := func(x float64) string { return f(100*x, 1) + "%" }
			t := Table{Rows: [][]string{
				{o.T("demo.mlp.dataset"), fmt.Sprintf("%s (%d / %d)", res.Dataset, res.TrainSamples, res.TestSamples)},
				{o.T("demo.mlp.model"), res.Model},
				{o.T("demo.mlp.params"), itoa(res.Parameters)},
				{o.T("demo.mlp.optim"), res.Optimizer},
				{o.T("epoch"), itoa(res.Epochs)},
				{o.T("loss"), f(res.FinalLoss, 4)},
				{o.T("train.acc"), pct(res.TrainAccuracy)},
				{o.T("test.acc"), pct(res.TestAccuracy)},
				{o.T("demo.mlp.time"), f(res.Seconds, 2) + " s"},
			}}
			return o.render(res, t)
		},
	}
	fl := mlp.Flags()
	fl.IntVar(&c.Epochs, "epochs", 200, "training epochs")
	fl.IntVar(&c.Points, "points", 500, "points per class")
	fl.IntVar(&c.Hidden, "hidden", 64, "width of the two hidden layers")
	fl.IntVar(&c.Batch, "batch", 64, "mini-batch size")
	fl.Float64Var(&c.LR, "lr", 0.01, "Adam learning rate")
	fl.Float64Var(&c.Turns, "turns", 1.5, "turns of each spiral")
	fl.Float64Var(&c.Noise, "noise", 0.02, "standard deviation of the noise added to each coordinate")
	fl.Uint64Var(&c.Seed, "seed", 1, "random seed (data, initialisation, shuffling)")
	cmd.AddCommand(mlp)
	return cmd
}
