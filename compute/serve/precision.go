package serve

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
)

// Precision is a number format for weights or the KV cache.
type Precision struct {
	// Name is the format as written: "bf16", "fp8", "int4", "6bit".
	Name string `json:"name"`
	// Bits is the storage size of one element; it may be fractional for
	// mixed schemes (DeepSeek-V2 stores its KV cache at 6 bits on average).
	Bits float64 `json:"bits"`
	// Compute8 is true when matrix products can run on 8-bit tensor cores
	// (fp8 or int8 weights and activations, "W8A8"); otherwise they run at
	// the 16-bit peak (int4 is weight-only, "W4A16", as AWQ and GPTQ serve).
	Compute8 bool `json:"compute_8bit"`
}

// The common precisions.
var (
	FP32 = Precision{Name: "fp32", Bits: 32}
	BF16 = Precision{Name: "bf16", Bits: 16}
	FP16 = Precision{Name: "fp16", Bits: 16}
	FP8  = Precision{Name: "fp8", Bits: 8, Compute8: true}
	INT8 = Precision{Name: "int8", Bits: 8, Compute8: true}
	INT4 = Precision{Name: "int4", Bits: 4}
)

// ParsePrecision reads a precision name as compute/hw does ("bf16",
// "fp16", "fp32", "fp8", "int8", "int4" and their aliases), or a bit
// width such as "6bit" or "4.5bit".
func ParsePrecision(s string) (Precision, error) {
	if p, err := hw.ParsePrecision(s); err == nil {
		return FromHW(p), nil
	}
	t := strings.ToLower(strings.TrimSpace(s))
	if n, ok := strings.CutSuffix(t, "bit"); ok {
		b, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
		if err == nil && b >= 1 && b <= 32 {
			return Precision{Name: t, Bits: b}, nil
		}
	}
	return Precision{}, fmt.Errorf("precision %q: want bf16, fp16, fp32, fp8, int8, int4 or a bit width such as 6bit", s)
}

// FromHW returns the storage precision of a compute/hw precision.
func FromHW(p hw.Precision) Precision {
	switch p {
	case hw.FP32:
		return FP32
	case hw.FP16:
		return FP16
	case hw.FP8:
		return FP8
	case hw.INT8:
		return INT8
	case hw.INT4:
		return INT4
	}
	return BF16
}

// Bytes is the storage size of one element in bytes.
func (p Precision) Bytes() float64 { return p.Bits / 8 }

// String returns the name.
func (p Precision) String() string { return p.Name }
