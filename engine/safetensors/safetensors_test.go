package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

func encode(t testing.TB, f *File) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Encode(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	f := &File{
		Tensors: []Tensor{
			F32Tensor("0.weight", []float32{1, -2, 3.5, float32(math.Inf(1)), 0, -0.25}, 2, 3),
			F32Tensor("0.bias", []float32{0.5, -1}, 2),
			I64Tensor("__step", []int64{42}),
			F32Tensor("empty", nil, 0, 4),
		},
		Metadata: map[string]string{"format": "pt", "note": "你好"},
	}
	b := encode(t, f)
	if hl := binary.LittleEndian.Uint64(b); (8+hl)%8 != 0 {
		t.Errorf("header length %d leaves the data unaligned", hl)
	}
	g, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Tensors) != len(f.Tensors) || g.Metadata["note"] != "你好" || g.Metadata["format"] != "pt" {
		t.Fatalf("decoded %+v", g)
	}
	for i := range f.Tensors {
		a, b := f.Tensors[i], g.Tensors[i]
		if a.Name != b.Name || a.DType != b.DType || !bytes.Equal(a.Data, b.Data) || len(a.Shape) != len(b.Shape) {
			t.Errorf("tensor %d: wrote %+v, read %+v", i, a, b)
		}
	}
	w, _ := g.Get("0.weight").Float32s()
	if w[2] != 3.5 || !math.IsInf(float64(w[3]), 1) {
		t.Errorf("0.weight = %v", w)
	}
	if s, _ := g.Get("__step").Int64s(); s[0] != 42 {
		t.Errorf("__step = %v", s)
	}
	// A scalar has shape [] and one element.
	sc := F32Tensor("s", []float32{7})
	g, err = Decode(encode(t, &File{Tensors: []Tensor{sc}}))
	if err != nil || g.Tensors[0].Numel() != 1 || len(g.Tensors[0].Shape) != 0 {
		t.Fatalf("scalar: %v %+v", err, g)
	}
}

