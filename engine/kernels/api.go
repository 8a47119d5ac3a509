// Package kernels holds the engine's compute kernels: SGEMM (BLIS-style
// blocked, with AVX-512 / AVX2 assembly micro-kernels and a pure-Go
// fallback) and the thread pool they run on.
//
// All matrices are row-major float32. The kernels never allocate in steady
// state: packing buffers are owned by persistent workers.
package kernels

// Activation is an activation fused into the GEMM write-back.
type Activation int

const (
	// ActNone leaves the result as is.
	ActNone Activation = iota
	// ActReLU clamps negative results to zero.
	ActReLU
)

// Sgemm computes C = alpha*op(A)*op(B) + beta*C for row-major matrices,
// where op(X) is X or its transpose. op(A) is m×k, op(B) is k×n, C is m×n.
// lda, ldb and ldc are the row strides of A, B and C as stored.
// When beta is 0, C is not read (NaNs in C do not propagate).
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, nil, ActNone)
}

// SgemmBias computes C = act(op(A)*op(B) + bias) where bias (length n, or
// nil) is added to every row; the bias and activation are fused into the
// write-back of the last K block.
func SgemmBias(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, bias []float32, act Activation, c []float32, ldc int) {
	sgemm(transA, transB, m, n, k, 1, a, lda, b, ldb, 0, c, ldc, bias, act)
}
