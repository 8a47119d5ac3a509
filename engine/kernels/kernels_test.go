package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"sync"
	"testing"
)

// availablePaths returns the concrete paths to test, skipping (with a
// message naming the missing feature) those the CPU or build lacks.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	for _, p := range []Path{PathGeneric, PathAVX2, PathAVX512} {
		t.Run(p.String(), func(t *testing.T) {
			if !p.Available() {
				switch p {
				case PathAVX2:
					t.Skip("path avx2 needs amd64 assembly (not purego) and CPU features AVX2+FMA")
				case PathAVX512:
					t.Skip("path avx512 needs amd64 assembly (not purego) and CPU features AVX512F+AVX512VL")
				}
			}
			defer ForcePath(p)()
			f(t)
		})
	}
	// Paths with a narrow helper kernel route narrow shapes to it; run the
	// main kernel alone too so that its edge handling is covered.
	for _, p := range []Path{PathAVX2, PathAVX512} {
		if !p.Available() || paths[p].narrow == nil {
			continue
		}
		t.Run(p.String()+"-main-only", func(t *testing.T) {
			defer ForcePath(p)()
			k := paths[p]
			saved := k.narrow
			k.narrow = nil
			defer func() { k.narrow = saved }()
			f(t)
		})
	}
}

func withThreads(n int) (restore func()) {
	prev := Threads()
	SetThreads(n)
	return func() { SetThreads(prev) }
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// gemmCase is one call: shapes, transposes, padding of the leading
// dimensions and the epilogue.
type gemmCase struct {
	m, n, k        int
	transA, transB bool
	pad            int // extra columns in every leading dimension
	alpha, beta    float32
	bias           bool
	act            Activation
	useBias        bool // call SgemmBias instead of Sgemm
}

func (tc gemmCase) String() string {
	api := "Sgemm"
	if tc.useBias {
		api = fmt.Sprintf("SgemmBias(bias=%v,act=%d)", tc.bias, tc.act)
	}
	return fmt.Sprintf("%s m=%d n=%d k=%d tA=%v tB=%v pad=%d alpha=%g beta=%g",
		api, tc.m, tc.n, tc.k, tc.transA, tc.transB, tc.pad, tc.alpha, tc.beta)
}

// check runs tc and compares C against a float64 reference. The tolerance
// per element is 2·eps32·(√k+2) times the sum of magnitudes of the terms,
// a bound on rounding that random inputs stay far inside of.
func (tc gemmCase) check(t *testing.T, r *rand.Rand) {
	t.Helper()
	m, n, k := tc.m, tc.n, tc.k
	ar, ac := m, k
	if tc.transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tc.transB {
		br, bc = n, k
	}
	lda, ldb, ldc := ac+tc.pad, bc+tc.pad, n+tc.pad
	a := randSlice(r, max(0, (ar-1)*lda+ac))
	b := randSlice(r, max(0, (br-1)*ldb+bc))
	c := randSlice(r, m*ldc)
	if tc.beta == 0 || tc.useBias {
		for i := range c {
			c[i] = float32(math.NaN()) // must not leak into the result
		}
	}
	sentinel := float32(12345)
	for i := 0; i < m; i++ {
		for j := n; j < ldc; j++ {
			c[i*ldc+j] = sentinel
		}
	}
	var bias []float32
	if tc.bias {
		bias = randSlice(r, n)
	}
	c0 := append([]float32(nil), c...)

	if tc.useBias {
		SgemmBias(tc.transA, tc.transB, m, n, k, a, lda, b, ldb, bias, tc.act, c, ldc)
	} else {
		Sgemm(tc.transA, tc.transB, m, n, k, tc.alpha, a, lda, b, ldb, tc.beta, c, ldc)
	}

	alpha, beta := float64(tc.alpha), float64(tc.beta)
	if tc.useBias {
		alpha, beta = 1, 0
	}
	const eps32 = 1.0 / (1 << 24)
	bad := 0
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			got := c[i*ldc+j]
			if j >= n {
				if got != sentinel {
					t.Fatalf("%v: C[%d,%d] outside the view changed to %g", tc, i, j, got)
				}
				continue
			}
			var s, mag float64
			for p := 0; p < k; p++ {
				var av, bv float64
				if tc.transA {
					av = float64(a[p*lda+i])
				} else {
					av = float64(a[i*lda+p])
				}
				if tc.transB {
					bv = float64(b[j*ldb+p])
				} else {
					bv = float64(b[p*ldb+j])
				}
				s += av * bv
				mag += math.Abs(av * bv)
			}
			want := alpha * s
			mag *= math.Abs(alpha)
			if beta != 0 {
				cv := float64(c0[i*ldc+j])
				want += beta * cv
				mag += math.Abs(beta * cv)
			}
			if bias != nil {
				want += float64(bias[j])
				mag += math.Abs(float64(bias[j]))
			}
			if tc.act == ActReLU && want < 0 {
				want = 0
			}
			tol := 2*eps32*(math.Sqrt(float64(k))+2)*mag + 1e-30
			if d := math.Abs(float64(got) - want); !(d <= tol) {
				if bad++; bad <= 3 {
					t.Errorf("%v: C[%d,%d] = %g, want %g (|diff| %.3g > tol %.3g)", tc, i, j, got, want, d, tol)
				}
			}
		}
	}
	if bad > 3 {
		t.Errorf("%v: %d elements wrong in total", tc, bad)
	}
}

