package tensor

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// Fused scaled-dot-product attention.
//
// The forward pass follows FlashAttention (Dao, Fu, Ermon, Rudra, Ré,
// "FlashAttention: Fast and Memory-Efficient Exact Attention with
// IO-Awareness", NeurIPS 2022): for each block of attnBlockQ queries it
// walks the keys in blocks of attnBlockK, keeping a running row maximum m
// and normaliser l (the "online softmax"), rescaling the output
// accumulator when the maximum grows. Only one attnBlockQ×attnBlockK block
// of scores exists at a time per worker; the L×S attention matrix is never
// materialised. The forward saves only the per-row log-sum-exp
// lse = m + log l; the backward recomputes each block of probabilities
// P = exp(S - lse) from Q and K (Algorithm 4 of the paper):
//
//	dV += Pᵀ·dO      dP = dO·Vᵀ      dS = P ⊙ (dP - rowsum(dO ⊙ O)) · scale
//	dQ += dS·K       dK += dSᵀ·Q
//
// Heads run in parallel on the kernels' worker pool; the block products
// are SGEMM calls.

const (
	attnBlockQ = 64
	attnBlockK = 64
)

// AttentionOptions configures ScaledDotProductAttention.
type AttentionOptions struct {
	// Causal masks key j for query i when j > i (top-left aligned, like
	// torch's is_causal / a triu(ones(L, S), 1) mask).
	Causal bool
	// Mask, when not nil, is an additive float mask of shape [L, S] (use
	// -Inf to forbid a position), like a float attn_mask in PyTorch. It
	// must have the queries' dtype; no gradient flows into it.
	Mask *Tensor
	// KeyPadding, when not nil, has B·S entries (row-major [B, S]); true
	// marks a padded key that no query attends to (PyTorch's
	// key_padding_mask).
	KeyPadding []bool
	// Scale multiplies QKᵀ; 0 means 1/√D.
	Scale float64
}

var opAttention = registerOp("scaled_dot_product_attention", attentionBackward)

// ScaledDotProductAttention returns softmax(Q·Kᵀ·scale + mask)·V for
// q [B, H, L, D], k [B, H, S, D] and v [B, H, S, Dv] with the fused,
// memory-frugal algorithm described above. Rows whose keys are all masked
// give zeros (PyTorch gives NaN there). Gradients flow to q, k and v.
func ScaledDotProductAttention(q, k, v *Tensor, opts AttentionOptions) (*Tensor, error) {
	b, h, l, s, d, dv, err := checkAttention("scaled_dot_product_attention", q, k, v, &opts)
	if err != nil {
		return nil, err
	}
	if q, err = q.Contiguous(); err != nil {
		return nil, err
	}
	if k, err = k.Contiguous(); err != nil {
		return nil, err
	}
	if v, err = v.Contiguous(); err != nil {
		return nil, err
	}
	mask := opts.Mask
	if mask != nil {
		if mask, err = mask.Contiguous(); err != nil {
			return nil, err
		}
	}
	a := curArena
	var shp [4]int
	shp[0], shp[1], shp[2], shp[3] = b, h, l, dv
	out := newTensor(q.dtype, shp[:], false)
	scale := opts.Scale
	if scale == 0 {
		scale = 1 / math.Sqrt(float64(d))
	}
	var pad []int
	if opts.KeyPadding != nil {
		pad = allocInts(a, b*s)
		for i, p := range opts.KeyPadding {
			if p {
				pad[i] = 1
			} else {
				pad[i] = 0
			}
		}
	}
	geo := attnGeom{b: b, h: h, l: l, s: s, d: d, dv: dv, causal: opts.Causal, pad: pad}
	if q.dtype == Float64 {
		lse := allocF64(a, b*h*l, false)
		var m []float64
		if mask != nil {
			m = mask.f64[mask.offset : mask.offset+l*s]
		}
		w := attnArgs[float64]{attnGeom: geo, scale: scale, q: q.f64[q.offset:], k: k.f64[k.offset:], v: v.f64[v.offset:], o: out.f64, lse: lse, mask: m}
		attnForward(&w, 0, b*h, make([]float64, attnScratch()))
		out.aux64 = lse
	} else {
		lse := allocF32(a, b*h*l, false)
		var m []float32
		if mask != nil {
			m = mask.f32[mask.offset : mask.offset+l*s]
		}
		w := getAttnWork32()
		w.attnArgs = attnArgs[float32]{attnGeom: geo, scale: scale, q: q.f32[q.offset:], k: k.f32[k.offset:], v: v.f32[v.offset:], o: out.f32, lse: lse, mask: m}
		w.run(false)
		putAttnWork32(w)
		out.aux32 = lse
	}
	var mp *Tensor
	if mask != nil {
		mp = mask.Detach()
	}
	ps := [4]*Tensor{q, k, v, mp}
	n := 3
	if mp != nil {
		n = 4
	}
	if recordN(out, opAttention, ps[:n]) {
		out.ints = pad
		out.farg[0] = scale
		if opts.Causal {
			out.iarg[0] = 1
		}
		if pad != nil {
			out.iarg[1] = 1
		}
	}
	return out, nil
}

