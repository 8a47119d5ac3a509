package tensor

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

func near(t *testing.T, what string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) || math.IsNaN(got[i]) != math.IsNaN(want[i]) {
			t.Errorf("%s[%d] = %.9g, want %.9g", what, i, got[i], want[i])
		}
	}
}

// ---------------------------------------------------------------------------
// Forward values against outside numbers.

func TestForwardKnownValues(t *testing.T) {
	x := Must(FromSlice([]float32{1, 2, 3}))
	// torch.softmax(torch.tensor([1., 2., 3.]), 0)
	near(t, "softmax", Must(x.Softmax(0)).Float64s(), []float64{0.09003057, 0.24472847, 0.66524096}, 1e-6)
	// torch.log_softmax(torch.tensor([1., 2., 3.]), 0)
	near(t, "log_softmax", Must(x.LogSoftmax(0)).Float64s(), []float64{-2.40760596, -1.40760596, -0.40760596}, 1e-6)
	// torch.tensor([1., 2., 3., 4.]).var() (unbiased) = 1.6666666
	v := Must(FromSlice([]float32{1, 2, 3, 4}))
	near(t, "var", []float64{Must(v.Var(nil, 1, false)).Item()}, []float64{1.6666666}, 1e-6)
	near(t, "var/pop", []float64{Must(v.Var(nil, 0, false)).Item()}, []float64{1.25}, 1e-7)
	// torch.nn.functional.gelu(torch.tensor([-1., 0., 1.])) (exact erf form)
	g := Must(FromSlice([]float32{-1, 0, 1}))
	near(t, "gelu", Must(g.GELU()).Float64s(), []float64{-0.15865525, 0, 0.84134475}, 1e-6)
	// torch.sigmoid(torch.tensor([-100., 0., 2.]))
	s := Must(FromSlice([]float32{-100, 0, 2}))
	near(t, "sigmoid", Must(s.Sigmoid()).Float64s(), []float64{3.7200760e-44, 0.5, 0.88079708}, 1e-6)
	// Softmax must be stable for huge logits.
	big := Must(FromSlice([]float32{1000, 1001, 1002}))
	near(t, "softmax/stable", Must(big.Softmax(0)).Float64s(), []float64{0.09003057, 0.24472847, 0.66524096}, 1e-6)
	// [[1 2 3] [4 5 6]] @ [[7 8] [9 10] [11 12]] = [[58 64] [139 154]]
	a := Must(FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3))
	b := Must(FromSlice([]float32{7, 8, 9, 10, 11, 12}, 3, 2))
	near(t, "matmul", Must(MatMul(a, b)).Float64s(), []float64{58, 64, 139, 154}, 0)
}

func TestCrossEntropyValue(t *testing.T) {
	// torch.nn.functional.cross_entropy(logits, targets) is the mean over the
	// batch of -log(softmax(logits)[i, targets[i]]); computed here directly in
	// float64 without the max-subtraction trick.
	logits := [][]float64{{1, 2, 3}, {1, -1, 0.5}, {0, 0, 0}, {-2, 4, 1}}
	targets := []int{2, 0, 1, 1}
	want := 0.0
	for i, row := range logits {
		den := 0.0
		for _, v := range row {
			den += math.Exp(v)
		}
		want -= math.Log(math.Exp(row[targets[i]]) / den)
	}
	want /= float64(len(logits))
	flat := make([]float32, 0, 12)
	for _, r := range logits {
		for _, v := range r {
			flat = append(flat, float32(v))
		}
	}
	got := Must(CrossEntropy(Must(FromSlice(flat, 4, 3)), targets)).Item()
	near(t, "cross_entropy", []float64{got}, []float64{want}, 1e-6)
	// torch: F.cross_entropy(torch.tensor([[1., 2., 3.]]), torch.tensor([2])) = 0.40760596
	one := Must(CrossEntropy(Must(FromSlice([]float32{1, 2, 3}, 1, 3)), []int{2})).Item()
	near(t, "cross_entropy/torch", []float64{one}, []float64{0.40760596}, 1e-6)
	// MSE: mean((p-q)^2)
	p := Must(FromSlice([]float32{1, 2, 3, 4}, 2, 2))
	q := Must(FromSlice([]float32{0, 2, 5, 3}, 2, 2))
	near(t, "mse", []float64{Must(MSE(p, q)).Item()}, []float64{(1 + 0 + 4 + 1) / 4.0}, 1e-7)
}

