package ckpt

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
)

// Metadata keys kaiwu writes into a checkpoint's __metadata__.
const (
	// MetaFormat is the key safetensors.torch writes; its value "pt"
	// says the tensors follow PyTorch's layouts.
	MetaFormat = "format"
	// MetaSpec holds the model Spec as JSON.
	MetaSpec = "kaiwu.spec"
	// MetaPipeline holds the data preprocessing pipeline as JSON, so that
	// serving applies the transform the model was trained with.
	MetaPipeline = "kaiwu.pipeline"
)

// SaveOptions says what goes into a checkpoint besides the weights.
type SaveOptions struct {
	// Spec, when set, is stored so that Open can rebuild the model.
	Spec *Spec
	// Pipeline, when set, is the preprocessing pipeline's JSON; it must
	// be valid JSON.
	Pipeline json.RawMessage
	// Metadata adds free-form string entries; the kaiwu.* keys are
	// reserved.
	Metadata map[string]string
	// Extra tensors are stored after the state_dict; their names must
	// start with ReservedPrefix (LoadState skips them). The Trainer keeps
	// the optimizer state here.
	Extra []Tensor
}

// Save writes m as a checkpoint at path, atomically: its state_dict by
// PyTorch names, plus the spec, pipeline, metadata and extra tensors of o.
func Save(path string, m nn.Module, o SaveOptions) error {
	f, err := Encoded(m, o)
	if err != nil {
		return err
	}
	return WriteFile(path, f)
}

// Encoded builds the File that Save writes.
func Encoded(m nn.Module, o SaveOptions) (*File, error) {
	ts, err := State(m)
	if err != nil {
		return nil, err
	}
	for _, t := range o.Extra {
		if !strings.HasPrefix(t.Name, ReservedPrefix) {
			return nil, fmt.Errorf("ckpt: extra tensor %q must start with %q", t.Name, ReservedPrefix)
		}
		ts = append(ts, t)
	}
	meta := map[string]string{MetaFormat: "pt"}
	for k, v := range o.Metadata {
		if k == MetaSpec || k == MetaPipeline {
			return nil, fmt.Errorf("ckpt: metadata key %q is reserved", k)
		}
		meta[k] = v
	}
	if o.Spec != nil {
		if _, err := Build(o.Spec); err != nil {
			return nil, fmt.Errorf("ckpt: the spec to save does not build: %w", err)
		}
		b, err := o.Spec.JSON()
		if err != nil {
			return nil, err
		}
		meta[MetaSpec] = string(b)
	}
	if o.Pipeline != nil {
		if !json.Valid(o.Pipeline) {
			return nil, errors.New("ckpt: the pipeline is not valid JSON")
		}
		meta[MetaPipeline] = string(o.Pipeline)
	}
	return &File{Tensors: ts, Metadata: meta}, nil
}

// Checkpoint is an opened checkpoint: the model rebuilt from its spec with
// the stored weights loaded, and what else the file carried.
type Checkpoint struct {
	Model    nn.Module
	Spec     *Spec
	Pipeline json.RawMessage // nil when the file has none
	Metadata map[string]string
	File     *File // the decoded file, for Extra tensors
}

// Open reads the checkpoint at path, rebuilds its model from the stored
// spec and loads the weights, strictly (see LoadState). It fails when the
// file has no spec; use LoadModule to load weights into a model built in
// Go.
func Open(path string) (*Checkpoint, error) {
	f, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := FromFile(f)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return c, nil
}

// FromFile is Open for a decoded file.
func FromFile(f *File) (*Checkpoint, error) {
	raw, ok := f.Metadata[MetaSpec]
	if !ok {
		return nil, fmt.Errorf("ckpt: the checkpoint has no model spec (metadata key %q)", MetaSpec)
	}
	spec, err := ParseSpec([]byte(raw))
	if err != nil {
		return nil, fmt.Errorf("ckpt: the checkpoint's spec: %w", err)
	}
	m, err := Build(spec)
	if err != nil {
		return nil, err
	}
	if err := LoadState(m, f); err != nil {
		return nil, err
	}
	c := &Checkpoint{Model: m, Spec: spec, Metadata: maps.Clone(f.Metadata), File: f}
	if p, ok := f.Metadata[MetaPipeline]; ok {
		c.Pipeline = json.RawMessage(p)
	}
	return c, nil
}