// shapes covers vectors, primes, tile edges (mr ∈ {4,6,8}, nr ∈ {4,16,32})
// and block edges (kc = 256, mc ∈ {64,120,128}, nc ∈ {2048,4096}) ±1.
var shapes = [][3]int{ // m, n, k
	{1, 1, 1}, {1, 7, 3}, {7, 1, 5}, {1, 257, 31}, {33, 1, 257}, {2, 3, 4},
	{7, 31, 33}, {31, 33, 7}, {8, 32, 17}, {6, 16, 9}, {9, 33, 1}, {13, 17, 2},
	{64, 64, 64}, {65, 33, 129}, {257, 31, 33}, {17, 257, 255}, {33, 40, 257},
	{127, 65, 256}, {129, 63, 100}, {121, 47, 64}, {119, 70, 70}, {63, 65, 65},
	{5, 4097, 3}, {3, 4095, 9}, {2, 2049, 7}, {100, 100, 513}, {96, 96, 96},
}

var epilogues = []struct {
	alpha, beta float32
	useBias     bool
	bias        bool
	act         Activation
}{
	{alpha: 1, beta: 0},
	{alpha: 0.5, beta: -1.5},
	{alpha: -2, beta: 1},
	{useBias: true, bias: true, act: ActReLU},
	{useBias: true, bias: false, act: ActNone},
	{useBias: true, bias: true, act: ActNone},
	{useBias: true, bias: false, act: ActReLU},
	{alpha: 1, beta: 1},
}

func TestSgemm(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(1))
		for si, s := range shapes {
			for tr := 0; tr < 4; tr++ {
				for th := 1; th <= 2; th++ {
					v := epilogues[(si+tr+th)%len(epilogues)]
					tc := gemmCase{m: s[0], n: s[1], k: s[2], transA: tr&1 != 0, transB: tr&2 != 0,
						pad: (si + tr) % 3 * 5, alpha: v.alpha, beta: v.beta,
						useBias: v.useBias, bias: v.bias, act: v.act}
					restore := withThreads(th)
					tc.check(t, r)
					restore()
				}
			}
		}
	})
}

// TestSgemmEpilogues runs every epilogue on one tile-unaligned shape that
// uses the blocked path, the multi-threaded split and several K blocks.
func TestSgemmEpilogues(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(2))
		for _, v := range epilogues {
			for tr := 0; tr < 4; tr++ {
				for th := 1; th <= 2; th++ {
					tc := gemmCase{m: 101, n: 75, k: 300, transA: tr&1 != 0, transB: tr&2 != 0, pad: 3,
						alpha: v.alpha, beta: v.beta, useBias: v.useBias, bias: v.bias, act: v.act}
					restore := withThreads(th)
					tc.check(t, r)
					restore()
				}
			}
		}
	})
}

func TestSgemmLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewSource(3))
		for _, th := range []int{1, 2} {
			restore := withThreads(th)
			gemmCase{m: 257, n: 257, k: 257, alpha: 1, beta: 0.5}.check(t, r)
			gemmCase{m: 300, n: 129, k: 513, transA: true, transB: true, alpha: 1, useBias: true, bias: true, act: ActReLU}.check(t, r)
			restore()
		}
	})
}

