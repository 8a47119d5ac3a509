package nn

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Embedding maps integer indices to rows of Weight [Num, Dim]
// (torch.nn.Embedding). Forward takes a tensor of indices (integer values
// stored as float) of any shape and returns [..., Dim]. PaddingIdx, when
// not negative, names a row that is zero at initialisation and gets no
// gradient.
type Embedding struct {
	Num, Dim   int
	PaddingIdx int
	Weight     *tensor.Tensor // [Num, Dim]
}

// NewEmbedding returns an Embedding initialised as PyTorch does: weights
// from N(0, 1), the padding row (paddingIdx ≥ 0; −1 for none) zeroed.
func NewEmbedding(rng *tensor.RNG, num, dim, paddingIdx int) (*Embedding, error) {
	if num < 1 || dim < 1 {
		return nil, fmt.Errorf("nn: Embedding(%d, %d): sizes must be positive", num, dim)
	}
	if paddingIdx >= num || paddingIdx < -1 {
		return nil, fmt.Errorf("nn: Embedding(%d, %d): padding index %d out of range", num, dim, paddingIdx)
	}
	w, err := tensor.Randn(rng, num, dim)
	if err != nil {
		return nil, err
	}
	if paddingIdx >= 0 {
		clear(w.Data()[paddingIdx*dim : (paddingIdx+1)*dim])
	}
	return &Embedding{Num: num, Dim: dim, PaddingIdx: paddingIdx, Weight: w.SetRequiresGrad(true)}, nil
}

// Forward implements Module.
func (e *Embedding) Forward(indices *tensor.Tensor) (*tensor.Tensor, error) {
	return tensor.Embedding(e.Weight, indices, e.PaddingIdx)
}

// Parameters implements Module.
func (e *Embedding) Parameters() []Param { return []Param{{"weight", e.Weight}} }

// Cast implements Caster.
func (e *Embedding) Cast(dt tensor.DType) error { return castAll(dt, &e.Weight) }
