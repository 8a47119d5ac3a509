package kernels

// LayerNorm row kernels (float32 data, float64 row statistics). On amd64
// with AVX-512 the bulk of each row runs in ln_amd64.s, 16 lanes a step,
// and the tail (len mod 16) in Go; elsewhere everything runs in Go. Each
// call handles one row, so results depend only on the row, never on how
// rows are split across threads.

// LNSum returns Σ x accumulated in float64.
func LNSum(x []float32) float64 {
	n := len(x)
	m := 0
	var s float64
	if hasLN {
		m = n &^ 15
		if m > 0 {
			s = lnSumAVX512(&x[0], m)
		}
	}
	var s0, s1 float64
	i := m
	for ; i+2 <= n; i += 2 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
	}
	for ; i < n; i++ {
		s0 += float64(x[i])
	}
	return s + (s0 + s1)
}

// LNSqDev returns Σ (x − mean)² accumulated in float64.
func LNSqDev(x []float32, mean float64) float64 {
	n := len(x)
	m := 0
	var s float64
	if hasLN {
		m = n &^ 15
		if m > 0 {
			s = lnSqDevAVX512(&x[0], m, mean)
		}
	}
	var s0, s1 float64
	i := m
	for ; i+2 <= n; i += 2 {
		d0, d1 := float64(x[i])-mean, float64(x[i+1])-mean
		s0 += d0 * d0
		s1 += d1 * d1
	}
	for ; i < n; i++ {
		d0 := float64(x[i]) - mean
		s0 += d0 * d0
	}
	return s + (s0 + s1)
}

// LNAffine stores o[i] = (x[i] − mean)·inv·w[i] + b[i] for i < len(x).
// o, w and b must be at least as long as x.
func LNAffine(o, x, w, b []float32, mean, inv float32) {
	n := len(x)
	o, w, b = o[:n], w[:n], b[:n]
	m := 0
	if hasLN {
		m = n &^ 15
		if m > 0 {
			lnAffineAVX512(&o[0], &x[0], &w[0], &b[0], m, mean, inv)
		}
	}
	for i := m; i < n; i++ {
		o[i] = (x[i]-mean)*inv*w[i] + b[i]
	}
}

// LNBackAcc is one row of the LayerNorm backward pass's first sweep. With
// x̂ = (x − mean)·inv and h = g·w it adds g·x̂ to pw and g to pb, and
// returns Σ h and Σ h·x̂ accumulated in float64. All slices must be at
// least as long as g.
func LNBackAcc(pw, pb, g, x, w []float32, mean, inv float32) (sh, shx float64) {
	n := len(g)
	pw, pb, x, w = pw[:n], pb[:n], x[:n], w[:n]
	m := 0
	if hasLN {
		m = n &^ 15
		if m > 0 {
			sh, shx = lnBackAccAVX512(&pw[0], &pb[0], &g[0], &x[0], &w[0], m, mean, inv)
		}
	}
	var a, b float64
	for i := m; i < n; i++ {
		g0 := g[i]
		x0 := (x[i] - mean) * inv
		pw[i] += g0 * x0
		pb[i] += g0
		h := float64(g0 * w[i])
		a += h
		b += h * float64(x0)
	}
	return sh + a, shx + b
}

// LNBackDx is one row of the LayerNorm input gradient:
// dx[i] = inv·(g[i]·w[i] − s1 − (x[i] − mean)·inv·s2), stored, or added
// to dx when accumulate is set. All slices must be at least as long as g.
func LNBackDx(dx, g, x, w []float32, mean, inv, s1, s2 float32, accumulate bool) {
	n := len(g)
	dx, x, w = dx[:n], x[:n], w[:n]
	m := 0
	if hasLN {
		m = n &^ 15
		if m > 0 {
			lnBackDxAVX512(&dx[0], &g[0], &x[0], &w[0], m, mean, inv, s1, s2, accumulate)
		}
	}
	for i := m; i < n; i++ {
		v := inv * (g[i]*w[i] - s1 - (x[i]-mean)*inv*s2)
		if accumulate {
			v += dx[i]
		}
		dx[i] = v
	}
}
