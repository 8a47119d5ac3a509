// Package recipes trains real models on real data with fixed recipes:
// a multilayer perceptron and a small CNN on Fashion-MNIST, a
// character-level GPT on the 300 Tang poems, an LSTM on the adding
// problem and an MLP regression on a messy tabular CSV.
//
// Each recipe is a pure function of its Config: it builds the model with
// a seeded initialisation, trains it with a fixed optimiser, learning rate,
// batch size and length, evaluates it on a held-out split, and returns a
// Result (per-epoch loss and metric, final test metrics, wall time). The
// same recipes are written in PyTorch in bench/pytorch/recipes/, and
// bench/RESULTS.md ("Real models") compares the two.
//
// The full recipes take minutes on two cores; the tests run each one for
// a handful of steps on a small subset.
package recipes

import (
	"fmt"
	"time"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// Update is one progress report of a running recipe.
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

// trainerProgress adapts a Progress to a train.Trainer callback.
func trainerProgress(p Progress, epochs int) train.Callback {
	return &train.ProgressReporter{Batch: func(s train.Status) {
		if p == nil {
			return
		}
		total := s.MaxSteps
		if s.Epochs > 0 {
			total = s.Epochs * s.Batches
			if s.MaxSteps > 0 {
				total = min(total, s.MaxSteps)
			}
		}
		p(Update{Step: s.Step, Steps: total, Epoch: s.Epoch, Epochs: epochs, Loss: s.Loss, Elapsed: s.Elapsed, ETA: s.ETA})
	}}
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
// stops training mid-epoch); it fills the training part of r.
func fit(r *Result, model nn.Module, tr, te data.Dataset, epochs, maxSteps, batch int, lr float64, seed uint64, metric train.Metric, progress Progress) error {
	opt, err := optim.NewAdam(nn.Tensors(model), float32(lr))
	if err != nil {
		return err
	}
	lt := &lossTracker{}
	t, err := train.NewTrainer(model, opt, train.Options{
		Epochs: epochs, MaxSteps: maxSteps, BatchSize: batch, Seed: seed,
		Metrics:   []train.Metric{metric},
		Callbacks: []train.Callback{lt, trainerProgress(progress, epochs)},
	})
	if err != nil {
		return err
	}
	start := time.Now()
	logs, err := t.Fit(tr, te)
	if err != nil {
		return fmt.Errorf("recipes: %s: %w", r.Recipe, err)
	}
	key := "val_" + metric.Name
	perEpoch := ceilDiv(tr.Len(), batch)
	if len(logs) == 0 || t.Step()%perEpoch != 0 {
		// Stopped mid-epoch by maxSteps: evaluate what was trained.
		vl, p, err := t.Evaluate(te)
		if err != nil {
			return err
		}
		v, err := metric.Fn(p)
		if err != nil {
			return err
		}
		logs = append(logs, train.Logs{"loss": lt.last, "val_loss": vl, key: v})
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
