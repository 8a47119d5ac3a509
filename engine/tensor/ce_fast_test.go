package tensor

import (
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// TestCrossEntropy32 checks the float32 fused cross-entropy (ce_fast.go)
// against the float64 path: the loss, a fresh gradient and an accumulated
// one, on shapes below and above the parallel grain and with class counts
// that are not multiples of the vector width; and that 1 and 2 threads give
// bit-identical results.
func TestCrossEntropy32(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	for _, sh := range [][2]int{{1, 1}, {3, 5}, {4, 17}, {7, 100}, {40, 1000}, {9, 5003}} {
		b, c := sh[0], sh[1]
		rng := NewRNG(uint64(b*c + 1))
		x64 := make([]float64, b*c)
		x32 := make([]float32, b*c)
		for i := range x64 {
			x32[i] = float32(rng.NormFloat64() * 3)
			x64[i] = float64(x32[i])
		}
		tg := make([]int, b)
		for i := range tg {
			tg[i] = rng.Intn(c)
		}
		ref := Must(FromFloat64s(x64, b, c)).SetRequiresGrad(true)
		lref := Must(CrossEntropy(ref, tg))
		if err := lref.Backward(); err != nil {
			t.Fatal(err)
		}
		var first []float32
		var firstLoss float32
		for _, threads := range []int{1, 2} {
			kernels.SetThreads(threads)
			x := Must(FromSlice(append([]float32(nil), x32...), b, c)).SetRequiresGrad(true)
			for pass := 1; pass <= 2; pass++ { // pass 2 accumulates
				l := Must(CrossEntropy(x, tg))
				if got, want := float64(l.f32[0]), lref.f64[0]; math.Abs(got-want) > 1e-5+1e-5*math.Abs(want) {
					t.Fatalf("%dx%d threads %d: loss %v, want %v", b, c, threads, got, want)
				}
				if err := l.Backward(); err != nil {
					t.Fatal(err)
				}
				g := x.Grad().f32
				for i, w := range ref.grad.f64 {
					w *= float64(pass)
					if math.Abs(float64(g[i])-w) > 1e-7+1e-5*math.Abs(w) {
						t.Fatalf("%dx%d threads %d pass %d: grad[%d] = %v, want %v", b, c, threads, pass, i, g[i], w)
					}
				}
				if pass == 1 {
					if threads == 1 {
						first, firstLoss = append([]float32(nil), g...), l.f32[0]
					} else {
						if l.f32[0] != firstLoss {
							t.Errorf("%dx%d: loss differs between 1 and 2 threads", b, c)
						}
						for i := range g {
							if g[i] != first[i] {
								t.Fatalf("%dx%d: grad[%d] differs between 1 and 2 threads", b, c, i)
							}
						}
					}
				}
			}
		}
	}
}

// TestFastPathsNoAllocs: the parallel float32 cross-entropy and bias
// gradient (shapes above their grains, two threads) allocate nothing in a
// warm step on an arena.
func TestFastPathsNoAllocs(t *testing.T) {
	defer kernels.SetThreads(kernels.Threads())
	kernels.SetThreads(2)
	rng := NewRNG(5)
	const m, k, n = 256, 32, 1000
	inp := Must(Randn(rng, m, k))
	w := Must(Randn(rng, n, k)).SetRequiresGrad(true)
	b := Must(Randn(rng, n)).SetRequiresGrad(true)
	tg := make([]int, m)
	for i := range tg {
		tg[i] = rng.Intn(n)
	}
	ar := NewArena()
	defer UseArena(ar)()
	step := func() {
		ar.Reset()
		w.ZeroGrad()
		b.ZeroGrad()
		l := Must(CrossEntropy(Must(Linear(inp, w, b, kernels.ActNone)), tg))
		if err := l.Backward(); err != nil {
			t.Fatal(err)
		}
	}
	step()
	step()
	if a := testing.AllocsPerRun(allocRuns, step); a != 0 {
		t.Errorf("step allocates %v times", a)
	}
}