func checkAttention(name string, q, k, v *Tensor, opts *AttentionOptions) (b, h, l, s, d, dv int, err error) {
	if q == nil || k == nil || v == nil {
		return 0, 0, 0, 0, 0, 0, nilErr(name)
	}
	if err = checkPair(name, q, k); err == nil {
		err = checkPair(name, q, v)
	}
	if err != nil {
		return
	}
	if len(q.shape) != 4 || len(k.shape) != 4 || len(v.shape) != 4 {
		return 0, 0, 0, 0, 0, 0, shapeErr(name, "need q [B,H,L,D], k [B,H,S,D], v [B,H,S,Dv]", q.shape, k.shape, v.shape)
	}
	b, h, l, d = q.shape[0], q.shape[1], q.shape[2], q.shape[3]
	s, dv = k.shape[2], v.shape[3]
	if k.shape[0] != b || k.shape[1] != h || k.shape[3] != d || v.shape[0] != b || v.shape[1] != h || v.shape[2] != s {
		return 0, 0, 0, 0, 0, 0, shapeErr(name, "need q [B,H,L,D], k [B,H,S,D], v [B,H,S,Dv]", q.shape, k.shape, v.shape)
	}
	if m := opts.Mask; m != nil {
		if m.dtype != q.dtype {
			return 0, 0, 0, 0, 0, 0, dtypeErr(name, q.dtype, m.dtype)
		}
		if len(m.shape) != 2 || m.shape[0] != l || m.shape[1] != s {
			return 0, 0, 0, 0, 0, 0, shapeErr(name, fmt.Sprintf("mask must be [%d, %d]", l, s), m.shape)
		}
	}
	if opts.KeyPadding != nil && len(opts.KeyPadding) != b*s {
		return 0, 0, 0, 0, 0, 0, fmt.Errorf("tensor: %s: key padding has %d entries, want B·S = %d", name, len(opts.KeyPadding), b*s)
	}
	return b, h, l, s, d, dv, nil
}

// attnGeom is the problem's geometry.
type attnGeom struct {
	b, h, l, s, d, dv int
	causal            bool
	pad               []int // [B*S], 1 = padded key; nil: none
}

// attnArgs are the operands of one attention call (forward or backward).
type attnArgs[T float] struct {
	attnGeom
	scale      float64
	q, k, v, o []T
	lse        []T
	mask       []T // [L*S] additive, or nil
	g          []T // dO (backward)
	gq, gk, gv []T // gradient accumulators (nil: not needed)
	ghead      []T // rowsum(dO ⊙ O) per query row (backward)
}

// attnScratch is the scratch one worker needs: two score blocks and the
// per-row statistics (m, l or D).
func attnScratch() int { return 2*attnBlockQ*attnBlockK + 2*attnBlockQ }

// attnWork32 runs a float32 attention call on the worker pool; fn is built
// once per work object so that kernels.Parallel does not allocate.
type attnWork32 struct {
	attnArgs[float32]
	parts    int
	backward bool
	bufs     []float32
	fn       func(lo, hi int)
}

// attnPool keeps work objects (and their scratch) across calls; unlike a
// sync.Pool it does not drop them at a GC, so a step under an Arena stays
// allocation-free.
var attnPool = freeList[attnWork32]{init: func(w *attnWork32) { w.fn = w.part }}

func getAttnWork32() *attnWork32 { return attnPool.Get() }

func putAttnWork32(w *attnWork32) {
	w.attnArgs = attnArgs[float32]{}
	attnPool.Put(w)
}

func (w *attnWork32) run(backward bool) {
	heads := w.b * w.h
	w.parts = min(kernels.Threads(), heads)
	w.backward = backward
	per := attnScratch()
	if need := w.parts * per; len(w.bufs) < need {
		w.bufs = make([]float32, need)
	}
	kernels.Parallel(w.parts, w.fn)
}

