package nn

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// seqNorm is the LayerNorm over the last dimension used by the
// transformer layers: the engine's LayerNorm (fused tensor.LayerNorm op).
type seqNorm = LayerNorm

func newSeqNorm(d int, eps float64) (*seqNorm, error) {
	n, err := NewLayerNorm(true, d)
	if err != nil {
		return nil, err
	}
	n.Eps = eps
	return n, nil
}

// paramRefs lists the norm's weight and bias for the sequence modules.
func (l *LayerNorm) paramRefs() []paramRef {
	return []paramRef{{"weight", &l.Weight}, {"bias", &l.Bias}}
}

// Activation names an FFN activation of the transformer layers.
type Activation string

// The activations of TransformerConfig.
const (
	ActivationReLU Activation = "relu"
	ActivationGELU Activation = "gelu"
)

// TransformerConfig holds the options shared by the encoder and decoder
// layers, like torch.nn.TransformerEncoderLayer's arguments. Zero values
// take PyTorch's defaults where they differ: DimFeedforward 2048,
// Activation relu, LayerNormEps 1e-5. BatchFirst is false by default, as
// in PyTorch.
type TransformerConfig struct {
	DModel, NHead  int
	DimFeedforward int
	Dropout        float64
	Activation     Activation
	LayerNormEps   float64
	BatchFirst     bool
	NormFirst      bool
}

func (c TransformerConfig) withDefaults() (TransformerConfig, error) {
	if c.DimFeedforward == 0 {
		c.DimFeedforward = 2048
	}
	if c.Activation == "" {
		c.Activation = ActivationReLU
	}
	if c.LayerNormEps == 0 {
		c.LayerNormEps = 1e-5
	}
	if c.Activation != ActivationReLU && c.Activation != ActivationGELU {
		return c, fmt.Errorf("nn: transformer: unknown activation %q (want relu or gelu)", c.Activation)
	}
	if c.DModel < 1 || c.NHead < 1 || c.DModel%c.NHead != 0 || c.DimFeedforward < 1 {
		return c, fmt.Errorf("nn: transformer: d_model %d must be a positive multiple of nhead %d, dim_feedforward %d positive", c.DModel, c.NHead, c.DimFeedforward)
	}
	if c.Dropout < 0 || c.Dropout >= 1 {
		return c, fmt.Errorf("nn: transformer: dropout %g must be in [0, 1)", c.Dropout)
	}
	return c, nil
}

// feedForward is linear2(dropout(act(linear1(x)))).
type feedForward struct {
	Linear1, Linear2 *Linear
}

func newFeedForward(rng *tensor.RNG, c TransformerConfig) (feedForward, error) {
	l1, err := NewLinear(rng, c.DModel, c.DimFeedforward, true)
	if err != nil {
		return feedForward{}, err
	}
	l2, err := NewLinear(rng, c.DimFeedforward, c.DModel, true)
	return feedForward{l1, l2}, err
}

// layerCore holds what the encoder and decoder layers share.
type layerCore struct {
	Config   TransformerConfig
	Training bool        // enables dropout
	RNG      *tensor.RNG // draws dropout masks
}

// newAttention makes one of the layer's attention blocks, with the layer's
// dropout on its attention weights (as torch.nn.TransformerEncoderLayer
// passes dropout to its MultiheadAttention) drawn from the layer's RNG;
// the layer's Training switches it.
func (lc *layerCore) newAttention(rng *tensor.RNG) (*MultiheadAttention, error) {
	m, err := NewMultiheadAttention(rng, lc.Config.DModel, lc.Config.NHead, true, lc.Config.BatchFirst)
	if err != nil {
		return nil, err
	}
	m.Dropout, m.RNG = lc.Config.Dropout, lc.RNG
	return m, nil
}

func (lc *layerCore) dropout(x *tensor.Tensor) (*tensor.Tensor, error) {
	if !lc.Training || lc.Config.Dropout == 0 {
		return x, nil
	}
	return dropoutOp(x, lc.Config.Dropout, lc.RNG)
}

