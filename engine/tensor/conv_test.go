package tensor_test

import (
	"errors"
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
