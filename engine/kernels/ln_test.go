package kernels

import (
	"math"
	"math/rand"
	"testing"
)

// TestLNKernels checks the LayerNorm row kernels against float64
// references for lengths around the 16-lane vector width.
func TestLNKernels(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for _, n := range []int{1, 5, 15, 16, 17, 31, 32, 48, 63, 100, 128, 257} {
		x, g, w, b := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64()*2 + 0.5)
			g[i] = float32(rng.NormFloat64())
			w[i] = float32(rng.NormFloat64())
			b[i] = float32(rng.NormFloat64())
		}
		var sum float64
		for _, v := range x {
			sum += float64(v)
		}
		close := func(name string, got, want, tol float64) {
			t.Helper()
			if math.Abs(got-want) > tol*(1+math.Abs(want)) {
				t.Errorf("n=%d %s = %v, want %v", n, name, got, want)
			}
		}
		close("LNSum", LNSum(x), sum, 1e-12)
		mean := sum / float64(n)
		var sq float64
		for _, v := range x {
			sq += (float64(v) - mean) * (float64(v) - mean)
		}
		close("LNSqDev", LNSqDev(x, mean), sq, 1e-12)
		m, inv := float32(mean), float32(1/math.Sqrt(sq/float64(n)+1e-5))
		o := make([]float32, n)
		LNAffine(o, x, w, b, m, inv)
		for i := range o {
			want := (float64(x[i])-float64(m))*float64(inv)*float64(w[i]) + float64(b[i])
			close("LNAffine", float64(o[i]), want, 1e-5)
		}
		pw, pb := make([]float32, n), make([]float32, n)
		for i := range pw {
			pw[i], pb[i] = 1, -1
		}
		sh, shx := LNBackAcc(pw, pb, g, x, w, m, inv)
		var wsh, wshx float64
		for i := range g {
			xh := (float64(x[i]) - float64(m)) * float64(inv)
			close("LNBackAcc pw", float64(pw[i]), 1+float64(g[i])*xh, 1e-5)
			close("LNBackAcc pb", float64(pb[i]), -1+float64(g[i]), 1e-6)
			h := float64(g[i]) * float64(w[i])
			wsh += h
			wshx += h * xh
		}
		close("LNBackAcc sh", sh, wsh, 1e-5)
		close("LNBackAcc shx", shx, wshx, 1e-5)
		s1, s2 := float32(wsh/float64(n)), float32(wshx/float64(n))
		for _, acc := range []bool{false, true} {
			dx := make([]float32, n)
			for i := range dx {
				dx[i] = 0.25
			}
			LNBackDx(dx, g, x, w, m, inv, s1, s2, acc)
			for i := range dx {
				xh := (float64(x[i]) - float64(m)) * float64(inv)
				want := float64(inv) * (float64(g[i])*float64(w[i]) - float64(s1) - xh*float64(s2))
				if acc {
					want += 0.25
				}
				close("LNBackDx", float64(dx[i]), want, 1e-5)
			}
		}
	}
}

// TestAttnKernels checks AttnDot64 against a float64 dot product and
// AttnDS against its scalar float32 expression, bit for bit.
func TestAttnKernels(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{1, 7, 16, 17, 32, 45, 64, 130} {
		x, y, p := make([]float32, n), make([]float32, n), make([]float32, n)
		var want float64
		for i := range x {
			x[i], y[i], p[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()), rng.Float32()
			want += float64(x[i]) * float64(y[i])
		}
		if got := AttnDot64(x, y); math.Abs(got-want) > 1e-12*(1+math.Abs(want)) {
			t.Errorf("n=%d AttnDot64 = %v, want %v", n, got, want)
		}
		dp := append([]float32(nil), y...)
		AttnDS(dp, p, 0.3, 0.125)
		for i := range dp {
			if w := p[i] * (y[i] - 0.3) * 0.125; dp[i] != w {
				t.Errorf("n=%d AttnDS[%d] = %v, want %v", n, i, dp[i], w)
			}
		}
	}
}
