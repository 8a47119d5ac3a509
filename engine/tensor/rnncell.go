package tensor

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

var opLSTMCell = registerOp("lstm_cell", lstmCellBackward)

// LSTMCell is one fused LSTM step for a batch: from the input projection
// gx = x·W_ihᵀ + b_ih and the recurrent projection gh = h·W_hhᵀ + b_hh
// (both [B, 4H], gates in PyTorch's order i, f, g, o) and the previous cell
// state c [B, H] it computes
//
//	i, f, o = σ(gates) ; g = tanh(gates) ; c' = f⊙c + i⊙g ; h' = o⊙tanh(c')
//
// in one pass and returns hc [2, B, H] with h' in hc[0] and c' in hc[1].
// The backward is hand-written: it saves the activated gates and tanh(c')
// instead of the ten or so elementwise ops (and their views) of the
// unfused cell.
func LSTMCell(gx, gh, c *Tensor) (*Tensor, error) {
	gx, gh, c, err := cellInputs("lstm_cell", 4, "cell", gx, gh, c)
	if err != nil {
		return nil, err
	}
	shape := [3]int{2, c.shape[0], c.shape[1]}
	out := newTensor(gx.dtype, shape[:], false)
	runCell(out, opLSTMCell, 4, 5, gx, gh, c, lstmCellFwd[float64], lstmCellFwd32)
	return out, nil
}

// cellInputs checks the inputs of the fused recurrent cell op: the gate
// projections gx and gh, both [B, gates·H], and the state s [B, H] (named
// state in errors), all of one dtype. It returns them contiguous.
func cellInputs(op string, gates int, state string, gx, gh, s *Tensor) (_, _, _ *Tensor, err error) {
	if gx == nil || gh == nil || s == nil {
		return nil, nil, nil, nilErr(op)
	}
	if gx.dtype != gh.dtype || gx.dtype != s.dtype {
		return nil, nil, nil, fmt.Errorf("tensor: %s: dtypes %v, %v and %v differ", op, gx.dtype, gh.dtype, s.dtype)
	}
	if len(s.shape) != 2 || len(gx.shape) != 2 || !sameShape(gx.shape, gh.shape) ||
		gx.shape[0] != s.shape[0] || gx.shape[1] != gates*s.shape[1] {
		reason := fmt.Sprintf("need gates [B, %dH], [B, %dH] and %s [B, H]", gates, gates, state)
		return nil, nil, nil, shapeErr(op, reason, gx.shape, gh.shape, s.shape)
	}
	if gx, err = gx.Contiguous(); err != nil {
		return nil, nil, nil, err
	}
	if gh, err = gh.Contiguous(); err != nil {
		return nil, nil, nil, err
	}
	if s, err = s.Contiguous(); err != nil {
		return nil, nil, nil, err
	}
	return gx, gh, s, nil
}

// runCell runs the forward of a fused recurrent cell op on the contiguous
// inputs of cellInputs into out, by their dtype: fwd64 or fwd32 get the
// [B, gates·H] projections, the [B, H] state and a buffer of saved·B·H
// values for the backward — float32's always (scratch when not
// recording), float64's only when the op is recorded. It records op with
// that buffer as out's aux.
func runCell(out *Tensor, op opCode, gates, saved int, gx, gh, s *Tensor,
	fwd64 func(out, save, gx, gh, s []float64, b, h int), fwd32 func(out, save, gx, gh, s []float32, b, h int)) {
	b, h := s.shape[0], s.shape[1]
	n := b * h
	if out.dtype == Float64 {
		var save []float64
		if gradEnabled && (gx.requiresGrad || gh.requiresGrad || s.requiresGrad) {
			save = allocF64(curArena, saved*n, false)
		}
		fwd64(out.f64, save, gx.f64[gx.offset:gx.offset+gates*n], gh.f64[gh.offset:gh.offset+gates*n], s.f64[s.offset:s.offset+n], b, h)
		if record(out, op, gx, gh, s) {
			out.aux64 = save
		}
		return
	}
	save := allocF32(curArena, saved*n, false) // scratch when not recording
	fwd32(out.f32, save, gx.f32[gx.offset:gx.offset+gates*n], gh.f32[gh.offset:gh.offset+gates*n], s.f32[s.offset:s.offset+n], b, h)
	if record(out, op, gx, gh, s) {
		out.aux32 = save
	}
}

// cellGrads gives each of a fused cell's inputs that requires grad a
// gradient buffer and returns them as float64 and float32 slices (nil for
// an input that needs none, and for the other dtype).
func cellGrads(gx, gh, s *Tensor) (d64 [3][]float64, d32 [3][]float32) {
	for i, p := range [3]*Tensor{gx, gh, s} {
		if p.requiresGrad {
			ensureGrad(p)
			d64[i], d32[i] = p.grad.f64, p.grad.f32
		}
	}
	return d64, d32
}

