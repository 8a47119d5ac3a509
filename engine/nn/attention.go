package nn

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// paramRef names a parameter field of a sequence module, so that one list
// gives both Parameters() and in-place replacement (dtype casts, loading).
type paramRef struct {
	name string
	p    **tensor.Tensor
}

func paramsOf(refs []paramRef) []Param {
	ps := make([]Param, 0, len(refs))
	for _, r := range refs {
		if *r.p != nil {
			ps = append(ps, Param{r.name, *r.p})
		}
	}
	return ps
}

func prefixed(prefix string, refs []paramRef) []paramRef {
	for i := range refs {
		refs[i].name = prefix + refs[i].name
	}
	return refs
}

func linearRefs(l *Linear) []paramRef {
	return []paramRef{{"weight", &l.Weight}, {"bias", &l.Bias}}
}

// paramRefer is implemented by the sequence modules of this package
// (RNN, MultiheadAttention, Transformer layers, GPT).
type paramRefer interface{ paramRefs() []paramRef }

// castModule replaces every parameter of m by a copy of dtype dt that
// requires grad (used by gradient checks in float64).
func castModule(m paramRefer, dt tensor.DType) error {
	for _, r := range m.paramRefs() {
		if *r.p == nil {
			continue
		}
		c, err := (*r.p).To(dt)
		if err != nil {
			return err
		}
		if c, err = c.Contiguous(); err != nil {
			return err
		}
		*r.p = c.Detach().SetRequiresGrad(true)
	}
	return nil
}

// dropoutOp zeroes each element of x with probability p and scales the
// rest by 1/(1-p) (inverted dropout, as torch.nn.functional.dropout):
// tensor.Dropout, which draws the mask from rng in row-major order and
// keeps it for the backward pass (in the arena in use, so it allocates
// nothing under an Arena).
func dropoutOp(x *tensor.Tensor, p float64, rng *tensor.RNG) (*tensor.Tensor, error) {
	if p <= 0 {
		return x, nil
	}
	if rng == nil {
		return nil, fmt.Errorf("nn: dropout: nil RNG")
	}
	return tensor.Dropout(x, p, rng)
}

// MultiheadAttention is torch.nn.MultiheadAttention (with kdim = vdim =
// EmbedDim): the packed input projection InProjWeight [3E, E] and
// InProjBias [3E] (rows q, k, v), H heads of size E/H, the fused
// tensor.ScaledDotProductAttention, and OutProj. Inputs are [L, B, E], or
// [B, L, E] with BatchFirst.
type MultiheadAttention struct {
	EmbedDim, NumHeads int
	BatchFirst         bool
	InProjWeight       *tensor.Tensor // [3E, E]
	InProjBias         *tensor.Tensor // [3E] or nil
	OutProj            *Linear
	// Dropout is the probability of zeroing an attention weight in
	// training mode (the survivors are scaled by 1/(1−Dropout)), as
	// PyTorch's dropout argument; the masks are drawn from RNG, which
	// must then be set (the fused kernel draws one seed per call from it
	// and hashes it into the mask, see tensor.AttentionOptions).
	Dropout float64
	RNG     *tensor.RNG
	// Training enables the attention dropout (NewMultiheadAttention sets
	// it, as PyTorch modules start in training mode).
	Training bool
}

// NewMultiheadAttention returns multi-head attention initialised as
// PyTorch does: InProjWeight Xavier-uniform, InProjBias and OutProj.Bias
// zero, OutProj.Weight U(-1/√E, 1/√E).
func NewMultiheadAttention(rng *tensor.RNG, embedDim, numHeads int, bias, batchFirst bool) (*MultiheadAttention, error) {
	if embedDim < 1 || numHeads < 1 || embedDim%numHeads != 0 {
		return nil, fmt.Errorf("nn: MultiheadAttention(embed %d, heads %d): embed_dim must be a positive multiple of num_heads", embedDim, numHeads)
	}
	bound := math.Sqrt(6 / float64(embedDim+3*embedDim))
	w, err := tensor.Uniform(rng, -bound, bound, 3*embedDim, embedDim)
	if err != nil {
		return nil, err
	}
	op, err := NewLinear(rng, embedDim, embedDim, bias)
	if err != nil {
		return nil, err
	}
	m := &MultiheadAttention{EmbedDim: embedDim, NumHeads: numHeads, BatchFirst: batchFirst,
		InProjWeight: w.SetRequiresGrad(true), OutProj: op, Training: true}
	if bias {
		b, err := tensor.Zeros(3 * embedDim)
		if err != nil {
			return nil, err
		}
		m.InProjBias = b.SetRequiresGrad(true)
		clear(op.Bias.Data())
	}
	return m, nil
}

