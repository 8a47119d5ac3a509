package tensor

import (
	"math"
	"sync"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// Fast float32 paths of the elementwise ops: contiguous loops and the
// vectorised kernels (kernels.Exp, Sigmoid, Tanh, GELU), split across the
// kernels' worker pool when the tensor is large. A task's bound method value is built once per pooled task, so a
// parallel call does not allocate.

// ewTask carries one elementwise call to the pool workers.
type ewTask struct {
	run  func(lo, hi int) // t.exec, bound once
	body func(t *ewTask, lo, hi int)
	op   opCode
	d, s []float32 // forward: out, in; backward: gx, g
	y, x []float32 // backward: output, input (contiguous)
	p0   float32
	set  bool // backward: write the gradient instead of accumulating
}

func (t *ewTask) exec(lo, hi int) { t.body(t, lo, hi) }

var ewPool = freeList[ewTask]{init: func(t *ewTask) { t.run = t.exec }}

// freeList recycles task objects. Unlike sync.Pool it never drops them at
// a GC, so steady-state steps stay at zero allocations (AllocsPerRun
// tests); it only grows to the peak number of concurrent callers.
type freeList[T any] struct {
	mu    sync.Mutex
	items []*T
	init  func(*T)
}

func (f *freeList[T]) Get() *T {
	f.mu.Lock()
	if n := len(f.items); n > 0 {
		t := f.items[n-1]
		f.items = f.items[:n-1]
		f.mu.Unlock()
		return t
	}
	f.mu.Unlock()
	t := new(T)
	f.init(t)
	return t
}

func (f *freeList[T]) Put(t *T) {
	f.mu.Lock()
	f.items = append(f.items, t)
	f.mu.Unlock()
}

// ewGrain is the number of elements below which an elementwise loop stays
// on the calling thread: the pool's hand-off costs a few microseconds.
const (
	ewGrainHeavy = 16 << 10 // GELU (~1 ns/element, two passes backward)
	ewGrainLight = 64 << 10 // arithmetic and vectorised loops
)

// runEW runs t.body over [0,n) (split across the pool when n ≥ grain) and
// recycles t.
func runEW(t *ewTask, n, grain int) {
	if n >= grain && kernels.Threads() > 1 {
		kernels.Parallel(n, t.run)
	} else {
		t.body(t, 0, n)
	}
	*t = ewTask{run: t.run}
	ewPool.Put(t)
}

// unaryFast32 computes a unary op on float32 data when it has a fast path;
// it reports false otherwise.
func unaryFast32(op opCode, d, s []float32, p0 float64) bool {
	switch op {
	case opExp, opTanh, opSigmoid, opGELU, opReLU:
	case opAddS, opMulS:
		if len(d) < ewGrainLight {
			return false // the generic loop is as fast on one thread
		}
	default:
		return false
	}
	t := ewPool.Get()
	t.body, t.op, t.d, t.s, t.p0 = unaryFwdBody, op, d, s[:len(d)], float32(p0)
	grain := ewGrainLight
	if op == opGELU {
		grain = ewGrainHeavy
	}
	runEW(t, len(d), grain)
	return true
}

func unaryFwdBody(t *ewTask, lo, hi int) {
	d, s := t.d[lo:hi], t.s[lo:hi]
	s = s[:len(d)]
	switch t.op {
	case opExp:
		kernels.Exp(d, s)
	case opSigmoid:
		kernels.Sigmoid(d, s)
	case opTanh:
		kernels.Tanh(d, s)
	case opGELU:
		kernels.GELU(d, s)
	case opReLU:
		for i, v := range s {
			d[i] = max(v, 0)
		}
	case opAddS:
		c := t.p0
		for i, v := range s {
			d[i] = v + c
		}
	case opMulS:
		c := t.p0
		for i, v := range s {
			d[i] = v * c
		}
	}
}

// hasGradFast32 reports whether unaryGradFast32 handles op.
func hasGradFast32(op opCode) bool {
	switch op {
	case opExp, opTanh, opSigmoid, opGELU, opReLU:
		return true
	}
	return false
}

// unaryGradFast32 computes a unary op's input gradient for contiguous
// float32 data: gx += g·f'(x), or gx = g·f'(x) when set is true (a fresh,
// unzeroed buffer). x is the op's input and y its output, both contiguous.
// The op must satisfy hasGradFast32.
func unaryGradFast32(op opCode, gx, g, y, x []float32, set bool) {
	t := ewPool.Get()
	n := len(gx)
	t.body, t.op, t.d, t.s, t.y, t.x, t.set = unaryGradBody, op, gx, g[:n], y[:n], x[:n], set
	grain := ewGrainLight
	if op == opGELU {
		grain = ewGrainHeavy
	}
	runEW(t, n, grain)
}

func unaryGradBody(t *ewTask, lo, hi int) {
	gx, g, y, x := t.d[lo:hi], t.s[lo:hi], t.y[lo:hi], t.x[lo:hi]
	g, y, x = g[:len(gx)], y[:len(gx)], x[:len(gx)]
	if t.set {
		switch t.op {
		case opReLU:
			for i, v := range g {
				b := int32(math.Float32bits(y[i]))
				m := uint32((-b & ^b & (b - 0x7f800001)) >> 31)
				gx[i] = math.Float32frombits(math.Float32bits(v) & m)
			}
			return
		case opGELU:
			kernels.GELUGradMul(gx, x, g)
			return
		}
		clear(gx)
	}
	switch t.op {
	case opExp:
		for i, v := range g {
			gx[i] += v * y[i]
		}
	case opTanh:
		for i, v := range g {
			gx[i] += v * (1 - y[i]*y[i])
		}
	case opSigmoid:
		for i, v := range g {
			gx[i] += v * y[i] * (1 - y[i])
		}
	case opReLU:
		// Branch-free: the mask is all ones iff 0 < y ≤ +Inf (y's bits as
		// an int32 in (0, 0x7f800000]; NaN and ±0 give no gradient).
		for i, v := range g {
			b := int32(math.Float32bits(y[i]))
			m := uint32((-b & ^b & (b - 0x7f800001)) >> 31)
			gx[i] += math.Float32frombits(math.Float32bits(v) & m)
		}
	case opGELU:
		kernels.GELUGradMulAdd(gx, x, g)
	}
}
