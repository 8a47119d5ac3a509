package tensor

import (
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
	gx, gh, h, err := cellInputs("gru_cell", 3, "hidden state", gx, gh, h)
	if err != nil {
		return nil, err
	}
	out := newTensor(gx.dtype, h.shape, false)
	runCell(out, opGRUCell, 3, 3, gx, gh, h, gruCellFwd[float64], gruCellFwd32)
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
	d64, d32 := cellGrads(gx, gh, h)
	if t.dtype == Float64 {
		gruCellGrad(t.grad.f64, t.aux64, gh.f64[gh.offset:], h.f64[h.offset:], d64[0], d64[1], d64[2], b, hs)
		return
	}
	gruCellGrad(t.grad.f32, t.aux32, gh.f32[gh.offset:], h.f32[h.offset:], d32[0], d32[1], d32[2], b, hs)
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
