package ckpt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Spec is a declarative model description, written as JSON or YAML:
//
//	type: sequential
//	seed: 1
//	input: [1, 28, 28]
//	layers:
//	  - {type: conv2d, in: 1, out: 8, kernel: 3, padding: 1}
//	  - {type: relu}
//	  - {type: maxpool2d, kernel: 2}
//	  - {type: flatten}
//	  - {type: linear, in: auto, out: 10}
//
// or a named architecture:
//
//	type: mlp
//	sizes: [784, 512, 512, 10]
//
// Build turns a Spec into the same Module, with the same state_dict names
// and (for the same seed) the same initial weights, as the Go API: the
// "mlp" spec above builds what nn.NewMLP(tensor.NewRNG(seed), 784, 512,
// 512, 10) builds, and so does the equivalent "sequential" spec. The
// layers draw their initial weights from one tensor.NewRNG(Seed), in
// order. docs/formats/model-spec.md documents every field.
type Spec struct {
	// Type is "sequential" or the name of an architecture (see
	// Architectures).
	Type string `json:"type" yaml:"type"`
	// Seed seeds the initialisers (tensor.NewRNG(Seed)); weights loaded
	// from a checkpoint replace them.
	Seed uint64 `json:"seed,omitempty" yaml:"seed,omitempty"`
	// Input is the shape of one sample without the batch dimension, e.g.
	// [1, 28, 28] or [13]. When set, Build checks every layer against it
	// and infers the sizes written "auto"; the cnn architecture needs it.
	Input []int `json:"input,omitempty" yaml:"input,omitempty"`
	// Layers are a sequential model's layers, in order.
	Layers []Layer `json:"layers,omitempty" yaml:"layers,omitempty"`
	// Sizes are an MLP's layer widths: input, hidden…, output.
	Sizes []int `json:"sizes,omitempty" yaml:"sizes,omitempty"`
	// CNN configures the cnn architecture.
	CNN *CNNSpec `json:"cnn,omitempty" yaml:"cnn,omitempty"`
	// GPT configures the gpt architecture.
	GPT *GPTSpec `json:"gpt,omitempty" yaml:"gpt,omitempty"`
}

// CNNSpec is the cnn architecture, a LeNet-style convenience over an
// input [C, H, W]: for each entry of Channels a conv2d (Kernel, "same"
// padding Kernel/2), an optional batchnorm2d, relu and a 2×2 max pool;
// then flatten, for each entry of Hidden a linear layer, relu and an
// optional dropout; then a linear layer to Classes. It builds exactly
// the sequential spec that Spec.Sequential returns.
type CNNSpec struct {
	Channels  []int   `json:"channels,omitempty" yaml:"channels,omitempty"`   // default [32, 64]
	Kernel    int     `json:"kernel,omitempty" yaml:"kernel,omitempty"`       // default 3
	Hidden    []int   `json:"hidden,omitempty" yaml:"hidden,omitempty"`       // default [128]
	Classes   int     `json:"classes" yaml:"classes"`                         // required
	BatchNorm bool    `json:"batchnorm,omitempty" yaml:"batchnorm,omitempty"` // batchnorm2d after each conv
	Dropout   float64 `json:"dropout,omitempty" yaml:"dropout,omitempty"`     // dropout after each hidden layer
}

// GPTSpec is the gpt architecture: nn.GPTConfig's fields. Vocab may be
// "auto", filled from the tokenizer by Spec.SetVocab (kaiwu train does).
type GPTSpec struct {
	Vocab      Dim     `json:"vocab" yaml:"vocab"`
	Context    int     `json:"context" yaml:"context"`
	DModel     int     `json:"d_model" yaml:"d_model"`
	Heads      int     `json:"heads" yaml:"heads"`
	Layers     int     `json:"layers" yaml:"layers"`
	FFN        int     `json:"ffn,omitempty" yaml:"ffn,omitempty"` // default 4·d_model
	Dropout    float64 `json:"dropout,omitempty" yaml:"dropout,omitempty"`
	Activation string  `json:"activation,omitempty" yaml:"activation,omitempty"` // gelu (default) or relu
	TiedHead   bool    `json:"tied_head,omitempty" yaml:"tied_head,omitempty"`
}

