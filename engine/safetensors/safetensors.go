// Package safetensors reads and writes the safetensors format
// (https://github.com/huggingface/safetensors): an 8-byte little-endian
// header length, a JSON header that maps each tensor's name to its dtype,
// shape and byte range (plus an optional "__metadata__" object of string
// pairs), then the tensors' raw little-endian bytes.
//
// Decode enforces every rule of the reference implementation and reports
// a malformed file as a *FormatError that names the tensor and the byte
// offset in the file where the problem lies. Encode writes the header
// padded to a multiple of 8 bytes, so that the data that follows is
// aligned, exactly as safetensors.torch.save_file does.
//
// The package deals in raw bytes and knows nothing of kaiwu's tensors:
// engine/ckpt builds checkpoints on it, and the golden tests of the
// engine's lower packages (which engine/ckpt imports) read their PyTorch
// fixtures with it through engine/internal/golden.
package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// DType is a safetensors element type, spelled as in the header.
type DType string

// The element types this package reads. All of them convert to float32;
// only F32 (and the integer types, for labels and indices) are written by
// the helpers here, but Encode writes whatever raw bytes a Tensor holds.
const (
	F64  DType = "F64"
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I64  DType = "I64"
	I32  DType = "I32"
)

// Size reports the byte size of one element, or 0 for an unknown type.
func (d DType) Size() int {
	switch d {
	case F64, I64:
		return 8
	case F32, I32:
		return 4
	case F16, BF16:
		return 2
	}
	return 0
}

// MaxHeaderSize bounds the JSON header, as the reference implementation
// does (100 MB), so a corrupt length cannot make a reader allocate
// gigabytes.
const MaxHeaderSize = 100 << 20

// Tensor is one named tensor of a safetensors file, its data kept as the
// raw little-endian bytes of the file.
type Tensor struct {
	Name  string
	DType DType
	Shape []int
	Data  []byte
}

// Numel reports the number of elements of t's shape.
func (t *Tensor) Numel() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// F32Tensor returns a float32 Tensor named name holding data with the
// given shape. It panics when the shape does not match len(data), which
// is a programming error.
func F32Tensor(name string, data []float32, shape ...int) Tensor {
	t := newTensor(name, F32, shape, len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(t.Data[4*i:], math.Float32bits(v))
	}
	return t
}

// I64Tensor returns an int64 Tensor named name holding data with the
// given shape. It panics when the shape does not match len(data).
func I64Tensor(name string, data []int64, shape ...int) Tensor {
	t := newTensor(name, I64, shape, len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(t.Data[8*i:], uint64(v))
	}
	return t
}

// newTensor returns a Tensor of n zero elements of dtype d, after
// checking that shape holds n elements.
func newTensor(name string, d DType, shape []int, n int) Tensor {
	t := Tensor{Name: name, DType: d, Shape: slices.Clone(shape)}
	if t.Numel() != n {
		panic(fmt.Sprintf("safetensors: tensor %q: shape %v holds %d values, got %d", name, shape, t.Numel(), n))
	}
	t.Data = make([]byte, n*d.Size())
	return t
}

// check reports whether t's data length matches its dtype and shape.
func (t *Tensor) check() error {
	size := t.DType.Size()
	if size == 0 {
		return fmt.Errorf("safetensors: tensor %q: unknown dtype %q", t.Name, t.DType)
	}
	if n := t.Numel(); len(t.Data) != n*size {
		return fmt.Errorf("safetensors: tensor %q: %d bytes for shape %v of %s (want %d)", t.Name, len(t.Data), t.Shape, t.DType, n*size)
	}
	return nil
}

// Float32s converts t's elements to float32: F16 and BF16 widen exactly,
// F64 rounds to nearest, I64 and I32 convert as Go's float32(x) does.
func (t *Tensor) Float32s() ([]float32, error) { return convert[float32](t) }

// Float64s converts t's elements to float64: exactly, for every dtype
// (integers beyond 2^53 aside).
func (t *Tensor) Float64s() ([]float64, error) { return convert[float64](t) }

// convert returns t's elements converted to T as Go's T(x) converts each
// element x, after widening F16 and BF16 to float32 (exactly).
func convert[T float32 | float64](t *Tensor) ([]T, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	out := make([]T, t.Numel())
	b := t.Data
	le := binary.LittleEndian
	switch t.DType {
	case F32:
		for i := range out {
			out[i] = T(math.Float32frombits(le.Uint32(b[4*i:])))
		}
	case F64:
		for i := range out {
			out[i] = T(math.Float64frombits(le.Uint64(b[8*i:])))
		}
	case F16:
		for i := range out {
			out[i] = T(HalfToFloat32(le.Uint16(b[2*i:])))
		}
	case BF16:
		for i := range out {
			out[i] = T(math.Float32frombits(uint32(le.Uint16(b[2*i:])) << 16))
		}
	case I64:
		for i := range out {
			out[i] = T(int64(le.Uint64(b[8*i:])))
		}
	case I32:
		for i := range out {
			out[i] = T(int32(le.Uint32(b[4*i:])))
		}
	}
	return out, nil
}

