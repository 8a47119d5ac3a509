package tensor

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

var (
	opMaxPool2d         = registerOp("max_pool2d", maxPool2dBackward)
	opAvgPool2d         = registerOp("avg_pool2d", avgPool2dBackward)
	opAdaptiveAvgPool2d = registerOp("adaptive_avg_pool2d", adaptiveAvgPool2dBackward)
)

// PoolParams are the geometry of a pooling window, as in
// torch.nn.MaxPool2d: Kernel is required; a zero Stride means the kernel
// size (PyTorch's default); Padding pads with −∞ (max) or zeros (average,
// counted in the divisor like count_include_pad=True). Index 0 is the
// height, 1 the width; MaxPool1d uses index 0 only. Dilation and
// ceil_mode are not supported.
type PoolParams struct {
	Kernel  [2]int
	Stride  [2]int
	Padding [2]int
}

func (p PoolParams) check(name string, x *Tensor, rank int) (PoolParams, int, int, error) {
	if x == nil {
		return p, 0, 0, nilErr(name)
	}
	if len(x.shape) != rank {
		return p, 0, 0, shapeErr(name, fmt.Sprintf("need a %d-d input [N, C, H, W]", rank), x.shape)
	}
	for i := range 2 {
		if p.Stride[i] == 0 {
			p.Stride[i] = p.Kernel[i]
		}
		if p.Kernel[i] < 1 || p.Stride[i] < 1 || p.Padding[i] < 0 || 2*p.Padding[i] > p.Kernel[i] {
			return p, 0, 0, shapeErr(name, fmt.Sprintf("kernel %v, stride %v, padding %v: need kernel ≥ 1, stride ≥ 1, 0 ≤ padding ≤ kernel/2", p.Kernel, p.Stride, p.Padding), x.shape)
		}
	}
	h, w := x.shape[rank-2], x.shape[rank-1]
	ho := (h+2*p.Padding[0]-p.Kernel[0])/p.Stride[0] + 1
	wo := (w+2*p.Padding[1]-p.Kernel[1])/p.Stride[1] + 1
	if h+2*p.Padding[0] < p.Kernel[0] || w+2*p.Padding[1] < p.Kernel[1] {
		return p, 0, 0, shapeErr(name, fmt.Sprintf("kernel %v is larger than the padded input", p.Kernel), x.shape)
	}
	return p, ho, wo, nil
}

// MaxPool2d is torch.nn.functional.max_pool2d over x [N, C, H, W]. The
// gradient flows to the (first) maximum of each window.
func MaxPool2d(x *Tensor, p PoolParams) (*Tensor, error) {
	return maxPool2d("max_pool2d", x, p)
}

func maxPool2d(name string, x *Tensor, p PoolParams) (*Tensor, error) {
	p, ho, wo, err := p.check(name, x, 4)
	if err != nil {
		return nil, err
	}
	if x, err = x.Contiguous(); err != nil {
		return nil, err
	}
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	out := newTensor(x.dtype, []int{n, c, ho, wo}, false)
	idx := allocInts(curArena, n*c*ho*wo)
	if x.dtype == Float64 {
		maxPoolFwd(out.f64, idx, x.f64[x.offset:], n*c, h, w, ho, wo, &p)
	} else {
		maxPoolFwd(out.f32, idx, x.f32[x.offset:], n*c, h, w, ho, wo, &p)
	}
	if record(out, opMaxPool2d, x, nil, nil) {
		out.ints = idx
	}
	return out, nil
}

func maxPoolFwd[T float](out []T, idx []int, x []T, planes, h, w, ho, wo int, p *PoolParams) {
	kh, kw, sh, sw, ph, pw := p.Kernel[0], p.Kernel[1], p.Stride[0], p.Stride[1], p.Padding[0], p.Padding[1]
	if kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 {
		maxPool2x2(out, idx, x, planes, h, w, ho, wo)
		return
	}
	maxPoolGeneral(out, idx, x, planes, h, w, ho, wo, p)
}

