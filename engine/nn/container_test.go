package nn_test

import (
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func TestStateDictAndTraining(t *testing.T) {
	rng := tensor.NewRNG(1)
	conv, _ := nn.NewConv2d(rng, 1, 2, [2]int{3, 3}, tensor.ConvParams{}, false)
	bn, _ := nn.NewBatchNorm2d(2, true)
	drop, _ := nn.NewDropout(0.5, 1)
	m := &nn.Sequential{Layers: []nn.Module{conv, bn, nn.ReLU{}, &nn.Residual{Fn: drop}}}
	var names []string
	for _, p := range nn.StateDict(m) {
		names = append(names, p.Name)
	}
	want := "0.weight 1.weight 1.bias 1.running_mean 1.running_var 1.num_batches_tracked"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("state dict %q, want %q", got, want)
	}
	if n := len(m.Parameters()); n != 3 {
		t.Errorf("%d parameters, want 3 (buffers are not parameters)", n)
	}
	if !bn.Training || !drop.Training {
		t.Fatal("modules must start in training mode")
	}
	nn.Eval(m)
	if bn.Training || drop.Training {
		t.Error("Eval did not reach the children")
	}
	x := tensor.Must(tensor.Randn(rng, 2, 1, 5, 5))
	y := tensor.Must(m.Forward(x))
	if bn.NumBatchesTracked.Item() != 0 {
		t.Error("eval forward counted a batch")
	}
	nn.Train(m)
	y2 := tensor.Must(m.Forward(x))
	if bn.NumBatchesTracked.Item() != 1 || y2.Numel() != y.Numel() {
		t.Error("train forward did not count a batch")
	}
	if err := nn.Cast(m, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	for _, p := range nn.StateDict(m) {
		if p.Tensor.DType() != tensor.Float64 {
			t.Errorf("%s is %v after Cast", p.Name, p.Tensor.DType())
		}
	}
	if !conv.Weight.RequiresGrad() || bn.RunningMean.RequiresGrad() {
		t.Error("Cast changed requires-grad flags")
	}
}
