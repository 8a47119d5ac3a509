package tensor

import (
	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// Direct convolution (stride 1, groups 1) for small channel counts.
//
// Instead of im2col over the whole batch (a column matrix C·kh·kw times
// larger than the input, written and read through memory) and a GEMM, each
// image is copied into zero-padded planes with the padded width Wp as the
// common row stride. A tap (c, ki, kj) is then the constant offset
// c·Hp·Wp + ki·dh·Wp + kj·dw, and the output over the "full-width" positions
// p = oh·Wp + ow (ow < Wp; the columns ow ≥ Wo are garbage and dropped) is
//
//	y[o][p] = b[o] + Σ_t w[o][t] · xpad[p + off[t]],
//
// which kernels.DirectConv8 computes for 8 output channels at a time, from
// L1-resident data. Backward, per image:
//
//   - the output gradient (masked by a fused ReLU) is laid out the same way
//     in planes with zero margins and zero garbage columns (gyf);
//   - dW[o][t] = Σ_p gyf[o][p] · xpad[p + off[t]] (kernels.DirectConvGrad8),
//     and db[o] likewise, as the gradient of an extra tap that reads ones;
//   - the input gradient's columns dcol[t][p] = Σ_o w[o][t] · gyf[o][p] are
//     again a DirectConv8 (over gyf's planes, taps as output channels), and
//     kernels.AddRowsShifted adds each back at its tap's offset into a
//     padded buffer (col2im over one image, in L1/L2), whose interior is
//     added into the input gradient.
//
// The batch is split into a fixed number of chunks (depending only on the
// batch size) that run in parallel; each accumulates its own weight and
// bias gradient partials, which are then summed in chunk order, so results
// are bit-identical between runs and thread counts.

// convDirectMode selects the convolution algorithm: 0 picks direct
// convolution where it is supported and fast (float32 with the assembly
// kernels: AVX-512, or AVX2 + FMA), 1 forces it wherever supported (any
// dtype), −1 disables it.
// Tests set it to check both paths.
var convDirectMode = 0

// directMaxChunks is the number of batch chunks of the direct path (at
// most this many threads share one convolution; each chunk costs a zeroed
// scratch buffer and a gradient partial).
const directMaxChunks = 16

// useDirect reports whether conv2d with geometry g and dtype dt takes the
// direct path.
func useDirect(g *convGeom, dt DType) bool {
	p := g.p
	if convDirectMode < 0 || p.Groups != 1 || p.Stride != [2]int{1, 1} {
		return false
	}
	if convDirectMode == 0 && (dt != Float32 || !kernels.HasDirectConv()) {
		return false
	}
	// The im2col matrix is C·kh·kw times the input; the direct kernels read
	// the input in place. Measured (BenchmarkConv2dStep, Zen 4) the direct
	// path wins on the LeNet, Fashion-MNIST and CIFAR-style shapes up to
	// C·kh·kw = 504 and O = 128 (forward + backward 1.1–3× faster); larger
	// convolutions are untested here and keep im2col + SGEMM. The same
	// limits serve the AVX2 kernels: forced on that Zen 4
	// (BenchmarkConv2dStepAVX2) the direct path is 1.02–3.4× faster than
	// im2col + AVX2 SGEMM, except on the largest (C·kh·kw = 504, O = 128)
	// where they tie; not yet measured on an AVX2-only CPU.
	taps := g.c * g.kh * g.kw
	return g.n >= 1 && taps >= 1 && taps <= 512 && g.o >= 1 && g.o <= 128 && g.wo >= 4
}

// directGeom is the buffer layout of the direct path for one geometry.
type directGeom struct {
	g          convGeom
	hp, wp     int // padded input height and width (the row stride)
	plane      int // xpad plane stride (hp·wp)
	xlen       int // one image's xpad buffer, with slack for the last block
	taps       int // c·kh·kw
	nblk       int // forward blocks of 32 positions over ho·wp
	npos16     int // ho·wp rounded up to 16 (weight-gradient positions)
	ob         int // blocks of 8 output channels
	tm         int // gyf top margin rows
	gplane     int // gyf plane stride
	tb         int // blocks of 8 taps (input-gradient columns)
	nch, chunk int // batch chunks and images per chunk (the last may be short)
}

func newDirectGeom(g *convGeom) directGeom {
	var d directGeom
	d.g = *g
	p := g.p
	d.hp, d.wp = g.h+2*p.Padding[0], g.w+2*p.Padding[1]
	d.plane = d.hp * d.wp
	d.taps = g.c * g.kh * g.kw
	npos := g.ho * d.wp
	d.nblk = (npos + kernels.DirectConvBlock - 1) / kernels.DirectConvBlock
	d.npos16 = (npos + 15) &^ 15
	maxOff := (g.c-1)*d.plane + (g.kh-1)*p.Dilation[0]*d.wp + (g.kw-1)*p.Dilation[1]
	d.xlen = max(g.c*d.plane, d.nblk*kernels.DirectConvBlock+maxOff)
	d.ob = (g.o + 7) / 8
	d.tm = (g.kh-1)*p.Dilation[0] + 1
	d.gplane = (d.tm+d.hp)*d.wp + kernels.DirectConvBlock
	d.tb = (d.taps + 7) / 8
	d.nch = min(g.n, directMaxChunks)
	d.chunk = (g.n + d.nch - 1) / d.nch
	d.nch = (g.n + d.chunk - 1) / d.chunk
	return d
}

// fwdOffs fills the forward tap offsets (len taps).
func (d *directGeom) fwdOffs(offs []int) {
	g, p := &d.g, d.g.p
	t := 0
	for c := 0; c < g.c; c++ {
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				offs[t] = c*d.plane + ki*p.Dilation[0]*d.wp + kj*p.Dilation[1]
				t++
			}
		}
	}
}

