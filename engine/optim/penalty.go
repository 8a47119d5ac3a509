package optim

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// L1Penalty returns λ·Σ|w| over every element of params as a 0-d tensor
// to add to the loss: its gradient λ·sign(w) pushes weights to exactly
// zero (sparsity, lasso). Gradients flow to the parameters.
func L1Penalty(params []*tensor.Tensor, lambda float64) (*tensor.Tensor, error) {
	return penalty("L1Penalty", params, lambda, false)
}

// L2Penalty returns λ·Σw² over every element of params as a 0-d tensor to
// add to the loss (ridge, Keras' l2(λ)). Its gradient is 2λ·w: SGD's
// WeightDecay wd is the same as L2Penalty with λ = wd/2. With Adam, prefer
// decoupled weight decay (AdamW) to an L2 penalty.
func L2Penalty(params []*tensor.Tensor, lambda float64) (*tensor.Tensor, error) {
	return penalty("L2Penalty", params, lambda, true)
}

func penalty(kind string, params []*tensor.Tensor, lambda float64, square bool) (*tensor.Tensor, error) {
	if len(params) == 0 {
		return nil, fmt.Errorf("optim: %s: no parameters", kind)
	}
	if !(lambda >= 0) {
		return nil, fmt.Errorf("optim: %s: lambda %g must be >= 0", kind, lambda)
	}
	var total *tensor.Tensor
	for i, p := range params {
		if p == nil {
			return nil, fmt.Errorf("optim: %s: parameter %d is nil", kind, i)
		}
		if total != nil && p.DType() != total.DType() {
			return nil, fmt.Errorf("optim: %s: parameter %d has dtype %v, parameter 0 %v", kind, i, p.DType(), total.DType())
		}
		var v *tensor.Tensor
		var err error
		if square {
			v, err = tensor.Mul(p, p)
		} else {
			v, err = p.Abs()
		}
		if err != nil {
			return nil, err
		}
		if v, err = v.SumAll(); err != nil {
			return nil, err
		}
		if total == nil {
			total = v
		} else if total, err = tensor.Add(total, v); err != nil {
			return nil, err
		}
	}
	return total.MulScalar(lambda)
}
