package train

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/ckpt"
	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func spirals(t testing.TB) (tr, va *data.Classification) {
	t.Helper()
	ds, err := data.TwoSpirals(150, 1.5, 0.05, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, va, err = ds.Split(0.2, 2)
	if err != nil {
		t.Fatal(err)
	}
	return tr, va
}

type setup struct {
	tr    *Trainer
	es    *EarlyStopping
	best  *BestCheckpoint
	model *nn.Sequential
}

// newSetup builds the same trainer every time except for the model's
// initial weights (initSeed) and the best-checkpoint path.
func newSetup(t *testing.T, initSeed uint64, bestPath string, o Options) setup {
	t.Helper()
	m, err := nn.NewMLP(tensor.NewRNG(initSeed), 2, 32, 32, 2)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewAdam(nn.Tensors(m), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	es := &EarlyStopping{Monitor: "val_loss", Patience: 4, MinDelta: 1e-4}
	best := &BestCheckpoint{Path: bestPath, Monitor: "val_loss"}
	o.BatchSize, o.Seed = 64, 4
	o.Metrics = []Metric{AccuracyMetric(), F1Metric(Macro)}
	o.Callbacks = []Callback{es, best, &LRLogger{}}
	o.Spec = &ckpt.Spec{Type: "mlp", Sizes: []int{2, 32, 32, 2}}
	if o.Scheduler == "steplr" {
		sch, _ := optim.NewStepLR(0.01, 3, 0.5)
		s, err := optim.NewScheduler(opt, sch)
		if err != nil {
			t.Fatal(err)
		}
		o.Scheduler, o.SchedulePerStep = s, true
	}
	tr, err := NewTrainer(m, opt, o)
	if err != nil {
		t.Fatal(err)
	}
	return setup{tr, es, best, m}
}

func sameLogs(t *testing.T, what string, a, b []Logs) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d epochs vs %d", what, len(a), len(b))
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			t.Fatalf("%s: epoch %d logs %v vs %v", what, i+1, a[i], b[i])
		}
		for k, v := range a[i] {
			if math.Float64bits(v) != math.Float64bits(b[i][k]) {
				t.Fatalf("%s: epoch %d %s = %v vs %v (not bit-identical)", what, i+1, k, v, b[i][k])
			}
		}
	}
}

// sameWeights fails the test unless a and b have bit-identical parameters.
func sameWeights(t *testing.T, a, b nn.Module) {
	t.Helper()
	if d := weightDiff(a, b); d != "" {
		t.Fatal(d)
	}
}

// weightDiff names the first parameter value where a and b (of the same
// architecture) differ bit for bit, or returns "" when they are the same.
func weightDiff(a, b nn.Module) string {
	pb := b.Parameters()
	for i, p := range a.Parameters() {
		q := pb[i].Tensor.Data()
		for j, v := range p.Tensor.Data() {
			if math.Float32bits(v) != math.Float32bits(q[j]) {
				return fmt.Sprintf("%s[%d]: %g vs %g", p.Name, j, v, q[j])
			}
		}
	}
	return ""
}

// TestTrainerSpiralsEarlyStopBestResume trains an MLP on two spirals with
// early stopping and a best checkpoint, then resumes a fresh trainer
// (different initial weights) from that checkpoint: the resumed run must
// continue exactly as the uninterrupted one, bit for bit, and stop at the
// same epoch.
func TestTrainerSpiralsEarlyStopBestResume(t *testing.T) {
	tr, va := spirals(t)
	dir := t.TempDir()
	a := newSetup(t, 3, filepath.Join(dir, "best.safetensors"), Options{Epochs: 300})
	logsA, err := a.tr.Fit(tr, va)
	if err != nil {
		t.Fatal(err)
	}
	k := a.best.BestEpoch()
	if a.es.StoppedEpoch() == 0 || len(logsA) != a.es.StoppedEpoch() || k != len(logsA)-a.es.Patience {
		t.Fatalf("early stopping: stopped after %d, %d epochs ran, best %d", a.es.StoppedEpoch(), len(logsA), k)
	}
	if acc := logsA[k-1]["val_accuracy"]; acc < 0.9 {
		t.Errorf("best val accuracy %.3f < 0.9", acc)
	}
	if logsA[k-1]["val_loss"] != a.es.Best() {
		t.Errorf("best checkpoint epoch %d has val_loss %g, early stopping's best is %g", k, logsA[k-1]["val_loss"], a.es.Best())
	}
	t.Logf("stopped after epoch %d, best epoch %d: %s", len(logsA), k, logsA[k-1])

	// The best checkpoint is a model checkpoint too: ckpt.Open rebuilds
	// the model from its spec, with the best epoch's validation accuracy.
	c, err := ckpt.Open(a.best.Path)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := Accuracy(c.Model, va)
	if err != nil {
		t.Fatal(err)
	}
	if acc != logsA[k-1]["val_accuracy"] {
		t.Errorf("reopened best model: accuracy %g, logged %g", acc, logsA[k-1]["val_accuracy"])
	}

	b := newSetup(t, 99, filepath.Join(dir, "best2.safetensors"), Options{Epochs: 300})
	if err := b.tr.Resume(a.best.Path); err != nil {
		t.Fatal(err)
	}
	if b.tr.Epoch() != k {
		t.Fatalf("resumed at epoch %d, want %d", b.tr.Epoch(), k)
	}
	logsB, err := b.tr.Fit(tr, va)
	if err != nil {
		t.Fatal(err)
	}
	sameLogs(t, "resumed vs uninterrupted", logsA, logsB)
	sameWeights(t, a.model, b.model)
	if b.es.StoppedEpoch() != a.es.StoppedEpoch() {
		t.Errorf("resumed run stopped after %d, uninterrupted after %d", b.es.StoppedEpoch(), a.es.StoppedEpoch())
	}
}

