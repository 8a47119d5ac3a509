package tensor

import (
	"fmt"
	"sync/atomic"
)

// opCode names the op that produced a tensor; backwardFns maps it to the
// op's backward rule (a plain function next to the op's forward, not a
// closure, so that recording the graph allocates nothing).
type opCode uint8

const (
	opNone opCode = iota // leaf
	opView
	opCopy
	opCast
	opAdd
	opSub
	opMul
	opDiv
	opPow
	opMaximum
	opMinimum
	opWhere
	opNeg
	opExp
	opLog
	opSqrt
	opAbs
	opTanh
	opSigmoid
	opReLU
	opLeakyReLU
	opGELU
	opClamp
	opAddS
	opMulS
	opPowS
	opSum
	opMaxMin
	opMatMul
	opSoftmax
	opLogSoftmax
	opLinear
	opCrossEntropy
	opMSE
	opConcat
	opGather
	opIndexSelect
	numOps
)

var backwardFns [numOps]func(t *Tensor)

// registeredBackward holds the backward rules of ops registered with
// registerOp, which get the op codes numOps, numOps+1, …
var registeredBackward []func(t *Tensor)

// registerOp gives a new op its code and backward rule. Files that add ops
// declare them as package variables next to their forward, e.g.
//
//	var opConv2d = registerOp("conv2d", conv2dBackward)
//
// so that ops can be added without editing this file.
func registerOp(name string, backward func(t *Tensor)) opCode {
	if backward == nil {
		panic("tensor: registerOp " + name + ": nil backward rule")
	}
	if int(numOps)+len(registeredBackward) >= 255 {
		panic("tensor: too many ops registering " + name)
	}
	registeredBackward = append(registeredBackward, backward)
	return numOps + opCode(len(registeredBackward)-1)
}

// backwardOf is the backward rule of op.
func backwardOf(op opCode) func(t *Tensor) {
	if op < numOps {
		return backwardFns[op]
	}
	return registeredBackward[op-numOps]
}

func init() {
	backwardFns = [numOps]func(t *Tensor){
		opView:         viewBackward,
		opCopy:         copyBackward,
		opCast:         castBackward,
		opAdd:          binaryBackward,
		opSub:          binaryBackward,
		opMul:          binaryBackward,
		opDiv:          binaryBackward,
		opPow:          binaryBackward,
		opMaximum:      binaryBackward,
		opMinimum:      binaryBackward,
		opWhere:        whereBackward,
		opNeg:          unaryBackward,
		opExp:          unaryBackward,
		opLog:          unaryBackward,
		opSqrt:         unaryBackward,
		opAbs:          unaryBackward,
		opTanh:         unaryBackward,
		opSigmoid:      unaryBackward,
		opReLU:         unaryBackward,
		opLeakyReLU:    unaryBackward,
		opGELU:         unaryBackward,
		opClamp:        unaryBackward,
		opAddS:         unaryBackward,
		opMulS:         unaryBackward,
		opPowS:         unaryBackward,
		opSum:          sumBackward,
		opMaxMin:       maxMinBackward,
		opMatMul:       matmulBackward,
		opSoftmax:      softmaxBackward,
		opLogSoftmax:   softmaxBackward,
		opLinear:       linearBackward,
		opCrossEntropy: crossEntropyBackward,
		opMSE:          mseBackward,
		opConcat:       concatBackward,
		opGather:       gatherBackward,
		opIndexSelect:  indexSelectBackward,
	}
}

// gradEnabled is the process-wide grad mode (see NoGrad).
var gradEnabled = true

// GradEnabled reports whether ops currently record the autograd graph.
func GradEnabled() bool { return gradEnabled }

// SetGradEnabled sets the grad mode and returns the previous one.
// The mode is process-wide, not per goroutine (Go has no goroutine-local
// state): switch it from the goroutine that drives the model.
func SetGradEnabled(enabled bool) (prev bool) {
	prev = gradEnabled
	gradEnabled = enabled
	return prev
}

// NoGrad runs f with graph recording off (like torch.no_grad): tensors
// created inside f do not require grad and keep no reference to their
// inputs. The mode is process-wide; see SetGradEnabled.
func NoGrad(f func()) {
	prev := SetGradEnabled(false)
	defer SetGradEnabled(prev)
	f()
}

// record marks t as produced by op from the given parents, if grad mode is
// on and any parent requires grad. It reports whether it recorded.
func record(t *Tensor, op opCode, a, b, c *Tensor) bool {
	if !gradEnabled {
		return false
	}
	if !(a != nil && a.requiresGrad || b != nil && b.requiresGrad || c != nil && c.requiresGrad) {
		return false
	}
	t.requiresGrad = true
	t.op = op
	t.par = [3]*Tensor{a, b, c}
	n := 3
	for n > 0 && t.par[n-1] == nil {
		n--
	}
	t.parents = t.par[:n]
	return true
}

// recordN is record for ops with any number of parents.
func recordN(t *Tensor, op opCode, ps []*Tensor) bool {
	if !gradEnabled {
		return false
	}
	any := false
	for _, p := range ps {
		if p.requiresGrad {
			any = true
			break
		}
	}
	if !any {
		return false
	}
	t.requiresGrad = true
	t.op = op
	t.parents = allocPtrs(curArena, len(ps))
	copy(t.parents, ps)
	return true
}

