package tensor

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// ConvParams are the geometry of a convolution, as in torch.nn.Conv2d.
// The zero value of a field means its default: stride 1, padding 0,
// dilation 1, groups 1. Index 0 is the height (rows), index 1 the width;
// Conv1d uses index 0 only.
type ConvParams struct {
	Stride   [2]int
	Padding  [2]int
	Dilation [2]int
	Groups   int
	// Act, when kernels.ActReLU, fuses a ReLU into the output write-back
	// (and its mask into the backward pass), saving a pass over the
	// output each way compared with a separate ReLU.
	Act kernels.Activation
}

func (p ConvParams) norm() ConvParams {
	for i := range 2 {
		if p.Stride[i] == 0 {
			p.Stride[i] = 1
		}
		if p.Dilation[i] == 0 {
			p.Dilation[i] = 1
		}
	}
	if p.Groups == 0 {
		p.Groups = 1
	}
	return p
}

func convOut(in, pad, dil, k, stride int) int {
	return (in+2*pad-dil*(k-1)-1)/stride + 1
}

var opConv2d = registerOp("conv2d", conv2dBackward)

// Conv2d is torch.nn.functional.conv2d: x [N, C, H, W], w [O, C/groups,
// kh, kw], b [O] or nil; the result is [N, O, Ho, Wo] with
// Ho = (H + 2·pad − dil·(kh−1) − 1)/stride + 1 (likewise Wo).
//
// Stride-1, ungrouped convolutions with few channels (float32, on CPUs
// with AVX-512) run as direct convolution, image by image
// (conv_direct.go). Otherwise it runs as im2col over the whole batch (one
// column matrix [C/groups·kh·kw, N·Ho·Wo] per group) and one GEMM per group
// (SGEMM for Float32). Backward: dW += dY·colᵀ by GEMM; dx by GEMM into
// columns and col2im; db += Σ dY. All buffers come from the arena in use,
// so training steps under an Arena allocate nothing.
func Conv2d(x, w, b *Tensor, p ConvParams) (*Tensor, error) {
	return conv2d("conv2d", x, w, b, p)
}