// packFwdW packs w [O][taps] as [ob][taps][8] (zero-padded channels).
func packFwdW[T float](d *directGeom, w, wf []T) {
	clear(wf)
	for o := 0; o < d.g.o; o++ {
		b, j := o/8, o%8
		for t := 0; t < d.taps; t++ {
			wf[(b*d.taps+t)*8+j] = w[o*d.taps+t]
		}
	}
}

// packBwdW packs w [O][taps] as [tb][O][8] (wt[(b·O + o)·8 + j] =
// w[o][8b + j], zero past the last tap).
func packBwdW[T float](d *directGeom, w, wt []T) {
	clear(wt)
	for o := 0; o < d.g.o; o++ {
		for t := 0; t < d.taps; t++ {
			wt[((t/8)*d.g.o+o)*8+t%8] = w[o*d.taps+t]
		}
	}
}

// fillPad copies image n of x into the interior of xpad (whose border is
// zero and stays so).
func fillPad[T float](d *directGeom, x, xpad []T, n int) {
	g := &d.g
	ph, pw := g.p.Padding[0], g.p.Padding[1]
	for c := 0; c < g.c; c++ {
		src := x[(n*g.c+c)*g.h*g.w:][:g.h*g.w]
		dst := xpad[c*d.plane:][:d.plane]
		for ih := 0; ih < g.h; ih++ {
			copy(dst[(ih+ph)*d.wp+pw:][:g.w], src[ih*g.w:][:g.w])
		}
	}
}

// directBufs are the direct path's buffers for one call.
type directBufs[T float] struct {
	d        directGeom
	x, out   []T // forward input, output (or backward: x and the output y)
	wf, bias []T // packed weights [ob][taps][8], bias padded to ob·8
	offs     []int
	scratch  []T // zeroed, per chunk: xpad (backward: + ones + gyf)
	per      int // scratch floats per chunk
	work     []T // not zeroed, per chunk: forward output rows, or dcol + dxpad
	per2     int // work floats per chunk
	// backward
	gy, gx []T   // output gradient, input gradient (nil: not needed)
	wt     []T   // packed input-gradient weights [tb][o][8]
	offsT  []int // the gyf planes' offsets (o·gplane)
	rowOff []int // ih·w, ih < h
	dwp    []T   // per chunk weight-gradient partials [ob][len(goffs)][8]
	goffs  []int // weight-gradient taps: offs (when needGW), then the ones tap (when wantGB)
	relu   bool
	needGW bool
	needGX bool
	wantGB bool
}

