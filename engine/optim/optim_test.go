package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Trajectories from torch.optim (PyTorch 1.13.1, float32), produced by
// bench/pytorch/optim_reference.py: loss sum(a·w² + b·w), 5 steps from w0.
var (
	refA  = []float32{1.0, 2.0, 0.5, 3.0}
	refB  = []float32{0.1, -0.3, 0.2, 0.0}
	refW0 = []float32{0.5, -1.0, 2.0, 0.1}
	refW5 = map[string][]float64{
		"sgd":             {0.13022399, -0.0085919891, 1.0990781, 0.001024},
		"sgd_momentum":    {-0.36923096, 0.85867494, -0.26415205, -0.023005994},
		"sgd_nesterov_wd": {-0.10895711, 0.52198178, 0.48458785, -0.034705952},
		"sgd_dampening":   {0.026762467, 0.24515453, 0.85761887, -0.014550043},
		"adam":            {0.0229588, -0.50711119, 1.5026138, -0.010852084},
		"adam_wd":         {0.033439137, -0.51183331, 1.5048015, 0.0078909025},
		"adamw":           {0.010027088, -0.46895435, 1.4151233, -0.0089583397},
	}
)

func newOpt(t *testing.T, name string, w *tensor.Tensor) Optimizer {
	t.Helper()
	ps := []*tensor.Tensor{w}
	must := func(o Optimizer, err error) Optimizer {
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	switch name {
	case "sgd":
		return must(NewSGD(ps, 0.1, 0))
	case "sgd_momentum":
		return must(NewSGD(ps, 0.1, 0.9))
	case "sgd_nesterov_wd":
		o, err := NewSGD(ps, 0.05, 0.9)
		if err != nil {
			t.Fatal(err)
		}
		o.Nesterov, o.WeightDecay = true, 0.01
		return o
	case "sgd_dampening":
		o, err := NewSGD(ps, 0.1, 0.5)
		if err != nil {
			t.Fatal(err)
		}
		o.Dampening = 0.3
		return o
	case "adam":
		return must(NewAdam(ps, 0.1))
	case "adam_wd":
		o, err := NewAdam(ps, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		o.WeightDecay, o.Beta1, o.Beta2, o.Eps = 0.1, 0.8, 0.99, 1e-6
		return o
	case "adamw":
		o, err := NewAdam(ps, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		o.WeightDecay, o.Decoupled = 0.1, true
		return o
	}
	t.Fatalf("unknown case %s", name)
	return nil
}

func TestAgainstPyTorch(t *testing.T) {
	for name, want := range refW5 {
		t.Run(name, func(t *testing.T) {
			w := tensor.Must(tensor.FromSlice(append([]float32(nil), refW0...), 4)).SetRequiresGrad(true)
			a := tensor.Must(tensor.FromSlice(refA, 4))
			b := tensor.Must(tensor.FromSlice(refB, 4))
			opt := newOpt(t, name, w)
			for step := 0; step < 5; step++ {
				opt.ZeroGrad()
				ww := tensor.Must(tensor.Mul(w, w))
				q := tensor.Must(tensor.Mul(a, ww))
				l := tensor.Must(tensor.Mul(b, w))
				loss := tensor.Must(tensor.SumAll(tensor.Must(tensor.Add(q, l))))
				if err := loss.Backward(); err != nil {
					t.Fatal(err)
				}
				if err := opt.Step(); err != nil {
					t.Fatal(err)
				}
			}
			got := w.Data()
			for i := range want {
				if d := math.Abs(float64(got[i]) - want[i]); d > 1e-6+1e-5*math.Abs(want[i]) {
					t.Errorf("w[%d] = %.8g, PyTorch %.8g", i, got[i], want[i])
				}
			}
		})
	}
}

func TestRejectsBadConfig(t *testing.T) {
	w := tensor.Must(tensor.Zeros(3)).SetRequiresGrad(true)
	if _, err := NewSGD(nil, 0.1, 0); err == nil {
		t.Error("SGD without parameters accepted")
	}
	if _, err := NewSGD([]*tensor.Tensor{w}, 0, 0); err == nil {
		t.Error("SGD with lr 0 accepted")
	}
	if _, err := NewSGD([]*tensor.Tensor{w}, 0.1, 1); err == nil {
		t.Error("SGD with momentum 1 accepted")
	}
	if _, err := NewAdam([]*tensor.Tensor{w}, -1); err == nil {
		t.Error("Adam with negative lr accepted")
	}
	w64 := tensor.Must(tensor.FromFloat64s([]float64{1, 2}, 2))
	if _, err := NewAdam([]*tensor.Tensor{w64}, 0.1); err == nil {
		t.Error("Adam over a float64 parameter accepted")
	}
	o, _ := NewSGD([]*tensor.Tensor{w}, 0.1, 0)
	o.Nesterov = true
	if err := o.Step(); err == nil {
		t.Error("Nesterov without momentum accepted")
	}
	a, _ := NewAdam([]*tensor.Tensor{w}, 0.1)
	a.Beta1 = 1
	if err := a.Step(); err == nil {
		t.Error("Adam with beta1 = 1 accepted")
	}
}

func TestSkipsParametersWithoutGradient(t *testing.T) {
	w := tensor.Must(tensor.FromSlice([]float32{1, 2}, 2)).SetRequiresGrad(true)
	o, _ := NewAdam([]*tensor.Tensor{w}, 0.1)
	if err := o.Step(); err != nil {
		t.Fatal(err)
	}
	if d := w.Data(); d[0] != 1 || d[1] != 2 {
		t.Fatalf("a parameter without gradient moved: %v", d)
	}
}

func ExampleAdam() {
	w := tensor.Must(tensor.FromSlice([]float32{3}, 1)).SetRequiresGrad(true)
	opt, _ := NewAdam([]*tensor.Tensor{w}, 0.5)
	for i := 0; i < 100; i++ { // minimise w²
		opt.ZeroGrad()
		loss := tensor.Must(tensor.SumAll(tensor.Must(tensor.Mul(w, w))))
		_ = loss.Backward()
		_ = opt.Step()
	}
	fmt.Printf("%.1f\n", math.Abs(float64(w.Data()[0])))
	// Output: 0.0
}
