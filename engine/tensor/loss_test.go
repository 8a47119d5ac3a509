package tensor

import (
	"errors"
	"math"
	"testing"
)

// Gradient checks of the fused loss ops on layouts the PyTorch fixtures of
// engine/loss do not cover: strided (transposed) inputs and targets,
// broadcast pos_weight, K-dim class losses with weights and ignored
// positions, every reduction.
func TestLossGradcheck(t *testing.T) {
	rng := NewRNG(7)
	probs := func(shape ...int) *Tensor { // values in (0.05, 0.95)
		x := randT(rng, false, shape...)
		for i, v := range x.f64 {
			x.f64[i] = 0.05 + 0.9*sigmoid(v)
		}
		return x
	}
	tr := func(x *Tensor) *Tensor { return Must(x.Transpose(0, 1)) }
	reds := []Reduction{ReduceMean, ReduceSum, ReduceNone, ReduceBatchMean}
	for _, red := range reds {
		for _, kind := range []LossKind{LossSquared, LossAbs, LossHuber, LossSmoothL1, LossBCE, LossBCEWithLogits, LossKLDiv, LossKLDivLogTarget} {
			t.Run(kind.String()+"/"+red.String(), func(t *testing.T) {
				x, y := randT(rng, false, 4, 3), randT(rng, false, 3, 4)
				param := 0.8
				switch kind {
				case LossBCE:
					x, y = probs(4, 3), probs(3, 4)
				case LossBCEWithLogits:
					y = probs(3, 4)
				case LossKLDiv:
					y = probs(3, 4)
				}
				// the input is read through a transposed view
				gradcheck(t, func(in []*Tensor) (*Tensor, error) {
					return PointwiseLoss(kind, tr(in[0]), in[1], nil, param, red)
				}, x, y)
			})
		}
		t.Run("bce_with_logits/pos_weight/"+red.String(), func(t *testing.T) {
			x, y, pw := randT(rng, false, 2, 3, 4), probs(3, 2, 4), randT(rng, true, 3, 1)
			gradcheck(t, func(in []*Tensor) (*Tensor, error) {
				return PointwiseLoss(LossBCEWithLogits, in[0], Must(in[1].Transpose(0, 1)), in[2], 0, red)
			}, x, y, pw)
		})
	}
	for _, red := range reds[:3] {
		w := randT(rng, true, 3)
		for _, o := range []ClassLossOptions{
			{Reduction: red},
			{Reduction: red, Weight: w, LabelSmoothing: 0.3},
			{Reduction: red, Weight: w, Ignore: true, IgnoreIndex: 1, LabelSmoothing: 0.1},
		} {
			t.Run("cross_entropy/"+red.String(), func(t *testing.T) {
				// [N=2, C=3, d=4] read through a permuted view
				x := randT(rng, false, 2, 4, 3)
				tg := []int{0, 1, 2, 1, 2, 2, 0, 1}
				gradcheck(t, func(in []*Tensor) (*Tensor, error) {
					return CrossEntropyWith(Must(in[0].Permute(0, 2, 1)), tg, o)
				}, x)
			})
			if o.LabelSmoothing == 0 || o.Ignore {
				o.LabelSmoothing = 0
				t.Run("nll/"+red.String(), func(t *testing.T) {
					x := randT(rng, false, 5, 3)
					gradcheck(t, func(in []*Tensor) (*Tensor, error) {
						return NLL(in[0], []int{0, 1, 2, 1, 2}, o)
					}, x)
				})
			}
		}
	}
}

// TestCrossEntropyWithMatchesCrossEntropy: without options the fused op is
// the existing CrossEntropy, value and gradient.
func TestCrossEntropyWithMatchesCrossEntropy(t *testing.T) {
	rng := NewRNG(11)
	x1 := randT(rng, false, 4, 6).SetRequiresGrad(true)
	x2 := Must(x1.Clone()).Detach().SetRequiresGrad(true)
	tg := []int{5, 0, 3, 3}
	a := Must(CrossEntropy(x1, tg))
	b := Must(CrossEntropyWith(x2, tg, ClassLossOptions{}))
	if math.Abs(a.Item()-b.Item()) > 1e-12 {
		t.Fatalf("CrossEntropyWith %g, CrossEntropy %g", b.Item(), a.Item())
	}
	_ = a.Backward()
	_ = b.Backward()
	for i, v := range x1.Grad().Float64s() {
		if w := x2.Grad().Float64s()[i]; math.Abs(v-w) > 1e-12 {
			t.Errorf("grad[%d] %g vs %g", i, w, v)
		}
	}
}

// TestClassLossComposed: the fused NLL of a LogSoftmax equals the fused
// cross-entropy, and the per-position losses sum to the sum reduction.
func TestClassLossComposed(t *testing.T) {
	rng := NewRNG(5)
	x := randT(rng, false, 3, 4, 2)
	tg := []int{0, 3, 1, -100, 2, 2}
	w := randT(rng, true, 4)
	o := ClassLossOptions{Weight: w, Ignore: true, IgnoreIndex: -100}
	ce := Must(CrossEntropyWith(x, tg, o))
	nll := Must(NLL(Must(x.LogSoftmax(1)), tg, o))
	if math.Abs(ce.Item()-nll.Item()) > 1e-12 {
		t.Errorf("cross_entropy %g, nll(log_softmax) %g", ce.Item(), nll.Item())
	}
	o.Reduction = ReduceNone
	each := Must(CrossEntropyWith(x, tg, o))
	if s := each.Shape(); len(s) != 2 || s[0] != 3 || s[1] != 2 {
		t.Fatalf("per-position losses have shape %v, want [3 2]", s)
	}
	if each.At(1, 1) != 0 {
		t.Errorf("ignored position has loss %g", each.At(1, 1))
	}
	o.Reduction = ReduceSum
	sum := Must(CrossEntropyWith(x, tg, o))
	if math.Abs(Must(each.SumAll()).Item()-sum.Item()) > 1e-12 {
		t.Errorf("sum of none %g, sum %g", Must(each.SumAll()).Item(), sum.Item())
	}
}

func TestLossOpErrors(t *testing.T) {
	x := Must(Zeros(2, 3))
	if _, err := PointwiseLoss(numLossKinds, x, x, nil, 0, ReduceMean); err == nil {
		t.Error("unknown kind accepted")
	}
	if _, err := PointwiseLoss(LossSquared, x, x, nil, 0, Reduction(9)); err == nil {
		t.Error("unknown reduction accepted")
	}
	if _, err := PointwiseLoss(LossSquared, x, x, Must(Ones(3)), 0, ReduceMean); err == nil {
		t.Error("pos_weight accepted for mse")
	}
	_, err := CrossEntropyWith(x, []int{0, 7}, ClassLossOptions{})
	if !errors.Is(err, ErrIndex) {
		t.Errorf("class 7 of 3: %v", err)
	}
}

// TestClassLossNoGradAllocsNothing: the forward pass under an Arena with
// grad off allocates nothing and keeps no softmax.
func TestClassLossNoGradAllocsNothing(t *testing.T) {
	x := Must(Zeros(4, 3))
	tg := []int{0, 1, 2, 0}
	a := NewArena()
	restore := UseArena(a)
	defer restore()
	f := func() {
		a.Reset()
		_ = Must(CrossEntropyWith(x, tg, ClassLossOptions{LabelSmoothing: 0.1}))
		_ = Must(PointwiseLoss(LossHuber, x, x, nil, 1, ReduceNone))
	}
	f()
	if n := testing.AllocsPerRun(allocRuns, f); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
