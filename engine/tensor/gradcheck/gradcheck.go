// Package gradcheck checks autograd gradients against finite differences,
// as the engine's correctness policy asks (DESIGN.md): float64 inputs,
// central differences with eps 1e-6, and a tolerance of atol 1e-5 plus
// rtol 1e-3 of the numeric value.
//
// The check is on L = Σ f(inputs) ⊙ W for a fixed random W, so every output
// element contributes with a different weight and a wrong gradient cannot
// hide behind a symmetric sum. Inputs are perturbed in place, one element
// at a time, so f is evaluated 2·N+1 times for N input elements: keep the
// shapes small.
//
// To check a module's parameters, run it in float64 (nn.Cast(m,
// tensor.Float64)) and pass the parameters as extra inputs that f ignores:
// they alias the module's storage, so perturbing them perturbs the module.
// CheckModule does exactly that.
package gradcheck

import (
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// The default tolerances of DESIGN.md.
const (
	Eps  = 1e-6
	Atol = 1e-5
	Rtol = 1e-3
)

// Options tunes a check. The zero value means the defaults.
type Options struct {
	Eps, Atol, Rtol float64
	// Seed seeds the random output weights W (0: a fixed default).
	Seed uint64
	// MaxElems, when positive, checks at most that many elements per input
	// (evenly spread), to keep checks of larger inputs fast.
	MaxElems int
}

func (o Options) withDefaults() Options {
	if o.Eps == 0 {
		o.Eps = Eps
	}
	if o.Atol == 0 {
		o.Atol = Atol
	}
	if o.Rtol == 0 {
		o.Rtol = Rtol
	}
	if o.Seed == 0 {
		o.Seed = 99
	}
	return o
}

// Check compares the autograd gradient of Σ f(inputs)⊙W with respect to
// every element of every input against central differences, and reports
// mismatches with tb.Errorf. The inputs must be contiguous Float64 leaf
// tensors; Check sets requires-grad on them and zeroes their gradients.
// f must be deterministic (reseed any randomness inside it).
func Check(tb testing.TB, f func(in []*tensor.Tensor) (*tensor.Tensor, error), inputs ...*tensor.Tensor) {
	tb.Helper()
	CheckWith(tb, Options{}, f, inputs...)
}

// CheckWith is Check with explicit options.
func CheckWith(tb testing.TB, opt Options, f func(in []*tensor.Tensor) (*tensor.Tensor, error), inputs ...*tensor.Tensor) {
	tb.Helper()
	opt = opt.withDefaults()
	for i, in := range inputs {
		if in == nil || in.DType() != tensor.Float64 || !in.IsContiguous() || !in.IsLeaf() {
			tb.Fatalf("gradcheck: input %d must be a contiguous float64 leaf tensor", i)
		}
		in.SetRequiresGrad(true)
		in.ZeroGrad()
	}
	out, err := f(inputs)
	if err != nil {
		tb.Fatalf("gradcheck: forward: %v", err)
	}
	if out.DType() != tensor.Float64 {
		tb.Fatalf("gradcheck: output is %v, want float64", out.DType())
	}
	rng := tensor.NewRNG(opt.Seed)
	wv := make([]float64, out.Numel())
	for i := range wv {
		wv[i] = rng.Float64()*2 - 1
	}
	w, err := tensor.FromFloat64s(wv, out.Shape()...)
	if err != nil {
		tb.Fatalf("gradcheck: %v", err)
	}
	if out.RequiresGrad() {
		prod, err := tensor.Mul(out, w)
		if err != nil {
			tb.Fatalf("gradcheck: %v", err)
		}
		loss, err := prod.SumAll()
		if err != nil {
			tb.Fatalf("gradcheck: %v", err)
		}
		if err := loss.Backward(); err != nil {
			tb.Fatalf("gradcheck: backward: %v", err)
		}
	}
	eval := func() float64 {
		var o *tensor.Tensor
		var err error
		tensor.NoGrad(func() { o, err = f(inputs) })
		if err != nil {
			tb.Fatalf("gradcheck: forward: %v", err)
		}
		s := 0.0
		for i, v := range o.Float64s() {
			s += v * wv[i]
		}
		return s
	}
	for k, in := range inputs {
		data := in.Float64s() // aliases the storage
		analytic := make([]float64, len(data))
		if g := in.Grad(); g != nil {
			copy(analytic, g.Float64s())
		}
		step := 1
		if opt.MaxElems > 0 && len(data) > opt.MaxElems {
			step = (len(data) + opt.MaxElems - 1) / opt.MaxElems
		}
		bad := 0
		for i := 0; i < len(data); i += step {
			orig := data[i]
			data[i] = orig + opt.Eps
			lp := eval()
			data[i] = orig - opt.Eps
			lm := eval()
			data[i] = orig
			num := (lp - lm) / (2 * opt.Eps)
			if d := math.Abs(analytic[i] - num); d > opt.Atol+opt.Rtol*math.Abs(num) || math.IsNaN(analytic[i]) || math.IsNaN(num) {
				bad++
				if bad <= 10 {
					tb.Errorf("gradcheck: input %d element %d: autograd %.8g, numeric %.8g", k, i, analytic[i], num)
				}
			}
		}
		if bad > 10 {
			tb.Errorf("gradcheck: input %d: %d mismatching elements in all", k, bad)
		}
	}
}

// CheckModule checks the gradients of forward(x) with respect to x and to
// params (a module's parameter tensors, already converted to Float64 and
// aliased by the module). forward is typically a Module's Forward method.
// For inputs that are not differentiable (indices), use CheckParams.
func CheckModule(tb testing.TB, forward func(x *tensor.Tensor) (*tensor.Tensor, error), x *tensor.Tensor, params ...*tensor.Tensor) {
	tb.Helper()
	CheckModuleWith(tb, Options{}, forward, x, params...)
}

// CheckModuleWith is CheckModule with explicit options.
func CheckModuleWith(tb testing.TB, opt Options, forward func(x *tensor.Tensor) (*tensor.Tensor, error), x *tensor.Tensor, params ...*tensor.Tensor) {
	tb.Helper()
	inputs := make([]*tensor.Tensor, 0, len(params)+1)
	inputs = append(inputs, x)
	inputs = append(inputs, params...)
	CheckWith(tb, opt, func(in []*tensor.Tensor) (*tensor.Tensor, error) { return forward(in[0]) }, inputs...)
}

// CheckParams checks the gradients with respect to params only, of a
// forward pass whose input is fixed inside forward (integer indices for
// an embedding, for example).
func CheckParams(tb testing.TB, forward func() (*tensor.Tensor, error), params ...*tensor.Tensor) {
	tb.Helper()
	CheckWith(tb, Options{}, func([]*tensor.Tensor) (*tensor.Tensor, error) { return forward() }, params...)
}

// Rand returns a contiguous Float64 tensor of standard normal values drawn
// from rng, a convenience for building gradcheck inputs.
func Rand(rng *tensor.RNG, shape ...int) *tensor.Tensor {
	n := 1
	for _, s := range shape {
		n *= s
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = rng.NormFloat64()
	}
	return tensor.Must(tensor.FromFloat64s(d, shape...))
}
