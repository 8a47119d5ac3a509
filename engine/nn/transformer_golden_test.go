package nn

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/internal/golden"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Golden tests against PyTorch 1.13 fixtures written by
// bench/pytorch/seq_golden.py to testdata/seq_golden.safetensors (layout:
// docs/formats/golden-fixtures.md; DESIGN.md tolerances: matmul-heavy
// layers atol 1e-4, rtol 1e-3).

type goldTensor struct {
	Shape []int
	Data  []float32
}

type goldCase struct {
	Params  map[string]goldTensor
	Inputs  map[string]goldTensor
	Outputs []goldTensor
	Wout    []goldTensor
	Grads   map[string]goldTensor
	Pad     []int
	// e2e
	Config  map[string]float64
	IDs     []int
	Targets []int
	Losses  []float64
}

var (
	goldOnce sync.Once
	gold     map[string]*goldCase
	goldErr  error
)

// readGolden reads every case of testdata/seq_golden.safetensors.
func readGolden() (map[string]*goldCase, error) {
	g, err := golden.Load("testdata/seq_golden.safetensors")
	if err != nil {
		return nil, err
	}
	get := func(c, f string) (goldTensor, error) {
		v := g.Tensor(c + "/" + f)
		if v == nil {
			return goldTensor{}, fmt.Errorf("no tensor %s/%s", c, f)
		}
		return goldTensor{Shape: v.Shape, Data: v.Float32s()}, nil
	}
	ints := func(c, f string) ([]int, error) {
		v := g.Tensor(c + "/" + f)
		if v == nil {
			return nil, nil
		}
		return v.Ints()
	}
	group := func(c, prefix string) (map[string]goldTensor, error) {
		m := map[string]goldTensor{}
		for _, f := range g.Fields(c, prefix) {
			v, err := get(c, f)
			if err != nil {
				return nil, err
			}
			m[f[len(prefix):]] = v
		}
		return m, nil
	}
	list := func(c, prefix string) ([]goldTensor, error) {
		var l []goldTensor
		for i := range g.Fields(c, prefix) {
			v, err := get(c, fmt.Sprintf("%s%d", prefix, i))
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	}
	cases := map[string]*goldCase{}
	for _, name := range g.Cases {
		c := &goldCase{}
		if err := g.Params(name, &c.Config); err != nil {
			return nil, err
		}
		var errs [8]error
		c.Params, errs[0] = group(name, "param/")
		c.Inputs, errs[1] = group(name, "in/")
		c.Outputs, errs[2] = list(name, "out/")
		c.Wout, errs[3] = list(name, "wout/")
		c.Grads, errs[4] = group(name, "grad/")
		c.Pad, errs[5] = ints(name, "pad")
		c.IDs, errs[6] = ints(name, "ids")
		c.Targets, errs[7] = ints(name, "targets")
		if l := g.Tensor(name + "/losses"); l != nil {
			c.Losses = l.Float64s()
		}
		if err := errors.Join(errs[:]...); err != nil {
			return nil, fmt.Errorf("case %s: %w", name, err)
		}
		cases[name] = c
	}
	return cases, nil
}

func goldenCase(t *testing.T, name string) *goldCase {
	t.Helper()
	goldOnce.Do(func() { gold, goldErr = readGolden() })
	if goldErr != nil {
		t.Fatalf("golden fixtures: %v (run /usr/bin/python3 bench/pytorch/seq_golden.py)", goldErr)
	}
	c := gold[name]
	if c == nil {
		t.Fatalf("golden fixtures: no case %q", name)
	}
	return c
}

func (g goldTensor) tensor(t *testing.T) *tensor.Tensor {
	t.Helper()
	x, err := tensor.FromSlice(append([]float32(nil), g.Data...), g.Shape...)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// input returns a fresh leaf that requires grad.
func (c *goldCase) input(t *testing.T, name string) *tensor.Tensor {
	t.Helper()
	g, ok := c.Inputs[name]
	if !ok {
		t.Fatalf("golden: no input %q", name)
	}
	return g.tensor(t).SetRequiresGrad(true)
}

func (c *goldCase) pad() []bool {
	if c.Pad == nil {
		return nil
	}
	p := make([]bool, len(c.Pad))
	for i, v := range c.Pad {
		p[i] = v != 0
	}
	return p
}

// load copies the fixture's state_dict into m, checking that names and
// shapes agree both ways.
func loadGolden(t *testing.T, m paramRefer, params map[string]goldTensor) {
	t.Helper()
	seen := map[string]bool{}
	for _, r := range m.paramRefs() {
		if *r.p == nil {
			continue
		}
		g, ok := params[r.name]
		if !ok {
			t.Fatalf("golden: parameter %q not in the PyTorch state_dict", r.name)
		}
		if !sameInts((*r.p).Shape(), g.Shape) {
			t.Fatalf("golden: parameter %q has shape %v, PyTorch %v", r.name, (*r.p).Shape(), g.Shape)
		}
		copy((*r.p).Data(), g.Data)
		seen[r.name] = true
	}
	for k := range params {
		if !seen[k] {
			t.Fatalf("golden: PyTorch parameter %q missing from the module", k)
		}
	}
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func closeTo(t *testing.T, what string, got []float32, want goldTensor, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want.Data) {
		t.Fatalf("%s: %d values, PyTorch %d", what, len(got), len(want.Data))
	}
	for i, w := range want.Data {
		g := float64(got[i])
		if d := math.Abs(g - float64(w)); d > atol+rtol*math.Abs(float64(w)) || math.IsNaN(g) {
			t.Fatalf("%s[%d] = %.7g, PyTorch %.7g (|Δ| %.2g)", what, i, g, w, d)
		}
	}
}

// checkGolden compares the outputs with PyTorch, backpropagates
// L = Σ out_k ⊙ W_k and compares the gradients of the given inputs and of
// every parameter.
func checkGolden(t *testing.T, c *goldCase, m paramRefer, outs []*tensor.Tensor, inputs map[string]*tensor.Tensor) {
	t.Helper()
	const atol, rtol = 1e-4, 1e-3
	if len(outs) != len(c.Outputs) {
		t.Fatalf("%d outputs, PyTorch %d", len(outs), len(c.Outputs))
	}
	var loss *tensor.Tensor
	for k, o := range outs {
		if !sameInts(o.Shape(), c.Outputs[k].Shape) {
			t.Fatalf("output %d shape %v, PyTorch %v", k, o.Shape(), c.Outputs[k].Shape)
		}
		closeTo(t, "output", o.Data(), c.Outputs[k], atol, rtol)
		s := tensor.Must(tensor.Must(tensor.Mul(o, c.Wout[k].tensor(t))).SumAll())
		if loss == nil {
			loss = s
		} else {
			loss = tensor.Must(tensor.Add(loss, s))
		}
	}
	if err := loss.Backward(); err != nil {
		t.Fatal(err)
	}
	for name, x := range inputs {
		want, ok := c.Grads["input."+name]
		if !ok {
			t.Fatalf("golden: no gradient for input %q", name)
		}
		closeTo(t, "grad input."+name, x.Grad().Data(), want, atol, rtol)
	}
	if m == nil {
		return
	}
	for _, r := range m.paramRefs() {
		if *r.p == nil {
			continue
		}
		g := (*r.p).Grad()
		if g == nil {
			t.Fatalf("parameter %s has no gradient", r.name)
		}
		closeTo(t, "grad "+r.name, g.Data(), c.Grads[r.name], atol, rtol)
	}
}

func TestGoldenRNN(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode RNNMode
	}{{"rnn_tanh", RNNTanh}, {"lstm", LSTM}, {"gru", GRU}} {
		t.Run(tc.name, func(t *testing.T) {
			c := goldenCase(t, tc.name)
			r, err := NewRNN(tensor.NewRNG(1), tc.mode, RNNConfig{InputSize: 3, HiddenSize: 4, NumLayers: 2, Bidirectional: true, BatchFirst: true})
			if err != nil {
				t.Fatal(err)
			}
			loadGolden(t, r, c.Params)
			in := map[string]*tensor.Tensor{"x": c.input(t, "x"), "h0": c.input(t, "h0")}
			var c0 *tensor.Tensor
			if tc.mode == LSTM {
				c0 = c.input(t, "c0")
				in["c0"] = c0
			}
			out, hn, cn, err := r.ForwardState(in["x"], in["h0"], c0)
			if err != nil {
				t.Fatal(err)
			}
			outs := []*tensor.Tensor{tensor.Must(out.Contiguous()), hn}
			if cn != nil {
				outs = append(outs, cn)
			}
			checkGolden(t, c, r, outs, in)
		})
	}
}

func TestGoldenMultiheadAttention(t *testing.T) {
	for _, name := range []string{"mha_self", "mha_cross"} {
		t.Run(name, func(t *testing.T) {
			c := goldenCase(t, name)
			m, err := NewMultiheadAttention(tensor.NewRNG(1), 8, 2, true, true)
			if err != nil {
				t.Fatal(err)
			}
			loadGolden(t, m, c.Params)
			q := c.input(t, "query")
			in := map[string]*tensor.Tensor{"query": q}
			var out *tensor.Tensor
			if name == "mha_self" {
				out, err = m.Attend(q, q, q, AttentionMasks{Causal: true, KeyPadding: c.pad()})
			} else {
				kv := c.input(t, "kv")
				in["kv"] = kv
				out, err = m.Attend(q, kv, kv, AttentionMasks{KeyPadding: c.pad()})
			}
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c, m, []*tensor.Tensor{out}, in)
		})
	}
}