func TestReductionsAndIndexing(t *testing.T) {
	x := Must(FromSlice([]float32{3, 1, 4, 1, 5, 9, 2, 6, 5}, 3, 3))
	near(t, "sum0", Must(x.Sum([]int{0}, false)).Float64s(), []float64{6, 12, 18}, 0)
	k := Must(x.Sum([]int{1}, true))
	if got := k.Shape(); !sameShape(got, []int{3, 1}) {
		t.Errorf("keepdim shape %v", got)
	}
	near(t, "mean1", Must(x.Mean([]int{1}, false)).Float64s(), []float64{8.0 / 3, 5, 13.0 / 3}, 1e-6)
	near(t, "max1", Must(x.Max(1, false)).Float64s(), []float64{4, 9, 6}, 0)
	near(t, "min0", Must(x.Min(0, false)).Float64s(), []float64{1, 1, 4}, 0)
	near(t, "argmax1", Must(x.Argmax(1, false)).Float64s(), []float64{2, 2, 1}, 0)
	near(t, "argmin0", Must(x.Argmin(0, false)).Float64s(), []float64{1, 0, 0}, 0)
	near(t, "sum_all", []float64{Must(x.SumAll()).Item()}, []float64{36}, 0)
	near(t, "index_select", Must(x.IndexSelect(1, []int{2, 0})).Float64s(), []float64{4, 3, 9, 1, 5, 2}, 0)
	idx := Must(x.Argmax(1, true))
	near(t, "gather(argmax)", Must(x.Gather(1, idx)).Float64s(), []float64{4, 9, 6}, 0)
	w := Must(Where(Must(FromSlice([]float32{1, 0, 1})), x, Must(Zeros())))
	near(t, "where", w.Float64s(), []float64{3, 0, 4, 1, 0, 9, 2, 0, 5}, 0)

	// max: gradient to the first maximum only, like torch.max(dim)
	y := Must(FromFloat64s([]float64{2, 7, 7, 1}, 1, 4)).SetRequiresGrad(true)
	if err := Must(Must(y.Max(1, false)).SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	near(t, "max grad", y.Grad().Float64s(), []float64{0, 1, 0, 0}, 0)
	// maximum: ties split the gradient, like torch.maximum
	a := Must(FromFloat64s([]float64{1, 5})).SetRequiresGrad(true)
	b := Must(FromFloat64s([]float64{1, 2})).SetRequiresGrad(true)
	if err := Must(Must(Maximum(a, b)).SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	near(t, "maximum grad a", a.Grad().Float64s(), []float64{0.5, 1}, 0)
	near(t, "maximum grad b", b.Grad().Float64s(), []float64{0.5, 0}, 0)
}

func TestViewsShareStorage(t *testing.T) {
	x := Must(Arange(0, 6, 1))
	m := Must(x.Reshape(2, 3))
	tr := Must(m.T())
	if tr.IsContiguous() {
		t.Fatal("transpose should not be contiguous")
	}
	if got := tr.At(2, 1); got != 5 {
		t.Errorf("At(2,1) = %v", got)
	}
	x.Data()[5] = 50 // Data aliases a contiguous float32 tensor
	if got := tr.At(2, 1); got != 50 {
		t.Errorf("view did not see the write: %v", got)
	}
	// Reshape of a non-contiguous tensor copies.
	r := Must(tr.Reshape(-1))
	near(t, "reshape(T)", r.Float64s(), []float64{0, 3, 1, 4, 2, 50}, 0)
	if _, err := tr.View(6); err == nil {
		t.Error("View of a non-contiguous tensor should fail")
	}
	e := Must(Must(FromSlice([]float32{1, 2}, 2, 1)).Expand(2, 3))
	if e.Strides()[1] != 0 {
		t.Errorf("expand strides %v", e.Strides())
	}
	near(t, "expand", e.Float64s(), []float64{1, 1, 1, 2, 2, 2}, 0)
	s := Must(x.Slice(0, 1, 6, 2))
	near(t, "slice", s.Float64s(), []float64{1, 3, 50}, 0)
	parts := Must2(x.SplitSizes([]int{1, 5}, 0))
	near(t, "split", parts[1].Float64s(), []float64{1, 2, 3, 4, 50}, 0)
	ch := Must2(x.Chunk(4, 0))
	if len(ch) != 3 {
		t.Errorf("chunk(6, 4) gave %d pieces, torch gives 3", len(ch))
	}
	st := Must(Stack([]*Tensor{m, m}, 0))
	if !sameShape(st.Shape(), []int{2, 2, 3}) {
		t.Errorf("stack shape %v", st.Shape())
	}
	c := Must(Concat([]*Tensor{m, Must(tr.T())}, 1))
	near(t, "concat", c.Float64s(), []float64{0, 1, 2, 0, 1, 2, 3, 4, 50, 3, 4, 50}, 0)
}

func Must2(ts []*Tensor, err error) []*Tensor {
	if err != nil {
		panic(err)
	}
	return ts
}

func TestCreation(t *testing.T) {
	e := Must(Eye(3))
	near(t, "eye", e.Float64s(), []float64{1, 0, 0, 0, 1, 0, 0, 0, 1}, 0)
	a := Must(Arange(1, 2, 0.25))
	near(t, "arange", a.Float64s(), []float64{1, 1.25, 1.5, 1.75}, 0)
	f := Must(Full(2.5, 2))
	near(t, "full", f.Float64s(), []float64{2.5, 2.5}, 0)
	if Must(Zeros()).Dim() != 0 {
		t.Error("Zeros() should be 0-d")
	}
	// splitmix64 with seed 0: first output 0xe220a8397b1dcdaf (reference
	// implementation by Sebastiano Vigna, prng.di.unimi.it/splitmix64.c).
	if got := NewRNG(0).Uint64(); got != 0xe220a8397b1dcdaf {
		t.Errorf("splitmix64 first output %#x", got)
	}
	r1 := Must(Randn(NewRNG(7), 1000))
	r2 := Must(Randn(NewRNG(7), 1000))
	near(t, "randn deterministic", r1.Float64s(), r2.Float64s(), 0)
	m := Must(r1.MeanAll()).Item()
	sd := math.Sqrt(Must(r1.Var(nil, 1, false)).Item())
	if math.Abs(m) > 0.1 || math.Abs(sd-1) > 0.1 {
		t.Errorf("randn mean %v std %v", m, sd)
	}
	u := Must(Rand(NewRNG(3), 1000))
	if mx, mn := Must(u.Max(0, false)).Item(), Must(u.Min(0, false)).Item(); mx >= 1 || mn < 0 {
		t.Errorf("rand out of [0,1): %v %v", mn, mx)
	}
	d := Must(Must(FromSlice([]float32{1.5, -2})).To(Float64))
	if d.DType() != Float64 || d.Float64s()[1] != -2 {
		t.Errorf("To(Float64) = %v", d)
	}
}

func TestString(t *testing.T) {
	x := Must(FromSlice([]float32{1, 2.5, 3, 4, 5, 6}, 2, 3))
	if got, want := x.String(), "[[1 2.5 3]\n [4 5 6]]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := Scalar(0.1).String(); got != "0.1" {
		t.Errorf("scalar String() = %q", got)
	}
	big := Must(Zeros(2000))
	if s := big.String(); !strings.Contains(s, "...") || len(s) > 100 {
		t.Errorf("large tensor not elided: %d chars", len(s))
	}
}

// ---------------------------------------------------------------------------
// Errors.

func TestShapeErrors(t *testing.T) {
	a23 := Must(Zeros(2, 3))
	a45 := Must(Zeros(4, 5))
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"matmul", func() error { _, err := MatMul(a23, a45); return err },
			"tensor: matmul: shapes [2 3] and [4 5]: inner dimensions 3 and 4 differ"},
		{"add", func() error { _, err := Add(a23, a45); return err },
			"tensor: add: shapes [2 3] and [4 5]: cannot broadcast"},
		{"reshape", func() error { _, err := a23.Reshape(4, 2); return err },
			"tensor: reshape: shapes [2 3] and [4 2]: cannot reshape 6 elements into 8"},
		{"reshape/-1", func() error { _, err := a23.Reshape(-1, 4); return err },
			"tensor: reshape: shapes [2 3] and [-1 4]: cannot infer -1 for 6 elements"},
		{"transpose", func() error { _, err := a23.Transpose(0, 2); return err },
			"tensor: transpose: shape [2 3]: dims 0 and 2 out of range for rank 2"},
		{"sum", func() error { _, err := a23.Sum([]int{5}, false); return err },
			"tensor: sum: shape [2 3]: dim 5 out of range for rank 2"},
		{"concat", func() error { _, err := Concat([]*Tensor{a23, a45}, 0); return err },
			"tensor: concat: shapes [2 3] and [4 5]: sizes differ in dim 1"},
		{"linear", func() error { _, err := Linear(a23, a45, nil, kernels.ActNone); return err },
			"tensor: linear: shapes [2 3] and [4 5]: need x [..., in] and weight [out, in]"},
		{"cross_entropy", func() error { _, err := CrossEntropy(a23, []int{0}); return err },
			"tensor: cross_entropy: shapes [2 3] and [1]: need logits [B, C] and B targets"},
		{"mse", func() error { _, err := MSE(a23, a45); return err },
			"tensor: mse: shapes [2 3] and [4 5]: shapes differ"},
		{"expand", func() error { _, err := a23.Expand(4, 3); return err },
			"tensor: expand: shapes [2 3] and [4 3]: size 2 of dim 0 cannot expand to 4"},
		{"slice", func() error { _, err := a23.Slice(0, 0, 1, 0); return err },
			"tensor: slice: shape [2 3]: step must be positive, got 0"},
		{"narrow", func() error { _, err := a23.Narrow(1, 2, 2); return err },
			"tensor: narrow: shape [2 3]: start 2 length 2 out of range for dim 1 of size 3"},
		{"permute", func() error { _, err := a23.Permute(0, 0); return err },
			"tensor: permute: shape [2 3]: invalid permutation [0 0]"},
		{"unsqueeze", func() error { _, err := a23.Unsqueeze(4); return err },
			"tensor: unsqueeze: shape [2 3]: dim 4 out of range for rank 2"},
		{"softmax", func() error { _, err := a23.Softmax(2); return err },
			"tensor: softmax: shape [2 3]: dim 2 out of range for rank 2"},
		{"gather", func() error { _, err := a23.Gather(0, a45); return err },
			"tensor: gather: shapes [2 3] and [4 5]: index is larger than the input in dim 1"},
		{"where", func() error { _, err := Where(a45, a23, a23); return err },
			"tensor: where: shapes [4 5], [2 3] and [2 3]: cannot broadcast"},
		{"masked_fill", func() error { _, err := a23.MaskedFill(a45, 0); return err },
			"tensor: masked_fill: shapes [2 3] and [4 5]: mask does not broadcast to the tensor's shape"},
		{"stack", func() error { _, err := Stack([]*Tensor{a23, a45}, 0); return err },
			"tensor: stack: shapes [2 3] and [4 5]: shapes differ"},
		{"from_slice", func() error { _, err := FromSlice([]float32{1, 2, 3}, 2, 2); return err },
			"tensor: from_slice: shape [2 2]: shape needs 4 elements, data has 3"},
		{"zeros", func() error { _, err := Zeros(2, -1); return err },
			"tensor: full: shape [2 -1]: sizes must be non-negative, rank at most 16 and at most 2^48 elements"},
		{"backward", func() error { return a23.Backward() },
			"tensor: backward: shape [2 3]: gradient can be implicitly created only for one-element outputs; use BackwardWithGrad"},
		{"matmul/batch", func() error { _, err := MatMul(Must(Zeros(2, 2, 3)), Must(Zeros(3, 3, 1))); return err },
			"tensor: matmul: shapes [2 2 3] and [3 3 1]: batch dimensions do not broadcast"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil {
				t.Fatal("no error")
			}
			var se *ShapeError
			if !errors.As(err, &se) {
				t.Fatalf("error %q is %T, not *ShapeError", err, err)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %q\nwant %q", err, c.want)
			}
		})
	}
}

