package nn

import "github.com/kaiwu-ai/kaiwu/engine/tensor"

// MaxPool2d is torch.nn.MaxPool2d over [N, C, H, W] (a zero Stride means
// the kernel size, as in PyTorch).
type MaxPool2d struct {
	tensor.PoolParams
}

// Forward implements Module.
func (m *MaxPool2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.MaxPool2d(x, m.PoolParams)
}

// Parameters implements Module: none.
func (m *MaxPool2d) Parameters() []Param { return nil }

// MaxPool1d is torch.nn.MaxPool1d over [N, C, L]; the geometry is in
// index 0 of the PoolParams arrays.
type MaxPool1d struct {
	tensor.PoolParams
}

// Forward implements Module.
func (m *MaxPool1d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.MaxPool1d(x, m.PoolParams)
}

// Parameters implements Module: none.
func (m *MaxPool1d) Parameters() []Param { return nil }

// AvgPool2d is torch.nn.AvgPool2d over [N, C, H, W] with
// count_include_pad=True.
type AvgPool2d struct {
	tensor.PoolParams
}

// Forward implements Module.
func (m *AvgPool2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.AvgPool2d(x, m.PoolParams)
}

// Parameters implements Module: none.
func (m *AvgPool2d) Parameters() []Param { return nil }

// AdaptiveAvgPool2d is torch.nn.AdaptiveAvgPool2d((H, W)).
type AdaptiveAvgPool2d struct {
	H, W int
}

// Forward implements Module.
func (m *AdaptiveAvgPool2d) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.AdaptiveAvgPool2d(x, m.H, m.W)
}

// Parameters implements Module: none.
func (m *AdaptiveAvgPool2d) Parameters() []Param { return nil }