// Layer is one layer of a sequential Spec. Type selects the layer; the
// other fields are its arguments (see LayerFields for which a type
// takes). A field the type does not take must be absent, so a misplaced
// argument is an error rather than silently ignored. Sizes written
// "auto" are inferred from Spec.Input.
type Layer struct {
	// Type is the layer kind, lower case (see LayerTypes).
	Type string `json:"type" yaml:"type"`
	// In is linear in_features, conv in_channels or rnn input_size;
	// Out is linear out_features (may be "auto": the number of classes,
	// or the vocabulary of a language model, see Spec.FillAuto) or conv
	// out_channels.
	In  Dim `json:"in,omitempty" yaml:"in,omitempty"`
	Out Dim `json:"out,omitempty" yaml:"out,omitempty"`
	// Bias turns a layer's bias off when false (default true).
	Bias *bool `json:"bias,omitempty" yaml:"bias,omitempty"`
	// Convolution and pooling geometry: a number or [height, width].
	Kernel   Pair `json:"kernel,omitempty" yaml:"kernel,omitempty"`
	Stride   Pair `json:"stride,omitempty" yaml:"stride,omitempty"`
	Padding  Pair `json:"padding,omitempty" yaml:"padding,omitempty"`
	Dilation Pair `json:"dilation,omitempty" yaml:"dilation,omitempty"`
	Groups   int  `json:"groups,omitempty" yaml:"groups,omitempty"`
	// OutputSize is adaptiveavgpool2d's output size.
	OutputSize Pair `json:"output_size,omitempty" yaml:"output_size,omitempty"`
	// StartDim and EndDim are flatten's (default 1 and -1).
	StartDim *int `json:"start_dim,omitempty" yaml:"start_dim,omitempty"`
	EndDim   *int `json:"end_dim,omitempty" yaml:"end_dim,omitempty"`
	// Features is batchnorm's num_features.
	Features Dim `json:"features,omitempty" yaml:"features,omitempty"`
	// Shape is layernorm's and rmsnorm's normalized_shape.
	Shape []int `json:"shape,omitempty" yaml:"shape,omitempty"`
	// Eps, Momentum and Affine are the normalisation layers' arguments
	// (affine is elementwise_affine for layernorm and rmsnorm).
	Eps      *float64 `json:"eps,omitempty" yaml:"eps,omitempty"`
	Momentum *float64 `json:"momentum,omitempty" yaml:"momentum,omitempty"`
	Affine   *bool    `json:"affine,omitempty" yaml:"affine,omitempty"`
	// P is dropout's probability (default 0.5); Seed seeds its masks
	// (default: the spec's seed plus the layer's position in build order).
	P    *float64 `json:"p,omitempty" yaml:"p,omitempty"`
	Seed *uint64  `json:"seed,omitempty" yaml:"seed,omitempty"`
	// Num and Dim are embedding's num_embeddings (may be "auto": the
	// vocabulary) and embedding_dim; Dim is also softmax's dim (default
	// -1). PaddingIdx is embedding's padding_idx (default none).
	Num        Dim  `json:"num,omitempty" yaml:"num,omitempty"`
	Dim        *int `json:"dim,omitempty" yaml:"dim,omitempty"`
	PaddingIdx *int `json:"padding_idx,omitempty" yaml:"padding_idx,omitempty"`
	// Slope is leakyrelu's negative_slope (default 0.01).
	Slope *float64 `json:"slope,omitempty" yaml:"slope,omitempty"`
	// Recurrent layers: hidden_size, num_layers (default 1),
	// nonlinearity (rnn: tanh or relu), bidirectional, batch_first,
	// dropout between layers, and Output: "sequence" (default, the
	// output at every step) or "last" (the top layer's final hidden
	// state, [B, H] or [B, 2·H] bidirectional).
	Hidden        int     `json:"hidden,omitempty" yaml:"hidden,omitempty"`
	NumLayers     int     `json:"num_layers,omitempty" yaml:"num_layers,omitempty"`
	Nonlinearity  string  `json:"nonlinearity,omitempty" yaml:"nonlinearity,omitempty"`
	Bidirectional bool    `json:"bidirectional,omitempty" yaml:"bidirectional,omitempty"`
	BatchFirst    bool    `json:"batch_first,omitempty" yaml:"batch_first,omitempty"`
	Dropout       float64 `json:"dropout,omitempty" yaml:"dropout,omitempty"`
	Output        string  `json:"output,omitempty" yaml:"output,omitempty"`
	// Layers are a residual block's inner layers: the block computes
	// x + Sequential(Layers)(x).
	Layers []Layer `json:"layers,omitempty" yaml:"layers,omitempty"`
}

// SpecError is a Spec that cannot be built: Path says where ("layers[2]
// (linear).in", "sizes[1]") and Msg what is wrong.
type SpecError struct {
	Path string
	Msg  string
}

