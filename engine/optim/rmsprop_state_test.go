package optim

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// stateParams returns two parameters; the second gets a gradient only
// from step skip on, so that per-parameter state differs between them.
func stateParams() []*tensor.Tensor {
	return []*tensor.Tensor{
		tensor.Must(tensor.FromSlice([]float32{1, -2, 3, 0.5}, 4)).SetRequiresGrad(true),
		tensor.Must(tensor.FromSlice([]float32{0.3, -0.7}, 2)).SetRequiresGrad(true),
	}
}

// stateStep runs one step of loss Σ w₀³ (+ Σ w₁² once step ≥ skip).
func stateStep(t *testing.T, o Optimizer, ps []*tensor.Tensor, step, skip int) {
	t.Helper()
	o.ZeroGrad()
	l := tensor.Must(tensor.SumAll(tensor.Must(ps[0].PowScalar(3))))
	if step >= skip {
		l = tensor.Must(tensor.Add(l, tensor.Must(tensor.SumAll(tensor.Must(ps[1].PowScalar(2))))))
	}
	if err := l.Backward(); err != nil {
		t.Fatal(err)
	}
	if err := o.Step(); err != nil {
		t.Fatal(err)
	}
}

// checkResume runs steps 0..2 on a, moves its state (through JSON for
// the hyperparameters, as a checkpoint carries them) into b, a fresh
// optimizer over copies of the weights, and runs steps 3..6 on both:
// the weights must stay bit-identical.
func checkResume(t *testing.T, mk func([]*tensor.Tensor) Stateful) {
	t.Helper()
	const skip = 2
	pa, pb := stateParams(), stateParams()
	a, b := mk(pa), mk(pb)
	for s := range 3 {
		stateStep(t, a, pa, s, skip)
	}
	st := a.State()
	js, err := json.Marshal(st.Hyper)
	if err != nil {
		t.Fatal(err)
	}
	st.Hyper = nil
	if err := json.Unmarshal(js, &st.Hyper); err != nil {
		t.Fatal(err)
	}
	for i := range pa {
		copy(pb[i].Data(), pa[i].Data())
	}
	if err := b.LoadState(st); err != nil {
		t.Fatal(err)
	}
	for s := 3; s < 7; s++ {
		stateStep(t, a, pa, s, skip)
		stateStep(t, b, pb, s, skip)
	}
	for i := range pa {
		for j, v := range pa[i].Data() {
			if w := pb[i].Data()[j]; math.Float32bits(v) != math.Float32bits(w) {
				t.Fatalf("parameter %d[%d]: %g continuing vs %g restored", i, j, v, w)
			}
		}
	}
	if sa, sb := a.State(), b.State(); sa.Steps != sb.Steps || sa.Steps != 7 {
		t.Errorf("steps: %d continuing, %d restored, want 7", sa.Steps, sb.Steps)
	}
}

func TestRMSPropState(t *testing.T) {
	cases := map[string]func(o *RMSProp){
		"plain":    func(o *RMSProp) {},
		"centered": func(o *RMSProp) { o.Centered = true },
		"momentum": func(o *RMSProp) { o.Momentum = 0.9 },
		"all": func(o *RMSProp) {
			o.Alpha, o.Eps, o.WeightDecay, o.Momentum, o.Centered = 0.9, 1e-6, 0.1, 0.5, true
		},
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			checkResume(t, func(ps []*tensor.Tensor) Stateful {
				o := must[*RMSProp](t)(NewRMSProp(ps, 0.02))
				set(o)
				return o
			})
		})
	}
	// The state carries the hyperparameters and only the buffers in use.
	ps := stateParams()
	o := must[*RMSProp](t)(NewRMSProp(ps, 0.02))
	o.Centered, o.Alpha = true, 0.9
	stateStep(t, o, ps, 0, 1)
	st := o.State()
	if st.Kind != "RMSprop" || st.Hyper["centered"] != 1 || st.Hyper["alpha"] != float64(float32(0.9)) || st.Steps != 1 {
		t.Errorf("state %+v", st)
	}
	if len(st.Buffers) != 2 || st.Buffers["square_avg.0"] == nil || st.Buffers["grad_avg.0"] == nil {
		t.Errorf("buffers %v, want square_avg.0 and grad_avg.0", st.Buffers)
	}
	fresh := must[*RMSProp](t)(NewRMSProp(stateParams(), 0.02))
	bad := o.State()
	bad.Buffers["square_avg.0"] = bad.Buffers["square_avg.0"][:2]
	if err := fresh.LoadState(bad); err == nil || !strings.Contains(err.Error(), "square_avg.0") {
		t.Errorf("short buffer: %v", err)
	}
	bad = o.State()
	delete(bad.Buffers, "square_avg.0")
	if err := fresh.LoadState(bad); err == nil || !strings.Contains(err.Error(), "parameter 0") {
		t.Errorf("grad_avg without square_avg: %v", err)
	}
	bad = o.State()
	bad.Kind = "Adam"
	if err := fresh.LoadState(bad); err == nil || !strings.Contains(err.Error(), "Adam") {
		t.Errorf("foreign state: %v", err)
	}
	if fresh.State().Steps != 0 || len(fresh.State().Buffers) != 0 {
		t.Error("a failed LoadState changed the optimizer")
	}
}
