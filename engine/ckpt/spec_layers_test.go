package ckpt

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// sameState compares full state dicts (parameters and buffers).
func sameState(t *testing.T, a, b nn.Module) {
	t.Helper()
	sa, sb := StateDict(a), StateDict(b)
	if len(sa) != len(sb) {
		t.Fatalf("%d state tensors vs %d", len(sa), len(sb))
	}
	for i := range sa {
		if sa[i].Name != sb[i].Name || !slices.Equal(sa[i].Tensor.Shape(), sb[i].Tensor.Shape()) || !slices.Equal(sa[i].Tensor.Data(), sb[i].Tensor.Data()) {
			t.Fatalf("state %d: %q %v vs %q %v (or values differ)", i, sa[i].Name, sa[i].Tensor.Shape(), sb[i].Name, sb[i].Tensor.Shape())
		}
	}
}

// TestSpecLayersMatchGoAPI: every layer type built from a spec equals the
// module the Go API builds from the same seed, state dict for state dict.
func TestSpecLayersMatchGoAPI(t *testing.T) {
	must := func(m nn.Module, err error) nn.Module {
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	seq := func(ms ...nn.Module) nn.Module { return &nn.Sequential{Layers: ms} }
	cases := []struct {
		name, doc string
		goAPI     func(r *tensor.RNG) nn.Module
	}{
		{"linear+acts", "layers: [{type: linear, in: 4, out: 3, bias: false}, {type: gelu}, {type: silu}, {type: sigmoid}, {type: tanh}, {type: leakyrelu, slope: 0.2}, {type: softmax}]",
			func(r *tensor.RNG) nn.Module {
				return seq(must(nn.NewLinear(r, 4, 3, false)), nn.GELU{}, nn.SiLU{}, nn.Sigmoid{}, nn.Tanh{}, nn.LeakyReLU{Slope: 0.2}, nn.Softmax{Dim: -1})
			}},
		{"conv2d", "input: [2, 8, 8]\nlayers: [{type: conv2d, in: auto, out: 4, kernel: [3, 2], stride: 2, padding: 1, dilation: 1, groups: 2}, {type: batchnorm2d, features: auto}, {type: maxpool2d, kernel: 2}, {type: avgpool2d, kernel: 1}, {type: adaptiveavgpool2d, output_size: 1}, {type: flatten}, {type: linear, in: auto, out: 2}]",
			func(r *tensor.RNG) nn.Module {
				c := must(nn.NewConv2d(r, 2, 4, [2]int{3, 2}, tensor.ConvParams{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, Dilation: [2]int{1, 1}, Groups: 2}, true))
				bn := must(nn.NewBatchNorm2d(4, true))
				return seq(c, bn, &nn.MaxPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{2, 2}}}, &nn.AvgPool2d{PoolParams: tensor.PoolParams{Kernel: [2]int{1, 1}}}, &nn.AdaptiveAvgPool2d{H: 1, W: 1}, nn.NewFlatten(), must(nn.NewLinear(r, 4, 2, true)))
			}},
		{"conv1d", "input: [3, 10]\nlayers: [{type: conv1d, in: 3, out: 5, kernel: 3}, {type: maxpool1d, kernel: 2}, {type: batchnorm1d, features: 5}]",
			func(r *tensor.RNG) nn.Module {
				return seq(must(nn.NewConv1d(r, 3, 5, 3, tensor.ConvParams{}, true)), &nn.MaxPool1d{PoolParams: tensor.PoolParams{Kernel: [2]int{2}}},
					must(nn.NewBatchNorm1d(5, true)))
			}},
		{"norms+dropout+residual", "layers: [{type: layernorm, shape: [6]}, {type: rmsnorm, shape: [6], affine: false}, {type: dropout, p: 0.1, seed: 9}, {type: residual, layers: [{type: linear, in: 6, out: 6}, {type: relu}]}]",
			func(r *tensor.RNG) nn.Module {
				return seq(must(nn.NewLayerNorm(true, 6)), must(nn.NewRMSNorm(false, 6)), must(nn.NewDropout(0.1, 9)),
					&nn.Residual{Fn: seq(must(nn.NewLinear(r, 6, 6, true)), nn.ReLU{})})
			}},
		{"embedding+rnns", "input: [5]\nlayers: [{type: embedding, num: 10, dim: 4, padding_idx: 0}, {type: lstm, in: auto, hidden: 3, num_layers: 2, batch_first: true, bidirectional: true}, {type: gru, in: 6, hidden: 3, batch_first: true}, {type: rnn, in: 3, hidden: 2, nonlinearity: relu, batch_first: true, output: last}]",
			func(r *tensor.RNG) nn.Module {
				e := must(nn.NewEmbedding(r, 10, 4, 0))
				l := must(nn.NewLSTM(r, nn.RNNConfig{InputSize: 4, HiddenSize: 3, NumLayers: 2, BatchFirst: true, Bidirectional: true}))
				g := must(nn.NewGRU(r, nn.RNNConfig{InputSize: 6, HiddenSize: 3, BatchFirst: true}))
				rn := must(nn.NewRNN(r, nn.RNNReLU, nn.RNNConfig{InputSize: 3, HiddenSize: 2, BatchFirst: true}))
				return seq(e, l, g, rn)
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := ParseSpec([]byte("type: sequential\nseed: 7\n" + c.doc))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Build(s)
			if err != nil {
				t.Fatal(err)
			}
			sameState(t, c.goAPI(tensor.NewRNG(7)), m)
			// The spec survives the JSON a checkpoint stores.
			b, _ := s.JSON()
			s2, err := ParseSpec(b)
			if err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			m2, err := Build(s2)
			if err != nil {
				t.Fatal(err)
			}
			sameState(t, m, m2)
		})
	}
}

