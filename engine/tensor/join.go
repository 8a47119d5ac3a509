package tensor

import "fmt"

// Concat joins tensors of the same dtype along dim; all other dims must match.
func Concat(ts []*Tensor, dim int) (*Tensor, error) {
	if len(ts) == 0 {
		return nil, fmt.Errorf("tensor: concat: no tensors")
	}
	for _, t := range ts {
		if err := checkPair("concat", ts[0], t); err != nil {
			return nil, err
		}
	}
	first := ts[0]
	r := len(first.shape)
	d, ok := normDim(dim, r)
	if !ok {
		return nil, shapeErr("concat", fmt.Sprintf("dim %d out of range for rank %d", dim, r), first.shape)
	}
	total := 0
	for _, t := range ts {
		if len(t.shape) != r {
			return nil, shapeErr("concat", "ranks differ", first.shape, t.shape)
		}
		for i := range t.shape {
			if i != d && t.shape[i] != first.shape[i] {
				return nil, shapeErr("concat", fmt.Sprintf("sizes differ in dim %d", i), first.shape, t.shape)
			}
		}
		total += t.shape[d]
	}
	var sh, cs [MaxDims]int
	copy(sh[:], first.shape)
	sh[d] = total
	out := newTensor(first.dtype, sh[:r], false)
	fillContiguous(sh[:r], cs[:r])
	off := 0
	for _, t := range ts {
		// write t into the region of out starting at off along d
		if first.dtype == Float64 {
			copyInto(out.f64, cs[:r], off*cs[d], t.f64, t.shape, t.strides, t.offset)
		} else {
			copyInto(out.f32, cs[:r], off*cs[d], t.f32, t.shape, t.strides, t.offset)
		}
		off += t.shape[d]
	}
	if recordN(out, opConcat, ts) {
		out.iarg[0] = d
	}
	return out, nil
}

// copyInto copies the strided src into dst read with dstStrides at dstOff.
func copyInto[T float](dst []T, dstStrides []int, dstOff int, src []T, shape, strides []int, off int) {
	var it rowIter
	it.init(shape, 2, [4][]int{dstStrides, strides}, [4]int{dstOff, off})
	for it.next() {
		do, so, ds, ss := it.off[0], it.off[1], it.inner[0], it.inner[1]
		for i := 0; i < it.n; i++ {
			dst[do+i*ds] = src[so+i*ss]
		}
	}
}

// concatBackward hands each parent its region of the gradient.
func concatBackward(t *Tensor) {
	d := t.iarg[0]
	r := len(t.shape)
	var cs [MaxDims]int
	fillContiguous(t.shape, cs[:r])
	off := 0
	for _, p := range t.parents {
		if p.requiresGrad {
			ensureGrad(p)
			var pc [MaxDims]int
			fillContiguous(p.shape, pc[:r])
			if t.dtype == Float64 {
				copyAdd(p.grad.f64, pc[:r], t.grad.f64, cs[:r], off*cs[d], p.shape)
			} else {
				copyAdd(p.grad.f32, pc[:r], t.grad.f32, cs[:r], off*cs[d], p.shape)
			}
		}
		off += p.shape[d]
	}
}

// copyAdd adds src (srcStrides, at sOff) into dst (dstStrides, at 0) over shape.
func copyAdd[T float](dst []T, dstStrides []int, src []T, srcStrides []int, sOff int, shape []int) {
	var it rowIter
	it.init(shape, 2, [4][]int{dstStrides, srcStrides}, [4]int{0, sOff})
	for it.next() {
		do, so, ds, ss := it.off[0], it.off[1], it.inner[0], it.inner[1]
		for i := 0; i < it.n; i++ {
			dst[do+i*ds] += src[so+i*ss]
		}
	}
}

// Stack joins tensors of the same shape along a new dim.
func Stack(ts []*Tensor, dim int) (*Tensor, error) {
	if len(ts) == 0 {
		return nil, fmt.Errorf("tensor: stack: no tensors")
	}
	us := allocPtrs(curArena, len(ts))
	for i, t := range ts {
		if t == nil {
			return nil, nilErr("stack")
		}
		if !sameShape(t.shape, ts[0].shape) {
			return nil, shapeErr("stack", "shapes differ", ts[0].shape, t.shape)
		}
		u, err := t.Unsqueeze(dim)
		if err != nil {
			return nil, err
		}
		us[i] = u
	}
	return Concat(us, dim)
}

