package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kaiwu-ai/kaiwu/engine/ckpt"
	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// LossFunc computes a training loss, a one-element tensor, from the
// model's output for a batch and the batch itself.
type LossFunc func(out *tensor.Tensor, b *data.Batch) (*tensor.Tensor, error)

// InputFunc builds the model's input tensor for a batch. The default
// (DefaultInput) is the batch's float features shaped [N, spec.X...], or,
// for token datasets, the token ids as a float32 tensor [N, Tokens].
type InputFunc func(b *data.Batch, spec data.Spec) (*tensor.Tensor, error)

// Scheduler changes the optimizer's learning rate as training goes, as
// *optim.Scheduler does. The Trainer calls Step after every epoch (or
// after every optimizer step when Options.SchedulePerStep is set). A
// scheduler that needs the monitored metric (reduce-on-plateau)
// implements MetricScheduler instead.
type Scheduler interface {
	Step() error
}

// MetricScheduler is a scheduler driven by a validation metric, as
// *optim.ReduceLROnPlateau; the Trainer calls Step with the value of
// Options.Monitor after every epoch.
type MetricScheduler interface {
	Step(metric float64) error
}

// Options configure a Trainer. Epochs or MaxSteps must be set.
type Options struct {
	// Epochs is the number of passes over the training set (0: run
	// until MaxSteps).
	Epochs int
	// MaxSteps stops training after this many optimizer steps in all
	// (0: no limit).
	MaxSteps int
	// BatchSize is the mini-batch size (default 32).
	BatchSize int
	// Seed drives shuffling and data augmentation: epoch e's order
	// depends only on (Seed, e), so a resumed run sees the same batches.
	Seed uint64
	// NoShuffle keeps the dataset order.
	NoShuffle bool
	// DropLast drops each epoch's final short batch.
	DropLast bool
	// Workers prefetch batches in parallel (see data.LoaderConfig).
	Workers int
	// Transform augments training samples (not validation ones).
	Transform data.Transform
	// Loss is the training loss (default DefaultLoss: cross-entropy on
	// labels, MSE on float targets).
	Loss LossFunc
	// Input builds the model input (default DefaultInput).
	Input InputFunc
	// Metrics are computed on the validation set after every epoch and
	// logged as "val_<name>".
	Metrics []Metric
	// Callbacks are told of progress, in order.
	Callbacks []Callback
	// Scheduler, if set, adjusts the learning rate.
	Scheduler any
	// SchedulePerStep steps the Scheduler after every optimizer step
	// rather than every epoch (warmup, one-cycle).
	SchedulePerStep bool
	// Monitor is the log entry a MetricScheduler follows (default
	// "val_loss", or "loss" without validation data).
	Monitor string
	// Spec and Pipeline, when set, go into every checkpoint so that
	// ckpt.Open can rebuild the model and its preprocessing.
	Spec     *ckpt.Spec
	Pipeline json.RawMessage
}

// Logs are the values measured at the end of an epoch: "loss" (mean
// training loss), "val_loss", "val_<metric>", "lr".
type Logs map[string]float64

// String lists the entries in name order.
func (l Logs) String() string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%.6g", k, l[k])
	}
	return strings.Join(parts, " ")
}

// Status is where training stands, for callbacks.
type Status struct {
	Epoch     int // the current epoch, from 1
	Epochs    int // Options.Epochs (0 when training by steps)
	Batch     int // batches done in this epoch
	Batches   int // batches per epoch
	Step      int // optimizer steps done in all
	MaxSteps  int // Options.MaxSteps
	Loss      float64
	LR        float64 // NaN when the optimizer's rate is unknown
	Elapsed   time.Duration
	ETA       time.Duration // estimated time left; 0 when unknown
	BatchLoss float64       // the last batch's loss
}

// Trainer trains a Module with an optimizer on a data.Dataset: shuffled
// mini-batches, a loss, validation with metrics after every epoch,
// callbacks, and checkpoints that resume bit for bit.
type Trainer struct {
	Model nn.Module
	Opt   optim.Optimizer
	Opts  Options

	arena *tensor.Arena

	// progress, saved in checkpoints
	epoch   int     // completed epochs
	batch   int     // batches done in the current epoch
	step    int     // optimizer steps in all
	lossSum float64 // Σ loss·n over the current epoch's batches
	lossN   int
	hist    []Logs
	sched   int // scheduler steps taken

	stop    bool
	ctx     context.Context // of the running Fit (Background otherwise)
	saves   []string        // checkpoint paths requested during this epoch
	started time.Time
	done0   int // steps already done when this Fit began (for the ETA)
}

