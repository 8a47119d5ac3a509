package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/engine/nn"
)

// TestBenchModelsJSON runs each layer workload at a tiny size for one
// round and checks the JSON shape (never the timings).
func TestBenchModelsJSON(t *testing.T) {
	for _, c := range []struct {
		op    string
		args  []string
		batch float64
	}{
		{"cnn", []string{"--batch", "2"}, 2},
		{"fashion-cnn", []string{"--batch", "2"}, 2},
		{"lstm", []string{"--batch", "2", "--seq", "3", "--input", "4", "--hidden", "8"}, 2},
		{"gru", []string{"--batch", "3", "--seq", "3", "--input", "4", "--hidden", "8", "--layers", "1"}, 3},
		{"gpt", []string{"--batch", "2", "--context", "8", "--d-model", "16", "--heads", "2", "--layers", "1", "--vocab", "20"}, 2},
	} {
		args := append([]string{"bench", c.op, "--rounds", "1", "--json", "--threads", "1"}, c.args...)
		out, _, err := run(t, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		var rs []map[string]any
		if err := json.Unmarshal([]byte(out), &rs); err != nil || len(rs) != 1 {
			t.Fatalf("%v: want a JSON array of one result, got %q (%v)", args, out, err)
		}
		r := rs[0]
		for _, k := range []string{"op", "batch", "threads", "gflops", "ms", "allocs_per_step"} {
			if _, ok := r[k]; !ok {
				t.Errorf("bench %s --json lacks %q: %v", c.op, k, r)
			}
		}
		if r["op"] != c.op || r["batch"] != c.batch || r["threads"] != 1.0 {
			t.Errorf("bench %s: unexpected result %v", c.op, r)
		}
		if g, _ := r["gflops"].(float64); !(g > 0) {
			t.Errorf("bench %s: gflops %v", c.op, r["gflops"])
		}
		// The count is global to the process over every timed step; the
		// runtime may allocate once in a while on its own, so allow a
		// stray allocation but not one per step.
		if a, _ := r["allocs_per_step"].(float64); a >= 0.5 {
			t.Errorf("bench %s: a warm step allocates %v times", c.op, a)
		}
	}
}

func TestBenchModelsTableZH(t *testing.T) {
	out, _, err := run(t, "bench", "cnn", "--batch", "1", "--rounds", "1", "--threads", "1", "--lang", "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"运算", "批大小", "每步分配次数", "cnn"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchModelsRejectBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "cnn", "--batch", "0"}, "--batch 0"},
		{[]string{"bench", "cnn", "--rounds", "0"}, "--rounds 0"},
		{[]string{"bench", "lstm", "--hidden", "-1"}, "--hidden -1"},
		{[]string{"bench", "lstm", "--layers", "0"}, "--layers 0"},
		{[]string{"bench", "lstm", "--seq", "0"}, "--seq 0"},
		{[]string{"bench", "gru", "--hidden", "0"}, "--hidden 0"},
		{[]string{"bench", "gru", "--input", "-2"}, "--input -2"},
		{[]string{"bench", "gru", "--rounds", "0"}, "--rounds 0"},
		{[]string{"bench", "fashion-cnn", "--batch", "0"}, "--batch 0"},
		{[]string{"bench", "fashion-cnn", "--rounds", "1001"}, "--rounds 1001: want 1..1000"},
		{[]string{"bench", "gpt", "--heads", "3"}, "--d-model 256: want a multiple of --heads 3"},
		{[]string{"bench", "gpt", "--vocab", "0"}, "--vocab 0"},
		{[]string{"bench", "gpt", "--context", "-5"}, "--context -5"},
		{[]string{"bench", "gpt", "extra"}, "unknown command"},
	} {
		if _, _, err := run(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v should contain %q", c.args, err, c.want)
		}
	}
}

// TestBenchModelFLOPs pins the FLOP counts to those of
// bench/pytorch/{cnn,fashion_cnn,lstm,gru,gpt}.py at the default shapes,
// so that the two sides' GFLOP/s stay comparable.
func TestBenchModelFLOPs(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		// 6 · 128 · (28·28·6·25 + 10·10·16·6·25 + 400·120 + 120·84 + 84·10)
		{"cnn", cnnFLOPs(128), 6 * 128 * (117600 + 240000 + 48000 + 10080 + 840)},
		// 6 · 64 · (26·26·32·9 + 11·11·64·32·9 + 1600·128 + 128·10)
		{"fashion-cnn", fashionCNNFLOPs(64), 6 * 64 * (194688 + 2230272 + 204800 + 1280)},
		// 6 · 64 · 32 · (4·256·(64+256) + 4·256·(256+256))
		{"lstm", rnnFLOPs(nn.LSTM, rnnShape{Batch: 32, Seq: 64, Input: 64, Hidden: 256, Layers: 2}), 6 * 64 * 32 * (327680 + 524288)},
		// 6 · 64 · 32 · (3·256·(64+256) + 3·256·(256+256))
		{"gru", rnnFLOPs(nn.GRU, rnnShape{Batch: 32, Seq: 64, Input: 64, Hidden: 256, Layers: 2}), 6 * 64 * 32 * (245760 + 393216)},
		// 6 · 2048 · (4·12·256² + 256·5000) + 3·4·4·2048·128·256
		{"gpt", gptFLOPs(gptShape{Batch: 16, Context: 128, DModel: 256, Heads: 4, Layers: 4, Vocab: 5000}),
			6*2048*(4*12*65536+256*5000) + 3*4*4*2048*128*256},
	} {
		if c.got != c.want {
			t.Errorf("%s: %g FLOPs, want %g", c.name, c.got, c.want)
		}
	}
}
