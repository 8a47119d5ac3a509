package kernels

import "fmt"

// Direct-convolution primitives for small-channel convolutions (stride 1),
// used by the engine's Conv2d instead of im2col + GEMM where the column
// matrix would dwarf the work. The caller lays each input image out as
// zero-padded planes with a common row stride, so that every tap (input
// channel, kernel row, kernel column) of the convolution is a constant
// offset into that buffer and an output row of the full padded width is
// contiguous; outputs in the columns past the true output width are
// garbage the caller discards (or, for gradients, zeros it supplies).
//
// DirectConv8 and DirectConvGrad8 work on up to 8 output channels at once;
// CopyRows and AddRowsShifted move the rows between the layouts. With
// AVX-512 they run in assembly (conv_amd64.s), with AVX2 + FMA in other
// assembly (conv_avx2_amd64.s), elsewhere in plain Go. The kernels follow
// the GEMM path (ForcePath): PathAVX2 selects the AVX2 kernels even on an
// AVX-512 CPU, PathGeneric the Go ones.

// DirectConvBlock is the number of positions DirectConv8 computes per block.
const DirectConvBlock = 32

// HasDirectConv reports whether DirectConv8 and DirectConvGrad8 run in
// assembly (AVX-512 or AVX2 + FMA) on this CPU under the active path
// (otherwise they fall back to scalar Go, and im2col + GEMM is the faster
// convolution).
func HasDirectConv() bool { return convKind() != convGo }

// The direct-convolution kernel sets.
const (
	convGo = iota
	convAVX2
	convAVX512
)

// convKind returns the kernel set matching the active GEMM path.
func convKind() int {
	switch activeKernel().path {
	case PathAVX512:
		if hasConvAVX512 {
			return convAVX512
		}
		fallthrough
	case PathAVX2:
		if hasConvAVX2 {
			return convAVX2
		}
	}
	return convGo
}

// DirectConv8 computes nblk blocks of 32 output positions for nc ≤ 8
// output channels: for j < nc and i < 32·nblk,
//
//	dst[j·ldd + i] = act(bias[j] + Σ_t w[8t + j] · x[xo + i + offs[t]])
//
// where act is a ReLU (max(0, v), letting NaN and −0 through) when relu is
// set. bias may be nil (zeros). w holds 8·len(offs) floats, tap-major
// (w[8t + j] for j ≥ nc may be read). The rows j ≥ nc of dst are
// scratch: unspecified afterwards.
func DirectConv8(dst []float32, ldd int, x []float32, xo int, offs []int, w, bias []float32, relu bool, nblk, nc int) {
	nt := len(offs)
	if nblk <= 0 || nc <= 0 {
		return
	}
	nc = min(nc, 8)
	n := nblk * DirectConvBlock
	lo, hi := offRange(offs)
	if len(w) < 8*nt || ldd < n || len(dst) < 7*ldd+n || (bias != nil && len(bias) < 8) ||
		xo+lo < 0 || xo+hi+n > len(x) {
		panic(fmt.Sprintf("kernels: DirectConv8: buffers too small (dst %d, ldd %d, w %d, x %d, xo %d, offsets [%d, %d], %d blocks)", len(dst), ldd, len(w), len(x), xo, lo, hi, nblk))
	}
	var b [8]float32
	if bias != nil {
		copy(b[:], bias[:8])
	}
	if nt == 0 {
		directConvNoTaps(dst, ldd, &b, relu, n, nc)
		return
	}
	r := 0
	if relu {
		r = 1
	}
	switch convKind() {
	case convAVX2:
		// 16-position blocks of 6 channels, or of 4 (twice for 7–8)
		for i := 0; i < nblk; i += directChunk {
			m := 2 * min(directChunk, nblk-i)
			p := i * DirectConvBlock
			if nc == 5 || nc == 6 {
				directConv8AVX2(&dst[p], ldd, &x[xo+p], &offs[0], nt, &w[0], &b[0], r, m, 1)
				continue
			}
			directConv8AVX2(&dst[p], ldd, &x[xo+p], &offs[0], nt, &w[0], &b[0], r, m, 0)
			if nc > 4 {
				directConv8AVX2(&dst[4*ldd+p], ldd, &x[xo+p], &offs[0], nt, &w[4], &b[4], r, m, 0)
			}
		}
		return
	case convAVX512:
		for i := 0; i < nblk; i += directChunk {
			m := min(directChunk, nblk-i)
			directConv8AVX512(&dst[i*DirectConvBlock], ldd, &x[xo+i*DirectConvBlock], &offs[0], nt, &w[0], &b, r, m, nc)
		}
		return
	}
	directConv8Go(dst, ldd, x, xo, offs, w, &b, relu, n, nc)
}