// NewTrainer checks opts and returns a Trainer.
func NewTrainer(model nn.Module, opt optim.Optimizer, opts Options) (*Trainer, error) {
	if model == nil || opt == nil {
		return nil, errors.New("train: trainer needs a model and an optimizer")
	}
	if opts.Epochs < 0 || opts.MaxSteps < 0 || opts.Epochs == 0 && opts.MaxSteps == 0 {
		return nil, fmt.Errorf("train: epochs %d and max steps %d: set one of them (and neither negative)", opts.Epochs, opts.MaxSteps)
	}
	if opts.BatchSize == 0 {
		opts.BatchSize = 32
	}
	if opts.BatchSize < 0 {
		return nil, fmt.Errorf("train: batch size %d must be positive", opts.BatchSize)
	}
	if opts.Loss == nil {
		opts.Loss = DefaultLoss
	}
	if opts.Input == nil {
		opts.Input = DefaultInput
	}
	if opts.Scheduler != nil {
		_, s := opts.Scheduler.(Scheduler)
		_, m := opts.Scheduler.(MetricScheduler)
		if !s && !m {
			return nil, fmt.Errorf("train: scheduler %T has neither Step() error nor Step(float64) error", opts.Scheduler)
		}
	}
	for _, m := range opts.Metrics {
		if m.Name == "" || m.Fn == nil {
			return nil, errors.New("train: a metric needs a name and a function")
		}
	}
	return &Trainer{Model: model, Opt: opt, Opts: opts, arena: tensor.NewArena()}, nil
}

// Stop asks the Trainer to stop after the current epoch (early stopping
// calls it).
func (t *Trainer) Stop() { t.stop = true }

// SaveAfterEpoch asks the Trainer to write a training checkpoint to path
// once every callback has seen the current epoch, so that the
// checkpoint holds every callback's state after this epoch.
func (t *Trainer) SaveAfterEpoch(path string) { t.saves = append(t.saves, path) }

// Logs returns the logs of the epochs completed so far, including those
// before a Resume.
func (t *Trainer) Logs() []Logs { return t.hist }

// Epoch reports the number of completed epochs; Step the number of
// optimizer steps.
func (t *Trainer) Epoch() int { return t.epoch }

// Step reports the number of optimizer steps done.
func (t *Trainer) Step() int { return t.step }

// DefaultLoss is cross-entropy over the last dimension of out when the
// batch has labels (one per sample, or one per position for sequence
// models), and the mean squared error against the float targets
// otherwise.
func DefaultLoss(out *tensor.Tensor, b *data.Batch) (*tensor.Tensor, error) {
	switch {
	case len(b.Labels) > 0:
		c := out.Size(out.Dim() - 1)
		if out.Dim() != 2 {
			var err error
			if out, err = out.Reshape(-1, c); err != nil {
				return nil, err
			}
		}
		return tensor.CrossEntropy(out, b.Labels)
	case len(b.Y) > 0:
		y, err := tensor.FromSlice(b.Y, out.Shape()...)
		if err != nil {
			return nil, fmt.Errorf("train: targets (%d values) do not fit the output %v: %w", len(b.Y), out.Shape(), err)
		}
		return tensor.MSE(out, y)
	}
	return nil, errors.New("train: the batch has neither labels nor targets; set Options.Loss")
}

// DefaultInput wraps the batch's features as a [N, spec.X...] tensor, or
// its tokens as a float32 [N, Tokens] tensor of ids. The tensor aliases
// the batch's buffer.
func DefaultInput(b *data.Batch, spec data.Spec) (*tensor.Tensor, error) {
	if len(spec.X) > 0 {
		return tensor.FromSlice(b.X, append([]int{b.N}, spec.X...)...)
	}
	if spec.Tokens > 0 {
		ids := make([]float32, len(b.Tokens))
		for i, v := range b.Tokens {
			ids[i] = float32(v)
		}
		return tensor.FromSlice(ids, b.N, spec.Tokens)
	}
	return nil, errors.New("train: the dataset has neither features nor tokens; set Options.Input")
}

