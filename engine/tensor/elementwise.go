package tensor

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// ---------------------------------------------------------------------------
// Binary ops with NumPy/PyTorch broadcasting.

// Add returns a + b (broadcasting).
func Add(a, b *Tensor) (*Tensor, error) { return binary(opAdd, "add", a, b) }

// Sub returns a - b (broadcasting).
func Sub(a, b *Tensor) (*Tensor, error) { return binary(opSub, "sub", a, b) }

// Mul returns a * b elementwise (broadcasting).
func Mul(a, b *Tensor) (*Tensor, error) { return binary(opMul, "mul", a, b) }

// Div returns a / b elementwise (broadcasting).
func Div(a, b *Tensor) (*Tensor, error) { return binary(opDiv, "div", a, b) }

// Pow returns a ** b elementwise (broadcasting). Like PyTorch, the
// gradient with respect to b is taken as 0 where a == 0 and b >= 0.
func Pow(a, b *Tensor) (*Tensor, error) { return binary(opPow, "pow", a, b) }

// Maximum returns the elementwise maximum (broadcasting); on ties the
// gradient is split evenly, like torch.maximum.
func Maximum(a, b *Tensor) (*Tensor, error) { return binary(opMaximum, "maximum", a, b) }

// Minimum returns the elementwise minimum (broadcasting); on ties the
// gradient is split evenly, like torch.minimum.
func Minimum(a, b *Tensor) (*Tensor, error) { return binary(opMinimum, "minimum", a, b) }

func binary(op opCode, name string, a, b *Tensor) (*Tensor, error) {
	if err := checkPair(name, a, b); err != nil {
		return nil, err
	}
	var ob [MaxDims]int
	shape, ok := broadcastShape(a.shape, b.shape, &ob)
	if !ok {
		return nil, shapeErr(name, "cannot broadcast", a.shape, b.shape)
	}
	out := newTensor(a.dtype, shape, false)
	if n := len(out.f32); n >= ewGrainLight && kernels.Threads() > 1 && (op == opAdd || op == opSub || op == opMul) &&
		sameShape(a.shape, b.shape) && a.IsContiguous() && b.IsContiguous() {
		// large same-shape float32 operands: split across the pool
		t := ewPool.Get()
		t.body, t.op, t.d, t.s, t.x = binaryFwdBody, op, out.f32, a.f32[a.offset:a.offset+n], b.f32[b.offset:b.offset+n]
		runEW(t, n, ewGrainLight)
		record(out, op, a, b, nil)
		return out, nil
	}
	var sa, sb [MaxDims]int
	as := bcastStrides(a.shape, a.strides, shape, sa[:])
	bs := bcastStrides(b.shape, b.strides, shape, sb[:])
	if a.dtype == Float64 {
		binaryFwd(op, out.f64, a.f64, a.offset, as, b.f64, b.offset, bs, shape)
	} else {
		binaryFwd(op, out.f32, a.f32, a.offset, as, b.f32, b.offset, bs, shape)
	}
	record(out, op, a, b, nil)
	return out, nil
}

// binaryFwdBody is an elementwise Add, Sub or Mul of contiguous float32
// operands (t.s op t.x into t.d) over [lo, hi).
func binaryFwdBody(t *ewTask, lo, hi int) {
	binRow(t.op, t.d[lo:hi], t.s, lo, 1, t.x, lo, 1)
}

func binaryFwd[T float](op opCode, out, a []T, ao int, as []int, b []T, bo int, bs []int, shape []int) {
	var cs [MaxDims]int
	var it rowIter
	it.init(shape, 3, [4][]int{contiguousOf(shape, &cs), as, bs}, [4]int{0, ao, bo})
	for it.next() {
		o := it.off[0]
		binRow(op, out[o:o+it.n], a, it.off[1], it.inner[1], b, it.off[2], it.inner[2])
	}
}

