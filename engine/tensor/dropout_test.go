package tensor_test

import (
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func TestDropoutGradCheck(t *testing.T) {
	runGradCases(t, []opCase{
		{"dropout/p0.3", [][]int{{4, 5}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			return tensor.Dropout(in[0], 0.3, tensor.NewRNG(7)) // reseeded: same mask every call
		}},
	})
}

func TestDropoutStatistics(t *testing.T) {
	x := tensor.Must(tensor.Ones(100000))
	y := tensor.Must(tensor.Dropout(x, 0.25, tensor.NewRNG(1)))
	zeros, sum := 0, 0.0
	for _, v := range y.Data() {
		if v == 0 {
			zeros++
		} else if math.Abs(float64(v)-4.0/3) > 1e-6 {
			t.Fatalf("survivor %v, want 1/(1-p) = 4/3", v)
		}
		sum += float64(v)
	}
	if f := float64(zeros) / 1e5; math.Abs(f-0.25) > 0.01 {
		t.Errorf("dropped fraction %v, want 0.25", f)
	}
	if m := sum / 1e5; math.Abs(m-1) > 0.02 {
		t.Errorf("mean %v, want 1 (inverted scaling)", m)
	}
	if y0, _ := tensor.Dropout(x, 0, tensor.NewRNG(1)); y0 != x {
		t.Errorf("p=0 is not the identity")
	}
	if _, err := tensor.Dropout(x, 1.5, tensor.NewRNG(1)); err == nil {
		t.Errorf("p=1.5: no error")
	}
}