// RequiresGrad reports whether gradients are computed for t.
func (t *Tensor) RequiresGrad() bool { return t.requiresGrad }

// SetRequiresGrad sets whether a leaf tensor collects gradients and returns
// t (for chaining). On a non-leaf tensor it does nothing: use Detach.
func (t *Tensor) SetRequiresGrad(b bool) *Tensor {
	if t.op == opNone {
		t.requiresGrad = b
	}
	return t
}

// IsLeaf reports whether t was created by the user rather than by an op
// that recorded the graph (like PyTorch, tensors that do not require grad
// are leaves).
func (t *Tensor) IsLeaf() bool { return t.op == opNone }

// RetainGrad makes a non-leaf tensor keep its gradient after Backward.
func (t *Tensor) RetainGrad() { t.retainGrad = true }

// Grad returns the accumulated gradient (nil before the first backward
// pass; nil for non-leaf tensors unless RetainGrad was called). It is a
// contiguous tensor of t's shape and dtype.
func (t *Tensor) Grad() *Tensor { return t.grad }

// ZeroGrad sets the accumulated gradient to zero, keeping its buffer (so
// the next backward pass allocates nothing).
func (t *Tensor) ZeroGrad() {
	if t.grad == nil {
		return
	}
	clear(t.grad.f32)
	clear(t.grad.f64)
}

// Detach returns a view of t's storage that is cut from the graph.
func (t *Tensor) Detach() *Tensor {
	return newView(t, t.shape, t.strides, t.offset)
}

// Backward computes the gradient of the one-element tensor t with respect
// to every tensor of the graph that requires grad, and accumulates it into
// their Grad (across calls, until ZeroGrad).
func (t *Tensor) Backward() error {
	if t == nil {
		return nilErr("backward")
	}
	if t.Numel() != 1 {
		return shapeErr("backward", "gradient can be implicitly created only for one-element outputs; use BackwardWithGrad", t.shape)
	}
	return t.backward(nil)
}

// BackwardWithGrad is Backward seeded with the gradient g of t (same shape
// and dtype as t).
func (t *Tensor) BackwardWithGrad(g *Tensor) error {
	if err := checkPair("backward", t, g); err != nil {
		return err
	}
	if !sameShape(t.shape, g.shape) {
		return shapeErr("backward", "gradient shape differs from tensor shape", t.shape, g.shape)
	}
	return t.backward(g)
}

var epoch atomic.Uint64

type frame struct {
	t *Tensor
	i int
}

func (t *Tensor) backward(g *Tensor) error {
	if !t.requiresGrad {
		return fmt.Errorf("tensor: backward: %w: tensor does not require grad", ErrGrad)
	}
	a := curArena
	var topo []*Tensor
	var stack []frame
	if a != nil {
		topo, stack = a.topo[:0], a.stack[:0]
	}
	mark := epoch.Add(1)
	t.mark = mark
	stack = append(stack, frame{t, 0})
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.i < len(f.t.parents) {
			p := f.t.parents[f.i]
			f.i++
			if p != nil && p.requiresGrad && p.mark != mark {
				p.mark = mark
				stack = append(stack, frame{p, 0})
			}
			continue
		}
		topo = append(topo, f.t)
		stack = stack[:len(stack)-1]
	}

	ensureGrad(t)
	if g == nil {
		if t.dtype == Float64 {
			t.grad.f64[0]++
		} else {
			t.grad.f32[0]++
		}
	} else {
		// grad += g (g may be strided)
		if t.dtype == Float64 {
			addInto(t.grad.f64, g.f64, g.shape, g.strides, g.offset)
		} else {
			addInto(t.grad.f32, g.f32, g.shape, g.strides, g.offset)
		}
	}
	for i := len(topo) - 1; i >= 0; i-- {
		n := topo[i]
		if n.op != opNone && n.grad != nil {
			backwardOf(n.op)(n)
		}
	}
	for _, n := range topo {
		if n.op != opNone && !n.retainGrad {
			n.grad = nil
		}
	}
	if a != nil {
		a.topo, a.stack = topo, stack
	}
	return nil
}

// ensureGrad gives p a zeroed gradient buffer if it has none. The buffer
// comes from the arena p was created in (the heap for leaves made outside
// an arena: allocated once, then accumulated into).
func ensureGrad(p *Tensor) {
	if p.grad == nil {
		p.grad = newTensorIn(p.arena, p.dtype, p.shape, true)
	}
}

// addInto adds the strided src (shape, strides, off) into the contiguous dst.
func addInto[T float](dst, src []T, shape, strides []int, off int) {
	var cs [MaxDims]int
	var it rowIter
	it.init(shape, 2, [4][]int{contiguousOf(shape, &cs), strides}, [4]int{0, off})
	for it.next() {
		o, so, s := it.off[0], it.off[1], it.inner[1]
		d := dst[o : o+it.n]
		for i := range d {
			d[i] += src[so+i*s]
		}
	}
}