func (lc *layerCore) ff(f *feedForward, x *tensor.Tensor) (*tensor.Tensor, error) {
	e := errs{}
	var h *tensor.Tensor
	if lc.Config.Activation == ActivationReLU {
		h = e.do(tensor.Linear(x, f.Linear1.Weight, f.Linear1.Bias, kernels.ActReLU))
	} else {
		h = e.do(tensor.GELU(e.do(f.Linear1.Forward(x))))
	}
	if e.err == nil {
		h = e.do(lc.dropout(h))
	}
	if e.err == nil {
		h = e.do(f.Linear2.Forward(h))
	}
	if e.err == nil {
		h = e.do(lc.dropout(h))
	}
	return h, e.err
}

// residual returns x + sub(x) (NormFirst: x + sub(norm(x))) or
// norm(x + sub(x)), with dropout on sub's output inside sub.
func (lc *layerCore) residual(norm *seqNorm, x *tensor.Tensor, sub func(*tensor.Tensor) (*tensor.Tensor, error)) (*tensor.Tensor, error) {
	if lc.Config.NormFirst {
		n, err := norm.Forward(x)
		if err != nil {
			return nil, err
		}
		y, err := sub(n)
		if err != nil {
			return nil, err
		}
		return tensor.Add(x, y)
	}
	y, err := sub(x)
	if err != nil {
		return nil, err
	}
	s, err := tensor.Add(x, y)
	if err != nil {
		return nil, err
	}
	return norm.Forward(s)
}

// TransformerEncoderLayer is torch.nn.TransformerEncoderLayer: self-attention
// and a feed-forward block, each with a residual connection and LayerNorm
// (after the residual, or before the sublayer with NormFirst). Parameter
// names: self_attn.*, linear1.*, linear2.*, norm1.*, norm2.*.
type TransformerEncoderLayer struct {
	layerCore
	SelfAttn     *MultiheadAttention
	FF           feedForward
	Norm1, Norm2 *seqNorm

	selfFn, ffFn func(*tensor.Tensor) (*tensor.Tensor, error)
	masks        AttentionMasks
}

// NewTransformerEncoderLayer returns an encoder layer initialised as
// PyTorch's.
func NewTransformerEncoderLayer(rng *tensor.RNG, cfg TransformerConfig) (*TransformerEncoderLayer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	l := &TransformerEncoderLayer{layerCore: layerCore{Config: cfg, RNG: rng}}
	if l.SelfAttn, err = l.newAttention(rng); err != nil {
		return nil, err
	}
	if l.FF, err = newFeedForward(rng, cfg); err != nil {
		return nil, err
	}
	if l.Norm1, err = newSeqNorm(cfg.DModel, cfg.LayerNormEps); err != nil {
		return nil, err
	}
	if l.Norm2, err = newSeqNorm(cfg.DModel, cfg.LayerNormEps); err != nil {
		return nil, err
	}
	l.bind()
	return l, nil
}

// bind builds the sublayer closures once, so that Forward allocates none.
func (l *TransformerEncoderLayer) bind() {
	l.selfFn = func(x *tensor.Tensor) (*tensor.Tensor, error) {
		y, err := l.SelfAttn.attend(x, x, x, l.masks, l.Training)
		if err != nil {
			return nil, err
		}
		return l.dropout(y)
	}
	l.ffFn = func(x *tensor.Tensor) (*tensor.Tensor, error) { return l.ff(&l.FF, x) }
}

func (l *TransformerEncoderLayer) paramRefs() []paramRef {
	var ps []paramRef
	ps = append(ps, prefixed("self_attn.", l.SelfAttn.paramRefs())...)
	ps = append(ps, prefixed("linear1.", linearRefs(l.FF.Linear1))...)
	ps = append(ps, prefixed("linear2.", linearRefs(l.FF.Linear2))...)
	ps = append(ps, prefixed("norm1.", l.Norm1.paramRefs())...)
	ps = append(ps, prefixed("norm2.", l.Norm2.paramRefs())...)
	return ps
}

