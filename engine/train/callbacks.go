package train

import (
	"encoding/json"
	"fmt"
	"math"
)

// Callback is told when an epoch ends, after validation, with the
// epoch's logs; it may stop training (Trainer.Stop) or ask for a
// checkpoint (Trainer.SaveAfterEpoch). An error ends Fit.
type Callback interface {
	OnEpochEnd(t *Trainer, s Status, logs Logs) error
}

// BatchCallback is a Callback that is also told after every optimizer
// step (progress bars).
type BatchCallback interface {
	OnBatchEnd(t *Trainer, s Status) error
}

// BeginCallback is told when Fit starts.
type BeginCallback interface {
	OnTrainBegin(t *Trainer, s Status) error
}

// EndCallback is told when Fit returns, with its error (nil on success).
type EndCallback interface {
	OnTrainEnd(t *Trainer, s Status, err error)
}

// StatefulCallback is a Callback whose state goes into training
// checkpoints, so that a resumed run behaves as the uninterrupted one
// (early stopping's patience counter, the best value seen so far).
type StatefulCallback interface {
	Callback
	CallbackState() (json.RawMessage, error)
	RestoreCallbackState(json.RawMessage) error
}

// ProgressReporter reports progress to a function: Batch after every optimizer
// step (loss, step, ETA in Status), Epoch after every epoch with its
// logs. Either may be nil. The CLI draws its progress bar from these.
type ProgressReporter struct {
	Batch func(s Status)
	Epoch func(s Status, logs Logs)
}

// OnBatchEnd implements BatchCallback.
func (p *ProgressReporter) OnBatchEnd(_ *Trainer, s Status) error {
	if p.Batch != nil {
		p.Batch(s)
	}
	return nil
}

// OnEpochEnd implements Callback.
func (p *ProgressReporter) OnEpochEnd(_ *Trainer, s Status, logs Logs) error {
	if p.Epoch != nil {
		p.Epoch(s, logs)
	}
	return nil
}

// Mode says whether a monitored value improves by going down or up.
type Mode int

const (
	// Auto picks Max for names ending in accuracy, f1, precision,
	// recall, roc_auc or r2, and Min otherwise (losses, errors,
	// perplexity).
	Auto Mode = iota
	// Min: lower is better.
	Min
	// Max: higher is better.
	Max
)

func resolveMode(m Mode, monitor string) Mode {
	if m != Auto {
		return m
	}
	for _, suffix := range []string{"accuracy", "f1", "precision", "recall", "roc_auc", "r2",
		"f1_macro", "f1_micro", "f1_weighted", "precision_macro", "precision_micro", "precision_weighted",
		"recall_macro", "recall_micro", "recall_weighted"} {
		if len(monitor) >= len(suffix) && monitor[len(monitor)-len(suffix):] == suffix {
			return Max
		}
	}
	return Min
}

// tracker follows the best value of a monitored log entry.
type tracker struct {
	Monitor  string
	Mode     Mode
	MinDelta float64
	Best     float64 `json:"best"`
	Seen     bool    `json:"seen"`
}

// improved reports whether v beats the best by more than MinDelta, and
// records it if so.
func (k *tracker) improved(logs Logs) (bool, error) {
	mon := k.Monitor
	if mon == "" {
		mon = "val_loss"
	}
	v, ok := logs[mon]
	if !ok {
		return false, fmt.Errorf("train: monitored value %q is not logged (have %s)", mon, logs)
	}
	if math.IsNaN(v) {
		return false, nil
	}
	better := !k.Seen
	if k.Seen {
		if resolveMode(k.Mode, mon) == Max {
			better = v > k.Best+k.MinDelta
		} else {
			better = v < k.Best-k.MinDelta
		}
	}
	if better {
		k.Best, k.Seen = v, true
	}
	return better, nil
}

// EarlyStopping stops training when Monitor (default "val_loss") has not
// improved by more than MinDelta for Patience epochs in a row, as Keras'
// EarlyStopping.
type EarlyStopping struct {
	Monitor  string
	Mode     Mode
	Patience int
	MinDelta float64

	best    tracker
	wait    int
	stopped int // the epoch training stopped after, 0 if it did not
}