func (e *SpecError) Error() string {
	if e.Path == "" {
		return "ckpt: spec: " + e.Msg
	}
	return "ckpt: spec: " + e.Path + ": " + e.Msg
}

// builder carries the state of one Build: the initialiser's generator,
// the count of layers built (for default dropout seeds) and the shape
// flowing through the model, [1, Input...], or nil when unknown.
type builder struct {
	rng   *tensor.RNG
	seed  uint64
	count int
	shape []int
}

// layerBuilder builds one layer type of a sequential spec.
type layerBuilder struct {
	fields []string // the Layer fields the type takes, besides type
	build  func(b *builder, l Layer, path string) (nn.Module, error)
}

// layerBuilders is filled in init, since residual refers back to it.
var layerBuilders map[string]layerBuilder

func init() {
	act := func(m nn.Module) layerBuilder {
		return layerBuilder{build: func(*builder, Layer, string) (nn.Module, error) { return m, nil }}
	}
	layerBuilders = map[string]layerBuilder{
		"linear":            {fields: []string{"in", "out", "bias"}, build: buildLinear},
		"conv1d":            {fields: []string{"in", "out", "kernel", "stride", "padding", "dilation", "groups", "bias"}, build: buildConv},
		"conv2d":            {fields: []string{"in", "out", "kernel", "stride", "padding", "dilation", "groups", "bias"}, build: buildConv},
		"maxpool1d":         {fields: []string{"kernel", "stride", "padding"}, build: buildPool},
		"maxpool2d":         {fields: []string{"kernel", "stride", "padding"}, build: buildPool},
		"avgpool2d":         {fields: []string{"kernel", "stride", "padding"}, build: buildPool},
		"adaptiveavgpool2d": {fields: []string{"output_size"}, build: buildPool},
		"flatten": {fields: []string{"start_dim", "end_dim"}, build: func(_ *builder, l Layer, _ string) (nn.Module, error) {
			f := nn.NewFlatten()
			if l.StartDim != nil {
				f.StartDim = *l.StartDim
			}
			if l.EndDim != nil {
				f.EndDim = *l.EndDim
			}
			return f, nil
		}},
		"batchnorm1d": {fields: []string{"features", "eps", "momentum", "affine"}, build: buildBatchNorm},
		"batchnorm2d": {fields: []string{"features", "eps", "momentum", "affine"}, build: buildBatchNorm},
		"layernorm":   {fields: []string{"shape", "eps", "affine"}, build: buildNorm},
		"rmsnorm":     {fields: []string{"shape", "eps", "affine"}, build: buildNorm},
		"dropout": {fields: []string{"p", "seed"}, build: func(b *builder, l Layer, path string) (nn.Module, error) {
			p := 0.5
			if l.P != nil {
				p = *l.P
			}
			if !(p >= 0 && p < 1) {
				return nil, &SpecError{path + ".p", fmt.Sprintf("must be in [0, 1), got %g", p)}
			}
			seed := b.seed + uint64(b.count)
			if l.Seed != nil {
				seed = *l.Seed
			}
			return nn.NewDropout(p, seed)
		}},
		"embedding": {fields: []string{"num", "dim", "padding_idx"}, build: func(b *builder, l Layer, path string) (nn.Module, error) {
			if l.Num == Auto {
				return nil, &SpecError{path + ".num", `"auto" is the vocabulary size, which was not given (kaiwu train fills it from the tokenizer; see Spec.FillAuto)`}
			}
			if err := positive(path, "num", int(l.Num)); err != nil {
				return nil, err
			}
			if l.Dim == nil {
				return nil, &SpecError{path + ".dim", "missing (the embedding size)"}
			}
			if err := positive(path, "dim", *l.Dim); err != nil {
				return nil, err
			}
			pad := -1
			if l.PaddingIdx != nil {
				pad = *l.PaddingIdx
				if pad < 0 || pad >= int(l.Num) {
					return nil, &SpecError{path + ".padding_idx", fmt.Sprintf("%d is outside [0, %d)", pad, l.Num)}
				}
			}
			return nn.NewEmbedding(b.rng, int(l.Num), *l.Dim, pad)
		}},
		"relu":    act(nn.ReLU{}),
		"gelu":    act(nn.GELU{}),
		"silu":    act(nn.SiLU{}),
		"sigmoid": act(nn.Sigmoid{}),
		"tanh":    act(nn.Tanh{}),
		"leakyrelu": {fields: []string{"slope"}, build: func(_ *builder, l Layer, _ string) (nn.Module, error) {
			m := nn.NewLeakyReLU()
			if l.Slope != nil {
				m.Slope = *l.Slope
			}
			return m, nil
		}},
		"softmax": {fields: []string{"dim"}, build: func(_ *builder, l Layer, _ string) (nn.Module, error) {
			d := -1
			if l.Dim != nil {
				d = *l.Dim
			}
			return nn.Softmax{Dim: d}, nil
		}},
		"residual": {fields: []string{"layers"}, build: func(b *builder, l Layer, path string) (nn.Module, error) {
			if len(l.Layers) == 0 {
				return nil, &SpecError{path + ".layers", "a residual block needs at least one layer"}
			}
			saved := slices.Clone(b.shape)
			inner, err := b.sequential(l.Layers, path+".layers")
			b.shape = saved
			if err != nil {
				return nil, err
			}
			return &nn.Residual{Fn: inner}, nil
		}},
		"rnn":  {fields: rnnFields, build: buildRNN},
		"lstm": {fields: rnnFields, build: buildRNN},
		"gru":  {fields: rnnFields, build: buildRNN},
	}
}