// Parameters implements Module.
func (l *TransformerEncoderLayer) Parameters() []Param { return paramsOf(l.paramRefs()) }

// Forward implements Module (no masks).
func (l *TransformerEncoderLayer) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return l.ForwardMasked(x, AttentionMasks{})
}

// ForwardMasked applies the layer to src [S, B, E] (or [B, S, E]) with the
// self-attention masks (src_mask as AttnMask or Causal,
// src_key_padding_mask as KeyPadding).
func (l *TransformerEncoderLayer) ForwardMasked(x *tensor.Tensor, masks AttentionMasks) (*tensor.Tensor, error) {
	l.masks = masks
	defer func() { l.masks = AttentionMasks{} }()
	x, err := l.residual(l.Norm1, x, l.selfFn)
	if err != nil {
		return nil, fmt.Errorf("nn: TransformerEncoderLayer self-attention: %w", err)
	}
	if x, err = l.residual(l.Norm2, x, l.ffFn); err != nil {
		return nil, fmt.Errorf("nn: TransformerEncoderLayer feed-forward: %w", err)
	}
	return x, nil
}

// TransformerDecoderLayer is torch.nn.TransformerDecoderLayer:
// self-attention, cross-attention over the encoder's memory and a
// feed-forward block. Parameter names: self_attn.*, multihead_attn.*,
// linear1.*, linear2.*, norm1.*, norm2.*, norm3.*.
type TransformerDecoderLayer struct {
	layerCore
	SelfAttn, CrossAttn *MultiheadAttention
	FF                  feedForward
	Norm1, Norm2, Norm3 *seqNorm

	selfFn, crossFn, ffFn func(*tensor.Tensor) (*tensor.Tensor, error)
	tgtMasks, memMasks    AttentionMasks
	memory                *tensor.Tensor
}

// NewTransformerDecoderLayer returns a decoder layer initialised as
// PyTorch's.
func NewTransformerDecoderLayer(rng *tensor.RNG, cfg TransformerConfig) (*TransformerDecoderLayer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	l := &TransformerDecoderLayer{layerCore: layerCore{Config: cfg, RNG: rng}}
	if l.SelfAttn, err = l.newAttention(rng); err != nil {
		return nil, err
	}
	if l.CrossAttn, err = l.newAttention(rng); err != nil {
		return nil, err
	}
	if l.FF, err = newFeedForward(rng, cfg); err != nil {
		return nil, err
	}
	for _, n := range []**seqNorm{&l.Norm1, &l.Norm2, &l.Norm3} {
		if *n, err = newSeqNorm(cfg.DModel, cfg.LayerNormEps); err != nil {
			return nil, err
		}
	}
	l.selfFn = func(x *tensor.Tensor) (*tensor.Tensor, error) {
		y, err := l.SelfAttn.attend(x, x, x, l.tgtMasks, l.Training)
		if err != nil {
			return nil, err
		}
		return l.dropout(y)
	}
	l.crossFn = func(x *tensor.Tensor) (*tensor.Tensor, error) {
		y, err := l.CrossAttn.attend(x, l.memory, l.memory, l.memMasks, l.Training)
		if err != nil {
			return nil, err
		}
		return l.dropout(y)
	}
	l.ffFn = func(x *tensor.Tensor) (*tensor.Tensor, error) { return l.ff(&l.FF, x) }
	return l, nil
}

func (l *TransformerDecoderLayer) paramRefs() []paramRef {
	var ps []paramRef
	ps = append(ps, prefixed("self_attn.", l.SelfAttn.paramRefs())...)
	ps = append(ps, prefixed("multihead_attn.", l.CrossAttn.paramRefs())...)
	ps = append(ps, prefixed("linear1.", linearRefs(l.FF.Linear1))...)
	ps = append(ps, prefixed("linear2.", linearRefs(l.FF.Linear2))...)
	ps = append(ps, prefixed("norm1.", l.Norm1.paramRefs())...)
	ps = append(ps, prefixed("norm2.", l.Norm2.paramRefs())...)
	ps = append(ps, prefixed("norm3.", l.Norm3.paramRefs())...)
	return ps
}

