package kernels

import (
	"fmt"
	"unsafe"
)

// Epilogue flags; they must match kernel_amd64.s.
const (
	epBeta = 1 << iota // C is read: result += beta*C
	epBias             // result += bias[j]
	epReLU             // result = max(result, 0)
)

// epilogue tells a micro-kernel how to write its tile back:
// C = act(alpha*acc + beta*C + bias). Its layout is shared with the
// assembly kernels.
type epilogue struct {
	alpha float32
	beta  float32
	flags uint32
	_     uint32
	bias  *float32 // nr floats, the tile's slice of the bias vector
}

// Size limits of the micro-tile over all paths (for per-workspace scratch).
const (
	maxMR = 8
	maxNR = 32
)

// smallWork is the m·n·k up to which plain loops beat the blocked path's
// fixed costs. (Small products above it still avoid most packing: when the
// output is at most one micro-panel wide A is read in place, and the packed
// B panel is tiny.)
const smallWork = 5 * 5 * 5

// packCost is the cost of packing one element, in micro-kernel
// multiply-adds (≈0.15 ns against ≈0.017 ns), for choosing a thread split.
const packCost = 9

// parallelWork is the m·n·k below which a call stays on one thread: the
// hand-off costs a few microseconds.
const parallelWork = 96 * 96 * 96

// workspace holds one thread's packing buffers.
type workspace struct {
	_    [64]byte // keep the scratch below off other workspaces' cache lines
	a, b []float32
	tile [maxMR * maxNR]float32
	bias [maxNR]float32
	// The epilogues handed to the micro-kernels live here: they are passed
	// through a func value, so a stack copy would escape and allocate.
	ep, edgeEp epilogue
	_          [64]byte
}

func newWorkspace() *workspace { return new(workspace) }

// alignedFloats returns a slice of n float32s whose first element is 64-byte
// aligned and with packSlack floats of spare capacity, reusing buf when it
// is large enough.
func alignedFloats(buf []float32, n int) []float32 {
	if cap(buf) >= n+packSlack {
		return buf[:n]
	}
	raw := make([]float32, n+packSlack+16)
	off := 0
	if r := uintptr(unsafe.Pointer(&raw[0])) % 64; r != 0 {
		off = int(64-r) / 4
	}
	return raw[off : off+n : off+n+packSlack]
}

// gemmCall is one GEMM with its arguments and its split into parts.
type gemmCall struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
	bias           []float32
	act            Activation
	kern           *kernel

	// The m×n output is split into tm×tn parts of rowStep×colStep.
	tm, tn           int
	rowStep, colStep int
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func roundUp(a, b int) int { return ceilDiv(a, b) * b }

// split divides [0,n) into blocks of at most max (a multiple of unit) that
// are as even as possible, and returns the block size.
func split(n, max, unit int) int {
	nb := ceilDiv(n, max)
	return roundUp(ceilDiv(n, nb), unit)
}

// checkMat panics with a useful message when a slice cannot hold the
// matrix it is said to hold (the assembly does no bounds checking).
func checkMat(name string, s []float32, rows, cols, ld int) {
	if rows == 0 || cols == 0 {
		return
	}
	if rows > 1 && ld < cols {
		panic(fmt.Sprintf("kernels: Sgemm: ld%s = %d < %d columns", name, ld, cols))
	}
	if need := (rows-1)*ld + cols; len(s) < need {
		panic(fmt.Sprintf("kernels: Sgemm: len(%s) = %d, need %d for %d×%d with ld %d", name, len(s), need, rows, cols, ld))
	}
}

// sgemm validates the arguments and dispatches to the plain-loop path, the
// blocked path on the calling goroutine, or the blocked path split across
// the worker pool.
func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32, act Activation) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: Sgemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	if m == 0 || n == 0 {
		return
	}
	if transA {
		checkMat("a", a, k, m, lda)
	} else {
		checkMat("a", a, m, k, lda)
	}
	if transB {
		checkMat("b", b, n, k, ldb)
	} else {
		checkMat("b", b, k, n, ldb)
	}
	checkMat("c", c, m, n, ldc)
	if bias != nil && len(bias) < n {
		panic(fmt.Sprintf("kernels: Sgemm: len(bias) = %d < n = %d", len(bias), n))
	}

	if k == 0 || alpha == 0 {
		scaleC(m, n, beta, c, ldc, bias, act)
		return
	}
	if m*n*k <= smallWork {
		sgemmSmall(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, act)
		return
	}

	kern := activeKernel().pick(m, n)
	t := Threads()
	if t > 1 && m*n*k >= parallelWork {
		j := getJob()
		j.kind = jobGemm
		g := &j.g
		*g = gemmCall{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
			a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, bias: bias, act: act, kern: kern}
		np := g.partition(t)
		j.run(np, t)
		putJob(j)
		return
	}
	g := gemmCall{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta,
		a: a, b: b, c: c, lda: lda, ldb: ldb, ldc: ldc, bias: bias, act: act, kern: kern}
	ws := getWorkspace()
	g.block(ws, 0, m, 0, n)
	putWorkspace(ws)
}

