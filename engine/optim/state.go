package optim

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// State is an optimizer's internal state, as torch.optim's state_dict():
// the step count, the hyperparameters, and per-parameter buffers named
// "<buffer>.<parameter index>" with PyTorch's buffer names
// (momentum_buffer for SGD; exp_avg and exp_avg_sq for Adam; square_avg,
// grad_avg and momentum_buffer for RMSprop; sum and step for Adagrad,
// whose step counts are per parameter and, as in PyTorch, float32: exact
// up to 2²⁴ steps). A buffer
// that was never allocated (a parameter that has not had a gradient yet)
// is absent. Restoring a State into a fresh optimizer over the same
// parameters makes it continue exactly as the one that was saved.
type State struct {
	// Kind is the optimizer's type: "SGD", "Adam", "RMSprop" or "Adagrad".
	Kind string
	// Steps is the number of Step calls so far.
	Steps int
	// Hyper holds the hyperparameters (lr, momentum, betas…), which a
	// scheduler may have changed during training.
	Hyper map[string]float64
	// Buffers maps "<name>.<index>" to a copy of the buffer.
	Buffers map[string][]float32
}

// Stateful is an optimizer whose state can be saved and restored, for
// resuming training from a checkpoint.
type Stateful interface {
	Optimizer
	// State returns a copy of the optimizer's state.
	State() State
	// LoadState replaces the optimizer's state with a copy of s. It fails,
	// changing nothing, when s is of another kind or its buffers do not
	// fit the parameters.
	LoadState(s State) error
}

var (
	_ Stateful = (*SGD)(nil)
	_ Stateful = (*Adam)(nil)
	_ Stateful = (*RMSProp)(nil)
	_ Stateful = (*Adagrad)(nil)
)

func saveBuffers(dst map[string][]float32, name string, bufs [][]float32) {
	for i, b := range bufs {
		if b != nil {
			dst[name+"."+strconv.Itoa(i)] = append([]float32(nil), b...)
		}
	}
}

// loadBuffers checks s's buffers against the parameters and returns the
// restored slices per name, or an error naming the offending buffer.
func loadBuffers(kind string, s State, want string, names []string, sizes []int) (map[string][][]float32, error) {
	if s.Kind != want {
		return nil, fmt.Errorf("optim: %s: cannot load the state of a %q optimizer", kind, s.Kind)
	}
	if s.Steps < 0 {
		return nil, fmt.Errorf("optim: %s: negative step count %d", kind, s.Steps)
	}
	out := map[string][][]float32{}
	for _, n := range names {
		out[n] = make([][]float32, len(sizes))
	}
	for key, b := range s.Buffers {
		dot := strings.LastIndexByte(key, '.')
		i, err := strconv.Atoi(key[dot+1:])
		bufs, known := out[key[:max(dot, 0)]]
		if dot < 0 || err != nil || !known {
			return nil, fmt.Errorf("optim: %s: unknown state buffer %q", kind, key)
		}
		if i < 0 || i >= len(sizes) {
			return nil, fmt.Errorf("optim: %s: state buffer %q: parameter %d does not exist (%d parameters)", kind, key, i, len(sizes))
		}
		if len(b) != sizes[i] {
			return nil, fmt.Errorf("optim: %s: state buffer %q has %d values, parameter %d has %d", kind, key, len(b), i, sizes[i])
		}
		bufs[i] = append([]float32(nil), b...)
	}
	return out, nil
}

// State implements Stateful.
func (o *SGD) State() State {
	s := State{Kind: "SGD", Steps: o.steps, Buffers: map[string][]float32{},
		Hyper: map[string]float64{"lr": float64(o.LR), "momentum": float64(o.Momentum),
			"dampening": float64(o.Dampening), "weight_decay": float64(o.WeightDecay), "nesterov": b2f(o.Nesterov)}}
	saveBuffers(s.Buffers, "momentum_buffer", o.buf)
	return s
}

// LoadState implements Stateful.
func (o *SGD) LoadState(s State) error {
	sizes := make([]int, len(o.params))
	for i, p := range o.params {
		sizes[i] = p.Numel()
	}
	bufs, err := loadBuffers("SGD", s, "SGD", []string{"momentum_buffer"}, sizes)
	if err != nil {
		return err
	}
	o.steps, o.buf = s.Steps, bufs["momentum_buffer"]
	setF32(s.Hyper, "lr", &o.LR)
	setF32(s.Hyper, "momentum", &o.Momentum)
	setF32(s.Hyper, "dampening", &o.Dampening)
	setF32(s.Hyper, "weight_decay", &o.WeightDecay)
	if v, ok := s.Hyper["nesterov"]; ok {
		o.Nesterov = v != 0
	}
	return nil
}

// State implements Stateful.
func (o *Adam) State() State {
	s := State{Kind: "Adam", Steps: o.t, Buffers: map[string][]float32{},
		Hyper: map[string]float64{"lr": float64(o.LR), "beta1": float64(o.Beta1), "beta2": float64(o.Beta2),
			"eps": float64(o.Eps), "weight_decay": float64(o.WeightDecay), "decoupled": b2f(o.Decoupled)}}
	saveBuffers(s.Buffers, "exp_avg", o.m)
	saveBuffers(s.Buffers, "exp_avg_sq", o.v)
	return s
}