// TestResumeMidEpoch stops by MaxSteps in the middle of an epoch, saves,
// and resumes into a run that matches an uninterrupted one.
func TestResumeMidEpoch(t *testing.T) {
	tr, va := spirals(t)
	dir := t.TempDir()
	a := newSetup(t, 3, filepath.Join(dir, "a.safetensors"), Options{Epochs: 3, Scheduler: "steplr"})
	logsA, err := a.tr.Fit(tr, va)
	if err != nil {
		t.Fatal(err)
	}
	if logsA[2]["lr"] >= logsA[0]["lr"] {
		t.Fatalf("the schedule did not decay the rate: %v", logsA)
	}
	b := newSetup(t, 3, filepath.Join(dir, "b.safetensors"), Options{Epochs: 3, MaxSteps: 6, Scheduler: "steplr"})
	if _, err := b.tr.Fit(tr, va); err != nil {
		t.Fatal(err)
	}
	if b.tr.Step() != 6 || b.tr.Epoch() != 1 {
		t.Fatalf("stopped at step %d, epoch %d", b.tr.Step(), b.tr.Epoch())
	}
	mid := filepath.Join(dir, "mid.safetensors")
	if err := b.tr.Save(mid); err != nil {
		t.Fatal(err)
	}
	c := newSetup(t, 7, filepath.Join(dir, "c.safetensors"), Options{Epochs: 3, Scheduler: "steplr"})
	if err := c.tr.Resume(mid); err != nil {
		t.Fatal(err)
	}
	logsC, err := c.tr.Fit(tr, va)
	if err != nil {
		t.Fatal(err)
	}
	sameLogs(t, "mid-epoch resume", logsA, logsC)
	sameWeights(t, a.model, c.model)
}

func TestResumeRejects(t *testing.T) {
	dir := t.TempDir()
	tr, va := spirals(t)
	a := newSetup(t, 3, filepath.Join(dir, "a.safetensors"), Options{Epochs: 1})
	if _, err := a.tr.Fit(tr, va); err != nil {
		t.Fatal(err)
	}
	// Weights only: not a training checkpoint.
	w := filepath.Join(dir, "w.safetensors")
	if err := ckpt.SaveModule(w, a.model, nil); err != nil {
		t.Fatal(err)
	}
	b := newSetup(t, 3, filepath.Join(dir, "b.safetensors"), Options{Epochs: 1})
	if err := b.tr.Resume(w); err == nil || !strings.Contains(err.Error(), "not a training checkpoint") {
		t.Errorf("weights-only resume: %v", err)
	}
	// Another seed.
	c := newSetup(t, 3, filepath.Join(dir, "c.safetensors"), Options{Epochs: 1})
	c.tr.Opts.Seed = 5
	if err := c.tr.Resume(a.best.Path); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Errorf("seed mismatch: %v", err)
	}
	// Another architecture: the state_dict check names the tensors, and
	// the optimizer is left as it was.
	m, _ := nn.NewMLP(tensor.NewRNG(1), 2, 16, 2)
	opt, _ := optim.NewAdam(nn.Tensors(m), 0.01)
	d, _ := NewTrainer(m, opt, Options{Epochs: 1, BatchSize: 64, Seed: 4})
	if err := d.Resume(a.best.Path); err == nil || !strings.Contains(err.Error(), "0.weight") {
		t.Errorf("architecture mismatch: %v", err)
	}
	if opt.State().Steps != 0 {
		t.Error("a failed resume changed the optimizer")
	}
}

// TestNaNStopsWithCheckpointIntact: a diverging run stops with an error
// naming the step, and the best checkpoint written before stays valid.
func TestNaNStopsWithCheckpointIntact(t *testing.T) {
	tr, va := spirals(t)
	dir := t.TempDir()
	s := newSetup(t, 3, filepath.Join(dir, "best.safetensors"), Options{Epochs: 5})
	calls := 0
	s.tr.Opts.Loss = func(out *tensor.Tensor, b *data.Batch) (*tensor.Tensor, error) {
		l, err := DefaultLoss(out, b)
		if tensor.GradEnabled() {
			calls++
		}
		if calls == 10 && err == nil && tensor.GradEnabled() {
			return l.MulScalar(math.NaN())
		}
		return l, err
	}
	_, err := s.tr.Fit(tr, va)
	if err == nil || !strings.Contains(err.Error(), "step") || !strings.Contains(err.Error(), "NaN") {
		t.Fatalf("err = %v", err)
	}
	if _, err := ckpt.Open(s.best.Path); err != nil {
		t.Fatalf("best checkpoint after NaN: %v", err)
	}
	if _, err := os.Stat(s.best.Path); err != nil {
		t.Fatal(err)
	}
}

