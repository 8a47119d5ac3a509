package nn

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Conv2d is a 2-d convolution layer (torch.nn.Conv2d) over inputs
// [N, In, H, W]. Weight is [Out, In/Groups, kh, kw] and Bias [Out] (or
// nil), with PyTorch's state_dict names "weight" and "bias".
type Conv2d struct {
	In, Out int
	Kernel  [2]int
	tensor.ConvParams
	Weight *tensor.Tensor
	Bias   *tensor.Tensor
}

// NewConv2d returns a Conv2d initialised as PyTorch does: weight by
// kaiming_uniform(a=√5), which is U(±1/√fan_in), and bias U(±1/√fan_in),
// with fan_in = In/Groups·kh·kw. Zero fields of p take their defaults
// (stride 1, padding 0, dilation 1, groups 1).
func NewConv2d(rng *tensor.RNG, in, out int, kernel [2]int, p tensor.ConvParams, bias bool) (*Conv2d, error) {
	if p.Groups == 0 {
		p.Groups = 1
	}
	if in < 1 || out < 1 || kernel[0] < 1 || kernel[1] < 1 || p.Groups < 1 || in%p.Groups != 0 || out%p.Groups != 0 {
		return nil, fmt.Errorf("nn: Conv2d(%d, %d, kernel %v, groups %d): sizes must be positive and channels divisible by groups", in, out, kernel, p.Groups)
	}
	w, b, err := convParams(rng, bias, out, in/p.Groups, kernel[0], kernel[1])
	if err != nil {
		return nil, err
	}
	return &Conv2d{In: in, Out: out, Kernel: kernel, ConvParams: p, Weight: w, Bias: b}, nil
}

// convParams makes a weight of the given shape and an optional bias
// [shape[0]], drawn from U(±1/√fan_in) as PyTorch's conv and linear layers.
func convParams(rng *tensor.RNG, bias bool, shape ...int) (w, b *tensor.Tensor, err error) {
	fanIn := 1
	for _, s := range shape[1:] {
		fanIn *= s
	}
	bound := 1 / math.Sqrt(float64(fanIn))
	if w, err = tensor.Uniform(rng, -bound, bound, shape...); err != nil {
		return nil, nil, err
	}
	w.SetRequiresGrad(true)
	if bias {
		if b, err = tensor.Uniform(rng, -bound, bound, shape[0]); err != nil {
			return nil, nil, err
		}
		b.SetRequiresGrad(true)
	}
	return w, b, nil
}

// Forward implements Module.
func (c *Conv2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.Conv2d(x, c.Weight, c.Bias, c.ConvParams)
}

// Parameters implements Module.
func (c *Conv2d) Parameters() []Param { return weightBias(c.Weight, c.Bias) }

// Cast implements Caster.
func (c *Conv2d) Cast(dt tensor.DType) error { return castAll(dt, &c.Weight, &c.Bias) }

func weightBias(w, b *tensor.Tensor) []Param {
	ps := []Param{{"weight", w}}
	if b != nil {
		ps = append(ps, Param{"bias", b})
	}
	return ps
}

// Conv1d is a 1-d convolution layer (torch.nn.Conv1d) over inputs
// [N, In, L]. Weight is [Out, In/Groups, k]; the geometry is in index 0
// of the ConvParams arrays.
type Conv1d struct {
	In, Out, Kernel int
	tensor.ConvParams
	Weight *tensor.Tensor
	Bias   *tensor.Tensor
}

// NewConv1d returns a Conv1d initialised as PyTorch does (see NewConv2d).
func NewConv1d(rng *tensor.RNG, in, out, kernel int, p tensor.ConvParams, bias bool) (*Conv1d, error) {
	if p.Groups == 0 {
		p.Groups = 1
	}
	if in < 1 || out < 1 || kernel < 1 || p.Groups < 1 || in%p.Groups != 0 || out%p.Groups != 0 {
		return nil, fmt.Errorf("nn: Conv1d(%d, %d, kernel %d, groups %d): sizes must be positive and channels divisible by groups", in, out, kernel, p.Groups)
	}
	w, b, err := convParams(rng, bias, out, in/p.Groups, kernel)
	if err != nil {
		return nil, err
	}
	return &Conv1d{In: in, Out: out, Kernel: kernel, ConvParams: p, Weight: w, Bias: b}, nil
}

// Forward implements Module.
func (c *Conv1d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.Conv1d(x, c.Weight, c.Bias, c.ConvParams)
}

// Parameters implements Module.
func (c *Conv1d) Parameters() []Param { return weightBias(c.Weight, c.Bias) }

// Cast implements Caster.
func (c *Conv1d) Cast(dt tensor.DType) error { return castAll(dt, &c.Weight, &c.Bias) }