// directFwdChunk runs the forward pass for the images of chunk ch.
func directFwdChunk[T float](b *directBufs[T], ch int) {
	d := &b.d
	g := &d.g
	xpad := b.scratch[ch*b.per:][:b.per]
	ys := b.work[ch*b.per2:][:b.per2]
	ldd := d.nblk * kernels.DirectConvBlock
	for n := ch * d.chunk; n < min((ch+1)*d.chunk, g.n); n++ {
		fillPad(d, b.x, xpad, n)
		for ob := 0; ob < d.ob; ob++ {
			dconv8(ys, ldd, xpad, 0, b.offs, b.wf[ob*d.taps*8:], b.bias[ob*8:], b.relu, d.nblk, min(8, g.o-ob*8))
			for j := 0; j < min(8, g.o-ob*8); j++ {
				oc := ob*8 + j
				copyRows(b.out[(n*g.o+oc)*g.ho*g.wo:][:g.ho*g.wo], g.wo, ys[j*ldd:], d.wp, nil, g.ho, g.wo)
			}
		}
	}
}

// directBwdChunk runs the backward pass for the images of chunk ch.
func directBwdChunk[T float](b *directBufs[T], ch int) {
	d := &b.d
	g := &d.g
	s := b.scratch[ch*b.per:][:b.per]
	ob8 := d.ob * 8
	// xpad is followed by npos16 ones: the bias gradient is the weight
	// gradient of a tap that reads them.
	xl := d.xlen + d.npos16
	xpad, gyf, rest := s[:xl], s[xl:xl+ob8*d.gplane], b.work[ch*b.per2:][:b.per2]
	for i := d.xlen; i < xl; i++ {
		xpad[i] = 1
	}
	ng := len(b.goffs)
	dwp := b.dwp[ch*d.ob*ng*8:][:d.ob*ng*8]
	l := g.ho * g.wo
	for n := ch * d.chunk; n < min((ch+1)*d.chunk, g.n); n++ {
		// gyf interior (garbage columns and margins stay zero)
		for oc := 0; oc < g.o; oc++ {
			var y []T
			if b.relu {
				y = b.out[(n*g.o+oc)*l:][:l]
			}
			copyRows(gyf[oc*d.gplane+d.tm*d.wp:], d.wp, b.gy[(n*g.o+oc)*l:][:l], g.wo, y, g.ho, g.wo)
		}
		if ng > 0 {
			if b.needGW {
				fillPad(d, b.x, xpad, n)
			}
			for ob := 0; ob < d.ob; ob++ {
				dconvGrad8(dwp[ob*ng*8:], gyf[ob*8*d.gplane+d.tm*d.wp:], d.gplane, xpad, 0, b.goffs, d.npos16, min(8, g.o-ob*8))
			}
		}
		if b.needGX {
			// columns dcol[t][p] = Σ_o w[o][t]·gyf[o][p] (zero at the
			// garbage positions, where gyf is), added back col2im-style
			// into the padded input gradient
			ldc := d.nblk * kernels.DirectConvBlock
			dcol, dxpad := rest[:d.tb*8*ldc], rest[d.tb*8*ldc:][:d.xlen]
			for tb := 0; tb < d.tb; tb++ {
				dconv8(dcol[tb*8*ldc:], ldc, gyf, d.tm*d.wp, b.offsT, b.wt[tb*g.o*8:], nil, false, d.nblk, min(8, d.taps-tb*8))
			}
			clear(dxpad)
			addRowsShifted(dxpad, dcol, ldc, b.offs, ldc)
			ph, pw := g.p.Padding[0], g.p.Padding[1]
			for c := 0; c < g.c; c++ {
				addRowsShifted(b.gx[(n*g.c+c)*g.h*g.w:][:g.h*g.w], dxpad[c*d.plane+ph*d.wp+pw:], d.wp, b.rowOff, g.w)
			}
		}
	}
}