// partition splits C into a tm×tn grid of parts (tm·tn ≤ t) in whole
// micro-tiles, choosing the grid whose largest part (compute plus packing)
// is cheapest. Parts are independent: each packs its own panels and writes a
// disjoint block of C, so no synchronisation is needed between them, and
// part boundaries fall on micro-tile edges (nr floats = whole cache lines)
// to avoid false sharing.
func (g *gemmCall) partition(t int) int {
	mr, nr := g.kern.mr, g.kern.nr
	mt, nt := ceilDiv(g.m, mr), ceilDiv(g.n, nr)
	bestCost := -1
	for tm := 1; tm <= t; tm++ {
		tn := t / tm
		if tm > mt || tn > nt || tm*tn != t {
			continue
		}
		// Cost of the largest part in multiply-adds: its padded tiles plus
		// its packing (about packCost multiply-adds per packed element).
		rows, cols := ceilDiv(mt, tm)*mr, ceilDiv(nt, tn)*nr
		cost := rows*cols*g.k + packCost*g.k*(cols+rows*ceilDiv(cols, g.kern.nc))
		if bestCost < 0 || cost < bestCost {
			bestCost, g.tm, g.tn = cost, tm, tn
		}
	}
	if bestCost < 0 { // t does not factor over the tiles: split the longer side
		if mt >= nt {
			g.tm, g.tn = min(t, mt), 1
		} else {
			g.tm, g.tn = 1, min(t, nt)
		}
	}
	g.rowStep = ceilDiv(mt, g.tm) * mr
	g.colStep = ceilDiv(nt, g.tn) * nr
	return g.tm * g.tn
}

func (g *gemmCall) runPart(ws *workspace, p int) {
	i0 := (p / g.tn) * g.rowStep
	j0 := (p % g.tn) * g.colStep
	i1 := min(g.m, i0+g.rowStep)
	j1 := min(g.n, j0+g.colStep)
	if i0 < i1 && j0 < j1 {
		g.block(ws, i0, i1, j0, j1)
	}
}

// block computes C[i0:i1, j0:j1] with the BLIS loop nest:
//
//	for jc over columns in nc blocks          (packed B panel: L3)
//	  for pc over k in kc blocks              pack B[pc:pc+kc, jc:jc+nc]
//	    for ic over rows in mc blocks         pack A[ic:ic+mc, pc:pc+kc] (L2)
//	      for jr over nr-wide B micro-panels  (L1)
//	        for ir over mr-tall A micro-panels
//	          micro-kernel: C tile (+)= A panel · B panel
//
// The first K block applies beta, later ones accumulate, and the last one
// applies the bias and activation.
func (g *gemmCall) block(ws *workspace, i0, i1, j0, j1 int) {
	kn := g.kern
	mr, nr := kn.mr, kn.nr
	kcb := split(g.k, kn.kc, 1)
	mcb := split(i1-i0, kn.mc, mr)
	ncb := split(j1-j0, kn.nc, nr)
	ws.a = alignedFloats(ws.a, mcb*kcb)
	ws.b = alignedFloats(ws.b, ncb*kcb)

	for jc := j0; jc < j1; jc += ncb {
		nc := min(ncb, j1-jc)
		for pc := 0; pc < g.k; pc += kcb {
			kc := min(kcb, g.k-pc)
			bp := ws.b[:roundUp(nc, nr)*kc]
			packB(bp, g.b, g.ldb, g.transB, pc, kc, jc, nc, kn)

			ep := &ws.ep
			*ep = epilogue{alpha: g.alpha, beta: 1, flags: epBeta}
			if pc == 0 {
				ep.beta = g.beta
				if g.beta == 0 {
					ep.flags = 0
				}
			}
			last := pc+kc == g.k
			if last {
				if g.bias != nil {
					ep.flags |= epBias
				}
				if g.act == ActReLU {
					ep.flags |= epReLU
				}
			}

			for ic := i0; ic < i1; ic += mcb {
				mc := min(mcb, i1-ic)
				// With a single B micro-panel every A micro-panel is used
				// once, so packing A costs as much as it saves: the kernel
				// reads full A panels in place instead.
				direct := nc <= nr
				ap := ws.a[:roundUp(mc, mr)*kc]
				if !direct {
					packA(ap, g.a, g.lda, g.transA, ic, mc, pc, kc, kn)
				}
				for jr := 0; jr < nc; jr += nr {
					nrr := min(nr, nc-jr)
					bpanel := &bp[jr*kc]
					if last && g.bias != nil {
						ep.bias = &g.bias[jc+jr]
					}
					for ir := 0; ir < mc; ir += mr {
						mrr := min(mr, mc-ir)
						apanel, rsa, csa := &ap[ir*kc], 1, mr
						if direct {
							switch row := ic + ir; {
							case mrr < mr:
								packA(ap, g.a, g.lda, g.transA, row, mrr, pc, kc, kn)
								apanel = &ap[0]
							case g.transA:
								apanel, rsa, csa = &g.a[pc*g.lda+row], 1, g.lda
							default:
								apanel, rsa, csa = &g.a[row*g.lda+pc], g.lda, 1
							}
						}
						ci := (ic+ir)*g.ldc + jc + jr
						if mrr == mr && nrr == nr {
							kn.fn(kc, apanel, rsa, csa, bpanel, &g.c[ci], g.ldc, ep)
						} else {
							g.edgeTile(ws, kc, apanel, rsa, csa, bpanel, ci, mrr, nrr, ep)
						}
					}
				}
			}
		}
	}
}