// maxPoolGeneral is maxPoolFwd for any window.
func maxPoolGeneral[T float](out []T, idx []int, x []T, planes, h, w, ho, wo int, p *PoolParams) {
	kh, kw, sh, sw, ph, pw := p.Kernel[0], p.Kernel[1], p.Stride[0], p.Stride[1], p.Padding[0], p.Padding[1]
	for pl := 0; pl < planes; pl++ {
		xp := x[pl*h*w : pl*h*w+h*w]
		ob := pl * ho * wo
		for oh := 0; oh < ho; oh++ {
			h0, h1 := max(oh*sh-ph, 0), min(oh*sh-ph+kh, h)
			for ow := 0; ow < wo; ow++ {
				w0, w1 := max(ow*sw-pw, 0), min(ow*sw-pw+kw, w)
				best, bi := T(math.Inf(-1)), h0*w+w0
				for ih := h0; ih < h1; ih++ {
					row := xp[ih*w : ih*w+w]
					for iw := w0; iw < w1; iw++ {
						if v := row[iw]; v > best || v != v {
							best, bi = v, ih*w+iw
							if v != v {
								ih = h1
								break
							}
						}
					}
				}
				out[ob+oh*wo+ow] = best
				idx[ob+oh*wo+ow] = pl*h*w + bi
			}
		}
	}
}

// maxPool2x2 is maxPoolFwd for the common 2×2 window with stride 2 and
// no padding (same results, NaN included: a NaN wins its window).
func maxPool2x2[T float](out []T, idx []int, x []T, planes, h, w, ho, wo int) {
	if x32, ok := as32(x); ok && parallelConv(planes*h*w) && planes > 1 {
		o32, _ := as32(out)
		t := convPool.Get()
		t.kind, t.g, t.a, t.b, t.idx = convMaxPool2x2, convGeom{h: h, w: w, ho: ho, wo: wo}, x32, o32, idx
		kernels.Parallel(planes, t.run)
		t.a, t.b, t.idx = nil, nil, nil
		convPool.Put(t)
		return
	}
	maxPool2x2Planes(out, idx, x, 0, planes, h, w, ho, wo)
}

// maxPool2x2Planes is maxPool2x2 for planes [p0, p1).
func maxPool2x2Planes[T float](out []T, idx []int, x []T, p0, p1, h, w, ho, wo int) {
	if x32, ok := as32(x); ok {
		o32, _ := as32(out)
		maxPool2x2Planes32(o32, idx, x32, p0, p1, h, w, ho, wo)
		return
	}
	for pl := p0; pl < p1; pl++ {
		base := pl * h * w
		ob := pl * ho * wo
		for oh := 0; oh < ho; oh++ {
			r0 := x[base+2*oh*w : base+2*oh*w+w]
			r1 := x[base+(2*oh+1)*w : base+(2*oh+1)*w+w]
			o := out[ob+oh*wo : ob+oh*wo+wo]
			ix := idx[ob+oh*wo : ob+oh*wo+wo]
			for ow := range o {
				j := 2 * ow
				best, bi := r0[j], base+2*oh*w+j
				if v := r0[j+1]; v > best || (v != v && best == best) {
					best, bi = v, base+2*oh*w+j+1
				}
				if v := r1[j]; best == best && (v > best || v != v) {
					best, bi = v, base+(2*oh+1)*w+j
				}
				if v := r1[j+1]; best == best && (v > best || v != v) {
					best, bi = v, base+(2*oh+1)*w+j+1
				}
				o[ow], ix[ow] = best, bi
			}
		}
	}
}

// maxPool2x2Planes32 is the float32 maxPool2x2Planes, one plane at a
// time by kernels.MaxPool2x2 (branch-free: the max of random data defeats
// the branch predictor).
func maxPool2x2Planes32(out []float32, idx []int, x []float32, p0, p1, h, w, ho, wo int) {
	for pl := p0; pl < p1; pl++ {
		kernels.MaxPool2x2(out[pl*ho*wo:(pl+1)*ho*wo], idx[pl*ho*wo:(pl+1)*ho*wo], x[pl*h*w:(pl+1)*h*w], h, w, pl*h*w)
	}
}

