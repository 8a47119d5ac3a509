package optim

import (
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func TestAdagradState(t *testing.T) {
	cases := map[string]func(o *Adagrad){
		"plain":       func(o *Adagrad) {},
		"initial_acc": func(o *Adagrad) { o.InitialAccumulator = 0.5 },
		"lr_decay":    func(o *Adagrad) { o.LRDecay = 0.05 },
		"all": func(o *Adagrad) {
			o.LRDecay, o.WeightDecay, o.InitialAccumulator, o.Eps = 0.05, 0.1, 0.5, 1e-6
		},
	}
	for name, set := range cases {
		t.Run(name, func(t *testing.T) {
			checkResume(t, func(ps []*tensor.Tensor) Stateful {
				o := must[*Adagrad](t)(NewAdagrad(ps, 0.2))
				set(o)
				return o
			})
		})
	}
	// Per-parameter step counts: parameter 1 has a gradient from step 2 on.
	ps := stateParams()
	o := must[*Adagrad](t)(NewAdagrad(ps, 0.2))
	o.InitialAccumulator, o.LRDecay = 0.5, 0.05
	for s := range 4 {
		stateStep(t, o, ps, s, 2)
	}
	st := o.State()
	if st.Kind != "Adagrad" || st.Steps != 4 || st.Hyper["initial_accumulator_value"] != 0.5 || st.Hyper["lr_decay"] != float64(float32(0.05)) {
		t.Errorf("state %+v", st)
	}
	if s0, s1 := st.Buffers["step.0"], st.Buffers["step.1"]; len(s0) != 1 || s0[0] != 4 || len(s1) != 1 || s1[0] != 2 {
		t.Errorf("step buffers %v, %v, want [4] and [2]", s0, s1)
	}
	fresh := must[*Adagrad](t)(NewAdagrad(stateParams(), 0.2))
	for _, c := range []struct {
		edit func(s State)
		want string
	}{
		{func(s State) { s.Buffers["step.1"] = []float32{1.5} }, "step.1"},
		{func(s State) { s.Buffers["step.1"] = []float32{-1} }, "step.1"},
		{func(s State) { s.Buffers["step.7"] = []float32{1} }, "step.7"},
		{func(s State) { delete(s.Buffers, "step.0") }, "parameter 0"},
		{func(s State) { s.Buffers["sum.1"] = s.Buffers["sum.1"][:1] }, "sum.1"},
		{func(s State) { s.Buffers["bogus.0"] = []float32{1} }, "bogus.0"},
	} {
		bad := o.State()
		c.edit(bad)
		if err := fresh.LoadState(bad); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("edited state (want an error naming %s): %v", c.want, err)
		}
	}
	if fresh.State().Steps != 0 || len(fresh.State().Buffers) != 0 {
		t.Error("a failed LoadState changed the optimizer")
	}
}
