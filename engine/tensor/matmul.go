package tensor

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// gemmLayout tells how a rows×cols matrix with strides (rs, cs) can be fed
// to a row-major GEMM: as stored (trans false, leading dimension ld) or as
// the transpose of a row-major matrix (trans true). ok is false when the
// layout needs a copy (e.g. an expanded, stride-0 dim).
func gemmLayout(rows, cols, rs, cs int) (trans bool, ld int, ok bool) {
	mr, mc := max(rows, 1), max(cols, 1)
	r, c := rs, cs
	if cols == 1 {
		c = 1
	}
	if rows == 1 {
		r = mc
	}
	if c == 1 && r >= mc {
		return false, r, true
	}
	r, c = rs, cs
	if rows == 1 {
		r = 1
	}
	if cols == 1 {
		c = mr
	}
	if r == 1 && c >= mr {
		return true, c, true
	}
	return false, 0, false
}

// matLayout returns the GEMM layout of t's last two dims.
func matLayout(t *Tensor) (trans bool, ld int, ok bool) {
	r := len(t.shape)
	return gemmLayout(t.shape[r-2], t.shape[r-1], t.strides[r-2], t.strides[r-1])
}

// gemmable returns t, or a contiguous copy of t when its last two dims
// cannot be passed to GEMM as they are.
func gemmable(t *Tensor) (*Tensor, error) {
	if _, _, ok := matLayout(t); ok {
		return t, nil
	}
	return t.Clone()
}

// gemm dispatches C = alpha*op(A)*op(B) + beta*C on the dtype.
func gemm32(ta, tb bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if beta == 0 {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	kernels.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// gemmRef is the plain Go GEMM used for Float64.
func gemmRef[T float](ta, tb bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
		} else if beta != 1 {
			for j := range row {
				row[j] *= beta
			}
		}
		for p := 0; p < k; p++ {
			var av T
			if ta {
				av = a[p*lda+i]
			} else {
				av = a[i*lda+p]
			}
			av *= alpha
			if av == 0 {
				continue
			}
			if tb {
				for j := range row {
					row[j] += av * b[j*ldb+p]
				}
			} else {
				br := b[p*ldb : p*ldb+n]
				for j, bv := range br {
					row[j] += av * bv
				}
			}
		}
	}
}

// MatMul is torch.matmul: 2-D × 2-D is a matrix product; 1-D operands are
// promoted (a row vector on the left, a column vector on the right) and the
// added dim removed from the result; operands with more dims are batches of
// matrices whose batch dims broadcast. Float32 uses the engine's SGEMM; a
// transposed view is passed to it as a transpose flag, not copied.
func MatMul(a, b *Tensor) (*Tensor, error) {
	if err := checkPair("matmul", a, b); err != nil {
		return nil, err
	}
	ra, rb := len(a.shape), len(b.shape)
	if ra == 0 || rb == 0 {
		return nil, shapeErr("matmul", "both operands must have at least one dim", a.shape, b.shape)
	}
	ka := a.shape[ra-1]
	kb := b.shape[0]
	if rb >= 2 {
		kb = b.shape[rb-2]
	}
	if ka != kb {
		return nil, shapeErr("matmul", fmt.Sprintf("inner dimensions %d and %d differ", ka, kb), a.shape, b.shape)
	}
	var bb [MaxDims]int
	if ra > 2 || rb > 2 {
		ba, bbs := a.shape[:max(ra-2, 0)], b.shape[:max(rb-2, 0)]
		if _, ok := broadcastShape(ba, bbs, &bb); !ok {
			return nil, shapeErr("matmul", "batch dimensions do not broadcast", a.shape, b.shape)
		}
	}
	var err error
	a1, b1 := a, b
	if ra == 1 {
		if a1, err = a.Unsqueeze(0); err != nil {
			return nil, err
		}
	}
	if rb == 1 {
		if b1, err = b.Unsqueeze(1); err != nil {
			return nil, err
		}
	}
	out, err := matmulND(a1, b1)
	if err != nil {
		return nil, err
	}
	switch {
	case ra == 1 && rb == 1:
		return out.Reshape()
	case ra == 1:
		return out.Squeeze(-2)
	case rb == 1:
		return out.Squeeze(-1)
	}
	return out, nil
}

