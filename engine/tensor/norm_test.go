package tensor_test

import (
	"errors"
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func bnCase(name string, x []int, training, affine bool) opCase {
	c := x[1]
	shapes := [][]int{x}
	if affine {
		shapes = append(shapes, []int{c}, []int{c})
	}
	return opCase{name, shapes, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
		rm := tensor.Must(tensor.FullOf(tensor.Float64, 0.1, c))
		rv := tensor.Must(tensor.FullOf(tensor.Float64, 1.5, c))
		var w, b *tensor.Tensor
		if affine {
			w, b = in[1], in[2]
		}
		return tensor.BatchNorm(in[0], rm, rv, w, b, training, 0.1, 1e-5)
	}}
}

func TestNormGradCheck(t *testing.T) {
	runGradCases(t, []opCase{
		bnCase("batch_norm/1d-train", []int{4, 3}, true, true),
		bnCase("batch_norm/1d-seq-train", []int{3, 2, 4}, true, true),
		bnCase("batch_norm/2d-train", []int{2, 3, 2, 3}, true, true),
		bnCase("batch_norm/2d-train-no-affine", []int{2, 2, 2, 2}, true, false),
		bnCase("batch_norm/2d-eval", []int{2, 3, 2, 2}, false, true),
		{"layer_norm/last", [][]int{{3, 5}, {5}, {5}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.LayerNorm(in[0], []int{5}, in[1], in[2], 1e-5)
		}},
		{"layer_norm/last2-no-affine", [][]int{{2, 3, 4}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.LayerNorm(in[0], []int{3, 4}, nil, nil, 1e-5)
		}},
		{"rms_norm", [][]int{{3, 5}, {5}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.RMSNorm(in[0], []int{5}, in[1], 1e-6)
		}},
		{"rms_norm/no-weight-transposed", [][]int{{4, 3}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.RMSNorm(tensor.Must(in[0].T()), []int{4}, nil, 1e-6)
		}},
	})
}

func TestBatchNormRunningStats(t *testing.T) {
	x := tensor.Must(tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 3, 2))
	rm := tensor.Must(tensor.Zeros(2))
	rv := tensor.Must(tensor.Ones(2))
	y := tensor.Must(tensor.BatchNorm(x, rm, rv, nil, nil, true, 0.1, 0))
	// channel 0: 1,3,5 → mean 3, biased var 8/3, unbiased 4
	if got := rm.Data(); math.Abs(float64(got[0])-0.3) > 1e-6 || math.Abs(float64(got[1])-0.4) > 1e-6 {
		t.Errorf("running_mean = %v, want [0.3 0.4]", got)
	}
	if got := rv.Data(); math.Abs(float64(got[0])-1.3) > 1e-6 {
		t.Errorf("running_var = %v, want [1.3 1.3]", got)
	}
	if got := y.At(0, 0); math.Abs(got+2/math.Sqrt(8.0/3)) > 1e-6 {
		t.Errorf("y[0,0] = %v", got)
	}
	ye := tensor.Must(tensor.BatchNorm(x, rm, rv, nil, nil, false, 0.1, 0))
	if got := ye.At(0, 0); math.Abs(got-(1-0.3)/math.Sqrt(1.3)) > 1e-6 {
		t.Errorf("eval y[0,0] = %v", got)
	}
}

func TestNormErrors(t *testing.T) {
	x := tensor.Must(tensor.Zeros(2, 3, 4))
	var se *tensor.ShapeError
	if _, err := tensor.LayerNorm(x, []int{3}, nil, nil, 1e-5); !errors.As(err, &se) || se.Op != "layer_norm" {
		t.Errorf("layer_norm: %v", err)
	}
	if _, err := tensor.RMSNorm(x, []int{4}, tensor.Must(tensor.Zeros(3)), 1e-5); !errors.As(err, &se) || se.Op != "rms_norm" {
		t.Errorf("rms_norm: %v", err)
	}
	if _, err := tensor.BatchNorm(x, nil, nil, tensor.Must(tensor.Zeros(4)), nil, true, 0.1, 1e-5); !errors.As(err, &se) || se.Op != "batch_norm" {
		t.Errorf("batch_norm: %v", err)
	}
	if _, err := tensor.BatchNorm(tensor.Must(tensor.Zeros(1, 3)), nil, nil, nil, nil, true, 0.1, 1e-5); !errors.As(err, &se) {
		t.Errorf("batch_norm with one value per channel: %v", err)
	}
	if _, err := tensor.BatchNorm(x, nil, nil, nil, nil, false, 0.1, 1e-5); err == nil {
		t.Errorf("batch_norm eval without running stats: no error")
	}
}

