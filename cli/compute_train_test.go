package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/compute/train"
	"github.com/kaiwu-ai/kaiwu/msg"
)

func TestComputeTrainTableAndDefaults(t *testing.T) {
	out, _, err := run(t, "compute", "train", "--preset", "llama-2-70b", "--tokens", "2T", "--gpu", "a100", "--gpus", "2048", "--start", "2027-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GPU-hours", "wall-clock days", "GPU cost", "$", "default used", "llama-2-implied", "Llama 2", "2027-01", "2027-02", "energy excludes"} {
		if !strings.Contains(out, want) {
			t.Errorf("train table lacks %q:\n%s", want, out)
		}
	}
}

// DeepSeek-V3 through the CLI: 671B total / 37B active, 14.8T tokens, 2,048
// H800s; --price 2 at the report's implied MFU gives back $5.576M for
// 2.788M GPU-hours (arXiv:2412.19437 Table 1) with the 6N count.
func TestComputeTrainJSON(t *testing.T) {
	mfu := 6 * 37e9 * 14.8e12 / (2.788e6 * 3600 * 989.4e12)
	js, _, err := run(t, "--json", "compute", "train", "--params", "671B", "--active-params", "37B", "--tokens", "14.8T",
		"--gpu", "H800", "--gpus", "2048", "--mfu", strings.TrimRight(strings.TrimRight(jsonFloat(mfu), "0"), "."), "--price", "2 USD", "--start", "2025-01")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		GPU      string  `json:"gpu"`
		GPUHours float64 `json:"gpu_hours"`
		Cost     struct{ Amount, Currency string }
		Defaults []struct{ Field, Source string }
		Schedule []struct {
			Month       string   `json:"month"`
			Amount      string   `json:"amount"`
			Label       string   `json:"label"`
			LabelDetail msg.Note `json:"label_detail"`
		}
		Model       string    `json:"model"`
		ModelDetail *msg.Note `json:"model_detail"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, js)
	}
	if r.GPU != "h800" || r.Cost.Currency != "USD" || r.Cost.Amount != "5576000" || len(r.Schedule) != 2 {
		t.Errorf("DeepSeek-V3 plan: %+v", r)
	}
	if len(r.Schedule) > 0 && (r.Schedule[0].Label != "training 671B parameters (37B active) on 2048× h800" ||
		r.Schedule[0].LabelDetail.Code != train.LabelParamsActive || r.Schedule[0].LabelDetail.Text != r.Schedule[0].Label ||
		r.Schedule[0].LabelDetail.Args["active"] != "37B") {
		t.Errorf("schedule label %+v", r.Schedule[0])
	}
	if r.ModelDetail == nil || r.ModelDetail.Code != train.ModelParamsActive || r.Model != "671B parameters (37B active)" {
		t.Errorf("model %q %+v", r.Model, r.ModelDetail)
	}
	for _, d := range r.Defaults {
		if d.Field == "price" || d.Field == "mfu" {
			t.Errorf("given %s reported as a default", d.Field)
		}
	}
}

func jsonFloat(x float64) string { b, _ := json.Marshal(x); return string(b) }

func TestComputeTrainChinese(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "compute", "train", "--params", "7B", "--tokens", "1T", "--gpu", "910b", "--gpus", "256", "--currency", "CNY")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GPU 时", "实际天数", "¥", "碳排放", "采用的默认值", "（估计）",
		"7B 参数", "仅计 GPU 板卡功耗", "每 GPU 时 ¥", "bf16, 重计算 none"} {
		if !strings.Contains(out, want) {
			t.Errorf("Chinese train table lacks %q:\n%s", want, out)
		}
	}
	// The schedule's labels, the energy caveat and kaiwu's own defaults are
	// Chinese too.
	out, _, err = run(t, "--lang", "zh", "compute", "train", "--preset", "llama-3-8b", "--gpu", "h100", "--gpus", "64", "--start", "2027-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"在 64 张 h100-sxm 上训练 llama-3-8b", "（20 × 参数量）", "算力最优：Hoffmann 等 2022", "架构的上下文长度"} {
		if !strings.Contains(out, want) {
			t.Errorf("Chinese train table lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range []string{"training llama", "GPU board power", "per GPU-hour", "20 × parameters", "context length", "recompute"} {
		if strings.Contains(out, bad) {
			t.Errorf("Chinese train table shows English %q", bad)
		}
	}
}

func TestComputeTrainErrorsNameTheFlag(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "hw.yaml")
	if err := os.WriteFile(bad, []byte("gpus:\n  - id: h100\n    tdp_w: -5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"compute", "train", "--params", "7B", "--tokens", "1T", "--gpu", "h100"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{append(base, "--gpus", "0"), "--gpus: want at least 1 GPU, have 0"},
		{base, "--gpus: want at least 1 GPU"},
		{append(base, "--gpus", "8", "--mfu", "1.5"), "--mfu: want a fraction in (0, 1], have 1.5"},
		{append(base, "--gpus", "8", "--mfu", "-0.2"), "--mfu: want a fraction in (0, 1]"},
		{[]string{"compute", "train", "--params", "7B", "--gpu", "v100", "--gpus", "8"}, `--gpu: unknown GPU "v100" (known: a100-40gb`},
		{append(base, "--gpus", "8", "--tokens", "-1"), "--tokens: want a positive number"},
		{append(base, "--gpus", "8", "--tokens", "lots"), "--tokens: "},
		{append(base, "--gpus", "8", "--precision", "fp7"), "--precision: unknown precision"},
		{[]string{"compute", "train", "--params", "7B", "--gpu", "a100", "--gpus", "8", "--precision", "fp8"}, "--precision: a100-80gb has no FP8"},
		{append(base, "--gpus", "8", "--currency", "CNY", "--price", "2 USD"), "--currency: CNY differs"},
		{append(base, "--gpus", "8", "--price", "abc"), "--price: "},
		{append(base, "--gpus", "8", "--start", "2027-13"), "--start: "},
		{append(base, "--gpus", "8", "--pue", "0.5"), "--pue: want a PUE between 1 and 5"},
		{append(base, "--gpus", "8", "--hw-file", bad), "tdp_w: want > 0, have -5"},
		{[]string{"compute", "train", "--preset", "llama-2-7b", "--active-params", "1B", "--gpu", "h100", "--gpus", "8"}, "--active-params: only with --params"},
		{[]string{"compute", "train", "--gpu", "h100", "--gpus", "8"}, "--preset: give a model"},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}