func binRow[T float](op opCode, d, a []T, ia, sa int, b []T, ib, sb int) {
	n := len(d)
	if sa == 1 && sb == 1 {
		x := a[ia : ia+n]
		y := b[ib : ib+n]
		switch op {
		case opAdd:
			for i := range d {
				d[i] = x[i] + y[i]
			}
			return
		case opSub:
			for i := range d {
				d[i] = x[i] - y[i]
			}
			return
		case opMul:
			for i := range d {
				d[i] = x[i] * y[i]
			}
			return
		case opDiv:
			for i := range d {
				d[i] = x[i] / y[i]
			}
			return
		}
	}
	if sa == 1 && sb == 0 {
		x := a[ia : ia+n]
		y := b[ib]
		switch op {
		case opAdd:
			for i := range d {
				d[i] = x[i] + y
			}
			return
		case opSub:
			for i := range d {
				d[i] = x[i] - y
			}
			return
		case opMul:
			for i := range d {
				d[i] = x[i] * y
			}
			return
		case opDiv:
			for i := range d {
				d[i] = x[i] / y
			}
			return
		}
	}
	for i := range d {
		x, y := a[ia+i*sa], b[ib+i*sb]
		var v T
		switch op {
		case opAdd:
			v = x + y
		case opSub:
			v = x - y
		case opMul:
			v = x * y
		case opDiv:
			v = x / y
		case opPow:
			v = T(math.Pow(float64(x), float64(y)))
		case opMaximum:
			v = x
			if y > x || y != y {
				v = y
			}
		case opMinimum:
			v = x
			if y < x || y != y {
				v = y
			}
		}
		d[i] = v
	}
}

func binaryBackward(t *Tensor) {
	a, b := t.parents[0], t.parents[1]
	aliased := false
	for w, p := range [2]*Tensor{a, b} {
		if !p.requiresGrad {
			continue
		}
		if p.grad == nil && (t.op == opAdd || t.op == opSub && w == 0) && sameShape(p.shape, t.shape) {
			// the first gradient p receives is t's, unchanged: take over
			// t's buffer (once: the other parent must not share it) or
			// copy it, rather than zero-fill and add
			if !aliased && canAliasGrad(t, p) {
				p.grad = aliasGrad(p, t.grad)
				aliased = true
				continue
			}
			p.grad = newTensorIn(p.arena, p.dtype, p.shape, false)
			copy(p.grad.f32, t.grad.f32)
			copy(p.grad.f64, t.grad.f64)
			continue
		}
		ensureGrad(p)
		var cs, pc, gs, sa, sb [MaxDims]int
		fillContiguous(p.shape, pc[:len(p.shape)])
		gps := bcastStrides(p.shape, pc[:len(p.shape)], t.shape, gs[:])
		as := bcastStrides(a.shape, a.strides, t.shape, sa[:])
		bs := bcastStrides(b.shape, b.strides, t.shape, sb[:])
		sts := [4][]int{contiguousOf(t.shape, &cs), gps, as, bs}
		offs := [4]int{0, 0, a.offset, b.offset}
		if t.dtype == Float64 {
			binGrad(t.op, w, t.shape, sts, offs, t.grad.f64, p.grad.f64, a.f64, b.f64)
		} else {
			binGrad(t.op, w, t.shape, sts, offs, t.grad.f32, p.grad.f32, a.f32, b.f32)
		}
	}
}

func binGrad[T float](op opCode, which int, shape []int, sts [4][]int, offs [4]int, g, gp, a, b []T) {
	var it rowIter
	it.init(shape, 4, sts, offs)
	for it.next() {
		o, po, ao, bo := it.off[0], it.off[1], it.off[2], it.off[3]
		ps, as, bs := it.inner[1], it.inner[2], it.inner[3]
		gr := g[o : o+it.n]
		if op == opAdd || op == opSub && which == 0 {
			switch ps {
			case 1:
				dst := gp[po : po+it.n]
				for i, v := range gr {
					dst[i] += v
				}
			case 0:
				var acc T
				for _, v := range gr {
					acc += v
				}
				gp[po] += acc
			default:
				for i, v := range gr {
					gp[po+i*ps] += v
				}
			}
			continue
		}
		for i, gv := range gr {
			x, y := a[ao+i*as], b[bo+i*bs]
			var d T
			switch op {
			case opSub:
				d = -gv
			case opMul:
				if which == 0 {
					d = gv * y
				} else {
					d = gv * x
				}
			case opDiv:
				if which == 0 {
					d = gv / y
				} else {
					d = -gv * x / (y * y)
				}
			case opPow:
				xf, yf := float64(x), float64(y)
				if which == 0 {
					if yf == 0 {
						d = 0
					} else {
						d = T(float64(gv) * yf * math.Pow(xf, yf-1))
					}
				} else {
					if xf == 0 && yf >= 0 {
						d = 0
					} else {
						d = T(float64(gv) * math.Pow(xf, yf) * math.Log(xf))
					}
				}
			case opMaximum, opMinimum:
				first := x > y
				if op == opMinimum {
					first = x < y
				}
				switch {
				case x == y:
					d = gv / 2
				case first == (which == 0):
					d = gv
				}
			}
			gp[po+i*ps] += d
		}
	}
}

// ---------------------------------------------------------------------------
// Unary and scalar ops. The output is contiguous; the backward rules read
// the input (strided), the output and the gradient.

