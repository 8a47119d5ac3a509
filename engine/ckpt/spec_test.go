package ckpt

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

func sameModule(t *testing.T, a, b nn.Module) {
	t.Helper()
	pa, pb := a.Parameters(), b.Parameters()
	if len(pa) != len(pb) {
		t.Fatalf("%d parameters vs %d", len(pa), len(pb))
	}
	for i := range pa {
		if pa[i].Name != pb[i].Name {
			t.Fatalf("parameter %d named %q vs %q", i, pa[i].Name, pb[i].Name)
		}
		da, db := pa[i].Tensor.Data(), pb[i].Tensor.Data()
		if len(da) != len(db) {
			t.Fatalf("%s: %d vs %d values", pa[i].Name, len(da), len(db))
		}
		for j := range da {
			if da[j] != db[j] {
				t.Fatalf("%s[%d]: %g vs %g", pa[i].Name, j, da[j], db[j])
			}
		}
	}
}

// TestSpecBuildsTheGoAPIModel: the mlp spec, the equivalent sequential
// spec in YAML and in JSON, and nn.NewMLP build identical modules.
func TestSpecBuildsTheGoAPIModel(t *testing.T) {
	goModel, _ := nn.NewMLP(tensor.NewRNG(5), 784, 64, 10)
	for name, doc := range map[string]string{
		"mlp yaml": "type: mlp\nseed: 5\nsizes: [784, 64, 10]\n",
		"sequential yaml": `
type: sequential
seed: 5
layers:
  - {type: linear, in: 784, out: 64}
  - {type: relu}
  - {type: linear, in: 64, out: 10, bias: true}
`,
		"sequential json": `{"type":"sequential","seed":5,"layers":[{"type":"linear","in":784,"out":64},{"type":"relu"},{"type":"Linear","in":64,"out":10}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			s, err := ParseSpec([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Build(s)
			if err != nil {
				t.Fatal(err)
			}
			sameModule(t, goModel, m)
		})
	}
}

func TestSpecErrors(t *testing.T) {
	for _, c := range []struct {
		doc, want string
	}{
		{"type: sequential\nlayers:\n  - {type: linear, in: 4, out: 2}\n  - {type: conv9d}\n", `layers[1].type: unknown layer type "conv9d"`},
		{"type: sequential\nlayers:\n  - {type: linear, in: 4, out: 0}\n", `layers[0] (linear).out: must be a positive size, got 0`},
		{"type: sequential\nlayers:\n  - {type: relu, in: 3}\n", `layers[0] (relu).in: is not an argument`},
		{"type: sequential\n", "layers: a sequential spec needs at least one layer"},
		{"type: mlp\nsizes: [4, -1, 2]\n", "sizes[1]: must be a positive size, got -1"},
		{"type: mlp\nsizes: [4]\n", "sizes: an mlp needs"},
		{"type: transformer9000\n", `type: unknown model type "transformer9000"`},
		{"sizes: [1, 2]\n", "type: missing"},
	} {
		s, err := ParseSpec([]byte(c.doc))
		if err != nil {
			t.Fatalf("%q: %v", c.doc, err)
		}
		_, err = Build(s)
		var se *SpecError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want a *SpecError mentioning %q", c.doc, err, c.want)
		}
	}
	for _, doc := range []string{"type: mlp\nsizez: [1, 2]\n", `{"type":"mlp","sizes":[1,2],"extra":1}`, "", "type: [oops"} {
		if _, err := ParseSpec([]byte(doc)); err == nil {
			t.Errorf("ParseSpec(%q) accepted", doc)
		}
	}
}

// TestOpenRebuilds: a checkpoint carries its spec and pipeline, so Open
// rebuilds the trained model (weights, not the spec seed's) from the file
// alone.
func TestOpenRebuilds(t *testing.T) {
	spec := &Spec{Type: "mlp", Sizes: []int{3, 4, 2}, Seed: 1}
	m, _ := Build(spec)
	m.Parameters()[0].Tensor.Data()[0] = 42 // "trained"
	pipe := json.RawMessage(`{"steps":[{"type":"zscore","mean":[0,0,0],"std":[1,1,1]}]}`)
	path := filepath.Join(t.TempDir(), "c.safetensors")
	if err := Save(path, m, SaveOptions{Spec: spec, Pipeline: pipe, Metadata: map[string]string{"epoch": "3"}}); err != nil {
		t.Fatal(err)
	}
	c, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	sameModule(t, m, c.Model)
	if string(c.Pipeline) != string(pipe) || c.Metadata["epoch"] != "3" || c.Metadata[MetaFormat] != "pt" || c.Spec.Sizes[1] != 4 {
		t.Errorf("checkpoint %+v", c)
	}
	// Weights only: Open refuses, naming what is missing.
	w := filepath.Join(t.TempDir(), "w.safetensors")
	_ = SaveModule(w, m, nil)
	if _, err := Open(w); err == nil || !strings.Contains(err.Error(), MetaSpec) {
		t.Errorf("Open without a spec: %v", err)
	}
	// A spec that does not match the weights.
	if err := Save(path, m, SaveOptions{Spec: &Spec{Type: "mlp", Sizes: []int{3, 5, 2}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), "size mismatch") {
		t.Errorf("mismatched spec: %v", err)
	}
	if err := Save(path, m, SaveOptions{Pipeline: json.RawMessage("{bad")}); err == nil {
		t.Error("invalid pipeline JSON accepted")
	}
	if err := Save(path, m, SaveOptions{Extra: []Tensor{F32Tensor("opt", []float32{1}, 1)}}); err == nil {
		t.Error("extra tensor without the reserved prefix accepted")
	}
}
