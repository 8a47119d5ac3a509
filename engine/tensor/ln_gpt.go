package tensor

import (
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// Float32 LayerNorm: rows split across the kernels' worker pool; each row's
// statistics, normalise/affine step, backward sums and input gradient run
// in the kernels.LN* row kernels (AVX-512 with a pure-Go fallback). The weight and bias gradients are sums over rows: each fixed
// chunk of lnChunkRows rows writes its own partial sums, which are then
// added up chunk by chunk in order, so the result does not depend on the
// thread count.

const lnChunkRows = 32

// lnTask carries one LayerNorm call (forward or backward) to the pool.
type lnTask struct {
	run      func(lo, hi int) // t.exec, bound once
	backward bool
	d        int
	eps      float64
	out, x   []float32 // forward output; input
	w, b, st []float32
	g, gx    []float32 // backward: output gradient, input gradient (nil: none)
	setGX    bool      // gx is fresh: write it instead of accumulating
	part     []float32 // backward: per-chunk [Σ g·x̂ (d), Σ g (d)]
	rows     int
}

var lnPool = freeList[lnTask]{init: func(t *lnTask) { t.run = t.exec }}

func (t *lnTask) exec(lo, hi int) {
	for c := lo; c < hi; c++ {
		r0, r1 := c*lnChunkRows, min((c+1)*lnChunkRows, t.rows)
		if t.backward {
			t.backRows(c, r0, r1)
		} else {
			for r := r0; r < r1; r++ {
				lnRow32(t.out[r*t.d:(r+1)*t.d], t.x[r*t.d:(r+1)*t.d], t.w, t.b, t.st[2*r:2*r+2], t.eps)
			}
		}
	}
}

// lnParallel runs t over the row chunks, on the pool when the call is big
// enough to pay for the hand-off.
func lnParallel(t *lnTask) {
	chunks := (t.rows + lnChunkRows - 1) / lnChunkRows
	if t.rows*t.d < ewGrainLight {
		t.exec(0, chunks)
		return
	}
	kernels.Parallel(chunks, t.run)
}

func lnFwd32(out, x, w, b, st []float32, rows, d int, eps float64) {
	t := lnPool.Get()
	t.backward, t.d, t.eps, t.rows = false, d, eps, rows
	t.out, t.x, t.w, t.b, t.st = out, x, w, b, st
	lnParallel(t)
	*t = lnTask{run: t.run}
	lnPool.Put(t)
}

// lnRow32 normalises one row and stores its mean and 1/σ in st. The row
// statistics are float64 sums (kernels.LNSum, kernels.LNSqDev); with both
// weight and bias the normalise-and-affine step is kernels.LNAffine.
func lnRow32(o, xs, w, b, st []float32, eps float64) {
	d := len(xs)
	mean := kernels.LNSum(xs) / float64(d)
	inv := 1 / math.Sqrt(kernels.LNSqDev(xs, mean)/float64(d)+eps)
	st[0], st[1] = float32(mean), float32(inv)
	m, iv := float32(mean), float32(inv)
	o = o[:d]
	switch {
	case w != nil && b != nil:
		kernels.LNAffine(o, xs, w, b, m, iv)
	case w != nil:
		w = w[:d]
		for i, v := range xs {
			o[i] = (v - m) * iv * w[i]
		}
	default:
		for i, v := range xs {
			y := (v - m) * iv
			if b != nil {
				y += b[i]
			}
			o[i] = y
		}
	}
}

func lnGrad32(t *Tensor, x, w, b *Tensor, d int) {
	k := lnPool.Get()
	k.backward, k.d, k.st, k.rows = true, d, t.aux32, len(t.aux32)/2
	k.g, k.x, k.w = t.grad.f32, x.f32[x.offset:], data32(w)
	if x.requiresGrad {
		if x.grad == nil {
			x.grad = newTensorIn(x.arena, x.dtype, x.shape, false)
			k.setGX = true
		}
		k.gx = x.grad.f32
	}
	gw, gb := gradOf32(w), gradOf32(b)
	chunks := (k.rows + lnChunkRows - 1) / lnChunkRows
	if gw != nil || gb != nil {
		k.part = allocF32(t.arena, chunks*2*d, false)
	}
	lnParallel(k)
	if k.part != nil {
		for c := 0; c < chunks; c++ {
			pw, pb := k.part[c*2*d:c*2*d+d], k.part[c*2*d+d:(c+1)*2*d]
			if gw != nil {
				addSlice(gw[:d], pw)
			}
			if gb != nil {
				addSlice(gb[:d], pb)
			}
		}
	}
	*k = lnTask{run: k.run}
	lnPool.Put(k)
}

// backRows computes the input gradient of rows [r0, r1) and chunk c's
// partial weight and bias gradients.
func (t *lnTask) backRows(c, r0, r1 int) {
	d := t.d
	var pw, pb []float32
	if t.part != nil {
		pw, pb = t.part[c*2*d:c*2*d+d], t.part[c*2*d+d:(c+1)*2*d]
		clear(pw)
		clear(pb)
	}
	for r := r0; r < r1; r++ {
		mean, inv := t.st[2*r], t.st[2*r+1]
		xs, gs := t.x[r*d:r*d+d], t.g[r*d:r*d+d]
		if t.gx == nil {
			if pw != nil {
				for i, gv := range gs {
					pw[i] += gv * ((xs[i] - mean) * inv)
					pb[i] += gv
				}
			}
			continue
		}
		// one pass for the partial weight and bias gradients and
		// s1 = Σ ĝ, s2 = Σ ĝ·x̂ with ĝ = g·w
		var a0, a1, b0, b1 float64
		switch {
		case t.w != nil && pw != nil:
			a0, b0 = kernels.LNBackAcc(pw, pb, gs, xs, t.w, mean, inv)
		default:
			for i, gv := range gs {
				x0 := (xs[i] - mean) * inv
				if pw != nil {
					pw[i] += gv * x0
					pb[i] += gv
				}
				h0 := gv
				if t.w != nil {
					h0 *= t.w[i]
				}
				if i&1 == 0 {
					a0 += float64(h0)
					b0 += float64(h0) * float64(x0)
				} else {
					a1 += float64(h0)
					b1 += float64(h0) * float64(x0)
				}
			}
		}
		s1 := float32((a0 + a1) / float64(d))
		s2 := float32((b0 + b1) / float64(d))
		dx := t.gx[r*d : r*d+d]
		switch {
		case t.w != nil:
			kernels.LNBackDx(dx, gs, xs, t.w, mean, inv, s1, s2, !t.setGX)
		case t.setGX:
			for i, gv := range gs {
				dx[i] = inv * (gv - s1 - (xs[i]-mean)*inv*s2)
			}
		default:
			for i, gv := range gs {
				dx[i] += inv * (gv - s1 - (xs[i]-mean)*inv*s2)
			}
		}
	}
}