func maxPool2dBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	if t.dtype == Float64 {
		scatterAdd(x.grad.f64, t.grad.f64, t.ints)
	} else {
		scatterAdd(x.grad.f32, t.grad.f32, t.ints)
	}
}

func scatterAdd[T float](dst, g []T, idx []int) {
	idx = idx[:len(g)]
	for i, v := range g {
		dst[idx[i]] += v
	}
}

// MaxPool1d is torch.nn.functional.max_pool1d over x [N, C, L], with the
// geometry in p's index 0.
func MaxPool1d(x *Tensor, p PoolParams) (*Tensor, error) {
	if x == nil {
		return nil, nilErr("max_pool1d")
	}
	if len(x.shape) != 3 {
		return nil, shapeErr("max_pool1d", "need a 3-d input [N, C, L]", x.shape)
	}
	if p.Stride[0] == 0 {
		p.Stride[0] = p.Kernel[0]
	}
	p2 := PoolParams{Kernel: [2]int{1, p.Kernel[0]}, Stride: [2]int{1, p.Stride[0]}, Padding: [2]int{0, p.Padding[0]}}
	x4, err := x.Unsqueeze(2)
	if err != nil {
		return nil, err
	}
	y, err := maxPool2d("max_pool1d", x4, p2)
	if err != nil {
		return nil, err
	}
	return y.Squeeze(2)
}

// AvgPool2d is torch.nn.functional.avg_pool2d over x [N, C, H, W] with
// count_include_pad=True (padding zeros count in the divisor kh·kw).
func AvgPool2d(x *Tensor, p PoolParams) (*Tensor, error) {
	p, ho, wo, err := p.check("avg_pool2d", x, 4)
	if err != nil {
		return nil, err
	}
	if x, err = x.Contiguous(); err != nil {
		return nil, err
	}
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	out := newTensor(x.dtype, []int{n, c, ho, wo}, false)
	if x.dtype == Float64 {
		avgPoolFwd(out.f64, x.f64[x.offset:], n*c, h, w, ho, wo, &p)
	} else {
		avgPoolFwd(out.f32, x.f32[x.offset:], n*c, h, w, ho, wo, &p)
	}
	if record(out, opAvgPool2d, x, nil, nil) {
		out.ints = allocInts(curArena, 6)
		copy(out.ints, []int{p.Kernel[0], p.Kernel[1], p.Stride[0], p.Stride[1], p.Padding[0], p.Padding[1]})
	}
	return out, nil
}

func avgPoolFwd[T float](out, x []T, planes, h, w, ho, wo int, p *PoolParams) {
	kh, kw, sh, sw, ph, pw := p.Kernel[0], p.Kernel[1], p.Stride[0], p.Stride[1], p.Padding[0], p.Padding[1]
	inv := 1 / float64(kh*kw)
	for pl := 0; pl < planes; pl++ {
		xp := x[pl*h*w : pl*h*w+h*w]
		ob := pl * ho * wo
		for oh := 0; oh < ho; oh++ {
			h0, h1 := max(oh*sh-ph, 0), min(oh*sh-ph+kh, h)
			for ow := 0; ow < wo; ow++ {
				w0, w1 := max(ow*sw-pw, 0), min(ow*sw-pw+kw, w)
				var s float64
				for ih := h0; ih < h1; ih++ {
					for _, v := range xp[ih*w+w0 : ih*w+w1] {
						s += float64(v)
					}
				}
				out[ob+oh*wo+ow] = T(s * inv)
			}
		}
	}
}

func avgPool2dBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	iv := t.ints
	p := PoolParams{Kernel: [2]int{iv[0], iv[1]}, Stride: [2]int{iv[2], iv[3]}, Padding: [2]int{iv[4], iv[5]}}
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if t.dtype == Float64 {
		avgPoolGrad(x.grad.f64, t.grad.f64, n*c, h, w, t.shape[2], t.shape[3], &p)
	} else {
		avgPoolGrad(x.grad.f32, t.grad.f32, n*c, h, w, t.shape[2], t.shape[3], &p)
	}
}