// TestLayerNormFloat32 checks the float32 LayerNorm (rows split across
// threads, chunked weight/bias gradient sums) against the float64 path,
// with and without the affine parameters, and that 1 and 2 threads give
// the same bits.
func TestLayerNormFloat32(t *testing.T) {
	const rows = 700 // not a multiple of the chunk; big enough to split
	prev := kernels.Threads()
	defer kernels.SetThreads(prev)
	// 96: whole 16-lane vectors; 100: a scalar tail after them
	for _, c := range []struct {
		d      int
		affine bool
	}{{96, true}, {96, false}, {100, true}} {
		d, affine := c.d, c.affine
		rng := tensor.NewRNG(7)
		x64 := tensor.Must(tensor.Randn(rng, rows, d))
		w64 := tensor.Must(tensor.Randn(rng, d))
		b64 := tensor.Must(tensor.Randn(rng, d))
		g64 := tensor.Must(tensor.Randn(rng, rows, d))
		run := func(dt tensor.DType, threads int) [][]float64 {
			kernels.SetThreads(threads)
			x := tensor.Must(x64.To(dt)).Detach().SetRequiresGrad(true)
			var w, b *tensor.Tensor
			if affine {
				w = tensor.Must(w64.To(dt)).Detach().SetRequiresGrad(true)
				b = tensor.Must(b64.To(dt)).Detach().SetRequiresGrad(true)
			}
			// through a view, so that x's gradient starts fresh inside
			// the graph (the unzeroed path)
			xv := tensor.Must(x.Reshape(rows, d))
			y, err := tensor.LayerNorm(xv, []int{d}, w, b, 1e-5)
			if err != nil {
				t.Fatal(err)
			}
			if err := y.BackwardWithGrad(tensor.Must(g64.To(dt))); err != nil {
				t.Fatal(err)
			}
			out := [][]float64{y.Float64s(), x.Grad().Float64s()}
			if affine {
				out = append(out, w.Grad().Float64s(), b.Grad().Float64s())
			}
			return out
		}
		want := run(tensor.Float64, 1)
		one, two := run(tensor.Float32, 1), run(tensor.Float32, 2)
		for k := range want {
			for i := range want[k] {
				if diff := math.Abs(one[k][i] - want[k][i]); diff > 1e-4+1e-4*math.Abs(want[k][i]) {
					t.Fatalf("d=%d affine=%v, output %d [%d]: float32 %g, float64 %g", d, affine, k, i, one[k][i], want[k][i])
				}
				if one[k][i] != two[k][i] {
					t.Fatalf("d=%d affine=%v, output %d [%d]: 1 thread %g, 2 threads %g", d, affine, k, i, one[k][i], two[k][i])
				}
			}
		}
	}
}

// BenchmarkLayerNorm32 times a float32 LayerNorm forward and backward on
// GPT-mini's shape (16×128 rows of 256).
func BenchmarkLayerNorm32(b *testing.B) {
	const rows, d = 2048, 256
	rng := tensor.NewRNG(1)
	x := tensor.Must(tensor.Must(tensor.Randn(rng, rows, d)).To(tensor.Float32)).SetRequiresGrad(true)
	w := tensor.Must(tensor.Must(tensor.Randn(rng, d)).To(tensor.Float32)).SetRequiresGrad(true)
	bias := tensor.Must(tensor.Must(tensor.Randn(rng, d)).To(tensor.Float32)).SetRequiresGrad(true)
	g := tensor.Must(tensor.Must(tensor.Randn(rng, rows, d)).To(tensor.Float32))
	for b.Loop() {
		y, err := tensor.LayerNorm(x, []int{d}, w, bias, 1e-5)
		if err != nil {
			b.Fatal(err)
		}
		if err := y.BackwardWithGrad(g); err != nil {
			b.Fatal(err)
		}
	}
}