var rnnFields = []string{"in", "hidden", "num_layers", "nonlinearity", "bias", "bidirectional", "batch_first", "dropout", "output"}

// auto resolves a Dim: a positive value as is, Auto from the current
// shape's dimension dim (negative counts from the end).
func (b *builder) auto(d Dim, dim int, path, field string) (int, error) {
	if d != Auto {
		if err := positive(path, field, int(d)); err != nil {
			return 0, err
		}
		return int(d), nil
	}
	if b.shape == nil {
		return 0, &SpecError{path + "." + field, `"auto" needs the spec's input shape (input: [...])`}
	}
	if dim < 0 {
		dim += len(b.shape)
	}
	if dim < 0 || dim >= len(b.shape) {
		return 0, &SpecError{path + "." + field, fmt.Sprintf("cannot infer it from the input shape %v", b.shape[1:])}
	}
	return b.shape[dim], nil
}

func buildLinear(b *builder, l Layer, path string) (nn.Module, error) {
	in, err := b.auto(l.In, -1, path, "in")
	if err != nil {
		return nil, err
	}
	if l.Out == Auto {
		return nil, &SpecError{path + ".out", `"auto" is the number of outputs, which was not given (kaiwu train fills it from the data)`}
	}
	if err := positive(path, "out", int(l.Out)); err != nil {
		return nil, err
	}
	return nn.NewLinear(b.rng, in, int(l.Out), l.Bias == nil || *l.Bias)
}

// geometry checks a Pair: zero means the default; one-dimensional layers
// take a single number.
func geometry(path, field string, p Pair, oneD bool, min int) error {
	if oneD && !p.single() {
		return &SpecError{path + "." + field, fmt.Sprintf("a 1-d layer takes one number, got %v", [2]int(p))}
	}
	if p[0] < min || p[1] < min {
		return &SpecError{path + "." + field, fmt.Sprintf("must be at least %d, got %v", min, [2]int(p))}
	}
	return nil
}

func buildConv(b *builder, l Layer, path string) (nn.Module, error) {
	oneD := strings.HasSuffix(l.Type, "1d")
	in, err := b.auto(l.In, 1, path, "in")
	if err != nil {
		return nil, err
	}
	if err := positive(path, "out", int(l.Out)); err != nil {
		return nil, err
	}
	out := int(l.Out)
	if l.Kernel == (Pair{}) {
		return nil, &SpecError{path + ".kernel", "missing (the kernel size)"}
	}
	for _, g := range []struct {
		name string
		p    Pair
		min  int
	}{{"kernel", l.Kernel, 1}, {"stride", l.Stride, 0}, {"padding", l.Padding, 0}, {"dilation", l.Dilation, 0}} {
		if err := geometry(path, g.name, g.p, oneD, g.min); err != nil {
			return nil, err
		}
	}
	groups := max(l.Groups, 1)
	if l.Groups < 0 || in%groups != 0 || out%groups != 0 {
		return nil, &SpecError{path + ".groups", fmt.Sprintf("%d must divide in %d and out %d", l.Groups, in, l.Out)}
	}
	p := tensor.ConvParams{Stride: l.Stride, Padding: l.Padding, Dilation: l.Dilation, Groups: l.Groups}
	bias := l.Bias == nil || *l.Bias
	if oneD {
		p.Stride[1], p.Padding[1], p.Dilation[1] = 0, 0, 0
		return nn.NewConv1d(b.rng, in, out, l.Kernel[0], p, bias)
	}
	return nn.NewConv2d(b.rng, in, out, l.Kernel, p, bias)
}

