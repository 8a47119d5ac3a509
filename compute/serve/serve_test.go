package serve

import (
	"math"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

func preset(t *testing.T, name string) model.Arch {
	t.Helper()
	a, err := model.Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func usd(s string) money.Money { return money.New(decimal.RequireFromString(s), money.USD) }

func near(got, want, rel float64) bool { return math.Abs(got-want) <= rel*math.Abs(want) }

// deepSeekV2 is DeepSeek-V2 (236B total, 21B active) from its paper,
// arXiv:2405.04434, model hyper-parameters (§3.1): 60 layers, d_model 5120,
// 128 heads, d_c = 512, d_h^R = 64, per-head 128 (+64 rope) q/k and 128 v,
// query compression 1536; MoE in all but the first layer, 2 shared and
// 160 routed experts of 1536, 6 routed per token; vocabulary 102400.
func deepSeekV2() model.Arch {
	return model.Arch{Name: "deepseek-v2", Layers: 60, DModel: 5120, Heads: 128, FFN: 12288, Vocab: 102400,
		Experts: 160, ActiveExperts: 6, SharedExperts: 2, ExpertFFN: 1536, DenseLayers: 1,
		QLoRARank: 1536, KVLoRARank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128}
}

// a100 is the NVIDIA A100 SXM4 80GB as the brief's example states it:
// 2.0 TB/s, 312 TFLOP/s dense bf16.
var a100 = GPU{Name: "A100 80GB", MemoryBytes: 80e9, Bandwidth: 2.0e12, Peak16: 312e12}

func TestKVCachePublished(t *testing.T) {
	for _, tc := range []struct {
		name  string
		arch  model.Arch
		prec  Precision
		bytes float64
		cite  string
	}{
		// 2 · 80 layers · 8 KV heads · 128 · 2 bytes; Cursor (A. Sanger,
		// "Why GPT-3.5 is (mostly) cheaper than Llama 2", 2023) quotes
		// "320 KB" per token, 327,680 B = 320 KiB ≈ 0.31 MiB.
		{"llama-2-70b GQA", preset(t, "llama-2-70b"), BF16, 327680, "2·80·8·128·2"},
		// 2 · 32 · 32 · 128 · 2 = 0.5 MiB per token (MHA).
		{"llama-2-7b MHA", preset(t, "llama-2-7b"), BF16, 524288, "2·32·32·128·2"},
		// DeepSeek LLM 67B, arXiv:2401.02954 Table 2: 95 layers, GQA with
		// 8 KV heads of 128.
		{"deepseek-llm-67b", preset(t, "deepseek-llm-67b"), BF16, 2 * 95 * 8 * 128 * 2, "2·95·8·128·2"},
		// DeepSeek-V2 MLA, arXiv:2405.04434 Table 1: (d_c + d_h^R)·l =
		// (512 + 64)·60 elements, i.e. 4.5·d_h·l with d_h = 128.
		{"deepseek-v2 MLA", deepSeekV2(), BF16, 576 * 60 * 2, "(512+64)·60·2"},
		{"deepseek-v3 MLA", preset(t, "deepseek-v3"), FP8, 576 * 61, "(512+64)·61·1"},
		{"llama-2-70b fp8 KV", preset(t, "llama-2-70b"), FP8, 163840, "half of bf16"},
	} {
		if got := KVBytesPerToken(tc.arch, tc.prec); got != tc.bytes {
			t.Errorf("%s: KV bytes per token %g, want %g (%s)", tc.name, got, tc.bytes, tc.cite)
		}
	}
	if mib := KVBytesPerToken(preset(t, "llama-2-70b"), BF16) / (1 << 20); !near(mib, 0.3125, 1e-12) {
		t.Errorf("llama-2-70b: %g MiB per token, want 0.3125", mib)
	}
}

// TestDeepSeekV2KVReduction reproduces "reduces the KV cache by 93.3%"
// (DeepSeek-V2, arXiv:2405.04434, abstract; the deployment section): DeepSeek-V2 with
// MLA and its KV cache quantised to 6 bits per element on average against
// DeepSeek 67B's GQA cache in bf16. Tolerance: the paper rounds to 0.1
// percentage point.
func TestDeepSeekV2KVReduction(t *testing.T) {
	six, err := ParsePrecision("6bit")
	if err != nil {
		t.Fatal(err)
	}
	v2 := KVBytesPerToken(deepSeekV2(), six)
	dense := KVBytesPerToken(preset(t, "deepseek-llm-67b"), BF16)
	red := 1 - v2/dense
	if math.Abs(red-0.933) > 0.0005 {
		t.Errorf("KV-cache reduction %.4f, want 0.933 ± 0.0005 (v2 %g B/token, 67B %g B/token)", red, v2, dense)
	}
	// Without the 6-bit quantisation MLA alone saves 82.2%: the 93.3%
	// needs both, which is what the paper's deployment does.
	if red16 := 1 - KVBytesPerToken(deepSeekV2(), BF16)/dense; math.Abs(red16-0.8224) > 0.0005 {
		t.Errorf("bf16 MLA reduction %.4f, want 0.8224", red16)
	}
}

// TestDecodeBandwidthBound: a single stream reads every weight once per
// token, so tokens/s ≤ bandwidth / weight bytes. A "7B" bf16 model on an
// A100 at 2.0 TB/s: 2.0e12 / 14e9 ≈ 143 tokens/s; Llama-2-7B has 6.74B
// parameters, so its bound is 2.0e12 / 13.48e9 ≈ 148.4. At 100% bandwidth
// efficiency and a 1-token context the KV read adds 0.004%, hence the
// tolerance of 0.1%.
func TestDecodeBandwidthBound(t *testing.T) {
	in := Input{Model: preset(t, "llama-2-7b"), GPU: a100, Prompt: 1, Output: 1, Batches: []int{1},
		BandwidthEfficiency: 1, MFU: 1, GPUPrice: usd("2")}
	r, err := Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	tps := r.Rows[0].TokensPerSecondPerSequence
	bound := a100.Bandwidth / r.WeightBytes
	if tps > bound || !near(tps, bound, 1e-3) {
		t.Errorf("batch-1 decode %.2f tokens/s, want just under the bound %.2f", tps, bound)
	}
	if !near(bound, 148.4, 1e-3) {
		t.Errorf("bound %.2f, want 148.4 for 6.74B parameters", bound)
	}
	if seven := a100.Bandwidth / (7e9 * 2); !near(seven, 142.86, 1e-3) || tps*2*7e9 > a100.Bandwidth*1.04 {
		t.Errorf("7B bound %.2f, want 142.86", seven)
	}
	if r.Rows[0].Bound != "memory" {
		t.Errorf("batch-1 decode is %s-bound, want memory", r.Rows[0].Bound)
	}
}

// TestCrossoverIsOpsPerByte: for a dense 16-bit model, 2 FLOPs and 2 bytes
// per parameter, decode turns compute-bound at B* = peak / bandwidth, the
// GPU's ops:byte ratio: 312e12 / 1.5e12 = 208 on an A100 40GB (kipply,
// "Transformer Inference Arithmetic", 2022) and 125e12 / 600e9 = 208.3 on
// an A10 (Baseten, "A guide to LLM inference and performance", 2023).
// The LM head makes the weights read slightly exceed 2·N_matmul bytes
// (the embedding table is stored but not multiplied), so B* sits a little
// above the ratio: tolerance 3%.
func TestCrossoverIsOpsPerByte(t *testing.T) {
	for _, tc := range []struct {
		gpu  GPU
		want float64
	}{
		{GPU{Name: "A100 40GB", MemoryBytes: 40e9, Bandwidth: 1.5e12, Peak16: 312e12}, 208},
		{GPU{Name: "A10", MemoryBytes: 24e9, Bandwidth: 600e9, Peak16: 125e12}, 208.3},
	} {
		r, err := Analyze(Input{Model: preset(t, "llama-2-7b"), GPU: tc.gpu, Prompt: 100, Output: 100,
			MFU: 1, BandwidthEfficiency: 1, GPUPrice: usd("1")})
		if err != nil {
			t.Fatal(err)
		}
		if !near(r.OpsPerByte, tc.want, 2e-3) {
			t.Errorf("%s: ops:byte %.1f, want %.1f", tc.gpu.Name, r.OpsPerByte, tc.want)
		}
		if !near(r.CrossoverBatch, tc.want, 0.03) {
			t.Errorf("%s: crossover batch %.1f, want %.1f ± 3%%", tc.gpu.Name, r.CrossoverBatch, tc.want)
		}
		// Counting the KV cache (MHA, 150 tokens of context) pushes it out.
		if r.CrossoverBatchKV != nil && *r.CrossoverBatchKV <= r.CrossoverBatch {
			t.Errorf("%s: crossover with KV %.1f not above %.1f", tc.gpu.Name, *r.CrossoverBatchKV, r.CrossoverBatch)
		}
	}
}

// TestCursorLlama70BTraffic reproduces Cursor's Llama-2-70B decode model
// (A. Sanger, "Why GPT-3.5 is (mostly) cheaper than Llama 2", 2023): per
// token 140 GFLOPs (2 × 70B) and memory traffic per step of 140 GB +
// 320 KB · N · B for context N and batch B. Our FLOPs use the exact matmul
// parameters (68.7B): tolerance 2%; the KV term is exact.
func TestCursorLlama70BTraffic(t *testing.T) {
	const prompt, output, batch = 511, 1, 4 // mean context 512
	r, err := Analyze(Input{Model: preset(t, "llama-2-70b"), GPU: a100, TP: 2, Prompt: prompt, Output: output,
		Batches: []int{batch}, GPUPrice: usd("2")})
	if err != nil {
		t.Fatal(err)
	}
	row := r.Rows[0]
	n := float64(prompt) + float64(output+1)/2
	if want := 327680 * n * batch; row.StepKVBytes != want {
		t.Errorf("KV bytes per step %g, want 320 KiB · %g · %d = %g", row.StepKVBytes, n, batch, want)
	}
	if !near(row.StepWeightBytes, 140e9, 0.02) {
		t.Errorf("weight bytes per step %g, want ≈ 140e9", row.StepWeightBytes)
	}
	if perTok := row.StepFLOPs / batch; !near(perTok, 140e9, 0.02) {
		t.Errorf("FLOPs per token %g, want ≈ 140e9 ± 2%%", perTok)
	}
}

// TestCostPerMillionPublished checks the cost formula against published
// worked examples: GMI Cloud, "Cost Per Million Tokens Explained" (2026),
// example A: $2.00 / (85 × 3,600) × 10⁶ = $6.54; and N. Mishra, "LLM
// Inference Cost: Tokens/Dollar": Llama-2-70B on 4 × A100 at $2.21, 2,400
// tokens/s, 70% utilisation → $1.46. Both are quoted to the cent.
func TestCostPerMillionPublished(t *testing.T) {
	for _, tc := range []struct {
		price string
		tps   float64
		util  float64
		want  string
	}{
		{"2.00", 85, 1, "6.54"},
		{"8.84", 2400, 0.7, "1.46"},
	} {
		got := CostPerMillion(usd(tc.price), tc.tps, tc.util).Amount.Round(2)
		if !got.Equal(decimal.RequireFromString(tc.want)) {
			t.Errorf("$%s/h at %g tok/s, u=%g: $%s per M, want $%s", tc.price, tc.tps, tc.util, got, tc.want)
		}
	}
}

// TestRowIdentities: cost per million output = replica price / (decode
// tokens/s · 3600 · u) · 10⁶, and the margin and break-even identities.
func TestRowIdentities(t *testing.T) {
	g, err := hw.Lookup("h100")
	if err != nil {
		t.Fatal(err)
	}
	pin, pout := usd("0.5"), usd("1.5")
	in := Input{Model: preset(t, "llama-3-8b"), GPU: GPUFrom(g), Prompt: 1000, Output: 300,
		Batches: []int{1, 16, 64}, Utilisation: 0.6, GPUPrice: usd("2.50"), PriceIn: &pin, PriceOut: &pout}
	r, err := Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range r.Rows {
		want := CostPerMillion(usd("2.50"), row.DecodeTokensPerSecond, 0.6)
		if d := row.CostPerMOutput.Amount.Sub(want.Amount).Abs(); d.GreaterThan(decimal.New(1, -6)) {
			t.Errorf("batch %d: cost per M output %s, want %s", row.Batch, row.CostPerMOutput.Amount, want.Amount)
		}
		// cost per request = P/1e6 · in + O/1e6 · out.
		req := row.CostPerMInput.Amount.Mul(decimal.NewFromInt(1000)).Add(row.CostPerMOutput.Amount.Mul(decimal.NewFromInt(300))).Shift(-6)
		if d := req.Sub(row.CostPerRequest.Amount).Abs(); d.GreaterThan(decimal.New(1, -7)) {
			t.Errorf("batch %d: cost per request %s, want %s", row.Batch, row.CostPerRequest.Amount, req)
		}
		if !row.RevenuePerRequest.Amount.Equal(decimal.RequireFromString("0.00095")) {
			t.Errorf("revenue per request %s, want 0.00095", row.RevenuePerRequest.Amount)
		}
		// At the break-even utilisation the margin is zero.
		be, _ := row.BreakEvenUtilisation.Float64()
		if be <= 0 || be > 1 {
			continue
		}
		in2 := in
		in2.Utilisation, in2.Batches = be, []int{row.Batch}
		r2, err := Analyze(in2)
		if err != nil {
			t.Fatal(err)
		}
		if m, _ := r2.Rows[0].GrossMargin.Float64(); math.Abs(m) > 1e-4 {
			t.Errorf("batch %d: margin at break-even utilisation %g is %g, want 0", row.Batch, be, m)
		}
	}
	// Bigger batches are cheaper per output token and slower per stream.
	if !(r.Rows[0].CostPerMOutput.Amount.GreaterThan(r.Rows[1].CostPerMOutput.Amount) &&
		r.Rows[0].TokensPerSecondPerSequence >= r.Rows[1].TokensPerSecondPerSequence) {
		t.Errorf("batch 1 vs 16 not monotone: %+v %+v", r.Rows[0], r.Rows[1])
	}
}

// TestMemoryByHand: Llama-2-7B bf16 on one A100 80GB, 10% reserved:
// (72e9 − 2·6,738,415,616) / (524,288 · 1,300) = 85.9 → 85 sequences.
func TestMemoryByHand(t *testing.T) {
	r, err := Analyze(Input{Model: preset(t, "llama-2-7b"), GPU: a100, Prompt: 1000, Output: 300, GPUPrice: usd("2")})
	if err != nil {
		t.Fatal(err)
	}
	want := int(math.Floor((72e9 - 2*6738415616.0) / (524288 * 1300)))
	if r.MaxSequences != want || want != 85 || !r.Fits || r.MinTP != 1 {
		t.Errorf("max sequences %d (fits %v, min tp %d), want %d", r.MaxSequences, r.Fits, r.MinTP, want)
	}
	last := r.Rows[len(r.Rows)-1]
	for _, row := range r.Rows {
		if row.Max != (row.Batch == 85) || row.Fits != (row.Batch <= 85) {
			t.Errorf("row %d: max %v fits %v", row.Batch, row.Max, row.Fits)
		}
	}
	if last.Batch != 128 || last.Fits {
		t.Errorf("last row %+v, want batch 128 not fitting", last)
	}
}

func TestTensorParallelAndFit(t *testing.T) {
	a := preset(t, "llama-2-70b")
	for _, tc := range []struct {
		tp   int
		fits bool
		repl float64
	}{{1, false, 1}, {2, true, 1}, {8, true, 1}, {16, true, 2}} {
		r, err := Analyze(Input{Model: a, GPU: a100, TP: tc.tp, Prompt: 1000, Output: 300, GPUPrice: usd("2")})
		if err != nil {
			t.Fatal(err)
		}
		if r.Fits != tc.fits || r.KVReplication != tc.repl || r.MinTP != 2 {
			t.Errorf("tp %d: fits %v replication %g min tp %d, want %v %g 2", tc.tp, r.Fits, r.KVReplication, r.MinTP, tc.fits, tc.repl)
		}
	}
	// MLA's latent is kept whole on every GPU of the replica.
	r, err := Analyze(Input{Model: preset(t, "deepseek-v3"), GPU: GPU{Name: "H200", MemoryBytes: 141e9, Bandwidth: 4.8e12, Peak16: 989e12, Peak8: 1979e12},
		TP: 8, Weights: FP8, Prompt: 1000, Output: 300, GPUPrice: usd("3")})
	if err != nil {
		t.Fatal(err)
	}
	if r.KVReplication != 8 || !r.Fits || r.PeakFLOPs != 8*1979e12 {
		t.Errorf("deepseek-v3 on 8×H200: replication %g fits %v peak %g", r.KVReplication, r.Fits, r.PeakFLOPs)
	}
}

// TestMoEWeightsRead: one token reads the shared weights and k of E routed
// experts — exactly the active parameters (DeepSeek-V3: 37B of 671B,
// arXiv:2412.19437 abstract) — and a large batch reads nearly all.
func TestMoEWeightsRead(t *testing.T) {
	a := preset(t, "deepseek-v3")
	s := newShape(a)
	p := a.Params()
	if got := weightsRead(s, 1, 1); !near(got, float64(p.Active), 1e-9) {
		t.Errorf("batch-1 read %g, want the active parameters %d", got, p.Active)
	}
	if got := weightsRead(s, 1, 4096); !near(got, float64(p.Total), 1e-6) {
		t.Errorf("batch-4096 read %g, want ≈ total %d", got, p.Total)
	}
	if !near(float64(p.Active), 37e9, 0.02) || !near(float64(p.Total), 671e9, 0.01) {
		t.Errorf("deepseek-v3 params %d/%d, want 37B/671B", p.Active, p.Total)
	}
	// Dense models read everything at any batch.
	d := newShape(preset(t, "llama-2-7b"))
	if weightsRead(d, 2, 1) != weightsRead(d, 2, 64) {
		t.Error("dense read depends on batch")
	}
}

func TestTargetTPOT(t *testing.T) {
	in := Input{Model: preset(t, "llama-2-7b"), GPU: a100, Prompt: 500, Output: 200, GPUPrice: usd("2"), TargetTPOT: 0.012}
	r, err := Analyze(in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Target == nil {
		t.Fatal("no batch meets a 12 ms target")
	}
	if r.Target.StepSeconds > 0.012 {
		t.Errorf("target row step %g s > 12 ms", r.Target.StepSeconds)
	}
	if r.Target.Batch < r.MaxSequences {
		in.Batches = []int{r.Target.Batch + 1}
		r2, _ := Analyze(in)
		if r2.Rows[0].StepSeconds <= 0.012 {
			t.Errorf("batch %d also meets the target: not the largest", r.Target.Batch+1)
		}
	}
	row, ok := r.Operating()
	if !ok || row.Batch != r.Target.Batch {
		t.Errorf("operating point %d, want the target's %d", row.Batch, r.Target.Batch)
	}
	in.TargetTPOT = 1e-4 // faster than the weights can be read
	if r, _ = Analyze(in); r.Target != nil {
		t.Errorf("0.1 ms target met by batch %d", r.Target.Batch)
	}
}

func TestMonthly(t *testing.T) {
	r, err := Analyze(Input{Model: preset(t, "llama-2-7b"), GPU: a100, Prompt: 1000, Output: 300, GPUPrice: usd("2"), Utilisation: 1})
	if err != nil {
		t.Fatal(err)
	}
	row, ok := r.Operating()
	if !ok || !row.Max {
		t.Fatalf("operating point %+v, want the largest batch that fits", row)
	}
	pin := usd("0.2")
	m := r.Monthly(row, 3e9, 1e9, &pin, nil)
	h := 3e3*row.GPUHoursPerMInput + 1e3*row.GPUHoursPerMOutput
	if !near(m.GPUHours, h, 1e-12) || !near(m.GPUs, h/730, 1e-12) {
		t.Errorf("GPU-hours %g, want %g", m.GPUHours, h)
	}
	want := decimal.NewFromFloat(h).Mul(decimal.NewFromInt(2)).Round(2)
	if !m.Cost.Amount.Equal(want) || !m.Revenue.Amount.Equal(decimal.NewFromInt(600)) {
		t.Errorf("cost %s revenue %v, want %s and 600", m.Cost.Amount, m.Revenue, want)
	}
}

func TestParsePrecision(t *testing.T) {
	for _, tc := range []struct {
		in   string
		bits float64
		c8   bool
		err  bool
	}{
		{"bf16", 16, false, false}, {"BFloat16", 16, false, false}, {"fp8", 8, true, false}, {"e4m3", 8, true, false},
		{"int8", 8, true, false}, {"int4", 4, false, false}, {"fp32", 32, false, false}, {"6bit", 6, false, false},
		{"4.5bit", 4.5, false, false}, {"fp7", 0, false, true}, {"0bit", 0, false, true}, {"", 0, false, true},
	} {
		p, err := ParsePrecision(tc.in)
		if (err != nil) != tc.err || p.Bits != tc.bits || p.Compute8 != tc.c8 {
			t.Errorf("%q: %+v, %v", tc.in, p, err)
		}
	}
}

func TestErrorsNameTheField(t *testing.T) {
	base := func() Input {
		return Input{Model: model.Arch{Name: "x", Layers: 2, DModel: 64, Heads: 4, FFN: 128, Vocab: 100},
			GPU: a100, Prompt: 10, Output: 10, GPUPrice: usd("1")}
	}
	cny := money.New(decimal.NewFromInt(1), money.CNY)
	neg := usd("-1")
	for _, tc := range []struct {
		field string
		edit  func(*Input)
	}{
		{"tp", func(in *Input) { in.TP = -1 }},
		{"mfu", func(in *Input) { in.MFU = 1.2 }},
		{"bandwidth_efficiency", func(in *Input) { in.BandwidthEfficiency = -0.1 }},
		{"utilisation", func(in *Input) { in.Utilisation = 2 }},
		{"memory_reserve", func(in *Input) { in.MemoryReserve = 1 }},
		{"prompt", func(in *Input) { in.Prompt = -5 }},
		{"output", func(in *Input) { in.Output = 0 }},
		{"batch", func(in *Input) { in.Batches = []int{8, 0} }},
		{"target_tpot", func(in *Input) { in.TargetTPOT = -1 }},
		{"gpu.memory_bytes", func(in *Input) { in.GPU.MemoryBytes = 0 }},
		{"gpu.bandwidth", func(in *Input) { in.GPU.Bandwidth = math.NaN() }},
		{"gpu.peak_16bit", func(in *Input) { in.GPU.Peak16 = 0 }},
		{"gpu_price", func(in *Input) { in.GPUPrice = money.Money{} }},
		{"gpu_price", func(in *Input) { in.GPUPrice = usd("0") }},
		{"price_in", func(in *Input) { in.PriceIn = &cny }},
		{"price_out", func(in *Input) { in.PriceOut = &neg }},
		{"kv_heads", func(in *Input) { in.Model.KVHeads = 3 }},
		{"heads", func(in *Input) { in.Model.Heads = 5 }},
		{"model", func(in *Input) { in.Model = model.FromParams(7e9) }},
		{"weights", func(in *Input) { in.Weights = Precision{Name: "x", Bits: 64} }},
	} {
		in := base()
		tc.edit(&in)
		_, err := Analyze(in)
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: error %v, want one naming the field", tc.field, err)
		}
	}
	if _, err := Analyze(base()); err != nil {
		t.Fatalf("base input: %v", err)
	}
}

func TestDefaultsAreListed(t *testing.T) {
	r, err := Analyze(Input{Model: preset(t, "llama-2-7b"), GPU: a100, Prompt: 10, Output: 10, GPUPrice: usd("1")})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, d := range r.Defaults {
		if d.Source == "" || d.Value == "" {
			t.Errorf("default %s without value or source", d.Name)
		}
		// Every source is kaiwu's own words, with a code from Notes.
		if n := d.SourceDetail; n == nil || Notes[n.Code] != d.Source || n.Text != d.Source || len(n.Args) != 0 {
			t.Errorf("default %s: source detail %+v", d.Name, n)
		}
		names[d.Name] = true
	}
	for _, n := range []string{"mfu", "bandwidth_efficiency", "memory_reserve", "utilisation", "batches", "precision"} {
		if !names[n] {
			t.Errorf("default %s not listed", n)
		}
	}
	r, _ = Analyze(Input{Model: preset(t, "llama-2-7b"), GPU: a100, Prompt: 10, Output: 10, GPUPrice: usd("1"),
		MFU: 0.4, BandwidthEfficiency: 0.7, MemoryReserve: 0.05, Utilisation: 0.3, Batches: []int{4}, Weights: BF16, KV: FP8})
	if len(r.Defaults) != 0 {
		t.Errorf("defaults listed though all given: %+v", r.Defaults)
	}
}
