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

// hyper is one hyperparameter of an optimizer under its torch.optim name:
// a float32 field, or (b set) a bool field stored as 0 or 1.
type hyper struct {
	name string
	f    *float32
	b    *bool
}

// newState returns the State of an optimizer of the given kind: its step
// count, the values of its hyperparameters hs, and a copy of each
// allocated buffer of bufs (buffer name → one slice per parameter).
func newState(kind string, steps int, hs []hyper, bufs map[string][][]float32) State {
	s := State{Kind: kind, Steps: steps, Hyper: make(map[string]float64, len(hs)), Buffers: map[string][]float32{}}
	for _, h := range hs {
		if h.b != nil {
			s.Hyper[h.name] = b2f(*h.b)
		} else {
			s.Hyper[h.name] = float64(*h.f)
		}
	}
	for name, bs := range bufs {
		for i, b := range bs {
			if b != nil {
				s.Buffers[name+"."+strconv.Itoa(i)] = append([]float32(nil), b...)
			}
		}
	}
	return s
}

// setHypers sets each hyperparameter of hs that m holds; a bool is true
// when its value is not 0.
func setHypers(hs []hyper, m map[string]float64) {
	for _, h := range hs {
		v, ok := m[h.name]
		switch {
		case !ok:
		case h.b != nil:
			*h.b = v != 0
		default:
			*h.f = float32(v)
		}
	}
}

// loadBuffers checks s's kind, step count and buffers against an
// optimizer of the given kind whose parameters have the given sizes and
// whose buffers have the given names, and returns a copy of the buffers
// per name (nil where s has none), or an error naming the offending one.
func loadBuffers(kind string, s State, sizes []int, names ...string) (map[string][][]float32, error) {
	if s.Kind != kind {
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

// hypers lists o's hyperparameters under torch.optim.SGD's names, for
// State and LoadState (likewise for the other optimizers).
func (o *SGD) hypers() []hyper {
	return []hyper{{name: "lr", f: &o.LR}, {name: "momentum", f: &o.Momentum}, {name: "dampening", f: &o.Dampening},
		{name: "weight_decay", f: &o.WeightDecay}, {name: "nesterov", b: &o.Nesterov}}
}

// State implements Stateful.
func (o *SGD) State() State {
	return newState("SGD", o.steps, o.hypers(), map[string][][]float32{"momentum_buffer": o.buf})
}

// LoadState implements Stateful.
func (o *SGD) LoadState(s State) error {
	bufs, err := loadBuffers("SGD", s, paramSizes(o.params), "momentum_buffer")
	if err != nil {
		return err
	}
	o.steps, o.buf = s.Steps, bufs["momentum_buffer"]
	setHypers(o.hypers(), s.Hyper)
	return nil
}

func (o *Adam) hypers() []hyper {
	return []hyper{{name: "lr", f: &o.LR}, {name: "beta1", f: &o.Beta1}, {name: "beta2", f: &o.Beta2},
		{name: "eps", f: &o.Eps}, {name: "weight_decay", f: &o.WeightDecay}, {name: "decoupled", b: &o.Decoupled}}
}

// State implements Stateful.
func (o *Adam) State() State {
	return newState("Adam", o.t, o.hypers(), map[string][][]float32{"exp_avg": o.m, "exp_avg_sq": o.v})
}

// LoadState implements Stateful.
func (o *Adam) LoadState(s State) error {
	bufs, err := loadBuffers("Adam", s, paramSizes(o.params), "exp_avg", "exp_avg_sq")
	if err != nil {
		return err
	}
	for i := range o.params {
		if (bufs["exp_avg"][i] == nil) != (bufs["exp_avg_sq"][i] == nil) {
			return fmt.Errorf("optim: Adam: parameter %d has only one of exp_avg and exp_avg_sq", i)
		}
	}
	o.t, o.m, o.v = s.Steps, bufs["exp_avg"], bufs["exp_avg_sq"]
	setHypers(o.hypers(), s.Hyper)
	return nil
}

func (o *RMSProp) hypers() []hyper {
	return []hyper{{name: "lr", f: &o.LR}, {name: "alpha", f: &o.Alpha}, {name: "eps", f: &o.Eps},
		{name: "weight_decay", f: &o.WeightDecay}, {name: "momentum", f: &o.Momentum}, {name: "centered", b: &o.Centered}}
}

// State implements Stateful. The hyperparameters use torch.optim.RMSprop's
// names (alpha, centered…).
func (o *RMSProp) State() State {
	return newState("RMSprop", o.steps, o.hypers(),
		map[string][][]float32{"square_avg": o.sq, "grad_avg": o.avg, "momentum_buffer": o.buf})
}

// LoadState implements Stateful.
func (o *RMSProp) LoadState(s State) error {
	bufs, err := loadBuffers("RMSprop", s, paramSizes(o.params), "square_avg", "grad_avg", "momentum_buffer")
	if err != nil {
		return err
	}
	for i := range o.params {
		if bufs["square_avg"][i] == nil && (bufs["grad_avg"][i] != nil || bufs["momentum_buffer"][i] != nil) {
			return fmt.Errorf("optim: RMSprop: parameter %d has grad_avg or momentum_buffer but no square_avg", i)
		}
	}
	o.steps, o.sq, o.avg, o.buf = s.Steps, bufs["square_avg"], bufs["grad_avg"], bufs["momentum_buffer"]
	setHypers(o.hypers(), s.Hyper)
	return nil
}

func (o *Adagrad) hypers() []hyper {
	return []hyper{{name: "lr", f: &o.LR}, {name: "lr_decay", f: &o.LRDecay}, {name: "weight_decay", f: &o.WeightDecay},
		{name: "initial_accumulator_value", f: &o.InitialAccumulator}, {name: "eps", f: &o.Eps}}
}

// State implements Stateful. The hyperparameters use torch.optim.Adagrad's
// names (lr_decay, initial_accumulator_value…); each parameter's step
// count is the one-value buffer "step.<index>".
func (o *Adagrad) State() State {
	s := newState("Adagrad", o.calls, o.hypers(), map[string][][]float32{"sum": o.sum})
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
	bufs, err := loadBuffers("Adagrad", sums, sizes, "sum")
	if err != nil {
		return err
	}
	for i := range sizes {
		if (bufs["sum"][i] == nil) != !hasStep[i] {
			return fmt.Errorf("optim: Adagrad: parameter %d has only one of sum and step", i)
		}
	}
	o.calls, o.sum, o.steps = s.Steps, bufs["sum"], steps
	setHypers(o.hypers(), s.Hyper)
	return nil
}

func paramSizes(params []*tensor.Tensor) []int {
	sizes := make([]int, len(params))
	for i, p := range params {
		sizes[i] = p.Numel()
	}
	return sizes
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