func TestSgemmZeroK(t *testing.T) {
	c := []float32{1, 2, float32(math.NaN()), 4}
	Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, c, 2)
	for i, v := range c {
		if v != 0 {
			t.Fatalf("k=0 beta=0: c[%d] = %g, want 0", i, v)
		}
	}
	c = []float32{1, 2, 3, -4}
	SgemmBias(false, false, 2, 2, 0, nil, 1, nil, 2, []float32{1, -10}, ActReLU, c, 2)
	if want := []float32{1, 0, 1, 0}; fmt.Sprint(c) != fmt.Sprint(want) {
		t.Fatalf("k=0 bias relu: got %v, want %v", c, want)
	}
}

func TestSgemmPanicsOnShortSlice(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic for a too-short C")
		}
	}()
	a := make([]float32, 64*64)
	Sgemm(false, false, 64, 64, 64, 1, a, 64, a, 64, 0, make([]float32, 64*63), 64)
}

// TestSgemmConcurrent calls Sgemm from several goroutines at once on the
// shared pool.
func TestSgemmConcurrent(t *testing.T) {
	defer withThreads(2)()
	var wg sync.WaitGroup
	for g := 0; g < 6; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(10 + g)))
			for i := 0; i < 3; i++ {
				gemmCase{m: 100 + g, n: 97, k: 130 + i, transB: g%2 == 0, alpha: 1, beta: 0}.check(t, r)
			}
		}()
	}
	wg.Wait()
}

func TestParallel(t *testing.T) {
	for _, th := range []int{1, 2, 3} {
		restore := withThreads(th)
		for _, n := range []int{0, 1, 2, 5, 1000} {
			seen := make([]int32, n)
			var mu sync.Mutex
			Parallel(n, func(lo, hi int) {
				mu.Lock()
				defer mu.Unlock()
				for i := lo; i < hi; i++ {
					seen[i]++
				}
			})
			for i, s := range seen {
				if s != 1 {
					t.Fatalf("threads=%d n=%d: index %d visited %d times", th, n, i, s)
				}
			}
		}
		restore()
	}
}

// TestParallelNested checks that a Sgemm inside Parallel (pool workers
// calling back into the pool) completes.
func TestParallelNested(t *testing.T) {
	defer withThreads(2)()
	r := rand.New(rand.NewSource(5))
	Parallel(4, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			gemmCase{m: 120, n: 120, k: 120, alpha: 1}.check(t, rand.New(rand.NewSource(int64(i))))
		}
	})
	_ = r
}

func TestSgemmNoAllocs(t *testing.T) {
	const n = 256
	r := rand.New(rand.NewSource(4))
	a, b, c := randSlice(r, n*n), randSlice(r, n*n), make([]float32, n*n)
	bias := randSlice(r, n)
	for _, th := range []int{1, 2} {
		restore := withThreads(th)
		gemm := func() { Sgemm(false, true, n, n, n, 1, a, n, b, n, 0.5, c, n) }
		gemmBias := func() { SgemmBias(true, false, n, n, n, a, n, b, n, bias, ActReLU, c, n) }
		for name, f := range map[string]func(){"Sgemm": gemm, "SgemmBias": gemmBias} {
			f()
			if got := testing.AllocsPerRun(allocRuns, f); got != 0 {
				t.Errorf("%s threads=%d: %v allocs per call, want 0", name, th, got)
			}
		}
		restore()
	}
}

func TestPathString(t *testing.T) {
	for p, want := range map[Path]string{PathAuto: "auto", PathGeneric: "generic", PathAVX2: "avx2", PathAVX512: "avx512", Path(9): "Path(9)"} {
		if got := p.String(); got != want {
			t.Errorf("Path(%d).String() = %q, want %q", int(p), got, want)
		}
	}
	if ActivePath() == PathAuto {
		t.Error("ActivePath() = auto, want a concrete path")
	}
	restore := ForcePath(PathGeneric)
	if got := ActivePath(); got != PathGeneric {
		t.Errorf("after ForcePath(generic): ActivePath() = %v", got)
	}
	restore()
}
