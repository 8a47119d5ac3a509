package tensor

import (
	"fmt"
	"math"
)

// reduceMask validates dims (nil or empty: all dims) and returns them as a
// bit mask.
func reduceMask(op string, t *Tensor, dims []int) (int, error) {
	r := len(t.shape)
	if len(dims) == 0 {
		return 1<<r - 1, nil
	}
	mask := 0
	for _, d := range dims {
		nd, ok := normDim(d, r)
		if !ok {
			return 0, shapeErr(op, fmt.Sprintf("dim %d out of range for rank %d", d, r), t.shape)
		}
		if mask&(1<<nd) != 0 {
			return 0, shapeErr(op, fmt.Sprintf("dim %d repeated", d), t.shape)
		}
		mask |= 1 << nd
	}
	return mask, nil
}

// reducedShapes writes the keepdim shape, its broadcast strides over t's
// shape (0 on reduced dims), and the output shape.
func reducedShapes(shape []int, mask int, keepdim bool, keep, gst, out *[MaxDims]int) (k, g, o []int) {
	r := len(shape)
	n := 0
	for i := 0; i < r; i++ {
		if mask&(1<<i) != 0 {
			keep[i] = 1
			if keepdim {
				out[n] = 1
				n++
			}
		} else {
			keep[i] = shape[i]
			out[n] = shape[i]
			n++
		}
	}
	fillContiguous(keep[:r], gst[:r])
	for i := 0; i < r; i++ {
		if mask&(1<<i) != 0 {
			gst[i] = 0
		}
	}
	return keep[:r], gst[:r], out[:n]
}

// Sum sums over dims (all dims when dims is empty), keeping them as size-1
// dims when keepdim is true.
func (t *Tensor) Sum(dims []int, keepdim bool) (*Tensor, error) {
	return t.sum("sum", dims, keepdim, false)
}

// Mean averages over dims (all dims when dims is empty).
func (t *Tensor) Mean(dims []int, keepdim bool) (*Tensor, error) {
	return t.sum("mean", dims, keepdim, true)
}

// SumAll returns the 0-d sum of all elements.
func (t *Tensor) SumAll() (*Tensor, error) { return t.sum("sum", nil, false, false) }

// MeanAll returns the 0-d mean of all elements.
func (t *Tensor) MeanAll() (*Tensor, error) { return t.sum("mean", nil, false, true) }

func (t *Tensor) sum(op string, dims []int, keepdim, mean bool) (*Tensor, error) {
	if t == nil {
		return nil, nilErr(op)
	}
	mask, err := reduceMask(op, t, dims)
	if err != nil {
		return nil, err
	}
	var kb, gb, ob [MaxDims]int
	_, gst, oshape := reducedShapes(t.shape, mask, keepdim, &kb, &gb, &ob)
	out := newTensor(t.dtype, oshape, true)
	scale := 1.0
	if mean {
		n := 1
		for i, s := range t.shape {
			if mask&(1<<i) != 0 {
				n *= s
			}
		}
		scale = 1 / float64(n)
	}
	if t.dtype == Float64 {
		sumFwd(out.f64, t.f64, t.shape, t.strides, t.offset, gst, scale)
	} else {
		sumFwd(out.f32, t.f32, t.shape, t.strides, t.offset, gst, scale)
	}
	if record(out, opSum, t, nil, nil) {
		out.iarg[0] = mask
		out.farg[0] = scale
	}
	return out, nil
}

func sumFwd[T float](out, x []T, shape, strides []int, off int, ost []int, scale float64) {
	var it rowIter
	it.init(shape, 2, [4][]int{strides, ost}, [4]int{off, 0})
	for it.next() {
		xo, oo, xs, os := it.off[0], it.off[1], it.inner[0], it.inner[1]
		if os == 0 {
			var acc float64
			if xs == 1 {
				for _, v := range x[xo : xo+it.n] {
					acc += float64(v)
				}
			} else {
				for i := 0; i < it.n; i++ {
					acc += float64(x[xo+i*xs])
				}
			}
			out[oo] += T(acc)
			continue
		}
		for i := 0; i < it.n; i++ {
			out[oo+i*os] += x[xo+i*xs]
		}
	}
	if scale != 1 {
		s := T(scale)
		for i := range out {
			out[i] *= s
		}
	}
}

func sumBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	var kb, gb, ob, cs [MaxDims]int
	_, gst, _ := reducedShapes(x.shape, t.iarg[0], true, &kb, &gb, &ob)
	if t.dtype == Float64 {
		sumGrad(x.grad.f64, t.grad.f64, x.shape, contiguousOf(x.shape, &cs), gst, t.farg[0])
	} else {
		sumGrad(x.grad.f32, t.grad.f32, x.shape, contiguousOf(x.shape, &cs), gst, t.farg[0])
	}
}

func sumGrad[T float](gx, g []T, shape, cst, gst []int, scale float64) {
	s := T(scale)
	var it rowIter
	it.init(shape, 2, [4][]int{cst, gst}, [4]int{0, 0})
	for it.next() {
		o, go_, gs := it.off[0], it.off[1], it.inner[1]
		d := gx[o : o+it.n]
		if gs == 0 {
			v := g[go_] * s
			for i := range d {
				d[i] += v
			}
			continue
		}
		for i := range d {
			d[i] += g[go_+i*gs] * s
		}
	}
}