func conv2d(name string, x, w, b *Tensor, p ConvParams) (*Tensor, error) {
	if err := checkPair(name, x, w); err != nil {
		return nil, err
	}
	if b != nil && b.dtype != x.dtype {
		return nil, dtypeErr(name, x.dtype, b.dtype)
	}
	p = p.norm()
	if len(x.shape) != 4 || len(w.shape) != 4 {
		return nil, shapeErr(name, "need input [N, C, H, W] and weight [O, C/groups, kh, kw]", x.shape, w.shape)
	}
	for i := range 2 {
		if p.Stride[i] < 1 || p.Dilation[i] < 1 || p.Padding[i] < 0 {
			return nil, fmt.Errorf("tensor: %s: stride %v, padding %v, dilation %v: need stride ≥ 1, padding ≥ 0, dilation ≥ 1", name, p.Stride, p.Padding, p.Dilation)
		}
	}
	n, c, h, wd := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	o, cg, kh, kw := w.shape[0], w.shape[1], w.shape[2], w.shape[3]
	g := p.Groups
	if g < 1 || c%g != 0 || o%g != 0 {
		return nil, shapeErr(name, fmt.Sprintf("groups %d must divide input channels %d and output channels %d", g, c, o), x.shape, w.shape)
	}
	if cg*g != c {
		return nil, shapeErr(name, fmt.Sprintf("input has %d channels, weight expects %d (%d per group × %d groups)", c, cg*g, cg, g), x.shape, w.shape)
	}
	if b != nil && (len(b.shape) != 1 || b.shape[0] != o) {
		return nil, shapeErr(name, fmt.Sprintf("bias must be [%d]", o), x.shape, w.shape, b.shape)
	}
	ho := convOut(h, p.Padding[0], p.Dilation[0], kh, p.Stride[0])
	wo := convOut(wd, p.Padding[1], p.Dilation[1], kw, p.Stride[1])
	if ho < 1 || wo < 1 || kh < 1 || kw < 1 {
		return nil, shapeErr(name, fmt.Sprintf("kernel %dx%d (dilation %v) is larger than padded input %dx%d", kh, kw, p.Dilation, h+2*p.Padding[0], wd+2*p.Padding[1]), x.shape, w.shape)
	}
	if p.Act != kernels.ActNone && p.Act != kernels.ActReLU {
		return nil, fmt.Errorf("tensor: %s: unknown activation %d", name, p.Act)
	}
	var err error
	if x, err = x.Contiguous(); err != nil {
		return nil, err
	}
	if w, err = w.Contiguous(); err != nil {
		return nil, err
	}
	if b != nil {
		if b, err = b.Contiguous(); err != nil {
			return nil, err
		}
	}
	g4 := convGeom{n: n, c: c, h: h, w: wd, o: o, kh: kh, kw: kw, ho: ho, wo: wo, p: p}
	a := curArena
	if useDirect(&g4, x.dtype) {
		return conv2dDirect(&g4, x, w, b)
	}
	ncol := c * kh * kw * n * ho * wo
	out := newTensor(x.dtype, []int{n, o, ho, wo}, false)
	if x.dtype == Float64 {
		col := allocF64(a, ncol, false)
		tmp := allocF64(a, o*n*ho*wo, false)
		var bias []float64
		if b != nil {
			bias = b.f64[b.offset : b.offset+o]
		}
		convFwd(&g4, x.f64[x.offset:], w.f64[w.offset:], bias, col, tmp, out.f64, gemmRef[float64])
		if record(out, opConv2d, x, w, b) {
			out.aux64 = col
		}
	} else {
		col := allocF32(a, ncol, false)
		tmp := allocF32(a, o*n*ho*wo, false)
		var bias []float32
		if b != nil {
			bias = b.f32[b.offset : b.offset+o]
		}
		convFwd(&g4, x.f32[x.offset:], w.f32[w.offset:], bias, col, tmp, out.f32, gemm32)
		if record(out, opConv2d, x, w, b) {
			out.aux32 = col
		}
	}
	if out.requiresGrad {
		saveConvParams(out, p, false)
	}
	return out, nil
}

// saveConvParams stores p (and whether the direct path ran) for the backward pass.
func saveConvParams(out *Tensor, p ConvParams, direct bool) {
	out.ints = allocInts(curArena, 9)
	d := 0
	if direct {
		d = 1
	}
	copy(out.ints, []int{p.Stride[0], p.Stride[1], p.Padding[0], p.Padding[1], p.Dilation[0], p.Dilation[1], p.Groups, int(p.Act), d})
}

// conv2dDirect is conv2d by direct convolution (conv_direct.go).
func conv2dDirect(g *convGeom, x, w, b *Tensor) (*Tensor, error) {
	a := curArena
	out := newTensor(x.dtype, []int{g.n, g.o, g.ho, g.wo}, false)
	if x.dtype == Float64 {
		var bias []float64
		if b != nil {
			bias = b.f64[b.offset : b.offset+g.o]
		}
		directConvFwd(a, g, x.f64[x.offset:], w.f64[w.offset:], bias, out.f64)
	} else {
		var bias []float32
		if b != nil {
			bias = b.f32[b.offset : b.offset+g.o]
		}
		directConvFwd(a, g, x.f32[x.offset:], w.f32[w.offset:], bias, out.f32)
	}
	if record(out, opConv2d, x, w, b) {
		saveConvParams(out, g.p, true)
	}
	return out, nil
}

type convGeom struct {
	n, c, h, w, o, kh, kw, ho, wo int
	p                             ConvParams
}

type gemmFn[T float] func(ta, tb bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int)

func convFwd[T float](g *convGeom, x, w, bias, col, tmp, out []T, gemm gemmFn[T]) {
	l := g.ho * g.wo
	nl := g.n * l
	grp := g.p.Groups
	og, cg := g.o/grp, g.c/grp
	kg := cg * g.kh * g.kw
	im2col(g, x, col)
	for gi := range grp {
		gemm(false, false, og, nl, kg, 1, w[gi*og*kg:], kg, col[gi*kg*nl:], nl, 0, tmp[gi*og*nl:], nl)
	}
	// tmp [O, N·L] → out [N, O, L] (+ bias)
	if tmp32, ok := as32(tmp); ok && parallelConv(len(out)) {
		out32, _ := as32(out)
		b32, _ := as32(bias)
		t := convPool.Get()
		t.kind, t.g, t.a, t.b, t.c = convOutT, *g, tmp32, out32, b32
		kernels.Parallel(g.o, t.run)
		t.a, t.b, t.c = nil, nil, nil
		convPool.Put(t)
		return
	}
	convOutRows(g, tmp, bias, out, 0, g.o)
}