// edgeTile runs the micro-kernel on a partial tile (mrr < mr or nrr < nr)
// through the workspace's scratch tile: the valid part of C (and of the
// bias) is copied in, the full tile is computed, and the valid part is
// copied back.
func (g *gemmCall) edgeTile(ws *workspace, kc int, ap *float32, rsa, csa int, bp *float32, ci, mrr, nrr int, ep *epilogue) {
	nr := g.kern.nr
	tile := ws.tile[:g.kern.mr*nr]
	if ep.flags&epBeta != 0 {
		for i := 0; i < mrr; i++ {
			copy(tile[i*nr:i*nr+nrr], g.c[ci+i*g.ldc:])
		}
	}
	e := &ws.edgeEp
	*e = *ep
	if e.flags&epBias != 0 {
		bias := ws.bias[:nr]
		copy(bias, unsafe.Slice(ep.bias, nrr))
		clear(bias[nrr:])
		e.bias = &bias[0]
	}
	g.kern.fn(kc, ap, rsa, csa, bp, &tile[0], nr, e)
	for i := 0; i < mrr; i++ {
		copy(g.c[ci+i*g.ldc:ci+i*g.ldc+nrr], tile[i*nr:])
	}
}

// packA packs rows [i0,i0+mc) × columns [p0,p0+kc) of op(A) into mr-tall
// micro-panels: panel r holds, for each p, the mr values A[i0+r*mr+i, p0+p]
// contiguously (zero-padded past mc). dst needs packSlack floats of slack
// after the last panel for the 6-row transpose.
func packA(dst, a []float32, lda int, trans bool, i0, mc, p0, kc int, kn *kernel) {
	mr := kn.mr
	start := 0 // first row of the block left to pack
	if trans && kn.copyPanel != nil && (mr == 6 || mr == 8) && mc >= mr {
		// As in packB: copy strips of a few rows of A (columns of op(A))
		// across all full panels so A is read as sequential streams.
		full := mc / mr * mr
		_ = a[(p0+kc-1)*lda+i0+full-1] // bounds check for the assembly
		for ps := 0; ps < kc; ps += packStrip {
			rows := min(packStrip, kc-ps)
			for ir := 0; ir < full; ir += mr {
				kn.copyPanel(rows, &a[(p0+ps)*lda+i0+ir], lda, &dst[ir*kc+ps*mr], mr)
			}
		}
		start = full
	}
	for ir := start; ir < mc; ir += mr {
		rows := min(mr, mc-ir)
		d := dst[ir*kc : ir*kc+mr*kc]
		if !trans {
			// Row i of the panel is contiguous in A: transpose it in.
			off := (i0+ir)*lda + p0
			done := 0
			if kn.transpose != nil && rows == mr && (mr == 8 || mr == 6) && kc >= 8 {
				done = kc &^ 7
				kn.transpose(done, &a[off], lda, &d[0], mr, mr)
			}
			for i := 0; i < rows && done < kc; i++ {
				src := a[off+i*lda+done : off+i*lda+kc]
				dd := d[done*mr+i:]
				for p, v := range src {
					dd[p*mr] = v
				}
			}
		} else {
			// Column p of the panel is contiguous in A: copy it.
			off := p0*lda + i0 + ir
			switch {
			case rows == 4 && mr == 4:
				for p := 0; p < kc; p++ {
					*(*[4]float32)(d[p*4 : p*4+4]) = *(*[4]float32)(a[off+p*lda : off+p*lda+4])
				}
			default:
				for p := 0; p < kc; p++ {
					copy(d[p*mr:p*mr+rows], a[off+p*lda:off+p*lda+rows])
				}
			}
		}
		if rows < mr {
			for p := 0; p < kc; p++ {
				clear(d[p*mr+rows : p*mr+mr])
			}
		}
	}
}