// lstmCellFwd (the float64 path) writes h' to out[:B·H] and c' to
// out[B·H:]; save (if not empty) receives i, f, g, o and tanh(c'), each
// [B, H].
func lstmCellFwd[T float](out, save, gx, gh, c []T, b, h int) {
	n := b * h
	ho, co := out[:n], out[n:2*n]
	for r := 0; r < b; r++ {
		x := gx[r*4*h : (r+1)*4*h]
		y := gh[r*4*h : (r+1)*4*h]
		cp := c[r*h : (r+1)*h]
		hr, cr := ho[r*h:(r+1)*h], co[r*h:(r+1)*h]
		for j := 0; j < h; j++ {
			ig := sigmoid(float64(x[j]) + float64(y[j]))
			fg := sigmoid(float64(x[h+j]) + float64(y[h+j]))
			gg := math.Tanh(float64(x[2*h+j]) + float64(y[2*h+j]))
			og := sigmoid(float64(x[3*h+j]) + float64(y[3*h+j]))
			cn := fg*float64(cp[j]) + ig*gg
			tc := math.Tanh(cn)
			cr[j] = T(cn)
			hr[j] = T(og * tc)
			if len(save) > 0 {
				k := r*h + j
				save[k], save[n+k], save[2*n+k], save[3*n+k], save[4*n+k] = T(ig), T(fg), T(gg), T(og), T(tc)
			}
		}
	}
}

// lstmCellFwd32 is lstmCellFwd for float32 in vectorisable passes: the
// gates (tanh as 2σ(2x)−1) by sigmoidScaled32, then c', tanh(c') and h'.
func lstmCellFwd32(out, save, gx, gh, c []float32, b, h int) {
	n := b * h
	ho, co := out[:n], out[n:2*n]
	for r := 0; r < b; r++ {
		x := gx[r*4*h : (r+1)*4*h]
		y := gh[r*4*h : (r+1)*4*h]
		lo, hi := r*h, (r+1)*h
		for q := range 4 {
			d := save[q*n+lo : q*n+hi]
			xs, ys := x[q*h:(q+1)*h], y[q*h:(q+1)*h]
			for j := range d {
				d[j] = xs[j] + ys[j]
			}
			if q == 2 {
				kernels.Tanh(d, d)
			} else {
				kernels.Sigmoid(d, d)
			}
		}
		ig, fg, gg, og := save[lo:hi], save[n+lo:n+hi], save[2*n+lo:2*n+hi], save[3*n+lo:3*n+hi]
		tc := save[4*n+lo : 4*n+hi]
		cp, cr, hr := c[lo:hi], co[lo:hi], ho[lo:hi]
		for j := range cr {
			cr[j] = fg[j]*cp[j] + ig[j]*gg[j]
		}
		kernels.Tanh(tc, cr)
		for j := range hr {
			hr[j] = og[j] * tc[j]
		}
	}
}

func lstmCellBackward(t *Tensor) {
	gx, gh, c := t.parents[0], t.parents[1], t.parents[2]
	b, h := t.shape[1], t.shape[2]
	d64, d32 := cellGrads(gx, gh, c)
	if t.dtype == Float64 {
		lstmCellGrad(t.grad.f64, t.aux64, c.f64[c.offset:], d64[0], d64[1], d64[2], b, h)
		return
	}
	lstmCellGrad(t.grad.f32, t.aux32, c.f32[c.offset:], d32[0], d32[1], d32[2], b, h)
}

// lstmCellGrad accumulates the cell's input gradients. g holds dh' then
// dc'; dgx and dgh (either may be nil) both receive the gate
// pre-activation gradients, dc (may be nil) the previous cell's.
func lstmCellGrad[T float](g, save, c, dgx, dgh, dc []T, b, h int) {
	n := b * h
	dh, dcn := g[:n], g[n:2*n]
	si, sf, sg, so, stc := save[:n], save[n:2*n], save[2*n:3*n], save[3*n:4*n], save[4*n:5*n]
	for r := 0; r < b; r++ {
		for j := 0; j < h; j++ {
			k := r*h + j
			ig, fg, gg, og, tc := si[k], sf[k], sg[k], so[k], stc[k]
			dct := dcn[k] + dh[k]*og*(1-tc*tc)
			di := dct * gg * ig * (1 - ig)
			df := dct * c[k] * fg * (1 - fg)
			dg := dct * ig * (1 - gg*gg)
			do := dh[k] * tc * og * (1 - og)
			base := r*4*h + j
			if dgx != nil {
				dgx[base] += di
				dgx[base+h] += df
				dgx[base+2*h] += dg
				dgx[base+3*h] += do
			}
			if dgh != nil {
				dgh[base] += di
				dgh[base+h] += df
				dgh[base+2*h] += dg
				dgh[base+3*h] += do
			}
			if dc != nil {
				dc[k] += dct * fg
			}
		}
	}
}
