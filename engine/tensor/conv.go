package tensor

import (
	"fmt"

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
// It runs as im2col over the whole batch (one column matrix
// [C/groups·kh·kw, N·Ho·Wo] per group) and one GEMM per group (SGEMM for
// Float32). Backward: dW += dY·colᵀ by GEMM; dx by GEMM into columns and
// col2im; db += Σ dY. All buffers come from the arena in use, so training
// steps under an Arena allocate nothing.
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
		out.ints = allocInts(a, 8)
		copy(out.ints, []int{p.Stride[0], p.Stride[1], p.Padding[0], p.Padding[1], p.Dilation[0], p.Dilation[1], p.Groups, int(p.Act)})
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
	for oc := 0; oc < g.o; oc++ {
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
	l := g.ho * g.wo
	nl := g.n * l
	sh, sw := g.p.Stride[0], g.p.Stride[1]
	ph, pw := g.p.Padding[0], g.p.Padding[1]
	dh, dw := g.p.Dilation[0], g.p.Dilation[1]
	for ch := 0; ch < g.c; ch++ {
		for ki := 0; ki < g.kh; ki++ {
			for kj := 0; kj < g.kw; kj++ {
				row := col[((ch*g.kh+ki)*g.kw+kj)*nl:][:nl]
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
						clear(dst[:owLo])
						if sw == 1 {
							copy(dst[owLo:owHi], xr[owLo+off:owHi+off])
						} else {
							for ow := owLo; ow < owHi; ow++ {
								dst[ow] = xr[ow*sw+off]
							}
						}
						clear(dst[owHi:])
					}
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
	l := g.ho * g.wo
	nl := g.n * l
	sh, sw := g.p.Stride[0], g.p.Stride[1]
	ph, pw := g.p.Padding[0], g.p.Padding[1]
	dh, dw := g.p.Dilation[0], g.p.Dilation[1]
	for ch := 0; ch < g.c; ch++ {
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
	nl := g.n * g.ho * g.wo
	if t.dtype == Float64 {
		gt := allocF64(a, g.o*nl, false)
		var dcol []float64
		if x.requiresGrad {
			dcol = allocF64(a, len(t.aux64), false)
		}
		convGrad(&g, t.grad.f64, t.f64, t.aux64, w.f64[w.offset:], gt, dcol, gradOf64(x), gradOf64(w), gradOf64(b), gemmRef[float64])
	} else {
		gt := allocF32(a, g.o*nl, false)
		var dcol []float32
		if x.requiresGrad {
			dcol = allocF32(a, len(t.aux32), false)
		}
		convGrad(&g, t.grad.f32, t.f32, t.aux32, w.f32[w.offset:], gt, dcol, gradOf32(x), gradOf32(w), gradOf32(b), gemm32)
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

func convGrad[T float](g *convGeom, gy, y, col, w, gt, dcol, gx, gw, gb []T, gemm gemmFn[T]) {
	l := g.ho * g.wo
	nl := g.n * l
	grp := g.p.Groups
	og, cg := g.o/grp, g.c/grp
	kg := cg * g.kh * g.kw
	// gy [N, O, L] → gt [O, N·L]; db
	for oc := 0; oc < g.o; oc++ {
		dst := gt[oc*nl : oc*nl+nl]
		var s T
		for ni := 0; ni < g.n; ni++ {
			src := gy[(ni*g.o+oc)*l : (ni*g.o+oc)*l+l]
			d := dst[ni*l : ni*l+l]
			if g.p.Act == kernels.ActReLU { // mask by the output
				ys := y[(ni*g.o+oc)*l : (ni*g.o+oc)*l+l]
				for i, v := range src {
					if ys[i] <= 0 {
						v = 0
					}
					d[i] = v
					s += v
				}
				continue
			}
			copy(d, src)
			for _, v := range src {
				s += v
			}
		}
		if gb != nil {
			gb[oc] += s
		}
	}
	for gi := range grp {
		if gw != nil { // dW_g [Og, Kg] += gt_g [Og, NL] · col_gᵀ
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