func avgPoolGrad[T float](gx, g []T, planes, h, w, ho, wo int, p *PoolParams) {
	kh, kw, sh, sw, ph, pw := p.Kernel[0], p.Kernel[1], p.Stride[0], p.Stride[1], p.Padding[0], p.Padding[1]
	inv := T(1 / float64(kh*kw))
	for pl := 0; pl < planes; pl++ {
		xp := gx[pl*h*w : pl*h*w+h*w]
		ob := pl * ho * wo
		for oh := 0; oh < ho; oh++ {
			h0, h1 := max(oh*sh-ph, 0), min(oh*sh-ph+kh, h)
			for ow := 0; ow < wo; ow++ {
				w0, w1 := max(ow*sw-pw, 0), min(ow*sw-pw+kw, w)
				v := g[ob+oh*wo+ow] * inv
				for ih := h0; ih < h1; ih++ {
					r := xp[ih*w+w0 : ih*w+w1]
					for i := range r {
						r[i] += v
					}
				}
			}
		}
	}
}

// AdaptiveAvgPool2d is torch.nn.functional.adaptive_avg_pool2d: x
// [N, C, H, W] → [N, C, oh, ow], output cell (i, j) averaging rows
// ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉−1 and likewise columns.
func AdaptiveAvgPool2d(x *Tensor, oh, ow int) (*Tensor, error) {
	if x == nil {
		return nil, nilErr("adaptive_avg_pool2d")
	}
	if len(x.shape) != 4 || oh < 1 || ow < 1 {
		return nil, shapeErr("adaptive_avg_pool2d", fmt.Sprintf("need a 4-d input [N, C, H, W] and a positive output size, got %dx%d", oh, ow), x.shape)
	}
	x, err := x.Contiguous()
	if err != nil {
		return nil, err
	}
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	out := newTensor(x.dtype, []int{n, c, oh, ow}, false)
	if x.dtype == Float64 {
		adaptiveFwd(out.f64, x.f64[x.offset:], n*c, h, w, oh, ow)
	} else {
		adaptiveFwd(out.f32, x.f32[x.offset:], n*c, h, w, oh, ow)
	}
	record(out, opAdaptiveAvgPool2d, x, nil, nil)
	return out, nil
}

func adaptiveBounds(i, in, out int) (int, int) {
	return i * in / out, ((i+1)*in + out - 1) / out
}

func adaptiveFwd[T float](out, x []T, planes, h, w, oh, ow int) {
	for pl := 0; pl < planes; pl++ {
		xp := x[pl*h*w : pl*h*w+h*w]
		for i := 0; i < oh; i++ {
			h0, h1 := adaptiveBounds(i, h, oh)
			for j := 0; j < ow; j++ {
				w0, w1 := adaptiveBounds(j, w, ow)
				var s float64
				for ih := h0; ih < h1; ih++ {
					for _, v := range xp[ih*w+w0 : ih*w+w1] {
						s += float64(v)
					}
				}
				out[(pl*oh+i)*ow+j] = T(s / float64((h1-h0)*(w1-w0)))
			}
		}
	}
}

func adaptiveAvgPool2dBackward(t *Tensor) {
	x := t.parents[0]
	ensureGrad(x)
	n, c, h, w := x.shape[0], x.shape[1], x.shape[2], x.shape[3]
	if t.dtype == Float64 {
		adaptiveGrad(x.grad.f64, t.grad.f64, n*c, h, w, t.shape[2], t.shape[3])
	} else {
		adaptiveGrad(x.grad.f32, t.grad.f32, n*c, h, w, t.shape[2], t.shape[3])
	}
}

func adaptiveGrad[T float](gx, g []T, planes, h, w, oh, ow int) {
	for pl := 0; pl < planes; pl++ {
		xp := gx[pl*h*w : pl*h*w+h*w]
		for i := 0; i < oh; i++ {
			h0, h1 := adaptiveBounds(i, h, oh)
			for j := 0; j < ow; j++ {
				w0, w1 := adaptiveBounds(j, w, ow)
				v := g[(pl*oh+i)*ow+j] / T((h1-h0)*(w1-w0))
				for ih := h0; ih < h1; ih++ {
					r := xp[ih*w+w0 : ih*w+w1]
					for k := range r {
						r[k] += v
					}
				}
			}
		}
	}
}
