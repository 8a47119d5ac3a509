package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestComputeMemoryTable(t *testing.T) {
	out, _, err := run(t, "compute", "memory", "--preset", "llama-2-70b", "--gpu", "h100", "--gpus", "64", "--tp", "8", "--pp", "2", "--zero", "1", "--recompute", "selective", "--seq", "4096", "--micro-batch", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"TP8 PP2 DP4 ZeRO-1 selective", "AdamW states", "activations", "fits", "yes", "80.00 GB"} {
		if !strings.Contains(out, want) {
			t.Errorf("memory table lacks %q:\n%s", want, out)
		}
	}
}

func TestComputeMemoryCheapestJSON(t *testing.T) {
	js, _, err := run(t, "--json", "compute", "memory", "--preset", "llama-2-7b", "--gpu", "h100", "--gpus", "8", "--cheapest")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Model  string `json:"model"`
		Layout struct {
			TP, PP, DP, ZeRO int
			Recompute        string
		} `json:"layout"`
		Total    float64 `json:"total"`
		Capacity float64 `json:"capacity"`
		Fits     bool    `json:"fits"`
		Cheapest struct {
			Why          []string
			Tried        int
			Alternatives []json.RawMessage
		} `json:"cheapest"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, js)
	}
	if r.Model != "llama-2-7b" || !r.Fits || r.Total > r.Capacity || r.Layout.TP*r.Layout.PP*r.Layout.DP != 8 || len(r.Cheapest.Why) < 2 || r.Cheapest.Tried == 0 {
		t.Errorf("cheapest %+v", r)
	}
}

func TestComputeMemoryChineseFewestGPUs(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "compute", "memory", "--preset", "llama-2-70b", "--gpu", "a100", "--cheapest", "--max-gpus", "128")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"并行布局", "选择理由", "能否放下", "是"} {
		if !strings.Contains(out, want) {
			t.Errorf("Chinese memory table lacks %q:\n%s", want, out)
		}
	}
}

func TestComputeMemoryErrorsNameTheFlag(t *testing.T) {
	base := []string{"compute", "memory", "--preset", "llama-2-7b", "--gpu", "h100"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(base, "--gpus", "12", "--tp", "3"), "--tp: 3 does not divide the 32 attention heads"},
		{append(base, "--gpus", "12", "--pp", "3"), "--pp: 3 does not divide the 32 layers"},
		{append(base, "--gpus", "12", "--tp", "8"), "--gpus: 12 GPUs are not divisible by tp × pp = 8"},
		{append(base, "--gpus", "0"), "--gpus: want ≥ 1"},
		{append(base, "--zero", "5"), "--zero: want a stage 0–3"},
		{append(base, "--recompute", "half"), "--recompute: unknown policy"},
		{append(base, "--micro-batch", "0"), "--micro-batch: want ≥ 1"},
		{append(base, "--cheapest", "--tp", "2"), "--tp: --cheapest searches the layout"},
		{[]string{"compute", "memory", "--preset", "llama-2-70b", "--gpu", "4090", "--gpus", "8", "--cheapest"}, "--gpus: no layout of 8"},
		{[]string{"compute", "memory", "--params", "7B", "--gpu", "h100"}, "--params: activation memory needs an architecture"},
		{[]string{"compute", "memory", "--preset", "llama-2-7b", "--gpu", "v100"}, `--gpu: unknown GPU "v100" (known: a100-40gb`},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}
