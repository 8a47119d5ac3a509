package tensor

import (
	"fmt"
	"math"
)

// Fused loss ops: the pointwise losses (squared, absolute, Huber, smooth
// L1, binary cross-entropy on probabilities or logits, KL divergence) and
// cross-entropy / negative log-likelihood over class indices with class
// weights, ignore_index and label smoothing. Each computes its reduction in
// the same pass (float64 accumulation) and records one graph node, so a
// training step that uses them stays allocation-free under an Arena.
// engine/loss is the user-facing API over them.

// Reduction says how a loss op reduces its per-element losses, like the
// reduction argument of the torch.nn.functional losses.
type Reduction uint8

const (
	// ReduceMean averages the per-element losses (for losses with class
	// weights: divides by the sum of the targets' weights, as PyTorch).
	ReduceMean Reduction = iota
	// ReduceSum adds the per-element losses.
	ReduceSum
	// ReduceNone returns the per-element losses.
	ReduceNone
	// ReduceBatchMean divides the sum by the size of dim 0 (the
	// mathematically correct reduction of KL divergence, as torch's
	// reduction='batchmean').
	ReduceBatchMean
)

func (r Reduction) String() string {
	switch r {
	case ReduceMean:
		return "mean"
	case ReduceSum:
		return "sum"
	case ReduceNone:
		return "none"
	case ReduceBatchMean:
		return "batchmean"
	}
	return fmt.Sprintf("reduction(%d)", uint8(r))
}

// LossKind selects the per-element loss of PointwiseLoss; x is the input
// (prediction), y the target.
type LossKind uint8

const (
	// LossSquared is (x−y)² (torch mse_loss).
	LossSquared LossKind = iota
	// LossAbs is |x−y| (torch l1_loss).
	LossAbs
	// LossHuber is ½(x−y)² where |x−y| < δ and δ(|x−y| − ½δ) elsewhere
	// (torch huber_loss; param is δ > 0).
	LossHuber
	// LossSmoothL1 is ½(x−y)²/β where |x−y| < β and |x−y| − ½β elsewhere
	// (torch smooth_l1_loss; param is β ≥ 0, β = 0 is L1).
	LossSmoothL1
	// LossBCE is −(y·log x + (1−y)·log(1−x)) for probabilities x in [0, 1],
	// with each log clamped at −100 as in torch binary_cross_entropy.
	LossBCE
	// LossBCEWithLogits is BCE on sigmoid(x) computed stably as
	// (1−y)·x + w·lossSoftplus(−x) with w = 1 + (pos_weight−1)·y
	// (torch binary_cross_entropy_with_logits).
	LossBCEWithLogits
	// LossKLDiv is y·(log y − x) for log-probabilities x and probabilities
	// y (0 where y = 0), as torch kl_div(log_target=False).
	LossKLDiv
	// LossKLDivLogTarget is eʸ·(y − x) for log-probability targets y, as
	// torch kl_div(log_target=True).
	LossKLDivLogTarget
	numLossKinds
)

var lossNames = [numLossKinds]string{
	"mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "binary_cross_entropy",
	"binary_cross_entropy_with_logits", "kl_div", "kl_div",
}

func (k LossKind) String() string {
	if k < numLossKinds {
		return lossNames[k]
	}
	return fmt.Sprintf("loss(%d)", uint8(k))
}

var (
	opPointLoss = registerOp("pointwise_loss", pointLossBackward)
	opClassLoss = registerOp("class_loss", classLossBackward)
)

// ---------------------------------------------------------------------------
// Pointwise losses.

