package kernels

// GELUGradMul sets dst[i] = GELU'(x[i])·g[i] (GELUGrad's derivative,
// computed a block at a time, times the output gradient). x and g must be
// at least as long as dst; dst must not overlap x or g.
func GELUGradMul(dst, x, g []float32) {
	n := len(dst)
	x, g = x[:n], g[:n]
	for i := 0; i < n; i += geluBlock {
		m := min(geluBlock, n-i)
		d := dst[i : i+m]
		GELUGrad(d, x[i:i+m])
		mulInto(d, g[i:i+m])
	}
}

// GELUGradMulAdd adds GELU'(x[i])·g[i] to dst[i]. x and g must be at
// least as long as dst; dst must not overlap x or g.
func GELUGradMulAdd(dst, x, g []float32) {
	n := len(dst)
	x, g = x[:n], g[:n]
	var buf [geluBlock]float32
	for i := 0; i < n; i += geluBlock {
		m := min(geluBlock, n-i)
		d := buf[:m]
		GELUGrad(d, x[i:i+m])
		mulAddInto(dst[i:i+m], d, g[i:i+m])
	}
}

// geluBlock is how many derivatives GELUGradMul computes before scaling
// them: small enough to stay in L1 and to keep each assembly call short.
const geluBlock = 512

// mulInto sets d[i] *= g[i] (len(g) ≥ len(d)).
func mulInto(d, g []float32) {
	n := len(d)
	g = g[:n]
	m := 0
	if hasLN {
		m = n &^ 15
		if m > 0 {
			geluMulAVX512(&d[0], &g[0], m)
		}
	}
	for i := m; i < n; i++ {
		d[i] *= g[i]
	}
}

// mulAddInto sets dst[i] += d[i]·g[i], the product rounded before the
// sum (no fused multiply-add, so every path gives the same bits).
func mulAddInto(dst, d, g []float32) {
	n := len(dst)
	d, g = d[:n], g[:n]
	m := 0
	if hasLN {
		m = n &^ 15
		if m > 0 {
			geluMulAddAVX512(&dst[0], &d[0], &g[0], m)
		}
	}
	for i := m; i < n; i++ {
		p := d[i] * g[i]
		dst[i] += p
	}
}