// directChunk bounds the blocks of one assembly call (preemptibility).
const directChunk = 8

func directConvNoTaps(dst []float32, ldd int, b *[8]float32, relu bool, n, nc int) {
	for j := range nc {
		v := b[j]
		if relu && v < 0 {
			v = 0
		}
		row := dst[j*ldd : j*ldd+n]
		for i := range row {
			row[i] = v
		}
	}
}

func directConv8Go(dst []float32, ldd int, x []float32, xo int, offs []int, w []float32, b *[8]float32, relu bool, n, nc int) {
	var acc [8][DirectConvBlock]float32
	for p0 := 0; p0 < n; p0 += DirectConvBlock {
		for j := range nc {
			for i := range acc[j] {
				acc[j][i] = b[j]
			}
		}
		for t, off := range offs {
			xs := x[xo+p0+off : xo+p0+off+DirectConvBlock]
			wt := w[8*t : 8*t+8]
			for j := range nc {
				wj := wt[j]
				a := &acc[j]
				for i, v := range xs {
					a[i] += wj * v
				}
			}
		}
		for j := range nc {
			row := dst[j*ldd+p0 : j*ldd+p0+DirectConvBlock]
			for i, v := range acc[j] {
				if relu && v < 0 { // as VMAXPS: NaN and −0 pass
					v = 0
				}
				row[i] = v
			}
		}
	}
}

// DirectConvGrad8 accumulates the weight gradient of DirectConv8 over
// npos positions (a multiple of 16): for t < len(offs) and j < nc ≤ 8,
//
//	dw[8t + j] += Σ_{p < npos} g[j·ldg + p] · x[xo + p + offs[t]]
//
// g holds the output gradient of 8 channels (rows of stride ldg), zero at
// the positions that are not true outputs. All 8 rows of g must exist
// (rows j ≥ nc may be read), and dw[8t + j] for j ≥ nc are scratch:
// unspecified afterwards.
func DirectConvGrad8(dw, g []float32, ldg int, x []float32, xo int, offs []int, npos, nc int) {
	nt := len(offs)
	if npos <= 0 || nt == 0 || nc <= 0 {
		return
	}
	nc = min(nc, 8)
	lo, hi := offRange(offs)
	if npos%16 != 0 || len(dw) < 8*nt || ldg < npos || len(g) < 7*ldg+npos || xo+lo < 0 || xo+hi+npos > len(x) {
		panic(fmt.Sprintf("kernels: DirectConvGrad8: bad sizes (dw %d, g %d, ldg %d, x %d, xo %d, offsets [%d, %d], npos %d)", len(dw), len(g), ldg, len(x), xo, lo, hi, npos))
	}
	switch convKind() {
	case convGo:
		directConvGrad8Go(dw, g, ldg, x, xo, offs, npos, nc)
		return
	case convAVX2:
		directConvGrad8AVX2(dw, g, ldg, x, xo, offs, npos, nc)
		return
	}
	t := 0
	for ; t+2 <= nt; t += 2 {
		directConvGrad8AVX512(&dw[8*t], &g[0], ldg, &x[xo], &offs[t], npos, nc)
	}
	if t < nt { // odd tap count: pair the last tap with itself
		var tmp [16]float32
		pair := [2]int{offs[t], offs[t]}
		directConvGrad8AVX512(&tmp[0], &g[0], ldg, &x[xo], &pair[0], npos, nc)
		for j := range nc {
			dw[8*t+j] += tmp[j]
		}
	}
}

// directConvGrad8AVX2 runs DirectConvGrad8 on the AVX2 kernel: pairs of
// taps × groups of 4 channels.
func directConvGrad8AVX2(dw, g []float32, ldg int, x []float32, xo int, offs []int, npos, nc int) {
	nt := len(offs)
	t := 0
	for ; t+2 <= nt; t += 2 {
		for c := 0; c < nc; c += 4 {
			directConvGrad4AVX2(&dw[8*t+c], &g[c*ldg], ldg, &x[xo], &offs[t], npos)
		}
	}
	if t < nt { // odd tap count: pair the last tap with itself
		pair := [2]int{offs[t], offs[t]}
		for c := 0; c < nc; c += 4 {
			var tmp [12]float32
			directConvGrad4AVX2(&tmp[0], &g[c*ldg], ldg, &x[xo], &pair[0], npos)
			for j := range min(4, nc-c) {
				dw[8*t+c+j] += tmp[j]
			}
		}
	}
}

