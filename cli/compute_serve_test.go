package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestComputeServeTable(t *testing.T) {
	out, _, err := run(t, "--lang", "en", "compute", "serve", "--preset", "llama-2-70b", "--gpu", "h100", "--tp", "2",
		"--price-in", "0.5", "--price-out", "1.5", "--gpu-price", "2.5")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"KV cache per token", "320.00 KiB (327,680 B)", "14 / 7.0", "14 (max)", "memory",
		"gross margin", "break-even util.", "$2.50", "defaults used", "vLLM", "cost/M out"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "gpu_price") {
		t.Errorf("a given GPU price is listed as a default:\n%s", out)
	}
}

func TestComputeServeChinese(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "compute", "serve", "--preset", "llama-3-8b", "--gpu", "h20", "--currency", "CNY",
		"--target-tpot-ms", "30", "--price-out", "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"每 token KV 缓存", "最大并发序列", "毛利率", "满足延迟目标的最大批", "¥", "（目标）", "（最大）", "使用的默认值", "kaiwu 假设", "（估计）", "gpu_price"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestComputeServeJSON(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		kv       float64
		currency string
		rows     int
	}{
		{[]string{"--preset", "llama-2-70b", "--gpu", "a100", "--tp", "2", "--batch", "1,4"}, 327680, "USD", 3},
		{[]string{"--preset", "llama-2-7b", "--gpu", "a100", "--kv", "fp8", "--currency", "CNY", "--batch", "8"}, 262144, "CNY", 2},
		{[]string{"--preset", "deepseek-v3", "--gpu", "h200", "--tp", "8", "--weights", "fp8", "--kv", "fp8", "--batch", "1"}, 35136, "USD", 2},
	} {
		out, _, err := run(t, append([]string{"--json", "compute", "serve"}, tc.args...)...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var v struct {
			KV       float64 `json:"kv_bytes_per_token"`
			GPUPrice struct {
				Currency string `json:"currency"`
			} `json:"gpu_price"`
			Rows []struct {
				Batch   int  `json:"batch"`
				Fits    bool `json:"fits"`
				CostOut struct {
					Amount string `json:"amount"`
				} `json:"cost_per_m_output"`
			} `json:"rows"`
			Defaults []struct{ Name, Source string } `json:"defaults"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v: not JSON: %v\n%s", tc.args, err, out)
		}
		if v.KV != tc.kv || v.GPUPrice.Currency != tc.currency || len(v.Rows) != tc.rows || v.Rows[0].CostOut.Amount == "" {
			t.Errorf("%v: kv %g currency %s rows %d %+v", tc.args, v.KV, v.GPUPrice.Currency, len(v.Rows), v.Rows)
		}
		found := false
		for _, d := range v.Defaults {
			found = found || (d.Name == "gpu_price" && d.Source != "")
		}
		if !found {
			t.Errorf("%v: catalogue price not listed among the defaults: %+v", tc.args, v.Defaults)
		}
	}
}

func TestComputeServeErrors(t *testing.T) {
	base := []string{"compute", "serve", "--preset", "llama-2-7b"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--tp", "0"}, "--tp"},
		{[]string{"--weights", "fp7"}, "--weights"},
		{[]string{"--kv", "x"}, "--kv"},
		{[]string{"--prompt", "-1"}, "--prompt"},
		{[]string{"--output", "0"}, "--output"},
		{[]string{"--batch", "8,0"}, "--batch"},
		{[]string{"--mfu", "1.5"}, "--mfu"},
		{[]string{"--bw-eff", "-0.5"}, "--bw-eff"},
		{[]string{"--utilisation", "2"}, "--utilisation"},
		{[]string{"--reserve", "1"}, "--reserve"},
		{[]string{"--target-tpot-ms", "-3"}, "--target-tpot-ms"},
		{[]string{"--gpu", "nosuch"}, "--gpu"},
		{[]string{"--currency", "dollars"}, "--currency"},
		{[]string{"--gpu-price", "abc"}, "--gpu-price"},
		{[]string{"--gpu-price", "0"}, "--gpu-price"},
		{[]string{"--price-in", "-1"}, "--price-in"},
		{[]string{"--price-out", "x"}, "--price-out"},
	} {
		_, _, err := run(t, append(append([]string(nil), base...), tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.args, err, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compute", "serve", "--params", "7e9"}, "--params"},
		{[]string{"compute", "serve"}, "--preset"},
		{[]string{"compute", "serve", "--preset", "llama-2-7b", "--kv-heads", "5"}, "kv"},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.args, err, tc.want)
		}
	}
}
