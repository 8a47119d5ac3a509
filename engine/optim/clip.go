package optim

import (
	"errors"
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// ErrNonFinite is wrapped by ClipGradNorm's error when the total gradient
// norm is NaN or infinite.
var ErrNonFinite = errors.New("non-finite gradient norm")

// gradBuffers calls f32 or f64 with each parameter's gradient buffer
// (gradients are contiguous, so these alias them); parameters without a
// gradient are skipped.
func gradBuffers(params []*tensor.Tensor, f32 func([]float32), f64 func([]float64)) {
	for _, p := range params {
		if p == nil || p.Grad() == nil {
			continue
		}
		if g := p.Grad(); g.DType() == tensor.Float64 {
			f64(g.Float64s())
		} else {
			f32(g.Data())
		}
	}
}

// ClipGradNorm scales the gradients of params so that their total norm —
// the normType-norm of all gradient elements together, as if concatenated —
// is at most maxNorm, and returns the total norm before clipping, like
// torch.nn.utils.clip_grad_norm_: every gradient is multiplied by
// min(1, maxNorm/(total + 1e-6)). normType is p > 0 (2 usually) or
// math.Inf(1) (the largest absolute element). Parameters without a
// gradient are skipped (total 0 when none has one).
//
// A NaN or infinite total is an error wrapping ErrNonFinite and leaves the
// gradients as they are (torch's error_if_nonfinite=True): clipping by a
// NaN would silently poison every parameter.
func ClipGradNorm(params []*tensor.Tensor, maxNorm, normType float64) (float64, error) {
	if !(maxNorm >= 0) || math.IsInf(maxNorm, 0) {
		return 0, fmt.Errorf("optim: clip_grad_norm: max norm %g must be >= 0 and finite", maxNorm)
	}
	inf := math.IsInf(normType, 1)
	if !inf && !(normType > 0 && !math.IsInf(normType, 0)) {
		return 0, fmt.Errorf("optim: clip_grad_norm: norm type %g must be > 0 or +Inf", normType)
	}
	var acc float64
	add := func(v float64) {
		a := math.Abs(v)
		switch {
		case inf:
			if a > acc || a != a {
				acc = a
			}
		case normType == 2:
			acc += a * a
		case normType == 1:
			acc += a
		default:
			acc += math.Pow(a, normType)
		}
	}
	gradBuffers(params,
		func(g []float32) {
			for _, v := range g {
				add(float64(v))
			}
		},
		func(g []float64) {
			for _, v := range g {
				add(v)
			}
		})
	total := acc
	switch {
	case inf, normType == 1:
	case normType == 2:
		total = math.Sqrt(acc)
	default:
		total = math.Pow(acc, 1/normType)
	}
	if math.IsNaN(total) || math.IsInf(total, 0) {
		return total, fmt.Errorf("optim: clip_grad_norm: %w: total %v-norm is %g", ErrNonFinite, normType, total)
	}
	coef := maxNorm / (total + 1e-6)
	if coef >= 1 {
		return total, nil
	}
	c32 := float32(coef)
	gradBuffers(params,
		func(g []float32) {
			for i := range g {
				g[i] *= c32
			}
		},
		func(g []float64) {
			for i := range g {
				g[i] *= coef
			}
		})
	return total, nil
}

// ClipGradValue clamps every gradient element of params to
// [−clip, clip], like torch.nn.utils.clip_grad_value_.
func ClipGradValue(params []*tensor.Tensor, clip float64) error {
	if !(clip >= 0) {
		return fmt.Errorf("optim: clip_grad_value: clip value %g must be >= 0", clip)
	}
	c32 := float32(clip)
	gradBuffers(params,
		func(g []float32) {
			for i, v := range g {
				g[i] = max(-c32, min(c32, v))
			}
		},
		func(g []float64) {
			for i, v := range g {
				g[i] = max(-clip, min(clip, v))
			}
		})
	return nil
}
