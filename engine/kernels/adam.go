package kernels

import "math"

// AdamParams are the per-step constants of an Adam update (see AdamStep).
type AdamParams struct {
	Beta1, Beta2 float32
	// StepSize is lr/(1-β1ᵗ); InvSqrtBC2 is 1/√(1-β2ᵗ).
	StepSize, InvSqrtBC2 float32
	Eps                  float32
	// Decay multiplies the weights first (1 - lr·λ for AdamW's decoupled
	// weight decay; 1 for none).
	Decay float32
	// WeightDecay is λ of the L2 penalty added to the gradient when L2 is
	// set (torch.optim.Adam's weight_decay).
	WeightDecay float32
	L2          bool
}

// AdamStep applies one Adam update in place to the weights w and the
// moments m, v from the gradient g (all of len(w) elements):
//
//	w *= Decay ;  g += WeightDecay·w (L2)
//	m = β1·m + (1-β1)·g ;  v = β2·v + (1-β2)·g·g
//	w -= StepSize·m / (√v·InvSqrtBC2 + Eps)
//
// with float32 operations in exactly this order and no fused multiply-add,
// so the vectorised (AVX-512) and scalar paths give the same bits.
func AdamStep(w, g, m, v []float32, p *AdamParams) {
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	i := 0
	if hasAdamAVX512 && n >= 16 {
		k := n &^ 15
		var l2 uint32
		if p.L2 {
			l2 = 1
		}
		c := adamConsts{p.Beta1, 1 - p.Beta1, p.Beta2, 1 - p.Beta2, p.StepSize, p.InvSqrtBC2, p.Eps, p.Decay, p.WeightDecay, l2}
		adamAVX512(&w[0], &g[0], &m[0], &v[0], k, &c)
		i = k
	}
	adamGo(w[i:], g[i:], m[i:], v[i:], p)
}

// adamConsts is the constant block the assembly reads.
type adamConsts struct {
	b1, c1, b2, c2, step, invBC2, eps, decay, wd float32
	l2                                           uint32
}

func adamGo(w, g, m, v []float32, p *AdamParams) {
	b1, c1, b2, c2 := p.Beta1, 1-p.Beta1, p.Beta2, 1-p.Beta2
	step, ib, eps, f, wd := p.StepSize, p.InvSqrtBC2, p.Eps, p.Decay, p.WeightDecay
	n := len(w)
	g, m, v = g[:n], m[:n], v[:n]
	for j := range w {
		// explicit conversions round each product, which forbids the
		// compiler to fuse them into FMAs
		wj := float32(w[j] * f)
		gj := g[j]
		if p.L2 {
			gj += float32(wd * wj)
		}
		mj := float32(b1*m[j]) + float32(c1*gj)
		vj := float32(b2*v[j]) + float32(float32(c2*gj)*gj)
		m[j], v[j] = mj, vj
		den := float32(sqrt32(vj)*ib) + eps
		w[j] = wj - float32(step*mj)/den
	}
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
