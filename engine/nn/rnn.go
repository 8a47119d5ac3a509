package nn

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// RNNMode selects the recurrent cell of an RNN.
type RNNMode int

const (
	// RNNTanh is the Elman cell h' = tanh(W_ih x + b_ih + W_hh h + b_hh).
	RNNTanh RNNMode = iota
	// RNNReLU is the Elman cell with ReLU instead of tanh.
	RNNReLU
	// LSTM is the long short-term memory cell (gates i, f, g, o).
	LSTM
	// GRU is the gated recurrent unit (gates r, z, n).
	GRU
)

func (m RNNMode) String() string {
	switch m {
	case RNNTanh:
		return "RNN_TANH"
	case RNNReLU:
		return "RNN_RELU"
	case LSTM:
		return "LSTM"
	case GRU:
		return "GRU"
	}
	return fmt.Sprintf("RNNMode(%d)", int(m))
}

// gates is the number of gate blocks stacked in the cell's weights.
func (m RNNMode) gates() int {
	switch m {
	case LSTM:
		return 4
	case GRU:
		return 3
	}
	return 1
}

// RNNConfig holds the options of torch.nn.RNN / LSTM / GRU. The zero
// values of NoBias, BatchFirst, Bidirectional and Dropout are PyTorch's
// defaults; NumLayers 0 means 1.
type RNNConfig struct {
	InputSize, HiddenSize int
	NumLayers             int
	NoBias                bool    // bias=False
	BatchFirst            bool    // input and output are [B, T, ·] instead of [T, B, ·]
	Bidirectional         bool    // a second, time-reversed direction per layer
	Dropout               float64 // dropout on the outputs of every layer but the last, in training
}

// RNNCell holds the weights of one layer and direction, in PyTorch's
// layout: WeightIH [G·H, in], WeightHH [G·H, H], BiasIH and BiasHH [G·H],
// with G gate blocks stacked in the order i,f,g,o (LSTM) or r,z,n (GRU).
type RNNCell struct {
	WeightIH, WeightHH, BiasIH, BiasHH *tensor.Tensor
}

// RNN is a multi-layer, optionally bidirectional recurrent network: an
// Elman RNN, an LSTM or a GRU with PyTorch's semantics and state_dict
// names (weight_ih_l0, weight_hh_l0_reverse, …).
//
// The input projection W_ih·x + b_ih of a layer is one GEMM over all time
// steps; each step then does one GEMM with W_hh and the cell's
// elementwise ops (one fused op, tensor.LSTMCell or tensor.GRUCell, for
// an LSTM or a GRU), all recorded for autograd. Under a tensor.Arena a
// forward and backward pass allocates nothing once warm.
type RNN struct {
	Mode   RNNMode
	Config RNNConfig
	// Cells[layer][direction]
	Cells [][]RNNCell
	// Training enables dropout between layers; RNG draws its masks.
	Training bool
	RNG      *tensor.RNG

	steps  []*tensor.Tensor // scratch: per-step outputs
	finals []*tensor.Tensor // scratch: final states
	cfin   []*tensor.Tensor
}

// NewRNN returns an Elman RNN (mode RNNTanh or RNNReLU), an LSTM or a GRU
// with PyTorch's initialisation: every weight and bias drawn from
// U(-1/√H, 1/√H).
func NewRNN(rng *tensor.RNG, mode RNNMode, cfg RNNConfig) (*RNN, error) {
	if mode < RNNTanh || mode > GRU {
		return nil, fmt.Errorf("nn: RNN: unknown mode %d", int(mode))
	}
	if cfg.NumLayers == 0 {
		cfg.NumLayers = 1
	}
	if cfg.InputSize < 1 || cfg.HiddenSize < 1 || cfg.NumLayers < 1 {
		return nil, fmt.Errorf("nn: %v(input %d, hidden %d, layers %d): sizes must be positive", mode, cfg.InputSize, cfg.HiddenSize, cfg.NumLayers)
	}
	if cfg.Dropout < 0 || cfg.Dropout >= 1 {
		return nil, fmt.Errorf("nn: %v: dropout %g must be in [0, 1)", mode, cfg.Dropout)
	}
	r := &RNN{Mode: mode, Config: cfg, RNG: rng}
	h, g := cfg.HiddenSize, mode.gates()
	bound := 1 / math.Sqrt(float64(h))
	u := func(shape ...int) (*tensor.Tensor, error) {
		t, err := tensor.Uniform(rng, -bound, bound, shape...)
		if err != nil {
			return nil, err
		}
		return t.SetRequiresGrad(true), nil
	}
	for l := 0; l < cfg.NumLayers; l++ {
		in := cfg.InputSize
		if l > 0 {
			in = h * r.dirs()
		}
		var layer []RNNCell
		for d := 0; d < r.dirs(); d++ {
			var c RNNCell
			var err error
			if c.WeightIH, err = u(g*h, in); err != nil {
				return nil, err
			}
			if c.WeightHH, err = u(g*h, h); err != nil {
				return nil, err
			}
			if !cfg.NoBias {
				if c.BiasIH, err = u(g * h); err != nil {
					return nil, err
				}
				if c.BiasHH, err = u(g * h); err != nil {
					return nil, err
				}
			}
			layer = append(layer, c)
		}
		r.Cells = append(r.Cells, layer)
	}
	return r, nil
}