// convOutRows writes output channels [oc0, oc1) of out [N, O, L] from
// tmp [O, N·L], adding the bias and applying the activation.
func convOutRows[T float](g *convGeom, tmp, bias, out []T, oc0, oc1 int) {
	l := g.ho * g.wo
	nl := g.n * l
	for oc := oc0; oc < oc1; oc++ {
		var bv T
		if bias != nil {
			bv = bias[oc]
		}
		src := tmp[oc*nl : oc*nl+nl]
		for ni := 0; ni < g.n; ni++ {
			dst := out[(ni*g.o+oc)*l : (ni*g.o+oc)*l+l]
			s := src[ni*l : ni*l+l]
			if g.p.Act == kernels.ActReLU {
				for i, v := range s {
					dst[i] = max(v+bv, 0)
				}
				continue
			}
			for i, v := range s {
				dst[i] = v + bv
			}
		}
	}
}

// im2col writes col[c, ki, kj][n, oh, ow] = x[n, c, oh·s − p + ki·d, ...]
// (zero outside the input). Channels are in group order, so group g's
// rows are the contiguous block [g·Kg, (g+1)·Kg).
func im2col[T float](g *convGeom, x, col []T) {
	if x32, ok := as32(x); ok && parallelConv(len(col)) {
		col32, _ := as32(col)
		runConvTask(convIm2col, g, x32, col32, g.c*g.kh*g.kw)
		return
	}
	im2colRows(g, x, col, 0, g.c*g.kh*g.kw)
}

// im2colRows fills the column rows [r0, r1) (row = (ch·kh + ki)·kw + kj).
func im2colRows[T float](g *convGeom, x, col []T, r0, r1 int) {
	l := g.ho * g.wo
	nl := g.n * l
	sh, sw := g.p.Stride[0], g.p.Stride[1]
	ph, pw := g.p.Padding[0], g.p.Padding[1]
	dh, dw := g.p.Dilation[0], g.p.Dilation[1]
	for r := r0; r < r1; r++ {
		ch, ki, kj := r/(g.kh*g.kw), r/g.kw%g.kh, r%g.kw
		row := col[r*nl:][:nl]
		// output columns ow whose input column iw = ow·sw − pw + kj·dw is inside [0, W)
		off := kj*dw - pw
		owLo, owHi := validRange(off, sw, g.w, g.wo)
		for ni := 0; ni < g.n; ni++ {
			xc := x[(ni*g.c+ch)*g.h*g.w:][:g.h*g.w]
			for oh := 0; oh < g.ho; oh++ {
				dst := row[ni*l+oh*g.wo:][:g.wo]
				ih := oh*sh - ph + ki*dh
				if ih < 0 || ih >= g.h {
					clear(dst)
					continue
				}
				xr := xc[ih*g.w : ih*g.w+g.w]
				// Rows are short (one output row): explicit loops beat
				// memmove/memclr calls here.
				for ow := 0; ow < owLo; ow++ {
					dst[ow] = 0
				}
				if sw == 1 {
					d, src := dst[owLo:owHi], xr[owLo+off:owHi+off]
					src = src[:len(d)]
					//lint:ignore S1001 rows here are a few floats long, where a plain loop beats copy's call overhead (measured in the CNN step)
					for i, v := range src {
						d[i] = v
					}
				} else {
					for ow := owLo; ow < owHi; ow++ {
						dst[ow] = xr[ow*sw+off]
					}
				}
				for ow := owHi; ow < len(dst); ow++ {
					dst[ow] = 0
				}
			}
		}
	}
}

