package nn

import "github.com/kaiwu-ai/kaiwu/engine/tensor"

// Sigmoid is 1/(1+e^−x) elementwise (torch.nn.Sigmoid).
type Sigmoid struct{}

// Forward implements Module.
func (Sigmoid) Forward(x *tensor.Tensor) (*tensor.Tensor, error) { return tensor.Sigmoid(x) }

// Parameters implements Module: none.
func (Sigmoid) Parameters() []Param { return nil }

// Tanh is tanh(x) elementwise (torch.nn.Tanh).
type Tanh struct{}

// Forward implements Module.
func (Tanh) Forward(x *tensor.Tensor) (*tensor.Tensor, error) { return tensor.Tanh(x) }

// Parameters implements Module: none.
func (Tanh) Parameters() []Param { return nil }

// LeakyReLU is max(x, 0) + Slope·min(x, 0) (torch.nn.LeakyReLU, whose
// default negative_slope is 0.01: use NewLeakyReLU).
type LeakyReLU struct {
	Slope float64
}

// NewLeakyReLU returns torch.nn.LeakyReLU() (slope 0.01).
func NewLeakyReLU() LeakyReLU { return LeakyReLU{Slope: 0.01} }

// Forward implements Module.
func (l LeakyReLU) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.LeakyReLU(x, l.Slope)
}

// Parameters implements Module: none.
func (LeakyReLU) Parameters() []Param { return nil }

// GELU is the exact (erf) GELU x·Φ(x) (torch.nn.GELU(approximate='none')).
type GELU struct{}

// Forward implements Module.
func (GELU) Forward(x *tensor.Tensor) (*tensor.Tensor, error) { return tensor.GELU(x) }

// Parameters implements Module: none.
func (GELU) Parameters() []Param { return nil }

// SiLU is x·σ(x) (torch.nn.SiLU).
type SiLU struct{}

// Forward implements Module.
func (SiLU) Forward(x *tensor.Tensor) (*tensor.Tensor, error) { return tensor.SiLU(x) }

// Parameters implements Module: none.
func (SiLU) Parameters() []Param { return nil }

// Softmax is the softmax along Dim (torch.nn.Softmax(dim)).
type Softmax struct {
	Dim int
}

// Forward implements Module.
func (s Softmax) Forward(x *tensor.Tensor) (*tensor.Tensor, error) { return tensor.Softmax(x, s.Dim) }

// Parameters implements Module: none.
func (Softmax) Parameters() []Param { return nil }
