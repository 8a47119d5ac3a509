package tensor

// Layout helpers and the strided row iterator every kernel is built on.

// MaxDims is the largest rank a tensor may have. Ops that would create a
// larger rank return a *ShapeError. (The limit lets the kernels keep their
// index arithmetic in fixed-size arrays on the stack.)
const MaxDims = 16

type float interface{ float32 | float64 }

func numelOf(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// fillContiguous writes the row-major strides of shape into dst.
func fillContiguous(shape, dst []int) {
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		dst[i] = s
		if shape[i] > 1 {
			s *= shape[i]
		}
	}
}

// isContiguous reports whether strides are row-major for shape (dims of
// size 1 may have any stride).
func isContiguous(shape, strides []int) bool {
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] == 1 {
			continue
		}
		if strides[i] != s {
			return false
		}
		s *= shape[i]
	}
	return true
}

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// maxNumel bounds the element count of a shape (so that sizes never overflow int).
const maxNumel = 1 << 48

// validShape reports whether shape has rank <= MaxDims, no negative sizes
// and at most maxNumel elements.
func validShape(shape []int) bool {
	if len(shape) > MaxDims {
		return false
	}
	n := 1
	for _, d := range shape {
		if d < 0 || d > maxNumel {
			return false
		}
		if d > 0 && n > maxNumel/d {
			return false
		}
		n *= d
	}
	return true
}

// broadcastShape writes the NumPy broadcast of a and b into dst (which must
// have room for MaxDims) and returns it; ok is false when they do not
// broadcast.
func broadcastShape(a, b []int, dst *[MaxDims]int) ([]int, bool) {
	n := len(a)
	if len(b) > n {
		n = len(b)
	}
	if n > MaxDims {
		return nil, false
	}
	out := dst[:n]
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		default:
			return nil, false
		}
	}
	return out, true
}

// bcastStrides writes into dst (len(out)) the strides that read a tensor of
// shape/strides as if broadcast to out: 0 for broadcast and missing dims.
func bcastStrides(shape, strides, out []int, dst []int) []int {
	dst = dst[:len(out)]
	k := len(out) - len(shape)
	for i := range out {
		j := i - k
		if j < 0 || shape[j] == 1 && out[i] != 1 {
			dst[i] = 0
		} else {
			dst[i] = strides[j]
		}
	}
	return dst
}

// rowIter walks an N-d index space row by row (a row is the innermost
// dimension after merging dims that are contiguous for every operand), for
// up to four operands with their own strides and offsets.
//
//	var it rowIter
//	it.init(shape, 2, [4][]int{dstStrides, srcStrides}, [4]int{0, src.offset})
//	for it.next() { o0, o1 := it.off[0], it.off[1]; for i := 0; i < it.n; i++ {...} }
type rowIter struct {
	nop     int
	rank    int // outer dims (without the row dim)
	rows    int
	started bool
	n       int    // row length
	inner   [4]int // row strides
	off     [4]int // current row offsets
	shape   [MaxDims]int
	st      [4][MaxDims]int
	idx     [MaxDims]int
}

func (it *rowIter) init(shape []int, nop int, sts [4][]int, offs [4]int) {
	it.nop = nop
	it.off = offs
	it.started = false
	r := 0
	empty := false
	for d := range shape {
		sz := shape[d]
		if sz == 0 {
			empty = true
		}
		if sz == 1 {
			continue
		}
		if r > 0 {
			// merge into previous dim when contiguous for all operands
			merge := true
			for k := 0; k < nop; k++ {
				if it.st[k][r-1] != sts[k][d]*sz {
					merge = false
					break
				}
			}
			if merge {
				it.shape[r-1] *= sz
				for k := 0; k < nop; k++ {
					it.st[k][r-1] = sts[k][d]
				}
				continue
			}
		}
		it.shape[r] = sz
		for k := 0; k < nop; k++ {
			it.st[k][r] = sts[k][d]
		}
		r++
	}
	if r == 0 {
		it.n = 1
		it.inner = [4]int{}
		it.rank = 0
	} else {
		it.n = it.shape[r-1]
		for k := 0; k < nop; k++ {
			it.inner[k] = it.st[k][r-1]
		}
		it.rank = r - 1
	}
	it.rows = 1
	for d := 0; d < it.rank; d++ {
		it.rows *= it.shape[d]
		it.idx[d] = 0
	}
	if empty {
		it.rows = 0
	}
}

func (it *rowIter) next() bool {
	if !it.started {
		it.started = true
		return it.rows > 0
	}
	it.rows--
	if it.rows <= 0 {
		return false
	}
	for d := it.rank - 1; d >= 0; d-- {
		it.idx[d]++
		for k := 0; k < it.nop; k++ {
			it.off[k] += it.st[k][d]
		}
		if it.idx[d] < it.shape[d] {
			return true
		}
		for k := 0; k < it.nop; k++ {
			it.off[k] -= it.st[k][d] * it.shape[d]
		}
		it.idx[d] = 0
	}
	return true
}

// copyStrided copies src (shape, strides, offset) into the contiguous dst.
func copyStrided[T float](dst []T, src []T, shape, strides []int, off int) {
	var cs [MaxDims]int
	fillContiguous(shape, cs[:len(shape)])
	var it rowIter
	it.init(shape, 2, [4][]int{cs[:len(shape)], strides}, [4]int{0, off})
	for it.next() {
		o, so, s := it.off[0], it.off[1], it.inner[1]
		d := dst[o : o+it.n]
		if s == 1 {
			copy(d, src[so:so+it.n])
			continue
		}
		for i := range d {
			d[i] = src[so+i*s]
		}
	}
}

// addStrided adds the contiguous g (of shape) into dst read with strides and
// offset (strides may be 0: the sum then accumulates).
func addStrided[T float](dst []T, strides []int, off int, g []T, shape []int) {
	var cs [MaxDims]int
	fillContiguous(shape, cs[:len(shape)])
	var it rowIter
	it.init(shape, 2, [4][]int{cs[:len(shape)], strides}, [4]int{0, off})
	for it.next() {
		o, do, s := it.off[0], it.off[1], it.inner[1]
		src := g[o : o+it.n]
		switch s {
		case 1:
			d := dst[do : do+it.n]
			for i, v := range src {
				d[i] += v
			}
		case 0:
			var acc T
			for _, v := range src {
				acc += v
			}
			dst[do] += acc
		default:
			for i, v := range src {
				dst[do+i*s] += v
			}
		}
	}
}
