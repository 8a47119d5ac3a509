package nn

import (
	"fmt"
	"math"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
	"github.com/kaiwu-ai/kaiwu/engine/tensor/gradcheck"
)

func TestMultiheadAttentionGradcheck(t *testing.T) {
	for _, bf := range []bool{false, true} {
		t.Run(fmt.Sprintf("batch_first=%v", bf), func(t *testing.T) {
			rng := tensor.NewRNG(3)
			m, err := NewMultiheadAttention(rng, 4, 2, true, bf)
			if err != nil {
				t.Fatal(err)
			}
			if err := castModule(m, tensor.Float64); err != nil {
				t.Fatal(err)
			}
			pad := []bool{false, false, true, false, false, false}
			mem := gradcheck.Rand(rng, 3, 2, 4)
			fwd := func(x *tensor.Tensor) (*tensor.Tensor, error) {
				self, err := m.Attend(x, x, x, AttentionMasks{Causal: true})
				if err != nil {
					return nil, err
				}
				cross, err := m.Attend(x, mem, mem, AttentionMasks{KeyPadding: pad})
				if err != nil {
					return nil, err
				}
				return tensor.Add(self, cross)
			}
			gradcheck.CheckModule(t, fwd, gradcheck.Rand(rng, 3, 2, 4), refTensors(m)...)
		})
	}
}

