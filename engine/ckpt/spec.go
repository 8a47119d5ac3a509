package ckpt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
//	layers:
//	  - {type: linear, in: 784, out: 512}
//	  - {type: relu}
//	  - {type: linear, in: 512, out: 10}
//
// or a named architecture:
//
//	type: mlp
//	sizes: [784, 512, 512, 10]
//
// Build turns a Spec into the same Module, with the same state_dict names
// and (for the same seed) the same initial weights, as the Go API: the
// "mlp" spec above builds what nn.NewMLP(tensor.NewRNG(seed), 784, 512,
// 512, 10) builds, and so does the equivalent "sequential" spec.
type Spec struct {
	// Type is "sequential" or the name of an architecture ("mlp").
	Type string `json:"type" yaml:"type"`
	// Seed seeds the initialisers (tensor.NewRNG(Seed)); weights loaded
	// from a checkpoint replace them.
	Seed uint64 `json:"seed,omitempty" yaml:"seed,omitempty"`
	// Layers are a sequential model's layers, in order.
	Layers []Layer `json:"layers,omitempty" yaml:"layers,omitempty"`
	// Sizes are an MLP's layer widths: input, hidden…, output.
	Sizes []int `json:"sizes,omitempty" yaml:"sizes,omitempty"`
}

// Layer is one layer of a sequential Spec. Type selects the layer; the
// other fields are its arguments, named as the PyTorch constructor's
// where there is one. Fields a layer type does not use must be zero.
type Layer struct {
	// Type is the layer kind, lower case: linear, relu (see LayerTypes).
	Type string `json:"type" yaml:"type"`
	// In and Out are a linear layer's in_features and out_features.
	In  int `json:"in,omitempty" yaml:"in,omitempty"`
	Out int `json:"out,omitempty" yaml:"out,omitempty"`
	// Bias turns a layer's bias off when false (default true).
	Bias *bool `json:"bias,omitempty" yaml:"bias,omitempty"`
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

// layerBuilder builds one layer of a sequential spec. path names the
// layer in errors ("layers[3] (linear)").
type layerBuilder struct {
	fields []string // the Layer fields the type uses, besides type
	build  func(rng *tensor.RNG, l Layer, path string) (nn.Module, error)
}

var layerBuilders = map[string]layerBuilder{
	"linear": {fields: []string{"in", "out", "bias"}, build: func(rng *tensor.RNG, l Layer, path string) (nn.Module, error) {
		if err := positive(path, "in", l.In); err != nil {
			return nil, err
		}
		if err := positive(path, "out", l.Out); err != nil {
			return nil, err
		}
		return nn.NewLinear(rng, l.In, l.Out, l.Bias == nil || *l.Bias)
	}},
	"relu": {build: func(*tensor.RNG, Layer, string) (nn.Module, error) { return nn.ReLU{}, nil }},
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

// Architectures lists the named architectures a Spec's Type may give.
func Architectures() []string { return []string{"mlp", "sequential"} }

func positive(path, field string, v int) error {
	if v < 1 {
		return &SpecError{path + "." + field, fmt.Sprintf("must be a positive size, got %d", v)}
	}
	return nil
}

// usedFields reports the non-zero argument fields of l, by their JSON
// names, so that a field the layer type ignores is reported rather than
// silently dropped.
func usedFields(l Layer) []string {
	var out []string
	if l.In != 0 {
		out = append(out, "in")
	}
	if l.Out != 0 {
		out = append(out, "out")
	}
	if l.Bias != nil {
		out = append(out, "bias")
	}
	return out
}

// Build constructs the Module that spec describes, initialised from
// tensor.NewRNG(spec.Seed). Errors are *SpecError values naming the layer
// index and the field.
func Build(spec *Spec) (nn.Module, error) {
	if spec == nil {
		return nil, &SpecError{"", "nil spec"}
	}
	rng := tensor.NewRNG(spec.Seed)
	switch strings.ToLower(spec.Type) {
	case "sequential":
		if len(spec.Sizes) > 0 {
			return nil, &SpecError{"sizes", `a sequential spec lists layers, not sizes`}
		}
		if len(spec.Layers) == 0 {
			return nil, &SpecError{"layers", "a sequential spec needs at least one layer"}
		}
		s := &nn.Sequential{}
		for i, l := range spec.Layers {
			path := fmt.Sprintf("layers[%d]", i)
			b, ok := layerBuilders[strings.ToLower(l.Type)]
			if !ok {
				return nil, &SpecError{path + ".type", fmt.Sprintf("unknown layer type %q (known: %s)", l.Type, strings.Join(LayerTypes(), ", "))}
			}
			path += " (" + strings.ToLower(l.Type) + ")"
			for _, f := range usedFields(l) {
				if !slices.Contains(b.fields, f) {
					return nil, &SpecError{path + "." + f, "is not an argument of this layer type"}
				}
			}
			m, err := b.build(rng, l, path)
			if err != nil {
				var se *SpecError
				if errors.As(err, &se) {
					return nil, err
				}
				return nil, &SpecError{path, err.Error()}
			}
			s.Layers = append(s.Layers, m)
		}
		return s, nil
	case "mlp":
		if len(spec.Layers) > 0 {
			return nil, &SpecError{"layers", "an mlp spec gives sizes, not layers"}
		}
		if len(spec.Sizes) < 2 {
			return nil, &SpecError{"sizes", fmt.Sprintf("an mlp needs at least an input and an output size, got %v", spec.Sizes)}
		}
		for i, n := range spec.Sizes {
			if n < 1 {
				return nil, &SpecError{fmt.Sprintf("sizes[%d]", i), fmt.Sprintf("must be a positive size, got %d", n)}
			}
		}
		return nn.NewMLP(rng, spec.Sizes...)
	case "":
		return nil, &SpecError{"type", "missing (want one of " + strings.Join(Architectures(), ", ") + ")"}
	}
	return nil, &SpecError{"type", fmt.Sprintf("unknown model type %q (known: %s)", spec.Type, strings.Join(Architectures(), ", "))}
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
