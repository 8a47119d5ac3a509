package tensor

import "fmt"

// View ops share storage with their input. Each records, besides the view's
// own layout over the storage, the same view applied to the parent's
// contiguous gradient layout (Tensor.ints, Tensor.voffset); their common
// backward rule scatter-adds the view's gradient through that layout, so
// gradients of any chain of views flow back to the base (expanded dims,
// stride 0, sum up).

// viewOf creates the view of t with the given layout; pshape/vstr/voff is
// the same view applied to t's contiguous layout.
func viewOf(t *Tensor, shape, strides []int, offset int, vstr []int, voff int) *Tensor {
	v := newView(t, shape, strides, offset)
	if record(v, opView, t, nil, nil) {
		v.ints = allocInts(curArena, len(vstr))
		copy(v.ints, vstr)
		v.voffset = voff
	}
	return v
}

func viewBackward(t *Tensor) {
	p := t.parents[0]
	if p.grad == nil && viewCoversParent(t) {
		// The first gradient p receives, through a view that hits every
		// element of p exactly once: a plain (scattered) copy does, with no
		// zero-fill and no add. A reshape-like view (the view's contiguous
		// gradient has p's row-major order) of a non-leaf may even take
		// over t's gradient buffer, which Backward drops after this call.
		if viewKeepsOrder(t) {
			if canAliasGrad(t, p) {
				p.grad = aliasGrad(p, t.grad)
				return
			}
			p.grad = newTensorIn(p.arena, p.dtype, p.shape, false)
			copy(p.grad.f32, t.grad.f32)
			copy(p.grad.f64, t.grad.f64)
			return
		}
		p.grad = newTensorIn(p.arena, p.dtype, p.shape, false)
		if t.dtype == Float64 {
			setStrided(p.grad.f64, t.ints, t.voffset, t.grad.f64, t.shape)
		} else {
			setStrided(p.grad.f32, t.ints, t.voffset, t.grad.f32, t.shape)
		}
		return
	}
	ensureGrad(p)
	if t.dtype == Float64 {
		addStrided(p.grad.f64, t.ints, t.voffset, t.grad.f64, t.shape)
	} else {
		addStrided(p.grad.f32, t.ints, t.voffset, t.grad.f32, t.shape)
	}
}

// viewCoversParent reports whether the view t maps its elements one to one
// onto all of its parent's (a reshape, permutation, squeeze…: no slicing,
// no broadcasting).
func viewCoversParent(t *Tensor) bool {
	if t.voffset != 0 || numelOf(t.shape) != numelOf(t.parents[0].shape) {
		return false
	}
	for i, n := range t.shape {
		if n > 1 && t.ints[i] == 0 {
			return false
		}
	}
	return true
}

// viewKeepsOrder reports whether the view's gradient layout is row-major
// over its shape (sizes-1 dims aside), i.e. its contiguous gradient is the
// parent's contiguous gradient element for element.
func viewKeepsOrder(t *Tensor) bool {
	st := 1
	for i := len(t.shape) - 1; i >= 0; i-- {
		if t.shape[i] != 1 && t.ints[i] != st {
			return false
		}
		st *= t.shape[i]
	}
	return true
}

// canAliasGrad reports whether parent p may use child t's gradient buffer
// as its own: t's gradient is dead after t's backward (not retained) and
// p's is consumed by the rest of this backward pass only (a non-leaf
// without RetainGrad).
func canAliasGrad(t, p *Tensor) bool {
	return !t.retainGrad && !p.retainGrad && p.op != opNone && t.grad.offset == 0
}

// aliasGrad returns a gradient header for p over the storage of g, a
// contiguous gradient with the same number of elements.
func aliasGrad(p, g *Tensor) *Tensor {
	h := newLayoutIn(p.arena, p.dtype, p.shape)
	h.f32, h.f64 = g.f32, g.f64
	return h
}

