package train

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/ckpt"
	"github.com/kaiwu-ai/kaiwu/engine/data"
	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/optim"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

const dropoutSpec = `{"type": "sequential", "seed": 1, "input": [2], "layers": [
 {"type": "linear", "in": "auto", "out": 16}, {"type": "relu"}, {"type": "dropout", "p": 0.3},
 {"type": "linear", "in": "auto", "out": 16}, {"type": "relu"}, {"type": "dropout", "p": 0.2},
 {"type": "linear", "in": "auto", "out": 2}]}`

// gruDropoutSpec is a 2-layer GRU with dropout between the layers: its
// masks come from the generator the spec's initialisers used.
const gruDropoutSpec = `{"type": "sequential", "seed": 2, "input": [5, 2], "layers": [
 {"type": "gru", "in": "auto", "hidden": 8, "num_layers": 2, "dropout": 0.4, "batch_first": true, "output": "last"},
 {"type": "linear", "in": "auto", "out": 2}]}`

// sequences is a classification set of 96 sequences of 5 steps × 2
// features; the label is whether the first feature sums above zero.
func sequences(t *testing.T) data.Dataset {
	t.Helper()
	rng := tensor.NewRNG(11)
	const n = 96
	x, labels := make([]float32, n*10), make([]int, n)
	for i := range n {
		sum := float32(0)
		for j := range 10 {
			x[i*10+j] = float32(rng.NormFloat64())
			if j%2 == 0 {
				sum += x[i*10+j]
			}
		}
		if sum > 0 {
			labels[i] = 1
		}
	}
	ds, err := data.NewMemory(n, x, []int{5, 2}, nil, 0, labels, 1)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// dropoutTrainer builds, as a fresh process would, the model from the
// spec, an optimizer and a trainer that stops after maxSteps.
func dropoutTrainer(t *testing.T, kind string, maxSteps int) (*Trainer, nn.Module) {
	return specTrainer(t, dropoutSpec, kind, maxSteps)
}

func specTrainer(t *testing.T, specJSON, kind string, maxSteps int) (*Trainer, nn.Module) {
	t.Helper()
	spec, err := ckpt.ParseSpec([]byte(specJSON))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ckpt.Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	var opt optim.Optimizer
	switch kind {
	case "rmsprop":
		o, err := optim.NewRMSProp(nn.Tensors(m), 0.01)
		if err != nil {
			t.Fatal(err)
		}
		o.Centered, o.Momentum, o.WeightDecay = true, 0.9, 1e-3
		opt = o
	case "adagrad":
		o, err := optim.NewAdagrad(nn.Tensors(m), 0.05)
		if err != nil {
			t.Fatal(err)
		}
		o.InitialAccumulator, o.LRDecay, o.WeightDecay = 0.1, 0.01, 1e-3
		opt = o
	default:
		o, err := optim.NewAdam(nn.Tensors(m), 0.01)
		if err != nil {
			t.Fatal(err)
		}
		opt = o
	}
	tr, err := NewTrainer(m, opt, Options{MaxSteps: maxSteps, BatchSize: 32, Seed: 4, Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	return tr, m
}

// TestResumeWithDropoutBitIdentical: N steps of a model with dropout
// against k steps, a checkpoint, a fresh model and trainer resumed from
// it, and N−k more steps: the final weights are bit-identical, for an
// MLP with two Dropout layers under each optimizer with saved state, and
// for a GRU with dropout between its layers. Without the saved generator states the
// resumed run draws other dropout masks and ends elsewhere.
func TestResumeWithDropoutBitIdentical(t *testing.T) {
	spir, _ := spirals(t)
	seqs := sequences(t)
	const n, k = 12, 5 // k is mid-epoch: 120 spirals or 96 sequences make 4 or 3 batches of 32
	for _, c := range []struct {
		name, spec, optim string
		data              data.Dataset
		rngs              int
	}{
		{"mlp/adam", dropoutSpec, "adam", spir, 2},
		{"mlp/rmsprop", dropoutSpec, "rmsprop", spir, 2},
		{"mlp/adagrad", dropoutSpec, "adagrad", spir, 2},
		{"gru/adam", gruDropoutSpec, "adam", seqs, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			full, fullModel := specTrainer(t, c.spec, c.optim, n)
			if _, err := full.Fit(c.data, nil); err != nil {
				t.Fatal(err)
			}
			part, _ := specTrainer(t, c.spec, c.optim, k)
			if _, err := part.Fit(c.data, nil); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "mid.safetensors")
			if err := part.Save(path); err != nil {
				t.Fatal(err)
			}
			resumed, resumedModel := specTrainer(t, c.spec, c.optim, n)
			if err := resumed.Resume(path); err != nil {
				t.Fatal(err)
			}
			if _, err := resumed.Fit(c.data, nil); err != nil {
				t.Fatal(err)
			}
			if resumed.Step() != n {
				t.Fatalf("resumed run stopped at step %d, want %d", resumed.Step(), n)
			}
			sameWeights(t, fullModel, resumedModel)

			// Control: the same resume with the generators put back to a
			// fresh model's states must diverge, or the test proves nothing.
			control, controlModel := specTrainer(t, c.spec, c.optim, n)
			fresh, err := ckpt.SaveRNGs(controlModel)
			if err != nil || len(fresh) != c.rngs {
				t.Fatalf("fresh generator states: %v, %d entries, want %d", err, len(fresh), c.rngs)
			}
			if err := control.Resume(path); err != nil {
				t.Fatal(err)
			}
			if err := ckpt.LoadRNGs(controlModel, fresh); err != nil {
				t.Fatal(err)
			}
			if _, err := control.Fit(c.data, nil); err != nil {
				t.Fatal(err)
			}
			if weightDiff(fullModel, controlModel) == "" {
				t.Error("resuming with fresh dropout generators gave the same weights: the test cannot see generator state")
			}
		})
	}
}

// TestResumeRejectsForeignGenerator: a checkpoint whose generator states
// name a generator the model lacks is refused, naming it, and nothing
// changes.
func TestResumeRejectsForeignGenerator(t *testing.T) {
	tr, _ := spirals(t)
	dir := t.TempDir()
	a, _ := dropoutTrainer(t, "adam", 3)
	if _, err := a.Fit(tr, nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "a.safetensors")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := ckpt.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Metadata["kaiwu.train"], `"rng":{"Layers.2.RNG":`) {
		t.Fatalf("training state lacks the generator states: %s", f.Metadata["kaiwu.train"])
	}
	f.Metadata["kaiwu.train"] = strings.Replace(f.Metadata["kaiwu.train"], `"Layers.2.RNG"`, `"Layers.9.RNG"`, 1)
	bad := filepath.Join(dir, "bad.safetensors")
	if err := ckpt.WriteFile(bad, f); err != nil {
		t.Fatal(err)
	}
	b, m := dropoutTrainer(t, "adam", 3)
	before, _ := ckpt.SaveRNGs(m)
	w0 := append([]float32(nil), m.Parameters()[0].Tensor.Data()...)
	if err := b.Resume(bad); err == nil || !strings.Contains(err.Error(), "Layers.9.RNG") {
		t.Fatalf("foreign generator: err = %v", err)
	}
	after, _ := ckpt.SaveRNGs(m)
	if !bytes.Equal(before["Layers.2.RNG"], after["Layers.2.RNG"]) || m.Parameters()[0].Tensor.Data()[0] != w0[0] || b.Step() != 0 {
		t.Error("a refused resume changed the model")
	}
}