func (w *attnWork32) part(lo, hi int) {
	heads := w.b * w.h
	per := attnScratch()
	for p := lo; p < hi; p++ {
		h0, h1 := heads*p/w.parts, heads*(p+1)/w.parts
		sc := w.bufs[p*per : (p+1)*per]
		if w.backward {
			attnBackwardHeads(&w.attnArgs, h0, h1, sc)
		} else {
			attnForward(&w.attnArgs, h0, h1, sc)
		}
	}
}

// gemmT dispatches to the float32 SGEMM kernel or the float64 reference.
func gemmT[T float](ta, tb bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch cc := any(c).(type) {
	case []float32:
		gemm32(ta, tb, m, n, k, float32(alpha), any(a).([]float32), lda, any(b).([]float32), ldb, float32(beta), cc, ldc)
	case []float64:
		gemmRef(ta, tb, m, n, k, float64(alpha), any(a).([]float64), lda, any(b).([]float64), ldb, float64(beta), cc, ldc)
	}
}

// attnScores fills sc[nq×nk] with scale·Q[q0:q0+nq]·K[k0:k0+nk]ᵀ plus the
// masks (−Inf where forbidden) for head bh.
func attnScores[T float](a *attnArgs[T], bh, q0, nq, k0, nk int, sc []T) {
	qh := a.q[bh*a.l*a.d:]
	kh := a.k[bh*a.s*a.d:]
	gemmT(false, true, nq, nk, a.d, T(a.scale), qh[q0*a.d:], a.d, kh[k0*a.d:], a.d, 0, sc, nk)
	ninf := T(math.Inf(-1))
	var pad []int
	if a.pad != nil {
		bi := bh / a.h
		pad = a.pad[bi*a.s+k0 : bi*a.s+k0+nk]
	}
	for i := 0; i < nq; i++ {
		row := sc[i*nk : i*nk+nk]
		if a.mask != nil {
			mr := a.mask[(q0+i)*a.s+k0:]
			for j := range row {
				row[j] += mr[j]
			}
		}
		for j, p := range pad {
			if p != 0 {
				row[j] = ninf
			}
		}
		if a.causal {
			for j := max(q0+i+1-k0, 0); j < nk; j++ {
				row[j] = ninf
			}
		}
	}
}

// attnKeyEnd is the end of the keys that queries [q0, q0+nq) may see.
func attnKeyEnd(g *attnGeom, q0, nq int) int {
	if g.causal {
		return min(g.s, q0+nq)
	}
	return g.s
}

func attnForward[T float](a *attnArgs[T], h0, h1 int, scratch []T) {
	sc := scratch[:attnBlockQ*attnBlockK]
	mrow := scratch[2*attnBlockQ*attnBlockK : 2*attnBlockQ*attnBlockK+attnBlockQ]
	lrow := scratch[2*attnBlockQ*attnBlockK+attnBlockQ:]
	ninf := math.Inf(-1)
	fast := fastT[T]()
	for bh := h0; bh < h1; bh++ {
		vh := a.v[bh*a.s*a.dv:]
		oh := a.o[bh*a.l*a.dv : (bh+1)*a.l*a.dv]
		lse := a.lse[bh*a.l : (bh+1)*a.l]
		clear(oh)
		for q0 := 0; q0 < a.l; q0 += attnBlockQ {
			nq := min(attnBlockQ, a.l-q0)
			for i := 0; i < nq; i++ {
				mrow[i] = T(ninf)
				lrow[i] = 0
			}
			acc := oh[q0*a.dv : (q0+nq)*a.dv]
			kend := attnKeyEnd(&a.attnGeom, q0, nq)
			for k0 := 0; k0 < kend; k0 += attnBlockK {
				nk := min(attnBlockK, kend-k0)
				s := sc[:nq*nk]
				attnScores(a, bh, q0, nq, k0, nk, s)
				for i := 0; i < nq; i++ {
					row := s[i*nk : i*nk+nk]
					mx := float64(mrow[i])
					for _, x := range row {
						if float64(x) > mx {
							mx = float64(x)
						}
					}
					if math.IsInf(mx, -1) { // nothing visible yet
						clear(row)
						continue
					}
					alpha := math.Exp(float64(mrow[i]) - mx)
					var sum float64
					if r32, ok := as32(row); ok && fast {
						sum = expShiftSum32(r32, float32(mx))
					} else {
						for j, x := range row {
							e := math.Exp(float64(x) - mx)
							row[j] = T(e)
							sum += e
						}
					}
					lrow[i] = T(float64(lrow[i])*alpha + sum)
					mrow[i] = T(mx)
					if alpha != 1 {
						ar := acc[i*a.dv : i*a.dv+a.dv]
						al := T(alpha)
						for j := range ar {
							ar[j] *= al
						}
					}
				}
				gemmT(false, false, nq, a.dv, nk, 1, s, nk, vh[k0*a.dv:], a.dv, 1, acc, a.dv)
			}
			for i := 0; i < nq; i++ {
				ar := acc[i*a.dv : i*a.dv+a.dv]
				if lrow[i] == 0 { // fully masked row: zeros, and P = 0 in backward
					clear(ar)
					lse[q0+i] = T(math.Inf(1))
					continue
				}
				inv := 1 / lrow[i]
				for j := range ar {
					ar[j] *= inv
				}
				lse[q0+i] = T(float64(mrow[i]) + math.Log(float64(lrow[i])))
			}
		}
	}
}

