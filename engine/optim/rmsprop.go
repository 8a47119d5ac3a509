package optim

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// RMSProp is torch.optim.RMSprop (Hinton's RMSProp, with Graves' centered
// variant):
//
//	g  = grad + weight_decay·w
//	s  = α·s + (1−α)·g²
//	v  = s − ḡ² with ḡ = α·ḡ + (1−α)·g   (centered)   or  v = s
//	d  = g / (√v + ε)
//	b  = momentum·b + d ;  w −= lr·b     (momentum > 0)   or  w −= lr·d
type RMSProp struct {
	LR, Alpha, Eps, WeightDecay, Momentum float32
	Centered                              bool

	params       []*tensor.Tensor
	sq, avg, buf [][]float32
	steps        int // Step calls so far (for State)
}

// NewRMSProp returns RMSProp over params with learning rate lr and
// PyTorch's defaults (α 0.99, ε 1e-8, no momentum, weight decay or
// centering; torch's default lr is 0.01).
func NewRMSProp(params []*tensor.Tensor, lr float32) (*RMSProp, error) {
	if err := checkParams("RMSProp", params); err != nil {
		return nil, err
	}
	if !(lr > 0) {
		return nil, fmt.Errorf("optim: RMSProp: lr %g must be > 0", lr)
	}
	n := len(params)
	return &RMSProp{LR: lr, Alpha: 0.99, Eps: 1e-8, params: params,
		sq: make([][]float32, n), avg: make([][]float32, n), buf: make([][]float32, n)}, nil
}

// Step implements Optimizer.
func (o *RMSProp) Step() error {
	if !(o.LR > 0) || !(o.Alpha >= 0 && o.Alpha <= 1) || !(o.Eps >= 0) || !(o.WeightDecay >= 0) || !(o.Momentum >= 0) {
		return fmt.Errorf("optim: RMSProp: lr %g must be > 0, alpha %g in [0, 1], eps %g, weight decay %g and momentum %g >= 0",
			o.LR, o.Alpha, o.Eps, o.WeightDecay, o.Momentum)
	}
	o.steps++
	lr, alpha, eps, wd, mom := o.LR, o.Alpha, o.Eps, o.WeightDecay, o.Momentum
	for i, p := range o.params {
		w, g, ok := slices(p)
		if !ok {
			continue
		}
		g = g[:len(w)]
		if o.sq[i] == nil {
			o.sq[i] = make([]float32, len(w))
		}
		sq := o.sq[i][:len(w)]
		var avg, buf []float32
		if o.Centered {
			if o.avg[i] == nil {
				o.avg[i] = make([]float32, len(w))
			}
			avg = o.avg[i][:len(w)]
		}
		if mom > 0 {
			if o.buf[i] == nil {
				o.buf[i] = make([]float32, len(w))
			}
			buf = o.buf[i][:len(w)]
		}
		for j := range w {
			gj := g[j]
			if wd != 0 {
				gj += wd * w[j]
			}
			s := alpha*sq[j] + (1-alpha)*gj*gj
			sq[j] = s
			if avg != nil {
				a := alpha*avg[j] + (1-alpha)*gj
				avg[j] = a
				s -= a * a
			}
			d := gj / (sqrt32(s) + eps)
			if buf != nil {
				b := mom*buf[j] + d
				buf[j] = b
				w[j] -= lr * b
			} else {
				w[j] -= lr * d
			}
		}
	}
	return nil
}

// ZeroGrad implements Optimizer.
func (o *RMSProp) ZeroGrad() { zeroGrad(o.params) }

// LearningRate implements LRSetter.
func (o *RMSProp) LearningRate() float32 { return o.LR }

// SetLearningRate implements LRSetter.
func (o *RMSProp) SetLearningRate(lr float32) { o.LR = lr }

// MomentumValue implements MomentumSetter.
func (o *RMSProp) MomentumValue() float32 { return o.Momentum }

// SetMomentum implements MomentumSetter.
func (o *RMSProp) SetMomentum(m float32) { o.Momentum = m }
