package tensor

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

var opGRUCell = registerOp("gru_cell", gruCellBackward)

// GRUCell is one fused GRU step for a batch, with PyTorch's semantics:
// from the input projection gx = x·W_ihᵀ + b_ih and the recurrent
// projection gh = h·W_hhᵀ + b_hh (both [B, 3H], gates in PyTorch's order
// r, z, n) and the previous hidden state h [B, H] it computes
//
//	r = σ(gx_r + gh_r) ; z = σ(gx_z + gh_z)
//	n = tanh(gx_n + r⊙gh_n) ; h' = (1−z)⊙n + z⊙h
//
// in one pass and returns h' [B, H] (computed as n + z⊙(h − n)). The
// backward is hand-written: it saves r, z and n instead of the dozen
// elementwise ops (and their views) of the unfused cell.
func GRUCell(gx, gh, h *Tensor) (*Tensor, error) {
	if gx == nil || gh == nil || h == nil {
		return nil, nilErr("gru_cell")
	}
	if gx.dtype != gh.dtype || gx.dtype != h.dtype {
		return nil, fmt.Errorf("tensor: gru_cell: dtypes %v, %v and %v differ", gx.dtype, gh.dtype, h.dtype)
	}
	if len(h.shape) != 2 || len(gx.shape) != 2 || !sameShape(gx.shape, gh.shape) ||
		gx.shape[0] != h.shape[0] || gx.shape[1] != 3*h.shape[1] {
		return nil, shapeErr("gru_cell", "need gates [B, 3H], [B, 3H] and hidden state [B, H]", gx.shape, gh.shape, h.shape)
	}
	var err error
	if gx, err = gx.Contiguous(); err != nil {
		return nil, err
	}
	if gh, err = gh.Contiguous(); err != nil {
		return nil, err
	}
	if h, err = h.Contiguous(); err != nil {
		return nil, err
	}
	b, hs := h.shape[0], h.shape[1]
	out := newTensor(gx.dtype, h.shape, false)
	rec := gradEnabled && (gx.requiresGrad || gh.requiresGrad || h.requiresGrad)
	n := b * hs
	if gx.dtype == Float64 {
		var save []float64
		if rec {
			save = allocF64(curArena, 3*n, false)
		}
		gruCellFwd(out.f64, save, gx.f64[gx.offset:gx.offset+3*n], gh.f64[gh.offset:gh.offset+3*n], h.f64[h.offset:h.offset+n], b, hs)
		if record(out, opGRUCell, gx, gh, h) {
			out.aux64 = save
		}
	} else {
		save := allocF32(curArena, 3*n, false) // scratch when not recording
		gruCellFwd32(out.f32, save, gx.f32[gx.offset:gx.offset+3*n], gh.f32[gh.offset:gh.offset+3*n], h.f32[h.offset:h.offset+n], b, hs)
		if rec && record(out, opGRUCell, gx, gh, h) {
			out.aux32 = save
		}
	}
	return out, nil
}

// gruCellFwd (the float64 path) writes h' to out; save (if not empty)
// receives r, z and n, each [B, H].
func gruCellFwd[T float](out, save, gx, gh, h []T, b, hs int) {
	n := b * hs
	for row := 0; row < b; row++ {
		x := gx[row*3*hs : (row+1)*3*hs]
		y := gh[row*3*hs : (row+1)*3*hs]
		hp, ho := h[row*hs:(row+1)*hs], out[row*hs:(row+1)*hs]
		for j := 0; j < hs; j++ {
			r := sigmoid(float64(x[j]) + float64(y[j]))
			z := sigmoid(float64(x[hs+j]) + float64(y[hs+j]))
			cn := math.Tanh(float64(x[2*hs+j]) + r*float64(y[2*hs+j]))
			ho[j] = T(cn + z*(float64(hp[j])-cn))
			if len(save) > 0 {
				k := row*hs + j
				save[k], save[n+k], save[2*n+k] = T(r), T(z), T(cn)
			}
		}
	}
}

