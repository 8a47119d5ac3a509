package kernels

import (
	"fmt"
	"math/rand"
	"os"
	"testing"
)

// The benchmarks run at Threads() threads: set KAIWU_NUM_THREADS=1 or 2 to
// compare. The generic path skips sizes ≥ 1024 unless KAIWU_BENCH_LONG is
// set (a 2048³ product takes seconds in pure Go).

func benchPaths(b *testing.B, f func(b *testing.B)) {
	for _, p := range []Path{PathGeneric, PathAVX2, PathAVX512} {
		b.Run(p.String(), func(b *testing.B) {
			if !p.Available() {
				b.Skipf("path %v not supported by this build/CPU", p)
			}
			defer ForcePath(p)()
			f(b)
		})
	}
}

func benchGemm(b *testing.B, transA, transB bool, m, n, k int) {
	r := rand.New(rand.NewSource(1))
	x, y, c := randSlice(r, m*k), randSlice(r, k*n), make([]float32, m*n)
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	Sgemm(transA, transB, m, n, k, 1, x, lda, y, ldb, 0, c, n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Sgemm(transA, transB, m, n, k, 1, x, lda, y, ldb, 0, c, n)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkSgemm(b *testing.B) {
	benchPaths(b, func(b *testing.B) {
		for _, n := range []int{64, 256, 512, 1024, 2048} {
			b.Run(fmt.Sprint(n), func(b *testing.B) {
				if ActivePath() == PathGeneric && n >= 1024 && os.Getenv("KAIWU_BENCH_LONG") == "" {
					b.Skip("generic path at n >= 1024: set KAIWU_BENCH_LONG=1")
				}
				benchGemm(b, false, false, n, n, n)
			})
		}
	})
}

// BenchmarkSgemmMLP covers the GEMMs of one training step of a
// 784→512→512→10 MLP at batch 256: forward X·Wᵀ, backward dX = dY·W and
// dW = dYᵀ·X.
func BenchmarkSgemmMLP(b *testing.B) {
	type shape struct {
		name           string
		transA, transB bool
		m, n, k        int
	}
	var shapes []shape
	for _, l := range [][2]int{{784, 512}, {512, 512}, {512, 10}} {
		in, out := l[0], l[1]
		shapes = append(shapes,
			shape{fmt.Sprintf("fwd_%dx%d", in, out), false, true, 256, out, in},
			shape{fmt.Sprintf("dX_%dx%d", in, out), false, false, 256, in, out},
			shape{fmt.Sprintf("dW_%dx%d", in, out), true, false, out, in, 256},
		)
	}
	benchPaths(b, func(b *testing.B) {
		for _, s := range shapes {
			b.Run(s.name, func(b *testing.B) { benchGemm(b, s.transA, s.transB, s.m, s.n, s.k) })
		}
	})
}
