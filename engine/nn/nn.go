// Package nn holds neural-network modules built on engine/tensor: Linear,
// ReLU, Sequential and MLP. Parameters carry PyTorch state_dict names and
// layouts (Linear weight [out, in], Sequential children "0.", "1.", …) so
// that weights can round-trip with PyTorch.
package nn

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Module is a differentiable function with parameters.
type Module interface {
	// Forward applies the module to x, recording the graph when grad
	// mode is on.
	Forward(x *tensor.Tensor) (*tensor.Tensor, error)
	// Parameters lists the module's parameters in state_dict order.
	Parameters() []Param
}

// Param is a named parameter, as in PyTorch's named_parameters().
type Param struct {
	Name   string
	Tensor *tensor.Tensor
}

// Tensors returns m's parameter tensors, for an optimizer.
func Tensors(m Module) []*tensor.Tensor {
	ps := m.Parameters()
	out := make([]*tensor.Tensor, len(ps))
	for i, p := range ps {
		out[i] = p.Tensor
	}
	return out
}

// NumParams counts m's scalar parameters.
func NumParams(m Module) int {
	n := 0
	for _, p := range m.Parameters() {
		n += p.Tensor.Numel()
	}
	return n
}

// Linear applies y = x·Wᵀ + b to inputs of shape [batch, In].
// Act, when ActReLU, fuses a ReLU into the GEMM write-back.
type Linear struct {
	In, Out int
	Weight  *tensor.Tensor // [Out, In]
	Bias    *tensor.Tensor // [Out], or nil
	Act     kernels.Activation
}

// NewLinear returns a Linear layer initialised as torch.nn.Linear:
// weight and bias drawn from U(-1/√in, 1/√in) (kaiming_uniform with
// a=√5 reduces to that bound).
func NewLinear(rng *tensor.RNG, in, out int, bias bool) (*Linear, error) {
	if in < 1 || out < 1 {
		return nil, fmt.Errorf("nn: Linear(%d, %d): sizes must be positive", in, out)
	}
	bound := 1 / math.Sqrt(float64(in))
	w, err := tensor.Uniform(rng, -bound, bound, out, in)
	if err != nil {
		return nil, err
	}
	l := &Linear{In: in, Out: out, Weight: w.SetRequiresGrad(true)}
	if bias {
		b, err := tensor.Uniform(rng, -bound, bound, out)
		if err != nil {
			return nil, err
		}
		l.Bias = b.SetRequiresGrad(true)
	}
	return l, nil
}

// Forward implements Module.
func (l *Linear) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.Linear(x, l.Weight, l.Bias, l.Act)
}

// Parameters implements Module.
func (l *Linear) Parameters() []Param {
	ps := []Param{{"weight", l.Weight}}
	if l.Bias != nil {
		ps = append(ps, Param{"bias", l.Bias})
	}
	return ps
}

// ReLU is max(x, 0) elementwise.
type ReLU struct{}

// Forward implements Module.
func (ReLU) Forward(x *tensor.Tensor) (*tensor.Tensor, error) { return tensor.ReLU(x) }

// Parameters implements Module: ReLU has none.
func (ReLU) Parameters() []Param { return nil }

// Sequential applies its layers in order. A Linear or Conv2d without
// activation followed by a ReLU runs as one fused layer+ReLU (same result,
// one pass over the output fewer each way).
type Sequential struct {
	Layers []Module
}

// Forward implements Module.
func (s *Sequential) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	var err error
	for i := 0; i < len(s.Layers); i++ {
		if l, ok := s.Layers[i].(*Linear); ok && l.Act == kernels.ActNone && i+1 < len(s.Layers) {
			if _, ok := s.Layers[i+1].(ReLU); ok {
				if x, err = tensor.Linear(x, l.Weight, l.Bias, kernels.ActReLU); err != nil {
					return nil, fmt.Errorf("nn: layer %d (Linear+ReLU): %w", i, err)
				}
				i++
				continue
			}
		}
		if c, ok := s.Layers[i].(*Conv2d); ok && c.Act == kernels.ActNone && i+1 < len(s.Layers) {
			if _, ok := s.Layers[i+1].(ReLU); ok {
				p := c.ConvParams
				p.Act = kernels.ActReLU // ReLU fused into the write-back, its mask into the backward
				if x, err = tensor.Conv2d(x, c.Weight, c.Bias, p); err != nil {
					return nil, fmt.Errorf("nn: layer %d (Conv2d+ReLU): %w", i, err)
				}
				i++
				continue
			}
		}
		if x, err = s.Layers[i].Forward(x); err != nil {
			return nil, fmt.Errorf("nn: layer %d (%T): %w", i, s.Layers[i], err)
		}
	}
	return x, nil
}

// Parameters implements Module, naming children by index as PyTorch does.
func (s *Sequential) Parameters() []Param {
	var ps []Param
	for i, l := range s.Layers {
		for _, p := range l.Parameters() {
			ps = append(ps, Param{fmt.Sprintf("%d.%s", i, p.Name), p.Tensor})
		}
	}
	return ps
}

// NewMLP returns a multilayer perceptron with the given layer sizes
// (input, hidden…, output): Linear layers with ReLU between them and no
// activation after the last, laid out as torch.nn.Sequential(Linear, ReLU,
// …, Linear) so state_dict names match.
func NewMLP(rng *tensor.RNG, sizes ...int) (*Sequential, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("nn: MLP needs at least an input and an output size, got %v", sizes)
	}
	s := &Sequential{}
	for i := 0; i+1 < len(sizes); i++ {
		l, err := NewLinear(rng, sizes[i], sizes[i+1], true)
		if err != nil {
			return nil, fmt.Errorf("nn: MLP layer %d: %w", i, err)
		}
		s.Layers = append(s.Layers, l)
		if i+2 < len(sizes) {
			s.Layers = append(s.Layers, ReLU{})
		}
	}
	return s, nil
}