// PointwiseLoss returns the loss kind between input and target (same shape,
// same dtype) reduced by red. param is Huber's δ or smooth L1's β (ignored
// by the other kinds). posWeight, only for LossBCEWithLogits, is nil or a
// tensor that broadcasts to the input's shape (typically [C] for inputs
// [N, C]): the weight of the positive term, as torch's pos_weight.
// Gradients flow to every input that requires grad, posWeight included.
func PointwiseLoss(kind LossKind, input, target, posWeight *Tensor, param float64, red Reduction) (*Tensor, error) {
	if kind >= numLossKinds {
		return nil, fmt.Errorf("tensor: pointwise_loss: unknown loss kind %d", kind)
	}
	name := kind.String()
	if err := checkPair(name, input, target); err != nil {
		return nil, err
	}
	if !sameShape(input.shape, target.shape) {
		return nil, shapeErr(name, "input and target shapes differ", input.shape, target.shape)
	}
	if red > ReduceBatchMean {
		return nil, fmt.Errorf("tensor: %s: unknown reduction %v", name, red)
	}
	if red == ReduceBatchMean && len(input.shape) == 0 {
		return nil, shapeErr(name, "reduction batchmean needs a batch dim", input.shape)
	}
	switch kind {
	case LossHuber:
		if !(param > 0) || math.IsInf(param, 0) {
			return nil, fmt.Errorf("tensor: %s: delta %g must be positive and finite", name, param)
		}
	case LossSmoothL1:
		if !(param >= 0) || math.IsInf(param, 0) {
			return nil, fmt.Errorf("tensor: %s: beta %g must be non-negative and finite", name, param)
		}
	}
	var pwStrides [MaxDims]int
	pst := pwStrides[:len(input.shape)]
	if posWeight != nil {
		if kind != LossBCEWithLogits {
			return nil, fmt.Errorf("tensor: %s: pos_weight is only for binary_cross_entropy_with_logits", name)
		}
		if posWeight.dtype != input.dtype {
			return nil, dtypeErr(name, input.dtype, posWeight.dtype)
		}
		var ob [MaxDims]int
		if bs, ok := broadcastShape(posWeight.shape, input.shape, &ob); !ok || !sameShape(bs, input.shape) {
			return nil, shapeErr(name, "pos_weight does not broadcast to the input", input.shape, posWeight.shape)
		}
		var err error
		if posWeight, err = posWeight.Contiguous(); err != nil {
			return nil, err
		}
		var cs [MaxDims]int
		pst = bcastStrides(posWeight.shape, contiguousOf(posWeight.shape, &cs), input.shape, pwStrides[:])
	}
	n := input.Numel()
	var scale float64
	switch red {
	case ReduceMean:
		scale = 1 / float64(n)
	case ReduceSum:
		scale = 1
	case ReduceBatchMean:
		scale = 1 / float64(input.shape[0])
	}
	var out *Tensor
	if red == ReduceNone {
		out = newTensor(input.dtype, input.shape, false)
	} else {
		out = newTensor(input.dtype, nil, false)
	}
	pl := pointLossArgs{kind: kind, param: param, input: input, target: target, pw: posWeight, pst: pst}
	var bad bool
	if input.dtype == Float64 {
		var pwd []float64
		if posWeight != nil {
			pwd = posWeight.f64
		}
		s, b := pointLossFwd(&pl, input.f64, target.f64, pwd, out.f64, red == ReduceNone)
		bad = b
		if red != ReduceNone {
			out.f64[0] = s * scale
		}
	} else {
		var pwd []float32
		if posWeight != nil {
			pwd = posWeight.f32
		}
		s, b := pointLossFwd(&pl, input.f32, target.f32, pwd, out.f32, red == ReduceNone)
		bad = b
		if red != ReduceNone {
			out.f32[0] = float32(s * scale)
		}
	}
	if bad && kind == LossBCE {
		return nil, fmt.Errorf("tensor: %s: input %v has elements outside [0, 1] (probabilities expected; use binary_cross_entropy_with_logits for logits)", name, input.shape)
	}
	if bad {
		return nil, fmt.Errorf("tensor: %s: target %v has negative probabilities", name, target.shape)
	}
	if record(out, opPointLoss, input, target, posWeight) {
		out.iarg = [3]int{int(kind), int(red), 0}
		out.farg = [2]float64{param, scale}
	}
	return out, nil
}

type pointLossArgs struct {
	kind              LossKind
	param             float64
	input, target, pw *Tensor
	pst               []int
}

// iter sets up a row iterator over (contiguous index, input, target,
// pos_weight values).
func (a *pointLossArgs) iter(it *rowIter) {
	var cs [MaxDims]int
	pwo := 0
	if a.pw != nil {
		pwo = a.pw.offset
	}
	it.init(a.input.shape, 4, [4][]int{contiguousOf(a.input.shape, &cs), a.input.strides, a.target.strides, a.pst},
		[4]int{0, a.input.offset, a.target.offset, pwo})
}

