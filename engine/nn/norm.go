package nn

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// BatchNorm is torch.nn.BatchNorm1d (inputs [N, C] or [N, C, L]) and
// BatchNorm2d ([N, C, H, W]) — one type, since the computation only
// differs in the input rank. Its state dict is weight, bias (parameters,
// when affine), running_mean, running_var and num_batches_tracked
// (buffers).
type BatchNorm struct {
	C                 int
	Eps, Momentum     float64
	Training          bool
	Weight, Bias      *tensor.Tensor // [C], or nil when not affine
	RunningMean       *tensor.Tensor // [C]
	RunningVar        *tensor.Tensor // [C]
	NumBatchesTracked *tensor.Tensor // 0-d, an integer count
}

// NewBatchNorm returns a BatchNorm over c channels as PyTorch initialises
// it: weight 1, bias 0, running mean 0, running var 1, eps 1e-5,
// momentum 0.1, training mode. NewBatchNorm1d and NewBatchNorm2d are
// aliases that name the PyTorch class.
func NewBatchNorm(c int, affine bool) (*BatchNorm, error) {
	if c < 1 {
		return nil, fmt.Errorf("nn: BatchNorm(%d): channels must be positive", c)
	}
	b := &BatchNorm{C: c, Eps: 1e-5, Momentum: 0.1, Training: true,
		RunningMean:       tensor.Must(tensor.Zeros(c)),
		RunningVar:        tensor.Must(tensor.Ones(c)),
		NumBatchesTracked: tensor.Must(tensor.Zeros()),
	}
	if affine {
		b.Weight = tensor.Must(tensor.Ones(c)).SetRequiresGrad(true)
		b.Bias = tensor.Must(tensor.Zeros(c)).SetRequiresGrad(true)
	}
	return b, nil
}

// NewBatchNorm1d is torch.nn.BatchNorm1d(c, affine=affine).
func NewBatchNorm1d(c int, affine bool) (*BatchNorm, error) { return NewBatchNorm(c, affine) }

// NewBatchNorm2d is torch.nn.BatchNorm2d(c, affine=affine).
func NewBatchNorm2d(c int, affine bool) (*BatchNorm, error) { return NewBatchNorm(c, affine) }

// Forward implements Module. In training mode it normalises with the
// batch statistics and updates the running statistics (not recorded by
// autograd); in eval mode it uses the running statistics.
func (b *BatchNorm) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if x != nil && (x.Dim() < 2 || x.Size(1) != b.C) {
		return nil, &tensor.ShapeError{Op: "batch_norm", Shapes: [][]int{append([]int(nil), x.Shape()...)},
			Reason: fmt.Sprintf("need input [N, %d, ...]", b.C)}
	}
	y, err := tensor.BatchNorm(x, b.RunningMean, b.RunningVar, b.Weight, b.Bias, b.Training, b.Momentum, b.Eps)
	if err == nil && b.Training && b.NumBatchesTracked != nil {
		b.bumpBatches()
	}
	return y, err
}

func (b *BatchNorm) bumpBatches() {
	if b.NumBatchesTracked.DType() == tensor.Float64 {
		b.NumBatchesTracked.Float64s()[0]++
	} else {
		b.NumBatchesTracked.Data()[0]++
	}
}

// Parameters implements Module.
func (b *BatchNorm) Parameters() []Param {
	if b.Weight == nil {
		return nil
	}
	return []Param{{"weight", b.Weight}, {"bias", b.Bias}}
}

// Buffers implements Bufferer.
func (b *BatchNorm) Buffers() []Param {
	return []Param{{"running_mean", b.RunningMean}, {"running_var", b.RunningVar}, {"num_batches_tracked", b.NumBatchesTracked}}
}

// SetTraining implements Trainer.
func (b *BatchNorm) SetTraining(training bool) { b.Training = training }

// Cast implements Caster.
func (b *BatchNorm) Cast(dt tensor.DType) error {
	return castAll(dt, &b.Weight, &b.Bias, &b.RunningMean, &b.RunningVar, &b.NumBatchesTracked)
}

// LayerNorm is torch.nn.LayerNorm(normalized_shape): it normalises the
// last len(Shape) dims. Weight and Bias have shape Shape (nil when
// elementwise_affine=False).
type LayerNorm struct {
	Shape        []int
	Eps          float64
	Weight, Bias *tensor.Tensor
}

// NewLayerNorm returns a LayerNorm with weight 1, bias 0 and eps 1e-5, as
// PyTorch initialises it.
func NewLayerNorm(affine bool, shape ...int) (*LayerNorm, error) {
	if len(shape) == 0 {
		return nil, fmt.Errorf("nn: LayerNorm: empty normalized shape")
	}
	for _, s := range shape {
		if s < 1 {
			return nil, fmt.Errorf("nn: LayerNorm(%v): sizes must be positive", shape)
		}
	}
	l := &LayerNorm{Shape: append([]int(nil), shape...), Eps: 1e-5}
	if affine {
		l.Weight = tensor.Must(tensor.Ones(shape...)).SetRequiresGrad(true)
		l.Bias = tensor.Must(tensor.Zeros(shape...)).SetRequiresGrad(true)
	}
	return l, nil
}

// Forward implements Module.
func (l *LayerNorm) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.LayerNorm(x, l.Shape, l.Weight, l.Bias, l.Eps)
}

// Parameters implements Module.
func (l *LayerNorm) Parameters() []Param {
	if l.Weight == nil {
		return nil
	}
	return []Param{{"weight", l.Weight}, {"bias", l.Bias}}
}

// Cast implements Caster.
func (l *LayerNorm) Cast(dt tensor.DType) error { return castAll(dt, &l.Weight, &l.Bias) }

// RMSNorm is torch.nn.RMSNorm(normalized_shape) (PyTorch ≥ 2.4): x
// divided by the root mean square of its last len(Shape) dims, times
// Weight (nil when elementwise_affine=False).
type RMSNorm struct {
	Shape  []int
	Eps    float64
	Weight *tensor.Tensor
}

// Float32Eps is the float32 machine epsilon, torch.finfo(torch.float32).eps:
// RMSNorm's eps when none is given, as in PyTorch.
const Float32Eps = 1.1920928955078125e-07

// NewRMSNorm returns an RMSNorm with weight 1 and eps = Float32Eps
// (PyTorch's eps=None), which callers may change.
func NewRMSNorm(affine bool, shape ...int) (*RMSNorm, error) {
	if len(shape) == 0 {
		return nil, fmt.Errorf("nn: RMSNorm: empty normalized shape")
	}
	for _, s := range shape {
		if s < 1 {
			return nil, fmt.Errorf("nn: RMSNorm(%v): sizes must be positive", shape)
		}
	}
	r := &RMSNorm{Shape: append([]int(nil), shape...), Eps: Float32Eps}
	if affine {
		r.Weight = tensor.Must(tensor.Ones(shape...)).SetRequiresGrad(true)
	}
	return r, nil
}

// Forward implements Module.
func (r *RMSNorm) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.RMSNorm(x, r.Shape, r.Weight, r.Eps)
}

// Parameters implements Module.
func (r *RMSNorm) Parameters() []Param {
	if r.Weight == nil {
		return nil
	}
	return []Param{{"weight", r.Weight}}
}

// Cast implements Caster.
func (r *RMSNorm) Cast(dt tensor.DType) error { return castAll(dt, &r.Weight) }