// Parameters lists the layer's parameters with PyTorch's names.
func (l *TransformerDecoderLayer) Parameters() []Param { return paramsOf(l.paramRefs()) }

// Decode applies the layer to tgt [T, B, E] attending to memory [S, B, E]
// (batch first with BatchFirst); tgtMasks are tgt_mask /
// tgt_key_padding_mask, memMasks memory_mask / memory_key_padding_mask.
func (l *TransformerDecoderLayer) Decode(tgt, memory *tensor.Tensor, tgtMasks, memMasks AttentionMasks) (*tensor.Tensor, error) {
	l.tgtMasks, l.memMasks, l.memory = tgtMasks, memMasks, memory
	defer func() { l.tgtMasks, l.memMasks, l.memory = AttentionMasks{}, AttentionMasks{}, nil }()
	x, err := l.residual(l.Norm1, tgt, l.selfFn)
	if err != nil {
		return nil, fmt.Errorf("nn: TransformerDecoderLayer self-attention: %w", err)
	}
	if x, err = l.residual(l.Norm2, x, l.crossFn); err != nil {
		return nil, fmt.Errorf("nn: TransformerDecoderLayer cross-attention: %w", err)
	}
	if x, err = l.residual(l.Norm3, x, l.ffFn); err != nil {
		return nil, fmt.Errorf("nn: TransformerDecoderLayer feed-forward: %w", err)
	}
	return x, nil
}

// TransformerEncoder is a stack of encoder layers with an optional final
// LayerNorm (torch.nn.TransformerEncoder; names layers.{i}.*, norm.*).
type TransformerEncoder struct {
	Layers []*TransformerEncoderLayer
	Norm   *seqNorm // nil: none
}

// NewTransformerEncoder stacks n independently initialised layers; norm
// adds a final LayerNorm (what torch.nn.Transformer does).
func NewTransformerEncoder(rng *tensor.RNG, cfg TransformerConfig, n int, norm bool) (*TransformerEncoder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	layers, fnorm, err := newStack(n, norm, cfg, func() (*TransformerEncoderLayer, error) { return NewTransformerEncoderLayer(rng, cfg) })
	if err != nil {
		return nil, err
	}
	return &TransformerEncoder{Layers: layers, Norm: fnorm}, nil
}

// newStack makes the n layers of an encoder or decoder stack and, when norm
// is set, its final LayerNorm.
func newStack[L any](n int, norm bool, cfg TransformerConfig, mk func() (L, error)) ([]L, *seqNorm, error) {
	var layers []L
	for i := 0; i < n; i++ {
		l, err := mk()
		if err != nil {
			return nil, nil, err
		}
		layers = append(layers, l)
	}
	if !norm {
		return layers, nil, nil
	}
	fnorm, err := newSeqNorm(cfg.DModel, cfg.LayerNormEps)
	return layers, fnorm, err
}

// stackParamRefs names a stack's parameters layers.{i}.* then norm.*, as
// torch.nn.TransformerEncoder/Decoder do.
func stackParamRefs[L interface{ paramRefs() []paramRef }](layers []L, norm *seqNorm) []paramRef {
	var ps []paramRef
	for i, l := range layers {
		ps = append(ps, prefixed(fmt.Sprintf("layers.%d.", i), l.paramRefs())...)
	}
	if norm != nil {
		ps = append(ps, prefixed("norm.", norm.paramRefs())...)
	}
	return ps
}

func (t *TransformerEncoder) paramRefs() []paramRef { return stackParamRefs(t.Layers, t.Norm) }

// Parameters implements Module.
func (t *TransformerEncoder) Parameters() []Param { return paramsOf(t.paramRefs()) }

// Forward implements Module (no masks).
func (t *TransformerEncoder) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return t.ForwardMasked(x, AttentionMasks{})
}

