package recipes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// FashionDir is where Debian's dataset-fashion-mnist installs the four
// Fashion-MNIST IDX files.
const FashionDir = "/usr/share/datasets/fashion-mnist"

// FashionConfig configures FashionMLP and FashionCNN. Zero fields take
// the recipe's defaults.
type FashionConfig struct {
	// Dir holds the IDX files (default FashionDir). Ignored when Train
	// and Test are set.
	Dir string
	// Train and Test, when both set, replace the files (tests use a
	// small synthetic set).
	Train, Test *data.Images
	// TrainLimit and TestLimit keep only the first N images of each
	// split (0: all).
	TrainLimit, TestLimit int
	Epochs                int     // default 10 (MLP) or 5 (CNN)
	MaxSteps              int     // stop after this many optimizer steps (0: no limit)
	Batch                 int     // default 128 (MLP) or 64 (CNN)
	LR                    float64 // Adam learning rate, default 1e-3
	Seed                  uint64  // default 1
	// TargetAccuracy, when positive, makes the run a time-to-accuracy
	// measurement: the accuracy on the whole test split is measured every
	// EvalEvery optimizer steps (instead of after every epoch), and
	// training stops at the first measurement at or above the target, or
	// after Epochs (MaxSteps) when it is never reached.
	// FashionResult.TimeToAccuracy reports when and how fast.
	TargetAccuracy float64
	// EvalEvery is the evaluation interval in optimizer steps of a
	// time-to-accuracy run (default 100; only with TargetAccuracy).
	EvalEvery int
}

// DefaultEvalEvery is FashionConfig.EvalEvery's default.
const DefaultEvalEvery = 100

// FashionResult is the Result of a Fashion-MNIST recipe, with the
// time-to-accuracy measurement when FashionConfig.TargetAccuracy was set.
type FashionResult struct {
	Result
	TimeToAccuracy *TimeToAccuracy `json:"time_to_accuracy,omitempty"`
}

// TimeToAccuracy is what a run with a target accuracy measured. The
// PyTorch recipe (bench/pytorch/recipes/fashion.py --target-accuracy)
// reports the same fields.
type TimeToAccuracy struct {
	Target    float64 `json:"target"`
	EvalEvery int     `json:"eval_every"`
	// Reached reports whether a measured test accuracy reached Target.
	Reached bool `json:"reached"`
	// Step is the optimizer step of the first measurement at or above
	// Target (when never reached: of the last measurement), and Epoch the
	// same point in epochs (Step / steps per epoch, so 2.5 is half-way
	// through the third epoch).
	Step  int     `json:"step"`
	Epoch float64 `json:"epoch"`
	// Accuracy is the test accuracy measured at Step, BestAccuracy the
	// highest measured.
	Accuracy     float64 `json:"accuracy"`
	BestAccuracy float64 `json:"best_accuracy"`
	// Seconds is the wall time of training up to Step, without the time
	// spent evaluating; MSPerStep is Seconds / Step in milliseconds.
	Seconds   float64 `json:"seconds"`
	MSPerStep float64 `json:"ms_per_step"`
	// EvalSeconds is the time the Evaluations took (excluded from
	// Seconds).
	EvalSeconds float64 `json:"eval_seconds"`
	Evaluations int     `json:"evaluations"`
}

