// Package optim holds optimizers that update parameters in place from
// their gradients: SGD (with momentum, dampening, Nesterov, weight decay)
// and Adam, with PyTorch's update rules so that runs can be compared with
// torch.optim step for step.
//
// Optimizers keep their state in flat float32 buffers, one per parameter,
// allocated on the first Step; later steps do not allocate.
package optim

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Optimizer updates a fixed set of parameters.
type Optimizer interface {
	// Step applies one update using the parameters' current gradients.
	// Parameters without a gradient are skipped, as in PyTorch.
	Step() error
	// ZeroGrad sets every parameter's gradient to zero.
	ZeroGrad()
}

// slices returns the parameter's data and gradient as flat slices, or
// ok=false when it has no gradient yet.
func slices(p *tensor.Tensor) (w, g []float32, ok bool) {
	gt := p.Grad()
	if gt == nil {
		return nil, nil, false
	}
	return p.Data(), gt.Data(), true
}

func checkParams(kind string, params []*tensor.Tensor) error {
	if len(params) == 0 {
		return fmt.Errorf("optim: %s: no parameters to optimize", kind)
	}
	for i, p := range params {
		if p == nil {
			return fmt.Errorf("optim: %s: parameter %d is nil", kind, i)
		}
		if p.DType() != tensor.Float32 {
			return fmt.Errorf("optim: %s: parameter %d has dtype %v, want float32", kind, i, p.DType())
		}
		if !p.IsContiguous() {
			return fmt.Errorf("optim: %s: parameter %d (shape %v) is not contiguous", kind, i, p.Shape())
		}
	}
	return nil
}

func zeroGrad(params []*tensor.Tensor) {
	for _, p := range params {
		p.ZeroGrad()
	}
}

// SGD is stochastic gradient descent with optional momentum, as
// torch.optim.SGD:
//
//	g  = grad + weight_decay·w
//	b  = momentum·b + (1-dampening)·g   (b = g on the first step)
//	g  = g + momentum·b  (Nesterov)  or  g = b
//	w -= lr·g
type SGD struct {
	LR, Momentum, Dampening, WeightDecay float32
	Nesterov                             bool

	params []*tensor.Tensor
	buf    [][]float32
	steps  int
}

// NewSGD returns an SGD optimizer over params with learning rate lr and
// momentum (0 for plain SGD).
func NewSGD(params []*tensor.Tensor, lr, momentum float32) (*SGD, error) {
	if err := checkParams("SGD", params); err != nil {
		return nil, err
	}
	if !(lr > 0) || momentum < 0 || momentum >= 1 {
		return nil, fmt.Errorf("optim: SGD: lr %g must be > 0 and momentum %g in [0, 1)", lr, momentum)
	}
	return &SGD{LR: lr, Momentum: momentum, params: params, buf: make([][]float32, len(params))}, nil
}

// Step implements Optimizer.
func (o *SGD) Step() error {
	if o.Nesterov && (o.Momentum <= 0 || o.Dampening != 0) {
		return fmt.Errorf("optim: SGD: Nesterov momentum requires momentum > 0 and zero dampening")
	}
	first := o.steps == 0
	o.steps++
	for i, p := range o.params {
		w, g, ok := slices(p)
		if !ok {
			continue
		}
		lr, wd, mom, damp := o.LR, o.WeightDecay, o.Momentum, o.Dampening
		if mom == 0 {
			for j := range w {
				gj := g[j] + wd*w[j]
				w[j] -= lr * gj
			}
			continue
		}
		b := o.buf[i]
		if b == nil {
			b = make([]float32, len(w))
			o.buf[i] = b
		}
		for j := range w {
			gj := g[j] + wd*w[j]
			if first {
				b[j] = gj
			} else {
				b[j] = mom*b[j] + (1-damp)*gj
			}
			if o.Nesterov {
				gj += mom * b[j]
			} else {
				gj = b[j]
			}
			w[j] -= lr * gj
		}
	}
	return nil
}

// ZeroGrad implements Optimizer.
func (o *SGD) ZeroGrad() { zeroGrad(o.params) }

