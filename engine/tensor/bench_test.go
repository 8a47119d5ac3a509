package tensor

import (
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// Benchmarks (not run by go test without -bench).

func BenchmarkMLPStep(b *testing.B) {
	rng := NewRNG(1)
	w1 := Must(Randn(rng, 256, 784)).SetRequiresGrad(true)
	b1 := Must(Zeros(256)).SetRequiresGrad(true)
	w2 := Must(Randn(rng, 10, 256)).SetRequiresGrad(true)
	b2 := Must(Zeros(10)).SetRequiresGrad(true)
	x := Must(Randn(rng, 64, 784))
	targets := make([]int, 64)
	a := NewArena()
	defer UseArena(a)()
	b.ReportAllocs()
	for b.Loop() {
		a.Reset()
		h := Must(Linear(x, w1, b1, kernels.ActReLU))
		l := Must(CrossEntropy(Must(Linear(h, w2, b2, kernels.ActNone)), targets))
		if err := l.Backward(); err != nil {
			b.Fatal(err)
		}
		for _, p := range []*Tensor{w1, b1, w2, b2} {
			p.ZeroGrad()
		}
	}
}

func benchBinary(b *testing.B, x, y *Tensor) {
	a := NewArena()
	defer UseArena(a)()
	b.SetBytes(int64(4 * x.Numel()))
	b.ReportAllocs()
	for b.Loop() {
		a.Reset()
		Must(Add(x, y))
	}
}

func BenchmarkAddContiguous(b *testing.B) {
	rng := NewRNG(2)
	benchBinary(b, Must(Randn(rng, 512, 512)), Must(Randn(rng, 512, 512)))
}

func BenchmarkAddBroadcastRow(b *testing.B) {
	rng := NewRNG(2)
	benchBinary(b, Must(Randn(rng, 512, 512)), Must(Randn(rng, 512)))
}

func BenchmarkAddTransposed(b *testing.B) {
	rng := NewRNG(2)
	benchBinary(b, Must(Must(Randn(rng, 512, 512)).T()), Must(Randn(rng, 512, 512)))
}

func BenchmarkReLU(b *testing.B) {
	x := Must(Randn(NewRNG(3), 512, 512))
	a := NewArena()
	defer UseArena(a)()
	b.SetBytes(int64(4 * x.Numel()))
	b.ReportAllocs()
	for b.Loop() {
		a.Reset()
		Must(x.ReLU())
	}
}
