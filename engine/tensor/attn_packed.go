package tensor

import (
	"fmt"
	"math"
)

// Self-attention on packed projections: the fused attention of
// attention.go reading the heads' queries, keys and values straight out of
// the in_proj output [B, L, 3E] and writing the heads' outputs merged as
// [B, L, E], so that a multi-head self-attention layer needs no
// split/permute/contiguous copies around the kernel (nor their backward
// scatters).

var opAttentionPacked = registerOp("scaled_dot_product_attention_packed", attentionPackedBackward)

// ScaledDotProductAttentionPacked is self-attention over qkv [B, L, 3E],
// the packed input projection of torch.nn.MultiheadAttention: along the
// last dim the queries, keys and values, each split into heads blocks of
// D = E/heads (q[b, h, i, :] = qkv[b, i, h·D : (h+1)·D], k at offset E, v
// at 2E). It returns the heads' outputs concatenated, [B, L, E] (what
// permuting ScaledDotProductAttention's [B, H, L, D] output to [B, L, H, D]
// gives). opts are those of ScaledDotProductAttention (Mask [L, L],
// KeyPadding [B, L], Dropout). Gradients flow to qkv.
func ScaledDotProductAttentionPacked(qkv *Tensor, heads int, opts AttentionOptions) (*Tensor, error) {
	const name = "scaled_dot_product_attention_packed"
	if qkv == nil {
		return nil, nilErr(name)
	}
	if len(qkv.shape) != 3 || heads < 1 || qkv.shape[2]%(3*heads) != 0 || qkv.shape[2] == 0 {
		return nil, shapeErr(name, fmt.Sprintf("need qkv [B, L, 3E] with E a positive multiple of %d heads", heads), qkv.shape)
	}
	b, l, e := qkv.shape[0], qkv.shape[1], qkv.shape[2]/3
	d := e / heads
	if m := opts.Mask; m != nil {
		if m.dtype != qkv.dtype {
			return nil, dtypeErr(name, qkv.dtype, m.dtype)
		}
		if len(m.shape) != 2 || m.shape[0] != l || m.shape[1] != l {
			return nil, shapeErr(name, fmt.Sprintf("mask must be [%d, %d]", l, l), m.shape)
		}
	}
	if opts.KeyPadding != nil && len(opts.KeyPadding) != b*l {
		return nil, fmt.Errorf("tensor: %s: key padding has %d entries, want B·L = %d", name, len(opts.KeyPadding), b*l)
	}
	if err := checkAttnDropout(name, &opts); err != nil {
		return nil, err
	}
	var err error
	if qkv, err = qkv.Contiguous(); err != nil {
		return nil, err
	}
	mask := opts.Mask
	if mask != nil {
		if mask, err = mask.Contiguous(); err != nil {
			return nil, err
		}
	}
	a := curArena
	var shp [3]int
	shp[0], shp[1], shp[2] = b, l, e
	out := newTensor(qkv.dtype, shp[:], false)
	scale := opts.Scale
	if scale == 0 {
		scale = 1 / math.Sqrt(float64(d))
	}
	pad, opData, seed := attnOpData(a, opts.KeyPadding, opts.Dropout, opts.RNG)
	geo := packedGeom(b, heads, l, d, opts.Causal, pad)
	geo.drop, geo.seed = opts.Dropout, seed
	if qkv.dtype == Float64 {
		lse := allocF64(a, b*heads*l, false)
		var m []float64
		if mask != nil {
			m = mask.f64[mask.offset : mask.offset+l*l]
		}
		x := qkv.f64[qkv.offset:]
		w := attnArgs[float64]{attnGeom: geo, scale: scale, q: x, k: x[e:], v: x[2*e:], o: out.f64, lse: lse, mask: m}
		attnForward(&w, 0, b*heads, make([]float64, attnScratch()))
		out.aux64 = lse
	} else {
		lse := allocF32(a, b*heads*l, false)
		var m []float32
		if mask != nil {
			m = mask.f32[mask.offset : mask.offset+l*l]
		}
		x := qkv.f32[qkv.offset:]
		w := getAttnWork32()
		w.attnArgs = attnArgs[float32]{attnGeom: geo, scale: scale, q: x, k: x[e:], v: x[2*e:], o: out.f32, lse: lse, mask: m}
		w.run(false)
		putAttnWork32(w)
		out.aux32 = lse
	}
	var mp *Tensor
	if mask != nil {
		mp = mask.Detach()
	}
	if record(out, opAttentionPacked, qkv, mp, nil) {
		out.ints = opData
		out.farg[0], out.farg[1] = scale, opts.Dropout
		out.iarg[2] = heads
		if opts.Causal {
			out.iarg[0] = 1
		}
		if pad != nil {
			out.iarg[1] = 1
		}
	}
	return out, nil
}

// packedGeom is the geometry of self-attention over a packed [B, L, 3E]
// projection (E = h·d) with a merged [B, L, E] output.
func packedGeom(b, h, l, d int, causal bool, pad []int) attnGeom {
	e := h * d
	in := attnLayout{bs: l * 3 * e, hs: d, rs: 3 * e}
	return attnGeom{b: b, h: h, l: l, s: l, d: d, dv: d, causal: causal, pad: pad,
		lq: in, lk: in, lv: in, lo: attnLayout{bs: l * e, hs: d, rs: e}}
}

func attentionPackedBackward(t *Tensor) {
	x := t.parents[0]
	if !x.requiresGrad {
		return
	}
	b, l, e := x.shape[0], x.shape[1], x.shape[2]/3
	h := t.iarg[2]
	pad, seed := attnOpSeed(t, t.iarg[1] == 1)
	geo := packedGeom(b, h, l, e/h, t.iarg[0] == 1, pad)
	geo.drop, geo.seed = t.farg[1], seed
	if t.dtype == Float64 {
		ensureGrad(x)
		xs, gx := x.f64[x.offset:], x.grad.f64
		a := attnArgs[float64]{attnGeom: geo, scale: t.farg[0], q: xs, k: xs[e:], v: xs[2*e:],
			o: t.f64, lse: t.aux64, g: t.grad.f64, gq: gx, gk: gx[e:], gv: gx[2*e:]}
		if len(t.parents) > 1 {
			m := t.parents[1]
			a.mask = m.f64[m.offset:]
		}
		a.ghead = make([]float64, b*h*l)
		attnBackwardHeads(&a, 0, b*h, make([]float64, attnScratch()))
		return
	}
	fresh := x.grad == nil
	if fresh {
		// every element of dQKV is some head's: each head's worker clears
		// its own rows, so the buffer needs no zeroing pass
		x.grad = newTensorIn(x.arena, x.dtype, x.shape, false)
	}
	xs, gx := x.f32[x.offset:], x.grad.f32
	w := getAttnWork32()
	w.attnArgs = attnArgs[float32]{attnGeom: geo, scale: t.farg[0], q: xs, k: xs[e:], v: xs[2*e:],
		o: t.f32, lse: t.aux32, g: t.grad.f32, gq: gx, gk: gx[e:], gv: gx[2*e:], fresh: fresh}
	if len(t.parents) > 1 {
		m := t.parents[1]
		w.mask = m.f32[m.offset:]
	}
	w.ghead = allocF32(t.arena, b*h*l, false)
	w.run(true)
	putAttnWork32(w)
}