// Adam is the Adam optimizer (Kingma & Ba, 2015) with torch.optim.Adam's
// update (L2 weight decay added to the gradient; AdamW-style decoupled
// decay when Decoupled is set, as torch.optim.AdamW):
//
//	m = β1·m + (1-β1)·g ;  v = β2·v + (1-β2)·g²
//	w -= lr/(1-β1ᵗ) · m / (√v/√(1-β2ᵗ) + ε)
type Adam struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Decoupled                          bool

	params []*tensor.Tensor
	m, v   [][]float32
	t      int

	// the current step's work, split into chunks run on the kernels'
	// worker pool (each element's update is independent, so the result
	// does not depend on the split)
	chunks                      []adamChunk
	run                         func(lo, hi int) // o.update, bound once
	stepSize, invSqrtBC2, decay float32
	l2                          bool
}

// adamChunk is elements [lo, hi) of parameter p.
type adamChunk struct{ p, lo, hi int }

// adamChunkSize is the number of elements one pool task updates.
const adamChunkSize = 16 << 10

// NewAdam returns Adam over params with PyTorch's defaults
// (β1 0.9, β2 0.999, ε 1e-8, no weight decay) and learning rate lr.
func NewAdam(params []*tensor.Tensor, lr float32) (*Adam, error) {
	if err := checkParams("Adam", params); err != nil {
		return nil, err
	}
	if !(lr > 0) {
		return nil, fmt.Errorf("optim: Adam: lr %g must be > 0", lr)
	}
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, params: params,
		m: make([][]float32, len(params)), v: make([][]float32, len(params))}, nil
}

// Step implements Optimizer.
func (o *Adam) Step() error {
	if o.Beta1 < 0 || o.Beta1 >= 1 || o.Beta2 < 0 || o.Beta2 >= 1 || o.Eps < 0 {
		return fmt.Errorf("optim: Adam: betas (%g, %g) must be in [0, 1) and eps %g >= 0", o.Beta1, o.Beta2, o.Eps)
	}
	o.t++
	bc1 := 1 - math.Pow(float64(o.Beta1), float64(o.t))
	bc2 := 1 - math.Pow(float64(o.Beta2), float64(o.t))
	o.stepSize = float32(float64(o.LR) / bc1)
	o.invSqrtBC2 = float32(1 / math.Sqrt(bc2))
	o.decay = 1
	if o.Decoupled && o.WeightDecay != 0 {
		o.decay = 1 - o.LR*o.WeightDecay
	}
	o.l2 = !o.Decoupled && o.WeightDecay != 0
	o.chunks = o.chunks[:0]
	for i, p := range o.params {
		w, _, ok := slices(p)
		if !ok {
			continue
		}
		if o.m[i] == nil {
			o.m[i] = make([]float32, len(w))
			o.v[i] = make([]float32, len(w))
		}
		for lo := 0; lo < len(w); lo += adamChunkSize {
			o.chunks = append(o.chunks, adamChunk{i, lo, min(lo+adamChunkSize, len(w))})
		}
	}
	if o.run == nil {
		o.run = o.update
	}
	kernels.Parallel(len(o.chunks), o.run)
	return nil
}

// update applies the step to chunks [lo, hi).
func (o *Adam) update(lo, hi int) {
	p := kernels.AdamParams{Beta1: o.Beta1, Beta2: o.Beta2, StepSize: o.stepSize, InvSqrtBC2: o.invSqrtBC2,
		Eps: o.Eps, Decay: o.decay, WeightDecay: o.WeightDecay, L2: o.l2}
	for _, c := range o.chunks[lo:hi] {
		w, g, _ := slices(o.params[c.p])
		kernels.AdamStep(w[c.lo:c.hi], g[c.lo:c.hi], o.m[c.p][c.lo:c.hi], o.v[c.p][c.lo:c.hi], &p)
	}
}

// ZeroGrad implements Optimizer.
func (o *Adam) ZeroGrad() { zeroGrad(o.params) }

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
