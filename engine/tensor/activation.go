package tensor

var opSiLU = registerOp("silu", siluBackward)

// SiLU returns x·σ(x) elementwise (torch.nn.functional.silu, also called
// swish). Backward: σ(x)·(1 + x·(1 − σ(x))).
func (t *Tensor) SiLU() (*Tensor, error) {
	if t == nil {
		return nil, nilErr("silu")
	}
	x, err := t.Contiguous()
	if err != nil {
		return nil, err
	}
	n := x.Numel()
	out := newTensor(x.dtype, x.shape, false)
	if x.dtype == Float64 {
		siluFwd(out.f64, x.f64[x.offset:x.offset+n])
	} else {
		siluFwd(out.f32, x.f32[x.offset:x.offset+n])
	}
	record(out, opSiLU, x, nil, nil)
	return out, nil
}

// SiLU returns x·σ(x) elementwise; see Tensor.SiLU.
func SiLU(x *Tensor) (*Tensor, error) { return x.SiLU() }

func siluFwd[T float](out, x []T) {
	out = out[:len(x)]
	for i, v := range x {
		out[i] = T(float64(v) * sigmoid(float64(v)))
	}
}

func siluBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	n := t.Numel()
	if t.dtype == Float64 {
		siluGrad(x.grad.f64, t.grad.f64, x.f64[x.offset:x.offset+n])
	} else {
		siluGrad(x.grad.f32, t.grad.f32, x.f32[x.offset:x.offset+n])
	}
}

func siluGrad[T float](gx, g, x []T) {
	gx, g = gx[:len(x)], g[:len(x)]
	for i, v := range x {
		s := sigmoid(float64(v))
		gx[i] += T(float64(g[i]) * s * (1 + float64(v)*(1-s)))
	}
}
