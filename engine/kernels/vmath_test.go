package kernels

import (
	"math"
	"testing"
)

func ulps32(got float32, want float64) float64 {
	w := float32(want)
	if got == w || (math.IsNaN(float64(got)) && math.IsNaN(want)) {
		return 0
	}
	if math.IsInf(float64(w), 0) || math.IsInf(float64(got), 0) {
		return math.Inf(1)
	}
	aw := math.Abs(float64(w))
	ulp := float64(math.Nextafter32(float32(aw), float32(math.Inf(1)))) - aw
	if aw < 0x1p-126 {
		ulp = 0x1p-149
	}
	return math.Abs(float64(got)-want) / ulp
}

func TestVMathAccuracy(t *testing.T) {
	n := 1<<20 + 7 // a tail too
	cases := []struct {
		name   string
		f      func(d, s []float32)
		ref    func(float64) float64
		lo, hi float64
		maxUlp float64
	}{
		{"exp", Exp, math.Exp, -103, 88.7, 2},
		{"exp-near0", Exp, math.Exp, -1e-3, 1e-3, 2},
		{"sigmoid", Sigmoid, func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }, -100, 100, 3},
		{"tanh", Tanh, math.Tanh, -20, 20, 4},
		{"tanh-near0", Tanh, math.Tanh, -0.5, 0.5, 4},
		{"tanh-tiny", Tanh, math.Tanh, -1e-6, 1e-6, 4},
	}
	for _, c := range cases {
		src := make([]float32, n)
		for i := range src {
			src[i] = float32(c.lo + (c.hi-c.lo)*float64(i)/float64(n-1))
		}
		dst := make([]float32, n)
		c.f(dst, src)
		worst, at := 0.0, float32(0)
		for i, x := range src {
			want := c.ref(float64(x))
			if float32(want) == 0 && math.Abs(float64(dst[i])) < 0x1p-140 {
				continue // deep underflow: any subnormal rounding
			}
			if e := ulps32(dst[i], want); e > worst {
				worst, at = e, x
			}
		}
		t.Logf("%s: max %.2f ulp at %g", c.name, worst, at)
		if worst > c.maxUlp {
			t.Errorf("%s: max error %.2f ulp at x=%g (limit %g)", c.name, worst, at, c.maxUlp)
		}
	}
	// Special values, on every lane position.
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	src := []float32{0, inf, -inf, nan, 89, -89, 200, -200, 1e-30, -1e-30, 0, 0, 0, 0, 0, 0, 0}
	want := map[string][]float64{
		"exp":     {1, math.Inf(1), 0, math.NaN(), math.Inf(1), math.Exp(-89), math.Inf(1), 0, 1, 1},
		"sigmoid": {0.5, 1, 0, math.NaN(), 1, 1 / (1 + math.Exp(89)), 1, 0, 0.5, 0.5},
		"tanh":    {0, 1, -1, math.NaN(), 1, -1, 1, -1, 1e-30, -1e-30},
	}
	for name, f := range map[string]func(d, s []float32){"exp": Exp, "sigmoid": Sigmoid, "tanh": Tanh} {
		d := make([]float32, len(src))
		f(d, src)
		for i, w := range want[name] {
			if e := ulps32(d[i], w); e > 4 && !(float32(w) == 0 && math.Abs(float64(d[i])) < 1e-40) {
				t.Errorf("%s(%g) = %g, want %g", name, src[i], d[i], w)
			}
		}
	}
}

func TestVMathGELU(t *testing.T) {
	n := 1<<18 + 5
	src := make([]float32, n)
	for i := range src {
		src[i] = float32(-12 + 24*float64(i)/float64(n-1))
	}
	y, dy := make([]float32, n), make([]float32, n)
	GELU(y, src)
	GELUGrad(dy, src)
	var wy, wd float64
	for i, v := range src {
		x := float64(v)
		ey := x * 0.5 * math.Erfc(-x/math.Sqrt2)
		ed := 0.5*math.Erfc(-x/math.Sqrt2) + x*math.Exp(-0.5*x*x)/math.Sqrt(2*math.Pi)
		wy = max(wy, math.Abs(float64(y[i])-ey)/max(1, math.Abs(x)))
		wd = max(wd, math.Abs(float64(dy[i])-ed)/max(1, math.Abs(x)))
	}
	t.Logf("gelu: max abs error/max(1,|x|) %.3g, derivative %.3g", wy, wd)
	if wy > 3e-7 || wd > 3e-7 {
		t.Errorf("gelu errors %.3g (value), %.3g (derivative), want ≤ 3e-7", wy, wd)
	}
	nan := float32(math.NaN())
	d := []float32{nan, float32(math.Inf(1)), float32(math.Inf(-1))}
	GELU(d, d)
	if !math.IsNaN(float64(d[0])) || !math.IsInf(float64(d[1]), 1) || d[2] != 0 && !math.IsNaN(float64(d[2])) {
		t.Errorf("gelu(NaN, +Inf, -Inf) = %v", d)
	}
}

func TestVMathGenericMatches(t *testing.T) {
	src := make([]float32, 1000)
	for i := range src {
		src[i] = float32(i-500) / 37
	}
	a, b := make([]float32, len(src)), make([]float32, len(src))
	for mode := vmExp; mode <= vmGELUGrad; mode++ {
		vmath(a, src, mode)
		vmathGeneric(b, src, mode)
		for i := range a {
			if mode >= vmGELU { // A&S erf: absolute error
				if math.Abs(float64(a[i]-b[i])) > 3e-7*max(1, math.Abs(float64(src[i]))) {
					t.Fatalf("mode %d x=%g: %g vs generic %g", mode, src[i], a[i], b[i])
				}
				continue
			}
			if e := ulps32(a[i], float64(b[i])); e > 4 {
				t.Fatalf("mode %d x=%g: %g vs generic %g", mode, src[i], a[i], b[i])
			}
		}
	}
}

func BenchmarkVMath(b *testing.B) {
	src := make([]float32, 1<<16)
	for i := range src {
		src[i] = float32(i-1<<15) / 4000
	}
	dst := make([]float32, len(src))
	for _, c := range []struct {
		name string
		f    func(d, s []float32)
	}{{"exp", Exp}, {"sigmoid", Sigmoid}, {"tanh", Tanh}, {"gelu", GELU}, {"gelugrad", GELUGrad}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(4 * len(src)))
			for b.Loop() {
				c.f(dst, src)
			}
		})
	}
}
