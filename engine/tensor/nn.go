package tensor

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// ---------------------------------------------------------------------------
// Softmax and LogSoftmax.

// Softmax returns exp(t) / sum(exp(t)) along dim, computed stably (the
// maximum is subtracted first).
func (t *Tensor) Softmax(dim int) (*Tensor, error) { return softmax(opSoftmax, "softmax", t, dim) }

// LogSoftmax returns t - log(sum(exp(t))) along dim, computed stably.
func (t *Tensor) LogSoftmax(dim int) (*Tensor, error) {
	return softmax(opLogSoftmax, "log_softmax", t, dim)
}

// splitDim returns outer, size and inner extents of dim in a contiguous shape.
func splitDim(shape []int, d int) (outer, n, inner int) {
	return numelOf(shape[:d]), shape[d], numelOf(shape[d+1:])
}

func softmax(op opCode, name string, t *Tensor, dim int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr(name)
	}
	r := len(t.shape)
	if r == 0 {
		return nil, shapeErr(name, "need at least one dim", t.shape)
	}
	d, ok := normDim(dim, r)
	if !ok {
		return nil, shapeErr(name, fmt.Sprintf("dim %d out of range for rank %d", dim, r), t.shape)
	}
	x, err := t.Contiguous()
	if err != nil {
		return nil, err
	}
	out := newTensor(t.dtype, t.shape, false)
	outer, n, inner := splitDim(t.shape, d)
	logOut := op == opLogSoftmax
	if t.dtype == Float64 {
		softmaxFwd(out.f64, x.f64[x.offset:], outer, n, inner, logOut)
	} else {
		softmaxFwd(out.f32, x.f32[x.offset:], outer, n, inner, logOut)
	}
	if record(out, op, x, nil, nil) {
		out.iarg[0] = d
	}
	return out, nil
}

func softmaxFwd[T float](out, x []T, outer, n, inner int, logOut bool) {
	fast := fastT[T]()
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			mx := math.Inf(-1)
			for j := 0; j < n; j++ {
				if v := float64(x[base+j*inner]); v > mx {
					mx = v
				}
			}
			var s float64
			if !logOut { // keep e**(x-max) in out, scale below
				for j := 0; j < n; j++ {
					e := expT(fast, float64(x[base+j*inner])-mx)
					out[base+j*inner] = T(e)
					s += e
				}
			} else {
				for j := 0; j < n; j++ {
					s += expT(fast, float64(x[base+j*inner])-mx)
				}
			}
			if logOut {
				lse := mx + math.Log(s)
				for j := 0; j < n; j++ {
					out[base+j*inner] = T(float64(x[base+j*inner]) - lse)
				}
			} else {
				inv := 1 / s
				for j := 0; j < n; j++ {
					out[base+j*inner] = T(float64(out[base+j*inner]) * inv)
				}
			}
		}
	}
}

func softmaxBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	outer, n, inner := splitDim(t.shape, t.iarg[0])
	if t.dtype == Float64 {
		softmaxGrad(x.grad.f64, t.grad.f64, t.f64, outer, n, inner, t.op == opLogSoftmax)
	} else {
		softmaxGrad(x.grad.f32, t.grad.f32, t.f32, outer, n, inner, t.op == opLogSoftmax)
	}
}

