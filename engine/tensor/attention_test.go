package tensor

import (
	"fmt"
	"math"
	"testing"
)

// attnCase is one random attention problem.
type attnCase struct {
	b, h, l, s, d, dv int
	causal, mask, pad bool
}

func (c attnCase) String() string {
	return fmt.Sprintf("B%dH%dL%dS%dD%dDv%d/causal=%v/mask=%v/pad=%v", c.b, c.h, c.l, c.s, c.d, c.dv, c.causal, c.mask, c.pad)
}

func (c attnCase) opts(rng *RNG, dt DType) AttentionOptions {
	var o AttentionOptions
	o.Causal = c.causal
	if c.mask {
		mv := make([]float64, c.l*c.s)
		for i := range mv {
			mv[i] = rng.NormFloat64()
			if rng.Intn(7) == 0 {
				mv[i] = math.Inf(-1)
			}
		}
		// keep the diagonal visible so that no row is fully masked
		for i := 0; i < min(c.l, c.s); i++ {
			mv[i*c.s+i] = 0
		}
		o.Mask = Must(Must(FromFloat64s(mv, c.l, c.s)).To(dt))
	}
	if c.pad {
		o.KeyPadding = make([]bool, c.b*c.s)
		for bi := 0; bi < c.b; bi++ {
			for j := max(1, c.s-1-bi); j < c.s; j++ { // pad the tail, keep key 0
				o.KeyPadding[bi*c.s+j] = true
			}
		}
	}
	return o
}

// TestAttentionFusedMatchesReference checks values and gradients of the
// fused op against the composed path in float32 on shapes whose lengths
// are not multiples of the block sizes.
func TestAttentionFusedMatchesReference(t *testing.T) {
	cases := []attnCase{
		{2, 3, 5, 7, 4, 3, false, false, false},
		{1, 2, 70, 70, 8, 8, true, false, false},
		{2, 2, 65, 130, 16, 8, false, true, true},
		{2, 1, 129, 129, 8, 8, true, true, true},
		{1, 1, 1, 1, 2, 2, false, false, false},
		{2, 2, 100, 33, 4, 4, true, false, true},
	}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			rng := NewRNG(1)
			q := Must(Randn(rng, c.b, c.h, c.l, c.d)).SetRequiresGrad(true)
			k := Must(Randn(rng, c.b, c.h, c.s, c.d)).SetRequiresGrad(true)
			v := Must(Randn(rng, c.b, c.h, c.s, c.dv)).SetRequiresGrad(true)
			g := Must(Randn(rng, c.b, c.h, c.l, c.dv))
			opts := c.opts(rng, Float32)
			if c.causal && c.pad {
				// a causal row may see only padded keys: keep key 0 for all
				for bi := 0; bi < c.b; bi++ {
					opts.KeyPadding[bi*c.s] = false
				}
			}
			run := func(f func(q, k, v *Tensor, o AttentionOptions) (*Tensor, error)) (out []float32, gq, gk, gv []float32) {
				for _, p := range []*Tensor{q, k, v} {
					p.ZeroGrad()
				}
				o, err := f(q, k, v, opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := o.BackwardWithGrad(g); err != nil {
					t.Fatal(err)
				}
				return append([]float32(nil), o.Data()...), append([]float32(nil), q.Grad().Data()...),
					append([]float32(nil), k.Grad().Data()...), append([]float32(nil), v.Grad().Data()...)
			}
			o1, q1, k1, v1 := run(ScaledDotProductAttention)
			o2, q2, k2, v2 := run(AttentionReference)
			for _, x := range []struct {
				name string
				a, b []float32
			}{{"out", o1, o2}, {"dq", q1, q2}, {"dk", k1, k2}, {"dv", v1, v2}} {
				for i := range x.a {
					if d := math.Abs(float64(x.a[i] - x.b[i])); d > 1e-4+1e-3*math.Abs(float64(x.b[i])) || math.IsNaN(float64(x.a[i])) {
						t.Fatalf("%s[%d]: fused %g, reference %g", x.name, i, x.a[i], x.b[i])
					}
				}
			}
		})
	}
}

