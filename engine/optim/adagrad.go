package optim

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Adagrad is torch.optim.Adagrad (Duchi et al., 2011): each parameter's
// rate shrinks with the sum of its squared gradients.
//
//	g   = grad + weight_decay·w
//	clr = lr / (1 + (t−1)·lr_decay)       (t: the parameter's step count)
//	s  += g²                               (s starts at InitialAccumulator)
//	w  −= clr · g / (√s + ε)
type Adagrad struct {
	LR, LRDecay, WeightDecay, InitialAccumulator, Eps float32

	params []*tensor.Tensor
	sum    [][]float32
	steps  []int // per parameter, as PyTorch counts them
	calls  int   // Step calls so far (for State)
}

// NewAdagrad returns Adagrad over params with learning rate lr and
// PyTorch's defaults (ε 1e-10, no lr decay, weight decay or initial
// accumulator; torch's default lr is 0.01). Set InitialAccumulator before
// the first Step.
func NewAdagrad(params []*tensor.Tensor, lr float32) (*Adagrad, error) {
	if err := checkParams("Adagrad", params); err != nil {
		return nil, err
	}
	if !(lr > 0) {
		return nil, fmt.Errorf("optim: Adagrad: lr %g must be > 0", lr)
	}
	return &Adagrad{LR: lr, Eps: 1e-10, params: params,
		sum: make([][]float32, len(params)), steps: make([]int, len(params))}, nil
}

// Step implements Optimizer.
func (o *Adagrad) Step() error {
	if !(o.LR > 0) || !(o.LRDecay >= 0) || !(o.WeightDecay >= 0) || !(o.InitialAccumulator >= 0) || !(o.Eps >= 0) {
		return fmt.Errorf("optim: Adagrad: lr %g must be > 0, lr decay %g, weight decay %g, initial accumulator %g and eps %g >= 0",
			o.LR, o.LRDecay, o.WeightDecay, o.InitialAccumulator, o.Eps)
	}
	o.calls++
	wd, eps := o.WeightDecay, o.Eps
	for i, p := range o.params {
		w, g, ok := slices(p)
		if !ok {
			continue
		}
		g = g[:len(w)]
		if o.sum[i] == nil {
			o.sum[i] = make([]float32, len(w))
			for j := range o.sum[i] {
				o.sum[i][j] = o.InitialAccumulator
			}
		}
		s := o.sum[i][:len(w)]
		o.steps[i]++
		clr := float32(float64(o.LR) / (1 + float64(o.steps[i]-1)*float64(o.LRDecay)))
		for j := range w {
			gj := g[j]
			if wd != 0 {
				gj += wd * w[j]
			}
			s[j] += gj * gj
			w[j] -= clr * gj / (sqrt32(s[j]) + eps)
		}
	}
	return nil
}

// ZeroGrad implements Optimizer.
func (o *Adagrad) ZeroGrad() { zeroGrad(o.params) }

// LearningRate implements LRSetter.
func (o *Adagrad) LearningRate() float32 { return o.LR }

// SetLearningRate implements LRSetter.
func (o *Adagrad) SetLearningRate(lr float32) { o.LR = lr }
