package model

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

func mustPreset(t *testing.T, name string) Arch {
	t.Helper()
	a, err := Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestPublishedParamsExact checks presets whose checkpoints publish an
// exact parameter count: the number of elements in the released
// safetensors (the "Model size" Hugging Face shows, and
// sum(p.numel() for p in model.parameters()) in transformers). These must
// match to the parameter, since the counting rules (no biases, RMSNorm,
// untied head) are exactly those of the checkpoint.
func TestPublishedParamsExact(t *testing.T) {
	for _, tc := range []struct {
		preset string
		want   int64
	}{
		{"llama-7b", 6_738_415_616},      // LLaMA 7B, "6.7B" (Touvron 2023 Table 2)
		{"llama-2-7b", 6_738_415_616},    // Llama 2 7B, "6.74B"
		{"llama-2-13b", 13_015_864_320},  // Llama 2 13B, "13.0B"
		{"llama-2-70b", 68_976_648_192},  // Llama 2 70B, "69.0B"
		{"llama-3-8b", 8_030_261_248},    // Llama 3 8B, "8.03B"
		{"llama-3-70b", 70_553_706_496},  // Llama 3 70B, "70.6B"
		{"mistral-7b", 7_241_732_096},    // Mistral 7B v0.1, "7.24B"
		{"mixtral-8x7b", 46_702_792_704}, // Mixtral 8x7B, "46.7B"
	} {
		t.Run(tc.preset, func(t *testing.T) {
			if got := mustPreset(t, tc.preset).Params().Total; got != tc.want {
				t.Errorf("Total = %d, want %d (diff %d)", got, tc.want, got-tc.want)
			}
		})
	}
}

// TestPublishedParamsRounded checks presets against the rounded figures
// their papers or model cards state. The tolerance is the rounding of the
// published figure (half a unit in its last digit, relative), widened
// where noted.
func TestPublishedParamsRounded(t *testing.T) {
	for _, tc := range []struct {
		preset       string
		total, activ float64 // published; activ 0 = same as total
		tol          float64
		why          string
	}{
		{"gpt-3-175b", 175e9, 0, 0.005, "Brown 2020 Table 2.1 says 175.0B; our count is 174.6B (0.2% low, the paper rounds)"},
		{"llama-65b", 65.2e9, 0, 0.003, "Touvron 2023 Table 2: 65.2B"},
		{"llama-3.1-405b", 405e9, 0, 0.005, "Llama 3 paper: 405B (count 405.9B)"},
		{"qwen2-72b", 72.7e9, 0, 0.001, "Qwen2 card: 72.71B"},
		{"qwen2.5-7b", 7.61e9, 0, 0.001, "Qwen2.5-7B card: 7.61B, non-embedding 6.53B (checked below)"},
		{"qwen2.5-72b", 72.7e9, 0, 0.001, "Qwen2.5-72B card: 72.7B"},
		{"deepseek-llm-67b", 67e9, 0, 0.01, "DeepSeek LLM paper: 67B (count 67.4B)"},
		{"yi-34b", 34.4e9, 0, 0.002, "Yi card: 34.4B"},
		{"glm-4-9b", 9.4e9, 0, 0.005, "GLM-4-9B card: 9.4B"},
		{"mixtral-8x7b", 46.7e9, 12.9e9, 0.002, "Jiang 2024: 46.7B total, 12.9B active (count 12.88B)"},
		{"deepseek-v3", 671e9, 37e9, 0.02, "DeepSeek-V3 report: 671B total, 37B activated; our active count is 37.6B — the report rounds down (1.5%), total matches to 0.01%"},
		{"palm-540b", 540.35e9, 0, 0.001, "PaLM Table 1 / §5: 540.35B"},
		{"chinchilla-70b", 70e9, 0, 0.01, "Hoffmann 2022: 70B; our count 70.3B with Transformer-XL relative projections (without them it would be 64.9B)"},
	} {
		t.Run(tc.preset, func(t *testing.T) {
			p := mustPreset(t, tc.preset).Params()
			if e := relErr(float64(p.Total), tc.total); e > tc.tol {
				t.Errorf("Total = %.5gB, want %.5gB ±%.1f%% (%s)", float64(p.Total)/1e9, tc.total/1e9, tc.tol*100, tc.why)
			}
			want := tc.activ
			if want == 0 {
				want = tc.total
			}
			if e := relErr(float64(p.Active), want); e > tc.tol {
				t.Errorf("Active = %.5gB, want %.5gB ±%.1f%% (%s)", float64(p.Active)/1e9, want/1e9, tc.tol*100, tc.why)
			}
		})
	}
	// Qwen2.5-7B's card also states the non-embedding count, 6.53B.
	p := mustPreset(t, "qwen2.5-7b").Params()
	if e := relErr(float64(p.NonEmbedding), 6.53e9); e > 0.001 {
		t.Errorf("qwen2.5-7b NonEmbedding = %d, want 6.53B", p.NonEmbedding)
	}
}

// TestParamsIdentities checks the bookkeeping: the breakdown adds up.
func TestParamsIdentities(t *testing.T) {
	for _, name := range Presets() {
		a := mustPreset(t, name)
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		p := a.Params()
		if p.NonEmbedding+p.Embedding+p.Head != p.Total {
			t.Errorf("%s: NonEmbedding+Embedding+Head != Total", name)
		}
		if p.Attention+p.MLP+p.Norms != p.NonEmbedding {
			t.Errorf("%s: Attention+MLP+Norms != NonEmbedding", name)
		}
		var layers int
		var sum int64
		for _, l := range p.PerLayer {
			layers += l.Count
			sum += int64(l.Count) * l.Total
		}
		if layers != a.Layers || sum+a.normParams(int64(a.DModel)) != p.NonEmbedding {
			t.Errorf("%s: PerLayer does not add up (%d layers, %d params)", name, layers, sum)
		}
		if p.Active > p.Total || (!a.IsMoE() && p.Active != p.Total) {
			t.Errorf("%s: Active %d vs Total %d", name, p.Active, p.Total)
		}
		if PresetSource(name) == "" {
			t.Errorf("%s: no source", name)
		}
	}
}

// TestParamsByHand counts a tiny model by hand.
func TestParamsByHand(t *testing.T) {
	// d=8, 2 heads of 4, 1 KV head, swiglu ffn 16, vocab 10, 2 layers,
	// untied, RMSNorm.
	a := Arch{Layers: 2, DModel: 8, Heads: 2, KVHeads: 1, FFN: 16, Vocab: 10}
	// attention: q 8·8 + k 8·4 + v 8·4 + o 8·8 = 192; mlp 3·8·16 = 384;
	// norms 2·8; per layer 592; + final norm 8; + embed 80 + head 80.
	p := a.Params()
	if p.Total != 2*592+8+80+80 || p.Embedding != 80 || p.Head != 80 || p.Attention != 384 {
		t.Errorf("got %+v", p)
	}
	// GPT-2 style: layernorm, biases, gelu, learned positions, tied.
	g := Arch{Layers: 1, DModel: 4, Heads: 2, FFN: 16, FFNType: FFNGELU, Vocab: 10, TiedEmbeddings: true,
		Bias: true, Norm: NormLayer, Pos: PosLearned, MaxSeq: 6}
	// attn 4·16 + 12 + 4 = 80; mlp 2·4·16 + 16 + 4 = 148; norms 2·8 = 16;
	// final norm 8; embed 40 + pos 24.
	if q := g.Params(); q.Total != 80+148+16+8+40+24 || q.Head != 0 {
		t.Errorf("gpt-style got %+v", q)
	}
	// MoE with a dense first layer and a shared expert.
	m := Arch{Layers: 3, DModel: 4, Heads: 1, FFN: 8, Vocab: 10, TiedEmbeddings: true,
		Experts: 4, ActiveExperts: 2, SharedExperts: 1, ExpertFFN: 2, DenseLayers: 1}
	// attn 4·4·4 = 64; dense mlp 3·4·8 = 96; expert 3·4·2 = 24; router 16;
	// norms 8. dense layer 168; moe layer 64+5·24+16+8 = 208, active
	// 64+3·24+16+8 = 160.
	q := m.Params()
	if q.Total != 168+2*208+4+40 || q.Active != 168+2*160+4+40 {
		t.Errorf("moe got total %d active %d", q.Total, q.Active)
	}
}

// TestGPT3TrainingFLOPs reproduces GPT-3's 3.14e23 training FLOPs (Brown
// et al. 2020, Table D.1 and §2.1: 175B parameters × 300B tokens × 6).
// Tolerance 0.5%: the paper's figure is 6·N·D with N rounded to 175B and
// the result to three digits; our count is 174.6B.
func TestGPT3TrainingFLOPs(t *testing.T) {
	a := mustPreset(t, "gpt-3-175b")
	got := SixND(float64(a.Params().Total), 300e9)
	if e := relErr(got, 3.14e23); e > 0.005 {
		t.Errorf("6ND = %.4g, want 3.14e23 ±0.5%%", got)
	}
	// The nominal model "--params 175e9" gives exactly 6ND.
	n := FromParams(175e9)
	if got := n.TrainingFLOPs(300e9, 2048, RecomputeNone); got != 6*175e9*300e9 {
		t.Errorf("nominal TrainingFLOPs = %g, want %g", got, 6*175e9*300e9)
	}
	// With the attention and logits terms the full count is ~3.4% higher
	// at T = 2048; it must lie above 6ND and within 5% of it.
	full := a.TrainingFLOPs(300e9, 2048, RecomputeNone)
	if full <= got || full > 1.05*got {
		t.Errorf("TrainingFLOPs = %.4g, want just above 6ND %.4g", full, got)
	}
}

// TestPaLMAppendixB reproduces PaLM's model FLOPs utilisation: Appendix B
// defines training FLOPs per token as 6N + 12·L·H·Q·T and §4.1/Table 3
// reports 238.3K tokens/s on 6144 TPU v4 chips (275 TFLOP/s bf16 peak) as
// 46.2% MFU for the 540B model (L = 118, H = 48, Q = 256, T = 2048).
// Tolerance: ±0.05 percentage points, the rounding of the published 46.2%.
func TestPaLMAppendixB(t *testing.T) {
	a := mustPreset(t, "palm-540b")
	p := a.Params()
	perToken := a.TrainingFLOPsPerToken(2048, RecomputeNone)
	// Tied embeddings: MatmulParams = Total, so this is exactly 6N + 12LHQT.
	want := 6*float64(p.Total) + 12*118*48*256*2048.0
	if relErr(perToken, want) > 1e-12 {
		t.Errorf("per token = %.6g, want 6N+12LHQT = %.6g", perToken, want)
	}
	if got := 3 * a.AttentionFLOPsPerToken(2048); got != 12*118*48*256*2048.0 {
		t.Errorf("3×attention = %g, want 12LHQT = %g", got, 12*118*48*256*2048.0)
	}
	mfu := 238.3e3 * perToken / (6144 * 275e12)
	if math.Abs(mfu-0.462) > 0.0005 {
		t.Errorf("MFU = %.4f, want 0.462", mfu)
	}
}

// TestMegatronFormula checks the per-token training FLOPs against the
// closed forms of Narayanan et al. 2021 (§5.1) and Korthikanti et al. 2022
// (§5): 72·L·h²·(1 + s/6h + V/12hL) without and 96·L·h²·(1 + s/6h +
// V/16hL) with full recomputation, for a GPT-style model without biases.
// The only difference is the norm weights (4h per layer + h), which the
// closed forms leave out; tolerance 1e-4 relative.
func TestMegatronFormula(t *testing.T) {
	for _, tc := range []struct{ L, h, V, s int }{
		{96, 12288, 51200, 2048},  // GPT-3 175B as in Narayanan Table 1
		{105, 20480, 51200, 2048}, // 530B
		{24, 2048, 51200, 8192},   // small model, long context
	} {
		a := Arch{Layers: tc.L, DModel: tc.h, Heads: tc.h / 128, FFN: 4 * tc.h, FFNType: FFNGELU, Vocab: tc.V,
			TiedEmbeddings: true, Norm: NormLayer}
		L, h, V, s := float64(tc.L), float64(tc.h), float64(tc.V), float64(tc.s)
		none := 72 * L * h * h * (1 + s/(6*h) + V/(12*h*L))
		full := 96 * L * h * h * (1 + s/(6*h) + V/(16*h*L))
		if e := relErr(a.TrainingFLOPsPerToken(tc.s, RecomputeNone), none); e > 1e-4 {
			t.Errorf("%+v none: rel err %g", tc, e)
		}
		if e := relErr(a.TrainingFLOPsPerToken(tc.s, RecomputeFull), full); e > 1e-4 {
			t.Errorf("%+v full: rel err %g", tc, e)
		}
		sel := a.TrainingFLOPsPerToken(tc.s, RecomputeSelective)
		if want := none + 4*L*h*s; relErr(sel, want) > 1e-4 {
			t.Errorf("%+v selective: %g, want %g", tc, sel, want)
		}
	}
}

// TestFLOPsProperties checks orderings that must hold for every preset.
func TestFLOPsProperties(t *testing.T) {
	for _, name := range Presets() {
		a := mustPreset(t, name)
		f := a.FLOPsBreakdown(4096)
		if !(f.Training < f.TrainingSelective && f.TrainingSelective < f.TrainingFull) {
			t.Errorf("%s: want none < selective < full, got %g %g %g", name, f.Training, f.TrainingSelective, f.TrainingFull)
		}
		if relErr(f.Training, 3*f.Forward) > 1e-12 || relErr(f.Forward, f.Dense+f.Logits+f.Attention) > 1e-12 {
			t.Errorf("%s: breakdown does not add up: %+v", name, f)
		}
		if a.FLOPsPerToken(8192) <= a.FLOPsPerToken(2048) {
			t.Errorf("%s: FLOPs must grow with context", name)
		}
		if got := a.TrainingFLOPs(1e12, 4096, RecomputeFull); relErr(got, 1e12*f.TrainingFull) > 1e-12 {
			t.Errorf("%s: TrainingFLOPs inconsistent", name)
		}
	}
	// MoE: FLOPs follow active, not total, parameters.
	m := mustPreset(t, "mixtral-8x7b")
	if r := m.FLOPsPerToken(0) / (2 * float64(m.Params().Total)); r > 0.3 {
		t.Errorf("mixtral forward/2N_total = %g, want ≈ 0.28", r)
	}
	// Nominal: 2N forward, 6N training, 8N with full recomputation.
	n := FromParams(7e9)
	if n.FLOPsPerToken(4096) != 14e9 || n.TrainingFLOPsPerToken(4096, RecomputeFull) != 56e9 ||
		n.TrainingFLOPsPerToken(4096, RecomputeSelective) != 42e9 {
		t.Errorf("nominal FLOPs wrong: %+v", n.FLOPsBreakdown(4096))
	}
	if p := n.Params(); p.Total != 7e9 || p.Active != 7e9 || p.NonEmbedding != 7e9 {
		t.Errorf("nominal params %+v", p)
	}
}

// TestMLAAttentionFLOPs: MLA's scores use (nope+rope) = 192 and values
// 128 per head: 2·L·H·T·(192+128).
func TestMLAAttentionFLOPs(t *testing.T) {
	a := mustPreset(t, "deepseek-v3")
	want := 2 * 61 * 128 * 4096 * float64(192+128)
	if got := a.AttentionFLOPsPerToken(4096); got != want {
		t.Errorf("got %g, want %g", got, want)
	}
	if a.AttentionFLOPsPerToken(0) != 0 || a.AttentionFLOPsPerToken(-5) != 0 {
		t.Error("seq ≤ 0 must give no attention term")
	}
}

func TestValidateErrorsNameTheField(t *testing.T) {
	base := func() Arch { a, _ := Preset("llama-2-7b"); return a }
	moe := func() Arch { a, _ := Preset("mixtral-8x7b"); return a }
	for _, tc := range []struct {
		name  string
		arch  Arch
		field string
	}{
		{"zero layers", func() Arch { a := base(); a.Layers = 0; return a }(), "layers"},
		{"negative d_model", func() Arch { a := base(); a.DModel = -1; return a }(), "d_model"},
		{"heads not dividing d_model", func() Arch { a := base(); a.Heads = 30; return a }(), "heads"},
		{"kv heads not dividing heads", func() Arch { a := base(); a.KVHeads = 5; return a }(), "kv_heads"},
		{"kv heads above heads", func() Arch { a := base(); a.KVHeads = 64; return a }(), "kv_heads"},
		{"zero ffn", func() Arch { a := base(); a.FFN = 0; return a }(), "ffn"},
		{"zero vocab", func() Arch { a := base(); a.Vocab = 0; return a }(), "vocab"},
		{"bad ffn type", func() Arch { a := base(); a.FFNType = "relu2"; return a }(), "ffn_type"},
		{"bad norm", func() Arch { a := base(); a.Norm = "batchnorm"; return a }(), "norm"},
		{"bad pos", func() Arch { a := base(); a.Pos = "sinusoid"; return a }(), "pos"},
		{"learned pos without max_seq", func() Arch { a := base(); a.Pos = PosLearned; a.MaxSeq = 0; return a }(), "max_seq"},
		{"active experts above experts", func() Arch { a := moe(); a.ActiveExperts = 9; return a }(), "active_experts"},
		{"no active experts", func() Arch { a := moe(); a.ActiveExperts = 0; return a }(), "active_experts"},
		{"dense layers above layers", func() Arch { a := moe(); a.DenseLayers = 33; return a }(), "dense_layers"},
		{"moe fields on dense model", func() Arch { a := base(); a.ActiveExperts = 2; return a }(), "experts"},
		{"mla without kv rank", func() Arch { a := base(); a.QKRopeHeadDim = 64; return a }(), "kv_lora_rank"},
		{"mla without v dim", func() Arch { a, _ := Preset("deepseek-v3"); a.VHeadDim = 0; return a }(), "v_head_dim"},
		{"huge dimension", func() Arch { a := base(); a.DModel = 1 << 30; return a }(), "d_model"},
		{"nominal and arch", func() Arch { a := base(); a.NominalParams = 7e9; return a }(), "nominal_params"},
		{"nominal NaN", Arch{NominalParams: math.NaN()}, "nominal_params"},
		{"nominal negative", Arch{NominalParams: -7e9}, "nominal_params"},
		{"empty", Arch{}, "layers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.arch.Validate()
			if err == nil {
				t.Fatal("want an error")
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FieldError", err)
			}
			if !strings.Contains(err.Error(), tc.field+":") {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
		})
	}
	// A head_dim makes non-dividing heads legal (as in Gemma).
	a := base()
	a.Heads, a.HeadDim = 30, 128
	if err := a.Validate(); err != nil {
		t.Errorf("explicit head_dim: %v", err)
	}
	if err := FromParams(7e9).Validate(); err != nil {
		t.Errorf("nominal: %v", err)
	}
}

func TestPresetLookup(t *testing.T) {
	if _, err := Preset("gpt-5"); err == nil || !strings.Contains(err.Error(), "llama-2-7b") {
		t.Errorf("unknown preset error should list names, got %v", err)
	}
	a, err := Preset(" Llama-2-7B ")
	if err != nil || a.Name != "llama-2-7b" {
		t.Errorf("case-insensitive lookup: %v %q", err, a.Name)
	}
	names := Presets()
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			t.Errorf("Presets not sorted: %v", names)
		}
	}
	if len(names) < 20 {
		t.Errorf("only %d presets", len(names))
	}
}