// TestAttentionGradcheck checks the fused op's backward against central
// differences in float64.
func TestAttentionGradcheck(t *testing.T) {
	for _, c := range []attnCase{
		{1, 2, 3, 4, 2, 3, false, false, false},
		{2, 1, 4, 4, 3, 2, true, true, true},
	} {
		t.Run(c.String(), func(t *testing.T) {
			rng := NewRNG(2)
			opts := c.opts(rng, Float64)
			gradcheck(t, func(in []*Tensor) (*Tensor, error) {
				return ScaledDotProductAttention(in[0], in[1], in[2], opts)
			}, randT(rng, false, c.b, c.h, c.l, c.d), randT(rng, false, c.b, c.h, c.s, c.d), randT(rng, false, c.b, c.h, c.s, c.dv))
		})
	}
}

// TestAttentionFullyMasked checks that a row with no visible key gives
// zeros and no NaN gradients.
func TestAttentionFullyMasked(t *testing.T) {
	rng := NewRNG(3)
	q := Must(Randn(rng, 1, 1, 2, 2)).SetRequiresGrad(true)
	k := Must(Randn(rng, 1, 1, 2, 2)).SetRequiresGrad(true)
	v := Must(Randn(rng, 1, 1, 2, 2)).SetRequiresGrad(true)
	o := Must(ScaledDotProductAttention(q, k, v, AttentionOptions{KeyPadding: []bool{true, true}}))
	for _, x := range o.Data() {
		if x != 0 {
			t.Fatalf("fully masked output %v, want zeros", o.Data())
		}
	}
	if err := Must(o.SumAll()).Backward(); err != nil {
		t.Fatal(err)
	}
	for _, x := range q.Grad().Data() {
		if math.IsNaN(float64(x)) {
			t.Fatal("NaN gradient")
		}
	}
}

func TestAttentionErrors(t *testing.T) {
	q := Must(Zeros(1, 1, 2, 4))
	k := Must(Zeros(1, 1, 3, 5))
	if _, err := ScaledDotProductAttention(q, k, k, AttentionOptions{}); err == nil {
		t.Error("mismatched head dims: no error")
	}
	k = Must(Zeros(1, 1, 3, 4))
	if _, err := ScaledDotProductAttention(q, k, k, AttentionOptions{KeyPadding: []bool{true}}); err == nil {
		t.Error("short key padding: no error")
	}
	if _, err := ScaledDotProductAttention(q, k, k, AttentionOptions{Mask: Must(Zeros(3, 2))}); err == nil {
		t.Error("wrong mask shape: no error")
	}
}

// TestAttentionArenaAllocs checks that forward and backward allocate
// nothing in steady state under an Arena.
func TestAttentionArenaAllocs(t *testing.T) {
	rng := NewRNG(4)
	q := Must(Randn(rng, 2, 2, 70, 16)).SetRequiresGrad(true)
	k := Must(Randn(rng, 2, 2, 70, 16)).SetRequiresGrad(true)
	v := Must(Randn(rng, 2, 2, 70, 16)).SetRequiresGrad(true)
	ar := NewArena()
	defer UseArena(ar)()
	step := func() {
		ar.Reset()
		o, err := ScaledDotProductAttention(q, k, v, AttentionOptions{Causal: true})
		if err != nil {
			t.Fatal(err)
		}
		s, _ := o.SumAll()
		if err := s.Backward(); err != nil {
			t.Fatal(err)
		}
	}
	step()
	if n := testing.AllocsPerRun(allocRuns, step); n != 0 {
		t.Errorf("attention step allocates %v times", n)
	}
}

func ExampleScaledDotProductAttention() {
	q := Must(Ones(1, 1, 2, 2))
	v := Must(FromSlice([]float32{1, 2, 3, 4}, 1, 1, 2, 2))
	o := Must(ScaledDotProductAttention(q, q, v, AttentionOptions{Causal: true}))
	fmt.Println(o)
	// Output: [[[[1 2]
	//    [2 3]]]]
}

