package tensor

import (
	"fmt"
	"math"
)

var (
	opBatchNorm = registerOp("batch_norm", batchNormBackward)
	opLayerNorm = registerOp("layer_norm", layerNormBackward)
	opRMSNorm   = registerOp("rms_norm", rmsNormBackward)
)

// BatchNorm is torch.nn.functional.batch_norm over x [N, C], [N, C, L] or
// [N, C, H, W], normalising each channel c:
//
//	y = (x − μ_c) / √(σ²_c + eps) · weight_c + bias_c
//
// In training mode μ and σ² are the batch statistics over N and the
// spatial dims (σ² biased), and runningMean/runningVar (when not nil) are
// updated in place as PyTorch does: r ← (1−momentum)·r + momentum·s, with
// the unbiased variance for runningVar. In eval mode the running
// statistics are used (they must not be nil). weight and bias ([C]) may be
// nil (affine=False). The running statistics are buffers, never
// differentiated.
func BatchNorm(x, runningMean, runningVar, weight, bias *Tensor, training bool, momentum, eps float64) (*Tensor, error) {
	const name = "batch_norm"
	if x == nil {
		return nil, nilErr(name)
	}
	if r := len(x.shape); r < 2 || r > 4 {
		return nil, shapeErr(name, "need input [N, C], [N, C, L] or [N, C, H, W]", x.shape)
	}
	c := x.shape[1]
	for _, p := range [4]*Tensor{runningMean, runningVar, weight, bias} {
		if p == nil {
			continue
		}
		if p.dtype != x.dtype {
			return nil, dtypeErr(name, x.dtype, p.dtype)
		}
		if len(p.shape) != 1 || p.shape[0] != c {
			return nil, shapeErr(name, fmt.Sprintf("weight, bias and running statistics must be [%d]", c), x.shape, p.shape)
		}
	}
	for _, p := range [2]*Tensor{runningMean, runningVar} {
		if p != nil && !p.IsContiguous() {
			return nil, fmt.Errorf("tensor: %s: running statistics must be contiguous", name)
		}
	}
	if !training && (runningMean == nil || runningVar == nil) {
		return nil, fmt.Errorf("tensor: %s: eval mode needs running mean and variance", name)
	}
	n, s := x.shape[0], numelOf(x.shape[2:])
	if training && n*s < 2 {
		return nil, shapeErr(name, "training needs more than one value per channel", x.shape)
	}
	var err error
	if x, err = x.Contiguous(); err != nil {
		return nil, err
	}
	if weight != nil {
		if weight, err = weight.Contiguous(); err != nil {
			return nil, err
		}
	}
	if bias != nil {
		if bias, err = bias.Contiguous(); err != nil {
			return nil, err
		}
	}
	out := newTensor(x.dtype, x.shape, false)
	a := curArena
	bn := bnArgs{n: n, c: c, s: s, training: training, momentum: momentum, eps: eps}
	if x.dtype == Float64 {
		stats := allocF64(a, 2*c, false)
		bnFwd(&bn, out.f64, x.f64[x.offset:], data64(runningMean), data64(runningVar), data64(weight), data64(bias), stats)
		out.aux64 = stats
	} else {
		stats := allocF32(a, 2*c, false)
		bnFwd(&bn, out.f32, x.f32[x.offset:], data32(runningMean), data32(runningVar), data32(weight), data32(bias), stats)
		out.aux32 = stats
	}
	if record(out, opBatchNorm, x, weight, bias) && training {
		out.iarg[0] = 1
	}
	return out, nil
}

type bnArgs struct {
	n, c, s       int
	training      bool
	momentum, eps float64
}

// data32 returns the elements of a contiguous Float32 tensor (nil for nil).
func data32(t *Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.f32[t.offset : t.offset+t.Numel()]
}

func data64(t *Tensor) []float64 {
	if t == nil {
		return nil
	}
	return t.f64[t.offset : t.offset+t.Numel()]
}

