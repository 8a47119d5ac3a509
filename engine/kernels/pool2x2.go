package kernels

import (
	"fmt"
	"math"
)

// MaxPool2x2 is the forward pass of a 2×2, stride-2, unpadded max pool
// over one h×w plane x: out[oh·wo + ow] is the maximum of the window at
// rows 2oh, 2oh+1 and columns 2ow, 2ow+1 (wo = w/2, ho = h/2, odd trailing
// rows and columns ignored), and idx[oh·wo + ow] = base + the window's
// winner position in x. The first maximum of a window wins; −0 equals +0;
// a NaN beats every number (the first NaN of the window wins) — PyTorch's
// semantics. With AVX-512 it runs 16 windows per step without branches.
func MaxPool2x2(out []float32, idx []int, x []float32, h, w, base int) {
	ho, wo := h/2, w/2
	if ho == 0 || wo == 0 {
		return
	}
	if len(x) < h*w || len(out) < ho*wo || len(idx) < ho*wo {
		panic(fmt.Sprintf("kernels: MaxPool2x2: plane %dx%d: buffers too small (x %d, out %d, idx %d)", h, w, len(x), len(out), len(idx)))
	}
	if hasPoolAsm && base >= 0 && base+h*w <= math.MaxInt32 {
		maxPool2x2AVX512(&out[0], &idx[0], &x[0], w, wo, ho, base)
		return
	}
	maxPool2x2Go(out, idx, x, w, wo, ho, base)
}

// poolKey maps a float32 to an int32 whose signed order is the float
// order, with −0 = +0 and every NaN above +Inf.
func poolKey(v float32) int32 {
	b := int32(math.Float32bits(v))
	a := b & 0x7fffffff
	if a > 0x7f800000 {
		return math.MaxInt32
	}
	if b < 0 {
		return -a
	}
	return a
}

func maxPool2x2Go(out []float32, idx []int, x []float32, w, wo, ho, base int) {
	for oh := 0; oh < ho; oh++ {
		i0 := 2 * oh * w
		for ow := 0; ow < wo; ow++ {
			j := i0 + 2*ow
			k := poolKey(x[j])
			for _, c := range [3]int{j + 1, j + w, j + w + 1} {
				if kc := poolKey(x[c]); kc > k {
					k, j = kc, c
				}
			}
			out[oh*wo+ow], idx[oh*wo+ow] = x[j], base+j
		}
	}
}
