package train

import (
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func spiralsRun(t testing.TB, epochs int) (nn.Module, *data.Classification, *data.Classification, History) {
	t.Helper()
	ds, err := data.TwoSpirals(300, 1.5, 0.02, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, te, err := ds.Split(0.2, 2)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.NewMLP(tensor.NewRNG(3), 2, 64, 64, 2)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewAdam(nn.Tensors(m), 0.01)
	if err != nil {
		t.Fatal(err)
	}
	h, err := FitClassifier(m, opt, tr, Config{Epochs: epochs, BatchSize: 64, Seed: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, tr, te, h
}

// TestLearnsTwoSpirals: an MLP must separate the spirals, which a linear
// model cannot (a linear classifier stays near 50%).
func TestLearnsTwoSpirals(t *testing.T) {
	m, tr, te, h := spiralsRun(t, 150)
	if h.Loss[len(h.Loss)-1] > h.Loss[0]/5 {
		t.Fatalf("loss went from %g to %g: not learning", h.Loss[0], h.Loss[len(h.Loss)-1])
	}
	for name, d := range map[string]*data.Classification{"train": tr, "test": te} {
		acc, err := Accuracy(m, d)
		if err != nil {
			t.Fatal(err)
		}
		if acc < 0.95 {
			t.Errorf("%s accuracy %.3f < 0.95", name, acc)
		}
	}
}

func TestStepDoesNotAllocate(t *testing.T) {
	m, err := nn.NewMLP(tensor.NewRNG(1), 32, 64, 64, 10)
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := optim.NewAdam(nn.Tensors(m), 1e-3)
	st := NewStepper(m, opt)
	x := tensor.Must(tensor.Randn(tensor.NewRNG(2), 16, 32))
	y := make([]int, 16)
	for i := range y {
		y[i] = i % 10
	}
	for i := 0; i < 3; i++ {
		if _, err := st.Step(x, y); err != nil {
			t.Fatal(err)
		}
	}
	if n := testing.AllocsPerRun(allocRuns, func() { _, _ = st.Step(x, y) }); n != 0 {
		t.Fatalf("a warm training step allocates %.1f times", n)
	}
}

func TestFitRejectsBadInput(t *testing.T) {
	m, _ := nn.NewMLP(tensor.NewRNG(1), 2, 4, 2)
	opt, _ := optim.NewSGD(nn.Tensors(m), 0.1, 0)
	d, _ := data.TwoSpirals(10, 1, 0, 1)
	if _, err := FitClassifier(m, opt, d, Config{Epochs: 0, BatchSize: 4}, nil); err == nil {
		t.Error("zero epochs accepted")
	}
	if _, err := FitClassifier(m, opt, &data.Classification{Features: 2, Classes: 2}, Config{Epochs: 1, BatchSize: 4}, nil); err == nil {
		t.Error("empty dataset accepted")
	}
	bad := &data.Classification{X: []float32{0, 0, 1, 1}, Y: []int{0, 5}, Features: 2, Classes: 2}
	if _, err := FitClassifier(m, opt, bad, Config{Epochs: 1, BatchSize: 2}, nil); err == nil {
		t.Error("label 5 for a 2-class model accepted")
	}
}

// BenchmarkMLPStep is the workload of `kaiwu bench mlp` and
// bench/pytorch/mlp.py: 784→512→512→10, batch 256, Adam. Run with
// -benchmem to see the allocations per step.
func BenchmarkMLPStep(b *testing.B) {
	m, _ := nn.NewMLP(tensor.NewRNG(1), 784, 512, 512, 10)
	opt, _ := optim.NewAdam(nn.Tensors(m), 1e-3)
	st := NewStepper(m, opt)
	rng := tensor.NewRNG(2)
	x := tensor.Must(tensor.Randn(rng, 256, 784))
	y := make([]int, 256)
	for i := range y {
		y[i] = rng.Intn(10)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Step(x, y); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDeterministicAcrossRunsAndThreads: the same seed gives bit-identical
// losses run after run with 2 threads, and the same losses as 1 thread —
// in this design each output element is computed by one worker in a fixed
// order, so the thread count must not change a single bit.
func TestDeterministicAcrossRunsAndThreads(t *testing.T) {
	run := func(threads int) []float64 {
		defer kernels.SetThreads(kernels.Threads())
		kernels.SetThreads(threads)
		m, _ := nn.NewMLP(tensor.NewRNG(7), 784, 256, 10)
		opt, _ := optim.NewAdam(nn.Tensors(m), 1e-3)
		st := NewStepper(m, opt)
		rng := tensor.NewRNG(8)
		x := tensor.Must(tensor.Randn(rng, 128, 784))
		y := make([]int, 128)
		for i := range y {
			y[i] = rng.Intn(10)
		}
		var losses []float64
		for i := 0; i < 15; i++ {
			l, err := st.Step(x, y)
			if err != nil {
				t.Fatal(err)
			}
			losses = append(losses, l)
		}
		return losses
	}
	a, b := run(2), run(2)
	one := run(1)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("step %d: two runs with 2 threads differ: %v vs %v", i, a[i], b[i])
		}
		if a[i] != one[i] {
			t.Fatalf("step %d: 2 threads %v vs 1 thread %v", i, a[i], one[i])
		}
	}
}
