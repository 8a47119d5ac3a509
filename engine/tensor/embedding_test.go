package tensor_test

import (
	"errors"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/tensor/gradcheck"
)

func TestEmbeddingGradCheck(t *testing.T) {
	idx := tensor.Must(tensor.FromSlice([]float32{1, 3, 0, 1, 1, 2}, 2, 3))
	// (the padding row's gradient is zero by definition, not by calculus:
	// it is checked below, not by finite differences)
	w0 := gradcheck.Rand(tensor.NewRNG(5), 4, 3)
	gradcheck.CheckParams(t, func() (*tensor.Tensor, error) { return tensor.Embedding(w0, idx, -1) }, w0)
	w := gradcheck.Rand(tensor.NewRNG(5), 4, 3)
	w.SetRequiresGrad(true)
	y := tensor.Must(tensor.Embedding(w, idx, 1))
	if got := y.Shape(); len(got) != 3 || got[2] != 3 {
		t.Fatalf("shape %v", got)
	}
	if err := tensor.Must(y.SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	g := w.Grad().Float64s()
	if g[3] != 0 || g[0] != 1 || g[9] != 1 { // row 1 is padding; row 0 used once; row 3 once
		t.Errorf("grad %v", g)
	}
}

func TestEmbeddingErrors(t *testing.T) {
	w := tensor.Must(tensor.Zeros(4, 3))
	if _, err := tensor.Embedding(w, tensor.Must(tensor.FromSlice([]float32{4}, 1)), -1); !errors.Is(err, tensor.ErrIndex) {
		t.Errorf("out of range: %v", err)
	}
	if _, err := tensor.Embedding(w, tensor.Must(tensor.FromSlice([]float32{0.5}, 1)), -1); !errors.Is(err, tensor.ErrIndex) {
		t.Errorf("fractional: %v", err)
	}
	var se *tensor.ShapeError
	if _, err := tensor.Embedding(tensor.Must(tensor.Zeros(4)), w, -1); !errors.As(err, &se) || se.Op != "embedding" {
		t.Errorf("1-d weight: %v", err)
	}
}
