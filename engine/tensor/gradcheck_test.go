package tensor

import (
	"fmt"
	"math"
	"testing"
)

// Finite-difference gradient checks (DESIGN.md, correctness policy): float64
// inputs, central differences with eps 1e-6, atol 1e-5, rtol 1e-3.
const (
	gcEps  = 1e-6
	gcAtol = 1e-5
	gcRtol = 1e-3
)

// gradcheck compares the autograd gradient of L = sum(f(inputs) * W), for
// fixed random weights W, against central differences, for every element
// of every input. The inputs must be contiguous Float64 leaves; it sets
// requires-grad on them.
func gradcheck(t *testing.T, f func(in []*Tensor) (*Tensor, error), inputs ...*Tensor) {
	t.Helper()
	for _, in := range inputs {
		if in.dtype != Float64 || !in.IsContiguous() {
			t.Fatalf("gradcheck: inputs must be contiguous float64")
		}
		in.SetRequiresGrad(true)
		in.ZeroGrad()
	}
	out, err := f(inputs)
	if err != nil {
		t.Fatalf("gradcheck: forward: %v", err)
	}
	rng := NewRNG(99)
	wv := make([]float64, out.Numel())
	for i := range wv {
		wv[i] = rng.Float64()*2 - 1
	}
	w := Must(FromFloat64s(wv, out.shape...))
	loss := Must(Must(Mul(out, w)).SumAll())
	if err := loss.Backward(); err != nil {
		t.Fatalf("gradcheck: backward: %v", err)
	}
	eval := func() float64 {
		var o *Tensor
		var err error
		NoGrad(func() { o, err = f(inputs) })
		if err != nil {
			t.Fatalf("gradcheck: forward: %v", err)
		}
		s := 0.0
		for i, v := range o.Float64s() {
			s += v * wv[i]
		}
		return s
	}
	for k, in := range inputs {
		data := in.Float64s() // aliases
		var analytic []float64
		if in.Grad() != nil {
			analytic = in.Grad().Float64s()
		} else {
			analytic = make([]float64, len(data))
		}
		for i := range data {
			orig := data[i]
			data[i] = orig + gcEps
			lp := eval()
			data[i] = orig - gcEps
			lm := eval()
			data[i] = orig
			num := (lp - lm) / (2 * gcEps)
			if d := math.Abs(analytic[i] - num); d > gcAtol+gcRtol*math.Abs(num) || math.IsNaN(analytic[i]) {
				t.Errorf("input %d element %d: autograd %.8g, numeric %.8g", k, i, analytic[i], num)
			}
		}
	}
}

// randT returns a contiguous Float64 tensor of normal values (positive:
// 0.5 + |normal|).
func randT(rng *RNG, positive bool, shape ...int) *Tensor {
	n := numelOf(shape)
	d := make([]float64, n)
	for i := range d {
		d[i] = rng.NormFloat64()
		if positive {
			d[i] = 0.5 + math.Abs(d[i])
		}
	}
	return Must(FromFloat64s(d, shape...))
}

type gcase struct {
	name     string
	shapes   [][]int
	positive bool
	f        func(in []*Tensor) (*Tensor, error)
}

func sh(s ...int) []int { return s }

func unaryCase(name string, pos bool, f func(x *Tensor) (*Tensor, error)) gcase {
	return gcase{name, [][]int{{3, 4}}, pos, func(in []*Tensor) (*Tensor, error) { return f(in[0]) }}
}

func binCase(name string, a, b []int, pos bool, f func(a, b *Tensor) (*Tensor, error)) gcase {
	return gcase{name, [][]int{a, b}, pos, func(in []*Tensor) (*Tensor, error) { return f(in[0], in[1]) }}
}