// Split cuts t along dim into views of size elements each (the last may be
// smaller), like torch.split with an int.
func (t *Tensor) Split(size, dim int) ([]*Tensor, error) {
	if t == nil {
		return nil, nilErr("split")
	}
	d, ok := normDim(dim, len(t.shape))
	if !ok {
		return nil, shapeErr("split", fmt.Sprintf("dim %d out of range for rank %d", dim, len(t.shape)), t.shape)
	}
	if size <= 0 {
		return nil, shapeErr("split", fmt.Sprintf("size must be positive, got %d", size), t.shape)
	}
	n := t.shape[d]
	cnt := max((n+size-1)/size, 1)
	out := allocPtrs(curArena, cnt)
	for i := range out {
		s := i * size
		out[i] = t.sliceView(d, s, min(size, n-s), 1)
	}
	return out, nil
}

// SplitSizes cuts t along dim into views of the given sizes (which must add
// up to the size of dim).
func (t *Tensor) SplitSizes(sizes []int, dim int) ([]*Tensor, error) {
	if t == nil {
		return nil, nilErr("split")
	}
	d, ok := normDim(dim, len(t.shape))
	if !ok {
		return nil, shapeErr("split", fmt.Sprintf("dim %d out of range for rank %d", dim, len(t.shape)), t.shape)
	}
	sum := 0
	for _, s := range sizes {
		if s < 0 {
			return nil, shapeErr("split", fmt.Sprintf("negative size in %v", cloneInts(sizes)), t.shape)
		}
		sum += s
	}
	if sum != t.shape[d] {
		return nil, shapeErr("split", fmt.Sprintf("sizes %v do not add up to %d", cloneInts(sizes), t.shape[d]), t.shape)
	}
	out := allocPtrs(curArena, len(sizes))
	off := 0
	for i, s := range sizes {
		out[i] = t.sliceView(d, off, s, 1)
		off += s
	}
	return out, nil
}

// Chunk cuts t along dim into n views of (nearly) equal size, like
// torch.chunk (it may return fewer than n).
func (t *Tensor) Chunk(n, dim int) ([]*Tensor, error) {
	if t == nil {
		return nil, nilErr("chunk")
	}
	if n <= 0 {
		return nil, shapeErr("chunk", fmt.Sprintf("chunks must be positive, got %d", n), t.shape)
	}
	d, ok := normDim(dim, len(t.shape))
	if !ok {
		return nil, shapeErr("chunk", fmt.Sprintf("dim %d out of range for rank %d", dim, len(t.shape)), t.shape)
	}
	size := max((t.shape[d]+n-1)/n, 1)
	return t.Split(size, d)
}

// IndexSelect picks the entries idx of dim (negative indices are an
// error), like torch.index_select; the result has len(idx) entries in dim.
// Its gradient scatter-adds (repeated indices accumulate).
func (t *Tensor) IndexSelect(dim int, idx []int) (*Tensor, error) {
	if t == nil {
		return nil, nilErr("index_select")
	}
	r := len(t.shape)
	d, ok := normDim(dim, r)
	if !ok {
		return nil, shapeErr("index_select", fmt.Sprintf("dim %d out of range for rank %d", dim, r), t.shape)
	}
	n := t.shape[d]
	for _, i := range idx {
		if i < 0 || i >= n {
			return nil, indexErr("index_select", i, n)
		}
	}
	x, err := t.Contiguous()
	if err != nil {
		return nil, err
	}
	var sh [MaxDims]int
	copy(sh[:], t.shape)
	sh[d] = len(idx)
	out := newTensor(t.dtype, sh[:r], false)
	outer, _, inner := splitDim(t.shape, d)
	if t.dtype == Float64 {
		indexSelectFwd(out.f64, x.f64[x.offset:], idx, outer, n, inner)
	} else {
		indexSelectFwd(out.f32, x.f32[x.offset:], idx, outer, n, inner)
	}
	if record(out, opIndexSelect, x, nil, nil) {
		out.ints = allocInts(curArena, len(idx))
		copy(out.ints, idx)
		out.iarg[0] = d
	}
	return out, nil
}

