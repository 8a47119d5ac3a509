package hw

import (
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

func TestLookupAliases(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"h100", "h100-sxm"},
		{"H100-SXM", "h100-sxm"},
		{"NVIDIA H100 SXM5", "h100-sxm"},
		{"h100_pcie", "h100-pcie"},
		{"A100", "a100-80gb"},
		{"a100-40GB", "a100-40gb"},
		{"a800", "a100-80gb"},
		{"H800", "h800"},
		{"h20", "h20"},
		{"H200", "h200"},
		{"B200", "b200"},
		{"l40s", "l40s"},
		{"4090", "rtx-4090"},
		{"RTX 4090", "rtx-4090"},
		{"910B", "ascend-910b"},
		{"Huawei Ascend 910B", "ascend-910b"},
		{"MI300X", "mi300x"},
		{"Gaudi 3", "gaudi3"},
	} {
		g, err := Lookup(tc.name)
		if err != nil || g.ID != tc.want {
			t.Errorf("Lookup(%q) = %v, %v; want %s", tc.name, g, err, tc.want)
		}
	}
}

func TestLookupUnknownListsNames(t *testing.T) {
	for _, name := range []string{"v100", "", "nvidia"} {
		_, err := Lookup(name)
		if err == nil || !strings.Contains(err.Error(), "unknown GPU") || !strings.Contains(err.Error(), "h100-sxm") || !strings.Contains(err.Error(), "ascend-910b") {
			t.Errorf("Lookup(%q) error %v, want one listing the known GPUs", name, err)
		}
	}
}

// Every entry carries its numbers' source and date and both prices.
func TestEveryNumberIsCited(t *testing.T) {
	c := Default()
	if len(c.GPUs) < 11 {
		t.Fatalf("catalogue has %d GPUs, want at least the 11 of the brief", len(c.GPUs))
	}
	for _, g := range c.GPUs {
		if g.Specs.Source == "" || g.Specs.Date == "" {
			t.Errorf("%s: specs without source/date", g.ID)
		}
		for _, cur := range []money.Currency{money.USD, money.CNY} {
			p, err := g.Price(cur)
			if err != nil || p.Source == "" || p.Date == "" || !p.Amount.IsPositive() {
				t.Errorf("%s %s price %+v, %v", g.ID, cur, p, err)
			}
		}
	}
	for _, r := range c.MFU {
		if r.Source == "" || r.Date == "" || r.Value <= 0 || r.Value > 1 {
			t.Errorf("mfu %s: %+v", r.ID, r)
		}
	}
	if c.PUE.Value != 1.2 || c.PUE.Source == "" {
		t.Errorf("pue %+v, want 1.2 with a source", c.PUE)
	}
}

// Datasheet peaks (dense): H100 SXM 989.4 BF16 / 1978.9 FP8 TFLOPS (NVIDIA
// H100 datasheet, sparse figures halved), A100 312 BF16 and no FP8 (A100
// datasheet), MI300X 1307.4 BF16 (AMD data sheet).
func TestPeaks(t *testing.T) {
	for _, tc := range []struct {
		gpu  string
		p    Precision
		want float64
	}{
		{"h100", BF16, 989.4e12}, {"h100", FP8, 1978.9e12}, {"a100", BF16, 312e12},
		{"h800", BF16, 989.4e12}, {"h20", FP8, 296e12}, {"mi300x", FP16, 1307.4e12}, {"b200", FP8, 4500e12},
	} {
		g, _ := Lookup(tc.gpu)
		got, err := g.PeakFLOPs(tc.p)
		if err != nil || got != tc.want {
			t.Errorf("%s %s peak = %g, %v; want %g", tc.gpu, tc.p, got, err, tc.want)
		}
	}
	a100, _ := Lookup("a100")
	if _, err := a100.PeakFLOPs(FP8); err == nil || !strings.Contains(err.Error(), "precision") || !strings.Contains(err.Error(), "no FP8") {
		t.Errorf("A100 fp8: %v, want an error naming precision", err)
	}
	if _, err := a100.PeakFLOPs(INT4); err == nil {
		t.Error("A100 int4 training: want an error")
	}
}