// TestTorchDTypes reads the fixture that bench/pytorch/ckpt_fixture.py
// wrote with torch into engine/ckpt/testdata: each dtype must widen to
// exactly what torch's own .float() gives.
func TestTorchDTypes(t *testing.T) {
	b, err := os.ReadFile("../ckpt/testdata/dtypes.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) []float32 {
		tt := f.Get(name)
		if tt == nil {
			t.Fatalf("fixture lacks %q", name)
		}
		v, err := tt.Float32s()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct{ got, want string }{{"f64", "f32"}, {"f16", "f16_as_f32"}, {"bf16", "bf16_as_f32"}} {
		g, w := get(c.got), get(c.want)
		for i := range w {
			if math.Float32bits(g[i]) != math.Float32bits(w[i]) {
				t.Errorf("%s[%d] = %g, torch gives %g", c.got, i, g[i], w[i])
			}
		}
	}
	if g := get("i64"); g[3] != float32(1<<40) || g[2] != -7 {
		t.Errorf("i64 = %v", g)
	}
	if g, _ := f.Get("i32").Int64s(); g[3] != 1<<30 || g[2] != -7 {
		t.Errorf("i32 = %v", g)
	}
}

func TestHalfToFloat32(t *testing.T) {
	for _, c := range []struct {
		h    uint16
		want float32
	}{
		{0x0000, 0}, {0x3c00, 1}, {0xc000, -2}, {0x7bff, 65504},
		{0x0001, 0x1p-24},        // smallest subnormal
		{0x03ff, 1023 * 0x1p-24}, // largest subnormal
		{0x0400, 0x1p-14},        // smallest normal
		{0x7c00, float32(math.Inf(1))}, {0xfc00, float32(math.Inf(-1))},
	} {
		if g := HalfToFloat32(c.h); g != c.want {
			t.Errorf("HalfToFloat32(%#04x) = %g, want %g", c.h, g, c.want)
		}
	}
	if g := HalfToFloat32(0x7e00); !math.IsNaN(float64(g)) {
		t.Errorf("0x7e00 = %g, want NaN", g)
	}
	if g := HalfToFloat32(0x8000); g != 0 || !math.Signbit(float64(g)) {
		t.Errorf("0x8000 = %g, want -0", g)
	}
}

// raw builds a file from a header string and a data buffer.
func raw(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestDecodeRejects(t *testing.T) {
	eight := make([]byte, 8)
	hugeLen := make([]byte, 16)
	binary.LittleEndian.PutUint64(hugeLen, MaxHeaderSize+1)
	pastEnd := make([]byte, 16)
	binary.LittleEndian.PutUint64(pastEnd, 9)
	for _, c := range []struct {
		name string
		file []byte
		want string // in the error
	}{
		{"short", []byte{1, 2, 3}, "shorter than the 8-byte"},
		{"huge header length", hugeLen, "exceeds"},
		{"header past end", pastEnd, "past the end"},
		{"not an object", raw(`[1,2]`, nil), "does not start with '{'"},
		{"bad json", raw(`{"a":`, nil), "header JSON"},
		{"unterminated", raw(`{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}`, make([]byte, 4)), "header JSON"},
		{"trailing", raw(`{} x`, nil), "trailing"},
		{"duplicate", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), `"a": name appears twice`},
		{"unknown dtype", raw(`{"w":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}`, []byte{0}), `"w": unknown dtype "F8"`},
		{"missing offsets", raw(`{"w":{"dtype":"F32","shape":[1]}}`, nil), `"w": header entry needs`},
		{"unknown field", raw(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, make([]byte, 4)), `"w": bad header entry`},
		{"negative dim", raw(`{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, make([]byte, 4)), "negative dimension"},
		{"size mismatch", raw(`{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight), `"w": shape [3] of F32 needs 12 bytes`},
		{"offsets out of range", raw(`{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, eight), "outside the 8-byte data buffer"},
		{"reversed offsets", raw(`{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}`, eight), "outside"},
		{"overlap", raw(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), `"b": data [4, 8] overlaps`},
		{"gap", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), `"a": gap of 4 bytes`},
		{"uncovered tail", raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, eight), "4 bytes after the last tensor"},
		{"bad metadata", raw(`{"__metadata__":{"a":1}}`, nil), "__metadata__ must map strings"},
		{"huge shape", raw(`{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, eight), "too large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.file)
			if err == nil {
				t.Fatal("accepted")
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Errorf("error %T is not a *FormatError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestEncodeRejects(t *testing.T) {
	a := F32Tensor("a", []float32{1}, 1)
	for name, f := range map[string]*File{
		"duplicate":  {Tensors: []Tensor{a, a}},
		"empty name": {Tensors: []Tensor{{DType: F32, Shape: []int{0}}}},
		"bad size":   {Tensors: []Tensor{{Name: "x", DType: F32, Shape: []int{2}, Data: make([]byte, 4)}}},
		"bad dtype":  {Tensors: []Tensor{{Name: "x", DType: "U8", Shape: []int{1}, Data: make([]byte, 1)}}},
	} {
		if err := Encode(&bytes.Buffer{}, f); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// FuzzDecode: Decode never panics, and whatever it accepts re-encodes to
// a file that decodes to the same tensors.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"testdata/torch_mlp.safetensors", "../ckpt/testdata/dtypes.safetensors"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add(raw(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"__metadata__":{"k":"v"}}`, make([]byte, 4)))
	f.Add(raw(`{}`, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Decode(b)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := Encode(&buf, g); err != nil {
			t.Fatalf("re-encoding an accepted file: %v", err)
		}
		h, err := Decode(buf.Bytes())
		if err != nil {
			t.Fatalf("re-decoding: %v", err)
		}
		if len(h.Tensors) != len(g.Tensors) {
			t.Fatalf("%d tensors became %d", len(g.Tensors), len(h.Tensors))
		}
		for i := range g.Tensors {
			if g.Tensors[i].Name != h.Tensors[i].Name || !bytes.Equal(g.Tensors[i].Data, h.Tensors[i].Data) {
				t.Fatalf("tensor %d changed", i)
			}
			if _, err := g.Tensors[i].Float32s(); err != nil {
				t.Fatalf("accepted tensor cannot convert: %v", err)
			}
		}
	})
}

func TestFloat64s(t *testing.T) {
	f, err := Decode(encode(t, &File{Tensors: []Tensor{
		F32Tensor("f32", []float32{1.5, -0.1}, 2),
		I64Tensor("i64", []int64{1<<53 - 1, -3}, 2),
		{Name: "i32", DType: I32, Shape: []int{2}, Data: []byte{0xff, 0xff, 0xff, 0x7f, 0xfe, 0xff, 0xff, 0xff}},
		{Name: "f64", DType: F64, Shape: []int{1}, Data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.1))},
		{Name: "f16", DType: F16, Shape: []int{1}, Data: []byte{0x01, 0x00}},
		{Name: "bf16", DType: BF16, Shape: []int{1}, Data: []byte{0x80, 0xbf}},
	}}))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]float64{
		"f32":  {1.5, float64(float32(-0.1))},
		"i64":  {1<<53 - 1, -3},
		"i32":  {1<<31 - 1, -2},
		"f64":  {0.1},
		"f16":  {0x1p-24},
		"bf16": {-1},
	} {
		got, err := f.Get(name).Float64s()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s[%d] = %v, want %v", name, i, got[i], want[i])
			}
		}
	}
	bad := Tensor{Name: "x", DType: F32, Shape: []int{2}, Data: make([]byte, 4)}
	if _, err := bad.Float64s(); err == nil || !strings.Contains(err.Error(), `tensor "x"`) {
		t.Errorf("short data: %v", err)
	}
	if _, err := bad.Int64s(); err == nil {
		t.Error("Int64s of an F32 tensor: no error")
	}
}

func TestValidate(t *testing.T) {
	ok := &File{Tensors: []Tensor{F32Tensor("a", []float32{1}, 1)}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := &File{Tensors: []Tensor{{Name: "__metadata__", DType: F32}}}
	var b bytes.Buffer
	if err := bad.Validate(); err == nil {
		t.Fatal("reserved name accepted")
	}
	if err := Encode(&b, bad); err == nil || b.Len() != 0 {
		t.Fatalf("Encode of an invalid file: %v, wrote %d bytes", err, b.Len())
	}
}

func TestFormatErrorText(t *testing.T) {
	for _, c := range []struct {
		e    FormatError
		want string
	}{
		{FormatError{Tensor: "w", Offset: 9, Msg: "bad"}, `safetensors: tensor "w": bad (at byte 9)`},
		{FormatError{Offset: -1, Msg: "bad"}, "safetensors: bad"},
	} {
		if g := c.e.Error(); g != c.want {
			t.Errorf("%+v: %q, want %q", c.e, g, c.want)
		}
	}
}

func TestF32TensorPanicsOnBadShape(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	F32Tensor("x", []float32{1, 2, 3}, 2, 2)
}