// validRange returns [lo, hi) of the outputs o in [0, nout) with
// 0 ≤ o·s + off < n.
func validRange(off, s, n, nout int) (lo, hi int) {
	lo = 0
	if off < 0 {
		lo = (-off + s - 1) / s
	}
	hi = 0
	if n-off > 0 {
		hi = (n - off + s - 1) / s
	}
	hi = min(hi, nout)
	lo = min(lo, hi)
	return lo, hi
}

// col2im adds the columns back into the input gradient (the adjoint of im2col).
func col2im[T float](g *convGeom, col, gx []T) {
	if col32, ok := as32(col); ok && parallelConv(len(col)) && g.c > 1 {
		gx32, _ := as32(gx)
		runConvTask(convCol2im, g, col32, gx32, g.c)
		return
	}
	col2imChans(g, col, gx, 0, g.c)
}

// col2imChans is col2im for input channels [c0, c1) (disjoint gradient planes).
func col2imChans[T float](g *convGeom, col, gx []T, c0, c1 int) {
	l := g.ho * g.wo
	nl := g.n * l
	sh, sw := g.p.Stride[0], g.p.Stride[1]
	ph, pw := g.p.Padding[0], g.p.Padding[1]
	dh, dw := g.p.Dilation[0], g.p.Dilation[1]
	for ch := c0; ch < c1; ch++ {
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				row := col[((ch*g.kh+ki)*g.kw+kj)*nl:][:nl]
				off := kj*dw - pw
				owLo, owHi := validRange(off, sw, g.w, g.wo)
				for ni := 0; ni < g.n; ni++ {
					xc := gx[(ni*g.c+ch)*g.h*g.w:][:g.h*g.w]
					for oh := 0; oh < g.ho; oh++ {
						ih := oh*sh - ph + ki*dh
						if ih < 0 || ih >= g.h {
							continue
						}
						src := row[ni*l+oh*g.wo:][:g.wo]
						xr := xc[ih*g.w : ih*g.w+g.w]
						if sw == 1 {
							d := xr[owLo+off : owHi+off]
							for i, v := range src[owLo:owHi] {
								d[i] += v
							}
						} else {
							for ow := owLo; ow < owHi; ow++ {
								xr[ow*sw+off] += src[ow]
							}
						}
					}
				}
			}
		}
	}
}

func conv2dBackward(t *Tensor) {
	x, w := t.parents[0], t.parents[1]
	var b *Tensor
	if len(t.parents) > 2 {
		b = t.parents[2]
	}
	iv := t.ints
	g := convGeom{n: x.shape[0], c: x.shape[1], h: x.shape[2], w: x.shape[3], o: w.shape[0],
		kh: w.shape[2], kw: w.shape[3], ho: t.shape[2], wo: t.shape[3],
		p: ConvParams{Stride: [2]int{iv[0], iv[1]}, Padding: [2]int{iv[2], iv[3]}, Dilation: [2]int{iv[4], iv[5]}, Groups: iv[6], Act: kernels.Activation(iv[7])}}
	a := t.arena
	if iv[8] == 1 {
		if t.dtype == Float64 {
			directConvGrad(a, &g, x.f64[x.offset:], w.f64[w.offset:], t.f64, t.grad.f64, gradOf64(x), gradOf64(w), gradOf64(b))
		} else {
			directConvGrad(a, &g, x.f32[x.offset:], w.f32[w.offset:], t.f32, t.grad.f32, gradOf32(x), gradOf32(w), gradOf32(b))
		}
		return
	}
	nl := g.n * g.ho * g.wo
	if t.dtype == Float64 {
		gt := allocF64(a, g.o*nl, false)
		var dcol []float64
		if x.requiresGrad {
			dcol = allocF64(a, len(t.aux64), false)
		}
		dwt := allocF64(a, w.Numel(), false)
		convGrad(&g, t.grad.f64, t.f64, t.aux64, w.f64[w.offset:], gt, dcol, dwt, gradOf64(x), gradOf64(w), gradOf64(b), gemmRef[float64])
	} else {
		gt := allocF32(a, g.o*nl, false)
		var dcol []float32
		if x.requiresGrad {
			dcol = allocF32(a, len(t.aux32), false)
		}
		dwt := allocF32(a, w.Numel(), false)
		convGrad(&g, t.grad.f32, t.f32, t.aux32, w.f32[w.offset:], gt, dcol, dwt, gradOf32(x), gradOf32(w), gradOf32(b), gemm32)
	}
}

