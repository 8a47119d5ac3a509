package nn_test

import (
	"fmt"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/tensor/gradcheck"
)

// checkLayer runs m in float64 and gradient-checks its input and parameters.
func checkLayer(t *testing.T, m nn.Module, xShape ...int) {
	t.Helper()
	if err := nn.Cast(m, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	x := gradcheck.Rand(tensor.NewRNG(11), xShape...)
	gradcheck.CheckModule(t, m.Forward, x, nn.Tensors(m)...)
}

func TestLayerGradCheck(t *testing.T) {
	rng := tensor.NewRNG(2)
	must := func(m nn.Module, err error) nn.Module {
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	bn := func(c int) nn.Module { return must(nn.NewBatchNorm2d(c, true)) }
	cases := []struct {
		name  string
		m     nn.Module
		shape []int
	}{
		{"Conv2d", must(nn.NewConv2d(rng, 2, 4, [2]int{3, 3}, tensor.ConvParams{Padding: [2]int{1, 1}, Groups: 2}, true)), []int{2, 2, 4, 4}},
		{"Conv1d", must(nn.NewConv1d(rng, 3, 2, 3, tensor.ConvParams{Stride: [2]int{2}}, true)), []int{2, 3, 7}},
		{"MaxPool2d", &nn.MaxPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{2, 2}}}, []int{1, 2, 4, 4}},
		{"MaxPool1d", &nn.MaxPool1d{PoolParams: tensor.PoolParams{Kernel: [2]int{2}}}, []int{1, 2, 6}},
		{"AvgPool2d", &nn.AvgPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{2, 2}, Stride: [2]int{1, 1}}}, []int{1, 2, 3, 3}},
		{"AdaptiveAvgPool2d", &nn.AdaptiveAvgPool2d{H: 2, W: 2}, []int{1, 2, 5, 3}},
		{"BatchNorm2d/train", bn(2), []int{3, 2, 2, 2}},
		{"BatchNorm1d/train", must(nn.NewBatchNorm1d(3, true)), []int{4, 3}},
		{"LayerNorm", must(nn.NewLayerNorm(true, 4)), []int{3, 4}},
		{"RMSNorm", must(nn.NewRMSNorm(true, 4)), []int{3, 4}},
		{"Sigmoid", nn.Sigmoid{}, []int{2, 3}},
		{"Tanh", nn.Tanh{}, []int{2, 3}},
		{"LeakyReLU", nn.LeakyReLU{Slope: 0.2}, []int{2, 3}},
		{"GELU", nn.GELU{}, []int{2, 3}},
		{"SiLU", nn.SiLU{}, []int{2, 3}},
		{"Softmax", nn.Softmax{Dim: 1}, []int{2, 3}},
		{"Flatten", nn.NewFlatten(), []int{2, 2, 3}},
		{"Residual", &nn.Residual{Fn: &nn.Sequential{Layers: []nn.Module{must(nn.NewLayerNorm(true, 3)), nn.Tanh{}}}}, []int{2, 3}},
		{"Sequential/CNN", &nn.Sequential{Layers: []nn.Module{
			must(nn.NewConv2d(rng, 1, 2, [2]int{2, 2}, tensor.ConvParams{}, true)), bn(2), nn.ReLU{},
			&nn.MaxPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{2, 2}}}, nn.NewFlatten(),
			must(nn.NewLinear(rng, 2, 3, true))}}, []int{2, 1, 3, 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkLayer(t, c.m, c.shape...) })
	}
	// BatchNorm in eval mode (running statistics), and Embedding (integer input)
	t.Run("BatchNorm2d/eval", func(t *testing.T) {
		m := bn(2).(*nn.BatchNorm)
		nn.Eval(m)
		copy(m.RunningMean.Data(), []float32{0.3, -0.2})
		copy(m.RunningVar.Data(), []float32{0.7, 1.4})
		checkLayer(t, m, 2, 2, 2, 2)
	})
	t.Run("Embedding", func(t *testing.T) {
		e := must(nn.NewEmbedding(rng, 5, 3, -1)).(*nn.Embedding)
		if err := nn.Cast(e, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		idx := tensor.Must(tensor.FromSlice([]float32{4, 0, 4, 2}, 2, 2))
		gradcheck.CheckParams(t, func() (*tensor.Tensor, error) { return e.Forward(idx) }, e.Weight)
	})
}