// Int64s returns t's elements as int64; t must be I64 or I32.
func (t *Tensor) Int64s() ([]int64, error) {
	n := t.Numel()
	if (t.DType != I64 && t.DType != I32) || len(t.Data) != n*t.DType.Size() {
		return nil, fmt.Errorf("safetensors: tensor %q: %s of shape %v is not an integer tensor", t.Name, t.DType, t.Shape)
	}
	out := make([]int64, n)
	for i := range out {
		if t.DType == I64 {
			out[i] = int64(binary.LittleEndian.Uint64(t.Data[8*i:]))
		} else {
			out[i] = int64(int32(binary.LittleEndian.Uint32(t.Data[4*i:])))
		}
	}
	return out, nil
}

// HalfToFloat32 widens an IEEE 754 binary16 value to float32 exactly,
// subnormals, infinities and NaN included.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf / NaN
		return math.Float32frombits(sign | 0xff<<23 | mant<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
	case mant == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: normalise the mantissa.
	e := uint32(113)
	for mant&0x400 == 0 {
		mant <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (mant&0x3ff)<<13)
}

// File is a whole safetensors file: its tensors in data order and its
// free-form string metadata.
type File struct {
	Tensors  []Tensor
	Metadata map[string]string
}

// Get returns the tensor named name, or nil.
func (f *File) Get(name string) *Tensor {
	for i := range f.Tensors {
		if f.Tensors[i].Name == name {
			return &f.Tensors[i]
		}
	}
	return nil
}

// Validate reports whether Encode can write f: names must be unique,
// non-empty and not "__metadata__", and each tensor's data must match
// its dtype and shape.
func (f *File) Validate() error {
	_, err := header(f)
	return err
}