func attentionBackward(t *Tensor) {
	q, k, v := t.parents[0], t.parents[1], t.parents[2]
	geo := attnGeom{b: q.shape[0], h: q.shape[1], l: q.shape[2], s: k.shape[2], d: q.shape[3], dv: v.shape[3],
		causal: t.iarg[0] == 1}
	if t.iarg[1] == 1 {
		geo.pad = t.ints
	}
	for _, p := range [3]*Tensor{q, k, v} {
		if p.requiresGrad {
			ensureGrad(p)
		}
	}
	if t.dtype == Float64 {
		a := attnArgs[float64]{attnGeom: geo, scale: t.farg[0], q: q.f64[q.offset:], k: k.f64[k.offset:], v: v.f64[v.offset:],
			o: t.f64, lse: t.aux64, g: t.grad.f64}
		if len(t.parents) > 3 {
			m := t.parents[3]
			a.mask = m.f64[m.offset:]
		}
		a.gq, a.gk, a.gv = gradOrNil64(q), gradOrNil64(k), gradOrNil64(v)
		a.ghead = make([]float64, geo.b*geo.h*geo.l)
		attnRowDot(&a, a.ghead)
		attnBackwardHeads(&a, 0, geo.b*geo.h, make([]float64, attnScratch()))
		return
	}
	w := getAttnWork32()
	w.attnArgs = attnArgs[float32]{attnGeom: geo, scale: t.farg[0], q: q.f32[q.offset:], k: k.f32[k.offset:], v: v.f32[v.offset:],
		o: t.f32, lse: t.aux32, g: t.grad.f32}
	if len(t.parents) > 3 {
		m := t.parents[3]
		w.mask = m.f32[m.offset:]
	}
	w.gq, w.gk, w.gv = gradOrNil32(q), gradOrNil32(k), gradOrNil32(v)
	// D_i = rowsum(dO ⊙ O), computed up front for every row.
	w.ghead = allocF32(t.arena, geo.b*geo.h*geo.l, false)
	attnRowDot(&w.attnArgs, w.ghead)
	w.run(true)
	putAttnWork32(w)
}

func gradOrNil32(p *Tensor) []float32 {
	if p.requiresGrad {
		return p.grad.f32
	}
	return nil
}

func gradOrNil64(p *Tensor) []float64 {
	if p.requiresGrad {
		return p.grad.f64
	}
	return nil
}

// attnRowDot stores rowsum(dO ⊙ O) for every query row in dst.
func attnRowDot[T float](a *attnArgs[T], dst []T) {
	for r := range dst {
		g := a.g[r*a.dv : r*a.dv+a.dv]
		o := a.o[r*a.dv : r*a.dv+a.dv]
		var s float64
		for j, x := range g {
			s += float64(x) * float64(o[j])
		}
		dst[r] = T(s)
	}
}