func (c FashionConfig) withDefaults(epochs, batch int) FashionConfig {
	if c.Dir == "" {
		c.Dir = FashionDir
	}
	if c.Epochs == 0 {
		c.Epochs = epochs
	}
	if c.Batch == 0 {
		c.Batch = batch
	}
	if c.LR == 0 {
		c.LR = 1e-3
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.TargetAccuracy > 0 && c.EvalEvery == 0 {
		c.EvalEvery = DefaultEvalEvery
	}
	return c
}

func (c FashionConfig) validate() error {
	switch {
	case c.Epochs < 1 || c.Epochs > 1000:
		return fmt.Errorf("recipes: fashion: epochs %d: want 1..1000", c.Epochs)
	case c.MaxSteps < 0:
		return fmt.Errorf("recipes: fashion: max steps %d must not be negative", c.MaxSteps)
	case c.Batch < 1:
		return fmt.Errorf("recipes: fashion: batch %d must be positive", c.Batch)
	case !(c.LR > 0 && c.LR < 10):
		return fmt.Errorf("recipes: fashion: learning rate %g: want (0, 10)", c.LR)
	case c.TrainLimit < 0 || c.TestLimit < 0:
		return fmt.Errorf("recipes: fashion: limits %d, %d must not be negative", c.TrainLimit, c.TestLimit)
	case (c.Train == nil) != (c.Test == nil):
		return fmt.Errorf("recipes: fashion: set both Train and Test, or neither")
	case !(c.TargetAccuracy >= 0 && c.TargetAccuracy <= 1):
		return fmt.Errorf("recipes: fashion: target accuracy %g: want a fraction in (0, 1] (0: none)", c.TargetAccuracy)
	case c.EvalEvery < 0:
		return fmt.Errorf("recipes: fashion: evaluation interval %d must not be negative", c.EvalEvery)
	case c.EvalEvery > 0 && c.TargetAccuracy == 0:
		return fmt.Errorf("recipes: fashion: an evaluation interval (%d steps) needs a target accuracy", c.EvalEvery)
	}
	return nil
}

// load returns the train and test images, cut to the limits; recipe
// names the run in a cancellation error.
func (c FashionConfig) load(ctx context.Context, recipe string) (tr, te *data.Images, err error) {
	if err := checkCtx(ctx, recipe, "loading the data"); err != nil {
		return nil, nil, err
	}
	tr, te = c.Train, c.Test
	if tr == nil {
		if tr, te, err = data.LoadMNIST(c.Dir); err != nil {
			return nil, nil, fmt.Errorf("recipes: fashion: %w (install dataset-fashion-mnist, or set the directory)", err)
		}
		if err := checkCtx(ctx, recipe, "loading the data"); err != nil {
			return nil, nil, err
		}
	}
	return headImages(tr, c.TrainLimit), headImages(te, c.TestLimit), nil
}

// headImages keeps the first n images of d (all when n is 0 or too big).
func headImages(d *data.Images, n int) *data.Images {
	if n == 0 || n >= d.Len() {
		return d
	}
	sz := d.C * d.H * d.W
	cp := *d
	cp.X, cp.Labels = d.X[:n*sz], d.Labels[:n]
	return &cp
}

// FashionMLP trains a 784-256-10 perceptron (Linear, ReLU, Linear) on
// Fashion-MNIST: pixels scaled to [0, 1], Adam lr 1e-3, batch 128,
// 10 epochs, cross-entropy; it reports test accuracy after every epoch
// (or every EvalEvery steps, with a TargetAccuracy).
// The PyTorch recipe is bench/pytorch/recipes/fashion.py --model mlp.
// It stops when ctx is done (see Canceling in the package documentation).
func FashionMLP(ctx context.Context, cfg FashionConfig, progress Progress) (FashionResult, error) {
	cfg = cfg.withDefaults(10, 128)
	if err := cfg.validate(); err != nil {
		return FashionResult{}, err
	}
	tr, te, err := cfg.load(ctx, "fashion-mlp")
	if err != nil {
		return FashionResult{}, err
	}
	in := tr.C * tr.H * tr.W
	model, err := nn.NewMLP(tensor.NewRNG(cfg.Seed), in, 256, tr.Classes)
	if err != nil {
		return FashionResult{}, err
	}
	r := fashionResult("fashion-mlp", fmt.Sprintf("mlp %d-256-%d", in, tr.Classes), model, tr, te, cfg)
	err = fashionFit(ctx, &r, model, tr.Classification(), te.Classification(), cfg, progress)
	return r, err
}

// NewFashionCNN builds the recipe's CNN for c×h×w inputs and the given
// number of classes, as torch.nn.Sequential(
//
//	Conv2d(c, 32, 3), ReLU, MaxPool2d(2),
//	Conv2d(32, 64, 3), ReLU, MaxPool2d(2),
//	Flatten, Linear(64·h'·w', 128), ReLU, Linear(128, classes))
//
// with PyTorch's default initialisation (so state_dict names match:
// 0.weight, 3.weight, 7.weight, 9.weight). The ReLUs after the
// convolutions are fused into them. On 28×28 images h' = w' = 5.
func NewFashionCNN(rng *tensor.RNG, c, h, w, classes int) (*nn.Sequential, error) {
	relu := tensor.ConvParams{Act: kernels.ActReLU}
	c1, err := nn.NewConv2d(rng, c, 32, [2]int{3, 3}, relu, true)
	if err != nil {
		return nil, err
	}
	c2, err := nn.NewConv2d(rng, 32, 64, [2]int{3, 3}, relu, true)
	if err != nil {
		return nil, err
	}
	h2, w2 := ((h-2)/2-2)/2, ((w-2)/2-2)/2
	if h2 < 1 || w2 < 1 {
		return nil, fmt.Errorf("recipes: CNN: %d×%d images are too small (want at least 10×10)", h, w)
	}
	l1, err := nn.NewLinear(rng, 64*h2*w2, 128, true)
	if err != nil {
		return nil, err
	}
	l2, err := nn.NewLinear(rng, 128, classes, true)
	if err != nil {
		return nil, err
	}
	pool := tensor.PoolParams{Kernel: [2]int{2, 2}}
	return &nn.Sequential{Layers: []nn.Module{
		c1, fusedReLU{}, &nn.MaxPool2d{PoolParams: pool},
		c2, fusedReLU{}, &nn.MaxPool2d{PoolParams: pool},
		nn.NewFlatten(), l1, nn.ReLU{}, l2,
	}}, nil
}

// FashionCNN trains NewFashionCNN on Fashion-MNIST: Adam lr 1e-3,
// batch 64, 5 epochs, cross-entropy; it reports test accuracy after
// every epoch (measured: 90.8% after five; 88.8% after three at batch
// 128), or every EvalEvery steps with a TargetAccuracy. The PyTorch
// recipe is bench/pytorch/recipes/fashion.py --model cnn. It stops when
// ctx is done (see Canceling in the package documentation).
func FashionCNN(ctx context.Context, cfg FashionConfig, progress Progress) (FashionResult, error) {
	cfg = cfg.withDefaults(5, 64)
	if err := cfg.validate(); err != nil {
		return FashionResult{}, err
	}
	tr, te, err := cfg.load(ctx, "fashion-cnn")
	if err != nil {
		return FashionResult{}, err
	}
	model, err := NewFashionCNN(tensor.NewRNG(cfg.Seed), tr.C, tr.H, tr.W, tr.Classes)
	if err != nil {
		return FashionResult{}, err
	}
	r := fashionResult("fashion-cnn", "cnn conv32-pool-conv64-pool-fc128", model, tr, te, cfg)
	err = fashionFit(ctx, &r, model, tr, te, cfg, progress)
	return r, err
}

func fashionResult(recipe, desc string, model nn.Module, tr, te *data.Images, cfg FashionConfig) FashionResult {
	return FashionResult{Result: Result{Recipe: recipe, Dataset: "fashion-mnist", TrainSamples: tr.Len(), TestSamples: te.Len(),
		Model: desc, Parameters: nn.NumParams(model), Optimizer: "adam", LR: cfg.LR, Batch: cfg.Batch,
		Epochs: cfg.Epochs, Seed: cfg.Seed, Metric: "accuracy", Baseline: 1 / float64(max(tr.Classes, 1))}}
}

// fashionFit trains with the recipe's optimizer: per-epoch evaluation
// (fit), or a time-to-accuracy run when cfg.TargetAccuracy is set.
func fashionFit(ctx context.Context, r *FashionResult, model nn.Module, tr, te data.Dataset, cfg FashionConfig, progress Progress) error {
	if cfg.TargetAccuracy == 0 {
		return fit(ctx, &r.Result, model, tr, te, cfg.Epochs, cfg.MaxSteps, cfg.Batch, cfg.LR, cfg.Seed+1, train.AccuracyMetric(), progress)
	}
	opt, err := optim.NewAdam(nn.Tensors(model), float32(cfg.LR))
	if err != nil {
		return err
	}
	lt := &lossTracker{}
	pc := newProgressCallback(progress, cfg.Epochs, cfg.LR, "accuracy")
	perEpoch := ceilDiv(tr.Len(), cfg.Batch)
	steps := cfg.Epochs * perEpoch
	if cfg.MaxSteps > 0 {
		steps = min(steps, cfg.MaxSteps)
	}
	w := &accuracyWatch{ctx: ctx, te: te, metric: train.AccuracyMetric(), perEpoch: perEpoch, steps: steps, report: pc,
		tta: TimeToAccuracy{Target: cfg.TargetAccuracy, EvalEvery: cfg.EvalEvery}}
	t, err := train.NewTrainer(model, opt, train.Options{
		Epochs: cfg.Epochs, MaxSteps: cfg.MaxSteps, BatchSize: cfg.Batch, Seed: cfg.Seed + 1,
		Callbacks: []train.Callback{lt, pc, w},
	})
	if err != nil {
		return err
	}
	w.start = time.Now()
	// No validation set: the Trainer would evaluate after every epoch;
	// the watch evaluates every EvalEvery steps instead.
	if _, err := t.FitContext(ctx, tr, nil); err != nil && !errors.Is(err, errTargetReached) {
		return stopped(r.Recipe, err)
	}
	if !w.tta.Reached && w.lastStep != t.Step() {
		// Never reached: measure where training ended.
		if err := w.evaluate(t, t.Step(), lt.last); err != nil && !errors.Is(err, errTargetReached) {
			return stopped(r.Recipe, err)
		}
	}
	if len(w.history) == 0 {
		return fmt.Errorf("recipes: %s: no evaluation was made", r.Recipe)
	}
	r.Seconds = time.Since(w.start).Seconds()
	r.Steps, r.FirstLoss, r.FinalLoss = t.Step(), lt.first, lt.last
	r.History = w.history
	last := w.history[len(w.history)-1]
	r.TestLoss, r.TestMetric = last.TestLoss, last.TestMetric
	tta := w.tta
	r.TimeToAccuracy = &tta
	return nil
}

// errTargetReached stops a time-to-accuracy run from a Trainer callback.
var errTargetReached = errors.New("recipes: target accuracy reached")

// accuracyWatch is the Trainer callback of a time-to-accuracy run: every
// EvalEvery steps it measures the test accuracy (the time this takes is
// kept apart from the training time) and stops training at the target.
type accuracyWatch struct {
	ctx      context.Context
	te       data.Dataset
	metric   train.Metric
	perEpoch int // optimizer steps per epoch
	steps    int // optimizer steps planned
	report   *progressCallback

	start    time.Time     // when training began
	evalTime time.Duration // spent evaluating since start
	lastStep int           // step of the latest evaluation
	history  []EpochLog
	tta      TimeToAccuracy
}

// OnBatchEnd evaluates every EvalEvery steps.
func (w *accuracyWatch) OnBatchEnd(t *train.Trainer, s train.Status) error {
	if s.Step%w.tta.EvalEvery != 0 {
		return nil
	}
	return w.evaluate(t, s.Step, s.Loss)
}

// OnEpochEnd implements train.Callback: nothing to do.
func (w *accuracyWatch) OnEpochEnd(*train.Trainer, train.Status, train.Logs) error { return nil }

// evaluate measures the test accuracy after step steps (loss: the mean
// training loss of the current epoch so far) and returns errTargetReached
// when it is at or above the target.
func (w *accuracyWatch) evaluate(t *train.Trainer, step int, loss float64) error {
	trained := time.Since(w.start) - w.evalTime
	began := time.Now()
	vl, p, err := t.EvaluateContext(w.ctx, w.te)
	if err != nil {
		if cerr := evalCanceled(w.ctx, step, w.steps); cerr != nil {
			return cerr
		}
		return fmt.Errorf("evaluation at step %d: %w", step, err)
	}
	acc, err := w.metric.Fn(p)
	if err != nil {
		return fmt.Errorf("evaluation at step %d: %w", step, err)
	}
	w.evalTime += time.Since(began)
	w.lastStep = step
	e := EpochLog{Epoch: (step-1)/w.perEpoch + 1, Step: step, Loss: loss, TestLoss: vl, TestMetric: acc}
	w.history = append(w.history, e)
	w.report.evaluated(e)
	x := &w.tta
	x.Step, x.Epoch, x.Accuracy = step, float64(step)/float64(w.perEpoch), acc
	x.BestAccuracy = max(x.BestAccuracy, acc)
	x.Seconds, x.MSPerStep = trained.Seconds(), 1e3*trained.Seconds()/float64(max(step, 1))
	x.EvalSeconds, x.Evaluations = w.evalTime.Seconds(), len(w.history)
	if acc >= x.Target {
		x.Reached = true
		return errTargetReached
	}
	return nil
}

// fusedReLU stands where torch.nn.ReLU stands in the PyTorch model, so
// that layer indices (and state_dict names) match; the preceding
// convolution already applied the ReLU in its write-back.
type fusedReLU struct{}

// Forward returns x: the ReLU was fused into the convolution before it.
func (fusedReLU) Forward(x *tensor.Tensor) (*tensor.Tensor, error) { return x, nil }

// Parameters implements nn.Module: none.
func (fusedReLU) Parameters() []nn.Param { return nil }