// Neg returns -t.
func (t *Tensor) Neg() (*Tensor, error) { return unary(opNeg, "neg", t, 0, 0) }

// Exp returns e**t.
func (t *Tensor) Exp() (*Tensor, error) { return unary(opExp, "exp", t, 0, 0) }

// Log returns the natural logarithm of t.
func (t *Tensor) Log() (*Tensor, error) { return unary(opLog, "log", t, 0, 0) }

// Sqrt returns the square root of t.
func (t *Tensor) Sqrt() (*Tensor, error) { return unary(opSqrt, "sqrt", t, 0, 0) }

// Abs returns |t| (gradient sign(t), 0 at 0).
func (t *Tensor) Abs() (*Tensor, error) { return unary(opAbs, "abs", t, 0, 0) }

// Tanh returns tanh(t).
func (t *Tensor) Tanh() (*Tensor, error) { return unary(opTanh, "tanh", t, 0, 0) }

// Sigmoid returns 1/(1+e**-t), computed stably for large |t|.
func (t *Tensor) Sigmoid() (*Tensor, error) { return unary(opSigmoid, "sigmoid", t, 0, 0) }

// ReLU returns max(t, 0) (gradient 0 at 0, like PyTorch).
func (t *Tensor) ReLU() (*Tensor, error) { return unary(opReLU, "relu", t, 0, 0) }

// LeakyReLU returns t where t > 0 and slope*t elsewhere.
func (t *Tensor) LeakyReLU(slope float64) (*Tensor, error) {
	return unary(opLeakyReLU, "leaky_relu", t, slope, 0)
}

// GELU returns the exact (erf) GELU x·Φ(x), torch.nn.GELU's default
// (approximate='none'), not the tanh approximation.
func (t *Tensor) GELU() (*Tensor, error) { return unary(opGELU, "gelu", t, 0, 0) }

// Clamp limits t to [lo, hi] (use ±math.Inf(1) for no bound). The gradient
// passes where lo <= t <= hi, like torch.clamp.
func (t *Tensor) Clamp(lo, hi float64) (*Tensor, error) {
	if lo > hi {
		return nil, fmt.Errorf("tensor: clamp: min %g greater than max %g", lo, hi)
	}
	return unary(opClamp, "clamp", t, lo, hi)
}

// AddScalar returns t + s.
func (t *Tensor) AddScalar(s float64) (*Tensor, error) { return unary(opAddS, "add_scalar", t, s, 0) }

// MulScalar returns t * s.
func (t *Tensor) MulScalar(s float64) (*Tensor, error) { return unary(opMulS, "mul_scalar", t, s, 0) }

// PowScalar returns t ** p.
func (t *Tensor) PowScalar(p float64) (*Tensor, error) { return unary(opPowS, "pow_scalar", t, p, 0) }