// OnEpochEnd implements Callback.
func (e *EarlyStopping) OnEpochEnd(t *Trainer, s Status, logs Logs) error {
	e.best.Monitor, e.best.Mode, e.best.MinDelta = e.Monitor, e.Mode, e.MinDelta
	ok, err := e.best.improved(logs)
	if err != nil {
		return err
	}
	if ok {
		e.wait = 0
		return nil
	}
	e.wait++
	if e.wait >= e.Patience {
		e.stopped = s.Epoch
		t.Stop()
	}
	return nil
}

// StoppedEpoch reports the epoch after which training stopped, or 0.
func (e *EarlyStopping) StoppedEpoch() int { return e.stopped }

// Best reports the best monitored value seen.
func (e *EarlyStopping) Best() float64 { return e.best.Best }

type earlyState struct {
	Best float64 `json:"best"`
	Seen bool    `json:"seen"`
	Wait int     `json:"wait"`
}

// CallbackState implements StatefulCallback.
func (e *EarlyStopping) CallbackState() (json.RawMessage, error) {
	return json.Marshal(earlyState{e.best.Best, e.best.Seen, e.wait})
}

// RestoreCallbackState implements StatefulCallback.
func (e *EarlyStopping) RestoreCallbackState(b json.RawMessage) error {
	var s earlyState
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	e.best.Best, e.best.Seen, e.wait = s.Best, s.Seen, s.Wait
	return nil
}

// BestCheckpoint writes a training checkpoint (Trainer.Save) to Path
// whenever Monitor (default "val_loss") improves, so Path always holds
// the best model so far, ready for ckpt.Open / ckpt.LoadModule or for
// Trainer.Resume. Writes are atomic: a crash or a NaN loss never leaves a
// torn or worse file behind.
type BestCheckpoint struct {
	Path     string
	Monitor  string
	Mode     Mode
	MinDelta float64

	best  tracker
	epoch int
}

// OnEpochEnd implements Callback.
func (c *BestCheckpoint) OnEpochEnd(t *Trainer, s Status, logs Logs) error {
	c.best.Monitor, c.best.Mode, c.best.MinDelta = c.Monitor, c.Mode, c.MinDelta
	ok, err := c.best.improved(logs)
	if err != nil || !ok {
		return err
	}
	c.epoch = s.Epoch
	t.SaveAfterEpoch(c.Path)
	return nil
}

// BestEpoch reports the epoch of the best checkpoint written, or 0.
func (c *BestCheckpoint) BestEpoch() int { return c.epoch }

type bestState struct {
	Best  float64 `json:"best"`
	Seen  bool    `json:"seen"`
	Epoch int     `json:"epoch"`
}

// CallbackState implements StatefulCallback.
func (c *BestCheckpoint) CallbackState() (json.RawMessage, error) {
	return json.Marshal(bestState{c.best.Best, c.best.Seen, c.epoch})
}

// RestoreCallbackState implements StatefulCallback.
func (c *BestCheckpoint) RestoreCallbackState(b json.RawMessage) error {
	var s bestState
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	c.best.Best, c.best.Seen, c.epoch = s.Best, s.Seen, s.Epoch
	return nil
}

// LRLogger records the learning rate at the end of every epoch (and, with
// PerStep, after every step) and passes it to Log when set. The rate is
// also always in the epoch logs as "lr".
type LRLogger struct {
	PerStep bool
	Log     func(step int, lr float64)
	// Rates are the rates recorded so far.
	Rates []float64
}

// OnBatchEnd implements BatchCallback.
func (l *LRLogger) OnBatchEnd(_ *Trainer, s Status) error {
	if l.PerStep {
		l.record(s.Step, s.LR)
	}
	return nil
}

// OnEpochEnd implements Callback.
func (l *LRLogger) OnEpochEnd(_ *Trainer, s Status, _ Logs) error {
	if !l.PerStep {
		l.record(s.Step, s.LR)
	}
	return nil
}

func (l *LRLogger) record(step int, lr float64) {
	l.Rates = append(l.Rates, lr)
	if l.Log != nil {
		l.Log(step, lr)
	}
}

// funcCallback adapts a function to Callback.
type funcCallback func(t *Trainer, s Status, logs Logs) error

func (f funcCallback) OnEpochEnd(t *Trainer, s Status, logs Logs) error { return f(t, s, logs) }

// CallbackFunc turns f into a Callback called after every epoch.
func CallbackFunc(f func(t *Trainer, s Status, logs Logs) error) Callback { return funcCallback(f) }