func TestGoldenTransformerLayers(t *testing.T) {
	for _, normFirst := range []bool{false, true} {
		sfx, act := "post", ActivationReLU
		if normFirst {
			sfx, act = "pre", ActivationGELU
		}
		cfg := TransformerConfig{DModel: 8, NHead: 2, DimFeedforward: 16, BatchFirst: true, NormFirst: normFirst, Activation: act}
		t.Run("encoder_"+sfx, func(t *testing.T) {
			c := goldenCase(t, "enc_"+sfx)
			l, err := NewTransformerEncoderLayer(tensor.NewRNG(1), cfg)
			if err != nil {
				t.Fatal(err)
			}
			loadGolden(t, l, c.Params)
			x := c.input(t, "x")
			mask := tensor.Must(CausalMask(5))
			out, err := l.ForwardMasked(x, AttentionMasks{AttnMask: mask})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c, l, []*tensor.Tensor{out}, map[string]*tensor.Tensor{"x": x})
		})
		t.Run("decoder_"+sfx, func(t *testing.T) {
			c := goldenCase(t, "dec_"+sfx)
			dcfg := cfg
			dcfg.Activation = ActivationReLU
			l, err := NewTransformerDecoderLayer(tensor.NewRNG(1), dcfg)
			if err != nil {
				t.Fatal(err)
			}
			loadGolden(t, l, c.Params)
			tgt, mem := c.input(t, "tgt"), c.input(t, "memory")
			out, err := l.Decode(tgt, mem, AttentionMasks{Causal: true}, AttentionMasks{KeyPadding: c.pad()})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, c, l, []*tensor.Tensor{out}, map[string]*tensor.Tensor{"tgt": tgt, "memory": mem})
		})
	}
}

