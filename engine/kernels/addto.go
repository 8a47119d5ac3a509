package kernels

// AddTo sets dst[i] += src[i] for i < len(src) (len(dst) ≥ len(src)); each
// element is one float32 addition, so the result is the same on every path.
// Summing rows into an accumulator with it keeps each column's order of
// additions (row by row), as a bias gradient's column sums need.
func AddTo(dst, src []float32) {
	dst = dst[:len(src)]
	i := 0
	if hasAddAsm {
		for len(src)-i >= 16 {
			n := min(vmathChunk, len(src)-i) &^ 15
			addAVX512(&dst[i], &src[i], n)
			i += n
		}
	}
	for ; i < len(src); i++ {
		dst[i] += src[i]
	}
}
