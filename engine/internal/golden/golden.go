// Package golden reads the PyTorch golden-test fixtures that the scripts in
// bench/pytorch/ write: safetensors files whose tensors are named
// "<case>/<field>" and whose __metadata__ holds "source", "cases" (a JSON
// array of the case names, in order) and, under each case's name, a JSON
// object of the case's non-tensor parameters (docs/formats/golden-fixtures.md).
//
// The reader is deliberately small and separate from engine/ckpt's: the
// golden tests of engine/tensor and engine/nn live in those packages, which
// engine/ckpt imports, so they cannot import engine/ckpt. This package's
// own test checks that every fixture decodes the same through engine/ckpt.
package golden

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// Tensor is one tensor of a fixture file.
type Tensor struct {
	Name  string
	DType string // F32, F64, I64 or I32
	Shape []int
	raw   []byte
}

// File is a decoded fixture file.
type File struct {
	Source string   // metadata "source": the script and torch version
	Cases  []string // metadata "cases", in order
	Meta   map[string]string
	names  []string // tensor names in data order
	byName map[string]*Tensor
}

var sizes = map[string]int{"F32": 4, "F64": 8, "I64": 8, "I32": 4}

// Decode parses a safetensors file held in b and its golden metadata.
func Decode(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("golden: %d-byte file", len(b))
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > uint64(len(b)-8) {
		return nil, fmt.Errorf("golden: header length %d past the end of the %d-byte file", hl, len(b))
	}
	data := b[8+hl:]
	var hdr map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b[8 : 8+hl]))
	if err := dec.Decode(&hdr); err != nil {
		return nil, fmt.Errorf("golden: header: %v", err)
	}
	f := &File{byName: map[string]*Tensor{}}
	if m, ok := hdr["__metadata__"]; ok {
		if err := json.Unmarshal(m, &f.Meta); err != nil {
			return nil, fmt.Errorf("golden: __metadata__: %v", err)
		}
		delete(hdr, "__metadata__")
	}
	f.Source = f.Meta["source"]
	if c, ok := f.Meta["cases"]; ok {
		if err := json.Unmarshal([]byte(c), &f.Cases); err != nil {
			return nil, fmt.Errorf("golden: metadata \"cases\": %v", err)
		}
	}
	type entry struct {
		DType       string   `json:"dtype"`
		Shape       []int    `json:"shape"`
		DataOffsets [2]int64 `json:"data_offsets"`
	}
	offs := map[string]int64{}
	for name, raw := range hdr {
		var e entry
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("golden: tensor %q: %v", name, err)
		}
		size, ok := sizes[e.DType]
		if !ok {
			return nil, fmt.Errorf("golden: tensor %q: unsupported dtype %q", name, e.DType)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, fmt.Errorf("golden: tensor %q: shape %v", name, e.Shape)
			}
			n *= int64(d)
		}
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo < 0 || hi < lo || hi > int64(len(data)) || hi-lo != n*int64(size) {
			return nil, fmt.Errorf("golden: tensor %q: data_offsets %v for %s%v in %d bytes of data", name, e.DataOffsets, e.DType, e.Shape, len(data))
		}
		t := &Tensor{Name: name, DType: e.DType, Shape: e.Shape, raw: data[lo:hi]}
		if t.Shape == nil {
			t.Shape = []int{}
		}
		f.byName[name] = t
		f.names = append(f.names, name)
		offs[name] = lo
	}
	// data order, as written
	slices.SortFunc(f.names, func(a, b string) int { return cmp.Or(cmp.Compare(offs[a], offs[b]), strings.Compare(a, b)) })
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

// Numel reports the number of elements of t.
func (t *Tensor) Numel() int { return len(t.raw) / sizes[t.DType] }

// Float64s returns t's elements as float64: exactly, for every dtype
// (integers beyond 2^53 aside).
func (t *Tensor) Float64s() []float64 {
	out := make([]float64, t.Numel())
	le := binary.LittleEndian
	for i := range out {
		switch t.DType {
		case "F32":
			out[i] = float64(math.Float32frombits(le.Uint32(t.raw[4*i:])))
		case "F64":
			out[i] = math.Float64frombits(le.Uint64(t.raw[8*i:]))
		case "I64":
			out[i] = float64(int64(le.Uint64(t.raw[8*i:])))
		case "I32":
			out[i] = float64(int32(le.Uint32(t.raw[4*i:])))
		}
	}
	return out
}

// Float32s returns t's elements as float32: exactly for F32, rounded to
// nearest for the other dtypes.
func (t *Tensor) Float32s() []float32 {
	out := make([]float32, t.Numel())
	if t.DType == "F32" {
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.raw[4*i:]))
		}
		return out
	}
	for i, v := range t.Float64s() {
		out[i] = float32(v)
	}
	return out
}

// Ints returns t's elements as ints; t must be I64 or I32.
func (t *Tensor) Ints() ([]int, error) {
	if t.DType != "I64" && t.DType != "I32" {
		return nil, fmt.Errorf("golden: tensor %q is %s, not an integer tensor", t.Name, t.DType)
	}
	out := make([]int, t.Numel())
	for i := range out {
		if t.DType == "I64" {
			out[i] = int(int64(binary.LittleEndian.Uint64(t.raw[8*i:])))
		} else {
			out[i] = int(int32(binary.LittleEndian.Uint32(t.raw[4*i:])))
		}
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
