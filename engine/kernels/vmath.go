package kernels

import "math"

// Vectorised transcendental functions for float32 slices, for the engine's
// activations and softmaxes. On AVX-512 CPUs they run 16 lanes at a time
// (vmath_amd64.s); elsewhere a scalar float64 evaluation.
//
// Accuracy (float32, vs the correctly rounded value; TestVMathAccuracy
// sweeps it): Exp within 2 ulp, Sigmoid within 3 ulp, Tanh within 4 ulp.
// Exp overflows to +Inf above ~88.7 and underflows to subnormals and 0;
// NaN in gives NaN out.

const (
	vmExp = iota
	vmSigmoid
	vmTanh
	vmGELU
	vmGELUGrad
)

// vmathChunk bounds one assembly call, so goroutines stay preemptible.
const vmathChunk = 4096

// Exp sets dst[i] = e**src[i] for i < len(src); dst may alias src.
func Exp(dst, src []float32) { vmath(dst, src, vmExp) }

// Sigmoid sets dst[i] = 1/(1+e**-src[i]); dst may alias src.
func Sigmoid(dst, src []float32) { vmath(dst, src, vmSigmoid) }

// Tanh sets dst[i] = tanh(src[i]); dst may alias src.
func Tanh(dst, src []float32) { vmath(dst, src, vmTanh) }

// GELU sets dst[i] = x·Φ(x) for x = src[i] (exact-form GELU, erf by
// Abramowitz–Stegun 7.1.26 as in PyTorch's vectorised kernel: absolute
// error ≤ 2e-7·max(1, |x|)); dst may alias src.
func GELU(dst, src []float32) { vmath(dst, src, vmGELU) }

// GELUGrad sets dst[i] = Φ(x) + x·φ(x), the derivative of GELU at
// x = src[i], with the same erf; dst may alias src.
func GELUGrad(dst, src []float32) { vmath(dst, src, vmGELUGrad) }

func vmath(dst, src []float32, mode int) {
	n := len(src)
	dst = dst[:n]
	if !hasVMath {
		vmathGeneric(dst, src, mode)
		return
	}
	for i := 0; i < n; i += vmathChunk {
		m := min(vmathChunk, n-i) &^ 15
		if m > 0 {
			vmathAVX512(&dst[i], &src[i], m, mode)
		}
		if r := min(vmathChunk, n-i) - m; r > 0 {
			// Tail: pad to a full vector so every element takes the same path.
			var buf [16]float32
			copy(buf[:], src[i+m:i+m+r])
			vmathAVX512(&buf[0], &buf[0], 16, mode)
			copy(dst[i+m:i+m+r], buf[:r])
		}
	}
}

func vmathGeneric(dst, src []float32, mode int) {
	for i, v := range src {
		x := float64(v)
		switch mode {
		case vmExp:
			dst[i] = float32(math.Exp(x))
		case vmSigmoid:
			dst[i] = float32(1 / (1 + math.Exp(-x)))
		case vmGELU:
			dst[i] = float32(x * 0.5 * math.Erfc(-x/math.Sqrt2))
		case vmGELUGrad:
			dst[i] = float32(0.5*math.Erfc(-x/math.Sqrt2) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi))
		case vmTanh:
			dst[i] = float32(math.Tanh(x))
		}
	}
}
