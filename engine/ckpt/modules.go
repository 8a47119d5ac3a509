package ckpt

import (
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// RNNLayer adapts an *nn.RNN (RNN, LSTM or GRU) to a layer of a
// sequential model: Forward returns the whole output sequence, or with
// Last only the final hidden state of the top layer, [B, H] (both
// directions concatenated, [B, 2·H], when bidirectional), which is what a
// classification head reads. The state_dict names are the RNN's own
// (weight_ih_l0, …), as PyTorch names them.
type RNNLayer struct {
	*nn.RNN
	Last bool
}

// Forward implements nn.Module.
func (r *RNNLayer) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	out, hn, _, err := r.RNN.ForwardState(x, nil, nil)
	if err != nil || !r.Last {
		return out, err
	}
	dirs := 1
	if r.Config.Bidirectional {
		dirs = 2
	}
	h, err := hn.Narrow(0, hn.Size(0)-dirs, dirs) // [dirs, B, H]
	if err != nil {
		return nil, err
	}
	if dirs == 1 {
		return h.Squeeze(0)
	}
	if h, err = h.Permute(1, 0, 2); err != nil { // [B, dirs, H]
		return nil, err
	}
	if h, err = h.Contiguous(); err != nil {
		return nil, err
	}
	return h.Reshape(h.Size(0), dirs*h.Size(2))
}

// SetTraining switches the dropout between layers on or off.
func (r *RNNLayer) SetTraining(on bool) { r.Training = on }

// setMode puts m in training or evaluation mode (see nn.SetTraining).
func setMode(m nn.Module, on bool) { nn.SetTraining(m, on) }