func directConvGrad8Go(dw, g []float32, ldg int, x []float32, xo int, offs []int, npos, nc int) {
	for t, off := range offs {
		xs := x[xo+off : xo+off+npos]
		for j := range nc {
			gs := g[j*ldg : j*ldg+npos]
			var s [16]float32
			for p := 0; p < npos; p += 16 {
				for i := range 16 {
					s[i] += gs[p+i] * xs[p+i]
				}
			}
			var tot float32
			for _, v := range s {
				tot += v
			}
			dw[8*t+j] += tot
		}
	}
}

func offRange(offs []int) (lo, hi int) {
	if len(offs) == 0 {
		return 0, 0
	}
	lo, hi = offs[0], offs[0]
	for _, o := range offs[1:] {
		lo, hi = min(lo, o), max(hi, o)
	}
	return lo, hi
}

// CopyRows copies rows rows of w floats from src (row stride lds) to dst
// (row stride ldd). When y (row stride ldy) is not nil, an element is
// copied only where y > 0 or y is NaN and set to 0 elsewhere — the
// backward mask of a fused ReLU whose output is y.
func CopyRows(dst []float32, ldd int, src []float32, lds int, y []float32, ldy int, rows, w int) {
	if rows <= 0 || w <= 0 {
		return
	}
	if len(dst) < (rows-1)*ldd+w || len(src) < (rows-1)*lds+w || (y != nil && len(y) < (rows-1)*ldy+w) {
		panic(fmt.Sprintf("kernels: CopyRows: %d rows of %d: buffers too small (dst %d, src %d, y %d)", rows, w, len(dst), len(src), len(y)))
	}
	if k := convKind(); k != convGo {
		var yp *float32
		if y != nil {
			yp = &y[0]
		} else {
			ldy = 0
		}
		step := max(1, 1<<16/w) // rows per call (preemptibility)
		for r := 0; r < rows; r += step {
			m := min(step, rows-r)
			var yr *float32
			if yp != nil {
				yr = &y[r*ldy]
			}
			if k == convAVX2 {
				copyRowsAVX2(&dst[r*ldd], ldd, &src[r*lds], lds, yr, ldy, m, w)
			} else {
				copyRowsAVX512(&dst[r*ldd], ldd, &src[r*lds], lds, yr, ldy, m, w)
			}
		}
		return
	}
	for r := 0; r < rows; r++ {
		d, s := dst[r*ldd:r*ldd+w], src[r*lds:r*lds+w]
		if y == nil {
			copy(d, s)
			continue
		}
		ys := y[r*ldy : r*ldy+w]
		for i, v := range s {
			if !(ys[i] > 0) && ys[i] == ys[i] {
				v = 0
			}
			d[i] = v
		}
	}
}

// AddRowsShifted adds rows into dst at offsets: for t < len(offs) and
// i < n, dst[offs[t] + i] += src[t·lds + i], in order of t (the adjoint of
// gathering shifted rows: DirectConv8's input gradient, col2im-style).
func AddRowsShifted(dst, src []float32, lds int, offs []int, n int) {
	if n <= 0 || len(offs) == 0 {
		return
	}
	lo, hi := offRange(offs)
	if lo < 0 || hi+n > len(dst) || lds < n || len(src) < (len(offs)-1)*lds+n {
		panic(fmt.Sprintf("kernels: AddRowsShifted: buffers too small (dst %d, src %d, lds %d, offsets [%d, %d], n %d)", len(dst), len(src), lds, lo, hi, n))
	}
	if k := convKind(); k != convGo {
		// a few rows per call, so that goroutines stay preemptible
		step := max(1, 1<<16/n)
		for t := 0; t < len(offs); t += step {
			m := min(step, len(offs)-t)
			if k == convAVX2 {
				addRowsShiftedAVX2(&dst[0], &src[t*lds], lds, &offs[t], m, n)
			} else {
				addRowsShiftedAVX512(&dst[0], &src[t*lds], lds, &offs[t], m, n)
			}
		}
		return
	}
	for t, off := range offs {
		d, s := dst[off:off+n], src[t*lds:t*lds+n]
		for i, v := range s {
			d[i] += v
		}
	}
}
