// Package loss holds the training losses of the kaiwu engine with
// PyTorch's semantics (torch.nn.functional): regression losses (MSE,
// L1/MAE, Huber, smooth L1), binary classification (BCE on probabilities
// or logits, with weights and pos_weight), multi-class classification
// (cross-entropy over class indices with class weights, ignore_index and
// label smoothing; over probability targets; NLL on log-probabilities) and
// KL divergence.
//
// Every loss returns a tensor — 0-d for the reductions Mean, Sum and
// BatchMean, the per-element losses for None — that takes part in autograd
// like any other. Most are a single fused op of engine/tensor (forward and
// backward in one pass each, nothing allocated under an Arena); the
// cross-entropy over probability targets and the weighted binary losses are
// composed from primitive ops.
//
// Bad input is an error naming the op and the shapes: targets of the wrong
// shape or count, a class index out of range, negative target
// probabilities, BCE inputs outside [0, 1].
package loss

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Reduction says how a loss reduces its per-element losses (torch's
// reduction argument).
type Reduction = tensor.Reduction

// The reductions. The zero value is Mean, as in PyTorch.
const (
	// Mean averages the per-element losses; for losses with class weights
	// it divides by the sum of the targets' weights, as PyTorch.
	Mean = tensor.ReduceMean
	// Sum adds the per-element losses.
	Sum = tensor.ReduceSum
	// None returns the per-element losses.
	None = tensor.ReduceNone
	// BatchMean divides the sum by the batch size (dim 0): the reduction
	// that makes KLDiv the KL divergence per sample, as torch recommends.
	BatchMean = tensor.ReduceBatchMean
)

// DefaultIgnoreIndex is PyTorch's default ignore_index.
const DefaultIgnoreIndex = -100

// ClassOptions are the options of CrossEntropy, CrossEntropyProbs and NLL:
// class Weight ([C], a constant), Ignore/IgnoreIndex, LabelSmoothing and
// Reduction. The zero value is PyTorch's default except that nothing is
// ignored; set Ignore (with IgnoreIndex DefaultIgnoreIndex, or a padding
// class) to skip targets.
type ClassOptions = tensor.ClassLossOptions

// MSE is the mean squared error (torch mse_loss): (input − target)²
// reduced by red. Input and target have the same shape and both may
// require grad.
func MSE(input, target *tensor.Tensor, red Reduction) (*tensor.Tensor, error) {
	if red == Mean {
		return tensor.MSE(input, target)
	}
	return tensor.PointwiseLoss(tensor.LossSquared, input, target, nil, 0, red)
}

// L1 is the mean absolute error (torch l1_loss): |input − target| reduced
// by red. Its gradient at input = target is 0, as PyTorch's.
func L1(input, target *tensor.Tensor, red Reduction) (*tensor.Tensor, error) {
	return tensor.PointwiseLoss(tensor.LossAbs, input, target, nil, 0, red)
}

// MAE is L1, by its other name.
func MAE(input, target *tensor.Tensor, red Reduction) (*tensor.Tensor, error) {
	return L1(input, target, red)
}

// Huber is torch huber_loss: with d = input − target, ½d² where |d| < delta
// and delta·(|d| − ½delta) elsewhere. delta must be positive (PyTorch's
// default is 1).
func Huber(input, target *tensor.Tensor, delta float64, red Reduction) (*tensor.Tensor, error) {
	return tensor.PointwiseLoss(tensor.LossHuber, input, target, nil, delta, red)
}

// SmoothL1 is torch smooth_l1_loss: ½d²/beta where |d| < beta and
// |d| − ½beta elsewhere; beta ≥ 0 (0 is L1; PyTorch's default is 1). It is
// Huber divided by beta.
func SmoothL1(input, target *tensor.Tensor, beta float64, red Reduction) (*tensor.Tensor, error) {
	return tensor.PointwiseLoss(tensor.LossSmoothL1, input, target, nil, beta, red)
}

// BCE is torch binary_cross_entropy: −w·(y·log x + (1−y)·log(1−x)) for
// probabilities x (input, every element in [0, 1]) and targets y of the same
// shape, each log clamped at −100 as PyTorch does. weight is nil or a tensor
// that broadcasts to the input (the mean is then over the weighted losses,
// not divided by the weights). Prefer BCEWithLogits on logits: it is
// numerically stable.
func BCE(input, target, weight *tensor.Tensor, red Reduction) (*tensor.Tensor, error) {
	if weight == nil {
		return tensor.PointwiseLoss(tensor.LossBCE, input, target, nil, 0, red)
	}
	l, err := tensor.PointwiseLoss(tensor.LossBCE, input, target, nil, 0, None)
	if err != nil {
		return nil, err
	}
	return weighted("binary_cross_entropy", l, weight, red)
}

// BCEOptions are the options of BCEWithLogits.
type BCEOptions struct {
	// Weight is nil or a tensor that broadcasts to the input: a weight per
	// element's loss.
	Weight *tensor.Tensor
	// PosWeight is nil or a tensor that broadcasts to the input (usually
	// [C] for inputs [N, C]): the weight of the positive term, > 1 to
	// raise recall (torch's pos_weight).
	PosWeight *tensor.Tensor
	// Reduction (the zero value is Mean).
	Reduction Reduction
}

// BCEWithLogits is torch binary_cross_entropy_with_logits: BCE of
// sigmoid(x) against y, computed stably as
//
//	(1−y)·x + (1 + (p−1)·y)·(max(−x, 0) + log(1 + e^−|x|))
//
// (= max(x, 0) − x·y + log(1 + e^−|x|) without pos_weight p), so large
// logits neither overflow nor lose the gradient.
func BCEWithLogits(logits, target *tensor.Tensor, o BCEOptions) (*tensor.Tensor, error) {
	if o.Weight == nil {
		return tensor.PointwiseLoss(tensor.LossBCEWithLogits, logits, target, o.PosWeight, 0, o.Reduction)
	}
	l, err := tensor.PointwiseLoss(tensor.LossBCEWithLogits, logits, target, o.PosWeight, 0, None)
	if err != nil {
		return nil, err
	}
	return weighted("binary_cross_entropy_with_logits", l, o.Weight, o.Reduction)
}

// weighted multiplies the per-element losses l by weight (broadcast to l's
// shape) and reduces.
func weighted(op string, l, weight *tensor.Tensor, red Reduction) (*tensor.Tensor, error) {
	wl, err := tensor.Mul(l, weight)
	if err != nil {
		return nil, fmt.Errorf("loss: %s: weight: %w", op, err)
	}
	if !sameShape(wl.Shape(), l.Shape()) {
		return nil, fmt.Errorf("loss: %s: weight shape %v does not broadcast to the input shape %v", op, weight.Shape(), l.Shape())
	}
	return reduce(op, wl, red)
}

// reduce applies red to per-element losses.
func reduce(op string, l *tensor.Tensor, red Reduction) (*tensor.Tensor, error) {
	switch red {
	case Mean:
		return l.MeanAll()
	case Sum:
		return l.SumAll()
	case None:
		return l, nil
	case BatchMean:
		if l.Dim() == 0 {
			return nil, fmt.Errorf("loss: %s: reduction batchmean needs a batch dim, losses have shape %v", op, l.Shape())
		}
		s, err := l.SumAll()
		if err != nil {
			return nil, err
		}
		return s.MulScalar(1 / float64(l.Size(0)))
	}
	return nil, fmt.Errorf("loss: %s: unknown reduction %v", op, red)
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// CrossEntropy is torch cross_entropy with class-index targets: logits
// [N, C] (or [N, C, d1, …] with N·d1·… targets in row-major order, or [C]
// with one target). With class weights w, label smoothing ε (PyTorch ≥ 1.10
// semantics) and L = logsumexp(x), one position with target t costs
//
//	(1−ε)·w_t·(L − x_t) + ε/C · Σ_c w_c·(L − x_c)
//
// and Mean divides the sum by Σ w_t over the positions not ignored (NaN
// when every target is ignored, as PyTorch). It is one fused op.
func CrossEntropy(logits *tensor.Tensor, targets []int, o ClassOptions) (*tensor.Tensor, error) {
	return tensor.CrossEntropyWith(logits, targets, o)
}

// NLL is torch nll_loss on log-probabilities (e.g. the output of
// LogSoftmax): one position with target t costs −w_t·x_t; options as
// CrossEntropy (without label smoothing).
func NLL(logProbs *tensor.Tensor, targets []int, o ClassOptions) (*tensor.Tensor, error) {
	return tensor.NLL(logProbs, targets, o)
}

// CrossEntropyProbs is torch cross_entropy with probability targets
// (soft labels, e.g. from mixup or distillation): targets has the logits'
// shape ([N, C, d1, …] or [C]) and holds non-negative class probabilities
// along dim 1. One position costs −Σ_c w_c·y_c·log softmax(x)_c with
// y = (1−ε)·targets + ε/C; Mean divides by the number of positions (not by
// the weights, as PyTorch). Ignore is not supported. Gradients flow to the
// logits and to the targets.
func CrossEntropyProbs(logits, targets *tensor.Tensor, o ClassOptions) (*tensor.Tensor, error) {
	const op = "cross_entropy (probability targets)"
	if logits == nil || targets == nil {
		return nil, fmt.Errorf("loss: %s: %w", op, tensor.ErrNil)
	}
	if logits.Dim() == 0 || !sameShape(logits.Shape(), targets.Shape()) {
		return nil, fmt.Errorf("loss: %s: shapes %v and %v: need logits [N, C, ...] or [C] and targets of the same shape", op, logits.Shape(), targets.Shape())
	}
	if o.Ignore {
		return nil, fmt.Errorf("loss: %s: ignore_index is not supported with probability targets", op)
	}
	if !(o.LabelSmoothing >= 0 && o.LabelSmoothing <= 1) {
		return nil, fmt.Errorf("loss: %s: label smoothing %g must be in [0, 1]", op, o.LabelSmoothing)
	}
	if o.Reduction > None {
		return nil, fmt.Errorf("loss: %s: reduction %v not supported (mean, sum or none)", op, o.Reduction)
	}
	cdim := 0
	if logits.Dim() > 1 {
		cdim = 1
	}
	c := logits.Size(cdim)
	if i, v, ok := firstNegative(targets); ok {
		return nil, fmt.Errorf("loss: %s: target %v has a negative probability %g at element %d", op, targets.Shape(), v, i)
	}
	lp, err := logits.LogSoftmax(cdim)
	if err != nil {
		return nil, err
	}
	y := targets
	if eps := o.LabelSmoothing; eps > 0 {
		if y, err = y.MulScalar(1 - eps); err != nil {
			return nil, err
		}
		if y, err = y.AddScalar(eps / float64(c)); err != nil {
			return nil, err
		}
	}
	prod, err := tensor.Mul(lp, y)
	if err != nil {
		return nil, err
	}
	if w := o.Weight; w != nil {
		if w.Dim() != 1 || w.Size(0) != c {
			return nil, fmt.Errorf("loss: %s: class weight shape %v, want [%d]", op, w.Shape(), c)
		}
		// [C] → [C, 1, …] to broadcast along the class dim
		var shp [tensor.MaxDims]int
		shp[0] = c
		n := 1
		for i := cdim + 1; i < logits.Dim(); i++ {
			shp[n] = 1
			n++
		}
		wv, err := w.Reshape(shp[:n]...)
		if err != nil {
			return nil, err
		}
		if prod, err = tensor.Mul(prod, wv); err != nil {
			return nil, err
		}
	}
	dims := [1]int{cdim}
	s, err := prod.Sum(dims[:], false)
	if err != nil {
		return nil, err
	}
	if s, err = s.Neg(); err != nil {
		return nil, err
	}
	return reduce(op, s, o.Reduction)
}

// firstNegative finds the first negative element of t (reading through
// Data or Float64s, which alias contiguous storage).
func firstNegative(t *tensor.Tensor) (int, float64, bool) {
	if t.DType() == tensor.Float64 {
		for i, v := range t.Float64s() {
			if v < 0 {
				return i, v, true
			}
		}
		return 0, 0, false
	}
	for i, v := range t.Data() {
		if v < 0 {
			return i, float64(v), true
		}
	}
	return 0, 0, false
}

// KLDiv is torch kl_div: input holds log-probabilities and target
// probabilities (or log-probabilities when logTarget), of the same shape;
// each element costs y·(log y − x) (0 where y = 0), or eʸ·(y − x) with
// logTarget. Negative target probabilities are an error. Use BatchMean for the KL divergence per sample: Mean divides
// by the number of elements, as PyTorch's default (which warns about it).
func KLDiv(input, target *tensor.Tensor, logTarget bool, red Reduction) (*tensor.Tensor, error) {
	kind := tensor.LossKLDiv
	if logTarget {
		kind = tensor.LossKLDivLogTarget
	}
	return tensor.PointwiseLoss(kind, input, target, nil, 0, red)
}
