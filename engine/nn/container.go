package nn

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Optional module interfaces.
//
// A Module's full state, as PyTorch's state_dict holds it, is its
// parameters (trained by the optimizer) plus its buffers (state that is
// saved and loaded but not trained: BatchNorm's running_mean, running_var
// and num_batches_tracked). Modules with buffers implement Bufferer;
// containers implement StateDicter so that a child's parameters and
// buffers stay together in PyTorch's order. Checkpoints should save and
// load StateDict(m), not just m.Parameters().
//
// Modules that behave differently in training and evaluation (Dropout,
// BatchNorm) implement Trainer; containers forward SetTraining to their
// children. Like PyTorch, modules start in training mode.

// Bufferer is implemented by modules with buffers: state-dict tensors
// that are not parameters. Buffers are never given gradients.
type Bufferer interface {
	Buffers() []Param
}

// StateDicter is implemented by modules (containers, typically) that
// define their own state-dict order; see StateDict.
type StateDicter interface {
	StateDict() []Param
}

// Trainer is implemented by modules whose forward pass depends on the
// training mode (module.train() / module.eval() in PyTorch).
type Trainer interface {
	SetTraining(training bool)
}

// Caster is implemented by modules that can convert their parameters and
// buffers to another dtype in place (module.double() in PyTorch); see Cast.
type Caster interface {
	Cast(dt tensor.DType) error
}

// Buffers returns m's buffers (nil if it has none).
func Buffers(m Module) []Param {
	if b, ok := m.(Bufferer); ok {
		return b.Buffers()
	}
	return nil
}

// StateDict returns every tensor of m's state with its PyTorch state_dict
// name, in PyTorch's order: a module's parameters, then its buffers, then
// its children's (recursively, prefixed "0.", "1.", … or by child name).
// Buffers such as num_batches_tracked hold integer values in a float
// tensor; a checkpoint writer should store them as PyTorch does (int64).
func StateDict(m Module) []Param {
	if s, ok := m.(StateDicter); ok {
		return s.StateDict()
	}
	return append(m.Parameters(), Buffers(m)...)
}

// SetTraining puts m (and, through containers, its children) in training
// (true) or evaluation (false) mode. Modules without a mode are unaffected.
func SetTraining(m Module, training bool) {
	if t, ok := m.(Trainer); ok {
		t.SetTraining(training)
	}
}

// Train is SetTraining(m, true); Eval is SetTraining(m, false).
func Train(m Module) { SetTraining(m, true) }

// Eval puts m in evaluation mode (see SetTraining).
func Eval(m Module) { SetTraining(m, false) }

// Cast converts m's parameters and buffers to dtype dt in place, keeping
// their requires-grad flags (gradients are dropped). It is what
// gradient checks use to run a module in Float64. Modules without state
// need nothing; modules with state must implement Caster.
func Cast(m Module, dt tensor.DType) error {
	switch l := m.(type) {
	case Caster:
		return l.Cast(dt)
	case *Linear:
		return castAll(dt, &l.Weight, &l.Bias)
	}
	if len(StateDict(m)) == 0 {
		return nil
	}
	return fmt.Errorf("nn: cannot cast %T to %v: it does not implement nn.Caster", m, dt)
}

// castAll converts each non-nil tensor *p to dt as a new leaf.
func castAll(dt tensor.DType, ps ...**tensor.Tensor) error {
	for _, p := range ps {
		t := *p
		if t == nil || t.DType() == dt {
			continue
		}
		c, err := t.Detach().To(dt)
		if err != nil {
			return err
		}
		*p = c.SetRequiresGrad(t.RequiresGrad())
	}
	return nil
}

// withPrefix returns ps with each name prefixed by prefix + ".".
func withPrefix(prefix string, ps []Param) []Param {
	for i := range ps {
		ps[i].Name = prefix + "." + ps[i].Name
	}
	return ps
}

// SetTraining implements Trainer: it sets the mode of every layer.
func (s *Sequential) SetTraining(training bool) {
	for _, l := range s.Layers {
		SetTraining(l, training)
	}
}

// Buffers implements Bufferer, naming children's buffers by index.
func (s *Sequential) Buffers() []Param {
	var ps []Param
	for i, l := range s.Layers {
		ps = append(ps, withPrefix(fmt.Sprint(i), Buffers(l))...)
	}
	return ps
}

// StateDict implements StateDicter: each layer's state, prefixed by its index.
func (s *Sequential) StateDict() []Param {
	var ps []Param
	for i, l := range s.Layers {
		ps = append(ps, withPrefix(fmt.Sprint(i), StateDict(l))...)
	}
	return ps
}

// Cast implements Caster for every layer.
func (s *Sequential) Cast(dt tensor.DType) error {
	for i, l := range s.Layers {
		if err := Cast(l, dt); err != nil {
			return fmt.Errorf("nn: layer %d: %w", i, err)
		}
	}
	return nil
}

// Residual is a residual connection: Forward(x) = x + Fn(x), where Fn
// must keep x's shape (it may broadcast to it). Its state-dict names are
// Fn's, prefixed "fn.".
type Residual struct {
	Fn Module
}

// Forward implements Module.
func (r *Residual) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	y, err := r.Fn.Forward(x)
	if err != nil {
		return nil, fmt.Errorf("nn: residual: %w", err)
	}
	out, err := tensor.Add(x, y)
	if err != nil {
		return nil, fmt.Errorf("nn: residual: %w", err)
	}
	return out, nil
}

// Parameters implements Module.
func (r *Residual) Parameters() []Param { return withPrefix("fn", r.Fn.Parameters()) }

// Buffers implements Bufferer.
func (r *Residual) Buffers() []Param { return withPrefix("fn", Buffers(r.Fn)) }

// StateDict implements StateDicter.
func (r *Residual) StateDict() []Param { return withPrefix("fn", StateDict(r.Fn)) }

// SetTraining implements Trainer.
func (r *Residual) SetTraining(training bool) { SetTraining(r.Fn, training) }

// Cast implements Caster.
func (r *Residual) Cast(dt tensor.DType) error { return Cast(r.Fn, dt) }

// Flatten flattens dims StartDim…EndDim into one, like torch.nn.Flatten
// (whose defaults are 1 and −1: use NewFlatten or Flatten{1, -1}).
type Flatten struct {
	StartDim, EndDim int
}

// NewFlatten returns torch.nn.Flatten(): it keeps the batch dim and
// flattens the rest.
func NewFlatten() *Flatten { return &Flatten{StartDim: 1, EndDim: -1} }

// Forward implements Module.
func (f *Flatten) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return x.Flatten(f.StartDim, f.EndDim)
}

// Parameters implements Module: Flatten has none.
func (f *Flatten) Parameters() []Param { return nil }