// pointLossFwd writes the per-element losses to out when each is set and
// returns their sum; bad reports a BCE input outside [0, 1] or a negative
// KL target probability.
func pointLossFwd[T float](a *pointLossArgs, x, y, pw, out []T, each bool) (sum float64, bad bool) {
	var it rowIter
	a.iter(&it)
	for it.next() {
		o, xo, yo, po := it.off[0], it.off[1], it.off[2], it.off[3]
		xs, ys, ps := it.inner[1], it.inner[2], it.inner[3]
		for i := 0; i < it.n; i++ {
			xv, yv, pv := float64(x[xo+i*xs]), float64(y[yo+i*ys]), 1.0
			if pw != nil {
				pv = float64(pw[po+i*ps])
			}
			if a.kind == LossBCE && !(xv >= 0 && xv <= 1) || a.kind == LossKLDiv && yv < 0 {
				bad = true
			}
			l := pointLoss(a.kind, xv, yv, pv, a.param)
			if each {
				out[o+i] = T(l)
			}
			sum += l
		}
	}
	return sum, bad
}

// lossSoftplus returns log(1+eˣ) without overflow.
func lossSoftplus(x float64) float64 {
	return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
}

// pointLoss is the per-element loss of kind at input x, target y,
// positive weight pw and parameter p.
func pointLoss(kind LossKind, x, y, pw, p float64) float64 {
	d := x - y
	switch kind {
	case LossSquared:
		return d * d
	case LossAbs:
		return math.Abs(d)
	case LossHuber:
		if a := math.Abs(d); a >= p {
			return p * (a - 0.5*p)
		}
		return 0.5 * d * d
	case LossSmoothL1:
		if a := math.Abs(d); a >= p {
			return a - 0.5*p
		}
		return 0.5 * d * d / p
	case LossBCE:
		lx := math.Max(math.Log(x), -100)
		l1x := math.Max(math.Log(1-x), -100)
		return -(y*lx + (1-y)*l1x)
	case LossBCEWithLogits:
		return (1-y)*x + (1+(pw-1)*y)*lossSoftplus(-x)
	case LossKLDiv:
		if y == 0 {
			return 0
		}
		return y * (math.Log(y) - x)
	case LossKLDivLogTarget:
		return math.Exp(y) * (y - x)
	}
	return math.NaN()
}

// pointLossGrad returns the derivatives of pointLoss with respect to x, y
// and pw.
func pointLossGrad(kind LossKind, x, y, pw, p float64) (dx, dy, dpw float64) {
	d := x - y
	switch kind {
	case LossSquared:
		return 2 * d, -2 * d, 0
	case LossAbs:
		s := lossSign(d)
		return s, -s, 0
	case LossHuber:
		g := math.Max(-p, math.Min(p, d))
		return g, -g, 0
	case LossSmoothL1:
		var g float64
		switch {
		case d <= -p:
			g = -1
		case d >= p:
			g = 1
		default:
			g = d / p
		}
		if p == 0 {
			g = lossSign(d)
		}
		return g, -g, 0
	case LossBCE:
		lx := math.Max(math.Log(x), -100)
		l1x := math.Max(math.Log(1-x), -100)
		return (x - y) / math.Max(x*(1-x), 1e-12), l1x - lx, 0
	case LossBCEWithLogits:
		sp := lossSoftplus(-x)
		w := 1 + (pw-1)*y
		return (1 - y) - w*sigmoid(-x), -x + (pw-1)*sp, y * sp
	case LossKLDiv:
		if y == 0 {
			return 0, -x, 0
		}
		return -y, math.Log(y) + 1 - x, 0
	case LossKLDivLogTarget:
		e := math.Exp(y)
		return -e, e * (y - x + 1), 0
	}
	return math.NaN(), math.NaN(), math.NaN()
}

func lossSign(v float64) float64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func pointLossBackward(t *Tensor) {
	x, y := t.parents[0], t.parents[1]
	var pw *Tensor
	if len(t.parents) > 2 {
		pw = t.parents[2]
	}
	for _, p := range t.parents {
		if p.requiresGrad {
			ensureGrad(p)
		}
	}
	a := pointLossArgs{kind: LossKind(t.iarg[0]), param: t.farg[0], input: x, target: y, pw: pw}
	var pwStrides, cs [MaxDims]int
	a.pst = pwStrides[:len(x.shape)]
	if pw != nil {
		a.pst = bcastStrides(pw.shape, contiguousOf(pw.shape, &cs), x.shape, pwStrides[:])
	}
	each := Reduction(t.iarg[1]) == ReduceNone
	if t.dtype == Float64 {
		pointLossGradLoop(&a, t.grad.f64, each, t.farg[1], x.f64, y.f64, lossData64(pw), lossGrad64(x), lossGrad64(y), lossGrad64(pw))
	} else {
		pointLossGradLoop(&a, t.grad.f32, each, t.farg[1], x.f32, y.f32, lossData32(pw), lossGrad32(x), lossGrad32(y), lossGrad32(pw))
	}
}