// bnFwd normalises x into out and stores mean and 1/std per channel in stats.
func bnFwd[T float](a *bnArgs, out, x, rm, rv, w, b, stats []T) {
	n, c, s := a.n, a.c, a.s
	m := float64(n * s)
	for ch := 0; ch < c; ch++ {
		var mean, v float64
		if a.training {
			var sum float64
			for ni := 0; ni < n; ni++ {
				for _, xv := range x[(ni*c+ch)*s : (ni*c+ch)*s+s] {
					sum += float64(xv)
				}
			}
			mean = sum / m
			for ni := 0; ni < n; ni++ {
				for _, xv := range x[(ni*c+ch)*s : (ni*c+ch)*s+s] {
					d := float64(xv) - mean
					v += d * d
				}
			}
			v /= m
			if rm != nil {
				rm[ch] = T((1-a.momentum)*float64(rm[ch]) + a.momentum*mean)
			}
			if rv != nil {
				rv[ch] = T((1-a.momentum)*float64(rv[ch]) + a.momentum*v*m/(m-1))
			}
		} else {
			mean, v = float64(rm[ch]), float64(rv[ch])
		}
		inv := 1 / math.Sqrt(v+a.eps)
		stats[ch], stats[c+ch] = T(mean), T(inv)
		scale, shift := inv, -mean*inv
		if w != nil {
			scale *= float64(w[ch])
			shift *= float64(w[ch])
		}
		if b != nil {
			shift += float64(b[ch])
		}
		sc, sf := T(scale), T(shift)
		for ni := 0; ni < n; ni++ {
			o := out[(ni*c+ch)*s : (ni*c+ch)*s+s]
			for i, xv := range x[(ni*c+ch)*s : (ni*c+ch)*s+s] {
				o[i] = xv*sc + sf
			}
		}
	}
}

func batchNormBackward(t *Tensor) {
	x := t.parents[0]
	var w, b *Tensor
	if len(t.parents) > 1 {
		w = t.parents[1]
	}
	if len(t.parents) > 2 {
		b = t.parents[2]
	}
	a := bnArgs{n: x.shape[0], c: x.shape[1], s: numelOf(x.shape[2:]), training: t.iarg[0] == 1}
	if t.dtype == Float64 {
		bnGrad(&a, t.grad.f64, x.f64[x.offset:], t.aux64, data64(w), gradOf64(x), gradOf64(w), gradOf64(b))
	} else {
		bnGrad(&a, t.grad.f32, x.f32[x.offset:], t.aux32, data32(w), gradOf32(x), gradOf32(w), gradOf32(b))
	}
}

func bnGrad[T float](a *bnArgs, g, x, stats, w, gx, gw, gb []T) {
	n, c, s := a.n, a.c, a.s
	m := float64(n * s)
	for ch := 0; ch < c; ch++ {
		mean, inv := float64(stats[ch]), float64(stats[c+ch])
		var sg, sgx float64
		for ni := 0; ni < n; ni++ {
			xs := x[(ni*c+ch)*s : (ni*c+ch)*s+s]
			for i, gv := range g[(ni*c+ch)*s : (ni*c+ch)*s+s] {
				sg += float64(gv)
				sgx += float64(gv) * (float64(xs[i]) - mean) * inv
			}
		}
		if gw != nil {
			gw[ch] += T(sgx)
		}
		if gb != nil {
			gb[ch] += T(sg)
		}
		if gx == nil {
			continue
		}
		k := inv
		if w != nil {
			k *= float64(w[ch])
		}
		for ni := 0; ni < n; ni++ {
			xs := x[(ni*c+ch)*s : (ni*c+ch)*s+s]
			gs := g[(ni*c+ch)*s : (ni*c+ch)*s+s]
			d := gx[(ni*c+ch)*s : (ni*c+ch)*s+s]
			if !a.training {
				for i, gv := range gs {
					d[i] += T(k * float64(gv))
				}
				continue
			}
			for i, gv := range gs {
				xh := (float64(xs[i]) - mean) * inv
				d[i] += T(k * (float64(gv) - sg/m - xh*sgx/m))
			}
		}
	}
}

