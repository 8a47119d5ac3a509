package kernels

import "testing"

func BenchmarkPackB(b *testing.B) {
	const n = 1024
	src := make([]float32, n*n)
	dst := alignedFloats(nil, 256*n)
	for _, tr := range []bool{false, true} {
		b.Run(map[bool]string{false: "N", true: "T"}[tr], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				packB(dst, src, n, tr, 256, 256, 0, n, paths[PathAVX512])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(256*n), "ns/elem")
		})
	}
}
func BenchmarkPackA(b *testing.B) {
	const n = 1024
	src := make([]float32, n*n)
	dst := alignedFloats(nil, 256*128)
	for _, tr := range []bool{false, true} {
		b.Run(map[bool]string{false: "N", true: "T"}[tr], func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				for ic := 0; ic < n; ic += 128 {
					packA(dst, src, n, tr, ic, 128, 256, 256, paths[PathAVX512])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(256*n), "ns/elem")
		})
	}
}
