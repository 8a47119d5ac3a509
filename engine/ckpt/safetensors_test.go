package ckpt

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The safetensors format itself is tested in engine/safetensors; these
// tests cover what this package adds: the "ckpt:" error prefix, the path
// in ReadFile's errors, and the wrappers.

// raw builds a file from a header string and a data buffer.
func raw(header string, data []byte) []byte {
	b := make([]byte, 8, 8+len(header)+len(data))
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestReadFileNamesThePath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.safetensors")
	if err := os.WriteFile(p, raw(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, make([]byte, 4)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(p)
	if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), `tensor "w"`) || !strings.Contains(err.Error(), "at byte 9") {
		t.Fatalf("error %v should name the file, the tensor and the offset", err)
	}
}

func TestDecodeErrorIsAFormatError(t *testing.T) {
	_, err := Decode(raw(`{"w":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}`, []byte{0}))
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Tensor != "w" || fe.Offset != 9 {
		t.Fatalf("error %v (%T) is not a *FormatError for tensor w at byte 9", err, err)
	}
	if !strings.HasPrefix(err.Error(), "ckpt: safetensors: ") {
		t.Errorf("error %q lacks the ckpt prefix", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestWrappers(t *testing.T) {
	if g := HalfToFloat32(0x3c00); g != 1 {
		t.Errorf("HalfToFloat32(1.0) = %g", g)
	}
	i := I64Tensor("i", []int64{-5}, 1)
	if v, _ := i.Int64s(); v[0] != -5 {
		t.Errorf("I64Tensor: %v", v)
	}
	p := filepath.Join(t.TempDir(), "x.safetensors")
	if err := WriteFile(p, &File{Tensors: []Tensor{{Name: ""}}}); err == nil {
		t.Error("WriteFile of an invalid file: no error")
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("WriteFile of an invalid file left %s: %v", p, err)
	}
}