// LoadState implements Stateful.
func (o *Adam) LoadState(s State) error {
	sizes := make([]int, len(o.params))
	for i, p := range o.params {
		sizes[i] = p.Numel()
	}
	bufs, err := loadBuffers("Adam", s, "Adam", []string{"exp_avg", "exp_avg_sq"}, sizes)
	if err != nil {
		return err
	}
	for i := range sizes {
		if (bufs["exp_avg"][i] == nil) != (bufs["exp_avg_sq"][i] == nil) {
			return fmt.Errorf("optim: Adam: parameter %d has only one of exp_avg and exp_avg_sq", i)
		}
	}
	o.t, o.m, o.v = s.Steps, bufs["exp_avg"], bufs["exp_avg_sq"]
	setF32(s.Hyper, "lr", &o.LR)
	setF32(s.Hyper, "beta1", &o.Beta1)
	setF32(s.Hyper, "beta2", &o.Beta2)
	setF32(s.Hyper, "eps", &o.Eps)
	setF32(s.Hyper, "weight_decay", &o.WeightDecay)
	if v, ok := s.Hyper["decoupled"]; ok {
		o.Decoupled = v != 0
	}
	return nil
}

// State implements Stateful. The hyperparameters use torch.optim.RMSprop's
// names (alpha, centered…).
func (o *RMSProp) State() State {
	s := State{Kind: "RMSprop", Steps: o.steps, Buffers: map[string][]float32{},
		Hyper: map[string]float64{"lr": float64(o.LR), "alpha": float64(o.Alpha), "eps": float64(o.Eps),
			"weight_decay": float64(o.WeightDecay), "momentum": float64(o.Momentum), "centered": b2f(o.Centered)}}
	saveBuffers(s.Buffers, "square_avg", o.sq)
	saveBuffers(s.Buffers, "grad_avg", o.avg)
	saveBuffers(s.Buffers, "momentum_buffer", o.buf)
	return s
}

// LoadState implements Stateful.
func (o *RMSProp) LoadState(s State) error {
	bufs, err := loadBuffers("RMSprop", s, "RMSprop", []string{"square_avg", "grad_avg", "momentum_buffer"}, paramSizes(o.params))
	if err != nil {
		return err
	}
	for i := range o.params {
		if bufs["square_avg"][i] == nil && (bufs["grad_avg"][i] != nil || bufs["momentum_buffer"][i] != nil) {
			return fmt.Errorf("optim: RMSprop: parameter %d has grad_avg or momentum_buffer but no square_avg", i)
		}
	}
	o.steps, o.sq, o.avg, o.buf = s.Steps, bufs["square_avg"], bufs["grad_avg"], bufs["momentum_buffer"]
	setF32(s.Hyper, "lr", &o.LR)
	setF32(s.Hyper, "alpha", &o.Alpha)
	setF32(s.Hyper, "eps", &o.Eps)
	setF32(s.Hyper, "weight_decay", &o.WeightDecay)
	setF32(s.Hyper, "momentum", &o.Momentum)
	if v, ok := s.Hyper["centered"]; ok {
		o.Centered = v != 0
	}
	return nil
}

// State implements Stateful. The hyperparameters use torch.optim.Adagrad's
// names (lr_decay, initial_accumulator_value…); each parameter's step
// count is the one-value buffer "step.<index>".
func (o *Adagrad) State() State {
	s := State{Kind: "Adagrad", Steps: o.calls, Buffers: map[string][]float32{},
		Hyper: map[string]float64{"lr": float64(o.LR), "lr_decay": float64(o.LRDecay), "weight_decay": float64(o.WeightDecay),
			"initial_accumulator_value": float64(o.InitialAccumulator), "eps": float64(o.Eps)}}
	saveBuffers(s.Buffers, "sum", o.sum)
	for i, n := range o.steps {
		if o.sum[i] != nil {
			s.Buffers["step."+strconv.Itoa(i)] = []float32{float32(n)}
		}
	}
	return s
}

// LoadState implements Stateful.
func (o *Adagrad) LoadState(s State) error {
	sizes := paramSizes(o.params)
	// The step buffers hold one value each; check them apart from the sums.
	sums := State{Kind: s.Kind, Steps: s.Steps, Buffers: map[string][]float32{}}
	steps := make([]int, len(sizes))
	hasStep := make([]bool, len(sizes))
	for k, b := range s.Buffers {
		rest, ok := strings.CutPrefix(k, "step.")
		if !ok {
			sums.Buffers[k] = b
			continue
		}
		i, err := strconv.Atoi(rest)
		if err != nil || i < 0 || i >= len(sizes) {
			return fmt.Errorf("optim: Adagrad: state buffer %q: no such parameter (%d parameters)", k, len(sizes))
		}
		if len(b) != 1 || !(b[0] >= 0) || b[0] != float32(math.Trunc(float64(b[0]))) || b[0] > 1<<24 {
			return fmt.Errorf("optim: Adagrad: state buffer %q: want one whole step count in [0, 2^24], got %v", k, b)
		}
		steps[i], hasStep[i] = int(b[0]), true
	}
	bufs, err := loadBuffers("Adagrad", sums, "Adagrad", []string{"sum"}, sizes)
	if err != nil {
		return err
	}
	for i := range sizes {
		if (bufs["sum"][i] == nil) != !hasStep[i] {
			return fmt.Errorf("optim: Adagrad: parameter %d has only one of sum and step", i)
		}
	}
	o.calls, o.sum, o.steps = s.Steps, bufs["sum"], steps
	setF32(s.Hyper, "lr", &o.LR)
	setF32(s.Hyper, "lr_decay", &o.LRDecay)
	setF32(s.Hyper, "weight_decay", &o.WeightDecay)
	setF32(s.Hyper, "initial_accumulator_value", &o.InitialAccumulator)
	setF32(s.Hyper, "eps", &o.Eps)
	return nil
}

func paramSizes(params []*tensor.Tensor) []int {
	sizes := make([]int, len(params))
	for i, p := range params {
		sizes[i] = p.Numel()
	}
	return sizes
}

func setF32(h map[string]float64, k string, dst *float32) {
	if v, ok := h[k]; ok {
		*dst = float32(v)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