// LearningRate reports opt's current learning rate, or NaN when it is
// not known.
func LearningRate(opt optim.Optimizer) float64 {
	switch o := opt.(type) {
	case *optim.SGD:
		return float64(o.LR)
	case *optim.Adam:
		return float64(o.LR)
	case optim.LRSetter:
		return float64(o.LearningRate())
	}
	return math.NaN()
}

func (t *Trainer) status(batches int) Status {
	s := Status{Epoch: t.epoch + 1, Epochs: t.Opts.Epochs, Batch: t.batch, Batches: batches, Step: t.step,
		MaxSteps: t.Opts.MaxSteps, LR: LearningRate(t.Opt), Elapsed: time.Since(t.started)}
	if t.lossN > 0 {
		s.Loss = t.lossSum / float64(t.lossN)
	}
	total := t.totalSteps(batches)
	if done := t.step - t.done0; done > 0 && total > t.step {
		s.ETA = time.Duration(float64(s.Elapsed) / float64(done) * float64(total-t.step))
	}
	return s
}

// totalSteps is the number of optimizer steps training will take in all
// with batches per epoch (0 when unknown).
func (t *Trainer) totalSteps(batches int) int {
	total := t.Opts.MaxSteps
	if t.Opts.Epochs > 0 {
		total = t.Opts.Epochs * batches
		if t.Opts.MaxSteps > 0 {
			total = min(total, t.Opts.MaxSteps)
		}
	}
	return total
}

func (t *Trainer) finished() bool {
	return t.Opts.MaxSteps > 0 && t.step >= t.Opts.MaxSteps || t.Opts.Epochs > 0 && t.epoch >= t.Opts.Epochs
}

// Fit trains on train, evaluating on val (which may be nil) after every
// epoch, until Epochs or MaxSteps is reached or a callback stops it. A
// Trainer that was resumed continues where its checkpoint left off. It
// returns the logs of every epoch so far. It is FitContext with a
// context that is never done.
func (t *Trainer) Fit(train, val data.Dataset) ([]Logs, error) {
	return t.FitContext(context.Background(), train, val)
}

// FitContext is Fit that stops when ctx is done: it checks ctx before
// every optimizer step, while skipping the done batches of a resumed
// epoch, and between the batches of every validation, and returns a
// *CanceledError, which wraps ctx.Err() and says where training stopped
// ("train: canceled at step 1200 of 4690 (epoch 2 of 5): context
// canceled"). A callback may return a *CanceledError of its own.
// The Trainer's state is then that of the last completed step, so that
// Save writes a checkpoint that Resume continues from (a validation that
// was cut short runs again).
func (t *Trainer) FitContext(ctx context.Context, train, val data.Dataset) ([]Logs, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	t.ctx = ctx
	defer func() { t.ctx = nil }()
	if train == nil || train.Len() == 0 {
		return t.hist, errors.New("train: the training set is empty")
	}
	loader, err := data.NewDataLoader(train, data.LoaderConfig{BatchSize: t.Opts.BatchSize, Shuffle: !t.Opts.NoShuffle,
		Seed: t.Opts.Seed, DropLast: t.Opts.DropLast, Workers: t.Opts.Workers, Transform: t.Opts.Transform})
	if err != nil {
		return t.hist, err
	}
	defer loader.Close()
	batches := loader.Len()
	if batches == 0 {
		return t.hist, fmt.Errorf("train: %d samples make no batch of %d (drop last)", train.Len(), t.Opts.BatchSize)
	}
	spec := train.Spec()
	t.stop = false
	t.started, t.done0 = time.Now(), t.step
	setTraining(t.Model, true)
	for _, c := range t.Opts.Callbacks {
		if b, ok := c.(BeginCallback); ok {
			if err := b.OnTrainBegin(t, t.status(batches)); err != nil {
				return t.hist, err
			}
		}
	}
	err = t.fit(loader, val, spec, batches)
	for _, c := range t.Opts.Callbacks {
		if e, ok := c.(EndCallback); ok {
			e.OnTrainEnd(t, t.status(batches), err)
		}
	}
	return t.hist, err
}