// packedRef is ScaledDotProductAttentionPacked composed from the [B, H,
// L, D] op and views.
func packedRef(qkv *Tensor, h int, opts AttentionOptions) (*Tensor, error) {
	b, l, e := qkv.shape[0], qkv.shape[1], qkv.shape[2]/3
	x, err := qkv.Reshape(b, l, 3, h, e/h)
	if err != nil {
		return nil, err
	}
	if x, err = x.Permute(2, 0, 3, 1, 4); err != nil { // [3, B, H, L, D]
		return nil, err
	}
	var qkvs [3]*Tensor
	for i := range qkvs {
		n, err := x.Narrow(0, i, 1)
		if err != nil {
			return nil, err
		}
		if qkvs[i], err = n.Squeeze(0); err != nil {
			return nil, err
		}
	}
	o, err := ScaledDotProductAttention(qkvs[0], qkvs[1], qkvs[2], opts)
	if err != nil {
		return nil, err
	}
	if o, err = o.Permute(0, 2, 1, 3); err != nil {
		return nil, err
	}
	return o.Reshape(b, l, e)
}

// TestAttentionPackedMatchesSplit checks the packed op's values and
// gradients against splitting the heads with views (float32), and its
// backward against central differences (float64).
func TestAttentionPackedMatchesSplit(t *testing.T) {
	for i, c := range []attnCase{
		{2, 3, 5, 5, 4, 4, false, false, false},
		{2, 2, 70, 70, 8, 8, true, true, true},
		{2, 2, 70, 70, 8, 8, true, false, false}, // with dropout
	} {
		t.Run(c.String(), func(t *testing.T) {
			rng := NewRNG(5)
			opts := c.opts(rng, Float32)
			if i == 2 {
				opts.Dropout = 0.2
			}
			qkv := Must(Randn(rng, c.b, c.l, 3*c.h*c.d)).SetRequiresGrad(true)
			g := Must(Randn(rng, c.b, c.l, c.h*c.d))
			run := func(f func(*Tensor, int, AttentionOptions) (*Tensor, error)) (out, grad []float32) {
				qkv.ZeroGrad()
				// pass through a no-op view so that the op's input gradient
				// starts fresh (the unzeroed path)
				in := Must(qkv.Reshape(qkv.Shape()...))
				opts.RNG = NewRNG(9) // the same mask for both
				o, err := f(in, c.h, opts)
				if err != nil {
					t.Fatal(err)
				}
				if err := o.BackwardWithGrad(g); err != nil {
					t.Fatal(err)
				}
				return append([]float32(nil), o.Data()...), append([]float32(nil), qkv.Grad().Data()...)
			}
			o1, g1 := run(ScaledDotProductAttentionPacked)
			o2, g2 := run(packedRef)
			for _, x := range []struct {
				name string
				a, b []float32
			}{{"out", o1, o2}, {"dqkv", g1, g2}} {
				for i := range x.a {
					if d := math.Abs(float64(x.a[i] - x.b[i])); d > 1e-5+1e-4*math.Abs(float64(x.b[i])) || math.IsNaN(float64(x.a[i])) {
						t.Fatalf("%s[%d]: packed %g, split %g", x.name, i, x.a[i], x.b[i])
					}
				}
			}
		})
	}
	rng := NewRNG(6)
	c := attnCase{2, 2, 4, 4, 2, 2, true, true, true}
	opts := c.opts(rng, Float64)
	gradcheck(t, func(in []*Tensor) (*Tensor, error) {
		return ScaledDotProductAttentionPacked(in[0], c.h, opts)
	}, randT(rng, false, c.b, c.l, 3*c.h*c.d))
}