// addRowsShifted is kernels.AddRowsShifted for float32: dst[offs[t] + i]
// += src[t·lds + i] for i < n, in order of t.
func addRowsShifted[T float](dst, src []T, lds int, offs []int, n int) {
	if d32, ok := as32(dst); ok {
		s32, _ := as32(src)
		kernels.AddRowsShifted(d32, s32, lds, offs, n)
		return
	}
	for t, off := range offs {
		d, s := dst[off:off+n], src[t*lds:t*lds+n]
		for i, v := range s {
			d[i] += v
		}
	}
}

// copyRows copies rows rows of w from src (row stride lds, or, when y is
// not nil, masked by y > 0 as a fused ReLU's backward; y has src's layout)
// to dst (row stride ldd): kernels.CopyRows for float32.
func copyRows[T float](dst []T, ldd int, src []T, lds int, y []T, rows, w int) {
	if d32, ok := as32(dst); ok {
		s32, _ := as32(src)
		y32, _ := as32(y)
		kernels.CopyRows(d32, ldd, s32, lds, y32, lds, rows, w)
		return
	}
	for r := 0; r < rows; r++ {
		d, s := dst[r*ldd:r*ldd+w], src[r*lds:r*lds+w]
		if y == nil {
			copy(d, s)
		} else {
			reluMaskCopy(d, s, y[r*lds:r*lds+w])
		}
	}
}

// dconv8 is kernels.DirectConv8 for float32 and its plain-Go definition
// for float64.
func dconv8[T float](dst []T, ldd int, x []T, xo int, offs []int, w, bias []T, relu bool, nblk, nc int) {
	if d32, ok := as32(dst); ok {
		x32, _ := as32(x)
		w32, _ := as32(w)
		b32, _ := as32(bias)
		kernels.DirectConv8(d32, ldd, x32, xo, offs, w32, b32, relu, nblk, nc)
		return
	}
	const blk = kernels.DirectConvBlock
	for j := range nc {
		var bj T
		if bias != nil {
			bj = bias[j]
		}
		row := dst[j*ldd : j*ldd+nblk*blk]
		for i := range row {
			v := bj
			for t, off := range offs {
				v += w[8*t+j] * x[xo+i+off]
			}
			if relu && v < 0 {
				v = 0
			}
			row[i] = v
		}
	}
}

// dconvGrad8 is kernels.DirectConvGrad8 for float32 and its plain-Go
// definition for float64.
func dconvGrad8[T float](dw, gy []T, ldg int, x []T, xo int, offs []int, npos, nc int) {
	if d32, ok := as32(dw); ok {
		g32, _ := as32(gy)
		x32, _ := as32(x)
		kernels.DirectConvGrad8(d32, g32, ldg, x32, xo, offs, npos, nc)
		return
	}
	for t, off := range offs {
		for j := range nc {
			var s T
			for p := 0; p < npos; p++ {
				s += gy[j*ldg+p] * x[xo+p+off]
			}
			dw[8*t+j] += s
		}
	}
}

// directTask runs the float32 chunks on the kernels' pool; pooled with a
// method value bound once, so a call allocates nothing.
type directTask struct {
	run func(lo, hi int)
	b   directBufs[float32]
	bwd bool
}

var directPool = freeList[directTask]{init: func(t *directTask) { t.run = t.exec }}

func (t *directTask) exec(lo, hi int) {
	for ch := lo; ch < hi; ch++ {
		if t.bwd {
			directBwdChunk(&t.b, ch)
		} else {
			directFwdChunk(&t.b, ch)
		}
	}
}

// runDirect runs the chunks of b (forward or backward), in parallel for float32.
func runDirect[T float](b *directBufs[T], bwd bool) {
	if b32, ok := any(b).(*directBufs[float32]); ok && kernels.Threads() > 1 && b.d.nch > 1 {
		t := directPool.Get()
		t.b, t.bwd = *b32, bwd
		kernels.Parallel(b.d.nch, t.run)
		t.b = directBufs[float32]{}
		directPool.Put(t)
		return
	}
	for ch := 0; ch < b.d.nch; ch++ {
		if bwd {
			directBwdChunk(b, ch)
		} else {
			directFwdChunk(b, ch)
		}
	}
}