func unary(op opCode, name string, t *Tensor, p0, p1 float64) (*Tensor, error) {
	if t == nil {
		return nil, nilErr(name)
	}
	out := newTensor(t.dtype, t.shape, false)
	n := t.Numel()
	contig := t.IsContiguous()
	if t.dtype == Float64 {
		src := out.f64
		if contig {
			src = t.f64[t.offset : t.offset+n]
		} else {
			copyStrided(out.f64, t.f64, t.shape, t.strides, t.offset)
		}
		unaryApply(op, out.f64, src, p0, p1)
	} else {
		src := out.f32
		if contig {
			src = t.f32[t.offset : t.offset+n]
		} else {
			copyStrided(out.f32, t.f32, t.shape, t.strides, t.offset)
		}
		if !unaryFast32(op, out.f32, src, p0) {
			unaryApply(op, out.f32, src, p0, p1)
		}
	}
	if record(out, op, t, nil, nil) {
		out.farg = [2]float64{p0, p1}
	}
	return out, nil
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

func unaryApply[T float](op opCode, d, s []T, p0, p1 float64) {
	s = s[:len(d)]
	switch op {
	case opNeg:
		for i, v := range s {
			d[i] = -v
		}
	case opExp:
		for i, v := range s {
			d[i] = T(math.Exp(float64(v)))
		}
	case opLog:
		for i, v := range s {
			d[i] = T(math.Log(float64(v)))
		}
	case opSqrt:
		for i, v := range s {
			d[i] = T(math.Sqrt(float64(v)))
		}
	case opAbs:
		for i, v := range s {
			if v < 0 {
				v = -v
			}
			d[i] = v
		}
	case opTanh:
		for i, v := range s {
			d[i] = T(math.Tanh(float64(v)))
		}
	case opSigmoid:
		for i, v := range s {
			d[i] = T(sigmoid(float64(v)))
		}
	case opReLU:
		for i, v := range s {
			d[i] = max(v, 0) // branch-free; NaN stays NaN like torch.relu
		}
	case opLeakyReLU:
		sl := T(p0)
		for i, v := range s {
			if v < 0 {
				v *= sl
			}
			d[i] = v
		}
	case opGELU:
		for i, v := range s {
			x := float64(v)
			d[i] = T(0.5 * x * (1 + math.Erf(x/math.Sqrt2)))
		}
	case opClamp:
		lo, hi := p0, p1
		for i, v := range s {
			x := float64(v)
			if x < lo {
				x = lo
			} else if x > hi {
				x = hi
			}
			d[i] = T(x)
		}
	case opAddS:
		c := T(p0)
		for i, v := range s {
			d[i] = v + c
		}
	case opMulS:
		c := T(p0)
		for i, v := range s {
			d[i] = v * c
		}
	case opPowS:
		switch p0 {
		case 2:
			for i, v := range s {
				d[i] = v * v
			}
		case 1:
			copy(d, s)
		default:
			for i, v := range s {
				d[i] = T(math.Pow(float64(v), p0))
			}
		}
	}
}

func unaryBackward(t *Tensor) {
	x := t.parents[0]
	if t.dtype == Float32 && x.IsContiguous() && hasGradFast32(t.op) {
		// A gradient buffer made here is written, not accumulated into, so
		// it need not be zeroed first.
		set := x.grad == nil
		if set {
			x.grad = newTensorIn(x.arena, x.dtype, x.shape, false)
		}
		n := t.Numel()
		unaryGradFast32(t.op, x.grad.f32[:n], t.grad.f32[:n], t.f32[:n], x.f32[x.offset:x.offset+n], set)
		return
	}
	ensureGrad(x)
	var cs [MaxDims]int
	var it rowIter
	it.init(t.shape, 2, [4][]int{contiguousOf(t.shape, &cs), x.strides}, [4]int{0, x.offset})
	for it.next() {
		o, xo, xs, n := it.off[0], it.off[1], it.inner[1], it.n
		if t.dtype == Float64 {
			unaryGradRow(t.op, x.grad.f64[o:o+n], t.grad.f64[o:o+n], t.f64[o:o+n], x.f64, xo, xs, t.farg)
		} else {
			unaryGradRow(t.op, x.grad.f32[o:o+n], t.grad.f32[o:o+n], t.f32[o:o+n], x.f32, xo, xs, t.farg)
		}
	}
}

var invSqrt2Pi = 1 / math.Sqrt(2*math.Pi)

func unaryGradRow[T float](op opCode, gx, g, y, x []T, xo, xs int, p [2]float64) {
	g = g[:len(gx)]
	y = y[:len(gx)]
	switch op {
	case opNeg:
		for i, v := range g {
			gx[i] -= v
		}
	case opExp:
		for i, v := range g {
			gx[i] += v * y[i]
		}
	case opLog:
		for i, v := range g {
			gx[i] += v / x[xo+i*xs]
		}
	case opSqrt:
		for i, v := range g {
			gx[i] += v / (2 * y[i])
		}
	case opAbs:
		for i, v := range g {
			xv := x[xo+i*xs]
			if xv > 0 {
				gx[i] += v
			} else if xv < 0 {
				gx[i] -= v
			}
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
		for i, v := range g {
			if y[i] > 0 {
				gx[i] += v
			}
		}
	case opLeakyReLU:
		sl := T(p[0])
		for i, v := range g {
			if x[xo+i*xs] > 0 {
				gx[i] += v
			} else {
				gx[i] += v * sl
			}
		}
	case opGELU:
		for i, v := range g {
			xv := float64(x[xo+i*xs])
			cdf := 0.5 * (1 + math.Erf(xv/math.Sqrt2))
			pdf := math.Exp(-0.5*xv*xv) * invSqrt2Pi
			gx[i] += T(float64(v) * (cdf + xv*pdf))
		}
	case opClamp:
		for i, v := range g {
			xv := float64(x[xo+i*xs])
			if xv >= p[0] && xv <= p[1] {
				gx[i] += v
			}
		}
	case opAddS:
		for i, v := range g {
			gx[i] += v
		}
	case opMulS:
		c := T(p[0])
		for i, v := range g {
			gx[i] += v * c
		}
	case opPowS:
		if p[0] == 0 {
			return
		}
		for i, v := range g {
			xv := float64(x[xo+i*xs])
			gx[i] += T(float64(v) * p[0] * math.Pow(xv, p[0]-1))
		}
	}
}

// ---------------------------------------------------------------------------
// Where and MaskedFill. Conditions and masks are tensors of any dtype read
// as booleans: nonzero is true.

// Where returns, elementwise, a where cond is nonzero and b elsewhere
// (cond, a and b broadcast together). cond gets no gradient.
func Where(cond, a, b *Tensor) (*Tensor, error) {
	if cond == nil {
		return nil, nilErr("where")
	}
	if err := checkPair("where", a, b); err != nil {
		return nil, err
	}
	var b1, b2 [MaxDims]int
	s1, ok := broadcastShape(a.shape, b.shape, &b1)
	if !ok {
		return nil, shapeErr("where", "cannot broadcast", cond.shape, a.shape, b.shape)
	}
	shape, ok := broadcastShape(cond.shape, s1, &b2)
	if !ok {
		return nil, shapeErr("where", "cannot broadcast", cond.shape, a.shape, b.shape)
	}
	c := cond.Detach()
	if c.dtype != a.dtype {
		var err error
		if c, err = c.To(a.dtype); err != nil {
			return nil, err
		}
	}
	out := newTensor(a.dtype, shape, false)
	var cs, sc, sa, sb [MaxDims]int
	sts := [4][]int{contiguousOf(shape, &cs),
		bcastStrides(c.shape, c.strides, shape, sc[:]),
		bcastStrides(a.shape, a.strides, shape, sa[:]),
		bcastStrides(b.shape, b.strides, shape, sb[:])}
	offs := [4]int{0, c.offset, a.offset, b.offset}
	if a.dtype == Float64 {
		whereFwd(shape, sts, offs, out.f64, c.f64, a.f64, b.f64)
	} else {
		whereFwd(shape, sts, offs, out.f32, c.f32, a.f32, b.f32)
	}
	record(out, opWhere, a, b, c)
	return out, nil
}

func whereFwd[T float](shape []int, sts [4][]int, offs [4]int, out, c, a, b []T) {
	var it rowIter
	it.init(shape, 4, sts, offs)
	for it.next() {
		o, co, ao, bo := it.off[0], it.off[1], it.off[2], it.off[3]
		cs, as, bs := it.inner[1], it.inner[2], it.inner[3]
		d := out[o : o+it.n]
		for i := range d {
			if c[co+i*cs] != 0 {
				d[i] = a[ao+i*as]
			} else {
				d[i] = b[bo+i*bs]
			}
		}
	}
}

func whereBackward(t *Tensor) {
	c := t.parents[2]
	for w, p := range t.parents[:2] {
		if !p.requiresGrad {
			continue
		}
		ensureGrad(p)
		var cs, pc, gs, sc [MaxDims]int
		fillContiguous(p.shape, pc[:len(p.shape)])
		sts := [4][]int{contiguousOf(t.shape, &cs),
			bcastStrides(p.shape, pc[:len(p.shape)], t.shape, gs[:]),
			bcastStrides(c.shape, c.strides, t.shape, sc[:])}
		offs := [4]int{0, 0, c.offset}
		if t.dtype == Float64 {
			whereGrad(w == 0, t.shape, sts, offs, t.grad.f64, p.grad.f64, c.f64)
		} else {
			whereGrad(w == 0, t.shape, sts, offs, t.grad.f32, p.grad.f32, c.f32)
		}
	}
}

func whereGrad[T float](takeTrue bool, shape []int, sts [4][]int, offs [4]int, g, gp, c []T) {
	var it rowIter
	it.init(shape, 3, sts, offs)
	for it.next() {
		o, po, co := it.off[0], it.off[1], it.off[2]
		ps, cs := it.inner[1], it.inner[2]
		for i, v := range g[o : o+it.n] {
			if (c[co+i*cs] != 0) == takeTrue {
				gp[po+i*ps] += v
			}
		}
	}
}

// MaskedFill returns t with value wherever mask (broadcast to t's shape)
// is nonzero, like torch.masked_fill. No gradient flows to filled elements.
func (t *Tensor) MaskedFill(mask *Tensor, value float64) (*Tensor, error) {
	if t == nil || mask == nil {
		return nil, nilErr("masked_fill")
	}
	var buf [MaxDims]int
	s, ok := broadcastShape(mask.shape, t.shape, &buf)
	if !ok || !sameShape(s, t.shape) {
		return nil, shapeErr("masked_fill", "mask does not broadcast to the tensor's shape", t.shape, mask.shape)
	}
	v := newTensor(t.dtype, nil, false)
	if t.dtype == Float64 {
		v.f64[0] = value
	} else {
		v.f32[0] = float32(value)
	}
	return Where(mask, v, t)
}