func indexSelectFwd[T float](out, x []T, idx []int, outer, n, inner int) {
	k := len(idx)
	for o := 0; o < outer; o++ {
		for j, i := range idx {
			copy(out[(o*k+j)*inner:(o*k+j+1)*inner], x[(o*n+i)*inner:(o*n+i+1)*inner])
		}
	}
}

func indexSelectBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	outer, n, inner := splitDim(x.shape, t.iarg[0])
	if t.dtype == Float64 {
		indexSelectGrad(x.grad.f64, t.grad.f64, t.ints, outer, n, inner)
	} else {
		indexSelectGrad(x.grad.f32, t.grad.f32, t.ints, outer, n, inner)
	}
}

func indexSelectGrad[T float](gx, g []T, idx []int, outer, n, inner int) {
	k := len(idx)
	for o := 0; o < outer; o++ {
		for j, i := range idx {
			dst := gx[(o*n+i)*inner : (o*n+i+1)*inner]
			src := g[(o*k+j)*inner : (o*k+j+1)*inner]
			for q, v := range src {
				dst[q] += v
			}
		}
	}
}

// Gather picks, along dim, the elements named by index, like torch.gather:
// out[i][j][k] = t[index[i][j][k]][j][k] for dim 0 (and so on). index holds
// whole numbers (either dtype; e.g. the output of Argmax), has t's rank and
// no dim larger than t's except dim. Its gradient scatter-adds.
func (t *Tensor) Gather(dim int, index *Tensor) (*Tensor, error) {
	if t == nil || index == nil {
		return nil, nilErr("gather")
	}
	r := len(t.shape)
	d, ok := normDim(dim, r)
	if !ok {
		return nil, shapeErr("gather", fmt.Sprintf("dim %d out of range for rank %d", dim, r), t.shape, index.shape)
	}
	if len(index.shape) != r {
		return nil, shapeErr("gather", "index must have the same rank as the input", t.shape, index.shape)
	}
	for i := range index.shape {
		if i != d && index.shape[i] > t.shape[i] {
			return nil, shapeErr("gather", fmt.Sprintf("index is larger than the input in dim %d", i), t.shape, index.shape)
		}
	}
	x, err := t.Contiguous()
	if err != nil {
		return nil, err
	}
	out := newTensor(t.dtype, index.shape, false)
	n := out.Numel()
	flat := allocInts(curArena, n)
	// walk index in row-major order, computing the flat position in x
	var xc, ic [MaxDims]int
	fillContiguous(t.shape, xc[:r])
	fillContiguous(index.shape, ic[:r])
	var pos [MaxDims]int
	size := t.shape[d]
	for e := 0; e < n; e++ {
		rem := e
		ioff := index.offset
		for k := 0; k < r; k++ {
			pos[k] = rem / max(ic[k], 1)
			if index.shape[k] > 0 {
				pos[k] %= index.shape[k]
			}
			ioff += pos[k] * index.strides[k]
		}
		v := index.get(ioff)
		iv := int(v)
		if float64(iv) != v || iv < 0 || iv >= size {
			return nil, fmt.Errorf("tensor: gather: %w: index %g for size %d", ErrIndex, v, size)
		}
		f := 0
		for k := 0; k < r; k++ {
			c := pos[k]
			if k == d {
				c = iv
			}
			f += c * xc[k]
		}
		flat[e] = f
	}
	if t.dtype == Float64 {
		src := x.f64[x.offset:]
		for e, f := range flat {
			out.f64[e] = src[f]
		}
	} else {
		src := x.f32[x.offset:]
		for e, f := range flat {
			out.f32[e] = src[f]
		}
	}
	if record(out, opGather, x, nil, nil) {
		out.ints = flat
	}
	return out, nil
}

func gatherBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	if t.dtype == Float64 {
		for e, f := range t.ints {
			x.grad.f64[f] += t.grad.f64[e]
		}
	} else {
		for e, f := range t.ints {
			x.grad.f32[f] += t.grad.f32[e]
		}
	}
}
