package recipes

import (
	"context"
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/train"
)

// AddingConfig configures AddingLSTM. Zero fields take the defaults.
type AddingConfig struct {
	// Length is the sequence length T (default 50).
	Length int
	// Train and Test are the numbers of sequences (defaults 10000, 1000).
	Train, Test int
	Hidden      int     // LSTM hidden size (default 64)
	Epochs      int     // default 12
	MaxSteps    int     // stop after this many optimizer steps (0: no limit)
	Batch       int     // default 64
	LR          float64 // Adam learning rate (default 3e-3)
	Seed        uint64  // default 1
}

func (c AddingConfig) withDefaults() AddingConfig {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Length, 50)
	def(&c.Train, 10000)
	def(&c.Test, 1000)
	def(&c.Hidden, 64)
	def(&c.Epochs, 12)
	def(&c.Batch, 64)
	if c.LR == 0 {
		c.LR = 3e-3
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	return c
}

func (c AddingConfig) validate() error {
	switch {
	case c.Length < 2 || c.Length > 100000:
		return fmt.Errorf("recipes: adding: length %d: want 2..100000", c.Length)
	case c.Train < 1 || c.Test < 1 || c.Hidden < 1 || c.Batch < 1:
		return fmt.Errorf("recipes: adding: train %d, test %d, hidden %d and batch %d must be positive", c.Train, c.Test, c.Hidden, c.Batch)
	case c.Epochs < 1 || c.Epochs > 100000 || c.MaxSteps < 0:
		return fmt.Errorf("recipes: adding: epochs %d (want 1..100000), max steps %d (want ≥ 0)", c.Epochs, c.MaxSteps)
	case !(c.LR > 0 && c.LR < 10):
		return fmt.Errorf("recipes: adding: learning rate %g: want (0, 10)", c.LR)
	}
	return nil
}

// AddingProblem returns n sequences of the adding problem (Hochreiter &
// Schmidhuber 1997, experiment 4, in the form of Le, Jaitly & Hinton
// 2015): each step of a sequence of length t carries a value drawn from
// U(0, 1) and a marker, 1 at two positions (one in each half) and 0
// elsewhere; the target is the sum of the two marked values. X is
// [n, t, 2] (value, marker) and Y [n]. The same seed gives the same data.
func AddingProblem(n, t int, seed uint64) (x, y []float32) {
	rng := tensor.NewRNG(seed)
	x, y = make([]float32, n*t*2), make([]float32, n)
	for i := 0; i < n; i++ {
		s := x[i*t*2 : (i+1)*t*2]
		for j := 0; j < t; j++ {
			s[2*j] = float32(rng.Float64())
		}
		a := rng.Intn(t / 2)
		b := t/2 + rng.Intn(t-t/2)
		s[2*a+1], s[2*b+1] = 1, 1
		y[i] = s[2*a] + s[2*b]
	}
	return x, y
}

// LastStepRegressor is an LSTM (batch-first) followed by a linear head
// on its output at the last time step: [B, T, In] → [B, Out]. Parameter
// names are "lstm.*" and "head.*", as in the PyTorch module
//
//	class M(nn.Module):
//	    def __init__(s): s.lstm = nn.LSTM(In, H, batch_first=True); s.head = nn.Linear(H, Out)
//	    def forward(s, x): return s.head(s.lstm(x)[0][:, -1])
type LastStepRegressor struct {
	LSTM *nn.RNN
	Head *nn.Linear
}

// NewLastStepRegressor builds a LastStepRegressor with PyTorch's default
// initialisation.
func NewLastStepRegressor(rng *tensor.RNG, in, hidden, out int) (*LastStepRegressor, error) {
	l, err := nn.NewLSTM(rng, nn.RNNConfig{InputSize: in, HiddenSize: hidden, BatchFirst: true})
	if err != nil {
		return nil, err
	}
	h, err := nn.NewLinear(rng, hidden, out, true)
	if err != nil {
		return nil, err
	}
	return &LastStepRegressor{LSTM: l, Head: h}, nil
}

