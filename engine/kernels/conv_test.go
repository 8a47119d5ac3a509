package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDirectConv compares DirectConv8 and DirectConvGrad8 (assembly where
// available) with their plain-Go definitions, for even and odd tap counts,
// negative offsets, with and without bias and ReLU.
func TestDirectConv(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rnd := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(r.NormFloat64())
		}
		return s
	}
	for _, nt := range []int{1, 2, 7, 25, 150} {
		for _, nc := range []int{8, 7, 6, 5, 4, 1} {
			relu := nt%2 == 1
			nblk := 5
			n := nblk * DirectConvBlock
			offs := make([]int, nt)
			for i := range offs {
				offs[i] = r.IntN(200) - 60
			}
			x := rnd(n + 400)
			w := rnd(8 * nt)
			var bias []float32
			if relu {
				bias = rnd(8)
			}
			ldd := n + 3
			got, want := make([]float32, 8*ldd), make([]float32, 8*ldd)
			DirectConv8(got, ldd, x, 70, offs, w, bias, relu, nblk, nc)
			var b [8]float32
			copy(b[:], bias)
			directConv8Go(want, ldd, x, 70, offs, w, &b, relu, n, nc)
			closeAll(t, "DirectConv8", got[:nc*ldd], want[:nc*ldd], nt)

			g := rnd(8 * ldd)
			dw0 := rnd(8 * nt)
			dwGot := append([]float32(nil), dw0...)
			dwWant := append([]float32(nil), dw0...)
			DirectConvGrad8(dwGot, g, ldd, x, 70, offs, n, nc)
			directConvGrad8Go(dwWant, g, ldd, x, 70, offs, n, nc)
			for k := 0; k < nt; k++ {
				closeAll(t, "DirectConvGrad8", dwGot[8*k:8*k+nc], dwWant[8*k:8*k+nc], n)
			}
		}
	}
}

func closeAll(t *testing.T, name string, got, want []float32, k int) {
	t.Helper()
	tol := 1e-5 * math.Sqrt(float64(k))
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("%s (k=%d): [%d] = %v, want %v", name, k, i, got[i], want[i])
		}
	}
}

// TestCopyRows checks CopyRows with and without the ReLU mask (NaN, ±0 in
// y) against its definition, for rows shorter and longer than 16.
func TestCopyRows(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, w := range []int{1, 5, 16, 28, 33} {
		rows, lds, ldd, ldy := 4, w+3, w+7, w+1
		src := make([]float32, rows*lds)
		y := make([]float32, rows*ldy)
		for i := range src {
			src[i] = float32(r.NormFloat64())
		}
		special := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), 1, -1}
		for i := range y {
			y[i] = special[r.IntN(len(special))]
		}
		for _, mask := range []bool{false, true} {
			dst := make([]float32, rows*ldd)
			for i := range dst {
				dst[i] = 9
			}
			var ym []float32
			if mask {
				ym = y
			}
			CopyRows(dst, ldd, src, lds, ym, ldy, rows, w)
			for i := range dst {
				row, col := i/ldd, i%ldd
				want := float32(9)
				if col < w {
					want = src[row*lds+col]
					if yv := y[row*ldy+col]; mask && !(yv > 0) && yv == yv {
						want = 0
					}
				}
				if math.Float32bits(dst[i]) != math.Float32bits(want) {
					t.Fatalf("w %d mask %v: dst[%d] = %v, want %v", w, mask, i, dst[i], want)
				}
			}
		}
	}
}

// TestAddRowsShifted checks AddRowsShifted against its definition, with
// overlapping destination rows (order matters only for rounding; the data
// are small integers, so sums are exact).
func TestAddRowsShifted(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{1, 7, 16, 40} {
		offs := []int{0, 3, 5, 1, 30}
		lds := n + 2
		src := make([]float32, len(offs)*lds)
		for i := range src {
			src[i] = float32(r.IntN(9) - 4)
		}
		dst := make([]float32, 30+n+4)
		want := make([]float32, len(dst))
		for i := range dst {
			dst[i] = float32(i)
			want[i] = float32(i)
		}
		AddRowsShifted(dst, src, lds, offs, n)
		for k, off := range offs {
			for i := range n {
				want[off+i] += src[k*lds+i]
			}
		}
		for i := range dst {
			if dst[i] != want[i] {
				t.Fatalf("n %d: dst[%d] = %v, want %v", n, i, dst[i], want[i])
			}
		}
	}
}
