package optim

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func must[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// schedulesUnderTest builds the kaiwu schedule of each fixture sequence
// (base rate 0.1, as the fixture's SGD).
func schedulesUnderTest(t *testing.T) map[string]Schedule {
	m := must[Schedule](t)
	oc := DefaultOneCycleOptions()
	oc3 := OneCycleOptions{PctStart: 0.25, DivFactor: 10, FinalDivFactor: 100, ThreePhase: true, Linear: true,
		CycleMomentum: true, BaseMomentum: 0.8, MaxMomentum: 0.9}
	warm := m(NewLinearLR(0.1, 0.01, 1, 5))
	cos := m(NewCosineAnnealingLR(0.1, 25, 0))
	return map[string]Schedule{
		"step":                        m(NewStepLR(0.1, 7, 0.5)),
		"exponential":                 m(NewExponentialLR(0.1, 0.9)),
		"cosine":                      m(NewCosineAnnealingLR(0.1, 10, 0.001)),
		"linear":                      m(NewLinearLR(0.1, 0.1, 1, 5)),
		"linear_decay":                m(NewLinearLR(0.1, 1, 0.2, 20)),
		"warmup_cosine":               m(NewSequential([]Schedule{warm, cos}, []int{5})),
		"onecycle":                    m(NewOneCycleLR(0.5, 30, oc)),
		"onecycle_three_phase_linear": m(NewOneCycleLR(0.5, 30, oc3)),
	}
}

func closeTo(got, want, atol, rtol float64) bool {
	return math.Abs(got-want) <= atol+rtol*math.Abs(want)
}

// TestSchedulesAgainstPyTorch: the learning rate (and OneCycle's momentum)
// of every step, through a Scheduler on an SGD optimizer, equals torch's
// get_last_lr() sequence.
func TestSchedulesAgainstPyTorch(t *testing.T) {
	ref := loadRef2(t)
	for name, s := range schedulesUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			want := ref.Schedules[name]
			if len(want.LR) == 0 {
				t.Fatal("no reference")
			}
			w := tensor.Must(tensor.Zeros(1)).SetRequiresGrad(true)
			opt := must[*SGD](t)(NewSGD([]*tensor.Tensor{w}, 0.1, 0.9))
			sc := must[*Scheduler](t)(NewScheduler(opt, s))
			for step, lr := range want.LR {
				if step > 0 {
					if err := sc.Step(); err != nil {
						t.Fatal(err)
					}
				}
				if !closeTo(sc.LastLR(), lr, 1e-12, 1e-9) || !closeTo(float64(opt.LR), lr, 1e-12, 1e-6) {
					t.Errorf("step %d: lr %.12g (optimizer %g), torch %.12g", step, sc.LastLR(), opt.LR, lr)
				}
				if m := float64(opt.Momentum); !closeTo(m, want.Momentum[step], 1e-7, 1e-6) {
					t.Errorf("step %d: momentum %g, torch %g", step, m, want.Momentum[step])
				}
			}
		})
	}
}

func TestReduceLROnPlateauAgainstPyTorch(t *testing.T) {
	ref := loadRef2(t)
	custom := DefaultPlateauOptions()
	custom.Factor, custom.Patience, custom.Threshold, custom.Cooldown, custom.MinLR = 0.5, 2, 0.01, 1, 0.004
	maxAbs := DefaultPlateauOptions()
	maxAbs.Max, maxAbs.Factor, maxAbs.Patience, maxAbs.Threshold, maxAbs.AbsThreshold = true, 0.2, 1, 0.02, true
	for name, o := range map[string]PlateauOptions{
		"plateau": custom, "plateau_default": DefaultPlateauOptions(), "plateau_max_abs": maxAbs,
	} {
		t.Run(name, func(t *testing.T) {
			want := ref.Schedules[name]
			w := tensor.Must(tensor.Zeros(1)).SetRequiresGrad(true)
			opt := must[*SGD](t)(NewSGD([]*tensor.Tensor{w}, 0.1, 0.9))
			r := must[*ReduceLROnPlateau](t)(NewReduceLROnPlateau(opt, o))
			for i, m := range want.Metrics {
				if err := r.Step(m); err != nil {
					t.Fatal(err)
				}
				// the rate starts from the optimizer's float32 0.1
				if lr := want.LR[i+1]; !closeTo(r.LR(), lr, 1e-12, 1e-6) || !closeTo(float64(opt.LR), lr, 1e-12, 1e-6) {
					t.Errorf("after metric %d (%g): lr %g (optimizer %g), torch %g", i, m, r.LR(), opt.LR, lr)
				}
			}
		})
	}
}

