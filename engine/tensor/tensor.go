package tensor

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// DType is the element type of a tensor.
type DType uint8

const (
	// Float32 is the default dtype and the fast path (GEMM kernels).
	Float32 DType = iota
	// Float64 is for gradient checks and reference computations.
	Float64
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return "dtype(" + strconv.Itoa(int(d)) + ")"
}

// Tensor is an N-d array of float32 or float64 with a strided layout over
// shared storage and the autograd record of the op that produced it.
//
// Views (Reshape of a contiguous tensor, Transpose, Permute, Slice, Narrow,
// Squeeze, Unsqueeze, Expand, Detach) share their base's storage; every
// other op returns a new contiguous tensor. There are no in-place ops, so a
// tensor's values never change behind the autograd graph's back, except
// through Data() (an optimizer step on a leaf).
type Tensor struct {
	shape   []int
	strides []int
	offset  int
	dtype   DType
	f32     []float32 // storage (Float32)
	f64     []float64 // storage (Float64)

	// autograd
	requiresGrad bool
	retainGrad   bool
	op           opCode
	grad         *Tensor
	par          [3]*Tensor
	parents      []*Tensor
	iarg         [3]int
	farg         [2]float64
	ints         []int // op data: indices, targets, view grad strides
	aux32        []float32
	aux64        []float64
	voffset      int // view: offset into the parent's (contiguous) gradient
	mark         uint64
	arena        *Arena
}

// Shape returns the tensor's shape. The slice is the tensor's own: do not modify it.
func (t *Tensor) Shape() []int { return t.shape }

// Strides returns the strides (in elements) of the layout. Do not modify.
func (t *Tensor) Strides() []int { return t.strides }

// Offset returns the offset (in elements) of the first element in the storage.
func (t *Tensor) Offset() int { return t.offset }

// Dim returns the number of dimensions (rank).
func (t *Tensor) Dim() int { return len(t.shape) }

// Numel returns the number of elements.
func (t *Tensor) Numel() int { return numelOf(t.shape) }

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Size returns the size of dimension d (negative d counts from the end).
// It panics if d is out of range, like indexing Shape().
func (t *Tensor) Size(d int) int {
	nd, ok := normDim(d, len(t.shape))
	if !ok {
		panic(shapeErr("size", fmt.Sprintf("dimension %d out of range", d), t.shape))
	}
	return t.shape[nd]
}

// IsContiguous reports whether the elements lie in row-major order without gaps.
func (t *Tensor) IsContiguous() bool { return isContiguous(t.shape, t.strides) }

// Data returns the elements as a contiguous float32 slice in row-major order.
// When the tensor is Float32 and contiguous, the slice aliases the tensor's
// storage (writes through it change the tensor — this is how optimizers
// update parameters in place, and it allocates nothing); otherwise it is a
// fresh copy (converted from float64 when the dtype is Float64).
func (t *Tensor) Data() []float32 {
	n := t.Numel()
	if t.dtype == Float32 && t.IsContiguous() {
		return t.f32[t.offset : t.offset+n : t.offset+n]
	}
	out := make([]float32, n)
	if t.dtype == Float32 {
		copyStrided(out, t.f32, t.shape, t.strides, t.offset)
		return out
	}
	tmp := make([]float64, n)
	copyStrided(tmp, t.f64, t.shape, t.strides, t.offset)
	for i, v := range tmp {
		out[i] = float32(v)
	}
	return out
}

// Float64s returns the elements as a contiguous float64 slice in row-major
// order. Like Data, it aliases the storage when the tensor is Float64 and
// contiguous, and is a copy otherwise.
func (t *Tensor) Float64s() []float64 {
	n := t.Numel()
	if t.dtype == Float64 && t.IsContiguous() {
		return t.f64[t.offset : t.offset+n : t.offset+n]
	}
	out := make([]float64, n)
	if t.dtype == Float64 {
		copyStrided(out, t.f64, t.shape, t.strides, t.offset)
		return out
	}
	tmp := make([]float32, n)
	copyStrided(tmp, t.f32, t.shape, t.strides, t.offset)
	for i, v := range tmp {
		out[i] = float64(v)
	}
	return out
}

// Item returns the value of a one-element tensor. It panics (with a
// *ShapeError) if the tensor does not have exactly one element.
func (t *Tensor) Item() float64 {
	if t.Numel() != 1 {
		panic(shapeErr("item", "need exactly one element", t.shape))
	}
	return t.get(t.offset)
}

func (t *Tensor) get(off int) float64 {
	if t.dtype == Float64 {
		return t.f64[off]
	}
	return float64(t.f32[off])
}

// At returns the element at the given index (negative indices count from
// the end). It panics with a *ShapeError when the index has the wrong
// length or is out of range.
func (t *Tensor) At(idx ...int) float64 {
	if len(idx) != len(t.shape) {
		panic(shapeErr("at", fmt.Sprintf("index %v has %d coordinates, tensor has %d dims", cloneInts(idx), len(idx), len(t.shape)), t.shape))
	}
	off := t.offset
	for d, i := range idx {
		if i < 0 {
			i += t.shape[d]
		}
		if i < 0 || i >= t.shape[d] {
			panic(shapeErr("at", fmt.Sprintf("index %d out of range for dimension %d of size %d", idx[d], d, t.shape[d]), t.shape))
		}
		off += i * t.strides[d]
	}
	return t.get(off)
}

// String formats the tensor like NumPy/PyTorch: nested brackets, shortest
// float representation of each element; large tensors are elided with "...".
func (t *Tensor) String() string {
	if t == nil {
		return "<nil>"
	}
	var b strings.Builder
	summarize := t.Numel() > 1000
	t.format(&b, 0, t.offset, summarize)
	return b.String()
}

func (t *Tensor) format(b *strings.Builder, d, off int, summarize bool) {
	if d == len(t.shape) {
		v := t.get(off)
		bits := 32
		if t.dtype == Float64 {
			bits = 64
		}
		if math.IsInf(v, 0) || math.IsNaN(v) {
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			return
		}
		b.WriteString(strconv.FormatFloat(v, 'g', -1, bits))
		return
	}
	b.WriteByte('[')
	n := t.shape[d]
	sep := func() {
		if d == len(t.shape)-1 {
			b.WriteByte(' ')
			return
		}
		b.WriteString(strings.Repeat("\n", len(t.shape)-1-d))
		b.WriteString(strings.Repeat(" ", d+1))
	}
	for i := 0; i < n; i++ {
		if summarize && n > 6 && i == 3 {
			sep()
			b.WriteString("...")
			i = n - 3
		}
		if i > 0 {
			sep()
		}
		t.format(b, d+1, off+i*t.strides[d], summarize)
	}
	b.WriteByte(']')
}

// normDim maps a possibly negative dim to [0, rank).
func normDim(d, rank int) (int, bool) {
	if d < 0 {
		d += rank
	}
	return d, d >= 0 && d < rank
}

// contiguousStrides returns the row-major strides of t's shape in dst.
func contiguousOf(shape []int, dst *[MaxDims]int) []int {
	s := dst[:len(shape)]
	fillContiguous(shape, s)
	return s
}