// directConvFwd computes out [N, O, Ho, Wo] = conv(x, w) + bias (ReLU'd
// when relu) by the direct path. w is [O, C, kh, kw], bias nil or [O].
func directConvFwd[T float](a *Arena, g *convGeom, x, w, bias, out []T) {
	var b directBufs[T]
	b.d = newDirectGeom(g)
	d := &b.d
	b.x, b.out = x, out
	b.relu = g.p.Act == kernels.ActReLU
	b.wf = allocT[T](a, d.ob*d.taps*8, false)
	packFwdW(d, w, b.wf)
	b.bias = allocT[T](a, d.ob*8, true)
	if bias != nil {
		copy(b.bias, bias[:g.o])
	}
	b.offs = allocInts(a, d.taps)
	d.fwdOffs(b.offs)
	b.per, b.per2 = d.xlen, 8*d.nblk*kernels.DirectConvBlock
	b.scratch = allocT[T](a, d.nch*b.per, true)
	b.work = allocT[T](a, d.nch*b.per2, false)
	runDirect(&b, false)
}

// directConvGrad accumulates the input, weight and bias gradients (each
// nil when not wanted) of the direct path. y is the forward output (for
// the fused ReLU's mask), gy its gradient.
func directConvGrad[T float](a *Arena, g *convGeom, x, w, y, gy, gx, gw, gb []T) {
	var b directBufs[T]
	b.d = newDirectGeom(g)
	d := &b.d
	b.x, b.out, b.gy, b.gx = x, y, gy, gx
	b.relu = g.p.Act == kernels.ActReLU
	b.needGW, b.needGX, b.wantGB = gw != nil, gx != nil, gb != nil
	if !b.needGW && !b.needGX && !b.wantGB {
		return
	}
	ng := 0
	if b.needGW {
		ng = d.taps
	}
	if b.wantGB {
		ng++
	}
	b.goffs = allocInts(a, ng)
	if b.needGW {
		d.fwdOffs(b.goffs)
	}
	if b.wantGB {
		b.goffs[ng-1] = d.xlen
	}
	ob8 := d.ob * 8
	b.per = d.xlen + d.npos16 + ob8*d.gplane
	if b.needGX {
		b.wt = allocT[T](a, d.tb*g.o*8, false)
		packBwdW(d, w, b.wt)
		b.offsT = allocInts(a, g.o)
		for o := range b.offsT {
			b.offsT[o] = o * d.gplane
		}
		b.rowOff = allocInts(a, g.h)
		for i := range b.rowOff {
			b.rowOff[i] = i * g.w
		}
		b.offs = allocInts(a, d.taps)
		d.fwdOffs(b.offs)
		b.per2 = d.tb*8*d.nblk*kernels.DirectConvBlock + d.xlen
	}
	b.scratch = allocT[T](a, d.nch*b.per, true)
	b.work = allocT[T](a, d.nch*b.per2, false)
	b.dwp = allocT[T](a, d.nch*d.ob*ng*8, true)
	runDirect(&b, true)
	// reduce the chunk partials in chunk order
	if gw != nil {
		for o := 0; o < g.o; o++ {
			ob, j := o/8, o%8
			for t := 0; t < d.taps; t++ {
				var s T
				for ch := 0; ch < d.nch; ch++ {
					s += b.dwp[((ch*d.ob+ob)*ng+t)*8+j]
				}
				gw[o*d.taps+t] += s
			}
		}
	}
	if gb != nil {
		for o := 0; o < g.o; o++ {
			ob, j := o/8, o%8
			var s T
			for ch := 0; ch < d.nch; ch++ {
				s += b.dwp[((ch*d.ob+ob)*ng+ng-1)*8+j]
			}
			gb[o] += s
		}
	}
}

// allocT is allocF32 or allocF64 by type.
func allocT[T float](a *Arena, n int, zero bool) []T {
	var z T
	if _, ok := any(z).(float32); ok {
		return any(allocF32(a, n, zero)).([]T)
	}
	return any(allocF64(a, n, zero)).([]T)
}