func TestDefaultMFUAndGrid(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		gpu, want string
	}{{"h100", "llama-3-405b"}, {"a100", "llama-2-implied"}, {"910b", "conservative"}} {
		g, _ := c.Lookup(tc.gpu)
		if r := c.DefaultMFUFor(g); r.ID != tc.want {
			t.Errorf("default MFU for %s = %s, want %s", tc.gpu, r.ID, tc.want)
		}
	}
	palm, err := c.MFURecordByID("palm-540b")
	if err != nil || palm.Value != 0.462 {
		t.Errorf("PaLM MFU %+v, %v; want 0.462 (PaLM Table 3)", palm, err)
	}
	if _, err := c.MFURecordByID("nope"); err == nil || !strings.Contains(err.Error(), "palm-540b") {
		t.Errorf("unknown MFU record: %v", err)
	}
	cn, err := c.GridFactorFor("China")
	if err != nil || cn.KgCO2ePerKWh != 0.5703 {
		t.Errorf("cn grid %+v, %v", cn, err)
	}
	if _, err := c.GridFactorFor("mars"); err == nil || !strings.Contains(err.Error(), "cn") {
		t.Errorf("unknown grid: %v", err)
	}
}

func TestLoadOverrides(t *testing.T) {
	user := []byte(`
gpus:
  - id: H100
    prices:
      USD: {amount: "1.99", source: "our reserved contract", date: 2026-06}
  - id: my-npu
    name: Example NPU
    vendor: Example
    aliases: [npu]
    bf16_tflops: 100
    memory_gb: 32
    memory_bandwidth_tbs: 1
    gpus_per_node: 4
    tdp_w: 300
    specs: {source: vendor sheet, date: 2026-01}
    prices:
      USD: {amount: "0.5", source: quote, date: 2026-01}
      CNY: {amount: "3", source: quote, date: 2026-01}
pue: {value: 1.1, source: our data centre, date: 2026-01}
`)
	c, err := Load(user)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := c.Lookup("h100")
	if p, _ := h.Price(money.USD); p.Amount.String() != "1.99" || p.Source != "our reserved contract" {
		t.Errorf("patched USD price %+v", p)
	}
	if p, _ := h.Price(money.CNY); !p.Amount.IsPositive() {
		t.Errorf("CNY price lost by the patch: %+v", p)
	}
	if h.BF16TFLOPS != 989.4 {
		t.Errorf("patch changed other fields: %g", h.BF16TFLOPS)
	}
	n, err := c.Lookup("NPU")
	if err != nil || n.ID != "my-npu" {
		t.Errorf("added GPU: %v, %v", n, err)
	}
	if c.PUE.Value != 1.1 {
		t.Errorf("pue %g", c.PUE.Value)
	}
	// The default catalogue is untouched.
	if h, _ := Lookup("h100"); h.Prices[money.USD].Amount.String() == "1.99" {
		t.Error("override leaked into the embedded catalogue")
	}
}

func TestLoadErrorsNameWhatAndWhere(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{"gpus:\n  - name: x\n", "gpus[0] (line 2): id: missing"},
		{"gpus:\n  - id: new\n    name: New\n", "gpus[14] (new): bf16_tflops: want > 0"},
		{"gpus:\n  - id: new\n    name: New\n", "prices.USD: missing"},
		{"gpus:\n  - id: h100\n    bf16_tflops: -1\n", "gpus[2] (h100-sxm): bf16_tflops: want > 0, have -1"},
		{"gpus:\n  - id: h100\n    colour: green\n", "gpus[0] (h100, line 2)"},
		{"gpus:\n  - id: h100\n    aliases: [a100]\n", `aliases: "a100" is already a name of`},
		{"mfu:\n  - {id: x, value: 1.5, source: s, date: d}\n", "mfu[9] (x): value: want in (0, 1], have 1.5"},
		{"pue: {value: 0.9, source: s, date: d}\n", "pue: value: want ≥ 1"},
		{"default_mfu: {by_gpu: {h100-sxm: nope}}\n", `by_gpu.h100-sxm: unknown mfu record "nope"`},
		{"nonsense: 1\n", "field nonsense not found"},
	} {
		_, err := Load([]byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%q): %v, want an error containing %q", tc.doc, err, tc.want)
		}
	}
}

func TestParsePrecision(t *testing.T) {
	for in, want := range map[string]Precision{"BF16": BF16, "bfloat16": BF16, "fp16": FP16, "e4m3": FP8, "int4": INT4, "fp32": FP32, "int8": INT8} {
		if got, err := ParsePrecision(in); err != nil || got != want {
			t.Errorf("ParsePrecision(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParsePrecision("fp7"); err == nil {
		t.Error("fp7: want an error")
	}
}
