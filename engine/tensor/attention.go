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
	// Dropout is the probability of zeroing each attention weight, the
	// survivors being scaled by 1/(1−Dropout) (dropout_p of torch's
	// scaled_dot_product_attention; use it in training only). The kernel
	// draws one seed from RNG, which must be set when Dropout > 0, and
	// derives each weight's keep/drop decision from a hash of the seed and
	// the weight's position: the backward pass regenerates the same mask,
	// and the result does not depend on the thread count.
	Dropout float64
	RNG     *RNG
}

// attnDropKeep reports whether the dropout mask keeps weight (bh, i, j) of
// an L×S attention: a splitmix64 hash of seed and the weight's index,
// read as a uniform value in [0, 1), against p.
func attnDropKeep(seed uint64, p float64, bh, i, j, l, s int) bool {
	z := seed + uint64((bh*l+i)*s+j+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	z ^= z >> 31
	return float64(z>>11)*0x1p-53 >= p
}

// attnDropRow applies the dropout mask to row i's weights for keys
// [k0, k0+len(row)) of head bh: dropped ones become 0, kept ones are
// multiplied by keep (1/(1−p)).
func attnDropRow[T float](a *attnArgs[T], row []T, bh, i, k0 int, keep T) {
	for j := range row {
		if attnDropKeep(a.seed, a.drop, bh, i, k0+j, a.l, a.s) {
			row[j] *= keep
		} else {
			row[j] = 0
		}
	}
}

// attnOpData makes the op data of an attention call: the key padding as
// 0/1 ints (B·S entries, or none) followed, with dropout, by the seed
// (drawn from rng). It returns the padding (nil: none) and the whole.
func attnOpData(a *Arena, keyPadding []bool, dropout float64, rng *RNG) (pad, all []int, seed uint64) {
	n, extra := len(keyPadding), 0
	if dropout > 0 {
		extra = 1
	}
	if n+extra == 0 {
		return nil, nil, 0
	}
	all = allocInts(a, n+extra)
	for i, p := range keyPadding {
		all[i] = 0
		if p {
			all[i] = 1
		}
	}
	if keyPadding != nil {
		pad = all[:n]
	}
	if dropout > 0 {
		all[n] = int(rng.Uint64())
		seed = uint64(all[n]) // as the backward pass reads it back (int may be 32 bits)
	}
	return pad, all, seed
}

// attnOpSeed returns the padding and the dropout seed that attnOpData
// stored in t.ints.
func attnOpSeed(t *Tensor, hasPad bool) (pad []int, seed uint64) {
	ints := t.ints
	if t.farg[1] > 0 {
		seed = uint64(ints[len(ints)-1])
		ints = ints[:len(ints)-1]
	}
	if hasPad {
		pad = ints
	}
	return pad, seed
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
	pad, opData, seed := attnOpData(a, opts.KeyPadding, opts.Dropout, opts.RNG)
	geo := attnGeom{b: b, h: h, l: l, s: s, d: d, dv: dv, causal: opts.Causal, pad: pad, drop: opts.Dropout, seed: seed}
	geo.setDense()
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
		out.ints = opData
		out.farg[0], out.farg[1] = scale, opts.Dropout
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
	if err = checkAttnDropout(name, opts); err != nil {
		return 0, 0, 0, 0, 0, 0, err
	}
	return b, h, l, s, d, dv, nil
}

func checkAttnDropout(name string, opts *AttentionOptions) error {
	if !(opts.Dropout >= 0 && opts.Dropout < 1) {
		return fmt.Errorf("tensor: %s: dropout %v not in [0, 1)", name, opts.Dropout)
	}
	if opts.Dropout > 0 && opts.RNG == nil {
		return fmt.Errorf("tensor: %s: dropout %v without an RNG", name, opts.Dropout)
	}
	return nil
}

// attnGeom is the problem's geometry.
type attnGeom struct {
	b, h, l, s, d, dv int
	causal            bool
	pad               []int   // [B*S], 1 = padded key; nil: none
	drop              float64 // dropout probability on the weights (0: none)
	seed              uint64  // dropout mask seed
	// where each operand's rows lie: q (and dQ), k (and dK), v (and dV),
	// o (and dO)
	lq, lk, lv, lo attnLayout
}

// attnLayout places the rows of one attention operand: head bh = b·H + h
// starts at b·bs + h·hs and its rows are rs apart.
type attnLayout struct{ bs, hs, rs int }

// at is the offset of head bh's first row.
func (y attnLayout) at(bh, h int) int { return bh/h*y.bs + bh%h*y.hs }

// denseLayout is the layout of a contiguous [B, H, n, d] operand.
func denseLayout(h, n, d int) attnLayout { return attnLayout{bs: h * n * d, hs: n * d, rs: d} }

// setDense gives every operand the contiguous [B, H, ·, ·] layout.
func (g *attnGeom) setDense() {
	g.lq, g.lk = denseLayout(g.h, g.l, g.d), denseLayout(g.h, g.s, g.d)
	g.lv, g.lo = denseLayout(g.h, g.s, g.dv), denseLayout(g.h, g.l, g.dv)
}

// attnArgs are the operands of one attention call (forward or backward).
type attnArgs[T float] struct {
	attnGeom
	scale      float64
	q, k, v, o []T
	lse        []T
	mask       []T  // [L*S] additive, or nil
	g          []T  // dO (backward)
	gq, gk, gv []T  // gradient accumulators (nil: not needed)
	fresh      bool // gq, gk, gv are unzeroed: each head clears its rows first
	ghead      []T  // rowsum(dO ⊙ O) per query row (backward)
}

// attnScratch is the scratch one worker needs: three score blocks and the
// per-row statistics (m, l).
func attnScratch() int { return 3*attnBlockQ*attnBlockK + 2*attnBlockQ }

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
	qh := a.q[a.lq.at(bh, a.h):]
	kh := a.k[a.lk.at(bh, a.h):]
	gemmT(false, true, nq, nk, a.d, T(a.scale), qh[q0*a.lq.rs:], a.lq.rs, kh[k0*a.lk.rs:], a.lk.rs, 0, sc, nk)
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
	mrow := scratch[3*attnBlockQ*attnBlockK : 3*attnBlockQ*attnBlockK+attnBlockQ]
	lrow := scratch[3*attnBlockQ*attnBlockK+attnBlockQ:]
	ninf := math.Inf(-1)
	keep := T(1 / (1 - a.drop))
	fast := fastT[T]()
	ors := a.lo.rs
	for bh := h0; bh < h1; bh++ {
		vh := a.v[a.lv.at(bh, a.h):]
		oh := a.o[a.lo.at(bh, a.h):]
		lse := a.lse[bh*a.l : (bh+1)*a.l]
		for i := 0; i < a.l; i++ {
			clear(oh[i*ors : i*ors+a.dv])
		}
		for q0 := 0; q0 < a.l; q0 += attnBlockQ {
			nq := min(attnBlockQ, a.l-q0)
			for i := 0; i < nq; i++ {
				mrow[i] = T(ninf)
				lrow[i] = 0
			}
			acc := oh[q0*ors:]
			kend := attnKeyEnd(&a.attnGeom, q0, nq)
			for k0 := 0; k0 < kend; k0 += attnBlockK {
				nk := min(attnBlockK, kend-k0)
				s := sc[:nq*nk]
				attnScores(a, bh, q0, nq, k0, nk, s)
				for i := 0; i < nq; i++ {
					row := s[i*nk : i*nk+nk]
					mx := float64(max(mrow[i], attnRowMax(row, fast)))
					if math.IsInf(mx, -1) { // nothing visible yet
						clear(row)
						continue
					}
					alpha := math.Exp(float64(mrow[i]) - mx)
					var sum float64
					if r32, ok := as32(row); ok && fast {
						sum = kernels.ExpShiftSum(r32, r32, float32(mx))
					} else {
						for j, x := range row {
							e := math.Exp(float64(x) - mx)
							row[j] = T(e)
							sum += e
						}
					}
					lrow[i] = T(float64(lrow[i])*alpha + sum)
					mrow[i] = T(mx)
					if a.drop > 0 { // the normaliser counts every weight; V sees the kept ones
						attnDropRow(a, row, bh, q0+i, k0, keep)
					}
					if alpha != 1 {
						ar := acc[i*ors : i*ors+a.dv]
						al := T(alpha)
						for j := range ar {
							ar[j] *= al
						}
					}
				}
				gemmT(false, false, nq, a.dv, nk, 1, s, nk, vh[k0*a.lv.rs:], a.lv.rs, 1, acc, ors)
			}
			for i := 0; i < nq; i++ {
				ar := acc[i*ors : i*ors+a.dv]
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
	geo.setDense()
	geo.pad, geo.seed = attnOpSeed(t, t.iarg[1] == 1)
	geo.drop = t.farg[1]
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
	// D_i = rowsum(dO ⊙ O), computed by each head's worker first.
	w.ghead = allocF32(t.arena, geo.b*geo.h*geo.l, false)
	w.run(true)
	putAttnWork32(w)
}

// rowMax returns the largest element of row (−Inf when empty), with four
// independent running maxima.
func rowMax[T float](row []T) T {
	ninf := T(math.Inf(-1))
	m0, m1, m2, m3 := ninf, ninf, ninf, ninf
	j := 0
	for ; j+4 <= len(row); j += 4 {
		m0 = max(m0, row[j])
		m1 = max(m1, row[j+1])
		m2 = max(m2, row[j+2])
		m3 = max(m3, row[j+3])
	}
	for ; j < len(row); j++ {
		m0 = max(m0, row[j])
	}
	return max(max(m0, m1), max(m2, m3))
}

// attnRowMax is rowMax, with kernels.Max on float32 rows (fast): that
// skips NaNs, so a row it finds all −Inf/NaN is rescanned with rowMax to
// keep a NaN there (a NaN among finite scores still turns the row's
// normaliser, and so its output, into NaN).
func attnRowMax[T float](row []T, fast bool) T {
	if r32, ok := as32(row); ok && fast {
		if m := kernels.Max(r32); !math.IsInf(float64(m), -1) {
			return T(m)
		}
	}
	return rowMax(row)
}

// dot64 returns Σ x·y in float64 with four accumulators.
func dot64[T float](x, y []T) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	j := 0
	for ; j+4 <= len(x); j += 4 {
		s0 += float64(x[j]) * float64(y[j])
		s1 += float64(x[j+1]) * float64(y[j+1])
		s2 += float64(x[j+2]) * float64(y[j+2])
		s3 += float64(x[j+3]) * float64(y[j+3])
	}
	for ; j < len(x); j++ {
		s0 += float64(x[j]) * float64(y[j])
	}
	return (s0 + s1) + (s2 + s3)
}

// clearRows zeroes n rows of width w, rs apart, at the start of x.
func clearRows[T float](x []T, n, w, rs int) {
	for i := 0; i < n; i++ {
		clear(x[i*rs : i*rs+w])
	}
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

// attnRowDot stores rowsum(dO ⊙ O) for every query row of heads [h0, h1)
// in dst (indexed bh·L + i).
func attnRowDot[T float](a *attnArgs[T], dst []T, h0, h1 int) {
	for bh := h0; bh < h1; bh++ {
		base := a.lo.at(bh, a.h)
		for i := 0; i < a.l; i++ {
			r := base + i*a.lo.rs
			g, o := a.g[r:r+a.dv], a.o[r:r+a.dv]
			if g32, ok := as32(g); ok {
				o32, _ := as32(o)
				dst[bh*a.l+i] = T(kernels.AttnDot64(g32, o32))
				continue
			}
			dst[bh*a.l+i] = T(dot64(g, o))
		}
	}
}

func attnBackwardHeads[T float](a *attnArgs[T], h0, h1 int, scratch []T) {
	p := scratch[:attnBlockQ*attnBlockK]
	dp := scratch[attnBlockQ*attnBlockK : 2*attnBlockQ*attnBlockK]
	pdrop := scratch[2*attnBlockQ*attnBlockK : 3*attnBlockQ*attnBlockK]
	keep := T(1 / (1 - a.drop))
	sc := T(a.scale)
	fast := fastT[T]()
	qrs, krs, vrs, ors := a.lq.rs, a.lk.rs, a.lv.rs, a.lo.rs
	for bh := h0; bh < h1; bh++ {
		attnRowDot(a, a.ghead, bh, bh+1)
		qh, kh, vh := a.q[a.lq.at(bh, a.h):], a.k[a.lk.at(bh, a.h):], a.v[a.lv.at(bh, a.h):]
		gh := a.g[a.lo.at(bh, a.h):]
		lse := a.lse[bh*a.l:]
		dd := a.ghead[bh*a.l:]
		var gqh, gkh, gvh []T
		if a.gq != nil {
			gqh = a.gq[a.lq.at(bh, a.h):]
		}
		if a.gk != nil {
			gkh = a.gk[a.lk.at(bh, a.h):]
		}
		if a.gv != nil {
			gvh = a.gv[a.lv.at(bh, a.h):]
		}
		// With fresh (unzeroed) gradients, the first product into each
		// block of rows writes it (beta 0) instead of accumulating: dQ's
		// rows at their first key block, dK's and dV's at the first query
		// block that sees them (key blocks are reached in order, a prefix
		// [0, kend) growing with q0). Rows no query sees are cleared last.
		kDone := 0 // key blocks of dK, dV written so far
		for q0 := 0; q0 < a.l; q0 += attnBlockQ {
			nq := min(attnBlockQ, a.l-q0)
			kend := attnKeyEnd(&a.attnGeom, q0, nq)
			if a.fresh && a.gq != nil && kend == 0 {
				clearRows(gqh[q0*qrs:], nq, a.d, qrs)
			}
			for k0 := 0; k0 < kend; k0 += attnBlockK {
				nk := min(attnBlockK, kend-k0)
				betaKV, betaQ := T(1), T(1)
				if a.fresh {
					if kb := k0 / attnBlockK; kb >= kDone {
						betaKV, kDone = 0, kb+1
					}
					if k0 == 0 {
						betaQ = 0
					}
				}
				pb, db := p[:nq*nk], dp[:nq*nk]
				attnScores(a, bh, q0, nq, k0, nk, pb)
				for i := 0; i < nq; i++ {
					row := pb[i*nk : i*nk+nk]
					ls := float64(lse[q0+i])
					if r32, ok := as32(row); ok && fast {
						kernels.ExpShiftScale(r32, r32, float32(ls), 1)
					} else {
						for j, x := range row {
							row[j] = T(math.Exp(float64(x) - ls))
						}
					}
				}
				// with dropout, O = (Z ⊙ P)·V for the mask Z (0 or 1/(1−p))
				pz := pb
				if a.drop > 0 {
					pz = pdrop[:nq*nk]
					copy(pz, pb)
					for i := 0; i < nq; i++ {
						attnDropRow(a, pz[i*nk:i*nk+nk], bh, q0+i, k0, keep)
					}
				}
				if a.gv != nil { // dV[k] += (Z ⊙ P)ᵀ·dO[q]
					gemmT(true, false, nk, a.dv, nq, 1, pz, nk, gh[q0*ors:], ors, betaKV, gvh[k0*vrs:], vrs)
				}
				if a.gq == nil && a.gk == nil {
					continue
				}
				// dP = Z ⊙ (dO[q]·V[k]ᵀ) ; dS = P ⊙ (dP − D)·scale, where
				// D = rowsum(dO ⊙ O) = rowsum(P ⊙ dP) still
				gemmT(false, true, nq, nk, a.dv, 1, gh[q0*ors:], ors, vh[k0*vrs:], vrs, 0, db, nk)
				if a.drop > 0 {
					for i := 0; i < nq; i++ {
						attnDropRow(a, db[i*nk:i*nk+nk], bh, q0+i, k0, keep)
					}
				}
				for i := 0; i < nq; i++ {
					di := dd[q0+i]
					pr, dr := pb[i*nk:i*nk+nk], db[i*nk:i*nk+nk]
					if d32, ok := as32(dr); ok {
						p32, _ := as32(pr)
						kernels.AttnDS(d32, p32, float32(di), float32(sc))
						continue
					}
					for j := range dr {
						dr[j] = pr[j] * (dr[j] - di) * sc
					}
				}
				if a.gq != nil { // dQ[q] += dS·K[k]
					gemmT(false, false, nq, a.d, nk, 1, db, nk, kh[k0*krs:], krs, betaQ, gqh[q0*qrs:], qrs)
				}
				if a.gk != nil { // dK[k] += dSᵀ·Q[q]
					gemmT(true, false, nk, a.d, nq, 1, db, nk, qh[q0*qrs:], qrs, betaKV, gkh[k0*krs:], krs)
				}
			}
		}
		if a.fresh {
			if k0 := kDone * attnBlockK; k0 < a.s {
				if a.gk != nil {
					clearRows(gkh[k0*krs:], a.s-k0, a.d, krs)
				}
				if a.gv != nil {
					clearRows(gvh[k0*vrs:], a.s-k0, a.dv, vrs)
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
	if opts.Dropout != 0 {
		return nil, fmt.Errorf("tensor: attention_reference: dropout %v: the reference has none", opts.Dropout)
	}
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
