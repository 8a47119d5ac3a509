// Package recipes trains real models on real data with fixed recipes:
// a multilayer perceptron and a small CNN on Fashion-MNIST, a
// character-level GPT on the 300 Tang poems, an LSTM on the adding
// problem and an MLP regression on a messy tabular CSV.
//
// Each recipe is a pure function of its Config (and a context that can
// stop it, see Canceling below): it builds the model with
// a seeded initialisation, trains it with a fixed optimiser, learning rate,
// batch size and length, evaluates it on a held-out split, and returns a
// Result (per-epoch loss and metric, final test metrics, wall time). The
// same recipes are written in PyTorch in bench/pytorch/recipes/, and
// bench/RESULTS.md ("Real models") compares the two.
//
// The full recipes take minutes on two cores; the tests run each one for
// a handful of steps on a small subset.
//
// # Canceling
//
// Every recipe takes a context.Context first. It checks the context
// before every optimizer step, between the batches of every evaluation,
// while it prepares the data and while PoetryGPT generates its samples,
// and when the context is done returns an error that wraps ctx.Err()
// (errors.Is(err, context.Canceled)) and says where the run stopped:
// "recipes: fashion-cnn: canceled at step 1200 of 4690 (epoch 2 of 5):
// context canceled". The Result returned with it describes the setup
// (data, model, optimizer); its training fields are incomplete.
package recipes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// Update is one progress report of a running recipe: one after every
// optimizer step, and one more after every evaluation on the held-out
// split (with Eval set and the Step it followed).
type Update struct {
	Step  int // optimizer steps done
	Steps int // optimizer steps planned
	// Epoch is the current epoch (from 1) and Epochs the planned number;
	// both are 0 for recipes that train by steps.
	Epoch, Epochs int
	// Loss is the mean training loss of the current epoch so far (or of
	// the recent steps, for step-based recipes).
	Loss    float64
	Elapsed time.Duration
	ETA     time.Duration // estimated time left; 0 when unknown
	// LR is the learning rate the optimizer used for step Step: the
	// configured rate, or for PoetryGPT its warmup-cosine schedule's
	// value at that step.
	LR float64
	// Eval, when set, is the evaluation just made on the held-out split,
	// as it is then appended to Result.History; Metric names its
	// TestMetric (the Result's Metric). Both are zero on the Updates of
	// steps.
	Eval   *EpochLog
	Metric string
}

// Progress receives Updates; a nil Progress is allowed everywhere.
type Progress func(Update)

// EpochLog is what a recipe measured at the end of an epoch (or of an
// evaluation interval, for step-based recipes).
type EpochLog struct {
	Epoch int `json:"epoch"`
	// Step is the number of optimizer steps done at that point.
	Step int `json:"step"`
	// Loss is the mean training loss over the epoch (interval).
	Loss float64 `json:"loss"`
	// TestLoss and TestMetric are measured on the held-out split; the
	// metric is the Result's Metric.
	TestLoss   float64 `json:"test_loss"`
	TestMetric float64 `json:"test_metric"`
}

// Result is the outcome of a recipe run.
type Result struct {
	Recipe       string  `json:"recipe"`
	Dataset      string  `json:"dataset"`
	TrainSamples int     `json:"train_samples"`
	TestSamples  int     `json:"test_samples"`
	Model        string  `json:"model"`
	Parameters   int     `json:"parameters"`
	Optimizer    string  `json:"optimizer"`
	LR           float64 `json:"lr"`
	Batch        int     `json:"batch"`
	Epochs       int     `json:"epochs,omitempty"`
	Steps        int     `json:"steps"`
	Seed         uint64  `json:"seed"`
	// History has one entry per epoch (or evaluation interval).
	History []EpochLog `json:"history"`
	// FirstLoss is the loss of the first training batch, FinalLoss the
	// mean training loss of the last epoch (interval).
	FirstLoss float64 `json:"first_loss"`
	FinalLoss float64 `json:"final_loss"`
	// TestLoss is the final loss on the held-out split.
	TestLoss float64 `json:"test_loss"`
	// Metric names TestMetric: "accuracy", "r2", "solved" (fraction of
	// adding-problem answers within 0.04) or "perplexity".
	Metric     string  `json:"metric"`
	TestMetric float64 `json:"test_metric"`
	// Baseline is the metric (or loss) of a trivial predictor, for
	// comparison: chance accuracy, the MSE of always answering the mean,
	// the perplexity of the unigram distribution.
	Baseline float64 `json:"baseline"`
	// Seconds is the wall time of training and evaluation (not of
	// loading the data).
	Seconds float64 `json:"seconds"`
	// Samples holds generated text (PoetryGPT only).
	Samples []string `json:"samples,omitempty"`
	// PoemShape is PoemShape(Samples) (PoetryGPT only).
	PoemShape float64 `json:"poem_shape,omitempty"`
}

// progressCallback reports a Trainer's progress to a Progress: an
// Update after every step, and one with Eval after every evaluation
// (the Trainer's after each epoch, or those reported by evaluated).
type progressCallback struct {
	p      Progress
	epochs int
	lr     float64 // the (constant) learning rate
	metric string  // the metric's name; the Trainer logs it as "val_" + metric
	start  time.Time
	last   Update
}

func newProgressCallback(p Progress, epochs int, lr float64, metric string) *progressCallback {
	return &progressCallback{p: p, epochs: epochs, lr: lr, metric: metric, start: time.Now()}
}

// OnTrainBegin implements train.BeginCallback.
func (c *progressCallback) OnTrainBegin(*train.Trainer, train.Status) error {
	c.start = time.Now()
	return nil
}