// Max returns the maximum over dim. Like torch.max(dim), the gradient flows
// to the (first) position of the maximum; NaN counts as the maximum.
func (t *Tensor) Max(dim int, keepdim bool) (*Tensor, error) {
	return t.maxMin("max", dim, keepdim, true, false)
}

// Min returns the minimum over dim; the gradient flows to its first position.
func (t *Tensor) Min(dim int, keepdim bool) (*Tensor, error) {
	return t.maxMin("min", dim, keepdim, false, false)
}

// Argmax returns the (first) index of the maximum over dim, as whole
// numbers in a tensor of t's dtype (exact up to 2^24 for Float32). It has
// no gradient.
func (t *Tensor) Argmax(dim int, keepdim bool) (*Tensor, error) {
	return t.maxMin("argmax", dim, keepdim, true, true)
}

// Argmin returns the (first) index of the minimum over dim (see Argmax).
func (t *Tensor) Argmin(dim int, keepdim bool) (*Tensor, error) {
	return t.maxMin("argmin", dim, keepdim, false, true)
}

func (t *Tensor) maxMin(op string, dim int, keepdim, isMax, arg bool) (*Tensor, error) {
	if t == nil {
		return nil, nilErr(op)
	}
	d, ok := normDim(dim, len(t.shape))
	if !ok {
		return nil, shapeErr(op, fmt.Sprintf("dim %d out of range for rank %d", dim, len(t.shape)), t.shape)
	}
	if t.shape[d] == 0 {
		return nil, shapeErr(op, fmt.Sprintf("cannot reduce empty dim %d", dim), t.shape)
	}
	var kb, gb, ob, cs [MaxDims]int
	_, gst, oshape := reducedShapes(t.shape, 1<<d, keepdim, &kb, &gb, &ob)
	out := newTensor(t.dtype, oshape, false)
	n := out.Numel()
	idx := allocInts(curArena, n)
	for i := range idx {
		idx[i] = -1
	}
	cst := contiguousOf(t.shape, &cs)
	if t.dtype == Float64 {
		maxMinFwd(out.f64, idx, t.f64, t.shape, t.strides, t.offset, gst, cst, isMax)
	} else {
		maxMinFwd(out.f32, idx, t.f32, t.shape, t.strides, t.offset, gst, cst, isMax)
	}
	if arg {
		st, sz := cst[d], t.shape[d]
		for i, f := range idx {
			v := float64((f / st) % sz)
			if out.dtype == Float64 {
				out.f64[i] = v
			} else {
				out.f32[i] = float32(v)
			}
		}
		return out, nil
	}
	if record(out, opMaxMin, t, nil, nil) {
		out.ints = idx
	}
	return out, nil
}

func maxMinFwd[T float](out []T, idx []int, x []T, shape, strides []int, off int, ost, cst []int, isMax bool) {
	var it rowIter
	it.init(shape, 3, [4][]int{strides, ost, cst}, [4]int{off, 0, 0})
	for it.next() {
		xo, oo, fo := it.off[0], it.off[1], it.off[2]
		xs, os, fs := it.inner[0], it.inner[1], it.inner[2]
		for i := 0; i < it.n; i++ {
			v := x[xo+i*xs]
			j := oo + i*os
			cur := out[j]
			var better bool
			if isMax {
				better = v > cur
			} else {
				better = v < cur
			}
			if idx[j] < 0 || better || v != v && cur == cur {
				out[j] = v
				idx[j] = fo + i*fs
			}
		}
	}
}

func maxMinBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	if t.dtype == Float64 {
		for i, f := range t.ints {
			x.grad.f64[f] += t.grad.f64[i]
		}
	} else {
		for i, f := range t.ints {
			x.grad.f32[f] += t.grad.f32[i]
		}
	}
}

// Var returns the variance over dims (all when empty) with Bessel-style
// correction: sum((x-mean)^2) / (N - correction). correction 1 is the
// unbiased estimator (torch default), 0 the population variance.
func (t *Tensor) Var(dims []int, correction int, keepdim bool) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("var")
	}
	mask, err := reduceMask("var", t, dims)
	if err != nil {
		return nil, err
	}
	n := 1
	for i, s := range t.shape {
		if mask&(1<<i) != 0 {
			n *= s
		}
	}
	m, err := t.Mean(dims, true)
	if err != nil {
		return nil, err
	}
	d, err := Sub(t, m)
	if err != nil {
		return nil, err
	}
	sq, err := Mul(d, d)
	if err != nil {
		return nil, err
	}
	s, err := sq.Sum(dims, keepdim)
	if err != nil {
		return nil, err
	}
	den := float64(n - correction)
	if den <= 0 {
		den = 0
	}
	return s.MulScalar(1 / den)
}

// Std returns the square root of Var.
func (t *Tensor) Std(dims []int, correction int, keepdim bool) (*Tensor, error) {
	v, err := t.Var(dims, correction, keepdim)
	if err != nil {
		return nil, err
	}
	return v.Sqrt()
}

var _ = math.Inf
