// Package ckpt reads and writes checkpoints: safetensors files
// (https://github.com/huggingface/safetensors), a Module's state under
// PyTorch state_dict names, and declarative model specs (JSON/YAML) that
// rebuild a Module without the Go code that made it.
//
// A checkpoint is a safetensors file whose tensors are the model's
// state_dict and whose "__metadata__" carries the model spec (and,
// optionally, the data preprocessing pipeline), so Open can rebuild the
// model from the file alone. The same file loads in PyTorch with
// safetensors.torch.load_file followed by model.load_state_dict.
//
// The format itself (header parsing and validation, dtypes, encoding) is
// engine/safetensors; this package re-exports its types under their old
// names and adds the file-level reading and atomic writing.
//
// Every write is atomic: the bytes go to a temporary file in the
// destination's directory, which is synced and renamed over the
// destination, and the directory is synced. A crash mid-write leaves the
// previous file (or none) at the destination, never a torn one.
package ckpt

import (
	"fmt"
	"io"
	"os"

	"github.com/kaiwu-ai/kaiwu/engine/safetensors"
)

// DType is a safetensors element type, spelled as in the header.
type DType = safetensors.DType

// The element types a checkpoint may hold (see engine/safetensors).
const (
	F64  = safetensors.F64
	F32  = safetensors.F32
	F16  = safetensors.F16
	BF16 = safetensors.BF16
	I64  = safetensors.I64
	I32  = safetensors.I32
)

// MaxHeaderSize bounds the JSON header of a file this package reads.
const MaxHeaderSize = safetensors.MaxHeaderSize

// Tensor is one named tensor of a safetensors file, its data kept as the
// raw little-endian bytes of the file.
type Tensor = safetensors.Tensor

// File is a whole safetensors file: its tensors in data order and its
// free-form string metadata.
type File = safetensors.File

// FormatError reports a malformed safetensors file: what is wrong, and
// where (the tensor, or the byte offset in the file).
type FormatError = safetensors.FormatError

// F32Tensor returns a float32 Tensor named name holding data with the
// given shape. It panics when the shape does not match len(data), which
// is a programming error.
func F32Tensor(name string, data []float32, shape ...int) Tensor {
	return safetensors.F32Tensor(name, data, shape...)
}

// I64Tensor returns an int64 Tensor named name holding data.
func I64Tensor(name string, data []int64, shape ...int) Tensor {
	return safetensors.I64Tensor(name, data, shape...)
}

// HalfToFloat32 widens an IEEE 754 binary16 value to float32 exactly,
// subnormals, infinities and NaN included.
func HalfToFloat32(h uint16) float32 { return safetensors.HalfToFloat32(h) }

// Encode writes f in the safetensors format. Names must be unique and
// non-empty, and each tensor's data must match its dtype and shape.
func Encode(w io.Writer, f *File) error { return safetensors.Encode(w, f) }

// Decode parses and validates a whole safetensors file held in b, with
// every rule of the reference implementation (see safetensors.Decode).
// The returned tensors' Data alias b. A malformed file is an error that
// wraps a *FormatError naming the tensor and the byte offset.
func Decode(b []byte) (*File, error) {
	f, err := safetensors.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("ckpt: %w", err)
	}
	return f, nil
}

// ReadFile reads and validates the safetensors file at path.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ckpt: %w", err)
	}
	f, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// WriteFile writes f to path atomically (see WriteAtomic).
func WriteFile(path string, f *File) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return WriteAtomic(path, func(w io.Writer) error { return Encode(w, f) })
}