func TestAttentionPackedErrors(t *testing.T) {
	if _, err := ScaledDotProductAttentionPacked(Must(Zeros(1, 2, 9)), 2, AttentionOptions{}); err == nil {
		t.Error("3E not a multiple of 3·heads: no error")
	}
	if _, err := ScaledDotProductAttentionPacked(Must(Zeros(1, 2, 12)), 2, AttentionOptions{Mask: Must(Zeros(3, 2))}); err == nil {
		t.Error("wrong mask shape: no error")
	}
	if _, err := ScaledDotProductAttentionPacked(Must(Zeros(1, 2, 12)), 2, AttentionOptions{KeyPadding: []bool{true}}); err == nil {
		t.Error("short key padding: no error")
	}
}

// TestAttentionDropoutWeights reads the dropped attention weights out of
// the output (equal scores, so every weight is 1/S, and V = identity):
// about p of them are zero and the others are 1/(S·(1−p)); the packed op
// draws the same mask.
func TestAttentionDropoutWeights(t *testing.T) {
	const b, h, l, s, p = 2, 2, 64, 32, 0.25
	q := Must(Zeros(b, h, l, 4))
	k := Must(Randn(NewRNG(1), b, h, s, 4))
	ev := make([]float32, b*h*s*s)
	for i := 0; i < b*h; i++ {
		for j := 0; j < s; j++ {
			ev[i*s*s+j*s+j] = 1
		}
	}
	v := Must(FromSlice(ev, b, h, s, s))
	o, err := ScaledDotProductAttention(q, k, v, AttentionOptions{Dropout: p, RNG: NewRNG(2)})
	if err != nil {
		t.Fatal(err)
	}
	zeros, keep := 0, float32(1/(s*(1-p)))
	for i, x := range o.Data() {
		switch {
		case x == 0:
			zeros++
		case math.Abs(float64(x-keep)) > 1e-6:
			t.Fatalf("weight %d = %g, want 0 or %g", i, x, keep)
		}
	}
	// 8192 Bernoulli(0.25) draws: the fraction is within 0.25 ± 0.02
	// (more than 4 standard deviations)
	if f := float64(zeros) / float64(o.Numel()); math.Abs(f-p) > 0.02 {
		t.Errorf("dropped fraction %.4f, want about %g", f, p)
	}
	if _, err := ScaledDotProductAttention(q, k, v, AttentionOptions{Dropout: 0.5}); err == nil {
		t.Error("dropout without RNG: no error")
	}
	if _, err := ScaledDotProductAttention(q, k, v, AttentionOptions{Dropout: 1, RNG: NewRNG(1)}); err == nil {
		t.Error("dropout 1: no error")
	}
	if _, err := ScaledDotProductAttentionPacked(Must(Zeros(1, 2, 12)), 2, AttentionOptions{Dropout: -0.1, RNG: NewRNG(1)}); err == nil {
		t.Error("packed, negative dropout: no error")
	}
}

// TestAttentionDropoutGradcheck checks the backward with dropout, dense
// and packed, with a fixed mask (the generator is re-seeded on every
// evaluation).
func TestAttentionDropoutGradcheck(t *testing.T) {
	rng := NewRNG(3)
	c := attnCase{2, 1, 3, 4, 2, 3, true, false, true}
	opts := c.opts(rng, Float64)
	gradcheck(t, func(in []*Tensor) (*Tensor, error) {
		o := opts
		o.Dropout, o.RNG = 0.3, NewRNG(11)
		return ScaledDotProductAttention(in[0], in[1], in[2], o)
	}, randT(rng, false, c.b, c.h, c.l, c.d), randT(rng, false, c.b, c.h, c.s, c.d), randT(rng, false, c.b, c.h, c.s, c.dv))
	c = attnCase{2, 2, 4, 4, 2, 2, true, true, false}
	opts = c.opts(rng, Float64)
	gradcheck(t, func(in []*Tensor) (*Tensor, error) {
		o := opts
		o.Dropout, o.RNG = 0.4, NewRNG(12)
		return ScaledDotProductAttentionPacked(in[0], c.h, o)
	}, randT(rng, false, c.b, c.l, 3*c.h*c.d))
}