// smallCNN is Conv2d→ReLU→MaxPool→Conv2d→ReLU→AdaptiveAvgPool→Flatten→Linear.
func smallCNN(rng *tensor.RNG) *nn.Sequential {
	c1, _ := nn.NewConv2d(rng, 1, 4, [2]int{3, 3}, tensor.ConvParams{Padding: [2]int{1, 1}}, true)
	c2, _ := nn.NewConv2d(rng, 4, 8, [2]int{3, 3}, tensor.ConvParams{}, true)
	fc, _ := nn.NewLinear(rng, 8, 10, true)
	return &nn.Sequential{Layers: []nn.Module{
		c1, nn.ReLU{}, &nn.MaxPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{2, 2}}},
		c2, nn.ReLU{}, &nn.AdaptiveAvgPool2d{H: 1, W: 1}, nn.NewFlatten(), fc,
	}}
}

// TestCNNStepAllocationFree: a CNN training step (forward, loss, backward)
// under an Arena allocates nothing once warmed up.
func TestCNNStepAllocationFree(t *testing.T) {
	rng := tensor.NewRNG(1)
	m := smallCNN(rng)
	params := nn.Tensors(m)
	x := tensor.Must(tensor.Randn(rng, 8, 1, 12, 12))
	targets := []int{1, 2, 3, 4, 5, 6, 7, 8}
	arena := tensor.NewArena()
	defer tensor.UseArena(arena)()
	step := func() {
		arena.Reset()
		for _, p := range params {
			p.ZeroGrad()
		}
		y, err := m.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		loss, err := tensor.CrossEntropy(y, targets)
		if err != nil {
			t.Fatal(err)
		}
		if err := loss.Backward(); err != nil {
			t.Fatal(err)
		}
	}
	step()
	step()
	if n := testing.AllocsPerRun(allocRunsExt, step); n != 0 {
		t.Errorf("CNN step allocates %v times per run, want 0", n)
	}
	for _, p := range params {
		if p.Grad() == nil {
			t.Fatalf("a parameter has no gradient")
		}
	}
}

// lenet is the LeNet-5-style CNN of bench/pytorch/cnn.py. With fused,
// the convolutions' ReLUs run inside the conv op (ConvParams.Act) instead
// of as separate layers.
func lenet(rng *tensor.RNG, fused bool) *nn.Sequential {
	c1, _ := nn.NewConv2d(rng, 1, 6, [2]int{5, 5}, tensor.ConvParams{Padding: [2]int{2, 2}}, true)
	c2, _ := nn.NewConv2d(rng, 6, 16, [2]int{5, 5}, tensor.ConvParams{}, true)
	f1, _ := nn.NewLinear(rng, 400, 120, true)
	f2, _ := nn.NewLinear(rng, 120, 84, true)
	f3, _ := nn.NewLinear(rng, 84, 10, true)
	pool := func() nn.Module { return &nn.MaxPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{2, 2}}} }
	if fused {
		c1.Act, c2.Act = kernels.ActReLU, kernels.ActReLU
		return &nn.Sequential{Layers: []nn.Module{
			c1, pool(), c2, pool(), nn.NewFlatten(), f1, nn.ReLU{}, f2, nn.ReLU{}, f3,
		}}
	}
	return &nn.Sequential{Layers: []nn.Module{
		c1, nn.ReLU{}, pool(), c2, nn.ReLU{}, pool(), nn.NewFlatten(),
		f1, nn.ReLU{}, f2, nn.ReLU{}, f3,
	}}
}

// BenchmarkLeNetStep is one training step (zero grads, forward,
// cross-entropy, backward) of a LeNet-style CNN on 28×28 inputs, batch
// 128; compare with bench/pytorch/cnn.py at the same thread count.
func BenchmarkLeNetStep(b *testing.B) {
	b.Run("separate-relu", func(b *testing.B) { benchLeNet(b, false) })
	b.Run("fused-relu", func(b *testing.B) { benchLeNet(b, true) })
}