// NewLSTM is NewRNN(rng, LSTM, cfg).
func NewLSTM(rng *tensor.RNG, cfg RNNConfig) (*RNN, error) { return NewRNN(rng, LSTM, cfg) }

// NewGRU is NewRNN(rng, GRU, cfg).
func NewGRU(rng *tensor.RNG, cfg RNNConfig) (*RNN, error) { return NewRNN(rng, GRU, cfg) }

func (r *RNN) dirs() int {
	if r.Config.Bidirectional {
		return 2
	}
	return 1
}

// Parameters implements Module with PyTorch's names, layer by layer, the
// reverse direction after the forward one.
func (r *RNN) Parameters() []Param { return paramsOf(r.paramRefs()) }

func (r *RNN) paramRefs() []paramRef {
	var ps []paramRef
	for l := range r.Cells {
		for d := range r.Cells[l] {
			c := &r.Cells[l][d]
			sfx := fmt.Sprintf("_l%d", l)
			if d == 1 {
				sfx += "_reverse"
			}
			ps = append(ps, paramRef{"weight_ih" + sfx, &c.WeightIH}, paramRef{"weight_hh" + sfx, &c.WeightHH})
			if c.BiasIH != nil {
				ps = append(ps, paramRef{"bias_ih" + sfx, &c.BiasIH}, paramRef{"bias_hh" + sfx, &c.BiasHH})
			}
		}
	}
	return ps
}

// Forward implements Module: it returns the output sequence (zero initial
// states), [T, B, D·H] or [B, T, D·H] with BatchFirst.
func (r *RNN) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	out, _, _, err := r.ForwardState(x, nil, nil)
	return out, err
}