func TestParseRecompute(t *testing.T) {
	for in, want := range map[string]Recompute{"": RecomputeNone, "none": RecomputeNone, "Selective": RecomputeSelective, "full": RecomputeFull} {
		if got, err := ParseRecompute(in); err != nil || got != want {
			t.Errorf("ParseRecompute(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRecompute("half"); err == nil || !strings.Contains(err.Error(), "recompute") {
		t.Errorf("bad policy error: %v", err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	a := mustPreset(t, "deepseek-v3")
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"d_model":7168`, `"kv_lora_rank":512`, `"dense_layers":3`, `"expert_ffn":2048`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s: %s", key, b)
		}
	}
	var back Arch
	if err := json.Unmarshal(b, &back); err != nil || back != a {
		t.Errorf("round trip: %v\n%+v\n%+v", err, back, a)
	}
}

func TestNormalizedAndString(t *testing.T) {
	n := mustPreset(t, "llama-2-7b").Normalized()
	if n.KVHeads != 32 || n.HeadDim != 128 || n.FFNType != FFNSwiGLU || n.Norm != NormRMS || n.Pos != PosRoPE {
		t.Errorf("Normalized: %+v", n)
	}
	if s := mustPreset(t, "mixtral-8x7b").String(); !strings.Contains(s, "moe 2/8") {
		t.Errorf("String: %s", s)
	}
	if s := FromParams(7e9).String(); !strings.Contains(s, "7e+09") {
		t.Errorf("String: %s", s)
	}
	if len(FieldNames()) != 25 {
		t.Errorf("FieldNames: %v", FieldNames())
	}
}
