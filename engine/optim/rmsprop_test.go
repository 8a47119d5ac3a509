package optim

import (
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// TestRMSPropAdagradAgainstPyTorch: 10-step trajectories of torch.optim
// RMSprop and Adagrad (bench/pytorch/optim_reference2.py) on the quadratic
// of optim_reference.py.
func TestRMSPropAdagradAgainstPyTorch(t *testing.T) {
	ref := loadRef2(t)
	cases := map[string]func(ps []*tensor.Tensor) Optimizer{
		"rmsprop": func(ps []*tensor.Tensor) Optimizer { return must[*RMSProp](t)(NewRMSProp(ps, 0.01)) },
		"rmsprop_all": func(ps []*tensor.Tensor) Optimizer {
			o := must[*RMSProp](t)(NewRMSProp(ps, 0.05))
			o.Alpha, o.Eps, o.WeightDecay, o.Momentum, o.Centered = 0.9, 1e-6, 0.1, 0.5, true
			return o
		},
		"rmsprop_centered": func(ps []*tensor.Tensor) Optimizer {
			o := must[*RMSProp](t)(NewRMSProp(ps, 0.02))
			o.Centered = true
			return o
		},
		"rmsprop_momentum": func(ps []*tensor.Tensor) Optimizer {
			o := must[*RMSProp](t)(NewRMSProp(ps, 0.02))
			o.Momentum = 0.9
			return o
		},
		"adagrad": func(ps []*tensor.Tensor) Optimizer { return must[*Adagrad](t)(NewAdagrad(ps, 0.1)) },
		"adagrad_all": func(ps []*tensor.Tensor) Optimizer {
			o := must[*Adagrad](t)(NewAdagrad(ps, 0.2))
			o.LRDecay, o.WeightDecay, o.InitialAccumulator, o.Eps = 0.05, 0.1, 0.5, 1e-6
			return o
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			w := tensor.Must(tensor.FromSlice(append([]float32(nil), ref.W0...), 4)).SetRequiresGrad(true)
			compareTrajectory(t, quadratic(t, ref, w, mk([]*tensor.Tensor{w}), 10, nil), ref.Trajectories[name])
		})
	}
}

func TestRMSPropAdagradBadConfig(t *testing.T) {
	w := tensor.Must(tensor.Zeros(3)).SetRequiresGrad(true)
	ps := []*tensor.Tensor{w}
	check := func(name string, err error, want string) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q does not mention %q", name, err, want)
		}
	}
	_, err := NewRMSProp(ps, 0)
	check("rmsprop lr 0", err, "lr 0")
	_, err = NewAdagrad(ps, -0.1)
	check("adagrad lr < 0", err, "lr -0.1")
	_, err = NewRMSProp(nil, 0.1)
	check("rmsprop no params", err, "no parameters")
	r := must[*RMSProp](t)(NewRMSProp(ps, 0.1))
	r.Alpha = 1.5
	check("rmsprop alpha", r.Step(), "alpha 1.5")
	a := must[*Adagrad](t)(NewAdagrad(ps, 0.1))
	a.LRDecay = -1
	check("adagrad lr decay", a.Step(), "lr decay -1")
}

// TestNewOptimizersAllocateNothing: after the first step (which allocates
// the state) RMSProp and Adagrad steps allocate nothing.
func TestNewOptimizersAllocateNothing(t *testing.T) {
	w := tensor.Must(tensor.FromSlice([]float32{1, 2, 3}, 3)).SetRequiresGrad(true)
	_ = tensor.Must(tensor.SumAll(tensor.Must(tensor.Mul(w, w)))).Backward()
	r := must[*RMSProp](t)(NewRMSProp([]*tensor.Tensor{w}, 0.01))
	r.Centered, r.Momentum = true, 0.9
	a := must[*Adagrad](t)(NewAdagrad([]*tensor.Tensor{w}, 0.01))
	for _, o := range []Optimizer{r, a} {
		_ = o.Step()
		if n := testing.AllocsPerRun(allocRuns, func() { _ = o.Step() }); n != 0 {
			t.Errorf("%T: %v allocations per step", o, n)
		}
	}
}