// gradOf32 returns p's gradient buffer (created if needed) when p requires
// grad, and nil otherwise.
func gradOf32(p *Tensor) []float32 {
	if p == nil || !p.requiresGrad {
		return nil
	}
	ensureGrad(p)
	return p.grad.f32
}

func gradOf64(p *Tensor) []float64 {
	if p == nil || !p.requiresGrad {
		return nil
	}
	ensureGrad(p)
	return p.grad.f64
}

// convGrad accumulates the input, weight and bias gradients; dwt is
// scratch of the weight's size.
func convGrad[T float](g *convGeom, gy, y, col, w, gt, dcol, dwt, gx, gw, gb []T, gemm gemmFn[T]) {
	l := g.ho * g.wo
	nl := g.n * l
	grp := g.p.Groups
	og, cg := g.o/grp, g.c/grp
	kg := cg * g.kh * g.kw
	// gy [N, O, L] → gt [O, N·L]; db
	if gy32, ok := as32(gy); ok && parallelConv(len(gt)) {
		gt32, _ := as32(gt)
		y32, _ := as32(y)
		gb32, _ := as32(gb)
		t := convPool.Get()
		t.kind, t.g, t.a, t.b, t.c, t.d = convGradT, *g, gy32, gt32, y32, gb32
		kernels.Parallel(g.o, t.run)
		t.a, t.b, t.c, t.d = nil, nil, nil, nil
		convPool.Put(t)
	} else {
		convGradRows(g, gy, y, gt, gb, 0, g.o)
	}
	for gi := range grp {
		if gw != nil && kg > og {
			// dW_gᵀ [Kg, Og] = col_g [Kg, NL] · gt_gᵀ: with few output
			// channels the GEMM reads the (large) columns in place and packs
			// only gt, instead of transposing all of col into a packed B.
			t := dwt[:kg*og]
			gemm(false, true, kg, og, nl, 1, col[gi*kg*nl:], nl, gt[gi*og*nl:], nl, 0, t, og)
			gwg := gw[gi*og*kg : (gi+1)*og*kg]
			for k := 0; k < kg; k++ {
				for o := 0; o < og; o++ {
					gwg[o*kg+k] += t[k*og+o]
				}
			}
		} else if gw != nil { // dW_g [Og, Kg] += gt_g [Og, NL] · col_gᵀ
			gemm(false, true, og, kg, nl, 1, gt[gi*og*nl:], nl, col[gi*kg*nl:], nl, 1, gw[gi*og*kg:], kg)
		}
		if gx != nil { // dcol_g [Kg, NL] = W_gᵀ · gt_g
			gemm(true, false, kg, nl, og, 1, w[gi*og*kg:], kg, gt[gi*og*nl:], nl, 0, dcol[gi*kg*nl:], nl)
		}
	}
	if gx != nil {
		col2im(g, dcol, gx)
	}
}

// Conv1d is torch.nn.functional.conv1d: x [N, C, L], w [O, C/groups, k],
// b [O] or nil; the result is [N, O, Lo]. The geometry is p's index 0.
// It runs as Conv2d over a height-1 view.
func Conv1d(x, w, b *Tensor, p ConvParams) (*Tensor, error) {
	if err := checkPair("conv1d", x, w); err != nil {
		return nil, err
	}
	if len(x.shape) != 3 || len(w.shape) != 3 {
		return nil, shapeErr("conv1d", "need input [N, C, L] and weight [O, C/groups, k]", x.shape, w.shape)
	}
	p = p.norm()
	p2 := ConvParams{Stride: [2]int{1, p.Stride[0]}, Padding: [2]int{0, p.Padding[0]}, Dilation: [2]int{1, p.Dilation[0]}, Groups: p.Groups}
	x4, err := x.Unsqueeze(2)
	if err != nil {
		return nil, err
	}
	w4, err := w.Unsqueeze(2)
	if err != nil {
		return nil, err
	}
	y, err := conv2d("conv1d", x4, w4, b, p2)
	if err != nil {
		return nil, err
	}
	return y.Squeeze(2)
}