func TestOtherErrors(t *testing.T) {
	f32 := Must(Zeros(2, 3))
	f64 := Must(FullOf(Float64, 0, 2, 3))
	if _, err := Add(f32, f64); !errors.Is(err, ErrDType) {
		t.Errorf("dtype mismatch: %v", err)
	}
	if _, err := CrossEntropy(f32, []int{0, 3}); !errors.Is(err, ErrIndex) {
		t.Errorf("target out of range: %v", err)
	}
	if _, err := f32.IndexSelect(1, []int{-1}); !errors.Is(err, ErrIndex) {
		t.Errorf("index_select: %v", err)
	}
	idx := Must(FromSlice([]float32{0, 1.5, 0}, 1, 3))
	if _, err := f32.Gather(0, idx); !errors.Is(err, ErrIndex) {
		t.Errorf("gather fractional index: %v", err)
	}
	if _, err := Add(nil, f32); !errors.Is(err, ErrNil) {
		t.Errorf("nil: %v", err)
	}
	if err := Must(f32.SumAll()).Backward(); !errors.Is(err, ErrGrad) {
		t.Errorf("backward without grad: %v", err)
	}
	if _, err := Must(Zeros(2, 0)).Max(1, false); err == nil {
		t.Error("max over an empty dim should fail")
	}
	// accessors panic with a descriptive *ShapeError, never a bare index panic
	func() {
		defer func() {
			if _, ok := recover().(*ShapeError); !ok {
				t.Error("At out of range should panic with *ShapeError")
			}
		}()
		f32.At(2, 0)
	}()
}