// normRows checks that x ends with normalizedShape and that the affine
// parameters (nil or shaped normalizedShape) match; it returns the row
// count and row length.
func normRows(name string, x *Tensor, normalizedShape []int, ps ...*Tensor) (rows, d int, err error) {
	if x == nil {
		return 0, 0, nilErr(name)
	}
	k := len(normalizedShape)
	if k == 0 || k > len(x.shape) || !sameShape(x.shape[len(x.shape)-k:], normalizedShape) {
		return 0, 0, shapeErr(name, "input must end with the normalized shape", x.shape, normalizedShape)
	}
	for _, p := range ps {
		if p == nil {
			continue
		}
		if p.dtype != x.dtype {
			return 0, 0, dtypeErr(name, x.dtype, p.dtype)
		}
		if !sameShape(p.shape, normalizedShape) {
			return 0, 0, shapeErr(name, "weight and bias must have the normalized shape", x.shape, normalizedShape, p.shape)
		}
	}
	d = numelOf(normalizedShape)
	if d == 0 {
		return 0, 0, shapeErr(name, "empty normalized shape", x.shape, normalizedShape)
	}
	return x.Numel() / d, d, nil
}

// LayerNorm is torch.nn.functional.layer_norm: each row of the last
// len(normalizedShape) dims of x is normalised to zero mean and unit
// (biased) variance, y = (x − μ)/√(σ² + eps) · weight + bias, with weight
// and bias shaped normalizedShape or nil.
func LayerNorm(x *Tensor, normalizedShape []int, weight, bias *Tensor, eps float64) (*Tensor, error) {
	rows, d, err := normRows("layer_norm", x, normalizedShape, weight, bias)
	if err != nil {
		return nil, err
	}
	if x, weight, bias, err = contig3(x, weight, bias); err != nil {
		return nil, err
	}
	out := newTensor(x.dtype, x.shape, false)
	a := curArena
	if x.dtype == Float64 {
		st := allocF64(a, 2*rows, false)
		lnFwd(out.f64, x.f64[x.offset:], data64(weight), data64(bias), st, rows, d, eps)
		out.aux64 = st
	} else {
		st := allocF32(a, 2*rows, false)
		lnFwd32(out.f32, x.f32[x.offset:], data32(weight), data32(bias), st, rows, d, eps)
		out.aux32 = st
	}
	record(out, opLayerNorm, x, weight, bias)
	return out, nil
}

func contig3(x, w, b *Tensor) (*Tensor, *Tensor, *Tensor, error) {
	var err error
	if x, err = x.Contiguous(); err != nil {
		return nil, nil, nil, err
	}
	if w != nil {
		if w, err = w.Contiguous(); err != nil {
			return nil, nil, nil, err
		}
	}
	if b != nil {
		if b, err = b.Contiguous(); err != nil {
			return nil, nil, nil, err
		}
	}
	return x, w, b, nil
}

func lnFwd[T float](out, x, w, b, st []T, rows, d int, eps float64) {
	for r := 0; r < rows; r++ {
		xs := x[r*d : r*d+d]
		var sum float64
		for _, v := range xs {
			sum += float64(v)
		}
		mean := sum / float64(d)
		var v2 float64
		for _, v := range xs {
			dv := float64(v) - mean
			v2 += dv * dv
		}
		inv := 1 / math.Sqrt(v2/float64(d)+eps)
		st[2*r], st[2*r+1] = T(mean), T(inv)
		o := out[r*d : r*d+d]
		for i, v := range xs {
			y := (float64(v) - mean) * inv
			if w != nil {
				y *= float64(w[i])
			}
			if b != nil {
				y += float64(b[i])
			}
			o[i] = T(y)
		}
	}
}

func parents3(t *Tensor) (x, w, b *Tensor) {
	x = t.parents[0]
	if len(t.parents) > 1 {
		w = t.parents[1]
	}
	if len(t.parents) > 2 {
		b = t.parents[2]
	}
	return
}

func layerNormBackward(t *Tensor) {
	x, w, b := parents3(t)
	d := 2 * t.Numel() / (len(t.aux32) + len(t.aux64))
	if t.dtype == Float64 {
		lnGrad(t.grad.f64, x.f64[x.offset:], t.aux64, data64(w), gradOf64(x), gradOf64(w), gradOf64(b), d)
	} else {
		lnGrad32(t, x, w, b, d)
	}
}