func TestGoldenRoPE(t *testing.T) {
	c := goldenCase(t, "rope")
	r, err := NewRoPE(8, 16, 0)
	if err != nil {
		t.Fatal(err)
	}
	x := c.input(t, "x")
	out, err := r.Apply(x, 2)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, c, nil, []*tensor.Tensor{out}, map[string]*tensor.Tensor{"x": x})
}

// TestGoldenGPTTraining trains a tiny GPT with Adam from PyTorch's initial
// weights and checks that the loss curve follows PyTorch's to 1e-2.
func TestGoldenGPTTraining(t *testing.T) {
	c := goldenCase(t, "e2e_gpt")
	cf := c.Config
	g, err := NewGPT(tensor.NewRNG(1), GPTConfig{Vocab: int(cf["vocab"]), Context: int(cf["context"]), DModel: int(cf["d_model"]),
		Heads: int(cf["heads"]), Layers: int(cf["layers"]), FFN: int(cf["ffn"])})
	if err != nil {
		t.Fatal(err)
	}
	loadGolden(t, g, c.Params)
	var ps []*tensor.Tensor
	for _, p := range g.Parameters() {
		ps = append(ps, p.Tensor)
	}
	opt, err := optim.NewAdam(ps, float32(cf["lr"]))
	if err != nil {
		t.Fatal(err)
	}
	b := int(cf["batch"])
	tl := len(c.IDs) / b
	for step, want := range c.Losses {
		opt.ZeroGrad()
		loss, err := g.Loss(c.IDs, c.Targets, b, tl)
		if err != nil {
			t.Fatal(err)
		}
		if got := loss.Item(); math.Abs(got-want) > 1e-2 {
			t.Fatalf("step %d: loss %.5f, PyTorch %.5f", step, got, want)
		}
		if err := loss.Backward(); err != nil {
			t.Fatal(err)
		}
		if err := opt.Step(); err != nil {
			t.Fatal(err)
		}
	}
}
