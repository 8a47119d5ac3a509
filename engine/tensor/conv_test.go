package tensor_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/tensor/gradcheck"
)

type opCase struct {
	name   string
	shapes [][]int
	f      func(in []*tensor.Tensor) (*tensor.Tensor, error)
}

func runGradCases(t *testing.T, cases []opCase) {
	t.Helper()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := tensor.NewRNG(uint64(i*7919 + 1))
			in := make([]*tensor.Tensor, len(c.shapes))
			for k, s := range c.shapes {
				in[k] = gradcheck.Rand(rng, s...)
			}
			gradcheck.Check(t, c.f, in...)
		})
	}
}

func conv2dCase(name string, x, w []int, bias bool, p tensor.ConvParams) opCase {
	shapes := [][]int{x, w}
	if bias {
		shapes = append(shapes, []int{w[0]})
	}
	return opCase{name, shapes, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
		var b *tensor.Tensor
		if bias {
			b = in[2]
		}
		return tensor.Conv2d(in[0], in[1], b, p)
	}}
}

func TestConvGradCheck(t *testing.T) {
	runGradCases(t, []opCase{
		conv2dCase("conv2d/basic", []int{2, 2, 5, 4}, []int{3, 2, 3, 2}, true, tensor.ConvParams{}),
		conv2dCase("conv2d/stride-pad", []int{1, 2, 5, 6}, []int{2, 2, 3, 3}, true, tensor.ConvParams{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}),
		conv2dCase("conv2d/dilation-nobias", []int{2, 1, 6, 6}, []int{2, 1, 2, 3}, false, tensor.ConvParams{Dilation: [2]int{2, 1}, Padding: [2]int{1, 2}, Stride: [2]int{1, 3}}),
		conv2dCase("conv2d/groups", []int{2, 4, 4, 4}, []int{6, 2, 2, 2}, true, tensor.ConvParams{Groups: 2, Padding: [2]int{1, 0}}),
		{"conv1d/stride-pad-dil", [][]int{{2, 3, 9}, {4, 3, 3}, {4}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.Conv1d(in[0], in[1], in[2], tensor.ConvParams{Stride: [2]int{2}, Padding: [2]int{1}, Dilation: [2]int{2}})
		}},
		{"conv1d/groups-transposed-input", [][]int{{2, 7, 4}, {4, 2, 3}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			x := tensor.Must(in[0].Transpose(1, 2))
			return tensor.Conv1d(x, in[1], nil, tensor.ConvParams{Groups: 2})
		}},
	})
}

func TestConvShapeErrors(t *testing.T) {
	x := tensor.Must(tensor.Zeros(2, 3, 5, 5))
	for _, c := range []struct {
		name string
		f    func() (*tensor.Tensor, error)
	}{
		{"rank", func() (*tensor.Tensor, error) {
			return tensor.Conv2d(tensor.Must(tensor.Zeros(3, 5, 5)), tensor.Must(tensor.Zeros(2, 3, 3, 3)), nil, tensor.ConvParams{})
		}},
		{"channels", func() (*tensor.Tensor, error) {
			return tensor.Conv2d(x, tensor.Must(tensor.Zeros(2, 2, 3, 3)), nil, tensor.ConvParams{})
		}},
		{"groups", func() (*tensor.Tensor, error) {
			return tensor.Conv2d(x, tensor.Must(tensor.Zeros(2, 3, 3, 3)), nil, tensor.ConvParams{Groups: 2})
		}},
		{"kernel-too-large", func() (*tensor.Tensor, error) {
			return tensor.Conv2d(x, tensor.Must(tensor.Zeros(2, 3, 7, 3)), nil, tensor.ConvParams{})
		}},
		{"bias", func() (*tensor.Tensor, error) {
			return tensor.Conv2d(x, tensor.Must(tensor.Zeros(2, 3, 3, 3)), tensor.Must(tensor.Zeros(3)), tensor.ConvParams{})
		}},
		{"conv1d-rank", func() (*tensor.Tensor, error) {
			return tensor.Conv1d(x, tensor.Must(tensor.Zeros(2, 3, 3)), nil, tensor.ConvParams{})
		}},
	} {
		_, err := c.f()
		var se *tensor.ShapeError
		if !errors.As(err, &se) {
			t.Errorf("%s: got %v, want a *ShapeError", c.name, err)
			continue
		}
		if se.Op != "conv2d" && se.Op != "conv1d" || len(se.Shapes) < 1 {
			t.Errorf("%s: error %q does not name the op and shapes", c.name, err)
		}
	}
}

