package tensor_test

import (
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// The backward rules of views and of Add/Sub hand a parent its first
// gradient by copying or by taking over the child's buffer instead of
// zero-fill and add. These cases share inputs between branches so that
// both the first (fresh) and later (accumulating) contributions occur.
func TestFreshGradientPaths(t *testing.T) {
	runGradCases(t, []opCase{
		{"reshape-twice-then-add", [][]int{{2, 3}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			a := tensor.Must(in[0].MulScalar(2))
			b := tensor.Must(a.Reshape(3, 2))
			c := tensor.Must(tensor.Add(b, b)) // a parent twice
			d := tensor.Must(tensor.Sub(a, a))
			e := tensor.Must(tensor.Mul(tensor.Must(c.Reshape(2, 3)), a))
			return tensor.Add(e, d)
		}},
		{"permute-and-narrow", [][]int{{2, 3, 4}}, func(in []*tensor.Tensor) (*tensor.Tensor, error) {
			a := tensor.Must(in[0].Exp())
			p := tensor.Must(a.Permute(2, 0, 1)) // covers a: copied
			n := tensor.Must(a.Narrow(2, 1, 2))  // a slice: accumulated
			q := tensor.Must(p.Permute(1, 2, 0)) // back to a's order
			s := tensor.Must(tensor.Sub(q, a))   // zero, but not its gradient
			u := tensor.Must(tensor.Mul(s, s))   // …except through Mul
			w := tensor.Must(tensor.Add(u, q))   // q reused
			return tensor.Add(tensor.Must(w.Narrow(2, 1, 2)), n)
		}},
	})
}

// TestRetainedGradNotShared checks that a tensor keeping its gradient
// (RetainGrad) neither lends its buffer to its parent nor takes its
// child's.
func TestRetainedGradNotShared(t *testing.T) {
	x := tensor.Must(tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)).SetRequiresGrad(true)
	a := tensor.Must(x.MulScalar(2))
	a.RetainGrad()
	b := tensor.Must(a.Reshape(3, 2))
	b.RetainGrad()
	c := tensor.Must(tensor.Add(b, b))
	s1 := tensor.Must(c.SumAll())
	s2 := tensor.Must(tensor.Must(tensor.Mul(a, a)).SumAll())
	if err := tensor.Must(tensor.Add(s1, s2)).Backward(); err != nil {
		t.Fatal(err)
	}
	// db = 2; da = 2 + 2a; dx = 2·da
	for i, v := range b.Grad().Data() {
		if v != 2 {
			t.Fatalf("b.grad[%d] = %g, want 2", i, v)
		}
	}
	xs := x.Data()
	for i, v := range a.Grad().Data() {
		if want := 2 + 4*xs[i]; math.Abs(float64(v-want)) > 1e-6 {
			t.Fatalf("a.grad[%d] = %g, want %g", i, v, want)
		}
	}
	for i, v := range x.Grad().Data() {
		if want := 2 * (2 + 4*xs[i]); math.Abs(float64(v-want)) > 1e-6 {
			t.Fatalf("x.grad[%d] = %g, want %g", i, v, want)
		}
	}
}

// TestBinaryParallelMatchesSerial checks the pool-split Add, Sub and Mul
// of large same-shape operands against the single-thread loop.
func TestBinaryParallelMatchesSerial(t *testing.T) {
	prev := kernels.Threads()
	defer kernels.SetThreads(prev)
	rng := tensor.NewRNG(3)
	a := tensor.Must(tensor.Randn(rng, 300, 257))
	b := tensor.Must(tensor.Randn(rng, 300, 257))
	for _, op := range []func(a, b *tensor.Tensor) (*tensor.Tensor, error){tensor.Add, tensor.Sub, tensor.Mul} {
		kernels.SetThreads(1)
		want := tensor.Must(op(a, b)).Data()
		kernels.SetThreads(2)
		got := tensor.Must(op(a, b)).Data()
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("element %d: 2 threads %g, 1 thread %g", i, got[i], want[i])
			}
		}
	}
}