// ForwardState runs the network from initial states h0 (and c0 for an
// LSTM), each [layers·dirs, B, H] or nil for zeros. It returns the output
// sequence, the final hidden states h_n [layers·dirs, B, H] and, for an
// LSTM, the final cell states c_n (nil otherwise), like PyTorch.
func (r *RNN) ForwardState(x, h0, c0 *tensor.Tensor) (out, hn, cn *tensor.Tensor, err error) {
	cfg := r.Config
	if x == nil {
		return nil, nil, nil, fmt.Errorf("nn: %v: nil input", r.Mode)
	}
	if x.Dim() != 3 || x.Size(2) != cfg.InputSize {
		return nil, nil, nil, fmt.Errorf("nn: %v: input shape %v, want [T, B, %d] (or [B, T, %d] batch-first)", r.Mode, x.Shape(), cfg.InputSize, cfg.InputSize)
	}
	if cfg.BatchFirst {
		if x, err = x.Transpose(0, 1); err != nil {
			return nil, nil, nil, err
		}
	}
	if x, err = x.Contiguous(); err != nil {
		return nil, nil, nil, err
	}
	steps, b, h := x.Size(0), x.Size(1), cfg.HiddenSize
	nstate := len(r.Cells) * r.dirs()
	for i, s := range [2]*tensor.Tensor{h0, c0} {
		if s == nil {
			continue
		}
		if i == 1 && r.Mode != LSTM {
			return nil, nil, nil, fmt.Errorf("nn: %v: only an LSTM takes a cell state", r.Mode)
		}
		if sh := s.Shape(); len(sh) != 3 || sh[0] != nstate || sh[1] != b || sh[2] != h {
			return nil, nil, nil, fmt.Errorf("nn: %v: initial state shape %v, want [%d, %d, %d]", r.Mode, sh, nstate, b, h)
		}
	}
	if steps == 0 {
		return nil, nil, nil, fmt.Errorf("nn: %v: empty sequence", r.Mode)
	}
	if cap(r.finals) < nstate {
		r.finals = make([]*tensor.Tensor, nstate)
		r.cfin = make([]*tensor.Tensor, nstate)
	}
	finals, cfin := r.finals[:nstate], r.cfin[:nstate]
	var zero *tensor.Tensor
	if h0 == nil || (r.Mode == LSTM && c0 == nil) {
		if zero, err = tensor.Zeros(b, h); err != nil {
			return nil, nil, nil, err
		}
		if zero, err = zero.To(x.DType()); err != nil {
			return nil, nil, nil, err
		}
	}
	layerIn := x
	for l, layer := range r.Cells {
		var douts [2]*tensor.Tensor
		for d := range layer {
			k := l*r.dirs() + d
			hs, cs := zero, zero
			if h0 != nil {
				if hs, err = stateAt(h0, k, b, h); err != nil {
					return nil, nil, nil, err
				}
			}
			if c0 != nil {
				if cs, err = stateAt(c0, k, b, h); err != nil {
					return nil, nil, nil, err
				}
			}
			o, hl, cl, err := r.runDirection(&layer[d], layerIn, hs, cs, d == 1)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("nn: %v layer %d direction %d: %w", r.Mode, l, d, err)
			}
			douts[d] = o
			finals[k], cfin[k] = hl, cl
		}
		if len(layer) == 2 {
			if layerIn, err = tensor.Concat(douts[:], 2); err != nil {
				return nil, nil, nil, err
			}
		} else {
			layerIn = douts[0]
		}
		if l+1 < len(r.Cells) && r.Training && cfg.Dropout > 0 {
			if layerIn, err = dropoutOp(layerIn, cfg.Dropout, r.RNG); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	out = layerIn
	if cfg.BatchFirst {
		if out, err = out.Transpose(0, 1); err != nil {
			return nil, nil, nil, err
		}
	}
	if hn, err = tensor.Stack(finals, 0); err != nil {
		return nil, nil, nil, err
	}
	if r.Mode == LSTM {
		if cn, err = tensor.Stack(cfin, 0); err != nil {
			return nil, nil, nil, err
		}
	}
	return out, hn, cn, nil
}

// stateAt returns s[k] as a [b, h] view.
func stateAt(s *tensor.Tensor, k, b, h int) (*tensor.Tensor, error) {
	v, err := s.Narrow(0, k, 1)
	if err != nil {
		return nil, err
	}
	return v.Reshape(b, h)
}

// runDirection runs one layer in one direction over x [T, B, in] and
// returns the outputs [T, B, H] and the final states.
func (r *RNN) runDirection(c *RNNCell, x, h, cs *tensor.Tensor, reverse bool) (out, hl, cl *tensor.Tensor, err error) {
	steps, b := x.Size(0), x.Size(1)
	gh := r.Mode.gates() * r.Config.HiddenSize
	// input projection for all steps: one GEMM
	xp, err := tensor.Linear(x, c.WeightIH, c.BiasIH, kernels.ActNone)
	if err != nil {
		return nil, nil, nil, err
	}
	if cap(r.steps) < steps {
		r.steps = make([]*tensor.Tensor, steps)
	}
	outs := r.steps[:steps]
	for s := 0; s < steps; s++ {
		t := s
		if reverse {
			t = steps - 1 - s
		}
		xt, err := xp.Narrow(0, t, 1)
		if err != nil {
			return nil, nil, nil, err
		}
		if xt, err = xt.Reshape(b, gh); err != nil {
			return nil, nil, nil, err
		}
		if h, cs, err = r.cell(c, xt, h, cs); err != nil {
			return nil, nil, nil, err
		}
		outs[t] = h
	}
	if out, err = tensor.Stack(outs, 0); err != nil {
		return nil, nil, nil, err
	}
	clear(outs)
	return out, h, cs, nil
}

// cell advances one step: xt is the projected input [B, G·H].
func (r *RNN) cell(c *RNNCell, xt, h, cs *tensor.Tensor) (hn, cn *tensor.Tensor, err error) {
	hh := r.Config.HiddenSize
	rec, err := tensor.Linear(h, c.WeightHH, c.BiasHH, kernels.ActNone)
	if err != nil {
		return nil, nil, err
	}
	e := errs{}
	switch r.Mode {
	case RNNTanh, RNNReLU:
		a := e.do(tensor.Add(xt, rec))
		if r.Mode == RNNTanh {
			return e.do(tensor.Tanh(a)), nil, e.err
		}
		return e.do(tensor.ReLU(a)), nil, e.err
	case LSTM:
		// One fused op: gates, c' and h' for every batch row (hc is [2, B, H]).
		hc := e.do(tensor.LSTMCell(xt, rec, cs))
		if e.err != nil {
			return nil, nil, e.err
		}
		b := hc.Size(1)
		hn = e.do(e.do(hc.Narrow(0, 0, 1)).Reshape(b, hh))
		cn = e.do(e.do(hc.Narrow(0, 1, 1)).Reshape(b, hh))
		return hn, cn, e.err
	default:
		// One fused op: r, z, n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
		// and h' = (1 − z) ⊙ n + z ⊙ h for every batch row.
		return e.do(tensor.GRUCell(xt, rec, h)), nil, e.err
	}
}

// errs threads the first error through a chain of tensor ops: after an
// error every later op is skipped and returns nil.
type errs struct{ err error }

func (e *errs) do(t *tensor.Tensor, err error) *tensor.Tensor {
	if e.err != nil {
		return nil
	}
	if err != nil {
		e.err = err
		return nil
	}
	return t
}

func (e *errs) narrow(t *tensor.Tensor, start, n int) *tensor.Tensor {
	if e.err != nil || t == nil {
		return nil
	}
	return e.do(t.Narrow(t.Dim()-1, start, n))
}