// Forward implements nn.Module.
func (m *LastStepRegressor) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	out, err := m.LSTM.Forward(x)
	if err != nil {
		return nil, err
	}
	t := out.Size(1)
	last, err := out.Narrow(1, t-1, 1)
	if err != nil {
		return nil, err
	}
	if last, err = last.Reshape(out.Size(0), out.Size(2)); err != nil {
		return nil, err
	}
	return m.Head.Forward(last)
}

// Parameters implements nn.Module.
func (m *LastStepRegressor) Parameters() []nn.Param {
	var ps []nn.Param
	for _, p := range m.LSTM.Parameters() {
		ps = append(ps, nn.Param{Name: "lstm." + p.Name, Tensor: p.Tensor})
	}
	for _, p := range m.Head.Parameters() {
		ps = append(ps, nn.Param{Name: "head." + p.Name, Tensor: p.Tensor})
	}
	return ps
}

// AddingLSTM trains a LastStepRegressor (LSTM hidden 64, linear head) on
// the adding problem with sequences of length 50: 10,000 training and
// 1,000 test sequences, MSE loss, Adam lr 3e-3, batch 64, 12 epochs. The
// metric "solved" is the fraction of test sequences answered within 0.04
// of the sum, Hochreiter & Schmidhuber's criterion; the Baseline is the
// test MSE of always answering 1 (the mean), about 1/6 ≈ 0.167, the
// plateau a network that has not learnt the task sits on (Le et al.
// 2015, fig. 2). An LSTM is known to solve the task at this length
// (Hochreiter & Schmidhuber report it for T up to 1000). The PyTorch
// recipe is bench/pytorch/recipes/adding.py. It stops when ctx is done
// (see Canceling in the package documentation).
func AddingLSTM(ctx context.Context, cfg AddingConfig, progress Progress) (Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Result{}, err
	}
	if err := checkCtx(ctx, "adding-lstm", "generating the data"); err != nil {
		return Result{}, err
	}
	xtr, ytr := AddingProblem(cfg.Train, cfg.Length, cfg.Seed)
	xte, yte := AddingProblem(cfg.Test, cfg.Length, cfg.Seed+1000)
	if err := checkCtx(ctx, "adding-lstm", "generating the data"); err != nil {
		return Result{}, err
	}
	tr, err := data.NewMemory(cfg.Train, xtr, []int{cfg.Length, 2}, ytr, 1, nil, 0)
	if err != nil {
		return Result{}, err
	}
	te, err := data.NewMemory(cfg.Test, xte, []int{cfg.Length, 2}, yte, 1, nil, 0)
	if err != nil {
		return Result{}, err
	}
	model, err := NewLastStepRegressor(tensor.NewRNG(cfg.Seed+2), 2, cfg.Hidden, 1)
	if err != nil {
		return Result{}, err
	}
	baseline := 0.0
	for _, v := range yte {
		baseline += (float64(v) - 1) * (float64(v) - 1)
	}
	r := Result{Recipe: "adding-lstm", Dataset: fmt.Sprintf("adding problem T=%d", cfg.Length),
		TrainSamples: cfg.Train, TestSamples: cfg.Test,
		Model:      fmt.Sprintf("lstm 2-%d, linear %d-1 on the last step", cfg.Hidden, cfg.Hidden),
		Parameters: nn.NumParams(model), Optimizer: "adam", LR: cfg.LR, Batch: cfg.Batch, Epochs: cfg.Epochs,
		Seed: cfg.Seed, Metric: "solved", Baseline: baseline / float64(cfg.Test)}
	solved := train.Metric{Name: "solved", HigherIsBetter: true, Fn: func(p *train.Predictions) (float64, error) {
		if len(p.Targets) != len(p.Outputs) || len(p.Targets) == 0 {
			return 0, fmt.Errorf("recipes: adding: %d targets for %d outputs", len(p.Targets), len(p.Outputs))
		}
		ok := 0
		for i, t := range p.Targets {
			if math.Abs(float64(p.Outputs[i]-t)) < 0.04 {
				ok++
			}
		}
		return float64(ok) / float64(len(p.Targets)), nil
	}}
	err = fit(ctx, &r, model, tr, te, cfg.Epochs, cfg.MaxSteps, cfg.Batch, cfg.LR, cfg.Seed+3, solved, progress)
	return r, err
}