func (t *Trainer) fit(loader *data.DataLoader, val data.Dataset, spec data.Spec, batches int) error {
	for !t.finished() && !t.stop {
		loader.Start(t.epoch)
		// A resumed epoch skips the batches it had done.
		for i := 0; i < t.batch; i++ {
			if err := t.ctx.Err(); err != nil {
				return t.canceled(batches, fmt.Sprintf("resuming epoch %d at batch %d of %d", t.epoch+1, i, t.batch), err)
			}
			if !loader.Next() {
				return fmt.Errorf("train: resuming epoch %d at batch %d: %v", t.epoch+1, t.batch, loader.Err())
			}
		}
		for loader.Next() {
			if err := t.ctx.Err(); err != nil {
				return t.canceled(batches, "", err)
			}
			b := loader.Batch()
			l, err := t.trainStep(b, spec)
			if err != nil {
				return fmt.Errorf("train: epoch %d, step %d: %w", t.epoch+1, t.step+1, err)
			}
			t.step++
			t.batch++
			t.lossSum += l * float64(b.N)
			t.lossN += b.N
			if t.Opts.SchedulePerStep {
				if s, ok := t.Opts.Scheduler.(Scheduler); ok {
					if err := s.Step(); err != nil {
						return err
					}
					t.sched++
				}
			}
			st := t.status(batches)
			st.BatchLoss = l
			for _, c := range t.Opts.Callbacks {
				if bc, ok := c.(BatchCallback); ok {
					if err := bc.OnBatchEnd(t, st); err != nil {
						return err
					}
				}
			}
			if t.Opts.MaxSteps > 0 && t.step >= t.Opts.MaxSteps {
				break
			}
		}
		if err := loader.Err(); err != nil {
			return err
		}
		if t.batch < batches {
			// Stopped by MaxSteps mid-epoch: the state stays mid-epoch,
			// so that Save and Resume continue this epoch.
			return nil
		}
		if err := t.endEpoch(val, batches); err != nil {
			return err
		}
	}
	return nil
}

// endEpoch evaluates, logs, runs the callbacks and the requested saves.
func (t *Trainer) endEpoch(val data.Dataset, batches int) error {
	logs := Logs{"loss": t.lossSum / float64(t.lossN), "lr": LearningRate(t.Opt)}
	if math.IsNaN(logs["lr"]) {
		delete(logs, "lr")
	}
	if val != nil && val.Len() > 0 {
		vl, p, err := t.EvaluateContext(t.ctx, val)
		if err != nil {
			if cerr := t.ctx.Err(); cerr != nil && errors.Is(err, cerr) {
				return t.canceled(batches, fmt.Sprintf("validating after epoch %d", t.epoch+1), cerr)
			}
			return fmt.Errorf("train: epoch %d: validation: %w", t.epoch+1, err)
		}
		logs["val_loss"] = vl
		for _, m := range t.Opts.Metrics {
			v, err := m.Fn(p)
			if err != nil {
				return fmt.Errorf("train: epoch %d: metric %s: %w", t.epoch+1, m.Name, err)
			}
			logs["val_"+m.Name] = v
		}
	}
	st := t.status(batches)
	t.epoch++
	t.batch, t.lossSum, t.lossN = 0, 0, 0
	t.hist = append(t.hist, logs)
	if s := t.Opts.Scheduler; s != nil && !t.Opts.SchedulePerStep {
		if ms, ok := s.(MetricScheduler); ok {
			v, ok := logs[t.monitor()]
			if !ok {
				return fmt.Errorf("train: scheduler monitors %q, which is not logged (have %s)", t.monitor(), logs)
			}
			if err := ms.Step(v); err != nil {
				return err
			}
			t.sched++
		} else if ss, ok := s.(Scheduler); ok {
			if err := ss.Step(); err != nil {
				return err
			}
			t.sched++
		}
	}
	t.saves = t.saves[:0]
	for _, c := range t.Opts.Callbacks {
		if err := c.OnEpochEnd(t, st, logs); err != nil {
			return err
		}
	}
	for _, p := range t.saves {
		if err := t.Save(p); err != nil {
			return err
		}
	}
	t.saves = t.saves[:0]
	return nil
}

