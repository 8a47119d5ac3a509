package ckpt

import (
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
	"github.com/kaiwu-ai/kaiwu/engine/tensor"
)

// TestRNGMarshalRoundTrip: a generator restored from MarshalBinary
// continues the stream exactly, including a pending Box–Muller value.
func TestRNGMarshalRoundTrip(t *testing.T) {
	for _, pending := range []bool{false, true} {
		r := tensor.NewRNG(42)
		r.Uint64()
		r.NormFloat64() // leaves the second normal value pending
		if !pending {
			r.NormFloat64()
		}
		b, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var q tensor.RNG
		if err := q.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if x, y := r.NormFloat64(), q.NormFloat64(); x != y {
				t.Fatalf("pending %v: normal %d: %v vs %v restored", pending, i, x, y)
			}
			if x, y := r.Uint64(), q.Uint64(); x != y {
				t.Fatalf("pending %v: draw %d: %v vs %v restored", pending, i, x, y)
			}
		}
	}
	var q tensor.RNG
	good, _ := tensor.NewRNG(1).MarshalBinary()
	for name, b := range map[string][]byte{
		"short":   good[:5],
		"version": append([]byte{9}, good[1:]...),
		"flag":    append(append(append([]byte(nil), good[:9]...), 2), good[10:]...),
	} {
		if err := q.UnmarshalBinary(b); err == nil || !strings.Contains(err.Error(), "RNG state") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// TestRNGsWalk finds the generators of Dropout layers and of an RNN
// inside containers, each once, named by path (an embedded struct adds no
// element: RNNLayer embeds *nn.RNN).
func TestRNGsWalk(t *testing.T) {
	shared := tensor.NewRNG(3)
	rnn, err := nn.NewGRU(shared, nn.RNNConfig{InputSize: 2, HiddenSize: 3, NumLayers: 2, Dropout: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := nn.NewDropout(0.5, 1)
	d2 := &nn.Dropout{P: 0.1, RNG: shared} // shares the RNN's generator
	d3 := &nn.Dropout{P: 0.1}              // none
	m := &nn.Sequential{Layers: []nn.Module{&RNNLayer{RNN: rnn}, d1, d2, d3}}
	got := RNGs(m)
	var names []string
	for _, r := range got {
		names = append(names, r.Name)
	}
	if strings.Join(names, " ") != "Layers.0.RNG Layers.1.RNG" || got[0].RNG != shared || got[1].RNG != d1.RNG {
		t.Fatalf("generators %v", names)
	}
	st, err := SaveRNGs(m)
	if err != nil {
		t.Fatal(err)
	}
	want := d1.RNG.Uint64()
	shared.Uint64()
	if err := LoadRNGs(m, st); err != nil {
		t.Fatal(err)
	}
	if got := d1.RNG.Uint64(); got != want {
		t.Errorf("restored generator drew %d, want %d", got, want)
	}
	if err := LoadRNGs(m, RNGState{"Layers.5.RNG": st["Layers.1.RNG"]}); err == nil || !strings.Contains(err.Error(), "Layers.5.RNG") {
		t.Errorf("unknown generator: %v", err)
	}
	if err := LoadRNGs(m, RNGState{"Layers.1.RNG": []byte{1}}); err == nil || !strings.Contains(err.Error(), "Layers.1.RNG") {
		t.Errorf("bad state: %v", err)
	}
}
