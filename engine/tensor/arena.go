package tensor

// Arena recycles the memory of the tensors that ops create, so that a
// training step reaches an allocation-free steady state.
//
// While an arena is in use (UseArena), every tensor an op creates — the
// Tensor struct, its shape and stride slices, its data, the gradient
// buffers of non-leaf tensors and the scratch of Backward — is taken from
// the arena. Reset makes all of it available again: tensors created from
// the arena must not be used after Reset (their memory is reused by the
// next step). Tensors created while no arena is in use (model parameters,
// typically) live on the heap as usual; their gradient buffer is allocated
// once, on the first backward pass, and then accumulated into.
//
// The arena in use is process-wide, like the grad mode (Go has no
// goroutine-local state): one goroutine drives a training loop at a time,
// and the kernels it calls may run on many threads. An Arena is not safe
// for concurrent use.
type Arena struct {
	tensors []*Tensor
	ntens   int

	intChunks [][]int
	intChunk  int
	intPos    int

	ptrChunks [][]*Tensor
	ptrChunk  int
	ptrPos    int

	pools32 map[int]*pool[float32]
	list32  []*pool[float32]
	pools64 map[int]*pool[float64]
	list64  []*pool[float64]

	topo  []*Tensor
	stack []frame
}

type pool[T float] struct {
	bufs [][]T
	cur  int
}

func (p *pool[T]) get(n int) []T {
	if p.cur == len(p.bufs) {
		p.bufs = append(p.bufs, make([]T, n))
	}
	b := p.bufs[p.cur]
	p.cur++
	return b
}

// NewArena returns an empty arena.
func NewArena() *Arena {
	return &Arena{pools32: map[int]*pool[float32]{}, pools64: map[int]*pool[float64]{}}
}

// curArena is the arena in use (nil: the heap).
var curArena *Arena

// UseArena makes a the arena that ops allocate from (nil: the heap) and
// returns a function that restores the previous one. Call it once around a
// training loop, not per step (the returned closure is an allocation).
func UseArena(a *Arena) (restore func()) {
	prev := curArena
	curArena = a
	return func() { curArena = prev }
}

// CurrentArena returns the arena in use, or nil.
func CurrentArena() *Arena { return curArena }

// Reset recycles everything the arena handed out. Tensors created from it
// must not be used afterwards.
func (a *Arena) Reset() {
	for i := 0; i < a.ntens; i++ {
		*a.tensors[i] = Tensor{}
	}
	a.ntens = 0
	for _, c := range a.intChunks {
		clear(c)
	}
	a.intChunk, a.intPos = 0, 0
	for _, c := range a.ptrChunks {
		clear(c)
	}
	a.ptrChunk, a.ptrPos = 0, 0
	for _, p := range a.list32 {
		p.cur = 0
	}
	for _, p := range a.list64 {
		p.cur = 0
	}
	clear(a.topo)
	a.topo = a.topo[:0]
	clear(a.stack)
	a.stack = a.stack[:0]
}

func (a *Arena) tensor() *Tensor {
	if a.ntens == len(a.tensors) {
		block := make([]Tensor, 64)
		for i := range block {
			a.tensors = append(a.tensors, &block[i])
		}
	}
	t := a.tensors[a.ntens]
	a.ntens++
	t.arena = a
	return t
}

const chunkSize = 4096

func (a *Arena) ints(n int) []int {
	for {
		if a.intChunk == len(a.intChunks) {
			sz := chunkSize
			if n > sz {
				sz = n
			}
			a.intChunks = append(a.intChunks, make([]int, sz))
		}
		c := a.intChunks[a.intChunk]
		if a.intPos+n <= len(c) {
			s := c[a.intPos : a.intPos+n : a.intPos+n]
			a.intPos += n
			return s
		}
		a.intChunk++
		a.intPos = 0
	}
}

func (a *Arena) ptrs(n int) []*Tensor {
	for {
		if a.ptrChunk == len(a.ptrChunks) {
			sz := 256
			if n > sz {
				sz = n
			}
			a.ptrChunks = append(a.ptrChunks, make([]*Tensor, sz))
		}
		c := a.ptrChunks[a.ptrChunk]
		if a.ptrPos+n <= len(c) {
			s := c[a.ptrPos : a.ptrPos+n : a.ptrPos+n]
			a.ptrPos += n
			return s
		}
		a.ptrChunk++
		a.ptrPos = 0
	}
}

func (a *Arena) f32(n int, zero bool) []float32 {
	p := a.pools32[n]
	if p == nil {
		p = &pool[float32]{}
		a.pools32[n] = p
		a.list32 = append(a.list32, p)
	}
	b := p.get(n)
	if zero {
		clear(b)
	}
	return b
}

func (a *Arena) f64(n int, zero bool) []float64 {
	p := a.pools64[n]
	if p == nil {
		p = &pool[float64]{}
		a.pools64[n] = p
		a.list64 = append(a.list64, p)
	}
	b := p.get(n)
	if zero {
		clear(b)
	}
	return b
}

// ---- allocation helpers used by the ops (a == nil: heap) ----

func allocStruct(a *Arena) *Tensor {
	if a != nil {
		return a.tensor()
	}
	return &Tensor{}
}

func allocInts(a *Arena, n int) []int {
	if a != nil {
		return a.ints(n)
	}
	return make([]int, n)
}

func allocPtrs(a *Arena, n int) []*Tensor {
	if a != nil {
		return a.ptrs(n)
	}
	return make([]*Tensor, n)
}

func allocF32(a *Arena, n int, zero bool) []float32 {
	if a != nil {
		return a.f32(n, zero)
	}
	return make([]float32, n)
}

func allocF64(a *Arena, n int, zero bool) []float64 {
	if a != nil {
		return a.f64(n, zero)
	}
	return make([]float64, n)
}

// newLayoutIn creates a tensor header with a contiguous layout of shape in
// arena a (nil: heap), without storage.
func newLayoutIn(a *Arena, dt DType, shape []int) *Tensor {
	t := allocStruct(a)
	t.dtype = dt
	r := len(shape)
	buf := allocInts(a, 2*r)
	t.shape = buf[:r:r]
	copy(t.shape, shape)
	t.strides = buf[r:]
	fillContiguous(t.shape, t.strides)
	return t
}

// newTensorIn creates a contiguous tensor of shape in arena a (nil: heap).
// Its data is zeroed only when zero is true (heap data is always zero).
func newTensorIn(a *Arena, dt DType, shape []int, zero bool) *Tensor {
	t := newLayoutIn(a, dt, shape)
	n := numelOf(shape)
	if dt == Float64 {
		t.f64 = allocF64(a, n, zero)
	} else {
		t.f32 = allocF32(a, n, zero)
	}
	return t
}

// newTensor creates a contiguous op output in the arena in use.
func newTensor(dt DType, shape []int, zero bool) *Tensor {
	return newTensorIn(curArena, dt, shape, zero)
}

// newView creates a tensor sharing base's storage with the given layout.
func newView(base *Tensor, shape, strides []int, offset int) *Tensor {
	a := curArena
	t := allocStruct(a)
	t.dtype = base.dtype
	r := len(shape)
	buf := allocInts(a, 2*r)
	t.shape = buf[:r:r]
	copy(t.shape, shape)
	t.strides = buf[r:]
	copy(t.strides, strides)
	t.offset = offset
	t.f32 = base.f32
	t.f64 = base.f64
	return t
}