func (m *MultiheadAttention) paramRefs() []paramRef {
	return append([]paramRef{{"in_proj_weight", &m.InProjWeight}, {"in_proj_bias", &m.InProjBias}},
		prefixed("out_proj.", linearRefs(m.OutProj))...)
}

// Parameters implements Module with PyTorch's names (in_proj_weight,
// in_proj_bias, out_proj.weight, out_proj.bias).
func (m *MultiheadAttention) Parameters() []Param { return paramsOf(m.paramRefs()) }

// SetTraining switches the attention dropout on or off.
func (m *MultiheadAttention) SetTraining(on bool) { m.Training = on }

// Forward implements Module as self-attention without masks.
func (m *MultiheadAttention) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return m.Attend(x, x, x, AttentionMasks{})
}

// AttentionMasks are the masks of one attention call.
type AttentionMasks struct {
	// Causal forbids query i to see key j > i (a causal attn_mask).
	Causal bool
	// AttnMask is an additive float mask [L, S] (−Inf forbids), like a
	// float attn_mask; nil for none.
	AttnMask *tensor.Tensor
	// KeyPadding has B·S entries ([B, S] row-major); true marks a padded
	// key, like key_padding_mask.
	KeyPadding []bool
}

// Attend computes attention of query [L, B, E] over key and value
// [S, B, E] (batch dimension first with BatchFirst) and returns [L, B, E]
// (or [B, L, E]). When query, key and value are the same tensor the input
// projection is one GEMM; when key and value are the same, two.
func (m *MultiheadAttention) Attend(query, key, value *tensor.Tensor, masks AttentionMasks) (*tensor.Tensor, error) {
	return m.attend(query, key, value, masks, m.Training)
}

// attend is Attend with the training mode given by the caller (the
// transformer layers pass theirs).
func (m *MultiheadAttention) attend(query, key, value *tensor.Tensor, masks AttentionMasks, training bool) (*tensor.Tensor, error) {
	e := errs{}
	if query == nil || key == nil || value == nil {
		return nil, fmt.Errorf("nn: MultiheadAttention: nil input")
	}
	p := 0.0
	if training {
		p = m.Dropout
	}
	if !(p >= 0 && p < 1) {
		return nil, fmt.Errorf("nn: MultiheadAttention: dropout %g must be in [0, 1)", p)
	}
	if p > 0 && m.RNG == nil {
		return nil, fmt.Errorf("nn: MultiheadAttention: dropout %g needs an RNG", p)
	}
	E, H := m.EmbedDim, m.NumHeads
	for _, x := range [3]*tensor.Tensor{query, key, value} {
		if x.Dim() != 3 || x.Size(2) != E {
			return nil, fmt.Errorf("nn: MultiheadAttention: input shape %v, want [·, ·, %d]", x.Shape(), E)
		}
	}
	self, kvSame := query == key && key == value, key == value
	if !m.BatchFirst { // work batch-first: [B, L, E]
		query = e.do(query.Transpose(0, 1))
		switch {
		case self:
			key, value = query, query
		case kvSame:
			key = e.do(key.Transpose(0, 1))
			value = key
		default:
			key = e.do(key.Transpose(0, 1))
			value = e.do(value.Transpose(0, 1))
		}
		if e.err != nil {
			return nil, e.err
		}
	}
	b, l, s := query.Size(0), query.Size(1), key.Size(1)
	if key.Size(0) != b || value.Size(0) != b || value.Size(1) != s {
		return nil, fmt.Errorf("nn: MultiheadAttention: query %v, key %v and value %v do not match", query.Shape(), key.Shape(), value.Shape())
	}
	var q, k, v *tensor.Tensor
	switch {
	case self:
		// one GEMM for the packed projection [B, L, 3E], and attention
		// straight on it, producing the merged heads [B, L, E]
		qkv := e.do(tensor.Linear(query, m.InProjWeight, m.InProjBias, kernels.ActNone))
		if e.err != nil {
			return nil, fmt.Errorf("nn: MultiheadAttention: %w", e.err)
		}
		o, err := tensor.ScaledDotProductAttentionPacked(qkv, H, tensor.AttentionOptions{
			Causal: masks.Causal, Mask: masks.AttnMask, KeyPadding: masks.KeyPadding, Dropout: p, RNG: m.RNG})
		if err != nil {
			return nil, fmt.Errorf("nn: MultiheadAttention: %w", err)
		}
		return m.output(o)
	case kvSame:
		q = e.heads(e.proj(query, m, 0, 1), b, l, H)
		kv := e.do(e.reshape(e.proj(key, m, 1, 2), b, s, 2, H, E/H).Permute(2, 0, 3, 1, 4))
		k, v = e.pick(kv, 0), e.pick(kv, 1)
	default:
		q = e.heads(e.proj(query, m, 0, 1), b, l, H)
		k = e.heads(e.proj(key, m, 1, 1), b, s, H)
		v = e.heads(e.proj(value, m, 2, 1), b, s, H)
	}
	if e.err != nil {
		return nil, fmt.Errorf("nn: MultiheadAttention: %w", e.err)
	}
	o, err := tensor.ScaledDotProductAttention(q, k, v, tensor.AttentionOptions{
		Causal: masks.Causal, Mask: masks.AttnMask, KeyPadding: masks.KeyPadding, Dropout: p, RNG: m.RNG})
	if err != nil {
		return nil, fmt.Errorf("nn: MultiheadAttention: %w", err)
	}
	o = e.reshape(e.do(o.Permute(0, 2, 1, 3)), b, l, E) // [B, L, E]
	if e.err != nil {
		return nil, fmt.Errorf("nn: MultiheadAttention: %w", e.err)
	}
	return m.output(o)
}

// output applies the output projection to the merged heads o [B, L, E]
// and restores the sequence-first layout unless BatchFirst.
func (m *MultiheadAttention) output(o *tensor.Tensor) (*tensor.Tensor, error) {
	e := errs{}
	o = e.do(m.OutProj.Forward(o))
	if !m.BatchFirst && e.err == nil {
		o = e.do(o.Transpose(0, 1))
	}
	if e.err != nil {
		return nil, fmt.Errorf("nn: MultiheadAttention: %w", e.err)
	}
	return o, nil
}

// proj applies rows [part·E, (part+n)·E) of the packed input projection.
func (e *errs) proj(x *tensor.Tensor, m *MultiheadAttention, part, n int) *tensor.Tensor {
	E := m.EmbedDim
	w := e.do(m.InProjWeight.Narrow(0, part*E, n*E))
	var bias *tensor.Tensor
	if m.InProjBias != nil {
		bias = e.do(m.InProjBias.Narrow(0, part*E, n*E))
	}
	if e.err != nil {
		return nil
	}
	return e.do(tensor.Linear(x, w, bias, kernels.ActNone))
}

// heads reshapes [B, L, E] to contiguous [B, H, L, Dh].
func (e *errs) heads(x *tensor.Tensor, b, l, h int) *tensor.Tensor {
	if e.err != nil {
		return nil
	}
	x = e.reshape(x, b, l, h, x.Size(2)/h)
	if e.err != nil {
		return nil
	}
	return e.do(e.do(x.Transpose(1, 2)).Contiguous())
}

// pick returns x[i] of a [n, B, H, L, Dh] tensor as a contiguous [B, H, L, Dh].
func (e *errs) pick(x *tensor.Tensor, i int) *tensor.Tensor {
	if e.err != nil {
		return nil
	}
	sh := x.Shape()
	v := e.reshape(e.do(x.Narrow(0, i, 1)), sh[1], sh[2], sh[3], sh[4])
	if e.err != nil {
		return nil
	}
	return e.do(v.Contiguous())
}

func (e *errs) reshape(x *tensor.Tensor, shape ...int) *tensor.Tensor {
	if e.err != nil || x == nil {
		return nil
	}
	return e.do(x.Reshape(shape...))
}
