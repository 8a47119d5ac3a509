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

// convPaths returns the paths whose direct-convolution kernels this CPU
// can run (ForcePath selects them).
func convPaths() []Path {
	var ps []Path
	for _, p := range []Path{PathGeneric, PathAVX2, PathAVX512} {
		if p.Available() {
			ps = append(ps, p)
		}
	}
	return ps
}

// TestConvKernelsPaths runs the kernel tests above with each available
// path forced (on an AVX-512 CPU this covers the AVX2 kernels too).
func TestConvKernelsPaths(t *testing.T) {
	for _, p := range convPaths() {
		t.Run(p.String(), func(t *testing.T) {
			defer ForcePath(p)()
			if got, want := HasDirectConv(), p != PathGeneric; got != want {
				t.Fatalf("HasDirectConv() = %v, want %v", got, want)
			}
			t.Run("DirectConv", TestDirectConv)
			t.Run("CopyRows", TestCopyRows)
			t.Run("AddRowsShifted", TestAddRowsShifted)
			t.Run("OddSizes", testConvOddSizes)
		})
	}
}

// testConvOddSizes compares the kernels of the forced path with their Go
// definitions on every channel count, block counts around the call chunk
// (1, 7–9, 17 blocks of 32), tap counts 1–5, and row widths 1–41 (the
// 8- and 16-float steps and their tails). DirectConv8 does the same FMA
// sequence per element on every assembly path, so it must match the Go
// definition computed with math.FMA bit for bit.
func testConvOddSizes(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	rnd := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(r.NormFloat64())
		}
		return s
	}
	asm := HasDirectConv()
	for _, nblk := range []int{1, 7, 8, 9, 17} {
		for nc := 1; nc <= 8; nc++ {
			for nt := 1; nt <= 5; nt++ {
				relu := (nblk+nc+nt)%2 == 0
				n := nblk * DirectConvBlock
				offs := make([]int, nt)
				for i := range offs {
					offs[i] = r.IntN(90) - 30
				}
				x := rnd(n + 130)
				w := rnd(8 * nt)
				bias := rnd(8)
				ldd := n + 5
				got := rnd(8 * ldd)
				sentinel := append([]float32(nil), got...)
				DirectConv8(got, ldd, x, 40, offs, w, bias, relu, nblk, nc)
				for j := range 8 {
					for i := range ldd {
						k := j*ldd + i
						if i >= n {
							if got[k] != sentinel[k] {
								t.Fatalf("DirectConv8 nblk %d nc %d: wrote dst[%d] past the row", nblk, nc, k)
							}
							continue
						}
						if j >= nc {
							continue
						}
						var want float32
						if asm {
							want = bias[j]
							for tp, off := range offs {
								want = float32(math.FMA(float64(w[8*tp+j]), float64(x[40+i+off]), float64(want)))
							}
						} else {
							want = bias[j]
							for tp, off := range offs {
								want += w[8*tp+j] * x[40+i+off]
							}
						}
						if relu && want < 0 {
							want = 0
						}
						if asm && math.Float32bits(got[k]) != math.Float32bits(want) || !asm && math.Abs(float64(got[k]-want)) > 1e-5*(1+math.Abs(float64(want))) {
							t.Fatalf("DirectConv8 nblk %d nc %d nt %d relu %v: [%d][%d] = %v, want %v", nblk, nc, nt, relu, j, i, got[k], want)
						}
					}
				}
				// weight gradient over npos = 16·k positions, odd tap counts included
				for _, npos := range []int{16, 48, n} {
					if npos > n {
						continue
					}
					g := rnd(8 * ldd)
					dw0 := rnd(8 * nt)
					dwGot := append([]float32(nil), dw0...)
					dwWant := append([]float32(nil), dw0...)
					DirectConvGrad8(dwGot, g, ldd, x, 40, offs, npos, nc)
					directConvGrad8Go(dwWant, g, ldd, x, 40, offs, npos, nc)
					for k := range nt {
						closeAll(t, "DirectConvGrad8", dwGot[8*k:8*k+nc], dwWant[8*k:8*k+nc], npos)
					}
				}
			}
		}
	}
	for w := 1; w <= 41; w++ {
		rows, lds, ldd, ldy := 3, w+2, w+5, w+1
		src, y := rnd(rows*lds), rnd(rows*ldy)
		y[0] = float32(math.NaN())
		for _, mask := range []bool{false, true} {
			var ym []float32
			if mask {
				ym = y
			}
			dst := make([]float32, rows*ldd)
			for i := range dst {
				dst[i] = 7
			}
			CopyRows(dst, ldd, src, lds, ym, ldy, rows, w)
			for i := range dst {
				row, col := i/ldd, i%ldd
				want := float32(7)
				if col < w {
					want = src[row*lds+col]
					if yv := y[row*ldy+col]; mask && !(yv > 0) && yv == yv {
						want = 0
					}
				}
				if math.Float32bits(dst[i]) != math.Float32bits(want) {
					t.Fatalf("CopyRows w %d mask %v: dst[%d] = %v, want %v", w, mask, i, dst[i], want)
				}
			}
		}
		offs := []int{2, 0, 9, 4}
		src = rnd(len(offs) * lds)
		dst := rnd(9 + w + 3)
		want := append([]float32(nil), dst...)
		AddRowsShifted(dst, src, lds, offs, w)
		for k, off := range offs {
			for i := range w {
				want[off+i] += src[k*lds+i]
			}
		}
		for i := range dst {
			if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
				t.Fatalf("AddRowsShifted n %d: dst[%d] = %v, want %v", w, i, dst[i], want[i])
			}
		}
	}
}

// TestDirectConvAVX2MatchesAVX512 checks that the AVX2 and AVX-512
// forward kernels give bit-identical outputs (same FMA order per element).
func TestDirectConvAVX2MatchesAVX512(t *testing.T) {
	if !PathAVX2.Available() || !PathAVX512.Available() {
		t.Skip("needs AVX2 and AVX-512")
	}
	r := rand.New(rand.NewPCG(13, 14))
	for _, nc := range []int{1, 3, 4, 5, 6, 7, 8} {
		nblk, nt := 11, 37
		n := nblk * DirectConvBlock
		offs := make([]int, nt)
		for i := range offs {
			offs[i] = r.IntN(300)
		}
		x := make([]float32, n+300)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		w := make([]float32, 8*nt)
		for i := range w {
			w[i] = float32(r.NormFloat64())
		}
		bias := []float32{1, -2, 3, -4, 5, -6, 7, -8}
		var out [2][]float32
		for k, p := range []Path{PathAVX2, PathAVX512} {
			restore := ForcePath(p)
			out[k] = make([]float32, 8*n)
			DirectConv8(out[k], n, x, 0, offs, w, bias, nc%2 == 0, nblk, nc)
			restore()
		}
		for i := range nc * n {
			if math.Float32bits(out[0][i]) != math.Float32bits(out[1][i]) {
				t.Fatalf("nc %d: [%d] avx2 %v, avx512 %v", nc, i, out[0][i], out[1][i])
			}
		}
	}
}