func TestTransformerLayersGradcheck(t *testing.T) {
	for _, nf := range []bool{false, true} {
		cfg := TransformerConfig{DModel: 4, NHead: 2, DimFeedforward: 6, BatchFirst: true, NormFirst: nf, Activation: ActivationGELU}
		t.Run(fmt.Sprintf("encoder/norm_first=%v", nf), func(t *testing.T) {
			rng := tensor.NewRNG(5)
			l, err := NewTransformerEncoderLayer(rng, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := castModule(l, tensor.Float64); err != nil {
				t.Fatal(err)
			}
			fwd := func(x *tensor.Tensor) (*tensor.Tensor, error) {
				return l.ForwardMasked(x, AttentionMasks{Causal: true})
			}
			gradcheck.CheckModule(t, fwd, gradcheck.Rand(rng, 2, 3, 4), refTensors(l)...)
		})
		t.Run(fmt.Sprintf("decoder/norm_first=%v", nf), func(t *testing.T) {
			rng := tensor.NewRNG(6)
			dcfg := cfg
			dcfg.Activation = ActivationReLU
			l, err := NewTransformerDecoderLayer(rng, dcfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := castModule(l, tensor.Float64); err != nil {
				t.Fatal(err)
			}
			mem := gradcheck.Rand(rng, 2, 2, 4)
			fwd := func(x *tensor.Tensor) (*tensor.Tensor, error) {
				return l.Decode(x, mem, AttentionMasks{Causal: true}, AttentionMasks{})
			}
			gradcheck.CheckModule(t, fwd, gradcheck.Rand(rng, 2, 3, 4), refTensors(l)...)
		})
	}
}

func TestPositionsGradcheck(t *testing.T) {
	rng := tensor.NewRNG(8)
	rope, err := NewRoPE(4, 6, 0)
	if err != nil {
		t.Fatal(err)
	}
	gradcheck.Check(t, func(in []*tensor.Tensor) (*tensor.Tensor, error) { return rope.Apply(in[0], 1) }, gradcheck.Rand(rng, 2, 3, 4))
	lp, err := NewLearnedPositions(rng, 5, 4, 0.02)
	if err != nil {
		t.Fatal(err)
	}
	if err := castModule(lp, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	gradcheck.CheckModule(t, lp.Forward, gradcheck.Rand(rng, 2, 3, 4), lp.Weight)
	pe, err := NewPositionalEncoding(5, 4)
	if err != nil {
		t.Fatal(err)
	}
	pe.Table = tensor.Must(pe.Table.To(tensor.Float64))
	gradcheck.Check(t, func(in []*tensor.Tensor) (*tensor.Tensor, error) { return pe.Forward(in[0]) }, gradcheck.Rand(rng, 2, 3, 4))
}

func TestSinusoidalPositions(t *testing.T) {
	pe := tensor.Must(SinusoidalPositions(3, 4))
	// PE[1, 0] = sin(1), PE[1, 1] = cos(1), PE[1, 2] = sin(1/100)
	for _, c := range []struct {
		p, i int
		want float64
	}{{0, 1, 1}, {1, 0, 0.8414709848}, {1, 1, 0.5403023059}, {1, 2, 0.0099998333}} {
		if got := pe.At(c.p, c.i); got-c.want > 1e-6 || c.want-got > 1e-6 {
			t.Errorf("PE[%d,%d] = %g, want %g", c.p, c.i, got, c.want)
		}
	}
}

func TestGPTGradcheck(t *testing.T) {
	rng := tensor.NewRNG(9)
	for _, tied := range []bool{false, true} {
		g, err := NewGPT(rng, GPTConfig{Vocab: 5, Context: 4, DModel: 4, Heads: 2, Layers: 1, FFN: 6, TiedHead: tied})
		if err != nil {
			t.Fatal(err)
		}
		if err := castModule(g, tensor.Float64); err != nil {
			t.Fatal(err)
		}
		if tied {
			g.Head = g.TokEmb
		}
		ids := []int{1, 4, 0, 2, 3, 3}
		gradcheck.CheckParams(t, func() (*tensor.Tensor, error) { return g.Logits(ids, 2, 3) }, refTensors(g)...)
	}
}

func TestGPTErrors(t *testing.T) {
	g, err := NewGPT(tensor.NewRNG(1), GPTConfig{Vocab: 5, Context: 4, DModel: 4, Heads: 2, Layers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Logits([]int{1, 2, 9}, 1, 3); err == nil {
		t.Error("token out of range: no error")
	}
	if _, err := g.Logits(make([]int, 5), 1, 5); err == nil {
		t.Error("sequence longer than the context: no error")
	}
	if _, err := NewGPT(tensor.NewRNG(1), GPTConfig{Vocab: 5, Context: 4, DModel: 6, Heads: 4, Layers: 1}); err == nil {
		t.Error("d_model not a multiple of heads: no error")
	}
}

// gptStep is one training step of a GPT: forward, cross-entropy, backward, Adam.
type gptStep struct {
	g         *GPT
	ids, tgts []int
	b, t      int
	opt       *optim.Adam
}

func newGPTStep(tb testing.TB, cfg GPTConfig, batch int) *gptStep {
	rng := tensor.NewRNG(1)
	g, err := NewGPT(rng, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	opt, err := optim.NewAdam(refTensors(g), 3e-4)
	if err != nil {
		tb.Fatal(err)
	}
	s := &gptStep{g: g, b: batch, t: cfg.Context, opt: opt}
	for i := 0; i < batch*cfg.Context; i++ {
		s.ids = append(s.ids, rng.Intn(cfg.Vocab))
		s.tgts = append(s.tgts, rng.Intn(cfg.Vocab))
	}
	return s
}

func (s *gptStep) run() error {
	s.opt.ZeroGrad()
	loss, err := s.g.Loss(s.ids, s.tgts, s.b, s.t)
	if err != nil {
		return err
	}
	if err := loss.Backward(); err != nil {
		return err
	}
	return s.opt.Step()
}

// TestGPTStepAllocs checks that a GPT-mini training step allocates nothing
// in steady state under an Arena.
func TestGPTStepAllocs(t *testing.T) {
	s := newGPTStep(t, GPTConfig{Vocab: 50, Context: 16, DModel: 32, Heads: 4, Layers: 2}, 2)
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
		t.Errorf("GPT step allocates %v times per step", n)
	}
}

// BenchmarkGPTMiniStep is one training step of the GPT-mini of
// bench/pytorch/gpt.py: 4 layers, d_model 256, 4 heads, context 128,
// batch 16, vocabulary 5000, untied head.
func BenchmarkGPTMiniStep(b *testing.B) { benchGPT(b) }

// BenchmarkGPTStep is BenchmarkGPTMiniStep under the name the speed
// issue's table uses (bench/pytorch/gpt.py).
func BenchmarkGPTStep(b *testing.B) { benchGPT(b) }

func benchGPT(b *testing.B) {
	s := newGPTStep(b, GPTConfig{Vocab: 5000, Context: 128, DModel: 256, Heads: 4, Layers: 4}, 16)
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

func ExampleNewGPT() {
	g, _ := NewGPT(tensor.NewRNG(1), GPTConfig{Vocab: 100, Context: 16, DModel: 32, Heads: 4, Layers: 2})
	logits, _ := g.Logits([]int{1, 2, 3, 4, 5, 6}, 2, 3)
	fmt.Println(logits.Shape(), len(g.Parameters()), g.Parameters()[2].Name)
	// Output: [2 3 100] 29 blocks.0.self_attn.in_proj_weight
}

func ExampleMultiheadAttention_Attend() {
	rng := tensor.NewRNG(1)
	mha, _ := NewMultiheadAttention(rng, 8, 2, true, true)
	x, _ := tensor.Randn(rng, 2, 5, 8) // [batch, length, embed]
	y, _ := mha.Attend(x, x, x, AttentionMasks{Causal: true})
	fmt.Println(y.Shape())
	// Output: [2 5 8]
}

var _ Module = (*GPT)(nil)

// TestGPTForward checks that Forward on float token ids is Logits.
func TestGPTForward(t *testing.T) {
	g, err := NewGPT(tensor.NewRNG(2), GPTConfig{Vocab: 7, Context: 4, DModel: 8, Heads: 2, Layers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ids := []int{1, 6, 0, 2, 3, 5}
	want := tensor.Must(g.Logits(ids, 2, 3)).Data()
	x := tensor.Must(tensor.FromSlice([]float32{1, 6, 0, 2, 3, 5}, 2, 3))
	out, err := g.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if s := out.Shape(); len(s) != 3 || s[0] != 2 || s[1] != 3 || s[2] != 7 {
		t.Fatalf("shape %v, want [2 3 7]", s)
	}
	for i, v := range out.Data() {
		if v != want[i] {
			t.Fatalf("logit %d: Forward %g, Logits %g", i, v, want[i])
		}
	}
	one, err := g.Forward(tensor.Must(tensor.FromSlice([]float32{1, 6, 0}, 3)))
	if err != nil {
		t.Fatal(err)
	}
	if s := one.Shape(); len(s) != 2 || s[0] != 3 || s[1] != 7 || one.Data()[20] != want[20] {
		t.Fatalf("one sequence: shape %v", s)
	}
	if _, err := g.Forward(tensor.Must(tensor.FromSlice([]float32{1.5, 2}, 1, 2))); err == nil {
		t.Error("fractional token id: no error")
	}
	if _, err := g.Forward(tensor.Must(tensor.FromSlice([]float32{9}, 1, 1))); err == nil {
		t.Error("token id out of range: no error")
	}
}

// TestAttentionDropoutModes checks the attention-weight dropout of
// MultiheadAttention and the transformer layers: evaluation mode is
// exactly the no-dropout path, training mode drops weights (the outputs
// differ), and a layer in evaluation mode ignores its dropout.
func TestAttentionDropoutModes(t *testing.T) {
	rng := tensor.NewRNG(4)
	m, err := NewMultiheadAttention(rng, 8, 2, true, true)
	if err != nil {
		t.Fatal(err)
	}
	x := tensor.Must(tensor.Randn(rng, 2, 5, 8))
	masks := AttentionMasks{Causal: true}
	ref := tensor.Must(m.Attend(x, x, x, masks)).Data()
	m.Dropout, m.RNG = 0.5, tensor.NewRNG(1)
	m.SetTraining(false)
	for i, v := range tensor.Must(m.Attend(x, x, x, masks)).Data() {
		if v != ref[i] {
			t.Fatalf("eval mode: output %d is %g, without dropout %g", i, v, ref[i])
		}
	}
	m.SetTraining(true)
	differ := false
	for i, v := range tensor.Must(m.Attend(x, x, x, masks)).Data() {
		differ = differ || v != ref[i]
	}
	if !differ {
		t.Error("training mode with dropout 0.5: output unchanged")
	}
	m.RNG = nil
	if _, err := m.Attend(x, x, x, masks); err == nil {
		t.Error("dropout without RNG: no error")
	}

	cfg := TransformerConfig{DModel: 8, NHead: 2, DimFeedforward: 12, BatchFirst: true, NormFirst: true, Dropout: 0.3}
	l, err := NewTransformerEncoderLayer(tensor.NewRNG(5), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if l.SelfAttn.Dropout != 0.3 || l.SelfAttn.RNG != l.RNG {
		t.Fatalf("layer's attention dropout %g (RNG shared %v), want 0.3", l.SelfAttn.Dropout, l.SelfAttn.RNG == l.RNG)
	}
	cfg.Dropout = 0
	l0, err := NewTransformerEncoderLayer(tensor.NewRNG(5), cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := tensor.Must(l0.ForwardMasked(x, masks)).Data()
	for i, v := range tensor.Must(l.ForwardMasked(x, masks)).Data() {
		if v != want[i] {
			t.Fatalf("layer in eval mode: output %d is %g, without dropout %g", i, v, want[i])
		}
	}
}

// TestMultiheadAttentionDropoutGradcheck checks MultiheadAttention's gradients with
// attention dropout in training mode, the mask fixed by re-seeding.
func TestMultiheadAttentionDropoutGradcheck(t *testing.T) {
	rng := tensor.NewRNG(6)
	m, err := NewMultiheadAttention(rng, 4, 2, true, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := castModule(m, tensor.Float64); err != nil {
		t.Fatal(err)
	}
	m.Dropout = 0.3
	fwd := func(x *tensor.Tensor) (*tensor.Tensor, error) {
		m.RNG = tensor.NewRNG(9)
		return m.Attend(x, x, x, AttentionMasks{Causal: true})
	}
	gradcheck.CheckModule(t, fwd, gradcheck.Rand(rng, 3, 2, 4), refTensors(m)...)
}

// TestGPTStepThreadsBitIdentical checks that GPT training steps (attention
// over heads, LayerNorm over row chunks, Adam over parameter chunks on the
// worker pool) give the same bits with 1 and 2 threads.
func TestGPTStepThreadsBitIdentical(t *testing.T) {
	prev := kernels.Threads()
	defer kernels.SetThreads(prev)
	run := func(threads int) [][]float32 {
		kernels.SetThreads(threads)
		s := newGPTStep(t, GPTConfig{Vocab: 100, Context: 64, DModel: 64, Heads: 4, Layers: 1}, 16)
		for range 2 {
			if err := s.run(); err != nil {
				t.Fatal(err)
			}
		}
		var out [][]float32
		for _, p := range s.g.Parameters() {
			out = append(out, p.Tensor.Data())
		}
		return out
	}
	a, b := run(1), run(2)
	for i := range a {
		for j := range a[i] {
			if math.Float32bits(a[i][j]) != math.Float32bits(b[i][j]) {
				t.Fatalf("parameter %d [%d]: 1 thread %g, 2 threads %g", i, j, a[i][j], b[i][j])
			}
		}
	}
}
