package tensor

import "fmt"

var opDropout = registerOp("dropout", dropoutBackward)

// Dropout is torch.nn.functional.dropout in training mode: each element is
// zeroed with probability p and the survivors are scaled by 1/(1−p)
// (inverted dropout), so evaluation needs no rescaling — in eval mode do
// not call it (it is the identity). The mask is drawn from rng, so a seed
// reproduces it; the backward pass multiplies by the same mask. p = 0
// returns x itself; p = 1 zeroes everything.
func Dropout(x *Tensor, p float64, rng *RNG) (*Tensor, error) {
	if x == nil {
		return nil, nilErr("dropout")
	}
	if !(p >= 0 && p <= 1) {
		return nil, fmt.Errorf("tensor: dropout: probability %v not in [0, 1]", p)
	}
	if rng == nil {
		return nil, fmt.Errorf("tensor: dropout: nil RNG")
	}
	if p == 0 {
		return x, nil
	}
	x, err := x.Contiguous()
	if err != nil {
		return nil, err
	}
	n := x.Numel()
	out := newTensor(x.dtype, x.shape, false)
	a := curArena
	scale := 0.0
	if p < 1 {
		scale = 1 / (1 - p)
	}
	if x.dtype == Float64 {
		mask := allocF64(a, n, false)
		dropoutFwd(out.f64, x.f64[x.offset:x.offset+n], mask, p, scale, rng)
		out.aux64 = mask
	} else {
		mask := allocF32(a, n, false)
		dropoutFwd(out.f32, x.f32[x.offset:x.offset+n], mask, p, scale, rng)
		out.aux32 = mask
	}
	record(out, opDropout, x, nil, nil)
	return out, nil
}

func dropoutFwd[T float](out, x, mask []T, p, scale float64, rng *RNG) {
	s := T(scale)
	for i, v := range x {
		if rng.Float64() < p {
			mask[i] = 0
		} else {
			mask[i] = s
		}
		out[i] = v * mask[i]
	}
}

func dropoutBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	if t.dtype == Float64 {
		mulAdd(x.grad.f64, t.grad.f64, t.aux64)
	} else {
		mulAdd(x.grad.f32, t.grad.f32, t.aux32)
	}
}

func mulAdd[T float](dst, a, b []T) {
	a, b = a[:len(dst)], b[:len(dst)]
	for i := range dst {
		dst[i] += a[i] * b[i]
	}
}