// packStrip is the number of rows of B copied per panel at a time.
const packStrip = 8

// packSlack is the extra room packing buffers keep past their end.
const packSlack = 8

// packB packs rows [p0,p0+kc) × columns [j0,j0+nc) of op(B) into nr-wide
// micro-panels: panel r holds, for each p, the nr values B[p0+p, j0+r*nr+j]
// contiguously (zero-padded past nc).
func packB(dst, b []float32, ldb int, trans bool, p0, kc, j0, nc int, kn *kernel) {
	nr := kn.nr
	start := 0 // first panel left to pack
	if !trans && kn.copyPanel != nil && (nr == 16 || nr == 32) && nc >= nr {
		// Copy in strips of a few rows across all full panels, so that B is
		// read as a few sequential streams instead of one short chunk from
		// each of kc rows.
		full := nc / nr * nr
		_ = b[(p0+kc-1)*ldb+j0+full-1] // bounds check for the assembly
		for ps := 0; ps < kc; ps += packStrip {
			rows := min(packStrip, kc-ps)
			for jr := 0; jr < full; jr += nr {
				kn.copyPanel(rows, &b[(p0+ps)*ldb+j0+jr], ldb, &dst[jr*kc+ps*nr], nr)
			}
		}
		start = full
	}
	for jr := start; jr < nc; jr += nr {
		cols := min(nr, nc-jr)
		d := dst[jr*kc : jr*kc+nr*kc]
		if !trans {
			// Row p of the panel is contiguous in B: copy it.
			off := p0*ldb + j0 + jr
			switch {
			case kn.copyPanel != nil && cols == nr && (nr == 16 || nr == 32):
				_ = b[off+(kc-1)*ldb+nr-1] // bounds check for the assembly
				kn.copyPanel(kc, &b[off], ldb, &d[0], nr)
			case cols == 4 && nr == 4:
				for p := 0; p < kc; p++ {
					*(*[4]float32)(d[p*4 : p*4+4]) = *(*[4]float32)(b[off+p*ldb : off+p*ldb+4])
				}
			default:
				for p := 0; p < kc; p++ {
					copy(d[p*nr:p*nr+cols], b[off+p*ldb:off+p*ldb+cols])
				}
			}
		} else {
			// Column j of the panel is contiguous in B (row j of Bᵀ):
			// transpose 8 columns at a time.
			off := (j0+jr)*ldb + p0
			done := 0
			if kn.transpose != nil && cols == nr && nr%8 == 0 && kc >= 8 {
				done = kc &^ 7
				for g := 0; g < nr; g += 8 {
					kn.transpose(done, &b[off+g*ldb], ldb, &d[g], nr, 8)
				}
			}
			for j := 0; j < cols && done < kc; j++ {
				src := b[off+j*ldb+done : off+j*ldb+kc]
				dd := d[done*nr+j:]
				for p, v := range src {
					dd[p*nr] = v
				}
			}
		}
		if cols < nr {
			for p := 0; p < kc; p++ {
				clear(d[p*nr+cols : p*nr+nr])
			}
		}
	}
}

// scaleC handles k == 0 or alpha == 0: C = act(beta*C + bias), where beta
// == 0 does not read C.
func scaleC(m, n int, beta float32, c []float32, ldc int, bias []float32, act Activation) {
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			var v float32
			if beta != 0 {
				v = beta * row[j]
			}
			if bias != nil {
				v += bias[j]
			}
			if act == ActReLU && v < 0 {
				v = 0
			}
			row[j] = v
		}
	}
}

// sgemmSmall is the packing-free path for tiny products: C rows are
// accumulated directly (axpy over rows of B, or dot products when B is
// transposed).
func sgemmSmall(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, bias []float32, act Activation) {
	var tmp [64]float32
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		for j0 := 0; j0 < n; j0 += len(tmp) {
			nn := min(len(tmp), n-j0)
			acc := tmp[:nn]
			clear(acc)
			for p := 0; p < k; p++ {
				var av float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					for j := range acc {
						acc[j] += av * b[(j0+j)*ldb+p]
					}
				} else {
					brow := b[p*ldb+j0 : p*ldb+j0+nn]
					for j, bv := range brow {
						acc[j] += av * bv
					}
				}
			}
			out := row[j0 : j0+nn]
			for j, s := range acc {
				v := alpha * s
				if beta != 0 {
					v += beta * out[j]
				}
				if bias != nil {
					v += bias[j0+j]
				}
				if act == ActReLU && v < 0 {
					v = 0
				}
				out[j] = v
			}
		}
	}
}