func TestSpecArchitectures(t *testing.T) {
	s, _ := ParseSpec([]byte("type: gpt\nseed: 3\ngpt: {vocab: auto, context: 8, d_model: 16, heads: 2, layers: 2}\n"))
	if _, err := Build(s); err == nil || !strings.Contains(err.Error(), "gpt.vocab") {
		t.Fatalf("auto vocab without FillAuto: %v", err)
	}
	s.FillAuto(11, 11)
	m, err := Build(s)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := nn.NewGPT(tensor.NewRNG(3), nn.GPTConfig{Vocab: 11, Context: 8, DModel: 16, Heads: 2, Layers: 2})
	sameState(t, g, m)
	if _, ok := m.(*nn.GPT); !ok {
		t.Fatalf("a gpt spec builds %T, want *nn.GPT", m)
	}
	x, _ := tensor.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	y, err := m.Forward(x)
	if err != nil || !slices.Equal(y.Shape(), []int{2, 3, 11}) {
		t.Fatalf("gpt forward: %v %v", y, err)
	}
	// cnn is its expanded sequential spec, and infers the flatten size.
	c, _ := ParseSpec([]byte("type: cnn\nseed: 2\ninput: [1, 12, 12]\ncnn: {channels: [4, 8], hidden: [16], classes: 3, batchnorm: true, dropout: 0.2}\n"))
	seq, err := c.Sequential()
	if err != nil {
		t.Fatal(err)
	}
	a, err := Build(c)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(seq)
	if err != nil {
		t.Fatal(err)
	}
	sameState(t, a, b)
	if out, _ := OutputShape(c); !slices.Equal(out, []int{3}) {
		t.Errorf("cnn output shape %v", out)
	}
	if ps := a.Parameters(); ps[len(ps)-2].Name != "12.weight" || !slices.Equal(ps[len(ps)-2].Tensor.Shape(), []int{3, 16}) {
		t.Errorf("head %q %v", ps[len(ps)-2].Name, ps[len(ps)-2].Tensor.Shape())
	}
	if w := a.Parameters()[0]; w.Name != "0.weight" || !slices.Equal(w.Tensor.Shape(), []int{4, 1, 3, 3}) {
		t.Errorf("first conv %q %v", w.Name, w.Tensor.Shape())
	}
}

func TestSpecLayerErrors(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"layers: [{type: linear, in: auto, out: 2}]", `layers[0] (linear).in: "auto" needs the spec's input shape`},
		{"input: [4]\nlayers: [{type: linear, in: 5, out: 2}]", "layers[0] (linear): does not accept its input of shape [1 4]"},
		{"layers: [{type: conv2d, in: 1, out: 2}]", "layers[0] (conv2d).kernel: missing"},
		{"layers: [{type: conv1d, in: 1, out: 2, kernel: [3, 2]}]", "layers[0] (conv1d).kernel: a 1-d layer takes one number"},
		{"layers: [{type: conv2d, in: 3, out: 4, kernel: 3, groups: 2}]", "layers[0] (conv2d).groups"},
		{"layers: [{type: dropout, p: 1.5}]", "layers[0] (dropout).p"},
		{"layers: [{type: lstm, in: 3, hidden: 2, output: first}]", "layers[0] (lstm).output"},
		{"layers: [{type: gru, in: 3, hidden: 2, nonlinearity: relu}]", "layers[0] (gru).nonlinearity"},
		{"layers: [{type: residual, layers: [{type: linear, in: 2, ouy: 3}]}]", "field ouy not found"},
		{"layers: [{type: residual, layers: [{type: linear, in: 2, out: 3, kernel: 2}]}]", "layers[0] (residual).layers[0] (linear).kernel: is not an argument"},
		{"layers: [{type: embedding, num: auto, dim: 3}]", "layers[0] (embedding).num"},
		{"layers: [{type: layernorm}]", "layers[0] (layernorm).shape: missing"},
		{"sizes: [1, 2]\nlayers: [{type: relu}]", "sizes: is not a field of a sequential spec"},
	} {
		s, err := ParseSpec([]byte("type: sequential\n" + c.doc))
		if err == nil {
			_, err = Build(s)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want one mentioning %q", c.doc, err, c.want)
		}
	}
	for _, doc := range []string{"type: gpt\ngpt: {vocab: 5, context: 4, d_model: 6, heads: 4, layers: 1}", "type: cnn\ncnn: {classes: 2}"} {
		s, _ := ParseSpec([]byte(doc))
		var se *SpecError
		if _, err := Build(s); !errors.As(err, &se) {
			t.Errorf("%q: %v, want a *SpecError", doc, err)
		}
	}
}
