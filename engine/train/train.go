// Package train runs training loops: one allocation-free optimisation step
// (Stepper) and a classifier fitting loop with progress reporting.
package train

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Stepper runs classification training steps: zero grad, forward,
// cross-entropy, backward, optimiser step. Intermediate tensors live in an
// arena that is reset every step, so once warm a step does not allocate.
type Stepper struct {
	Model nn.Module
	Opt   optim.Optimizer
	arena *tensor.Arena
}

// NewStepper returns a Stepper for model and opt.
func NewStepper(model nn.Module, opt optim.Optimizer) *Stepper {
	return &Stepper{Model: model, Opt: opt, arena: tensor.NewArena()}
}

// Step trains on one batch: x is [batch, features], targets holds batch
// class indices. It returns the batch's mean cross-entropy loss.
func (s *Stepper) Step(x *tensor.Tensor, targets []int) (float64, error) {
	restore := tensor.UseArena(s.arena)
	defer restore()
	s.arena.Reset()
	s.Opt.ZeroGrad()
	logits, err := s.Model.Forward(x)
	if err != nil {
		return 0, err
	}
	loss, err := tensor.CrossEntropy(logits, targets)
	if err != nil {
		return 0, err
	}
	if err := loss.Backward(); err != nil {
		return 0, err
	}
	if err := s.Opt.Step(); err != nil {
		return 0, err
	}
	l := loss.Item()
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return l, fmt.Errorf("train: loss is %g: training diverged (lower the learning rate)", l)
	}
	return l, nil
}

// Config sets up a FitClassifier run.
type Config struct {
	Epochs    int
	BatchSize int
	Seed      uint64 // shuffling seed
}

// Progress is told after every epoch; it may be nil.
type Progress func(epoch, epochs int, loss float64)

// History is what a run measured.
type History struct {
	// Loss holds the mean training loss of each epoch.
	Loss []float64
}

// FitClassifier trains model on d with opt for cfg.Epochs epochs of
// shuffled mini-batches. It is FitClassifierContext with a context that
// is never done.
func FitClassifier(model nn.Module, opt optim.Optimizer, d *data.Classification, cfg Config, progress Progress) (History, error) {
	return FitClassifierContext(context.Background(), model, opt, d, cfg, progress)
}

// FitClassifierContext is FitClassifier that checks ctx before every
// optimizer step and, when it is done, returns a *CanceledError (which
// wraps ctx.Err()) saying where it stopped, with the History of the
// completed epochs.
func FitClassifierContext(ctx context.Context, model nn.Module, opt optim.Optimizer, d *data.Classification, cfg Config, progress Progress) (History, error) {
	if cfg.Epochs < 1 || cfg.BatchSize < 1 {
		return History{}, fmt.Errorf("train: epochs %d and batch size %d must be positive", cfg.Epochs, cfg.BatchSize)
	}
	n := d.Len()
	if n == 0 {
		return History{}, errors.New("train: the dataset is empty")
	}
	bs := min(cfg.BatchSize, n)
	st := NewStepper(model, opt)
	// One input tensor per batch size (the last batch may be short); their
	// storage is refilled in place every step.
	inputs := map[int]*tensor.Tensor{}
	input := func(b int) (*tensor.Tensor, error) {
		if t, ok := inputs[b]; ok {
			return t, nil
		}
		t, err := tensor.Zeros(b, d.Features)
		if err != nil {
			return nil, err
		}
		inputs[b] = t
		return t, nil
	}
	targets := make([]int, bs)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	rng := tensor.NewRNG(cfg.Seed)
	h := History{Loss: make([]float64, 0, cfg.Epochs)}
	perEpoch := (n + bs - 1) / bs
	for e := 0; e < cfg.Epochs; e++ {
		rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		sum := 0.0
		for lo := 0; lo < n; lo += bs {
			if err := ctx.Err(); err != nil {
				step := e*perEpoch + lo/bs
				return h, &CanceledError{Step: step, Err: err,
					Where: fmt.Sprintf("step %d of %d (epoch %d of %d)", step, cfg.Epochs*perEpoch, e+1, cfg.Epochs)}
			}
			hi := min(lo+bs, n)
			x, err := input(hi - lo)
			if err != nil {
				return h, err
			}
			d.Batch(perm[lo:hi], x.Data(), targets[:hi-lo])
			l, err := st.Step(x, targets[:hi-lo])
			if err != nil {
				return h, fmt.Errorf("train: epoch %d: %w", e+1, err)
			}
			sum += l * float64(hi-lo)
		}
		h.Loss = append(h.Loss, sum/float64(n))
		if progress != nil {
			progress(e+1, cfg.Epochs, h.Loss[e])
		}
	}
	return h, nil
}

// Accuracy is the fraction of d that model classifies correctly
// (argmax of the logits), evaluated without recording a graph.
func Accuracy(model nn.Module, d *data.Classification) (float64, error) {
	if d.Len() == 0 {
		return 0, errors.New("train: accuracy of an empty dataset")
	}
	x, err := tensor.FromSlice(d.X, d.Len(), d.Features)
	if err != nil {
		return 0, err
	}
	var logits *tensor.Tensor
	tensor.NoGrad(func() { logits, err = model.Forward(x) })
	if err != nil {
		return 0, err
	}
	if logits.Dim() != 2 || logits.Size(0) != d.Len() {
		return 0, fmt.Errorf("train: model output has shape %v, want [%d, classes]", logits.Shape(), d.Len())
	}
	c := logits.Size(1)
	out := logits.Data()
	correct := 0
	for i := 0; i < d.Len(); i++ {
		row := out[i*c : (i+1)*c]
		best := 0
		for j := 1; j < c; j++ {
			if row[j] > row[best] {
				best = j
			}
		}
		if best == d.Y[i] {
			correct++
		}
	}
	return float64(correct) / float64(d.Len()), nil
}