// BenchmarkCNNStep is the LeNet step in PyTorch's layout (Conv2d, ReLU,
// MaxPool2d, … as separate layers; Sequential fuses each Conv2d+ReLU and
// Linear+ReLU pair): the "cnn" workload of bench/pytorch/cnn.py.
func BenchmarkCNNStep(b *testing.B) { benchLeNet(b, false) }

// BenchmarkFashionCNNStep is one training step (no optimizer update) of
// the Fashion-MNIST recipe's CNN (engine/recipes NewFashionCNN: Conv2d(1,
// 32, 3)+ReLU, MaxPool2, Conv2d(32, 64, 3)+ReLU, MaxPool2, Linear(1600,
// 128), ReLU, Linear(128, 10)) on 28×28 inputs, batch 64.
func BenchmarkFashionCNNStep(b *testing.B) {
	rng := tensor.NewRNG(1)
	relu := tensor.ConvParams{Act: kernels.ActReLU}
	c1, _ := nn.NewConv2d(rng, 1, 32, [2]int{3, 3}, relu, true)
	c2, _ := nn.NewConv2d(rng, 32, 64, [2]int{3, 3}, relu, true)
	l1, _ := nn.NewLinear(rng, 64*5*5, 128, true)
	l2, _ := nn.NewLinear(rng, 128, 10, true)
	pool := func() nn.Module { return &nn.MaxPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{2, 2}}} }
	m := &nn.Sequential{Layers: []nn.Module{c1, pool(), c2, pool(), nn.NewFlatten(), l1, nn.ReLU{}, l2}}
	benchStep(b, m, rng, 64)
}

func benchLeNet(b *testing.B, fused bool) {
	rng := tensor.NewRNG(1)
	benchStep(b, lenet(rng, fused), rng, 128)
}

// benchStep times zero_grad + forward + cross-entropy + backward of m on
// random 28×28 images (drawn from rng), batch n.
func benchStep(b *testing.B, m nn.Module, rng *tensor.RNG, n int) {
	params := nn.Tensors(m)
	x := tensor.Must(tensor.Randn(rng, n, 1, 28, 28))
	targets := make([]int, n)
	for i := range targets {
		targets[i] = i % 10
	}
	arena := tensor.NewArena()
	defer tensor.UseArena(arena)()
	b.ReportAllocs()
	for b.Loop() {
		arena.Reset()
		for _, p := range params {
			p.ZeroGrad()
		}
		y, err := m.Forward(x)
		if err != nil {
			b.Fatal(err)
		}
		loss, err := tensor.CrossEntropy(y, targets)
		if err != nil {
			b.Fatal(err)
		}
		if err := loss.Backward(); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleConv2d() {
	rng := tensor.NewRNG(1)
	conv, err := nn.NewConv2d(rng, 3, 8, [2]int{3, 3}, tensor.ConvParams{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}}, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := tensor.Must(tensor.Zeros(4, 3, 32, 32))
	y, _ := conv.Forward(x)
	fmt.Println(y.Shape())
	for _, p := range conv.Parameters() {
		fmt.Println(p.Name, p.Tensor.Shape())
	}
	_, err = conv.Forward(tensor.Must(tensor.Zeros(4, 2, 32, 32)))
	fmt.Println(err)
	// Output:
	// [4 8 16 16]
	// weight [8 3 3 3]
	// bias [8]
	// tensor: conv2d: shapes [4 2 32 32] and [8 3 3 3]: input has 2 channels, weight expects 3 (3 per group × 1 groups)
}

// allocRunsExt is allocRuns (allocruns_test.go) for this external test
// package.
const allocRunsExt = 100

// BenchmarkCNNStepPaths is BenchmarkCNNStep with each available assembly
// path forced (kernels.ForcePath selects the GEMM and the direct-
// convolution kernels), e.g. the AVX2 kernels on an AVX-512 machine.
func BenchmarkCNNStepPaths(b *testing.B) {
	for _, p := range []kernels.Path{kernels.PathAVX2, kernels.PathAVX512} {
		if !p.Available() {
			continue
		}
		b.Run(p.String(), func(b *testing.B) {
			defer kernels.ForcePath(p)()
			benchLeNet(b, false)
		})
	}
}