// quadratic runs steps of opt on sum(a·w² + b·w) (the loss of
// optim_reference*.py), calling after() after each optimizer step, and
// returns w after each step.
func quadratic(t *testing.T, ref *ref2, w *tensor.Tensor, opt Optimizer, steps int, after func() error) [][]float32 {
	t.Helper()
	a := tensor.Must(tensor.FromSlice(ref.A, 4))
	b := tensor.Must(tensor.FromSlice(ref.B, 4))
	var ws [][]float32
	for s := 0; s < steps; s++ {
		opt.ZeroGrad()
		ww := tensor.Must(tensor.Mul(w, w))
		loss := tensor.Must(tensor.SumAll(tensor.Must(tensor.Add(tensor.Must(tensor.Mul(a, ww)), tensor.Must(tensor.Mul(b, w))))))
		if err := loss.Backward(); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
		if after != nil {
			if err := after(); err != nil {
				t.Fatal(err)
			}
		}
		ws = append(ws, append([]float32(nil), w.Data()...))
	}
	return ws
}

func compareTrajectory(t *testing.T, got [][]float32, want [][]float64) {
	t.Helper()
	if len(want) == 0 || len(got) != len(want) {
		t.Fatalf("%d steps, torch %d", len(got), len(want))
	}
	for s := range want {
		for i := range want[s] {
			if g := float64(got[s][i]); !closeTo(g, want[s][i], 1e-6, 1e-5) {
				t.Errorf("step %d: w[%d] = %.8g, torch %.8g", s+1, i, g, want[s][i])
			}
		}
	}
}

// TestScheduledTrajectoriesAgainstPyTorch: optimizers driven by a
// Scheduler (OneCycle also cycling SGD's momentum, Adam's β1 and RMSProp's
// momentum) follow torch's parameter trajectories.
func TestScheduledTrajectoriesAgainstPyTorch(t *testing.T) {
	ref := loadRef2(t)
	type mk func(ps []*tensor.Tensor) (Optimizer, Schedule)
	oc := DefaultOneCycleOptions()
	oc3 := DefaultOneCycleOptions()
	oc3.ThreePhase = true
	cases := map[string]mk{
		"sgd_onecycle": func(ps []*tensor.Tensor) (Optimizer, Schedule) {
			return must[*SGD](t)(NewSGD(ps, 0.1, 0.9)), must[*OneCycleLR](t)(NewOneCycleLR(0.2, 10, oc))
		},
		"adam_cosine": func(ps []*tensor.Tensor) (Optimizer, Schedule) {
			return must[*Adam](t)(NewAdam(ps, 0.1)), must[*CosineAnnealingLR](t)(NewCosineAnnealingLR(0.1, 10, 0))
		},
		"adam_onecycle": func(ps []*tensor.Tensor) (Optimizer, Schedule) {
			return must[*Adam](t)(NewAdam(ps, 0.1)), must[*OneCycleLR](t)(NewOneCycleLR(0.3, 10, oc))
		},
		"rmsprop_onecycle": func(ps []*tensor.Tensor) (Optimizer, Schedule) {
			return must[*RMSProp](t)(NewRMSProp(ps, 0.01)), must[*OneCycleLR](t)(NewOneCycleLR(0.05, 10, oc3))
		},
		"adagrad_step": func(ps []*tensor.Tensor) (Optimizer, Schedule) {
			return must[*Adagrad](t)(NewAdagrad(ps, 0.3)), must[*StepLR](t)(NewStepLR(0.3, 3, 0.5))
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			w := tensor.Must(tensor.FromSlice(append([]float32(nil), ref.W0...), 4)).SetRequiresGrad(true)
			opt, s := f([]*tensor.Tensor{w})
			sc := must[*Scheduler](t)(NewScheduler(opt.(LRSetter), s))
			compareTrajectory(t, quadratic(t, ref, w, opt, 10, sc.Step), ref.Trajectories[name])
		})
	}
}