func lossData64(p *Tensor) []float64 {
	if p == nil {
		return nil
	}
	return p.f64
}

func lossData32(p *Tensor) []float32 {
	if p == nil {
		return nil
	}
	return p.f32
}

// lossGrad64 returns p's gradient buffer when p requires grad, else nil.
func lossGrad64(p *Tensor) []float64 {
	if p == nil || !p.requiresGrad {
		return nil
	}
	return p.grad.f64
}

func lossGrad32(p *Tensor) []float32 {
	if p == nil || !p.requiresGrad {
		return nil
	}
	return p.grad.f32
}

func pointLossGradLoop[T float](a *pointLossArgs, g []T, each bool, scale float64, x, y, pw, gx, gy, gpw []T) {
	var it rowIter
	a.iter(&it)
	pwo := 0
	if a.pw != nil {
		pwo = a.pw.offset
	}
	gs := float64(g[0]) * scale
	for it.next() {
		o, xo, yo, po := it.off[0], it.off[1], it.off[2], it.off[3]
		xs, ys, ps := it.inner[1], it.inner[2], it.inner[3]
		for i := 0; i < it.n; i++ {
			xv, yv, pv := float64(x[xo+i*xs]), float64(y[yo+i*ys]), 1.0
			if pw != nil {
				pv = float64(pw[po+i*ps])
			}
			gi := gs
			if each {
				gi = float64(g[o+i])
			}
			dx, dy, dp := pointLossGrad(a.kind, xv, yv, pv, a.param)
			if gx != nil {
				gx[o+i] += T(gi * dx)
			}
			if gy != nil {
				gy[o+i] += T(gi * dy)
			}
			if gpw != nil {
				gpw[po-pwo+i*ps] += T(gi * dp)
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Cross-entropy and NLL over class indices.

// ClassLossOptions are the options of CrossEntropyWith and NLL, as the
// arguments of torch.nn.functional.cross_entropy / nll_loss.
type ClassLossOptions struct {
	// Weight is nil or a [C] tensor of class weights (treated as a
	// constant: no gradient flows to it).
	Weight *Tensor
	// Ignore makes targets equal to IgnoreIndex contribute nothing (their
	// loss is 0 and the mean is over the other targets). PyTorch's default
	// is Ignore with IgnoreIndex −100.
	Ignore      bool
	IgnoreIndex int
	// LabelSmoothing ε in [0, 1] mixes the one-hot target with the uniform
	// distribution: (1−ε)·onehot + ε/C (cross-entropy only).
	LabelSmoothing float64
	// Reduction: mean (weighted by the targets' class weights), sum or none
	// (losses of shape [N, d1, …]).
	Reduction Reduction
}

// CrossEntropyWith is torch.nn.functional.cross_entropy with class-index
// targets: logits [N, C] or [N, C, d1, …] (or [C] for one sample) and
// N·d1·… targets in row-major order of [N, d1, …]. With weights w, label
// smoothing ε and L = logsumexp(x), the loss of one position with target t
// is
//
//	(1−ε)·w_t·(L − x_t) + ε/C · Σ_c w_c·(L − x_c)
//
// and the mean divides the sum by Σ w_t over the non-ignored positions. It
// is fused with the log-softmax (one pass forward, one backward).
func CrossEntropyWith(logits *Tensor, targets []int, o ClassLossOptions) (*Tensor, error) {
	return classLoss("cross_entropy", false, logits, targets, o)
}

// NLL is torch.nn.functional.nll_loss: the loss of one position with
// target t is −w_t·x_t for log-probabilities x [N, C] or [N, C, d1, …] (or
// [C]); options as CrossEntropyWith (LabelSmoothing must be 0).
func NLL(logProbs *Tensor, targets []int, o ClassLossOptions) (*Tensor, error) {
	return classLoss("nll_loss", true, logProbs, targets, o)
}

// classDims returns (outer, classes, inner) of a [N, C, d…] or [C] input
// and the shape of its per-position losses in dst.
func classDims(shape []int, dst *[MaxDims]int) (outer, c, inner int, per []int) {
	if len(shape) == 1 {
		return 1, shape[0], 1, dst[:0]
	}
	dst[0] = shape[0]
	k := 1 + copy(dst[1:], shape[2:])
	return shape[0], shape[1], numelOf(shape[2:]), dst[:k]
}

func classLoss(name string, nll bool, x *Tensor, targets []int, o ClassLossOptions) (*Tensor, error) {
	if x == nil {
		return nil, nilErr(name)
	}
	if len(x.shape) == 0 {
		return nil, shapeErr(name, "need input [N, C, ...] or [C]", x.shape)
	}
	var pb [MaxDims]int
	outer, c, inner, per := classDims(x.shape, &pb)
	if len(targets) != outer*inner {
		tb := [1]int{len(targets)}
		return nil, shapeErr(name, fmt.Sprintf("need %d targets (one per position of %v), got %d", outer*inner, cloneInts(per), len(targets)), x.shape, tb[:])
	}
	if o.Reduction > ReduceNone {
		return nil, fmt.Errorf("tensor: %s: reduction %v not supported (mean, sum or none)", name, o.Reduction)
	}
	if !(o.LabelSmoothing >= 0 && o.LabelSmoothing <= 1) {
		return nil, fmt.Errorf("tensor: %s: label smoothing %g must be in [0, 1]", name, o.LabelSmoothing)
	}
	if nll && o.LabelSmoothing != 0 {
		return nil, fmt.Errorf("tensor: %s: label smoothing applies to cross_entropy only", name)
	}
	if w := o.Weight; w != nil {
		if w.dtype != x.dtype {
			return nil, dtypeErr(name, x.dtype, w.dtype)
		}
		if len(w.shape) != 1 || w.shape[0] != c {
			return nil, shapeErr(name, fmt.Sprintf("class weight must be [%d]", c), x.shape, w.shape)
		}
	}
	for k, t := range targets {
		if o.Ignore && t == o.IgnoreIndex {
			continue
		}
		if t < 0 || t >= c {
			return nil, fmt.Errorf("tensor: %s: input %v: %w: target %d at position %d is not a class in [0, %d)", name, cloneInts(x.shape), ErrIndex, t, k, c)
		}
	}
	x, err := x.Contiguous()
	if err != nil {
		return nil, err
	}
	a := curArena
	rec := gradEnabled && x.requiresGrad
	var out *Tensor
	if o.Reduction == ReduceNone {
		out = newTensor(x.dtype, per, false)
	} else {
		out = newTensor(x.dtype, nil, false)
	}
	// the targets, with ignored ones as -1
	tg := allocInts(a, len(targets))
	for k, t := range targets {
		if o.Ignore && t == o.IgnoreIndex {
			t = -1
		}
		tg[k] = t
	}
	nw := 0
	if o.Weight != nil {
		nw = c
	}
	np := 0
	if rec && !nll {
		np = outer * c * inner
	}
	cl := classArgs{outer: outer, c: c, inner: inner, eps: o.LabelSmoothing, nll: nll, tg: tg}
	var wsum, sum float64
	if x.dtype == Float64 {
		aux := allocF64(a, nw+np, false)
		if nw > 0 {
			copyStrided(aux[:c], o.Weight.f64, o.Weight.shape, o.Weight.strides, o.Weight.offset)
		}
		var each []float64
		if o.Reduction == ReduceNone {
			each = out.f64
		}
		sum, wsum = classLossFwd(&cl, x.f64[x.offset:], aux[:nw], aux[nw:], each)
		if rec {
			out.aux64 = aux
		}
	} else {
		aux := allocF32(a, nw+np, false)
		if nw > 0 {
			copyStrided(aux[:c], o.Weight.f32, o.Weight.shape, o.Weight.strides, o.Weight.offset)
		}
		var each []float32
		if o.Reduction == ReduceNone {
			each = out.f32
		}
		sum, wsum = classLossFwd(&cl, x.f32[x.offset:], aux[:nw], aux[nw:], each)
		if rec {
			out.aux32 = aux
		}
	}
	total := sum
	if o.Reduction == ReduceMean {
		total = sum / wsum
	}
	if o.Reduction != ReduceNone {
		if x.dtype == Float64 {
			out.f64[0] = total
		} else {
			out.f32[0] = float32(total)
		}
	}
	if record(out, opClassLoss, x, nil, nil) {
		out.ints = tg
		nf := 0
		if nll {
			nf = 1
		}
		out.iarg = [3]int{int(o.Reduction), nw, nf}
		out.farg = [2]float64{o.LabelSmoothing, wsum}
	}
	return out, nil
}

type classArgs struct {
	outer, c, inner int
	eps             float64
	nll             bool
	tg              []int
}

// classLossFwd returns the sum of the per-position losses and the sum of
// the targets' weights, writes each loss to each (if not nil) and, for
// cross-entropy, the softmax to p (if not empty).
func classLossFwd[T float](a *classArgs, x, w, p, each []T) (sum, wsum float64) {
	c, inner := a.c, a.inner
	fast := fastT[T]()
	for o := 0; o < a.outer; o++ {
		for i := 0; i < inner; i++ {
			k := o*inner + i
			base := o*c*inner + i
			t := a.tg[k]
			if t < 0 {
				if each != nil {
					each[k] = 0
				}
				continue
			}
			wt := 1.0
			if len(w) > 0 {
				wt = float64(w[t])
			}
			var l float64
			if a.nll {
				l = -wt * float64(x[base+t*inner])
			} else {
				mx := math.Inf(-1)
				for j := 0; j < c; j++ {
					mx = math.Max(mx, float64(x[base+j*inner]))
				}
				// One exponential per class: e**(x-max) goes to p (when
				// kept) and is scaled by 1/s below.
				var s float64
				if len(p) > 0 {
					for j := 0; j < c; j++ {
						e := expT(fast, float64(x[base+j*inner])-mx)
						p[base+j*inner] = T(e)
						s += e
					}
				} else {
					for j := 0; j < c; j++ {
						s += expT(fast, float64(x[base+j*inner])-mx)
					}
				}
				lse := mx + math.Log(s)
				l = (1 - a.eps) * wt * (lse - float64(x[base+t*inner]))
				if a.eps > 0 {
					var sm float64
					for j := 0; j < c; j++ {
						wj := 1.0
						if len(w) > 0 {
							wj = float64(w[j])
						}
						sm += wj * (lse - float64(x[base+j*inner]))
					}
					l += a.eps / float64(c) * sm
				}
				if len(p) > 0 {
					inv := 1 / s
					for j := 0; j < c; j++ {
						p[base+j*inner] = T(float64(p[base+j*inner]) * inv)
					}
				}
			}
			if each != nil {
				each[k] = T(l)
			}
			sum += l
			wsum += wt
		}
	}
	return sum, wsum
}

func classLossBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	var pb [MaxDims]int
	outer, c, inner, _ := classDims(x.shape, &pb)
	nw := t.iarg[1]
	a := classArgs{outer: outer, c: c, inner: inner, eps: t.farg[0], nll: t.iarg[2] == 1, tg: t.ints}
	red := Reduction(t.iarg[0])
	if t.dtype == Float64 {
		classLossGrad(&a, x.grad.f64, t.aux64[:nw], t.aux64[nw:], t.grad.f64, red, t.farg[1])
	} else {
		classLossGrad(&a, x.grad.f32, t.aux32[:nw], t.aux32[nw:], t.grad.f32, red, t.farg[1])
	}
}

func classLossGrad[T float](a *classArgs, gx, w, p, g []T, red Reduction, wsum float64) {
	c, inner := a.c, a.inner
	wAll := float64(c)
	if len(w) > 0 {
		wAll = 0
		for _, v := range w {
			wAll += float64(v)
		}
	}
	gs := float64(g[0])
	if red == ReduceMean {
		gs /= wsum
	}
	for o := 0; o < a.outer; o++ {
		for i := 0; i < inner; i++ {
			k := o*inner + i
			base := o*c*inner + i
			t := a.tg[k]
			if t < 0 {
				continue
			}
			gk := gs
			if red == ReduceNone {
				gk = float64(g[k])
			}
			wt := 1.0
			if len(w) > 0 {
				wt = float64(w[t])
			}
			if a.nll {
				gx[base+t*inner] -= T(gk * wt)
				continue
			}
			// (1−ε)·w_t·(p_j − δ_jt) + ε/C·(W·p_j − w_j)
			hard := gk * (1 - a.eps) * wt
			soft := gk * a.eps / float64(c)
			for j := 0; j < c; j++ {
				wj := 1.0
				if len(w) > 0 {
					wj = float64(w[j])
				}
				pj := float64(p[base+j*inner])
				gx[base+j*inner] += T(hard*pj + soft*(wAll*pj-wj))
			}
			gx[base+t*inner] -= T(hard)
		}
	}
}