// ForwardMasked runs every layer with the same masks, then the norm.
func (t *TransformerEncoder) ForwardMasked(x *tensor.Tensor, masks AttentionMasks) (*tensor.Tensor, error) {
	var err error
	for i, l := range t.Layers {
		if x, err = l.ForwardMasked(x, masks); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	if t.Norm != nil {
		return t.Norm.Forward(x)
	}
	return x, nil
}

// TransformerDecoder is a stack of decoder layers with an optional final
// LayerNorm (torch.nn.TransformerDecoder).
type TransformerDecoder struct {
	Layers []*TransformerDecoderLayer
	Norm   *seqNorm
}

// NewTransformerDecoder stacks n decoder layers, with a final LayerNorm
// when norm is set.
func NewTransformerDecoder(rng *tensor.RNG, cfg TransformerConfig, n int, norm bool) (*TransformerDecoder, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	layers, fnorm, err := newStack(n, norm, cfg, func() (*TransformerDecoderLayer, error) { return NewTransformerDecoderLayer(rng, cfg) })
	if err != nil {
		return nil, err
	}
	return &TransformerDecoder{Layers: layers, Norm: fnorm}, nil
}

func (t *TransformerDecoder) paramRefs() []paramRef { return stackParamRefs(t.Layers, t.Norm) }

// Parameters lists the decoder's parameters.
func (t *TransformerDecoder) Parameters() []Param { return paramsOf(t.paramRefs()) }

// Decode runs every layer over tgt with the encoder's memory.
func (t *TransformerDecoder) Decode(tgt, memory *tensor.Tensor, tgtMasks, memMasks AttentionMasks) (*tensor.Tensor, error) {
	var err error
	for i, l := range t.Layers {
		if tgt, err = l.Decode(tgt, memory, tgtMasks, memMasks); err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	if t.Norm != nil {
		return t.Norm.Forward(tgt)
	}
	return tgt, nil
}

// Transformer is torch.nn.Transformer: an encoder and a decoder stack, each
// with a final LayerNorm (names encoder.*, decoder.*).
type Transformer struct {
	Encoder *TransformerEncoder
	Decoder *TransformerDecoder
}

// NewTransformer returns an encoder-decoder transformer with nEnc encoder
// and nDec decoder layers.
func NewTransformer(rng *tensor.RNG, cfg TransformerConfig, nEnc, nDec int) (*Transformer, error) {
	enc, err := NewTransformerEncoder(rng, cfg, nEnc, true)
	if err != nil {
		return nil, err
	}
	dec, err := NewTransformerDecoder(rng, cfg, nDec, true)
	if err != nil {
		return nil, err
	}
	return &Transformer{enc, dec}, nil
}

func (t *Transformer) paramRefs() []paramRef {
	return append(prefixed("encoder.", t.Encoder.paramRefs()), prefixed("decoder.", t.Decoder.paramRefs())...)
}

// Parameters lists the model's parameters with PyTorch's names.
func (t *Transformer) Parameters() []Param { return paramsOf(t.paramRefs()) }

// Run encodes src and decodes tgt against it (torch.nn.Transformer.forward).
func (t *Transformer) Run(src, tgt *tensor.Tensor, srcMasks, tgtMasks, memMasks AttentionMasks) (*tensor.Tensor, error) {
	mem, err := t.Encoder.ForwardMasked(src, srcMasks)
	if err != nil {
		return nil, fmt.Errorf("nn: Transformer encoder: %w", err)
	}
	out, err := t.Decoder.Decode(tgt, mem, tgtMasks, memMasks)
	if err != nil {
		return nil, fmt.Errorf("nn: Transformer decoder: %w", err)
	}
	return out, nil
}

// CausalMask returns the additive [n, n] mask with −Inf above the
// diagonal (torch.nn.Transformer.generate_square_subsequent_mask). The
// attention layers also take AttentionMasks.Causal, which needs no tensor.
func CausalMask(n int) (*tensor.Tensor, error) {
	m, err := tensor.Zeros(n, n)
	if err != nil {
		return nil, err
	}
	d := m.Data()
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d[i*n+j] = float32(math.Inf(-1))
		}
	}
	return m, nil
}
