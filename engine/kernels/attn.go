package kernels

// Row kernels for the fused attention's non-GEMM work (engine/tensor's
// attention backward). On amd64 with AVX-512 the bulk of a row runs in
// attn_amd64.s, 16 lanes a step, and the tail in Go; elsewhere all in Go.
// Results depend only on the inputs, never on the thread count.

// AttnDot64 returns Σ x[i]·y[i] accumulated in float64 (y must be at least
// as long as x).
func AttnDot64(x, y []float32) float64 {
	n := len(x)
	y = y[:n]
	m := 0
	var s float64
	if hasLN {
		m = n &^ 15
		if m > 0 {
			s = attnDot64AVX512(&x[0], &y[0], m)
		}
	}
	var s0, s1 float64
	i := m
	for ; i+2 <= n; i += 2 {
		s0 += float64(x[i]) * float64(y[i])
		s1 += float64(x[i+1]) * float64(y[i+1])
	}
	for ; i < n; i++ {
		s0 += float64(x[i]) * float64(y[i])
	}
	return s + (s0 + s1)
}

// AttnDS sets dp[i] = p[i]·(dp[i] − d)·scale, the softmax backward of one
// score row (p must be at least as long as dp). Each element is rounded
// exactly as the scalar expression ((p·(dp − d))·scale) in float32.
func AttnDS(dp, p []float32, d, scale float32) {
	n := len(dp)
	p = p[:n]
	m := 0
	if hasLN {
		m = n &^ 15
		if m > 0 {
			attnDSAVX512(&dp[0], &p[0], m, d, scale)
		}
	}
	for i := m; i < n; i++ {
		dp[i] = p[i] * (dp[i] - d) * scale
	}
}
