package optim

import (
	"strconv"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/internal/golden"
)

// ref2 is the fixture of bench/pytorch/optim_reference2.py (PyTorch 1.13),
// testdata/optim_reference2.safetensors (layout:
// docs/formats/golden-fixtures.md).
type ref2 struct {
	Source       string
	A, B, W0     []float32 // the quadratic sum(a·w² + b·w) and the start
	Grads        []ref2Grad
	Trajectories map[string][][]float64
	Schedules    map[string]ref2Schedule
	Clip         map[string]ref2Clip
}

type ref2Grad struct {
	Shape []int
	Data  []float32
}

type ref2Schedule struct{ LR, Momentum, Metrics []float64 }

type ref2Clip struct {
	MaxNorm   float64 `json:"max_norm"`
	NormType  any     `json:"norm_type"` // a number, or "inf"
	Total     float64
	ClipValue float64 `json:"clip_value"`
	Grads     [][]float64
}

func loadRef2(t *testing.T) *ref2 {
	t.Helper()
	g := golden.Open(t, "testdata/optim_reference2.safetensors")
	r := &ref2{Source: g.Source, Trajectories: map[string][][]float64{}, Schedules: map[string]ref2Schedule{}}
	if !strings.Contains(r.Source, "torch 1.13") {
		t.Logf("fixture from %s", r.Source)
	}
	r.A = g.Get(t, "quadratic", "a").Float32s()
	r.B = g.Get(t, "quadratic", "b").Float32s()
	r.W0 = g.Get(t, "quadratic", "w0").Float32s()
	for _, name := range g.Fields("trajectories", "") {
		w := g.Get(t, "trajectories", name)
		if len(w.Shape) != 2 {
			t.Fatalf("trajectory %s has shape %v", name, w.Shape)
		}
		d := w.Float64s()
		for s := range w.Shape[0] {
			r.Trajectories[name] = append(r.Trajectories[name], d[s*w.Shape[1]:(s+1)*w.Shape[1]])
		}
	}
	for _, f := range g.Fields("schedules", "") {
		name, kind, _ := strings.Cut(f, "/")
		s := r.Schedules[name]
		v := g.Get(t, "schedules", f).Float64s()
		switch kind {
		case "lr":
			s.LR = v
		case "momentum":
			s.Momentum = v
		case "metrics":
			s.Metrics = v
		default:
			t.Fatalf("unknown schedule field %s", f)
		}
		r.Schedules[name] = s
	}
	for i := range len(g.Fields("clip", "grads/")) {
		v := g.Get(t, "clip", "grads/"+strconv.Itoa(i))
		r.Grads = append(r.Grads, ref2Grad{v.Shape, v.Float32s()})
	}
	if err := g.Params("clip", &r.Clip); err != nil {
		t.Fatal(err)
	}
	for name, c := range r.Clip {
		if v := g.Tensor("clip/" + name + "/total"); v != nil {
			c.Total = v.Float64s()[0]
		}
		for i := range len(g.Fields("clip", name+"/grads/")) {
			c.Grads = append(c.Grads, g.Get(t, "clip", name+"/grads/"+strconv.Itoa(i)).Float64s())
		}
		r.Clip[name] = c
	}
	return r
}