// setStrided writes the contiguous g (of shape) into dst read with strides
// and offset, which must not overlap (no stride 0 on a dim of size > 1).
func setStrided[T float](dst []T, strides []int, off int, g []T, shape []int) {
	var cs [MaxDims]int
	fillContiguous(shape, cs[:len(shape)])
	var it rowIter
	it.init(shape, 2, [4][]int{cs[:len(shape)], strides}, [4]int{0, off})
	for it.next() {
		o, do, s := it.off[0], it.off[1], it.inner[1]
		src := g[o : o+it.n]
		if s == 1 {
			copy(dst[do:do+it.n], src)
			continue
		}
		for i, v := range src {
			dst[do+i*s] = v
		}
	}
}

// inferShape resolves one -1 in shape against numel.
func inferShape(op string, from []int, shape []int, dst *[MaxDims]int) ([]int, error) {
	if len(shape) > MaxDims {
		return nil, shapeErr(op, fmt.Sprintf("rank %d exceeds %d", len(shape), MaxDims), from, shape)
	}
	numel := numelOf(from)
	out := dst[:len(shape)]
	neg := -1
	prod := 1
	for i, d := range shape {
		switch {
		case d == -1 && neg < 0:
			neg = i
		case d < 0:
			return nil, shapeErr(op, "invalid size in target shape", from, shape)
		default:
			prod *= d
		}
		out[i] = d
	}
	if neg >= 0 {
		if prod == 0 || numel%prod != 0 {
			return nil, shapeErr(op, fmt.Sprintf("cannot infer -1 for %d elements", numel), from, shape)
		}
		out[neg] = numel / prod
		prod *= out[neg]
	}
	if prod != numel {
		return nil, shapeErr(op, fmt.Sprintf("cannot reshape %d elements into %d", numel, prod), from, shape)
	}
	return out, nil
}

// Reshape returns t with a new shape holding the same elements in row-major
// order (one size may be -1). Like torch.reshape it is a view when t is
// contiguous and a copy otherwise.
func (t *Tensor) Reshape(shape ...int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("reshape")
	}
	var buf [MaxDims]int
	ns, err := inferShape("reshape", t.shape, shape, &buf)
	if err != nil {
		return nil, err
	}
	src := t
	if !t.IsContiguous() {
		if src, err = t.Clone(); err != nil {
			return nil, err
		}
	}
	var cs [MaxDims]int
	st := contiguousOf(ns, &cs)
	return viewOf(src, ns, st, src.offset, st, 0), nil
}

// View is Reshape for contiguous tensors only (never copies): a
// non-contiguous t is a *ShapeError, like torch.view.
func (t *Tensor) View(shape ...int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("view")
	}
	if !t.IsContiguous() {
		var buf [MaxDims]int
		n := copy(buf[:], shape)
		return nil, shapeErr("view", "tensor is not contiguous; use Reshape", t.shape, buf[:n])
	}
	return t.Reshape(shape...)
}

// Flatten reshapes dims start..end (inclusive, negative counts from the
// end) into one.
func (t *Tensor) Flatten(start, end int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("flatten")
	}
	r := len(t.shape)
	if r == 0 {
		return t.Reshape(1)
	}
	s, ok1 := normDim(start, r)
	e, ok2 := normDim(end, r)
	if !ok1 || !ok2 || s > e {
		return nil, shapeErr("flatten", fmt.Sprintf("invalid dims %d..%d", start, end), t.shape)
	}
	var buf [MaxDims]int
	n := 0
	for i := 0; i < s; i++ {
		buf[n] = t.shape[i]
		n++
	}
	buf[n] = numelOf(t.shape[s : e+1])
	n++
	for i := e + 1; i < r; i++ {
		buf[n] = t.shape[i]
		n++
	}
	return t.Reshape(buf[:n]...)
}