// ---------------------------------------------------------------------------
// Autograd semantics.

func TestGradAccumulationAndZeroGrad(t *testing.T) {
	x := Must(FromFloat64s([]float64{1, 2, 3})).SetRequiresGrad(true)
	step := func() {
		y := Must(Must(Mul(x, x)).SumAll()) // d/dx = 2x
		if err := y.Backward(); err != nil {
			t.Fatal(err)
		}
	}
	step()
	near(t, "grad", x.Grad().Float64s(), []float64{2, 4, 6}, 0)
	step()
	near(t, "accumulated", x.Grad().Float64s(), []float64{4, 8, 12}, 0)
	x.ZeroGrad()
	near(t, "zeroed", x.Grad().Float64s(), []float64{0, 0, 0}, 0)
	step()
	near(t, "after zero", x.Grad().Float64s(), []float64{2, 4, 6}, 0)
}

func TestNonLeafAndRetainGrad(t *testing.T) {
	x := Must(FromFloat64s([]float64{1, 2})).SetRequiresGrad(true)
	h := Must(x.MulScalar(3))
	h2 := Must(x.MulScalar(2))
	h2.RetainGrad()
	y := Must(Must(Add(h, h2)).SumAll())
	if h.IsLeaf() || !x.IsLeaf() {
		t.Error("leaf flags")
	}
	if err := y.Backward(); err != nil {
		t.Fatal(err)
	}
	if h.Grad() != nil {
		t.Error("non-leaf kept its grad")
	}
	near(t, "retained", h2.Grad().Float64s(), []float64{1, 1}, 0)
	near(t, "x", x.Grad().Float64s(), []float64{5, 5}, 0)
	// BackwardWithGrad on a non-scalar
	x.ZeroGrad()
	z := Must(x.MulScalar(4))
	if err := z.BackwardWithGrad(Must(FromFloat64s([]float64{1, 0.5}))); err != nil {
		t.Fatal(err)
	}
	near(t, "seeded", x.Grad().Float64s(), []float64{4, 2}, 0)
	// diamond: x used twice through views
	x.ZeroGrad()
	v := Must(x.Reshape(2, 1))
	e := Must(v.Expand(2, 3))
	if err := Must(Must(Mul(e, e)).SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	near(t, "expand grad", x.Grad().Float64s(), []float64{6, 12}, 0)
}

func TestDetachAndNoGrad(t *testing.T) {
	x := Must(FromFloat64s([]float64{1, 2})).SetRequiresGrad(true)
	d := x.Detach()
	if d.RequiresGrad() {
		t.Error("detached tensor requires grad")
	}
	y := Must(Mul(x, d)) // gradient only through x: d/dx = d = x
	if err := Must(y.SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	near(t, "detach", x.Grad().Float64s(), []float64{1, 2}, 0)

	var z *Tensor
	NoGrad(func() {
		if GradEnabled() {
			t.Error("grad enabled inside NoGrad")
		}
		z = Must(Mul(x, x))
	})
	if !GradEnabled() {
		t.Error("grad mode not restored")
	}
	if z.RequiresGrad() || !z.IsLeaf() || len(z.parents) != 0 {
		t.Error("NoGrad recorded a graph")
	}
	if err := Must(z.SumAll()).Backward(); !errors.Is(err, ErrGrad) {
		t.Errorf("backward through NoGrad result: %v", err)
	}
}

// ---------------------------------------------------------------------------
// Arena: the MLP training step must allocate nothing once warm.

func TestMLPStepZeroAllocs(t *testing.T) {
	rng := NewRNG(1)
	const batch, in, hid, out = 32, 20, 32, 5
	param := func(shape ...int) *Tensor {
		p := Must(Randn(rng, shape...))
		for i := range p.f32 {
			p.f32[i] *= 0.3
		}
		return p.SetRequiresGrad(true)
	}
	w1, b1 := param(hid, in), param(hid)
	w2, b2 := param(hid, hid), param(hid)
	w3, b3 := param(out, hid), param(out)
	params := []*Tensor{w1, b1, w2, b2, w3, b3}
	x := Must(Randn(rng, batch, in))
	targets := make([]int, batch)
	for i := range targets {
		targets[i] = rng.Intn(out)
	}
	arena := NewArena()
	restore := UseArena(arena)
	defer restore()
	var loss float64
	step := func() {
		arena.Reset()
		h1 := Must(Linear(x, w1, b1, kernels.ActReLU))
		h2 := Must(Linear(h1, w2, b2, kernels.ActReLU))
		logits := Must(Linear(h2, w3, b3, kernels.ActNone))
		l := Must(CrossEntropy(logits, targets))
		if err := l.Backward(); err != nil {
			panic(err)
		}
		loss = l.Item()
		for _, p := range params { // SGD through the aliasing Data()
			d, g := p.Data(), p.Grad().Data()
			for i := range d {
				d[i] -= 0.1 * g[i]
			}
			p.ZeroGrad()
		}
	}
	step()
	first := loss
	for range 30 {
		step()
	}
	if !(loss < first*0.7) {
		t.Errorf("loss did not drop: %v -> %v", first, loss)
	}
	if allocs := testing.AllocsPerRun(allocRuns, step); allocs != 0 {
		t.Errorf("training step allocates %v times per run, want 0", allocs)
	}
	// The same holds for a graph of generic ops (broadcast add, views,
	// reductions, softmax).
	step2 := func() {
		arena.Reset()
		h := Must(MatMul(x, Must(w1.T())))
		h = Must(Must(Add(h, b1)).ReLU())
		p := Must(h.Softmax(-1))
		l := Must(Must(Must(p.Narrow(1, 0, 4)).Sum([]int{1}, true)).MeanAll())
		if err := l.Backward(); err != nil {
			panic(err)
		}
		w1.ZeroGrad()
		b1.ZeroGrad()
	}
	step2()
	if allocs := testing.AllocsPerRun(allocRuns, step2); allocs != 0 {
		t.Errorf("generic-op step allocates %v times per run, want 0", allocs)
	}
}
