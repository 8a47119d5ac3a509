package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/compute/memory"
	"github.com/kaiwu-ai/kaiwu/msg"
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
			WhyDetails   []msg.Note `json:"why_details"`
			Tried        int
			Alternatives []json.RawMessage
		} `json:"cheapest"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, js)
	}
	if r.Model != "llama-2-7b" || !r.Fits || r.Total > r.Capacity || r.Layout.TP*r.Layout.PP*r.Layout.DP != 8 || len(r.Cheapest.Why) < 2 || r.Cheapest.Tried == 0 ||
		len(r.Cheapest.WhyDetails) != len(r.Cheapest.Why) || r.Cheapest.WhyDetails[0].Code != memory.WhyFit || r.Cheapest.WhyDetails[0].Text != r.Cheapest.Why[0] {
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

// The zh cheapest-layout table gives the reasons and the layout warnings
// in Chinese; the table is kept as a golden file (go test ./cli -run
// TestComputeMemoryChineseGolden -update rewrites it).
func TestComputeMemoryChineseGolden(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "compute", "memory", "--preset", "llama-2-70b", "--gpu", "a100", "--cheapest", "--max-gpus", "128")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"种布局中有", "完全重计算", "跨 16 个数据并行副本", "每卡：已用 76.3 GB，共 80.0 GB"} {
		if !strings.Contains(out, want) {
			t.Errorf("zh table lacks %q", want)
		}
	}
	for _, bad := range []string{"layouts on", "recomputation", "data-parallel ranks", "per GPU"} {
		if strings.Contains(out, bad) {
			t.Errorf("zh table shows English %q", bad)
		}
	}
	golden(t, "compute-memory-zh.txt", out)

	// A layout warning, in Chinese and, in JSON, with its code.
	args := []string{"compute", "memory", "--preset", "llama-2-7b", "--gpu", "h100", "--gpus", "16", "--tp", "16", "--zero", "1"}
	zh, _, err := run(t, append([]string{"--lang", "zh"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tp 16 跨越多个节点（每节点 8 张 GPU）", "dp = 1 时毫无节省"} {
		if !strings.Contains(zh, want) {
			t.Errorf("zh table lacks %q:\n%s", want, zh)
		}
	}
	js, _, err := run(t, append([]string{"--json"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Notes       []string   `json:"notes"`
		NoteDetails []msg.Note `json:"note_details"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.NoteDetails) != 2 || r.NoteDetails[0].Code != memory.NoteTPSpansNodes || r.NoteDetails[0].Args["tp"] != "16" ||
		len(r.Notes) != 2 || r.Notes[1] != r.NoteDetails[1].Text || !strings.Contains(r.Notes[0], "spans nodes") {
		t.Errorf("notes %q details %+v", r.Notes, r.NoteDetails)
	}
}