// Transpose swaps dims d0 and d1 (negative dims count from the end).
func (t *Tensor) Transpose(d0, d1 int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("transpose")
	}
	r := len(t.shape)
	a, ok1 := normDim(d0, r)
	b, ok2 := normDim(d1, r)
	if !ok1 || !ok2 {
		return nil, shapeErr("transpose", fmt.Sprintf("dims %d and %d out of range for rank %d", d0, d1, r), t.shape)
	}
	var sh, st, vs [MaxDims]int
	copy(sh[:], t.shape)
	copy(st[:], t.strides)
	fillContiguous(t.shape, vs[:r])
	sh[a], sh[b] = sh[b], sh[a]
	st[a], st[b] = st[b], st[a]
	vs[a], vs[b] = vs[b], vs[a]
	return viewOf(t, sh[:r], st[:r], t.offset, vs[:r], 0), nil
}

// T transposes a 2-D tensor.
func (t *Tensor) T() (*Tensor, error) {
	if t == nil {
		return nil, nilErr("t")
	}
	if len(t.shape) != 2 {
		return nil, shapeErr("t", "need a 2-D tensor", t.shape)
	}
	return t.Transpose(0, 1)
}

// Permute reorders the dims: dim i of the result is dim dims[i] of t.
func (t *Tensor) Permute(dims ...int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("permute")
	}
	r := len(t.shape)
	if len(dims) != r {
		return nil, shapeErr("permute", fmt.Sprintf("got %d dims for rank %d", len(dims), r), t.shape)
	}
	var sh, st, vs, cs [MaxDims]int
	var seen [MaxDims]bool
	fillContiguous(t.shape, cs[:r])
	for i, d := range dims {
		nd, ok := normDim(d, r)
		if !ok || seen[nd] {
			return nil, shapeErr("permute", fmt.Sprintf("invalid permutation %v", cloneInts(dims)), t.shape)
		}
		seen[nd] = true
		sh[i], st[i], vs[i] = t.shape[nd], t.strides[nd], cs[nd]
	}
	return viewOf(t, sh[:r], st[:r], t.offset, vs[:r], 0), nil
}

// Slice selects start:end:step along dim with Python semantics (negative
// start/end count from the end and are clamped to the size); step must be
// positive.
func (t *Tensor) Slice(dim, start, end, step int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("slice")
	}
	r := len(t.shape)
	d, ok := normDim(dim, r)
	if !ok {
		return nil, shapeErr("slice", fmt.Sprintf("dim %d out of range for rank %d", dim, r), t.shape)
	}
	if step <= 0 {
		return nil, shapeErr("slice", fmt.Sprintf("step must be positive, got %d", step), t.shape)
	}
	n := t.shape[d]
	clamp := func(i int) int {
		if i < 0 {
			i += n
		}
		if i < 0 {
			return 0
		}
		if i > n {
			return n
		}
		return i
	}
	s, e := clamp(start), clamp(end)
	cnt := 0
	if e > s {
		cnt = (e - s + step - 1) / step
	}
	return t.sliceView(d, s, cnt, step), nil
}

func (t *Tensor) sliceView(d, start, cnt, step int) *Tensor {
	r := len(t.shape)
	var sh, st, vs [MaxDims]int
	copy(sh[:], t.shape)
	copy(st[:], t.strides)
	fillContiguous(t.shape, vs[:r])
	off := t.offset + start*st[d]
	voff := start * vs[d]
	sh[d] = cnt
	st[d] *= step
	vs[d] *= step
	return viewOf(t, sh[:r], st[:r], off, vs[:r], voff)
}

// Narrow selects length elements of dim starting at start (negative start
// counts from the end), like torch.narrow.
func (t *Tensor) Narrow(dim, start, length int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("narrow")
	}
	r := len(t.shape)
	d, ok := normDim(dim, r)
	if !ok {
		return nil, shapeErr("narrow", fmt.Sprintf("dim %d out of range for rank %d", dim, r), t.shape)
	}
	n := t.shape[d]
	s := start
	if s < 0 {
		s += n
	}
	if s < 0 || length < 0 || s+length > n {
		return nil, shapeErr("narrow", fmt.Sprintf("start %d length %d out of range for dim %d of size %d", start, length, d, n), t.shape)
	}
	return t.sliceView(d, s, length, 1), nil
}

