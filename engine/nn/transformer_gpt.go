package nn

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// GPTConfig describes a decoder-only transformer language model.
type GPTConfig struct {
	Vocab   int // vocabulary size
	Context int // maximum sequence length (learned positions)
	DModel  int
	Heads   int
	Layers  int
	// FFN is the feed-forward width; 0 means 4·DModel.
	FFN     int
	Dropout float64
	// Activation of the feed-forward blocks; "" means gelu.
	Activation Activation
	// TiedHead shares the output head's weight with the token embedding.
	TiedHead bool
}

// GPT is a decoder-only transformer (GPT-2 / nanoGPT shape): token
// embedding plus learned positions, Layers pre-norm blocks with causal
// self-attention (TransformerEncoderLayer with NormFirst), a final
// LayerNorm and a linear head without bias. Parameter names follow the
// PyTorch module
//
//	tok_emb = nn.Embedding(V, D); pos_emb = nn.Embedding(T, D)
//	blocks  = nn.ModuleList(nn.TransformerEncoderLayer(D, H, FFN, dropout,
//	          activation, batch_first=True, norm_first=True) × Layers)
//	ln_f    = nn.LayerNorm(D); head = nn.Linear(D, V, bias=False)
//
// (head.weight is absent with TiedHead, as it aliases tok_emb.weight).
type GPT struct {
	Config GPTConfig
	TokEmb *tensor.Tensor // [Vocab, DModel]
	PosEmb *tensor.Tensor // [Context, DModel]
	Blocks []*TransformerEncoderLayer
	LnF    *seqNorm
	Head   *tensor.Tensor // [Vocab, DModel]; == TokEmb when tied

	ids []int // Forward's token ids, reused across calls
}

// NewGPT builds a GPT. Embeddings and linear weights are drawn from
// N(0, 0.02²) and biases are zero, as in GPT-2 / nanoGPT; LayerNorms start
// at weight 1, bias 0.
func NewGPT(rng *tensor.RNG, cfg GPTConfig) (*GPT, error) {
	if cfg.FFN == 0 {
		cfg.FFN = 4 * cfg.DModel
	}
	if cfg.Activation == "" {
		cfg.Activation = ActivationGELU
	}
	if cfg.Vocab < 1 || cfg.Context < 1 || cfg.Layers < 0 {
		return nil, fmt.Errorf("nn: GPT: vocab %d, context %d and layers %d must be positive", cfg.Vocab, cfg.Context, cfg.Layers)
	}
	tc := TransformerConfig{DModel: cfg.DModel, NHead: cfg.Heads, DimFeedforward: cfg.FFN, Dropout: cfg.Dropout,
		Activation: cfg.Activation, BatchFirst: true, NormFirst: true}
	tc, err := tc.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("nn: GPT: %w", err)
	}
	g := &GPT{Config: cfg}
	if g.TokEmb, err = normalParam(rng, 0.02, cfg.Vocab, cfg.DModel); err != nil {
		return nil, err
	}
	if g.PosEmb, err = normalParam(rng, 0.02, cfg.Context, cfg.DModel); err != nil {
		return nil, err
	}
	for i := 0; i < cfg.Layers; i++ {
		b, err := NewTransformerEncoderLayer(rng, tc)
		if err != nil {
			return nil, err
		}
		for _, r := range b.paramRefs() {
			if *r.p == nil {
				continue
			}
			d := (*r.p).Data()
			switch {
			case (*r.p).Dim() == 2:
				w, err := tensor.Randn(rng, (*r.p).Shape()...)
				if err != nil {
					return nil, err
				}
				for j, v := range w.Data() {
					d[j] = 0.02 * v
				}
			case r.name == "norm1.weight" || r.name == "norm2.weight":
			default:
				clear(d)
			}
		}
		g.Blocks = append(g.Blocks, b)
	}
	if g.LnF, err = newSeqNorm(cfg.DModel, tc.LayerNormEps); err != nil {
		return nil, err
	}
	if cfg.TiedHead {
		g.Head = g.TokEmb
	} else if g.Head, err = normalParam(rng, 0.02, cfg.Vocab, cfg.DModel); err != nil {
		return nil, err
	}
	return g, nil
}

func (g *GPT) paramRefs() []paramRef {
	ps := []paramRef{{"tok_emb.weight", &g.TokEmb}, {"pos_emb.weight", &g.PosEmb}}
	for i, b := range g.Blocks {
		ps = append(ps, prefixed(fmt.Sprintf("blocks.%d.", i), b.paramRefs())...)
	}
	ps = append(ps, prefixed("ln_f.", g.LnF.paramRefs())...)
	if !g.Config.TiedHead {
		ps = append(ps, paramRef{"head.weight", &g.Head})
	}
	return ps
}

