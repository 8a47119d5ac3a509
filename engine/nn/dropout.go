package nn

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Dropout zeroes each element with probability P in training mode and
// scales the rest by 1/(1−P) (torch.nn.Dropout); in evaluation mode it is
// the identity. The mask comes from RNG, so a seed reproduces a run.
type Dropout struct {
	P        float64
	RNG      *tensor.RNG
	Training bool
}

// NewDropout returns a Dropout layer in training mode drawing its masks
// from a generator seeded with seed.
func NewDropout(p float64, seed uint64) (*Dropout, error) {
	if !(p >= 0 && p <= 1) {
		return nil, fmt.Errorf("nn: Dropout(%v): probability must be in [0, 1]", p)
	}
	return &Dropout{P: p, RNG: tensor.NewRNG(seed), Training: true}, nil
}

// Forward implements Module.
func (d *Dropout) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if !d.Training || d.P == 0 {
		return x, nil
	}
	return tensor.Dropout(x, d.P, d.RNG)
}

// Parameters implements Module: none.
func (d *Dropout) Parameters() []Param { return nil }

// SetTraining implements Trainer.
func (d *Dropout) SetTraining(training bool) { d.Training = training }