func lnGrad[T float](g, x, st, w, gx, gw, gb []T, d int) {
	rows := len(st) / 2
	for r := 0; r < rows; r++ {
		mean, inv := float64(st[2*r]), float64(st[2*r+1])
		xs, gs := x[r*d:r*d+d], g[r*d:r*d+d]
		var s1, s2 float64 // Σ ĝ, Σ ĝ·x̂ with ĝ = g·w
		for i, gv := range gs {
			xh := (float64(xs[i]) - mean) * inv
			if gw != nil {
				gw[i] += T(float64(gv) * xh)
			}
			if gb != nil {
				gb[i] += gv
			}
			gh := float64(gv)
			if w != nil {
				gh *= float64(w[i])
			}
			s1 += gh
			s2 += gh * xh
		}
		if gx == nil {
			continue
		}
		s1 /= float64(d)
		s2 /= float64(d)
		dx := gx[r*d : r*d+d]
		for i, gv := range gs {
			xh := (float64(xs[i]) - mean) * inv
			gh := float64(gv)
			if w != nil {
				gh *= float64(w[i])
			}
			dx[i] += T(inv * (gh - s1 - xh*s2))
		}
	}
}

// RMSNorm is torch.nn.functional.rms_norm (PyTorch ≥ 2.4): each row of
// the last len(normalizedShape) dims is divided by its root mean square,
// y = x / √(mean(x²) + eps) · weight, with weight shaped normalizedShape
// or nil.
func RMSNorm(x *Tensor, normalizedShape []int, weight *Tensor, eps float64) (*Tensor, error) {
	rows, d, err := normRows("rms_norm", x, normalizedShape, weight)
	if err != nil {
		return nil, err
	}
	if x, weight, _, err = contig3(x, weight, nil); err != nil {
		return nil, err
	}
	out := newTensor(x.dtype, x.shape, false)
	a := curArena
	if x.dtype == Float64 {
		st := allocF64(a, rows, false)
		rmsFwd(out.f64, x.f64[x.offset:], data64(weight), st, d, eps)
		out.aux64 = st
	} else {
		st := allocF32(a, rows, false)
		rmsFwd(out.f32, x.f32[x.offset:], data32(weight), st, d, eps)
		out.aux32 = st
	}
	record(out, opRMSNorm, x, weight, nil)
	return out, nil
}

func rmsFwd[T float](out, x, w, st []T, d int, eps float64) {
	for r := range st {
		xs := x[r*d : r*d+d]
		var ss float64
		for _, v := range xs {
			ss += float64(v) * float64(v)
		}
		inv := 1 / math.Sqrt(ss/float64(d)+eps)
		st[r] = T(inv)
		o := out[r*d : r*d+d]
		for i, v := range xs {
			y := float64(v) * inv
			if w != nil {
				y *= float64(w[i])
			}
			o[i] = T(y)
		}
	}
}

func rmsNormBackward(t *Tensor) {
	x, w, _ := parents3(t)
	d := t.Numel() / (len(t.aux32) + len(t.aux64))
	if t.dtype == Float64 {
		rmsGrad(t.grad.f64, x.f64[x.offset:], t.aux64, data64(w), gradOf64(x), gradOf64(w), d)
	} else {
		rmsGrad(t.grad.f32, x.f32[x.offset:], t.aux32, data32(w), gradOf32(x), gradOf32(w), d)
	}
}

func rmsGrad[T float](g, x, st, w, gx, gw []T, d int) {
	for r, rv := range st {
		inv := float64(rv)
		xs, gs := x[r*d:r*d+d], g[r*d:r*d+d]
		var s float64 // Σ ĝ·x with ĝ = g·w
		for i, gv := range gs {
			if gw != nil {
				gw[i] += T(float64(gv) * float64(xs[i]) * inv)
			}
			gh := float64(gv)
			if w != nil {
				gh *= float64(w[i])
			}
			s += gh * float64(xs[i])
		}
		if gx == nil {
			continue
		}
		k := inv * inv * inv * s / float64(d)
		dx := gx[r*d : r*d+d]
		for i, gv := range gs {
			gh := float64(gv)
			if w != nil {
				gh *= float64(w[i])
			}
			dx[i] += T(inv*gh - float64(xs[i])*k)
		}
	}
}
