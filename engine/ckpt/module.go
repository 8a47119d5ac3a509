package ckpt

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// Buffered is implemented by modules that carry state besides their
// parameters, such as BatchNorm's running statistics. Buffers are saved
// and loaded with the parameters, under their state_dict names.
type Buffered interface {
	Buffers() []nn.Param
}

// ReservedPrefix starts the names of tensors that are not part of a
// model's state_dict (the Trainer's optimizer state, test fixtures'
// inputs). LoadModule ignores them; no PyTorch state_dict name can start
// with it, since "__" is not a valid start of a submodule attribute path
// that torch would emit for a parameter.
const ReservedPrefix = "__"

// StateDict lists m's parameters followed by its buffers (when m
// implements Buffered), in state_dict order.
func StateDict(m nn.Module) []nn.Param {
	ps := slices.Clone(m.Parameters())
	if b, ok := m.(Buffered); ok {
		ps = append(ps, b.Buffers()...)
	}
	return ps
}

// State returns m's state as float32 safetensors tensors, copying the
// data (so the result does not change as training goes on).
func State(m nn.Module) ([]Tensor, error) {
	sd := StateDict(m)
	out := make([]Tensor, 0, len(sd))
	seen := map[string]bool{}
	for _, p := range sd {
		if seen[p.Name] {
			return nil, fmt.Errorf("ckpt: the model names two tensors %q", p.Name)
		}
		seen[p.Name] = true
		if p.Tensor == nil {
			return nil, fmt.Errorf("ckpt: the model's tensor %q is nil", p.Name)
		}
		out = append(out, F32Tensor(p.Name, p.Tensor.Data(), p.Tensor.Shape()...))
	}
	return out, nil
}

// SaveModule writes m's state_dict (parameters and buffers) to path as
// safetensors, atomically, with meta as the file's __metadata__.
func SaveModule(path string, m nn.Module, meta map[string]string) error {
	ts, err := State(m)
	if err != nil {
		return err
	}
	return WriteFile(path, &File{Tensors: ts, Metadata: meta})
}

// LoadModule reads the safetensors file at path into m (see LoadState).
func LoadModule(path string, m nn.Module) error {
	f, err := ReadFile(path)
	if err != nil {
		return err
	}
	if err := LoadState(m, f); err != nil {
		return fmt.Errorf("%w (file %s)", err, path)
	}
	return nil
}

// StateError lists every way a file's tensors fail to match a model's
// state_dict, like the error of PyTorch's load_state_dict(strict=True).
type StateError struct {
	Missing    []string // in the model, not in the file
	Unexpected []string // in the file, not in the model
	Mismatch   []string // "name: file [a b], model [c d]"
	Bad        []string // present and shaped right but unreadable
}

func (e *StateError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "missing keys: "+strings.Join(quoteAll(e.Missing), ", "))
	}
	if len(e.Unexpected) > 0 {
		parts = append(parts, "unexpected keys: "+strings.Join(quoteAll(e.Unexpected), ", "))
	}
	if len(e.Mismatch) > 0 {
		parts = append(parts, "size mismatch: "+strings.Join(e.Mismatch, "; "))
	}
	if len(e.Bad) > 0 {
		parts = append(parts, "unreadable: "+strings.Join(e.Bad, "; "))
	}
	return "ckpt: the checkpoint does not match the model: " + strings.Join(parts, ". ")
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// LoadState copies f's tensors into m's parameters and buffers, strictly:
// every state_dict entry of m must be in f with the same shape, and every
// tensor of f must belong to m (tensors whose names start with
// ReservedPrefix are ignored). Tensors of any dtype the reader knows are
// converted to float32. On a mismatch nothing is copied and the error is
// a *StateError listing all of them.
func LoadState(m nn.Module, f *File) error {
	sd := StateDict(m)
	byName := make(map[string]*Tensor, len(f.Tensors))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		if !strings.HasPrefix(t.Name, ReservedPrefix) {
			byName[t.Name] = t
		}
	}
	var e StateError
	vals := make([][]float32, len(sd))
	want := map[string]bool{}
	for i, p := range sd {
		want[p.Name] = true
		t, ok := byName[p.Name]
		if !ok {
			e.Missing = append(e.Missing, p.Name)
			continue
		}
		if !slices.Equal(t.Shape, p.Tensor.Shape()) {
			e.Mismatch = append(e.Mismatch, fmt.Sprintf("%q: checkpoint %v, model %v", p.Name, t.Shape, p.Tensor.Shape()))
			continue
		}
		if p.Tensor.DType() != tensor.Float32 || !p.Tensor.IsContiguous() {
			e.Bad = append(e.Bad, fmt.Sprintf("%q: the model's tensor is %v (contiguous %v), want contiguous float32", p.Name, p.Tensor.DType(), p.Tensor.IsContiguous()))
			continue
		}
		v, err := t.Float32s()
		if err != nil {
			e.Bad = append(e.Bad, err.Error())
			continue
		}
		vals[i] = v
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		if !want[name] {
			e.Unexpected = append(e.Unexpected, name)
		}
	}
	sort.Strings(e.Missing)
	if len(e.Missing)+len(e.Unexpected)+len(e.Mismatch)+len(e.Bad) > 0 {
		return &e
	}
	for i, p := range sd {
		copy(p.Tensor.Data(), vals[i])
	}
	return nil
}
