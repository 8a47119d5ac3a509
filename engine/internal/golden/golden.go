// Package golden reads the PyTorch golden-test fixtures that the scripts in
// bench/pytorch/ write: safetensors files whose tensors are named
// "<case>/<field>" and whose __metadata__ holds "source", "cases" (a JSON
// array of the case names, in order) and, under each case's name, a JSON
// object of the case's non-tensor parameters (docs/formats/golden-fixtures.md).
//
// The format is decoded by engine/safetensors, which imports nothing of
// kaiwu, so the golden tests of engine/tensor, engine/nn and the other
// packages that engine/ckpt imports can use it without an import cycle.
// This package adds the fixture layout and test helpers on top.
package golden

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/safetensors"
)

// Tensor is one tensor of a fixture file: its Name, DType (F32, F64, I64
// or I32), Shape and raw Data.
type Tensor struct {
	safetensors.Tensor
}

// File is a decoded fixture file.
type File struct {
	Source string   // metadata "source": the script and torch version
	Cases  []string // metadata "cases", in order
	Meta   map[string]string
	names  []string // tensor names in data order
	byName map[string]*Tensor
}

// Decode parses a safetensors file held in b, with every rule of
// engine/safetensors, and its golden metadata. Fixtures hold F32, F64,
// I64 and I32 tensors only.
func Decode(b []byte) (*File, error) {
	sf, err := safetensors.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	f := &File{Meta: sf.Metadata, byName: make(map[string]*Tensor, len(sf.Tensors))}
	f.Source = f.Meta["source"]
	if c, ok := f.Meta["cases"]; ok {
		if err := json.Unmarshal([]byte(c), &f.Cases); err != nil {
			return nil, fmt.Errorf("golden: metadata \"cases\": %v", err)
		}
	}
	for _, st := range sf.Tensors {
		switch st.DType {
		case safetensors.F32, safetensors.F64, safetensors.I64, safetensors.I32:
		default:
			return nil, fmt.Errorf("golden: tensor %q: unsupported dtype %q", st.Name, st.DType)
		}
		f.byName[st.Name] = &Tensor{st}
		f.names = append(f.names, st.Name) // data order, as written
	}
	return f, nil
}

// Load reads and decodes the fixture file at path.
func Load(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Open loads the fixture file at path or fails the test, naming the script
// that regenerates it.
func Open(tb testing.TB, path string) *File {
	tb.Helper()
	f, err := Load(path)
	if err != nil {
		tb.Fatalf("golden fixture: %v (regenerate it with the script in bench/pytorch/)", err)
	}
	return f
}

// Names returns the names of the tensors of f in data order.
func (f *File) Names() []string { return append([]string(nil), f.names...) }

// Fields returns the fields of case c (the tensor names "c/<field>" with
// the "c/" cut off) that start with prefix, in data order.
func (f *File) Fields(c, prefix string) []string {
	var out []string
	for _, n := range f.names {
		if rest, ok := strings.CutPrefix(n, c+"/"); ok && strings.HasPrefix(rest, prefix) {
			out = append(out, rest)
		}
	}
	return out
}

// Tensor returns the tensor named name, or nil.
func (f *File) Tensor(name string) *Tensor { return f.byName[name] }

// Get returns the tensor "c/field" or fails the test.
func (f *File) Get(tb testing.TB, c, field string) *Tensor {
	tb.Helper()
	t := f.byName[c+"/"+field]
	if t == nil {
		tb.Fatalf("golden fixture: no tensor %q", c+"/"+field)
	}
	return t
}

// Params decodes the JSON parameters of case c into v.
func (f *File) Params(c string, v any) error {
	s, ok := f.Meta[c]
	if !ok {
		return fmt.Errorf("golden: no parameters for case %q", c)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("golden: parameters of case %q: %v", c, err)
	}
	return nil
}

// Float64s returns t's elements as float64: exactly, for every dtype
// (integers beyond 2^53 aside).
func (t *Tensor) Float64s() []float64 {
	out, err := t.Tensor.Float64s()
	if err != nil {
		panic(err) // Decode checked the dtype and size
	}
	return out
}

// Float32s returns t's elements as float32: exactly for F32, rounded to
// nearest from their float64 value for the other dtypes.
func (t *Tensor) Float32s() []float32 {
	if t.DType == safetensors.F32 {
		out, err := t.Tensor.Float32s()
		if err != nil {
			panic(err) // Decode checked the size
		}
		return out
	}
	out := make([]float32, t.Numel())
	for i, v := range t.Float64s() {
		out[i] = float32(v)
	}
	return out
}

// Ints returns t's elements as ints; t must be I64 or I32.
func (t *Tensor) Ints() ([]int, error) {
	if t.DType != safetensors.I64 && t.DType != safetensors.I32 {
		return nil, fmt.Errorf("golden: tensor %q is %s, not an integer tensor", t.Name, t.DType)
	}
	v, err := t.Int64s()
	if err != nil {
		return nil, fmt.Errorf("golden: %w", err)
	}
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out, nil
}

// MustInts is Ints that fails the test on error.
func (t *Tensor) MustInts(tb testing.TB) []int {
	tb.Helper()
	v, err := t.Ints()
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