// gruCellFwd32 is gruCellFwd for float32 in vectorisable passes: r and z
// by kernels.Sigmoid, the candidate n by kernels.Tanh, then h'.
func gruCellFwd32(out, save, gx, gh, h []float32, b, hs int) {
	n := b * hs
	for row := 0; row < b; row++ {
		x := gx[row*3*hs : (row+1)*3*hs]
		y := gh[row*3*hs : (row+1)*3*hs]
		lo, hi := row*hs, (row+1)*hs
		for q := range 2 {
			d := save[q*n+lo : q*n+hi]
			xs, ys := x[q*hs:(q+1)*hs], y[q*hs:(q+1)*hs]
			for j := range d {
				d[j] = xs[j] + ys[j]
			}
			kernels.Sigmoid(d, d)
		}
		r, z, cn := save[lo:hi], save[n+lo:n+hi], save[2*n+lo:2*n+hi]
		xn, yn := x[2*hs:3*hs], y[2*hs:3*hs]
		xn, yn = xn[:len(cn)], yn[:len(cn)]
		r = r[:len(cn)]
		for j := range cn {
			cn[j] = xn[j] + r[j]*yn[j]
		}
		kernels.Tanh(cn, cn)
		hp, ho := h[lo:hi], out[lo:hi]
		hp, z = hp[:len(ho)], z[:len(ho)]
		cn = cn[:len(ho)]
		for j := range ho {
			ho[j] = cn[j] + z[j]*(hp[j]-cn[j])
		}
	}
}

func gruCellBackward(t *Tensor) {
	gx, gh, h := t.parents[0], t.parents[1], t.parents[2]
	b, hs := t.shape[0], t.shape[1]
	for _, p := range [3]*Tensor{gx, gh, h} {
		if p.requiresGrad {
			ensureGrad(p)
		}
	}
	if t.dtype == Float64 {
		var dgx, dgh, dh []float64
		if gx.requiresGrad {
			dgx = gx.grad.f64
		}
		if gh.requiresGrad {
			dgh = gh.grad.f64
		}
		if h.requiresGrad {
			dh = h.grad.f64
		}
		gruCellGrad(t.grad.f64, t.aux64, gh.f64[gh.offset:], h.f64[h.offset:], dgx, dgh, dh, b, hs)
		return
	}
	var dgx, dgh, dh []float32
	if gx.requiresGrad {
		dgx = gx.grad.f32
	}
	if gh.requiresGrad {
		dgh = gh.grad.f32
	}
	if h.requiresGrad {
		dh = h.grad.f32
	}
	gruCellGrad(t.grad.f32, t.aux32, gh.f32[gh.offset:], h.f32[h.offset:], dgx, dgh, dh, b, hs)
}

// gruCellGrad accumulates the cell's input gradients from g = dh'. gh and
// h are the forward's recurrent projection and previous state; dgx and
// dgh (either may be nil) receive the gate pre-activation gradients —
// they differ only in the n block, where gh_n enters scaled by r — and dh
// (may be nil) the previous state's.
func gruCellGrad[T float](g, save, gh, h, dgx, dgh, dh []T, b, hs int) {
	n := b * hs
	sr, sz, sn := save[:n], save[n:2*n], save[2*n:3*n]
	for row := 0; row < b; row++ {
		for j := 0; j < hs; j++ {
			k := row*hs + j
			r, z, cn, gk := sr[k], sz[k], sn[k], g[k]
			base := row*3*hs + j
			dan := gk * (1 - z) * (1 - cn*cn)        // d(gx_n + r⊙gh_n)
			dar := dan * gh[base+2*hs] * r * (1 - r) // d(gx_r + gh_r)
			daz := gk * (h[k] - cn) * z * (1 - z)    // d(gx_z + gh_z)
			if dgx != nil {
				dgx[base] += dar
				dgx[base+hs] += daz
				dgx[base+2*hs] += dan
			}
			if dgh != nil {
				dgh[base] += dar
				dgh[base+hs] += daz
				dgh[base+2*hs] += dan * r
			}
			if dh != nil {
				dh[k] += gk * z
			}
		}
	}
}