func TestScheduleBadConfig(t *testing.T) {
	w := tensor.Must(tensor.Zeros(1)).SetRequiresGrad(true)
	ada := must[*Adagrad](t)(NewAdagrad([]*tensor.Tensor{w}, 0.1))
	cos := must[*CosineAnnealingLR](t)(NewCosineAnnealingLR(0.1, 10, 0))
	errs := []struct {
		name string
		err  error
		want string
	}{}
	add := func(name, want string, err error) {
		errs = append(errs, struct {
			name string
			err  error
			want string
		}{name, err, want})
	}
	_, err := NewStepLR(0.1, 0, 0.5)
	add("step size 0", "step size 0", err)
	_, err = NewStepLR(-1, 3, 0.5)
	add("negative base", "base learning rate -1", err)
	_, err = NewExponentialLR(0.1, 0)
	add("gamma 0", "gamma 0", err)
	_, err = NewCosineAnnealingLR(0.1, 0, 0)
	add("T_max 0", "T_max 0", err)
	_, err = NewLinearLR(0.1, 0, 1, 5)
	add("start factor 0", "start factor 0", err)
	_, err = NewLinearWarmup(0.1, 0)
	add("warmup 0", "0 steps", err)
	_, err = NewSequential([]Schedule{cos, cos}, nil)
	add("milestones", "need 1 milestones", err)
	_, err = NewSequential([]Schedule{cos, cos, cos}, []int{5, 5})
	add("milestones order", "increasing", err)
	_, err = NewWarmupCosine(0.1, 10, 10, 0)
	add("warmup >= total", "below total", err)
	_, err = NewOneCycleLR(0.1, 0, DefaultOneCycleOptions())
	add("onecycle steps", "total steps 0", err)
	_, err = NewOneCycleLR(0.1, 10, OneCycleOptions{})
	add("onecycle zero options", "div_factor 0", err)
	_, err = NewScheduler(ada, must[*OneCycleLR](t)(NewOneCycleLR(0.1, 10, DefaultOneCycleOptions())))
	add("onecycle on adagrad", "cycles momentum", err)
	bad := DefaultPlateauOptions()
	bad.Factor = 1
	_, err = NewReduceLROnPlateau(ada, bad)
	add("plateau factor", "factor 1", err)
	bad = DefaultPlateauOptions()
	bad.Patience = -1
	_, err = NewReduceLROnPlateau(ada, bad)
	add("plateau patience", "patience -1", err)
	r := must[*ReduceLROnPlateau](t)(NewReduceLROnPlateau(ada, DefaultPlateauOptions()))
	add("plateau NaN", "NaN", r.Step(math.NaN()))
	oc := must[*Scheduler](t)(NewScheduler(ada, must[*OneCycleLR](t)(NewOneCycleLR(0.1, 2, OneCycleOptions{PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4}))))
	_, _ = oc.Step(), oc.Step()
	add("onecycle past the end", "stepped 3 times", oc.Step())
	for _, e := range errs {
		if e.err == nil {
			t.Errorf("%s: no error", e.name)
		} else if !strings.Contains(e.err.Error(), e.want) {
			t.Errorf("%s: error %q does not mention %q", e.name, e.err, e.want)
		}
	}
}

// ExampleNewWarmupCosine drives AdamW with linear warmup then cosine
// decay, the usual transformer recipe.
func ExampleNewWarmupCosine() {
	w := tensor.Must(tensor.Zeros(4)).SetRequiresGrad(true)
	opt, _ := NewAdam([]*tensor.Tensor{w}, 1e-3)
	opt.Decoupled, opt.WeightDecay = true, 0.01
	sched, _ := NewWarmupCosine(1e-3, 4, 12, 0)
	sc, _ := NewScheduler(opt, sched)
	for step := 0; step < 12; step++ {
		// forward, backward, opt.Step() ...
		if step%2 == 0 {
			fmt.Printf("step %2d lr %.6f\n", step, sc.LastLR())
		}
		_ = sc.Step()
	}
	// Output:
	// step  0 lr 0.000250
	// step  2 lr 0.000625
	// step  4 lr 0.001000
	// step  6 lr 0.000854
	// step  8 lr 0.000500
	// step 10 lr 0.000146
}

// ExampleReduceLROnPlateau halves the learning rate when the validation
// loss has not improved for two epochs.
func ExampleReduceLROnPlateau() {
	w := tensor.Must(tensor.Zeros(1)).SetRequiresGrad(true)
	opt, _ := NewSGD([]*tensor.Tensor{w}, 0.1, 0.9)
	o := DefaultPlateauOptions()
	o.Factor, o.Patience = 0.5, 2
	plateau, _ := NewReduceLROnPlateau(opt, o)
	for epoch, val := range []float64{1.0, 0.8, 0.81, 0.8, 0.82, 0.7, 0.71, 0.72, 0.73} {
		_ = plateau.Step(val)
		fmt.Printf("epoch %d val %.2f lr %.3f\n", epoch, val, opt.LR)
	}
	// Output:
	// epoch 0 val 1.00 lr 0.100
	// epoch 1 val 0.80 lr 0.100
	// epoch 2 val 0.81 lr 0.100
	// epoch 3 val 0.80 lr 0.100
	// epoch 4 val 0.82 lr 0.050
	// epoch 5 val 0.70 lr 0.050
	// epoch 6 val 0.71 lr 0.050
	// epoch 7 val 0.72 lr 0.050
	// epoch 8 val 0.73 lr 0.025
}