// OnBatchEnd implements train.BatchCallback.
func (c *progressCallback) OnBatchEnd(_ *train.Trainer, s train.Status) error {
	total := s.MaxSteps
	if s.Epochs > 0 {
		total = s.Epochs * s.Batches
		if s.MaxSteps > 0 {
			total = min(total, s.MaxSteps)
		}
	}
	c.last = Update{Step: s.Step, Steps: total, Epoch: s.Epoch, Epochs: c.epochs, Loss: s.Loss,
		Elapsed: s.Elapsed, ETA: s.ETA, LR: c.lr}
	if c.p != nil {
		c.p(c.last)
	}
	return nil
}

// OnEpochEnd implements train.Callback: it reports the epoch's
// validation, when there is one.
func (c *progressCallback) OnEpochEnd(_ *train.Trainer, s train.Status, logs train.Logs) error {
	vl, ok := logs["val_loss"]
	if !ok {
		return nil
	}
	c.evaluated(EpochLog{Epoch: s.Epoch, Step: s.Step, Loss: logs["loss"], TestLoss: vl, TestMetric: logs["val_"+c.metric]})
	return nil
}

// evaluated reports an evaluation.
func (c *progressCallback) evaluated(e EpochLog) {
	if c.p == nil {
		return
	}
	u := c.last
	u.Eval, u.Metric, u.Elapsed = &e, c.metric, time.Since(c.start)
	c.p(u)
}

// stopped wraps the error err of recipe's training: a *train.CanceledError
// becomes "recipes: <recipe>: canceled at <where>: <ctx.Err()>"; any other
// error gets the recipe's name.
func stopped(recipe string, err error) error {
	var ce *train.CanceledError
	if errors.As(err, &ce) {
		return fmt.Errorf("recipes: %s: canceled at %s: %w", recipe, ce.Where, ce.Err)
	}
	return fmt.Errorf("recipes: %s: %w", recipe, err)
}

// checkCtx returns the error of a recipe canceled while doing what
// ("loading the data"), or nil when ctx is not done.
func checkCtx(ctx context.Context, recipe, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("recipes: %s: canceled while %s: %w", recipe, what, err)
	}
	return nil
}

// evalCanceled is the error of an evaluation (made by a Trainer callback)
// that stopped because ctx is done, as the Trainer reports its own
// cancellations; nil when ctx is not done.
func evalCanceled(ctx context.Context, step, steps int) error {
	if err := ctx.Err(); err != nil {
		return &train.CanceledError{Step: step, Where: fmt.Sprintf("step %d of %d, evaluating", step, steps), Err: err}
	}
	return nil
}

// lossTracker records the loss of the first batch and the running mean
// loss of the latest epoch.
type lossTracker struct{ first, last float64 }

func (f *lossTracker) OnBatchEnd(_ *train.Trainer, s train.Status) error {
	if s.Step == 1 {
		f.first = s.BatchLoss
	}
	f.last = s.Loss
	return nil
}

func (f *lossTracker) OnEpochEnd(*train.Trainer, train.Status, train.Logs) error { return nil }

// fit trains model on tr with Adam (learning rate lr), measuring the
// loss and metric on te after every epoch (and once more when maxSteps
// stops training mid-epoch); it fills the training part of r. It stops
// when ctx is done.
func fit(ctx context.Context, r *Result, model nn.Module, tr, te data.Dataset, epochs, maxSteps, batch int, lr float64, seed uint64, metric train.Metric, progress Progress) error {
	opt, err := optim.NewAdam(nn.Tensors(model), float32(lr))
	if err != nil {
		return err
	}
	lt := &lossTracker{}
	pc := newProgressCallback(progress, epochs, lr, metric.Name)
	t, err := train.NewTrainer(model, opt, train.Options{
		Epochs: epochs, MaxSteps: maxSteps, BatchSize: batch, Seed: seed,
		Metrics:   []train.Metric{metric},
		Callbacks: []train.Callback{lt, pc},
	})
	if err != nil {
		return err
	}
	start := time.Now()
	logs, err := t.FitContext(ctx, tr, te)
	if err != nil {
		return stopped(r.Recipe, err)
	}
	key := "val_" + metric.Name
	perEpoch := ceilDiv(tr.Len(), batch)
	if len(logs) == 0 || t.Step()%perEpoch != 0 {
		// Stopped mid-epoch by maxSteps: evaluate what was trained.
		vl, p, err := t.EvaluateContext(ctx, te)
		if err != nil {
			if cerr := evalCanceled(ctx, t.Step(), t.Step()); cerr != nil {
				return stopped(r.Recipe, cerr)
			}
			return err
		}
		v, err := metric.Fn(p)
		if err != nil {
			return err
		}
		logs = append(logs, train.Logs{"loss": lt.last, "val_loss": vl, key: v})
		pc.evaluated(EpochLog{Epoch: len(logs), Step: t.Step(), Loss: lt.last, TestLoss: vl, TestMetric: v})
	}
	r.Seconds = time.Since(start).Seconds()
	r.Steps, r.FirstLoss = t.Step(), lt.first
	for i, l := range logs {
		r.History = append(r.History, EpochLog{Epoch: i + 1, Step: min(t.Step(), (i+1)*perEpoch),
			Loss: l["loss"], TestLoss: l["val_loss"], TestMetric: l[key]})
	}
	last := r.History[len(r.History)-1]
	r.FinalLoss, r.TestLoss, r.TestMetric = last.Loss, last.TestLoss, last.TestMetric
	return nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }
