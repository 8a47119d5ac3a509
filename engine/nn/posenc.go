package nn

import (
	"fmt"
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// SinusoidalPositions returns the [maxLen, d] table of Vaswani et al.
// ("Attention Is All You Need", 2017, §3.5):
// PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)).
func SinusoidalPositions(maxLen, d int) (*tensor.Tensor, error) {
	if maxLen < 1 || d < 2 || d%2 != 0 {
		return nil, fmt.Errorf("nn: sinusoidal positions (%d, %d): need maxLen ≥ 1 and an even d ≥ 2", maxLen, d)
	}
	pe, err := tensor.Zeros(maxLen, d)
	if err != nil {
		return nil, err
	}
	v := pe.Data()
	for p := 0; p < maxLen; p++ {
		for i := 0; i < d/2; i++ {
			a := float64(p) / math.Pow(10000, float64(2*i)/float64(d))
			v[p*d+2*i] = float32(math.Sin(a))
			v[p*d+2*i+1] = float32(math.Cos(a))
		}
	}
	return pe, nil
}

// PositionalEncoding adds fixed sinusoidal positions to inputs
// [B, T, D] (batch-first). It has no parameters.
type PositionalEncoding struct {
	Table *tensor.Tensor // [MaxLen, D], no grad
}

// NewPositionalEncoding returns sinusoidal positions for up to maxLen steps.
func NewPositionalEncoding(maxLen, d int) (*PositionalEncoding, error) {
	pe, err := SinusoidalPositions(maxLen, d)
	if err != nil {
		return nil, err
	}
	return &PositionalEncoding{Table: pe}, nil
}

// Forward implements Module: x [B, T, D] + PE[:T].
func (p *PositionalEncoding) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return addPositions(x, p.Table)
}

// Parameters implements Module: none.
func (p *PositionalEncoding) Parameters() []Param { return nil }

func addPositions(x, table *tensor.Tensor) (*tensor.Tensor, error) {
	if x == nil || x.Dim() != 3 || x.Size(2) != table.Size(1) || x.Size(1) > table.Size(0) {
		var sh []int
		if x != nil {
			sh = x.Shape()
		}
		return nil, fmt.Errorf("nn: positions: input %v, want [B, T ≤ %d, %d]", sh, table.Size(0), table.Size(1))
	}
	pe, err := table.Narrow(0, 0, x.Size(1))
	if err != nil {
		return nil, err
	}
	return tensor.Add(x, pe)
}

// LearnedPositions adds a learned position embedding Weight [MaxLen, D]
// (an Embedding indexed by position, as in GPT-2) to inputs [B, T, D].
type LearnedPositions struct {
	Weight *tensor.Tensor
}

// NewLearnedPositions returns learned positions initialised N(0, std²)
// (std 0: PyTorch Embedding's N(0, 1)).
func NewLearnedPositions(rng *tensor.RNG, maxLen, d int, std float64) (*LearnedPositions, error) {
	w, err := normalParam(rng, std, maxLen, d)
	if err != nil {
		return nil, err
	}
	return &LearnedPositions{Weight: w}, nil
}

func normalParam(rng *tensor.RNG, std float64, shape ...int) (*tensor.Tensor, error) {
	w, err := tensor.Randn(rng, shape...)
	if err != nil {
		return nil, err
	}
	if std != 0 && std != 1 {
		d := w.Data()
		for i := range d {
			d[i] *= float32(std)
		}
	}
	return w.SetRequiresGrad(true), nil
}

// Forward implements Module: x [B, T, D] + Weight[:T].
func (p *LearnedPositions) Forward(x *tensor.Tensor) (*tensor.Tensor, error) {
	return addPositions(x, p.Weight)
}

func (p *LearnedPositions) paramRefs() []paramRef { return []paramRef{{"weight", &p.Weight}} }

// Parameters implements Module ("weight").
func (p *LearnedPositions) Parameters() []Param { return paramsOf(p.paramRefs()) }

// RoPE applies rotary position embeddings (Su et al., "RoFormer: Enhanced
// Transformer with Rotary Position Embedding", 2021) in the rotate-half
// convention of GPT-NeoX and LLaMA: with x = [x1, x2] split in halves of
// the head dimension and θ_i = Base^(−2i/Dim),
//
//	rope(x)_p = x ⊙ cos(p·θ) + [−x2, x1] ⊙ sin(p·θ)
//
// where cos and sin repeat θ over both halves. It is composed from
// differentiable ops (Narrow, Neg, Concat, Mul, Add).
type RoPE struct {
	Dim      int
	Base     float64
	cos, sin *tensor.Tensor // [MaxLen, Dim]
}

// NewRoPE precomputes the tables for head dimension dim (even) and up to
// maxLen positions; base 0 means 10000.
func NewRoPE(dim, maxLen int, base float64) (*RoPE, error) {
	if dim < 2 || dim%2 != 0 || maxLen < 1 {
		return nil, fmt.Errorf("nn: RoPE(dim %d, maxLen %d): need an even dim ≥ 2 and maxLen ≥ 1", dim, maxLen)
	}
	if base == 0 {
		base = 10000
	}
	c, err := tensor.Zeros(maxLen, dim)
	if err != nil {
		return nil, err
	}
	s, err := tensor.Zeros(maxLen, dim)
	if err != nil {
		return nil, err
	}
	cv, sv := c.Data(), s.Data()
	h := dim / 2
	for p := 0; p < maxLen; p++ {
		for i := 0; i < h; i++ {
			a := float64(p) * math.Pow(base, -float64(2*i)/float64(dim))
			cv[p*dim+i], cv[p*dim+h+i] = float32(math.Cos(a)), float32(math.Cos(a))
			sv[p*dim+i], sv[p*dim+h+i] = float32(math.Sin(a)), float32(math.Sin(a))
		}
	}
	return &RoPE{Dim: dim, Base: base, cos: c, sin: s}, nil
}

// Apply rotates x [..., T, Dim] (e.g. queries [B, H, T, Dh]) for positions
// offset, offset+1, …, offset+T−1.
func (r *RoPE) Apply(x *tensor.Tensor, offset int) (*tensor.Tensor, error) {
	if x == nil || x.Dim() < 2 || x.Size(-1) != r.Dim || offset < 0 || offset+x.Size(-2) > r.cos.Size(0) {
		var sh []int
		if x != nil {
			sh = x.Shape()
		}
		return nil, fmt.Errorf("nn: RoPE: input %v at offset %d, want [..., T, %d] with offset+T ≤ %d", sh, offset, r.Dim, r.cos.Size(0))
	}
	e := errs{}
	t := x.Size(-2)
	cos, sin := e.do(r.cos.Narrow(0, offset, t)), e.do(r.sin.Narrow(0, offset, t))
	if x.DType() != tensor.Float32 {
		cos, sin = e.do(cos.To(x.DType())), e.do(sin.To(x.DType()))
	}
	h := r.Dim / 2
	x1, x2 := e.narrow(x, 0, h), e.narrow(x, h, h)
	var parts [2]*tensor.Tensor
	parts[0], parts[1] = e.do(tensor.Neg(x2)), x1
	if e.err != nil {
		return nil, e.err
	}
	rot := e.do(tensor.Concat(parts[:], -1))
	return e.do(tensor.Add(e.do(tensor.Mul(x, cos)), e.do(tensor.Mul(rot, sin)))), e.err
}