func attnBackwardHeads[T float](a *attnArgs[T], h0, h1 int, scratch []T) {
	p := scratch[:attnBlockQ*attnBlockK]
	dp := scratch[attnBlockQ*attnBlockK : 2*attnBlockQ*attnBlockK]
	sc := T(a.scale)
	fast := fastT[T]()
	for bh := h0; bh < h1; bh++ {
		qh, kh, vh := a.q[bh*a.l*a.d:], a.k[bh*a.s*a.d:], a.v[bh*a.s*a.dv:]
		gh := a.g[bh*a.l*a.dv:]
		lse := a.lse[bh*a.l:]
		dd := a.ghead[bh*a.l:]
		for q0 := 0; q0 < a.l; q0 += attnBlockQ {
			nq := min(attnBlockQ, a.l-q0)
			kend := attnKeyEnd(&a.attnGeom, q0, nq)
			for k0 := 0; k0 < kend; k0 += attnBlockK {
				nk := min(attnBlockK, kend-k0)
				pb, db := p[:nq*nk], dp[:nq*nk]
				attnScores(a, bh, q0, nq, k0, nk, pb)
				for i := 0; i < nq; i++ {
					row := pb[i*nk : i*nk+nk]
					ls := float64(lse[q0+i])
					if r32, ok := as32(row); ok && fast {
						l32 := float32(ls)
						for j := range r32 {
							r32[j] -= l32
						}
						kernels.Exp(r32, r32)
					} else {
						for j, x := range row {
							row[j] = T(math.Exp(float64(x) - ls))
						}
					}
				}
				if a.gv != nil { // dV[k] += Pᵀ·dO[q]
					gemmT(true, false, nk, a.dv, nq, 1, pb, nk, gh[q0*a.dv:], a.dv, 1, a.gv[bh*a.s*a.dv+k0*a.dv:], a.dv)
				}
				if a.gq == nil && a.gk == nil {
					continue
				}
				// dP = dO[q]·V[k]ᵀ ; dS = P ⊙ (dP − D)·scale
				gemmT(false, true, nq, nk, a.dv, 1, gh[q0*a.dv:], a.dv, vh[k0*a.dv:], a.dv, 0, db, nk)
				for i := 0; i < nq; i++ {
					di := dd[q0+i]
					pr, dr := pb[i*nk:i*nk+nk], db[i*nk:i*nk+nk]
					for j := range dr {
						dr[j] = pr[j] * (dr[j] - di) * sc
					}
				}
				if a.gq != nil { // dQ[q] += dS·K[k]
					gemmT(false, false, nq, a.d, nk, 1, db, nk, kh[k0*a.d:], a.d, 1, a.gq[bh*a.l*a.d+q0*a.d:], a.d)
				}
				if a.gk != nil { // dK[k] += dSᵀ·Q[q]
					gemmT(true, false, nk, a.d, nq, 1, db, nk, qh[q0*a.d:], a.d, 1, a.gk[bh*a.s*a.d+k0*a.d:], a.d)
				}
			}
		}
	}
}

// AttentionReference is ScaledDotProductAttention composed from primitive
// ops (MatMul, MulScalar, Add, MaskedFill, Softmax, MatMul): it materialises
// the full [B, H, L, S] score tensor. It is the straightforward path the
// fused op is tested against; fully masked rows give NaN, as in PyTorch.
func AttentionReference(q, k, v *Tensor, opts AttentionOptions) (*Tensor, error) {
	b, _, l, s, d, _, err := checkAttention("attention_reference", q, k, v, &opts)
	if err != nil {
		return nil, err
	}
	kt, err := k.Transpose(2, 3)
	if err != nil {
		return nil, err
	}
	sc, err := MatMul(q, kt)
	if err != nil {
		return nil, err
	}
	scale := opts.Scale
	if scale == 0 {
		scale = 1 / math.Sqrt(float64(d))
	}
	if sc, err = sc.MulScalar(scale); err != nil {
		return nil, err
	}
	if opts.Mask != nil {
		if sc, err = Add(sc, opts.Mask.Detach()); err != nil {
			return nil, err
		}
	}
	if opts.Causal || opts.KeyPadding != nil {
		mv := make([]float64, b*l*s)
		for bi := 0; bi < b; bi++ {
			for i := 0; i < l; i++ {
				for j := 0; j < s; j++ {
					if opts.Causal && j > i || opts.KeyPadding != nil && opts.KeyPadding[bi*s+j] {
						mv[(bi*l+i)*s+j] = 1
					}
				}
			}
		}
		m, err := FromFloat64s(mv, b, 1, l, s)
		if err != nil {
			return nil, err
		}
		if m, err = m.To(q.dtype); err != nil {
			return nil, err
		}
		if sc, err = sc.MaskedFill(m, math.Inf(-1)); err != nil {
			return nil, err
		}
	}
	p, err := sc.Softmax(-1)
	if err != nil {
		return nil, err
	}
	return MatMul(p, v)
}