// convGradRows fills output channels [oc0, oc1) of gt [O, N·L] from
// gy [N, O, L] (masked by the fused ReLU's output y) and adds their sums
// to gb (when not nil).
func convGradRows[T float](g *convGeom, gy, y, gt, gb []T, oc0, oc1 int) {
	l := g.ho * g.wo
	nl := g.n * l
	for oc := oc0; oc < oc1; oc++ {
		dst := gt[oc*nl : oc*nl+nl]
		for ni := 0; ni < g.n; ni++ {
			src := gy[(ni*g.o+oc)*l : (ni*g.o+oc)*l+l]
			d := dst[ni*l : ni*l+l]
			if g.p.Act == kernels.ActReLU { // mask by the output
				reluMaskCopy(d, src, y[(ni*g.o+oc)*l:(ni*g.o+oc)*l+l])
				continue
			}
			copy(d, src)
		}
		if gb != nil {
			gb[oc] += T(sumRow(dst))
		}
	}
}

// reluMaskCopy sets d[i] = g[i] where y[i] > 0 (or y[i] is NaN, as the
// fused ReLU's backward always did) and 0 elsewhere. For float32 it is
// branch-free (a ReLU mask is a coin flip for the branch predictor).
func reluMaskCopy[T float](d, g, y []T) {
	if d32, ok := as32(d); ok {
		g32, _ := as32(g)
		y32, _ := as32(y)
		g32, y32 = g32[:len(d32)], y32[:len(d32)]
		for i, v := range g32 {
			b := int32(math.Float32bits(y32[i]))
			m := uint32((-b & ^b) >> 31) // all ones iff b > 0 (y > 0 or +NaN)
			d32[i] = math.Float32frombits(math.Float32bits(v) & m)
		}
		return
	}
	g, y = g[:len(d)], y[:len(d)]
	for i, v := range g {
		if y[i] <= 0 {
			v = 0
		}
		d[i] = v
	}
}

// sumRow returns the sum of s (float64 accumulation in four lanes).
func sumRow[T float](s []T) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a0 += float64(s[i])
		a1 += float64(s[i+1])
		a2 += float64(s[i+2])
		a3 += float64(s[i+3])
	}
	for ; i < len(s); i++ {
		a0 += float64(s[i])
	}
	return (a0 + a1) + (a2 + a3)
}

// Parallel im2col / col2im on the kernels' pool (float32). A pooled task
// holds the geometry by value and a method value bound once, so a call
// allocates nothing.
const (
	convIm2col = iota
	convCol2im
	convMaxPool2x2 // pool.go
	convOutT
	convGradT
)

type convTask struct {
	run  func(lo, hi int)
	kind int
	g    convGeom
	a, b []float32
	c, d []float32
	idx  []int
}

var convPool = freeList[convTask]{init: func(t *convTask) { t.run = t.exec }}

func (t *convTask) exec(lo, hi int) {
	switch t.kind {
	case convIm2col:
		im2colRows(&t.g, t.a, t.b, lo, hi)
	case convCol2im:
		col2imChans(&t.g, t.a, t.b, lo, hi)
	case convOutT:
		convOutRows(&t.g, t.a, t.c, t.b, lo, hi)
	case convGradT:
		convGradRows(&t.g, t.a, t.c, t.b, t.d, lo, hi)
	case convMaxPool2x2:
		maxPool2x2Planes(t.b, t.idx, t.a, lo, hi, t.g.h, t.g.w, t.g.ho, t.g.wo)
	}
}

// parallelConv reports whether a column buffer of n floats is worth
// splitting across threads.
func parallelConv(n int) bool { return n >= 1<<16 && kernels.Threads() > 1 }

func runConvTask(kind int, g *convGeom, a, b []float32, n int) {
	t := convPool.Get()
	t.kind, t.g, t.a, t.b = kind, *g, a, b
	kernels.Parallel(n, t.run)
	t.a, t.b = nil, nil
	convPool.Put(t)
}