// CanceledError is the error of a FitContext (or of a callback) stopped
// because its context is done: where it stopped, and the context's error,
// which it wraps (errors.Is(err, context.Canceled) holds for a canceled
// context).
type CanceledError struct {
	// Step is the number of optimizer steps done.
	Step int
	// Where says where training stopped, e.g. "step 1200 of 4690 (epoch
	// 2 of 5)" or "step 4 of 12 (epoch 1 of 3), validating after epoch 1".
	Where string
	// Err is ctx.Err().
	Err error
}

// Error reads "train: canceled at <Where>: <Err>".
func (e *CanceledError) Error() string { return "train: canceled at " + e.Where + ": " + e.Err.Error() }

// Unwrap returns the context's error.
func (e *CanceledError) Unwrap() error { return e.Err }

// canceled is the error of a Fit whose context is done (err), after
// t.step steps; what says what the Trainer was doing, when not stepping.
func (t *Trainer) canceled(batches int, what string, err error) error {
	where := fmt.Sprintf("step %d", t.step)
	if total := t.totalSteps(batches); total > 0 {
		where += fmt.Sprintf(" of %d", total)
	}
	if t.Opts.Epochs > 0 {
		where += fmt.Sprintf(" (epoch %d of %d)", min(t.epoch+1, t.Opts.Epochs), t.Opts.Epochs)
	}
	if what != "" {
		where += ", " + what
	}
	return &CanceledError{Step: t.step, Where: where, Err: err}
}

func (t *Trainer) monitor() string {
	if t.Opts.Monitor != "" {
		return t.Opts.Monitor
	}
	return "val_loss"
}

// input builds the batch's model input outside the arena.
func (t *Trainer) input(b *data.Batch, spec data.Spec) (*tensor.Tensor, error) {
	return t.Opts.Input(b, spec)
}

// setTraining switches m between training and evaluation mode when it
// has such modes (Dropout, BatchNorm and the containers holding them).
func setTraining(m nn.Module, training bool) {
	if tm, ok := m.(interface{ SetTraining(bool) }); ok {
		tm.SetTraining(training)
	}
}

func (t *Trainer) trainStep(b *data.Batch, spec data.Spec) (float64, error) {
	x, err := t.input(b, spec)
	if err != nil {
		return 0, err
	}
	restore := tensor.UseArena(t.arena)
	defer restore()
	t.arena.Reset()
	t.Opt.ZeroGrad()
	out, err := t.Model.Forward(x)
	if err != nil {
		return 0, err
	}
	loss, err := t.Opts.Loss(out, b)
	if err != nil {
		return 0, err
	}
	if loss.Numel() != 1 {
		return 0, fmt.Errorf("the loss has shape %v, want one value", loss.Shape())
	}
	l := loss.Item()
	if math.IsNaN(l) || math.IsInf(l, 0) {
		return l, fmt.Errorf("loss is %g: training diverged (the last checkpoint is intact; lower the learning rate)", l)
	}
	if err := loss.Backward(); err != nil {
		return 0, err
	}
	if err := t.Opt.Step(); err != nil {
		return 0, err
	}
	return l, nil
}

// Evaluate runs the model over ds in evaluation mode without recording a
// graph, and returns the mean loss and the predictions for metrics. It is
// EvaluateContext with the context of the running Fit (when a callback
// calls it), or one that is never done.
func (t *Trainer) Evaluate(ds data.Dataset) (float64, *Predictions, error) {
	ctx := t.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	return t.EvaluateContext(ctx, ds)
}

