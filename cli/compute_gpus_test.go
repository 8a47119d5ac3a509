package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestComputeGPUsTable(t *testing.T) {
	out, _, err := run(t, "compute", "gpus")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"h100-sxm", "989.4", "ascend-910b", "export control", "NVIDIA H100 Tensor Core GPU datasheet", "palm-540b", "46.2%", "PUE", "0.5703"} {
		if !strings.Contains(out, want) {
			t.Errorf("gpus table lacks %q", want)
		}
	}
	zh, _, err := run(t, "--lang", "zh", "compute", "gpus")
	if err != nil || !strings.Contains(zh, "显存 GB") || !strings.Contains(zh, "出口管制") || !strings.Contains(zh, "估计") {
		t.Errorf("Chinese gpus table: %v", err)
	}
}

func TestComputeGPUsJSONWithOverrides(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "hw.yaml")
	if err := os.WriteFile(f, []byte("gpus:\n  - id: h100\n    prices:\n      USD: {amount: \"1.99\", source: our contract, date: 2026-06}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	js, _, err := run(t, "--json", "compute", "gpus", "--file", f)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		GPUs []struct {
			ID     string `json:"id"`
			Prices map[string]struct {
				Amount string `json:"amount"`
				Source string `json:"source"`
			} `json:"prices"`
		} `json:"gpus"`
	}
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	found := false
	for _, g := range c.GPUs {
		if g.ID == "h100-sxm" {
			found = true
			if g.Prices["USD"].Amount != "1.99" || g.Prices["CNY"].Source == "" {
				t.Errorf("override: %+v", g.Prices)
			}
		}
	}
	if !found {
		t.Error("h100-sxm missing")
	}
	// The train command uses the overridden price.
	out, _, err := run(t, "compute", "train", "--params", "1B", "--tokens", "1B", "--gpu", "h100", "--gpus", "1", "--hw-file", f)
	if err != nil || !strings.Contains(out, "$1.99") || !strings.Contains(out, "our contract") {
		t.Errorf("train with override: %v\n%s", err, out)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("gpus:\n  - id: x1\n    name: X\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "compute", "gpus", "--file", bad); err == nil || !strings.Contains(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), "gpus[14] (x1): bf16_tflops") {
		t.Errorf("bad override: %v", err)
	}
}