func buildPool(_ *builder, l Layer, path string) (nn.Module, error) {
	if l.Type == "adaptiveavgpool2d" {
		if err := geometry(path, "output_size", l.OutputSize, false, 1); err != nil {
			return nil, err
		}
		return &nn.AdaptiveAvgPool2d{H: l.OutputSize[0], W: l.OutputSize[1]}, nil
	}
	oneD := l.Type == "maxpool1d"
	if l.Kernel == (Pair{}) {
		return nil, &SpecError{path + ".kernel", "missing (the window size)"}
	}
	for _, g := range []struct {
		name string
		p    Pair
		min  int
	}{{"kernel", l.Kernel, 1}, {"stride", l.Stride, 0}, {"padding", l.Padding, 0}} {
		if err := geometry(path, g.name, g.p, oneD, g.min); err != nil {
			return nil, err
		}
	}
	p := tensor.PoolParams{Kernel: l.Kernel, Stride: l.Stride, Padding: l.Padding}
	switch l.Type {
	case "maxpool1d":
		p.Kernel[1], p.Stride[1], p.Padding[1] = 0, 0, 0
		return &nn.MaxPool1d{PoolParams: p}, nil
	case "maxpool2d":
		return &nn.MaxPool2d{PoolParams: p}, nil
	}
	return &nn.AvgPool2d{PoolParams: p}, nil
}

func buildBatchNorm(b *builder, l Layer, path string) (nn.Module, error) {
	c, err := b.auto(l.Features, 1, path, "features")
	if err != nil {
		return nil, err
	}
	m, err := nn.NewBatchNorm(c, l.Affine == nil || *l.Affine)
	if err != nil {
		return nil, err
	}
	if l.Eps != nil {
		m.Eps = *l.Eps
	}
	if l.Momentum != nil {
		m.Momentum = *l.Momentum
	}
	return m, nil
}

func buildNorm(b *builder, l Layer, path string) (nn.Module, error) {
	if len(l.Shape) == 0 {
		return nil, &SpecError{path + ".shape", "missing (the normalized shape, e.g. [64])"}
	}
	for i, s := range l.Shape {
		if s < 1 {
			return nil, &SpecError{fmt.Sprintf("%s.shape[%d]", path, i), fmt.Sprintf("must be a positive size, got %d", s)}
		}
	}
	affine := l.Affine == nil || *l.Affine
	if l.Type == "layernorm" {
		m, err := nn.NewLayerNorm(affine, l.Shape...)
		if err == nil && l.Eps != nil {
			m.Eps = *l.Eps
		}
		return m, err
	}
	m, err := nn.NewRMSNorm(affine, l.Shape...)
	if err == nil && l.Eps != nil {
		m.Eps = *l.Eps
	}
	return m, err
}