// TestConvFloat32MatchesFloat64 checks the SGEMM path against the float64
// reference on a layer large enough to use the blocked kernels.
func TestConvFloat32MatchesFloat64(t *testing.T) {
	rng := tensor.NewRNG(3)
	x64 := gradcheck.Rand(rng, 3, 8, 11, 10).SetRequiresGrad(true)
	w64 := gradcheck.Rand(rng, 16, 4, 3, 3).SetRequiresGrad(true)
	b64 := gradcheck.Rand(rng, 16).SetRequiresGrad(true)
	cast := func(t64 *tensor.Tensor) *tensor.Tensor {
		return tensor.Must(t64.Detach().To(tensor.Float32)).SetRequiresGrad(true)
	}
	x32, w32, b32 := cast(x64), cast(w64), cast(b64)
	p := tensor.ConvParams{Padding: [2]int{1, 1}, Stride: [2]int{1, 2}, Groups: 2}
	y64 := tensor.Must(tensor.Conv2d(x64, w64, b64, p))
	y32 := tensor.Must(tensor.Conv2d(x32, w32, b32, p))
	if err := tensor.Must(tensor.Must(y64.PowScalar(2)).SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	if err := tensor.Must(tensor.Must(y32.PowScalar(2)).SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	closeTo(t, "out", y32.Float64s(), y64.Float64s(), 1e-4, 1e-4)
	closeTo(t, "dx", x32.Grad().Float64s(), x64.Grad().Float64s(), 1e-3, 1e-4)
	closeTo(t, "dw", w32.Grad().Float64s(), w64.Grad().Float64s(), 1e-3, 1e-4)
	closeTo(t, "db", b32.Grad().Float64s(), b64.Grad().Float64s(), 1e-3, 1e-4)
}

func closeTo(t *testing.T, what string, got, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		d := got[i] - want[i]
		if d < 0 {
			d = -d
		}
		w := want[i]
		if w < 0 {
			w = -w
		}
		if !(d <= atol+rtol*w) {
			if bad++; bad <= 5 {
				t.Errorf("%s[%d] = %.8g, want %.8g", what, i, got[i], want[i])
			}
		}
	}
}

func TestConvFusedReLUGradCheck(t *testing.T) {
	runGradCases(t, []opCase{
		conv2dCase("conv2d/relu", []int{2, 2, 4, 4}, []int{3, 2, 2, 2}, true, tensor.ConvParams{Act: kernels.ActReLU, Padding: [2]int{1, 0}}),
	})
}

// directCases are geometries the direct convolution path takes (stride 1,
// groups 1): one input channel (LeNet's conv1), more than 8 input and
// output channels (several 8-channel blocks, zero-padded), dilation,
// asymmetric padding, fused ReLU, no bias, and batches that split into
// several chunks.
var directCases = []struct {
	name string
	x, w []int
	bias bool
	p    tensor.ConvParams
}{
	{"cin1-pad", []int{3, 1, 6, 6}, []int{3, 1, 3, 3}, true, tensor.ConvParams{Padding: [2]int{1, 1}}},
	{"blocks", []int{2, 9, 4, 5}, []int{10, 9, 2, 2}, true, tensor.ConvParams{Padding: [2]int{0, 1}}},
	{"dilation-nobias", []int{2, 2, 7, 6}, []int{3, 2, 2, 3}, false, tensor.ConvParams{Dilation: [2]int{2, 1}, Padding: [2]int{1, 2}}},
	{"relu", []int{9, 2, 5, 5}, []int{4, 2, 3, 3}, true, tensor.ConvParams{Padding: [2]int{1, 1}, Act: kernels.ActReLU}},
	{"1x1", []int{2, 3, 4, 4}, []int{5, 3, 1, 1}, true, tensor.ConvParams{}},
}

// TestConvDirectGradCheck gradient-checks the direct convolution path (in
// float64, through its plain-Go kernels).
func TestConvDirectGradCheck(t *testing.T) {
	defer tensor.SetConvDirectMode(1)()
	var cases []opCase
	for _, c := range directCases {
		cases = append(cases, conv2dCase("direct/"+c.name, c.x, c.w, c.bias, c.p))
	}
	cases = append(cases, opCase{"direct/conv1d", [][]int{{2, 3, 9}, {4, 3, 3}, {4}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
		return tensor.Conv1d(in[0], in[1], in[2], tensor.ConvParams{Padding: [2]int{1}, Dilation: [2]int{2}})
	}})
	runGradCases(t, cases)
}

// convRun runs conv2d forward and backward (loss Σ y·r for a fixed random
// r) in float32 and returns y and the gradients of x, w and b.
func convRun(t *testing.T, x, w, b, r *tensor.Tensor, p tensor.ConvParams) [][]float32 {
	t.Helper()
	for _, v := range []*tensor.Tensor{x, w, b} {
		if v != nil {
			v.ZeroGrad()
		}
	}
	y, err := tensor.Conv2d(x, w, b, p)
	if err != nil {
		t.Fatal(err)
	}
	loss := tensor.Must(tensor.Must(tensor.Mul(y, r)).SumAll())
	if err := loss.Backward(); err != nil {
		t.Fatal(err)
	}
	res := [][]float32{append([]float32(nil), y.Data()...), append([]float32(nil), x.Grad().Data()...), append([]float32(nil), w.Grad().Data()...)}
	if b != nil {
		res = append(res, append([]float32(nil), b.Grad().Data()...))
	}
	return res
}

// TestConvDirectMatchesIm2col compares the direct path with im2col + GEMM
// in float32 (output and all gradients), and checks that the direct path
// gives bit-identical results with 1 and 2 threads.
func TestConvDirectMatchesIm2col(t *testing.T) {
	cases := append(directCases[:len(directCases):len(directCases)], struct {
		name string
		x, w []int
		bias bool
		p    tensor.ConvParams
	}{"lenet2", []int{20, 6, 14, 14}, []int{16, 6, 5, 5}, true, tensor.ConvParams{Act: kernels.ActReLU}})
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := tensor.NewRNG(uint64(100 + i))
			x := tensor.Must(tensor.Randn(rng, c.x...)).SetRequiresGrad(true)
			w := tensor.Must(tensor.Randn(rng, c.w...)).SetRequiresGrad(true)
			var b *tensor.Tensor
			if c.bias {
				b = tensor.Must(tensor.Randn(rng, c.w[0])).SetRequiresGrad(true)
			}
			y0 := tensor.Must(tensor.Conv2d(x, w, b, c.p))
			r := tensor.Must(tensor.Randn(rng, y0.Shape()...))
			restore := tensor.SetConvDirectMode(-1)
			want := convRun(t, x, w, b, r, c.p)
			tensor.SetConvDirectMode(1)
			defer restore()
			threads := kernels.Threads()
			defer kernels.SetThreads(threads)
			kernels.SetThreads(1)
			got := convRun(t, x, w, b, r, c.p)
			kernels.SetThreads(2)
			got2 := convRun(t, x, w, b, r, c.p)
			names := []string{"y", "dx", "dw", "db"}
			for k := range want {
				for j := range want[k] {
					if d, m := math.Abs(float64(got[k][j]-want[k][j])), math.Abs(float64(want[k][j])); d > 1e-4*(1+m) {
						t.Fatalf("%s[%d] = %v, im2col %v", names[k], j, got[k][j], want[k][j])
					}
					if math.Float32bits(got[k][j]) != math.Float32bits(got2[k][j]) {
						t.Fatalf("%s[%d]: 1 thread %v, 2 threads %v", names[k], j, got[k][j], got2[k][j])
					}
				}
			}
		})
	}
}