// EvaluateContext is Evaluate that checks ctx before every batch and
// returns an error wrapping ctx.Err() that names the batch when ctx is
// done.
func (t *Trainer) EvaluateContext(ctx context.Context, ds data.Dataset) (float64, *Predictions, error) {
	setTraining(t.Model, false)
	defer setTraining(t.Model, true)
	loader, err := data.NewDataLoader(ds, data.LoaderConfig{BatchSize: t.Opts.BatchSize})
	if err != nil {
		return 0, nil, err
	}
	defer loader.Close()
	spec := ds.Spec()
	p := &Predictions{}
	sum, n := 0.0, 0
	loader.Start(0)
	prev := tensor.SetGradEnabled(false)
	defer tensor.SetGradEnabled(prev)
	for i := 0; loader.Next(); i++ {
		if err := ctx.Err(); err != nil {
			return 0, nil, fmt.Errorf("train: evaluation canceled at batch %d of %d: %w", i+1, loader.Len(), err)
		}
		b := loader.Batch()
		x, err := t.input(b, spec)
		if err != nil {
			return 0, nil, err
		}
		l, err := func() (float64, error) {
			restore := tensor.UseArena(t.arena)
			defer restore()
			t.arena.Reset()
			out, err := t.Model.Forward(x)
			if err != nil {
				return 0, err
			}
			loss, err := t.Opts.Loss(out, b)
			if err != nil {
				return 0, err
			}
			if err := p.add(out, b); err != nil {
				return 0, err
			}
			return loss.Item(), nil
		}()
		if err != nil {
			return 0, nil, err
		}
		sum += l * float64(b.N)
		n += b.N
	}
	if err := loader.Err(); err != nil {
		return 0, nil, err
	}
	if n == 0 {
		return 0, nil, errors.New("train: evaluation set is empty")
	}
	return sum / float64(n), p, nil
}

// Checkpoint metadata and tensor names of the training state.
const (
	metaTrain   = "kaiwu.train"
	optimPrefix = ckpt.ReservedPrefix + "optim."
)

type trainState struct {
	Epoch     int                        `json:"epoch"`
	Batch     int                        `json:"batch"`
	Step      int                        `json:"step"`
	LossSum   float64                    `json:"loss_sum"`
	LossN     int                        `json:"loss_n"`
	Seed      uint64                     `json:"seed"`
	History   []Logs                     `json:"history"`
	Optim     string                     `json:"optim"`
	Steps     int                        `json:"optim_steps"`
	Hyper     map[string]float64         `json:"optim_hyper"`
	Callbacks map[string]json.RawMessage `json:"callbacks,omitempty"`
	Sched     int                        `json:"scheduler_steps"`
	// RNG holds the states of the model's random generators (dropout
	// masks), by ckpt.NamedRNG name, as tensor.RNG.MarshalBinary
	// encodes them (base64 in JSON). Checkpoints written before it
	// existed resume with the generators as the fresh model has them.
	RNG ckpt.RNGState `json:"rng,omitempty"`
}

// Save writes a training checkpoint to path, atomically: the model's
// state_dict (loadable by ckpt.LoadModule, ckpt.Open when Options.Spec
// is set, and PyTorch), the optimizer's state as tensors named
// "__optim.<buffer>.<index>", and in the metadata the epoch, step, seed,
// history, the states of the model's random generators (ckpt.RNGs) and
// the state of every StatefulCallback. The optimizer must implement
// optim.Stateful.
func (t *Trainer) Save(path string) error {
	so, ok := t.Opt.(optim.Stateful)
	if !ok {
		return fmt.Errorf("train: optimizer %T cannot save its state (it does not implement optim.Stateful)", t.Opt)
	}
	ost := so.State()
	rngs, err := ckpt.SaveRNGs(t.Model)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	ts := trainState{Epoch: t.epoch, Batch: t.batch, Step: t.step, LossSum: t.lossSum, LossN: t.lossN,
		Seed: t.Opts.Seed, History: t.hist, Optim: ost.Kind, Steps: ost.Steps, Hyper: ost.Hyper, Sched: t.sched, RNG: rngs}
	for i, c := range t.Opts.Callbacks {
		if sc, ok := c.(StatefulCallback); ok {
			b, err := sc.CallbackState()
			if err != nil {
				return fmt.Errorf("train: callback %d (%T): %w", i, c, err)
			}
			if ts.Callbacks == nil {
				ts.Callbacks = map[string]json.RawMessage{}
			}
			ts.Callbacks[callbackKey(i, c)] = b
		}
	}
	meta, err := json.Marshal(ts)
	if err != nil {
		return fmt.Errorf("train: checkpoint state: %w", err)
	}
	var extra []ckpt.Tensor
	keys := make([]string, 0, len(ost.Buffers))
	for k := range ost.Buffers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b := ost.Buffers[k]
		extra = append(extra, ckpt.F32Tensor(optimPrefix+k, b, len(b)))
	}
	return ckpt.Save(path, t.Model, ckpt.SaveOptions{Spec: t.Opts.Spec, Pipeline: t.Opts.Pipeline,
		Metadata: map[string]string{metaTrain: string(meta)}, Extra: extra})
}

