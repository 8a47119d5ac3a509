package ckpt

import (
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func forward(t *testing.T, m nn.Module, x *tensor.Tensor) []float32 {
	t.Helper()
	var y *tensor.Tensor
	var err error
	tensor.NoGrad(func() { y, err = m.Forward(x) })
	if err != nil {
		t.Fatal(err)
	}
	return y.Data()
}

func TestSaveLoadModule(t *testing.T) {
	a, _ := nn.NewMLP(tensor.NewRNG(1), 3, 5, 2)
	b, _ := nn.NewMLP(tensor.NewRNG(2), 3, 5, 2)
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := SaveModule(path, a, map[string]string{"by": "test"}); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ts := range f.Tensors {
		names = append(names, ts.Name)
	}
	if got := strings.Join(names, " "); got != "0.weight 0.bias 2.weight 2.bias" {
		t.Errorf("state_dict names %q", got)
	}
	if f.Metadata["by"] != "test" {
		t.Errorf("metadata %v", f.Metadata)
	}
	if err := LoadModule(path, b); err != nil {
		t.Fatal(err)
	}
	for i, p := range a.Parameters() {
		q := b.Parameters()[i]
		for j, v := range p.Tensor.Data() {
			if q.Tensor.Data()[j] != v {
				t.Fatalf("%s[%d] = %g after load, want %g", p.Name, j, q.Tensor.Data()[j], v)
			}
		}
	}
}

func TestLoadStrict(t *testing.T) {
	src, _ := nn.NewMLP(tensor.NewRNG(1), 3, 5, 2)
	ts, _ := State(src)
	f := &File{Tensors: ts}
	// Model with a different hidden size and one more layer.
	dst, _ := nn.NewMLP(tensor.NewRNG(2), 3, 4, 2, 2)
	before := append([]float32(nil), dst.Parameters()[0].Tensor.Data()...)
	err := LoadState(dst, f)
	var se *StateError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *StateError", err)
	}
	msg := err.Error()
	for _, want := range []string{`missing keys: "4.bias", "4.weight"`, `size mismatch: "0.weight": checkpoint [5 3], model [4 3]`, `"2.weight": checkpoint [2 5], model [2 4]`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if got := dst.Parameters()[0].Tensor.Data()[0]; got != before[0] {
		t.Error("a failed load changed the model")
	}
	// Unexpected keys; reserved names are ignored.
	f.Tensors = append(f.Tensors, F32Tensor("9.weight", []float32{1}, 1), F32Tensor("__optim.x", []float32{1}, 1))
	small, _ := nn.NewMLP(tensor.NewRNG(2), 3, 5, 2)
	err = LoadState(small, f)
	if err == nil || !strings.Contains(err.Error(), `unexpected keys: "9.weight"`) || strings.Contains(err.Error(), "__optim") {
		t.Errorf("err = %v", err)
	}
}

// TestTorchToKaiwu loads the state_dict that PyTorch saved
// (bench/pytorch/ckpt_fixture.py) into nn.NewMLP and reproduces torch's
// output on the fixed input (DESIGN.md forward tolerance atol 1e-5,
// rtol 1e-4).
func TestTorchToKaiwu(t *testing.T) {
	m, err := nn.NewMLP(tensor.NewRNG(0), 4, 8, 8, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := LoadModule("testdata/torch_mlp.safetensors", m); err != nil {
		t.Fatal(err)
	}
	io, err := ReadFile("testdata/torch_mlp_io.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	xv, _ := io.Get("x").Float32s()
	want, _ := io.Get("y").Float32s()
	got := forward(t, m, tensor.Must(tensor.FromSlice(xv, io.Get("x").Shape...)))
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > 1e-5+1e-4*math.Abs(float64(want[i])) {
			t.Errorf("y[%d] = %g, torch %g", i, got[i], want[i])
		}
	}
}

// TestKaiwuToTorch saves a kaiwu MLP and its output, and has PyTorch load
// the file with load_state_dict(strict=True) and reproduce the output.
// It needs /usr/bin/python3 with torch; CI has neither and skips.
func TestKaiwuToTorch(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import torch").Run(); err != nil {
		t.Skipf("skipping the PyTorch direction: %s with torch is not available (%v)", py, err)
	}
	m, _ := nn.NewMLP(tensor.NewRNG(7), 4, 6, 3)
	x := tensor.Must(tensor.Randn(tensor.NewRNG(8), 5, 4))
	y := forward(t, m, x)
	dir := t.TempDir()
	model, iof := filepath.Join(dir, "m.safetensors"), filepath.Join(dir, "io.safetensors")
	if err := SaveModule(model, m, map[string]string{MetaFormat: "pt"}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(iof, &File{Tensors: []Tensor{F32Tensor("x", x.Data(), 5, 4), F32Tensor("y", y, 5, 3)}}); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join("..", "..", "bench", "pytorch", "ckpt_fixture.py")
	out, err := exec.Command(py, script, "check", model, iof, "4", "6", "3").CombinedOutput()
	if err != nil {
		t.Fatalf("PyTorch could not reproduce kaiwu's output: %v\n%s", err, out)
	}
	t.Logf("torch: %s", strings.TrimSpace(string(out)))
	if _, err := os.Stat(script); err != nil {
		t.Fatal(err)
	}
}