// BenchmarkConv2dStep is one forward + backward pass of a convolution
// (fused ReLU, input gradient only where a real layer needs it), by the
// direct path and by im2col + GEMM, on the LeNet and Fashion-MNIST recipe
// shapes.
func BenchmarkConv2dStep(b *testing.B) {
	shapes := []struct {
		name   string
		x, w   []int
		pad    int
		gradIn bool
	}{
		{"lenet1", []int{128, 1, 28, 28}, []int{6, 1, 5, 5}, 2, false},
		{"lenet2", []int{128, 6, 14, 14}, []int{16, 6, 5, 5}, 0, true},
		{"fashion1", []int{64, 1, 28, 28}, []int{32, 1, 3, 3}, 0, false},
		{"fashion2", []int{64, 32, 13, 13}, []int{64, 32, 3, 3}, 0, true},
		{"cifar1", []int{32, 3, 32, 32}, []int{64, 3, 3, 3}, 1, false},
		{"cifar2", []int{32, 32, 32, 32}, []int{64, 32, 3, 3}, 1, true},
		{"cifar3", []int{32, 56, 16, 16}, []int{128, 56, 3, 3}, 1, true},
		{"k1", []int{32, 64, 16, 16}, []int{128, 64, 1, 1}, 0, true},
	}
	for _, s := range shapes {
		for _, mode := range []int{1, -1} {
			name := s.name + "/direct"
			if mode < 0 {
				name = s.name + "/im2col"
			}
			b.Run(name, func(b *testing.B) {
				defer tensor.SetConvDirectMode(mode)()
				rng := tensor.NewRNG(1)
				x := tensor.Must(tensor.Randn(rng, s.x...)).SetRequiresGrad(s.gradIn)
				w := tensor.Must(tensor.Randn(rng, s.w...)).SetRequiresGrad(true)
				bias := tensor.Must(tensor.Randn(rng, s.w[0])).SetRequiresGrad(true)
				p := tensor.ConvParams{Padding: [2]int{s.pad, s.pad}, Act: kernels.ActReLU}
				arena := tensor.NewArena()
				defer tensor.UseArena(arena)()
				for b.Loop() {
					arena.Reset()
					y := tensor.Must(tensor.Conv2d(x, w, bias, p))
					if err := tensor.Must(y.SumAll()).Backward(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestConvDirectPaths reruns the direct-path tests with each assembly
// kernel set forced (kernels.ForcePath also selects the convolution
// kernels), so that an AVX-512 machine tests the AVX2 kernels too. The
// gradient checks run in float64 (plain Go) but cover the dispatch.
func TestConvDirectPaths(t *testing.T) {
	for _, p := range []kernels.Path{kernels.PathAVX2, kernels.PathAVX512} {
		if !p.Available() {
			continue
		}
		t.Run(p.String(), func(t *testing.T) {
			defer kernels.ForcePath(p)()
			if !kernels.HasDirectConv() {
				t.Fatalf("HasDirectConv() = false with %v forced", p)
			}
			t.Run("MatchesIm2col", TestConvDirectMatchesIm2col)
			t.Run("GradCheck", TestConvDirectGradCheck)
			t.Run("FusedReLUGradCheck", TestConvFusedReLUGradCheck)
		})
	}
}

// BenchmarkConv2dStepAVX2 is BenchmarkConv2dStep with the AVX2 GEMM and
// direct-convolution kernels forced (an AVX2-only CPU, emulated).
func BenchmarkConv2dStepAVX2(b *testing.B) {
	if !kernels.PathAVX2.Available() {
		b.Skip("no AVX2")
	}
	defer kernels.ForcePath(kernels.PathAVX2)()
	BenchmarkConv2dStep(b)
}
