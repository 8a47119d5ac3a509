package tensor_test

import (
	"errors"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func TestPoolGradCheck(t *testing.T) {
	runGradCases(t, []opCase{
		{"max_pool2d/2x2", [][]int{{2, 2, 4, 5}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.MaxPool2d(in[0], tensor.PoolParams{Kernel: [2]int{2, 2}})
		}},
		{"max_pool2d/overlap-pad", [][]int{{1, 2, 5, 5}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.MaxPool2d(in[0], tensor.PoolParams{Kernel: [2]int{3, 3}, Stride: [2]int{2, 1}, Padding: [2]int{1, 1}})
		}},
		{"max_pool1d", [][]int{{2, 3, 7}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.MaxPool1d(in[0], tensor.PoolParams{Kernel: [2]int{3}, Stride: [2]int{2}, Padding: [2]int{1}})
		}},
		{"avg_pool2d/pad", [][]int{{2, 2, 5, 4}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.AvgPool2d(in[0], tensor.PoolParams{Kernel: [2]int{3, 2}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}})
		}},
		{"adaptive_avg_pool2d/uneven", [][]int{{2, 2, 5, 7}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.AdaptiveAvgPool2d(in[0], 3, 2)
		}},
		{"adaptive_avg_pool2d/global", [][]int{{2, 3, 4, 4}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.AdaptiveAvgPool2d(in[0], 1, 1)
		}},
	})
}

func TestMaxPoolValues(t *testing.T) {
	x := tensor.Must(tensor.FromSlice([]float32{
		1, 5, 2, 0,
		3, 4, 8, 1,
		0, 9, 6, 7,
		2, 2, 3, 3}, 1, 1, 4, 4)).SetRequiresGrad(true)
	y := tensor.Must(tensor.MaxPool2d(x, tensor.PoolParams{Kernel: [2]int{2, 2}}))
	if got := y.Data(); got[0] != 5 || got[1] != 8 || got[2] != 9 || got[3] != 7 {
		t.Fatalf("max_pool2d = %v", got)
	}
	if err := tensor.Must(y.SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0}
	for i, v := range x.Grad().Data() {
		if v != want[i] {
			t.Fatalf("grad = %v, want %v", x.Grad().Data(), want)
		}
	}
}

func TestPoolShapeErrors(t *testing.T) {
	x := tensor.Must(tensor.Zeros(1, 2, 3, 3))
	for name, f := range map[string]func() (*tensor.Tensor, error){
		"max_pool2d": func() (*tensor.Tensor, error) {
			return tensor.MaxPool2d(x, tensor.PoolParams{Kernel: [2]int{4, 4}})
		},
		"avg_pool2d": func() (*tensor.Tensor, error) {
			return tensor.AvgPool2d(tensor.Must(tensor.Zeros(2, 3)), tensor.PoolParams{Kernel: [2]int{2, 2}})
		},
		"max_pool1d": func() (*tensor.Tensor, error) {
			return tensor.MaxPool1d(x, tensor.PoolParams{Kernel: [2]int{2}})
		},
		"adaptive_avg_pool2d": func() (*tensor.Tensor, error) { return tensor.AdaptiveAvgPool2d(x, 0, 1) },
	} {
		_, err := f()
		var se *tensor.ShapeError
		if !errors.As(err, &se) || se.Op != name {
			t.Errorf("%s: got %v, want a *ShapeError of op %s", name, err, name)
		}
	}
}