func softmaxGrad[T float](gx, g, y []T, outer, n, inner int, logOut bool) {
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			base := o*n*inner + i
			var s float64
			if logOut { // dx = g - softmax * sum(g)
				for j := 0; j < n; j++ {
					s += float64(g[base+j*inner])
				}
				for j := 0; j < n; j++ {
					k := base + j*inner
					gx[k] += T(float64(g[k]) - math.Exp(float64(y[k]))*s)
				}
				continue
			}
			// dx = y * (g - sum(g*y))
			for j := 0; j < n; j++ {
				k := base + j*inner
				s += float64(g[k]) * float64(y[k])
			}
			for j := 0; j < n; j++ {
				k := base + j*inner
				gx[k] += T(float64(y[k]) * (float64(g[k]) - s))
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Linear: y = act(x·wᵀ + b), fused into one GEMM with bias and activation.

// Linear returns act(x·wᵀ + b) for x [..., in], w [out, in] (PyTorch's
// layout) and b [out] or nil; act is kernels.ActNone or kernels.ActReLU.
// Float32 runs one kernels.SgemmBias call with the bias and ReLU fused into
// the write-back. Backward: dW += dyᵀ·x, dx += dy·W, db += Σ dy, with the
// ReLU mask taken from the output.
func Linear(x, w, b *Tensor, act kernels.Activation) (*Tensor, error) {
	if err := checkPair("linear", x, w); err != nil {
		return nil, err
	}
	if b != nil && b.dtype != x.dtype {
		return nil, dtypeErr("linear", x.dtype, b.dtype)
	}
	if act != kernels.ActNone && act != kernels.ActReLU {
		return nil, fmt.Errorf("tensor: linear: unknown activation %d", act)
	}
	rx := len(x.shape)
	if len(w.shape) != 2 || rx == 0 || x.shape[rx-1] != w.shape[1] {
		return nil, shapeErr("linear", "need x [..., in] and weight [out, in]", x.shape, w.shape)
	}
	nout := w.shape[0]
	if b != nil && (len(b.shape) != 1 || b.shape[0] != nout) {
		return nil, shapeErr("linear", fmt.Sprintf("bias must be [%d]", nout), x.shape, w.shape, b.shape)
	}
	if rx != 2 {
		// flatten leading dims, apply, restore
		x2, err := x.Reshape(-1, x.shape[rx-1])
		if err != nil {
			return nil, err
		}
		y, err := Linear(x2, w, b, act)
		if err != nil {
			return nil, err
		}
		var sh [MaxDims]int
		copy(sh[:], x.shape)
		sh[rx-1] = nout
		return y.Reshape(sh[:rx]...)
	}
	var err error
	if x, err = gemmable(x); err != nil {
		return nil, err
	}
	if w, err = gemmable(w); err != nil {
		return nil, err
	}
	if b != nil {
		if b, err = b.Contiguous(); err != nil {
			return nil, err
		}
	}
	m, k := x.shape[0], x.shape[1]
	out := newTensor(x.dtype, []int{m, nout}, false)
	tx, ldx, _ := matLayout(x)
	tw, ldw, _ := matLayout(w)
	if x.dtype == Float64 {
		var bias []float64
		if b != nil {
			bias = b.f64[b.offset : b.offset+nout]
		}
		gemmRef(tx, !tw, m, nout, k, 1, x.f64[x.offset:], ldx, w.f64[w.offset:], ldw, 0, out.f64, nout)
		biasAct(out.f64, bias, nout, act)
	} else {
		var bias []float32
		if b != nil {
			bias = b.f32[b.offset : b.offset+nout]
		}
		if m > 0 && nout > 0 {
			if k == 0 {
				clear(out.f32)
				biasAct(out.f32, bias, nout, act)
			} else {
				kernels.SgemmBias(tx, !tw, m, nout, k, x.f32[x.offset:], ldx, w.f32[w.offset:], ldw, bias, act, out.f32, nout)
			}
		}
	}
	if record(out, opLinear, x, w, b) {
		out.iarg[0] = int(act)
	}
	return out, nil
}

func biasAct[T float](out, bias []T, n int, act kernels.Activation) {
	if bias == nil && act == kernels.ActNone {
		return
	}
	for r := 0; r+n <= len(out); r += n {
		row := out[r : r+n]
		if bias != nil {
			for j := range row {
				row[j] += bias[j]
			}
		}
		if act == kernels.ActReLU {
			for j, v := range row {
				if v < 0 {
					row[j] = 0
				}
			}
		}
	}
}

func linearBackward(t *Tensor) {
	relu := kernels.Activation(t.iarg[0]) == kernels.ActReLU
	if t.dtype == Float64 {
		gm := t.grad.f64
		if relu {
			gm = allocF64(t.arena, len(gm), false)
			for i, v := range t.grad.f64 {
				if t.f64[i] > 0 {
					gm[i] = v
				} else {
					gm[i] = 0
				}
			}
		}
		linearGrad(t, gm, gemmRef[float64], func(p *Tensor) []float64 { return p.f64 },
			func(p *Tensor) []float64 { return p.grad.f64 })
	} else {
		gm := t.grad.f32
		if relu {
			gm = allocF32(t.arena, len(gm), false)
			reluMask32(gm, t.grad.f32, t.f32)
		}
		linearGrad(t, gm, gemm32, func(p *Tensor) []float32 { return p.f32 },
			func(p *Tensor) []float32 { return p.grad.f32 })
	}
}

// reluMask32 sets dst[i] = g[i] where y[i] > 0 and 0 elsewhere, without
// branches (random signs make a branch mispredict half the time).
func reluMask32(dst, g, y []float32) {
	g = g[:len(dst)]
	y = y[:len(dst)]
	for i := range dst {
		b := math.Float32bits(y[i])
		// top bit of (b|-b) is set iff b != 0; clearing b's own sign bit
		// rejects negative values (and -0)
		m := uint32(int32((b|-b)&^b) >> 31)
		dst[i] = math.Float32frombits(math.Float32bits(g[i]) & m)
	}
}

// linearGrad accumulates the gradients of Linear given gm, the output
// gradient with the activation's mask applied.
func linearGrad[T float](t *Tensor, gm []T,
	gemm func(ta, tb bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int),
	data, grad func(*Tensor) []T) {
	x, w, b := t.parents[0], t.parents[1], (*Tensor)(nil)
	if len(t.parents) > 2 {
		b = t.parents[2]
	}
	m, k := x.shape[0], x.shape[1]
	nout := w.shape[0]
	tx, ldx, _ := matLayout(x)
	tw, ldw, _ := matLayout(w)
	if x.requiresGrad { // dx [m,k] += gm [m,nout] · W [nout,k]
		beta := T(1)
		if x.grad == nil && fastT[T]() {
			// A fresh float32 gradient: SGEMM with beta 0 writes it without
			// reading it, so it needs no zeroing pass.
			x.grad = newTensorIn(x.arena, x.dtype, x.shape, false)
			beta = 0
		}
		ensureGrad(x)
		gemm(false, tw, m, k, nout, 1, gm, nout, data(w)[w.offset:], ldw, beta, grad(x), k)
	}
	if w.requiresGrad { // dW [nout,k] += gmᵀ [nout,m] · x [m,k]
		ensureGrad(w)
		gemm(true, tx, nout, k, m, 1, gm, nout, data(x)[x.offset:], ldx, 1, grad(w), k)
	}
	if b != nil && b.requiresGrad {
		ensureGrad(b)
		gb := grad(b)
		if gb32, ok := any(gb).([]float32); ok {
			gm32, _ := any(gm).([]float32)
			biasGrad32(gb32, gm32, m, nout)
			return
		}
		for r := 0; r < m; r++ {
			row := gm[r*nout : r*nout+nout]
			for j, v := range row {
				gb[j] += v
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Losses.

// CrossEntropy returns the mean over the batch of -log softmax(logits)[i,
// targets[i]] for logits [B, C] and B class indices, like
// torch.nn.functional.cross_entropy with reduction='mean' (no class
// weights, ignore_index or label smoothing). It is fused with the
// log-softmax: the backward is (softmax - onehot)/B.
func CrossEntropy(logits *Tensor, targets []int) (*Tensor, error) {
	if logits == nil {
		return nil, nilErr("cross_entropy")
	}
	if len(logits.shape) != 2 || logits.shape[0] != len(targets) {
		tb := [1]int{len(targets)}
		return nil, shapeErr("cross_entropy", "need logits [B, C] and B targets", logits.shape, tb[:])
	}
	bsz, c := logits.shape[0], logits.shape[1]
	for _, tg := range targets {
		if tg < 0 || tg >= c {
			return nil, indexErr("cross_entropy", tg, c)
		}
	}
	x, err := logits.Contiguous()
	if err != nil {
		return nil, err
	}
	out := newTensor(x.dtype, nil, false)
	rec := gradEnabled && x.requiresGrad
	a := curArena
	var loss float64
	if x.dtype == Float64 {
		var p []float64
		if rec {
			p = allocF64(a, bsz*c, false)
		}
		loss = ceFwd(x.f64[x.offset:x.offset+bsz*c], targets, c, p)
		out.f64[0] = loss
		out.aux64 = p
	} else {
		// float32 keeps per row only the shift and 1/Σ (ce_fast.go); the
		// backward recomputes the softmax from the logits.
		var st []float32
		if rec {
			st = allocF32(a, 2*bsz, false)
		}
		loss = ceFwd32(x.f32[x.offset:x.offset+bsz*c], targets, c, st)
		out.f32[0] = float32(loss)
		out.aux32 = st
	}
	if record(out, opCrossEntropy, x, nil, nil) {
		out.ints = allocInts(a, bsz)
		copy(out.ints, targets)
	}
	return out, nil
}

// ceFwd returns the mean loss and, when p is not nil, stores the softmax
// (the float64 reference path; float32 runs ceFwd32).
func ceFwd[T float](x []T, targets []int, c int, p []T) float64 {
	if len(targets) == 0 {
		return math.NaN()
	}
	var total float64
	for i := range targets {
		total += ceRow(x, targets, c, p, i)
	}
	return total / float64(len(targets))
}

// ceRow is row i's loss; it stores the row's softmax in p when p is not nil.
func ceRow[T float](x []T, targets []int, c int, p []T, i int) float64 {
	row := x[i*c : i*c+c]
	mx := math.Inf(-1)
	for _, v := range row {
		if float64(v) > mx {
			mx = float64(v)
		}
	}
	var s float64
	if p != nil {
		pr := p[i*c : i*c+c]
		for j, v := range row {
			e := math.Exp(float64(v) - mx)
			pr[j] = T(e)
			s += e
		}
		inv := 1 / s
		for j := range pr {
			pr[j] = T(float64(pr[j]) * inv)
		}
	} else {
		for _, v := range row {
			s += math.Exp(float64(v) - mx)
		}
	}
	return mx + math.Log(s) - float64(row[targets[i]])
}

func crossEntropyBackward(t *Tensor) {
	x := t.parents[0]
	if t.dtype == Float32 {
		set := x.grad == nil
		if set {
			// A fresh gradient (the usual case: logits feed only the loss) is
			// written directly, skipping a zeroing pass over [B, C].
			x.grad = newTensorIn(x.arena, x.dtype, x.shape, false)
		}
		ceGrad32(x.grad.f32, x.f32[x.offset:], t.aux32, t.ints, x.shape[1], t.grad.f32[0], set)
		return
	}
	ensureGrad(x)
	ceGrad(x.grad.f64, t.aux64, t.ints, x.shape[1], t.grad.f64[0])
}

func ceGrad[T float](gx, p []T, targets []int, c int, g T) {
	if len(targets) == 0 {
		return
	}
	s := g / T(len(targets))
	for i, tg := range targets {
		row := gx[i*c : i*c+c]
		pr := p[i*c : i*c+c]
		for j, v := range pr {
			row[j] += s * v
		}
		row[tg] -= s
	}
}

// MSE returns the mean squared error mean((pred - target)^2) of two tensors
// of the same shape (torch.nn.functional.mse_loss, reduction='mean').
func MSE(pred, target *Tensor) (*Tensor, error) {
	if err := checkPair("mse", pred, target); err != nil {
		return nil, err
	}
	if !sameShape(pred.shape, target.shape) {
		return nil, shapeErr("mse", "shapes differ", pred.shape, target.shape)
	}
	out := newTensor(pred.dtype, nil, false)
	n := pred.Numel()
	if pred.dtype == Float64 {
		out.f64[0] = mseFwd(pred.f64, target.f64, pred, target) / float64(n)
	} else {
		out.f32[0] = float32(mseFwd(pred.f32, target.f32, pred, target) / float64(n))
	}
	record(out, opMSE, pred, target, nil)
	return out, nil
}

func mseFwd[T float](p, q []T, pt, qt *Tensor) float64 {
	var it rowIter
	it.init(pt.shape, 2, [4][]int{pt.strides, qt.strides}, [4]int{pt.offset, qt.offset})
	var s float64
	for it.next() {
		po, qo, ps, qs := it.off[0], it.off[1], it.inner[0], it.inner[1]
		for i := 0; i < it.n; i++ {
			d := float64(p[po+i*ps]) - float64(q[qo+i*qs])
			s += d * d
		}
	}
	return s
}

func mseBackward(t *Tensor) {
	p, q := t.parents[0], t.parents[1]
	n := p.Numel()
	for w, dst := range [2]*Tensor{p, q} {
		if !dst.requiresGrad {
			continue
		}
		ensureGrad(dst)
		sign := 1.0
		if w == 1 {
			sign = -1
		}
		if t.dtype == Float64 {
			mseGrad(dst.grad.f64, p.f64, q.f64, p, q, sign*2*t.grad.f64[0]/float64(n))
		} else {
			mseGrad(dst.grad.f32, p.f32, q.f32, p, q, sign*2*float64(t.grad.f32[0])/float64(n))
		}
	}
}

func mseGrad[T float](gd, p, q []T, pt, qt *Tensor, scale float64) {
	var cs [MaxDims]int
	var it rowIter
	it.init(pt.shape, 3, [4][]int{contiguousOf(pt.shape, &cs), pt.strides, qt.strides}, [4]int{0, pt.offset, qt.offset})
	s := T(scale)
	for it.next() {
		o, po, qo, ps, qs := it.off[0], it.off[1], it.off[2], it.inner[1], it.inner[2]
		d := gd[o : o+it.n]
		for i := range d {
			d[i] += s * (p[po+i*ps] - q[qo+i*qs])
		}
	}
}