func gradCases() []gcase {
	return []gcase{
		// elementwise binary with broadcasting
		binCase("add", sh(2, 3), sh(2, 3), false, Add),
		binCase("add/bcast-row", sh(2, 3), sh(3), false, Add),
		binCase("add/bcast-both", sh(2, 1, 3), sh(4, 1), false, Add),
		binCase("add/scalar-0d", sh(2, 3), sh(), false, Add),
		binCase("sub/bcast", sh(4, 1), sh(2, 1, 3), false, Sub),
		binCase("mul/bcast", sh(2, 3, 4), sh(3, 1), false, Mul),
		binCase("div/bcast", sh(2, 3), sh(2, 1), true, Div),
		binCase("pow", sh(2, 3), sh(2, 3), true, Pow),
		binCase("pow/bcast", sh(2, 3), sh(3), true, Pow),
		binCase("maximum/bcast", sh(2, 3), sh(3), false, Maximum),
		binCase("minimum", sh(3, 4), sh(3, 4), false, Minimum),
		// unary
		unaryCase("neg", false, (*Tensor).Neg),
		unaryCase("exp", false, (*Tensor).Exp),
		unaryCase("log", true, (*Tensor).Log),
		unaryCase("sqrt", true, (*Tensor).Sqrt),
		unaryCase("abs", false, (*Tensor).Abs),
		unaryCase("tanh", false, (*Tensor).Tanh),
		unaryCase("sigmoid", false, (*Tensor).Sigmoid),
		unaryCase("relu", false, (*Tensor).ReLU),
		unaryCase("gelu", false, (*Tensor).GELU),
		unaryCase("leaky_relu", false, func(x *Tensor) (*Tensor, error) { return x.LeakyReLU(0.1) }),
		unaryCase("clamp", false, func(x *Tensor) (*Tensor, error) { return x.Clamp(-0.5, 0.7) }),
		unaryCase("add_scalar", false, func(x *Tensor) (*Tensor, error) { return x.AddScalar(2.5) }),
		unaryCase("mul_scalar", false, func(x *Tensor) (*Tensor, error) { return x.MulScalar(-1.5) }),
		unaryCase("pow_scalar/3", false, func(x *Tensor) (*Tensor, error) { return x.PowScalar(3) }),
		unaryCase("pow_scalar/2", false, func(x *Tensor) (*Tensor, error) { return x.PowScalar(2) }),
		unaryCase("pow_scalar/-0.5", true, func(x *Tensor) (*Tensor, error) { return x.PowScalar(-0.5) }),
		unaryCase("clone", false, (*Tensor).Clone),
		// unary on a strided view
		unaryCase("exp/transposed", false, func(x *Tensor) (*Tensor, error) { return Must(x.T()).Exp() }),
		unaryCase("log/transposed", true, func(x *Tensor) (*Tensor, error) { return Must(x.T()).Log() }),
		// views
		unaryCase("transpose", false, (*Tensor).T),
		{"permute", [][]int{{2, 3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Permute(2, 0, 1) }},
		unaryCase("slice/step", false, func(x *Tensor) (*Tensor, error) { return x.Slice(1, 0, 4, 2) }),
		unaryCase("slice/neg", false, func(x *Tensor) (*Tensor, error) { return x.Slice(0, -2, 100, 1) }),
		unaryCase("narrow", false, func(x *Tensor) (*Tensor, error) { return x.Narrow(1, 1, 2) }),
		{"expand", [][]int{{3, 1}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Expand(2, 3, 4) }},
		{"squeeze-unsqueeze", [][]int{{3, 1, 4}}, false, func(in []*Tensor) (*Tensor, error) {
			return Must(in[0].Squeeze()).Unsqueeze(0)
		}},
		unaryCase("reshape", false, func(x *Tensor) (*Tensor, error) { return x.Reshape(2, -1, 3) }),
		unaryCase("reshape/non-contiguous", false, func(x *Tensor) (*Tensor, error) { return Must(x.T()).Reshape(-1) }),
		unaryCase("view-chain", false, func(x *Tensor) (*Tensor, error) {
			v := Must(Must(Must(x.T()).Slice(0, 1, 4, 2)).Unsqueeze(1))
			return Mul(v, v)
		}),
		unaryCase("flatten", false, func(x *Tensor) (*Tensor, error) { return x.Flatten(0, -1) }),
		// reductions
		{"sum/dim-keepdim", [][]int{{2, 3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Sum([]int{1}, true) }},
		{"sum/dims", [][]int{{2, 3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Sum([]int{0, 2}, false) }},
		{"sum/transposed", [][]int{{3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return Must(in[0].T()).Sum([]int{1}, false) }},
		unaryCase("sum_all", false, (*Tensor).SumAll),
		unaryCase("mean_all", false, (*Tensor).MeanAll),
		{"mean/keepdim", [][]int{{2, 3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Mean([]int{-1}, true) }},
		{"max/dim", [][]int{{3, 5}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Max(1, false) }},
		{"max/dim0-keepdim", [][]int{{3, 5}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Max(0, true) }},
		{"min/dim", [][]int{{2, 3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Min(1, false) }},
		{"var/unbiased", [][]int{{3, 5}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Var([]int{1}, 1, false) }},
		{"var/all-population", [][]int{{3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Var(nil, 0, true) }},
		{"std", [][]int{{3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Std([]int{0}, 1, false) }},
		// matmul
		binCase("matmul/2d", sh(3, 4), sh(4, 5), false, MatMul),
		binCase("matmul/transposed-a", sh(4, 3), sh(4, 5), false, func(a, b *Tensor) (*Tensor, error) { return MatMul(Must(a.T()), b) }),
		binCase("matmul/transposed-b", sh(3, 4), sh(5, 4), false, func(a, b *Tensor) (*Tensor, error) { return MatMul(a, Must(b.T())) }),
		binCase("matmul/expanded", sh(3, 1), sh(4, 5), false, func(a, b *Tensor) (*Tensor, error) { return MatMul(Must(a.Expand(3, 4)), b) }),
		binCase("matmul/batched", sh(2, 3, 4), sh(2, 4, 5), false, MatMul),
		binCase("matmul/batch-bcast", sh(2, 1, 3, 4), sh(3, 4, 2), false, MatMul),
		binCase("matmul/batch×2d", sh(2, 3, 4), sh(4, 5), false, MatMul),
		binCase("matmul/1d×2d", sh(4), sh(4, 5), false, MatMul),
		binCase("matmul/2d×1d", sh(3, 4), sh(4), false, MatMul),
		binCase("matmul/1d×1d", sh(4), sh(4), false, MatMul),
		binCase("matmul/1d×3d", sh(4), sh(2, 4, 3), false, MatMul),
		// softmax
		{"softmax/last", [][]int{{3, 5}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Softmax(-1) }},
		{"softmax/middle", [][]int{{2, 3, 4}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].Softmax(1) }},
		{"log_softmax/last", [][]int{{3, 5}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].LogSoftmax(1) }},
		{"log_softmax/first-transposed", [][]int{{3, 5}}, false, func(in []*Tensor) (*Tensor, error) { return Must(in[0].T()).LogSoftmax(0) }},
		// fused nn ops
		{"linear/bias-relu", [][]int{{4, 3}, {5, 3}, {5}}, false, func(in []*Tensor) (*Tensor, error) {
			return Linear(in[0], in[1], in[2], 1)
		}},
		{"linear/bias", [][]int{{4, 3}, {5, 3}, {5}}, false, func(in []*Tensor) (*Tensor, error) {
			return Linear(in[0], in[1], in[2], 0)
		}},
		{"linear/no-bias-relu", [][]int{{4, 3}, {5, 3}}, false, func(in []*Tensor) (*Tensor, error) {
			return Linear(in[0], in[1], nil, 1)
		}},
		{"linear/transposed-weight-3d-x", [][]int{{2, 4, 3}, {3, 5}, {5}}, false, func(in []*Tensor) (*Tensor, error) {
			return Linear(in[0], Must(in[1].T()), in[2], 0)
		}},
		{"cross_entropy", [][]int{{4, 5}}, false, func(in []*Tensor) (*Tensor, error) {
			return CrossEntropy(in[0], []int{1, 0, 4, 1})
		}},
		{"cross_entropy/transposed", [][]int{{5, 3}}, false, func(in []*Tensor) (*Tensor, error) {
			return CrossEntropy(Must(in[0].T()), []int{2, 4, 0})
		}},
		binCase("mse", sh(3, 4), sh(3, 4), false, MSE),
		binCase("mse/transposed", sh(4, 3), sh(3, 4), false, func(a, b *Tensor) (*Tensor, error) { return MSE(Must(a.T()), b) }),
		// indexing and joining
		{"gather/dim1", [][]int{{3, 4}}, false, func(in []*Tensor) (*Tensor, error) {
			idx := Must(FromFloat64s([]float64{0, 3, 3, 1, 2, 0}, 3, 2))
			return in[0].Gather(1, idx)
		}},
		{"gather/dim0", [][]int{{3, 4}}, false, func(in []*Tensor) (*Tensor, error) {
			idx := Must(FromFloat64s([]float64{2, 0, 1, 2, 2, 2, 0, 0}, 2, 4))
			return in[0].Gather(0, idx)
		}},
		{"index_select/repeats", [][]int{{4, 3}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].IndexSelect(0, []int{3, 0, 3}) }},
		{"index_select/dim1", [][]int{{2, 4, 3}}, false, func(in []*Tensor) (*Tensor, error) { return in[0].IndexSelect(1, []int{1, 2}) }},
		{"concat", [][]int{{2, 3}, {4, 3}}, false, func(in []*Tensor) (*Tensor, error) { return Concat(in, 0) }},
		{"concat/dim1-views", [][]int{{2, 3}, {3, 2}}, false, func(in []*Tensor) (*Tensor, error) {
			return Concat([]*Tensor{in[0], Must(in[1].T())}, 1)
		}},
		{"stack", [][]int{{2, 3}, {2, 3}, {2, 3}}, false, func(in []*Tensor) (*Tensor, error) { return Stack(in, 1) }},
		{"split", [][]int{{5, 2}}, false, func(in []*Tensor) (*Tensor, error) {
			parts, err := in[0].Split(2, 0)
			if err != nil {
				return nil, err
			}
			return Mul(parts[2], Must(parts[0].Narrow(0, 0, 1)))
		}},
		{"chunk", [][]int{{2, 6}}, false, func(in []*Tensor) (*Tensor, error) {
			parts, err := in[0].Chunk(3, 1)
			if err != nil {
				return nil, err
			}
			return Mul(parts[0], parts[2])
		}},
		{"where", [][]int{{2, 3}, {3}}, false, func(in []*Tensor) (*Tensor, error) {
			c := Must(FromFloat64s([]float64{1, 0, 1, 0, 0, 1}, 2, 3))
			return Where(c, in[0], in[1])
		}},
		{"masked_fill", [][]int{{2, 3}}, false, func(in []*Tensor) (*Tensor, error) {
			m := Must(FromSlice([]float32{0, 1, 0}, 3))
			return in[0].MaskedFill(m, -7)
		}},
		// a small composite
		{"composite/layernorm-ish", [][]int{{3, 4}}, false, func(in []*Tensor) (*Tensor, error) {
			x := in[0]
			m := Must(x.Mean([]int{-1}, true))
			v := Must(x.Var([]int{-1}, 0, true))
			d := Must(Sub(x, m))
			s := Must(Must(v.AddScalar(1e-5)).PowScalar(-0.5))
			return Mul(d, s)
		}},
	}
}

func TestGradCheck(t *testing.T) {
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := NewRNG(uint64(len(c.name)) * 7919)
			in := make([]*Tensor, len(c.shapes))
			for i, s := range c.shapes {
				in[i] = randT(rng, c.positive, s...)
			}
			gradcheck(t, c.f, in...)
		})
	}
}

// TestFloat32MatchesFloat64 runs every gradient-check case in both dtypes
// and compares outputs and gradients: the Float32 fast path (SGEMM kernels,
// float32 loops) must agree with the Float64 reference.
func TestFloat32MatchesFloat64(t *testing.T) {
	for _, c := range gradCases() {
		t.Run(c.name, func(t *testing.T) {
			rng := NewRNG(uint64(len(c.name)) * 31)
			in64 := make([]*Tensor, len(c.shapes))
			in32 := make([]*Tensor, len(c.shapes))
			for i, s := range c.shapes {
				in64[i] = randT(rng, c.positive, s...).SetRequiresGrad(true)
				in32[i] = Must(in64[i].Detach().To(Float32)).SetRequiresGrad(true)
			}
			run := func(in []*Tensor) ([]float64, [][]float64) {
				out, err := c.f(in)
				if err != nil {
					t.Fatal(err)
				}
				wr := NewRNG(5)
				w := Must(FullOf(out.DType(), 0, out.Shape()...))
				for i := range w.Numel() {
					v := wr.Float64()*2 - 1
					if w.dtype == Float64 {
						w.f64[i] = v
					} else {
						w.f32[i] = float32(v)
					}
				}
				if err := Must(Must(Mul(out, w)).SumAll()).Backward(); err != nil {
					t.Fatal(err)
				}
				grads := make([][]float64, len(in))
				for i, x := range in {
					if x.Grad() != nil {
						grads[i] = x.Grad().Float64s()
					}
				}
				return out.Float64s(), grads
			}
			o64, g64 := run(in64)
			o32, g32 := run(in32)
			cmp := func(what string, a, b []float64) {
				if len(a) != len(b) {
					t.Fatalf("%s: lengths %d and %d", what, len(a), len(b))
				}
				for i := range a {
					if d := math.Abs(a[i] - b[i]); d > 1e-4+1e-4*math.Abs(a[i]) {
						t.Errorf("%s[%d]: float64 %.8g, float32 %.8g", what, i, a[i], b[i])
					}
				}
			}
			cmp("out", o64, o32)
			for i := range g64 {
				cmp(fmt.Sprintf("grad%d", i), g64[i], g32[i])
			}
		})
	}
}
