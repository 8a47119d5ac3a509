package golden_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/ckpt"
	"github.com/kaiwu-ai/kaiwu/engine/internal/golden"
	"github.com/kaiwu-ai/kaiwu/engine/safetensors"
)

// fixtures are the golden fixtures of the engine.
var fixtures = []string{
	"../../tensor/testdata/torch_golden.safetensors",
	"../../nn/testdata/layers_golden.safetensors",
	"../../nn/testdata/seq_golden.safetensors",
	"../../loss/testdata/torch_losses.safetensors",
	"../../optim/testdata/optim_reference2.safetensors",
}

// TestFixturesDecodeLikeCkpt decodes every golden fixture of the engine
// with this package and with engine/ckpt (both on engine/safetensors,
// which enforces every rule of the reference implementation) and checks
// that this package's accessors give the same tensors and values, and
// that the golden metadata is complete.
func TestFixturesDecodeLikeCkpt(t *testing.T) {
	for _, p := range fixtures {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		g, err := golden.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(p), func(t *testing.T) {
			f, err := ckpt.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if g.Source == "" || len(g.Cases) == 0 {
				t.Fatalf("source %q, %d cases", g.Source, len(g.Cases))
			}
			var v any
			for _, c := range g.Cases {
				if err := g.Params(c, &v); err != nil {
					t.Error(err)
				}
			}
			var names []string
			for _, ct := range f.Tensors {
				names = append(names, ct.Name)
				gt := g.Tensor(ct.Name)
				if gt == nil || ct.DType != gt.DType || !slices.Equal(ct.Shape, gt.Shape) {
					t.Fatalf("tensor %s: ckpt %s%v, golden %+v", ct.Name, ct.DType, ct.Shape, gt)
				}
				if ct.DType == ckpt.I64 || ct.DType == ckpt.I32 {
					want, _ := ct.Int64s()
					got, err := gt.Ints()
					if err != nil || len(got) != len(want) {
						t.Fatalf("tensor %s: %v", ct.Name, err)
					}
					for i := range want {
						if int64(got[i]) != want[i] {
							t.Fatalf("tensor %s[%d] = %d, ckpt %d", ct.Name, i, got[i], want[i])
						}
					}
					continue
				}
				want, err := ct.Float32s()
				if err != nil {
					t.Fatal(err)
				}
				got := gt.Float32s()
				for i := range want {
					if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
						t.Fatalf("tensor %s[%d] = %g, ckpt %g", ct.Name, i, got[i], want[i])
					}
				}
			}
			if !slices.Equal(names, g.Names()) {
				t.Fatalf("tensor order differs from ckpt's")
			}
			for _, name := range names {
				ok := false
				for _, c := range g.Cases {
					if len(name) > len(c) && name[:len(c)+1] == c+"/" {
						ok = true
					}
				}
				if !ok {
					t.Errorf("tensor %s belongs to no case", name)
				}
			}
		})
	}
}

func TestDecodeRejectsBadFiles(t *testing.T) {
	for name, b := range map[string][]byte{
		"short":       {1, 2},
		"long header": {100, 0, 0, 0, 0, 0, 0, 0, '{', '}'},
		"bad json":    append([]byte{2, 0, 0, 0, 0, 0, 0, 0}, "{x"...),
		"bad dtype":   hdr(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1),
		"bad size":    hdr(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4),
		"past end":    hdr(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4),
		"bad cases":   hdr(`{"__metadata__":{"cases":"x"}}`, 0),
		"f16":         hdr(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, 2),
		"gap":         hdr(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8),
	} {
		if _, err := golden.Decode(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func hdr(h string, data int) []byte {
	b := []byte{byte(len(h)), 0, 0, 0, 0, 0, 0, 0}
	b = append(b, h...)
	return append(b, make([]byte, data)...)
}

func TestDecodeErrorNamesTensorAndOffset(t *testing.T) {
	_, err := golden.Decode(hdr(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4))
	var fe *safetensors.FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), `golden: safetensors: tensor "a"`) || !strings.Contains(err.Error(), "(at byte 9)") {
		t.Fatalf("error %v should be a *safetensors.FormatError naming the tensor and the offset", err)
	}
}