func matmulND(a, b *Tensor) (*Tensor, error) {
	var err error
	if a, err = gemmable(a); err != nil {
		return nil, err
	}
	if b, err = gemmable(b); err != nil {
		return nil, err
	}
	ra, rb := len(a.shape), len(b.shape)
	m, k, n := a.shape[ra-2], a.shape[ra-1], b.shape[rb-1]
	var bb, shb [MaxDims]int
	batch, _ := broadcastShape(a.shape[:ra-2], b.shape[:rb-2], &bb)
	nb := len(batch)
	copy(shb[:], batch)
	shb[nb], shb[nb+1] = m, n
	empty := m == 0 || n == 0 || k == 0 || numelOf(batch) == 0
	out := newTensor(a.dtype, shb[:nb+2], empty)
	if empty { // nothing to multiply: the result is empty or all zeros
		record(out, opMatMul, a, b, nil)
		return out, nil
	}
	var ob, sa, sb [MaxDims]int
	fillContiguous(batch, ob[:nb])
	for i := range ob[:nb] {
		ob[i] *= m * n
	}
	as := bcastStrides(a.shape[:ra-2], a.strides[:ra-2], batch, sa[:])
	bs := bcastStrides(b.shape[:rb-2], b.strides[:rb-2], batch, sb[:])
	ta, lda, _ := matLayout(a)
	tb, ldb, _ := matLayout(b)
	var it rowIter
	it.init(batch, 3, [4][]int{ob[:nb], as, bs}, [4]int{0, a.offset, b.offset})
	for it.next() {
		for i := 0; i < it.n; i++ {
			oo := it.off[0] + i*it.inner[0]
			ao := it.off[1] + i*it.inner[1]
			bo := it.off[2] + i*it.inner[2]
			if a.dtype == Float64 {
				gemmRef(ta, tb, m, n, k, 1, a.f64[ao:], lda, b.f64[bo:], ldb, 0, out.f64[oo:], n)
			} else {
				gemm32(ta, tb, m, n, k, 1, a.f32[ao:], lda, b.f32[bo:], ldb, 0, out.f32[oo:], n)
			}
		}
	}
	record(out, opMatMul, a, b, nil)
	return out, nil
}

func matmulBackward(t *Tensor) {
	a, b := t.parents[0], t.parents[1]
	ra, rb := len(a.shape), len(b.shape)
	m, k, n := a.shape[ra-2], a.shape[ra-1], b.shape[rb-1]
	nb := len(t.shape) - 2
	batch := t.shape[:nb]
	if m == 0 || n == 0 || k == 0 || numelOf(batch) == 0 {
		return
	}
	ta, lda, _ := matLayout(a)
	tb, ldb, _ := matLayout(b)
	var ob, sa, sb, pc, sp [MaxDims]int
	fillContiguous(batch, ob[:nb])
	for i := range ob[:nb] {
		ob[i] *= m * n
	}
	as := bcastStrides(a.shape[:ra-2], a.strides[:ra-2], batch, sa[:])
	bs := bcastStrides(b.shape[:rb-2], b.strides[:rb-2], batch, sb[:])
	for w, p := range [2]*Tensor{a, b} {
		if !p.requiresGrad {
			continue
		}
		ensureGrad(p)
		rp := len(p.shape)
		fillContiguous(p.shape, pc[:rp])
		ps := bcastStrides(p.shape[:rp-2], pc[:rp-2], batch, sp[:])
		var it rowIter
		it.init(batch, 4, [4][]int{ob[:nb], as, bs, ps}, [4]int{0, a.offset, b.offset, 0})
		for it.next() {
			for i := 0; i < it.n; i++ {
				oo := it.off[0] + i*it.inner[0]
				ao := it.off[1] + i*it.inner[1]
				bo := it.off[2] + i*it.inner[2]
				po := it.off[3] + i*it.inner[3]
				if t.dtype == Float64 {
					g, gp := t.grad.f64[oo:], p.grad.f64[po:]
					if w == 0 { // dA = dC · op(B)ᵀ
						gemmRef(false, !tb, m, k, n, 1, g, n, b.f64[bo:], ldb, 1, gp, k)
					} else { // dB = op(A)ᵀ · dC
						gemmRef(!ta, false, k, n, m, 1, a.f64[ao:], lda, g, n, 1, gp, n)
					}
				} else {
					g, gp := t.grad.f32[oo:], p.grad.f32[po:]
					if w == 0 {
						gemm32(false, !tb, m, k, n, 1, g, n, b.f32[bo:], ldb, 1, gp, k)
					} else {
						gemm32(!ta, false, k, n, m, 1, a.f32[ao:], lda, g, n, 1, gp, n)
					}
				}
			}
		}
	}
}