func buildRNN(b *builder, l Layer, path string) (nn.Module, error) {
	in, err := b.auto(l.In, -1, path, "in")
	if err != nil {
		return nil, err
	}
	if err := positive(path, "hidden", l.Hidden); err != nil {
		return nil, err
	}
	if l.NumLayers < 0 {
		return nil, &SpecError{path + ".num_layers", fmt.Sprintf("must be positive, got %d", l.NumLayers)}
	}
	if !(l.Dropout >= 0 && l.Dropout < 1) {
		return nil, &SpecError{path + ".dropout", fmt.Sprintf("must be in [0, 1), got %g", l.Dropout)}
	}
	mode := map[string]nn.RNNMode{"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNNTanh}[l.Type]
	switch l.Nonlinearity {
	case "", "tanh":
	case "relu":
		mode = nn.RNNReLU
	default:
		return nil, &SpecError{path + ".nonlinearity", fmt.Sprintf("unknown %q (want tanh or relu)", l.Nonlinearity)}
	}
	if l.Nonlinearity != "" && l.Type != "rnn" {
		return nil, &SpecError{path + ".nonlinearity", "is not an argument of this layer type"}
	}
	last := false
	switch l.Output {
	case "", "sequence":
	case "last":
		last = true
	default:
		return nil, &SpecError{path + ".output", fmt.Sprintf("unknown %q (want sequence or last)", l.Output)}
	}
	r, err := nn.NewRNN(b.rng, mode, nn.RNNConfig{InputSize: in, HiddenSize: l.Hidden, NumLayers: l.NumLayers,
		NoBias: l.Bias != nil && !*l.Bias, BatchFirst: l.BatchFirst, Bidirectional: l.Bidirectional, Dropout: l.Dropout})
	if err != nil {
		return nil, err
	}
	return &RNNLayer{RNN: r, Last: last}, nil
}

// LayerTypes lists the layer types a sequential Spec may use.
func LayerTypes() []string {
	out := make([]string, 0, len(layerBuilders))
	for k := range layerBuilders {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// LayerFields lists the argument fields (JSON names) that a layer type
// takes, or nil for an unknown type.
func LayerFields(typ string) []string {
	b, ok := layerBuilders[typ]
	if !ok {
		return nil
	}
	return slices.Clone(b.fields)
}

// Architectures lists the model types a Spec's Type may give.
func Architectures() []string { return []string{"cnn", "gpt", "mlp", "sequential"} }

func positive(path, field string, v int) error {
	if v < 1 {
		return &SpecError{path + "." + field, fmt.Sprintf("must be a positive size, got %d", v)}
	}
	return nil
}

// usedFields reports the set argument fields of l, by their JSON names,
// so that a field the layer type ignores is reported rather than
// silently dropped.
func usedFields(l Layer) []string {
	var out []string
	v, t := reflect.ValueOf(l), reflect.TypeOf(l)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "type" && !v.Field(i).IsZero() {
			out = append(out, name)
		}
	}
	return out
}

// sequential builds layers in order into a Sequential, tracking the
// shape through them when it is known.
func (b *builder) sequential(layers []Layer, prefix string) (*nn.Sequential, error) {
	s := &nn.Sequential{}
	for i, l := range layers {
		path := fmt.Sprintf("%s[%d]", prefix, i)
		l.Type = strings.ToLower(l.Type)
		lb, ok := layerBuilders[l.Type]
		if !ok {
			return nil, &SpecError{path + ".type", fmt.Sprintf("unknown layer type %q (known: %s)", l.Type, strings.Join(LayerTypes(), ", "))}
		}
		path += " (" + l.Type + ")"
		for _, f := range usedFields(l) {
			if !slices.Contains(lb.fields, f) {
				return nil, &SpecError{path + "." + f, "is not an argument of this layer type"}
			}
		}
		b.count++
		m, err := lb.build(b, l, path)
		if err != nil {
			var se *SpecError
			if errors.As(err, &se) {
				return nil, err
			}
			return nil, &SpecError{path, err.Error()}
		}
		if err := b.probe(m, path); err != nil {
			return nil, err
		}
		s.Layers = append(s.Layers, m)
	}
	return s, nil
}

// probe runs m in evaluation mode, without a graph, on zeros of the
// current shape to learn its output shape; a layer that rejects its
// input is a SpecError naming it and the shape.
func (b *builder) probe(m nn.Module, path string) error {
	if b.shape == nil {
		return nil
	}
	x, err := tensor.Zeros(b.shape...)
	if err != nil {
		return &SpecError{path, err.Error()}
	}
	setMode(m, false)
	defer setMode(m, true)
	var y *tensor.Tensor
	tensor.NoGrad(func() { y, err = m.Forward(x) })
	if err != nil {
		return &SpecError{path, fmt.Sprintf("does not accept its input of shape %v (one sample: %v): %v", b.shape, b.shape[1:], err)}
	}
	b.shape = slices.Clone(y.Shape())
	return nil
}

// Build constructs the Module that spec describes, initialised from
// tensor.NewRNG(spec.Seed). Errors are *SpecError values naming the layer
// index, its type and the field.
func Build(spec *Spec) (nn.Module, error) {
	m, _, err := build(spec)
	return m, err
}

// OutputShape builds spec and reports the shape of one sample's output,
// inferred from spec.Input (nil when the spec has no input shape).
func OutputShape(spec *Spec) ([]int, error) {
	_, shape, err := build(spec)
	if err != nil || shape == nil {
		return nil, err
	}
	return shape[1:], nil
}

func build(spec *Spec) (nn.Module, []int, error) {
	if spec == nil {
		return nil, nil, &SpecError{"", "nil spec"}
	}
	b := &builder{rng: tensor.NewRNG(spec.Seed), seed: spec.Seed}
	for i, d := range spec.Input {
		if d < 1 {
			return nil, nil, &SpecError{fmt.Sprintf("input[%d]", i), fmt.Sprintf("must be a positive size, got %d", d)}
		}
	}
	if len(spec.Input) > 0 {
		b.shape = append([]int{1}, spec.Input...)
	}
	typ := strings.ToLower(spec.Type)
	if err := onlyFields(spec, typ); err != nil {
		return nil, nil, err
	}
	switch typ {
	case "sequential":
		if len(spec.Layers) == 0 {
			return nil, nil, &SpecError{"layers", "a sequential spec needs at least one layer"}
		}
		s, err := b.sequential(spec.Layers, "layers")
		return s, b.shape, err
	case "cnn":
		seq, err := spec.Sequential()
		if err != nil {
			return nil, nil, err
		}
		s, err := b.sequential(seq.Layers, "cnn: layers")
		return s, b.shape, err
	case "mlp":
		if len(spec.Sizes) < 2 {
			return nil, nil, &SpecError{"sizes", fmt.Sprintf("an mlp needs at least an input and an output size, got %v", spec.Sizes)}
		}
		for i, n := range spec.Sizes {
			if n < 1 {
				return nil, nil, &SpecError{fmt.Sprintf("sizes[%d]", i), fmt.Sprintf("must be a positive size, got %d", n)}
			}
		}
		m, err := nn.NewMLP(b.rng, spec.Sizes...)
		if err != nil {
			return nil, nil, err
		}
		if err := b.probe(m, "sizes"); err != nil {
			return nil, nil, err
		}
		return m, b.shape, nil
	case "gpt":
		g := spec.GPT
		if g == nil {
			return nil, nil, &SpecError{"gpt", "missing (vocab, context, d_model, heads, layers)"}
		}
		if g.Vocab == Auto {
			return nil, nil, &SpecError{"gpt.vocab", `"auto" is the vocabulary size, which was not given (kaiwu train fills it from the tokenizer; see Spec.FillAuto)`}
		}
		for _, f := range []struct {
			name string
			v    int
		}{{"vocab", int(g.Vocab)}, {"context", g.Context}, {"d_model", g.DModel}, {"heads", g.Heads}, {"layers", g.Layers}} {
			if err := positive("gpt", f.name, f.v); err != nil {
				return nil, nil, err
			}
		}
		if g.DModel%g.Heads != 0 {
			return nil, nil, &SpecError{"gpt.heads", fmt.Sprintf("%d must divide d_model %d", g.Heads, g.DModel)}
		}
		if g.FFN < 0 {
			return nil, nil, &SpecError{"gpt.ffn", fmt.Sprintf("must be positive, got %d", g.FFN)}
		}
		if !(g.Dropout >= 0 && g.Dropout < 1) {
			return nil, nil, &SpecError{"gpt.dropout", fmt.Sprintf("must be in [0, 1), got %g", g.Dropout)}
		}
		switch g.Activation {
		case "", "gelu", "relu":
		default:
			return nil, nil, &SpecError{"gpt.activation", fmt.Sprintf("unknown %q (want gelu or relu)", g.Activation)}
		}
		m, err := nn.NewGPT(b.rng, g.Config())
		if err != nil {
			return nil, nil, &SpecError{"gpt", err.Error()}
		}
		// *nn.GPT is a Module: Forward takes token ids [B, T] as floats.
		return m, nil, nil
	case "":
		return nil, nil, &SpecError{"type", "missing (want one of " + strings.Join(Architectures(), ", ") + ")"}
	}
	return nil, nil, &SpecError{"type", fmt.Sprintf("unknown model type %q (known: %s)", spec.Type, strings.Join(Architectures(), ", "))}
}

// onlyFields rejects the top-level fields that belong to another model
// type (an mlp with layers, a sequential spec with a gpt block).
func onlyFields(s *Spec, typ string) error {
	allowed := map[string][]string{"sequential": {"layers"}, "mlp": {"sizes"}, "cnn": {"cnn"}, "gpt": {"gpt"}}[typ]
	for _, f := range []struct {
		name string
		set  bool
	}{{"layers", len(s.Layers) > 0}, {"sizes", len(s.Sizes) > 0}, {"cnn", s.CNN != nil}, {"gpt", s.GPT != nil}} {
		if f.set && allowed != nil && !slices.Contains(allowed, f.name) {
			return &SpecError{f.name, fmt.Sprintf("is not a field of a %s spec (it takes %s)", typ, strings.Join(allowed, ", "))}
		}
	}
	if typ == "gpt" && len(s.Input) > 0 {
		return &SpecError{"input", "a gpt spec takes token ids; its input is set by gpt.context"}
	}
	return nil
}

// Config returns the nn.GPTConfig the spec describes.
func (g *GPTSpec) Config() nn.GPTConfig {
	return nn.GPTConfig{Vocab: int(g.Vocab), Context: g.Context, DModel: g.DModel, Heads: g.Heads, Layers: g.Layers,
		FFN: g.FFN, Dropout: g.Dropout, Activation: nn.Activation(g.Activation), TiedHead: g.TiedHead}
}

// Sequential returns the sequential spec that a cnn spec stands for (see
// CNNSpec); it has the same seed and input, so it builds the same model.
func (s *Spec) Sequential() (*Spec, error) {
	c := s.CNN
	if c == nil {
		return nil, &SpecError{"cnn", "missing (channels, kernel, hidden, classes)"}
	}
	if len(s.Input) != 3 {
		return nil, &SpecError{"input", fmt.Sprintf("a cnn needs the input shape [channels, height, width], got %v", s.Input)}
	}
	channels, kernel, hidden := c.Channels, c.Kernel, c.Hidden
	if channels == nil {
		channels = []int{32, 64}
	}
	if kernel == 0 {
		kernel = 3
	}
	if hidden == nil {
		hidden = []int{128}
	}
	if err := positive("cnn", "classes", c.Classes); err != nil {
		return nil, err
	}
	if err := positive("cnn", "kernel", kernel); err != nil {
		return nil, err
	}
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		return nil, &SpecError{"cnn.dropout", fmt.Sprintf("must be in [0, 1), got %g", c.Dropout)}
	}
	var ls []Layer
	in := s.Input[0]
	for i, ch := range channels {
		if ch < 1 {
			return nil, &SpecError{fmt.Sprintf("cnn.channels[%d]", i), fmt.Sprintf("must be a positive size, got %d", ch)}
		}
		ls = append(ls, Layer{Type: "conv2d", In: Dim(in), Out: Dim(ch), Kernel: Pair{kernel, kernel}, Padding: Pair{kernel / 2, kernel / 2}})
		if c.BatchNorm {
			ls = append(ls, Layer{Type: "batchnorm2d", Features: Dim(ch)})
		}
		ls = append(ls, Layer{Type: "relu"}, Layer{Type: "maxpool2d", Kernel: Pair{2, 2}})
		in = ch
	}
	ls = append(ls, Layer{Type: "flatten"})
	for i, h := range hidden {
		if h < 1 {
			return nil, &SpecError{fmt.Sprintf("cnn.hidden[%d]", i), fmt.Sprintf("must be a positive size, got %d", h)}
		}
		ls = append(ls, Layer{Type: "linear", In: Auto, Out: Dim(h)}, Layer{Type: "relu"})
		if c.Dropout > 0 {
			p := c.Dropout
			ls = append(ls, Layer{Type: "dropout", P: &p})
		}
	}
	ls = append(ls, Layer{Type: "linear", In: Auto, Out: Dim(c.Classes)})
	return &Spec{Type: "sequential", Seed: s.Seed, Input: slices.Clone(s.Input), Layers: ls}, nil
}

// FillAuto fills the sizes written "auto" that come from the data
// rather than the input shape: gpt.vocab and an embedding's num with
// vocab, a linear layer's out with outputs (the number of classes, or
// the vocabulary of a language model). Zero leaves a size as it is.
// kaiwu train calls it before building.
func (s *Spec) FillAuto(vocab, outputs int) {
	if s.GPT != nil && s.GPT.Vocab == Auto && vocab > 0 {
		s.GPT.Vocab = Dim(vocab)
	}
	var walk func(ls []Layer)
	walk = func(ls []Layer) {
		for i := range ls {
			if ls[i].Num == Auto && vocab > 0 {
				ls[i].Num = Dim(vocab)
			}
			if ls[i].Out == Auto && outputs > 0 {
				ls[i].Out = Dim(outputs)
			}
			walk(ls[i].Layers)
		}
	}
	walk(s.Layers)
}

// ParseSpec decodes a Spec from JSON or YAML (JSON is tried first when
// the document starts with '{'). Unknown fields are errors, so a typo
// such as "ouy: 10" does not pass silently.
func ParseSpec(b []byte) (*Spec, error) {
	var s Spec
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		d := json.NewDecoder(bytes.NewReader(t))
		d.DisallowUnknownFields()
		if err := d.Decode(&s); err != nil {
			return nil, fmt.Errorf("ckpt: spec JSON: %w", err)
		}
		if d.More() {
			return nil, errors.New("ckpt: spec JSON: trailing data after the spec")
		}
		return &s, nil
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("ckpt: spec YAML: empty document")
		}
		return nil, fmt.Errorf("ckpt: spec YAML: %w", err)
	}
	return &s, nil
}

// JSON returns spec as compact JSON, the form stored in checkpoints.
func (s *Spec) JSON() ([]byte, error) { return json.Marshal(s) }