func TestOptimizerState(t *testing.T) {
	for _, kind := range []string{"SGD", "Adam"} {
		t.Run(kind, func(t *testing.T) {
			mk := func() (optim.Stateful, *tensor.Tensor) {
				w := tensor.Must(tensor.FromSlice([]float32{1, 2, 3}, 3)).SetRequiresGrad(true)
				if kind == "SGD" {
					o, _ := optim.NewSGD([]*tensor.Tensor{w}, 0.1, 0.9)
					o.Nesterov = true
					return o, w
				}
				o, _ := optim.NewAdam([]*tensor.Tensor{w}, 0.1)
				o.WeightDecay = 0.01
				return o, w
			}
			step := func(o optim.Stateful, w *tensor.Tensor) {
				o.ZeroGrad()
				l := tensor.Must(tensor.SumAll(tensor.Must(w.PowScalar(3))))
				if err := l.Backward(); err != nil {
					t.Fatal(err)
				}
				if err := o.Step(); err != nil {
					t.Fatal(err)
				}
			}
			a, wa := mk()
			for range 3 {
				step(a, wa)
			}
			st := a.State()
			// JSON round trip, as a checkpoint would carry the hyperparameters.
			js, _ := json.Marshal(st.Hyper)
			st.Hyper = nil
			_ = json.Unmarshal(js, &st.Hyper)
			b, wb := mk()
			copy(wb.Data(), wa.Data())
			if err := b.LoadState(st); err != nil {
				t.Fatal(err)
			}
			for range 3 {
				step(a, wa)
				step(b, wb)
			}
			for i, v := range wa.Data() {
				if v != wb.Data()[i] {
					t.Fatalf("w[%d]: %g continuing vs %g restored", i, v, wb.Data()[i])
				}
			}
			bad := a.State()
			for k := range bad.Buffers {
				bad.Buffers[k] = bad.Buffers[k][:1]
			}
			if err := b.LoadState(bad); err == nil {
				t.Error("short buffer accepted")
			}
			other := a.State()
			other.Kind = "RMSprop"
			if err := b.LoadState(other); err == nil {
				t.Error("foreign state accepted")
			}
		})
	}
}

func TestTrainerRegressionAndCallbacks(t *testing.T) {
	// y = 2x₀ − x₁ + noise-free: an MLP regressor reaches R² > 0.95.
	rng := tensor.NewRNG(1)
	n := 256
	x, y := make([]float32, 2*n), make([]float32, n)
	for i := range n {
		a, b := float32(rng.Float64()*2-1), float32(rng.Float64()*2-1)
		x[2*i], x[2*i+1], y[i] = a, b, 2*a-b
	}
	ds, err := data.NewMemory(n, x, []int{2}, y, 1, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := nn.NewMLP(tensor.NewRNG(2), 2, 16, 1)
	opt, _ := optim.NewAdam(nn.Tensors(m), 0.02)
	var batches, epochs int
	var lastETA bool
	lr := &LRLogger{PerStep: true}
	tr, err := NewTrainer(m, opt, Options{Epochs: 30, BatchSize: 32, Seed: 1,
		Metrics:   []Metric{MSEMetric(), RMSEMetric(), MAEMetric(), R2Metric()},
		Callbacks: []Callback{&ProgressReporter{Batch: func(s Status) { batches++; lastETA = s.ETA > 0 || s.Step == 30*8 }, Epoch: func(Status, Logs) { epochs++ }}, lr}})
	if err != nil {
		t.Fatal(err)
	}
	logs, err := tr.Fit(ds, ds)
	if err != nil {
		t.Fatal(err)
	}
	last := logs[len(logs)-1]
	if last["val_r2"] < 0.95 || math.Abs(last["val_rmse"]-math.Sqrt(last["val_mse"])) > 1e-12 {
		t.Errorf("final logs %s", last)
	}
	if batches != 30*8 || epochs != 30 || !lastETA || len(lr.Rates) != 240 || lr.Rates[0] != float64(float32(0.02)) {
		t.Errorf("progress: %d batches, %d epochs, eta %v, %d rates", batches, epochs, lastETA, len(lr.Rates))
	}
}

func TestNewTrainerRejects(t *testing.T) {
	m, _ := nn.NewMLP(tensor.NewRNG(1), 2, 2)
	opt, _ := optim.NewSGD(nn.Tensors(m), 0.1, 0)
	for _, o := range []Options{{}, {Epochs: -1}, {Epochs: 1, BatchSize: -2}, {Epochs: 1, Scheduler: 3}, {Epochs: 1, Metrics: []Metric{{Name: "x"}}}} {
		if _, err := NewTrainer(m, opt, o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}
