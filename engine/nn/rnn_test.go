package nn

import (
	"fmt"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/tensor/gradcheck"
)

func refTensors(m paramRefer) []*tensor.Tensor {
	var ps []*tensor.Tensor
	for _, r := range m.paramRefs() {
		if *r.p != nil {
			ps = append(ps, *r.p)
		}
	}
	return ps
}

// TestRNNGradcheck checks every cell (2 layers, bidirectional, batch-first,
// initial states) against central differences in float64.
func TestRNNGradcheck(t *testing.T) {
	for _, mode := range []RNNMode{RNNTanh, RNNReLU, LSTM, GRU} {
		t.Run(mode.String(), func(t *testing.T) {
			rng := tensor.NewRNG(7)
			r, err := NewRNN(rng, mode, RNNConfig{InputSize: 2, HiddenSize: 2, NumLayers: 2, Bidirectional: true, BatchFirst: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := castModule(r, tensor.Float64); err != nil {
				t.Fatal(err)
			}
			h0 := gradcheck.Rand(rng, 4, 2, 2)
			var c0 *tensor.Tensor
			if mode == LSTM {
				c0 = gradcheck.Rand(rng, 4, 2, 2)
			}
			fwd := func(x *tensor.Tensor) (*tensor.Tensor, error) {
				out, hn, cn, err := r.ForwardState(x, h0, c0)
				if err != nil {
					return nil, err
				}
				// fold h_n (and c_n) into the checked output
				s := tensor.Must(hn.SumAll())
				if cn != nil {
					s = tensor.Must(tensor.Add(s, tensor.Must(cn.SumAll())))
				}
				return tensor.Add(out, s)
			}
			gradcheck.CheckModule(t, fwd, gradcheck.Rand(rng, 2, 3, 2), refTensors(r)...)
		})
	}
}

func TestRNNErrors(t *testing.T) {
	rng := tensor.NewRNG(1)
	if _, err := NewLSTM(rng, RNNConfig{InputSize: 0, HiddenSize: 3}); err == nil {
		t.Error("zero input size: no error")
	}
	r, err := NewGRU(rng, RNNConfig{InputSize: 3, HiddenSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Forward(tensor.Must(tensor.Zeros(2, 2, 5))); err == nil {
		t.Error("wrong input size: no error")
	}
	if _, _, _, err := r.ForwardState(tensor.Must(tensor.Zeros(2, 2, 3)), nil, tensor.Must(tensor.Zeros(1, 2, 4))); err == nil {
		t.Error("GRU with a cell state: no error")
	}
	if _, _, _, err := r.ForwardState(tensor.Must(tensor.Zeros(2, 2, 3)), tensor.Must(tensor.Zeros(2, 2, 4)), nil); err == nil {
		t.Error("wrong h0 shape: no error")
	}
}

func TestRNNParameterNames(t *testing.T) {
	r, err := NewLSTM(tensor.NewRNG(1), RNNConfig{InputSize: 3, HiddenSize: 4, NumLayers: 2, Bidirectional: true})
	if err != nil {
		t.Fatal(err)
	}
	ps := r.Parameters()
	if len(ps) != 16 || ps[0].Name != "weight_ih_l0" || ps[4].Name != "weight_ih_l0_reverse" || ps[11].Name != "bias_hh_l1" {
		t.Fatalf("names %v", ps)
	}
	if s := ps[8].Tensor.Shape(); s[0] != 16 || s[1] != 8 {
		t.Fatalf("weight_ih_l1 shape %v, want [16 8]", s)
	}
}

// rnnStep is one training step of the benchmark LSTM or GRU: forward,
// MSE on the output sequence, backward, Adam.
type rnnStep struct {
	r   *RNN
	x   *tensor.Tensor
	y   *tensor.Tensor
	opt *optim.Adam
}

func newRNNStep(t testing.TB, mode RNNMode, in, hidden, layers, seq, batch int) *rnnStep {
	rng := tensor.NewRNG(1)
	r, err := NewRNN(rng, mode, RNNConfig{InputSize: in, HiddenSize: hidden, NumLayers: layers})
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewAdam(refTensors(r), 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	return &rnnStep{r: r, x: tensor.Must(tensor.Randn(rng, seq, batch, in)), y: tensor.Must(tensor.Randn(rng, seq, batch, hidden)), opt: opt}
}

func (s *rnnStep) run() error {
	s.opt.ZeroGrad()
	out, err := s.r.Forward(s.x)
	if err != nil {
		return err
	}
	loss, err := tensor.MSE(out, s.y)
	if err != nil {
		return err
	}
	if err := loss.Backward(); err != nil {
		return err
	}
	return s.opt.Step()
}

// TestRNNStepAllocs checks that an LSTM or GRU training step allocates
// nothing in steady state under an Arena.
func TestRNNStepAllocs(t *testing.T) {
	for _, mode := range []RNNMode{LSTM, GRU} {
		t.Run(mode.String(), func(t *testing.T) {
			s := newRNNStep(t, mode, 8, 16, 2, 5, 3)
			ar := tensor.NewArena()
			defer tensor.UseArena(ar)()
			step := func() {
				ar.Reset()
				if err := s.run(); err != nil {
					t.Fatal(err)
				}
			}
			step()
			step()
			if n := testing.AllocsPerRun(allocRuns, step); n != 0 {
				t.Errorf("%v step allocates %v times per step", mode, n)
			}
		})
	}
}

func benchRNNStep(b *testing.B, mode RNNMode) {
	s := newRNNStep(b, mode, 64, 256, 2, 64, 32)
	ar := tensor.NewArena()
	defer tensor.UseArena(ar)()
	b.ReportAllocs()
	for b.Loop() {
		ar.Reset()
		if err := s.run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLSTMStep is one training step (forward, MSE, backward, Adam) of
// an LSTM with 2 layers, hidden 256, sequence 64, batch 32, input 64 —
// the shape of bench/pytorch/lstm.py.
func BenchmarkLSTMStep(b *testing.B) { benchRNNStep(b, LSTM) }

// BenchmarkGRUStep is BenchmarkLSTMStep for a GRU of the same shape — the
// shape of bench/pytorch/gru.py.
func BenchmarkGRUStep(b *testing.B) { benchRNNStep(b, GRU) }

func ExampleNewLSTM() {
	rng := tensor.NewRNG(1)
	lstm, _ := NewLSTM(rng, RNNConfig{InputSize: 3, HiddenSize: 5, NumLayers: 2, Bidirectional: true, BatchFirst: true})
	x, _ := tensor.Randn(rng, 4, 7, 3) // [batch, time, features]
	out, hn, cn, _ := lstm.ForwardState(x, nil, nil)
	fmt.Println(out.Shape(), hn.Shape(), cn.Shape())
	fmt.Println(lstm.Parameters()[0].Name, lstm.Parameters()[0].Tensor.Shape())
	// Output:
	// [4 7 10] [4 4 5] [4 4 5]
	// weight_ih_l0 [20 3]
}