// headerEntry is one tensor's header record.
type headerEntry struct {
	DType       DType    `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Encode writes f in the safetensors format, its tensors in the order of
// f.Tensors. It writes nothing when f is not valid (see Validate).
func Encode(w io.Writer, f *File) error {
	hdr, err := header(f)
	if err != nil {
		return err
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(hdr)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(hdr); err != nil {
		return err
	}
	for i := range f.Tensors {
		if _, err := w.Write(f.Tensors[i].Data); err != nil {
			return err
		}
	}
	return nil
}

// header builds the JSON header of f, padded with spaces to a multiple of
// 8 bytes so that the data that follows is aligned.
func header(f *File) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	seen := make(map[string]bool, len(f.Tensors))
	var off int64
	first := true
	if len(f.Metadata) > 0 {
		meta, err := json.Marshal(f.Metadata)
		if err != nil {
			return nil, err
		}
		buf.WriteString(`"__metadata__":`)
		buf.Write(meta)
		first = false
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		switch {
		case t.Name == "" || t.Name == "__metadata__":
			return nil, fmt.Errorf("safetensors: encode: tensor %d has the reserved or empty name %q", i, t.Name)
		case seen[t.Name]:
			return nil, fmt.Errorf("safetensors: encode: tensor %q appears twice", t.Name)
		case t.DType.Size() == 0:
			return nil, fmt.Errorf("safetensors: encode: tensor %q: unknown dtype %q", t.Name, t.DType)
		}
		seen[t.Name] = true
		for _, d := range t.Shape {
			if d < 0 {
				return nil, fmt.Errorf("safetensors: encode: tensor %q: negative dimension in shape %v", t.Name, t.Shape)
			}
		}
		if want := t.Numel() * t.DType.Size(); len(t.Data) != want {
			return nil, fmt.Errorf("safetensors: encode: tensor %q: %d bytes for %s%v, want %d", t.Name, len(t.Data), t.DType, t.Shape, want)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		e, err := json.Marshal(headerEntry{t.DType, shape, [2]int64{off, off + int64(len(t.Data))}})
		if err != nil {
			return nil, err
		}
		off += int64(len(t.Data))
		name, _ := json.Marshal(t.Name)
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(name)
		buf.WriteByte(':')
		buf.Write(e)
	}
	buf.WriteByte('}')
	for buf.Len()%8 != 0 {
		buf.WriteByte(' ')
	}
	return buf.Bytes(), nil
}

// FormatError reports a malformed safetensors file: what is wrong, and
// where (the tensor, or the byte offset in the file).
type FormatError struct {
	Tensor string // the tensor concerned, or ""
	Offset int64  // byte offset in the file where the problem lies, or -1
	Msg    string
}

// Error reports e as "safetensors: tensor "name": what is wrong (at byte
// N)", leaving out the parts e does not know.
func (e *FormatError) Error() string {
	var b strings.Builder
	b.WriteString("safetensors: ")
	if e.Tensor != "" {
		fmt.Fprintf(&b, "tensor %q: ", e.Tensor)
	}
	b.WriteString(e.Msg)
	if e.Offset >= 0 {
		fmt.Fprintf(&b, " (at byte %d)", e.Offset)
	}
	return b.String()
}

func formatErr(tensor string, off int64, format string, args ...any) error {
	return &FormatError{Tensor: tensor, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Decode parses and validates a whole safetensors file held in b; every
// error is a *FormatError. The returned tensors' Data alias b. It checks
// the header length against the file size and MaxHeaderSize, that the
// header is one JSON object whose names are unique, that every dtype is
// known, that every shape's size matches its byte range, and that the
// byte ranges lie in the data buffer, do not overlap and leave no gap:
// exactly the rules of the reference implementation. The tensors come
// back in data order.
func Decode(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, formatErr("", 0, "file of %d bytes is shorter than the 8-byte header length", len(b))
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > MaxHeaderSize {
		return nil, formatErr("", 0, "header length %d exceeds the %d-byte limit", hl, MaxHeaderSize)
	}
	if hl > uint64(len(b)-8) {
		return nil, formatErr("", 0, "header length %d runs past the end of the %d-byte file", hl, len(b))
	}
	hdr := b[8 : 8+hl]
	data := b[8+hl:]
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, formatErr("", 8, "header does not start with '{'")
	}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, formatErr("", 8, "header is not a JSON object")
	}
	f := &File{}
	seen := map[string]bool{}
	type span struct{ lo, hi int64 }
	var spans []span
	for dec.More() {
		at := 8 + dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, formatErr("", at, "header JSON: %v", err)
		}
		name, ok := tok.(string)
		if !ok {
			return nil, formatErr("", at, "header JSON: key %v is not a string", tok)
		}
		if seen[name] {
			return nil, formatErr(name, at, "name appears twice in the header")
		}
		seen[name] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, formatErr(name, 8+dec.InputOffset(), "header JSON: %v", err)
		}
		if name == "__metadata__" {
			if err := json.Unmarshal(raw, &f.Metadata); err != nil {
				return nil, formatErr("", at, "__metadata__ must map strings to strings: %v", err)
			}
			continue
		}
		var e headerEntry
		ed := json.NewDecoder(bytes.NewReader(raw))
		ed.DisallowUnknownFields()
		if err := ed.Decode(&e); err != nil {
			return nil, formatErr(name, at, "bad header entry: %v", err)
		}
		if e.DType == "" || e.Shape == nil || !bytes.Contains(raw, []byte(`"data_offsets"`)) {
			return nil, formatErr(name, at, "header entry needs dtype, shape and data_offsets")
		}
		size := e.DType.Size()
		if size == 0 {
			return nil, formatErr(name, at, "unknown dtype %q", e.DType)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, formatErr(name, at, "negative dimension in shape %v", e.Shape)
			}
			if d > 0 && n > math.MaxInt64/int64(size)/int64(d) {
				return nil, formatErr(name, at, "shape %v is too large", e.Shape)
			}
			n *= int64(d)
		}
		lo, hi := e.DataOffsets[0], e.DataOffsets[1]
		if lo < 0 || hi < lo || hi > int64(len(data)) {
			return nil, formatErr(name, at, "data_offsets [%d, %d] outside the %d-byte data buffer", lo, hi, len(data))
		}
		if hi-lo != n*int64(size) {
			return nil, formatErr(name, at, "shape %v of %s needs %d bytes, data_offsets [%d, %d] give %d", e.Shape, e.DType, n*int64(size), lo, hi, hi-lo)
		}
		spans = append(spans, span{lo, hi})
		f.Tensors = append(f.Tensors, Tensor{Name: name, DType: e.DType, Shape: e.Shape, Data: data[lo:hi:hi]})
	}
	if _, err := dec.Token(); err != nil {
		return nil, formatErr("", 8+dec.InputOffset(), "header JSON: %v", err)
	}
	if rest := bytes.TrimRight(hdr[dec.InputOffset():], " \t\r\n"); len(rest) != 0 {
		return nil, formatErr("", 8+dec.InputOffset(), "trailing bytes after the header object")
	}
	// Byte ranges must tile the data buffer: in order of their start,
	// each range begins where the previous ended and the last ends the
	// file.
	base := 8 + int64(hl)
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(spans[a].lo, spans[b].lo); c != 0 {
			return c
		}
		return cmp.Compare(spans[a].hi, spans[b].hi)
	})
	var end int64
	sorted := make([]Tensor, 0, len(order))
	for _, i := range order {
		s, name := spans[i], f.Tensors[i].Name
		if s.lo < end {
			return nil, formatErr(name, base+s.lo, "data [%d, %d] overlaps the previous tensor's, which ends at %d", s.lo, s.hi, end)
		}
		if s.lo > end {
			return nil, formatErr(name, base+end, "gap of %d bytes in the data buffer before this tensor", s.lo-end)
		}
		end = s.hi
		sorted = append(sorted, f.Tensors[i])
	}
	if end != int64(len(data)) {
		return nil, formatErr("", base+end, "%d bytes after the last tensor are not described by the header", int64(len(data))-end)
	}
	f.Tensors = sorted
	return f, nil
}