// Parameters lists the model's parameters with the names above.
func (g *GPT) Parameters() []Param { return paramsOf(g.paramRefs()) }

// SetTraining switches dropout on or off in every block.
func (g *GPT) SetTraining(on bool) {
	for _, b := range g.Blocks {
		b.Training = on
	}
}

// Forward implements Module: x holds token ids, [B, T] (or one sequence
// [T]), as float values (what train.DefaultInput builds from a token
// dataset); the result is the next-token logits [B, T, Vocab] (or
// [T, Vocab]). No gradient flows into x.
func (g *GPT) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	if x == nil {
		return nil, fmt.Errorf("nn: GPT: nil input")
	}
	b, t := 1, 0
	switch x.Dim() {
	case 1:
		t = x.Size(0)
	case 2:
		b, t = x.Size(0), x.Size(1)
	default:
		return nil, fmt.Errorf("nn: GPT: input shape %v, want token ids [B, T] or [T]", x.Shape())
	}
	n := b * t
	if cap(g.ids) < n {
		g.ids = make([]int, n)
	}
	ids := g.ids[:n]
	var bad float64
	ok := true
	if x.DType() == tensor.Float64 {
		for i, v := range x.Float64s() {
			if ids[i] = int(v); float64(ids[i]) != v {
				bad, ok = v, false
			}
		}
	} else {
		for i, v := range x.Data() {
			if ids[i] = int(v); float32(ids[i]) != v {
				bad, ok = float64(v), false
			}
		}
	}
	if !ok {
		return nil, fmt.Errorf("nn: GPT: token id %g is not an integer", bad)
	}
	out, err := g.Logits(ids, b, t)
	if err != nil || x.Dim() == 2 {
		return out, err
	}
	return out.Reshape(t, g.Config.Vocab)
}

// Logits returns the next-token logits [B, T, Vocab] for token ids
// (row-major [B, T], each in [0, Vocab)).
func (g *GPT) Logits(ids []int, b, t int) (*tensor.Tensor, error) {
	x, err := g.hidden(ids, b, t)
	if err != nil {
		return nil, err
	}
	if x, err = tensor.Linear(x, g.Head, nil, kernels.ActNone); err != nil {
		return nil, fmt.Errorf("nn: GPT: %w", err)
	}
	return x, nil
}

// hidden returns the final hidden states ln_f(…) [B, T, D], the input of
// the head.
func (g *GPT) hidden(ids []int, b, t int) (*tensor.Tensor, error) {
	cfg := g.Config
	if b < 1 || t < 1 || t > cfg.Context || len(ids) != b*t {
		return nil, fmt.Errorf("nn: GPT: %d ids for batch %d × length %d (context %d)", len(ids), b, t, cfg.Context)
	}
	for i, id := range ids {
		if id < 0 || id >= cfg.Vocab {
			return nil, fmt.Errorf("nn: GPT: token %d at position %d out of range [0, %d)", id, i, cfg.Vocab)
		}
	}
	e := errs{}
	x := e.reshape(e.do(g.TokEmb.IndexSelect(0, ids)), b, t, cfg.DModel)
	if e.err != nil {
		return nil, e.err
	}
	x = e.do(addPositions(x, g.PosEmb))
	if len(g.Blocks) > 0 && e.err == nil {
		x = e.do(g.Blocks[0].dropout(x))
	}
	for i, blk := range g.Blocks {
		if e.err != nil {
			break
		}
		var err error
		if x, err = blk.ForwardMasked(x, AttentionMasks{Causal: true}); err != nil {
			return nil, fmt.Errorf("nn: GPT block %d: %w", i, err)
		}
	}
	x = e.do(g.LnF.Forward(x))
	if e.err != nil {
		return nil, fmt.Errorf("nn: GPT: %w", e.err)
	}
	return x, nil
}

// Loss returns the mean next-token cross-entropy of the model on ids
// [B, T] against targets [B, T] (typically ids shifted by one).
func (g *GPT) Loss(ids, targets []int, b, t int) (*tensor.Tensor, error) {
	x, err := g.hidden(ids, b, t)
	if err != nil {
		return nil, err
	}
	if len(targets) != b*t {
		return nil, fmt.Errorf("nn: GPT: %d targets for %d positions", len(targets), b*t)
	}
	// Flatten the hidden states [B·T, D] rather than the logits [B·T, V]:
	// the head then writes 2-D logits directly, and the reshape's backward
	// touches D-wide rows instead of Vocab-wide ones.
	if x, err = x.Reshape(b*t, g.Config.DModel); err != nil {
		return nil, err
	}
	logits, err := tensor.Linear(x, g.Head, nil, kernels.ActNone)
	if err != nil {
		return nil, fmt.Errorf("nn: GPT: %w", err)
	}
	return tensor.CrossEntropy(logits, targets)
}
