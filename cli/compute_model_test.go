package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestComputeModelPresetTable(t *testing.T) {
	out, _, err := run(t, "compute", "model", "--preset", "llama-2-7b")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"6,738,415,616 (6.74B)", "huggingface.co/meta-llama/Llama-2-7b-hf", "forward FLOPs per token", "per layer (dense ×32)"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	zh, _, err := run(t, "--lang", "zh", "compute", "model", "--preset", "mixtral-8x7b")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(zh, "每 token 激活参数") || !strings.Contains(zh, "12.9B") {
		t.Errorf("Chinese table:\n%s", zh)
	}
}

func TestComputeModelJSON(t *testing.T) {
	js, _, err := run(t, "--json", "compute", "model", "--preset", "mixtral-8x7b", "--seq", "2048", "--tokens", "1T", "--recompute", "full")
	if err != nil {
		t.Fatal(err)
	}
	var r ComputeModelResult
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, js)
	}
	if r.Params.Total != 46_702_792_704 || r.Model.KVHeads != 8 || r.Model.ExpertFFN != 14336 || r.FLOPs.Seq != 2048 {
		t.Errorf("unexpected %+v", r)
	}
	if r.Tokens != 1e12 || r.Recompute != "full" || r.TrainingFLOPs != 1e12*r.FLOPs.TrainingFull {
		t.Errorf("training: %g %q %g", r.Tokens, r.Recompute, r.TrainingFLOPs)
	}
	var raw struct{ Params map[string]any }
	if err := json.Unmarshal([]byte(js), &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"total", "active", "non_embedding", "per_layer"} {
		if _, ok := raw.Params[k]; !ok {
			t.Errorf("params lacks %q", k)
		}
	}
}

// An architecture given by flags reproduces the preset it spells out.
func TestComputeModelArchFlags(t *testing.T) {
	js, _, err := run(t, "--json", "compute", "model", "--layers", "32", "--d-model", "4096", "--heads", "32",
		"--kv-heads", "8", "--ffn", "14336", "--vocab", "128256")
	if err != nil {
		t.Fatal(err)
	}
	var r ComputeModelResult
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if r.Params.Total != 8_030_261_248 {
		t.Errorf("llama-3-8b by flags: %d", r.Params.Total)
	}
	// A preset with an override.
	js, _, err = run(t, "--json", "compute", "model", "--preset", "llama-3-8b", "--tied-embeddings")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if r.Params.Total != 8_030_261_248-128256*4096 || !strings.Contains(r.Model.Name, "modified") {
		t.Errorf("override: %d %q", r.Params.Total, r.Model.Name)
	}
	// --params: 6N per token.
	js, _, err = run(t, "--json", "compute", "model", "--params", "7B")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if r.FLOPs.Training != 42e9 || r.Params.Total != 7e9 {
		t.Errorf("--params 7B: %+v", r.FLOPs)
	}
}

func TestComputeModelErrorsNameTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--preset", "llama-2-7b", "--kv-heads", "5"}, "--kv-heads:"},
		{[]string{"--layers", "2", "--d-model", "100", "--heads", "3", "--ffn", "10", "--vocab", "10"}, "--heads:"},
		{[]string{"--layers", "0", "--d-model", "64", "--heads", "4", "--ffn", "10", "--vocab", "10"}, "--layers:"},
		{[]string{"--preset", "mixtral-8x7b", "--active-experts", "9"}, "--active-experts:"},
		{[]string{"--preset", "llama-2-7b", "--ffn-type", "relu"}, "--ffn-type:"},
		{[]string{"--preset", "gpt-5"}, "--preset:"},
		{[]string{}, "--preset:"},
		{[]string{"--params", "abc"}, "--params:"},
		{[]string{"--params", "-7e9"}, "--params:"},
		{[]string{"--params", "7e9", "--layers", "2"}, "--params:"},
		{[]string{"--params", "7e9", "--preset", "llama-2-7b"}, "--params:"},
		{[]string{"--preset", "llama-2-7b", "--seq", "0"}, "--seq:"},
		{[]string{"--preset", "llama-2-7b", "--tokens", "x"}, "--tokens:"},
		{[]string{"--preset", "llama-2-7b", "--tokens", "1e12", "--recompute", "half"}, "--recompute:"},
	} {
		_, _, err := run(t, append([]string{"compute", "model"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to name %s", tc.args, err, tc.want)
		}
	}
}

// addModelFlags is reusable: a bare command gets the same model.
func TestAddModelFlagsReusable(t *testing.T) {
	cmd := &cobra.Command{Use: "x"}
	mf := addModelFlags(cmd)
	if err := cmd.ParseFlags([]string{"--preset", "deepseek-v3"}); err != nil {
		t.Fatal(err)
	}
	a, err := mf.arch()
	if err != nil || a.Params().Total < 670e9 {
		t.Fatalf("%v %d", err, a.Params().Total)
	}
	for _, n := range archFlagNames {
		if cmd.Flags().Lookup(n) == nil {
			t.Errorf("flag --%s missing", n)
		}
	}
	for _, tc := range []struct {
		in   string
		want float64
	}{{"7e9", 7e9}, {"7B", 7e9}, {"1.5T", 1.5e12}, {"350M", 350e6}, {"70_000", 70000}} {
		if got, err := parseCountFlag(tc.in); err != nil || got != tc.want {
			t.Errorf("parseCountFlag(%q) = %g, %v", tc.in, got, err)
		}
	}
}