func callbackKey(i int, c Callback) string { return strconv.Itoa(i) + ":" + fmt.Sprintf("%T", c) }

// Resume restores the model, the optimizer, the model's random
// generators (dropout masks) and the progress saved by Save at path, so that Fit continues the run exactly as if it had not
// stopped (same batches, same updates, bit for bit). The Trainer must be
// set up as the one that saved: same model architecture, optimizer type,
// options and callbacks.
func (t *Trainer) Resume(path string) error {
	f, err := ckpt.ReadFile(path)
	if err != nil {
		return err
	}
	raw, ok := f.Metadata[metaTrain]
	if !ok {
		return fmt.Errorf("train: %s is not a training checkpoint (no %q metadata)", path, metaTrain)
	}
	var ts trainState
	if err := json.Unmarshal([]byte(raw), &ts); err != nil {
		return fmt.Errorf("train: %s: training state: %w", path, err)
	}
	if ts.Seed != t.Opts.Seed {
		return fmt.Errorf("train: %s was trained with seed %d, this trainer has seed %d", path, ts.Seed, t.Opts.Seed)
	}
	so, ok := t.Opt.(optim.Stateful)
	if !ok {
		return fmt.Errorf("train: optimizer %T cannot restore its state (it does not implement optim.Stateful)", t.Opt)
	}
	ost := optim.State{Kind: ts.Optim, Steps: ts.Steps, Hyper: ts.Hyper, Buffers: map[string][]float32{}}
	for i := range f.Tensors {
		tt := &f.Tensors[i]
		if name, ok := strings.CutPrefix(tt.Name, optimPrefix); ok {
			v, err := tt.Float32s()
			if err != nil {
				return err
			}
			ost.Buffers[name] = v
		}
	}
	// Check everything before changing anything.
	for i, c := range t.Opts.Callbacks {
		if _, ok := c.(StatefulCallback); ok {
			if _, ok := ts.Callbacks[callbackKey(i, c)]; !ok {
				return fmt.Errorf("train: %s has no state for callback %d (%T)", path, i, c)
			}
		}
	}
	if ts.Sched > 0 {
		if _, ok := t.Opts.Scheduler.(Scheduler); !ok {
			return fmt.Errorf("train: %s took %d scheduler steps; resuming needs a step-driven Scheduler (a metric-driven one cannot be replayed)", path, ts.Sched)
		}
	}
	rngBackup, err := ckpt.SaveRNGs(t.Model)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	backup, err := ckpt.State(t.Model)
	if err != nil {
		return err
	}
	if err := ckpt.LoadState(t.Model, f); err != nil {
		return fmt.Errorf("train: %s: %w", path, err)
	}
	if err := ckpt.LoadRNGs(t.Model, ts.RNG); err != nil {
		_ = ckpt.LoadState(t.Model, &ckpt.File{Tensors: backup})
		return fmt.Errorf("train: %s: %w", path, err)
	}
	if err := so.LoadState(ost); err != nil {
		_ = ckpt.LoadState(t.Model, &ckpt.File{Tensors: backup})
		_ = ckpt.LoadRNGs(t.Model, rngBackup)
		return fmt.Errorf("train: %s: %w", path, err)
	}
	for i, c := range t.Opts.Callbacks {
		if sc, ok := c.(StatefulCallback); ok {
			if err := sc.RestoreCallbackState(ts.Callbacks[callbackKey(i, c)]); err != nil {
				return fmt.Errorf("train: %s: callback %d (%T): %w", path, i, c, err)
			}
		}
	}
	// Schedules are functions of their step count: replaying the steps
	// puts a fresh scheduler where the saved one was.
	if s, ok := t.Opts.Scheduler.(Scheduler); ok {
		for range ts.Sched - t.sched {
			if err := s.Step(); err != nil {
				return err
			}
		}
	}
	t.epoch, t.batch, t.step, t.lossSum, t.lossN, t.sched = ts.Epoch, ts.Batch, ts.Step, ts.LossSum, ts.LossN, ts.Sched
	t.hist = ts.History
	return nil
}