// Squeeze removes the given dims if they have size 1 (all size-1 dims when
// none are given), like torch.squeeze.
func (t *Tensor) Squeeze(dims ...int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("squeeze")
	}
	r := len(t.shape)
	var drop [MaxDims]bool
	if len(dims) == 0 {
		for i, s := range t.shape {
			drop[i] = s == 1
		}
	}
	for _, dd := range dims {
		d, ok := normDim(dd, r)
		if !ok {
			return nil, shapeErr("squeeze", fmt.Sprintf("dim %d out of range for rank %d", dd, r), t.shape)
		}
		drop[d] = t.shape[d] == 1
	}
	var sh, st, vs, cs [MaxDims]int
	fillContiguous(t.shape, cs[:r])
	n := 0
	for i := 0; i < r; i++ {
		if drop[i] {
			continue
		}
		sh[n], st[n], vs[n] = t.shape[i], t.strides[i], cs[i]
		n++
	}
	return viewOf(t, sh[:n], st[:n], t.offset, vs[:n], 0), nil
}

// Unsqueeze inserts a dim of size 1 at position dim (in [-rank-1, rank]).
func (t *Tensor) Unsqueeze(dim int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("unsqueeze")
	}
	r := len(t.shape)
	d, ok := normDim(dim, r+1)
	if !ok || r+1 > MaxDims {
		return nil, shapeErr("unsqueeze", fmt.Sprintf("dim %d out of range for rank %d", dim, r), t.shape)
	}
	var sh, st, vs, cs [MaxDims]int
	fillContiguous(t.shape, cs[:r])
	n := 0
	for i := 0; i <= r; i++ {
		if i == d {
			sh[n], st[n], vs[n] = 1, 0, 0
			n++
		}
		if i < r {
			sh[n], st[n], vs[n] = t.shape[i], t.strides[i], cs[i]
			n++
		}
	}
	return viewOf(t, sh[:n], st[:n], t.offset, vs[:n], 0), nil
}

// Expand broadcasts size-1 dims (and new leading dims) to shape without
// copying (stride 0); -1 keeps a dim's size. Like torch.expand.
func (t *Tensor) Expand(shape ...int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("expand")
	}
	r := len(t.shape)
	n := len(shape)
	var eb [MaxDims]int
	if n < r || n > MaxDims || !validShape(expandedSizes(t.shape, shape, &eb)) {
		var buf [MaxDims]int
		k := copy(buf[:], shape)
		return nil, shapeErr("expand", "target has fewer dims than the tensor or too many", t.shape, buf[:k])
	}
	var sh, st, vs, cs [MaxDims]int
	fillContiguous(t.shape, cs[:r])
	lead := n - r
	for i := 0; i < n; i++ {
		want := shape[i]
		if i < lead {
			if want < 0 {
				return nil, shapeErr("expand", fmt.Sprintf("size %d invalid for a new dim", want), t.shape, cloneInts(shape))
			}
			sh[i], st[i], vs[i] = want, 0, 0
			continue
		}
		have := t.shape[i-lead]
		switch {
		case want == -1 || want == have:
			sh[i], st[i], vs[i] = have, t.strides[i-lead], cs[i-lead]
		case have == 1 && want >= 0:
			sh[i], st[i], vs[i] = want, 0, 0
		default:
			return nil, shapeErr("expand", fmt.Sprintf("size %d of dim %d cannot expand to %d", have, i-lead, want), t.shape, cloneInts(shape))
		}
	}
	return viewOf(t, sh[:n], st[:n], t.offset, vs[:n], 0), nil
}

// expandedSizes writes the sizes Expand would produce into dst, for
// validation (-1 and invalid entries become 0).
func expandedSizes(have, want []int, dst *[MaxDims]int) []int {
	lead := len(want) - len(have)
	for i, w := range want {
		if w == -1 && i >= lead {
			w = have[i-lead]
		}
		if w < 0 {
			w = 0
		}
		dst[i] = w
	}
	return dst[:len(want)]
}
