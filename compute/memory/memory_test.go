package memory

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/model"
)

func gpu(t *testing.T, name string) *hw.GPU {
	t.Helper()
	g, err := hw.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func preset(t *testing.T, name string) model.Arch {
	t.Helper()
	a, err := model.Preset(name)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// ZeRO paper (Rajbhandari et al. 2020, arXiv:1910.02054, Figure 1): a 7.5B
// model with Adam (K = 12) on N_d = 64 needs 120 GB per GPU as baseline,
// 31.4 GB with P_os, 16.6 GB with P_os+g and 1.9 GB with P_os+g+p. The
// paper prints one decimal: tolerance 0.05 GB.
func TestZeROPaperFigure1(t *testing.T) {
	for stage, want := range []float64{120, 31.4, 16.6, 1.9} {
		w, g, o := ModelStates(7.5e9, stage, 64)
		if got := (w + g + o) / 1e9; math.Abs(got-want) > 0.05 {
			t.Errorf("ZeRO-%d: %.3f GB, want %.1f GB", stage, got, want)
		}
	}
}

// Full fine-tuning of a 7B model with mixed-precision AdamW needs 16 bytes
// per parameter, 112 GB before activations (the figure quoted e.g. in
// Hugging Face's "Model training anatomy" and EleutherAI's "Transformer
// Math 101", 2023): exact.
func TestSevenBFullFineTune(t *testing.T) {
	w, g, o := ModelStates(7e9, 0, 1)
	if w+g+o != 112e9 {
		t.Errorf("7B states %g, want 112e9", w+g+o)
	}
	b, err := Plan(Input{Arch: model.FromParams(7e9), GPU: gpu(t, "a100"), GPUs: 1, Seq: 2048, MicroBatch: 1})
	if err == nil || !strings.Contains(err.Error(), "model: ") {
		t.Errorf("nominal model activations: %v, %v; want an error naming model", b, err)
	}
}

// Korthikanti et al. 2022 (arXiv:2205.05198), Table 2 formulas and Table 3
// configurations (s = 2048, t = 8): per layer, bytes, hand-evaluated:
//
//	no recompute, SP:      sbh(34 + 5as/h)/t
//	no recompute, TP only: sbh(10 + 24/t + 5as/(ht))
//	selective + SP:        34 sbh/t
//	full + SP:             2 sbh/t
//
// §5 of the paper: for GPT-3 (5as/h = 80) selective recomputation saves
// 70 % of the activation memory, for MT-NLG (5as/h = 64) 65 %. Tolerance:
// exact for the formulas (1e-12), 0.5 % for the rounded percentages.
func TestKorthikantiTable2(t *testing.T) {
	for _, c := range []struct {
		name        string
		a, h, L     int
		savingsPct  float64
		scoresRatio float64 // 5as/h
	}{
		{"GPT-3 175B", 96, 12288, 96, 70, 80},
		{"MT-NLG 530B", 128, 20480, 105, 65, 64},
		{"1T", 160, 25600, 128, 65, 64},
	} {
		s, b, tp := 2048, 1, 8
		sbh := float64(s * b * c.h)
		if r := 5 * float64(c.a*s) / float64(c.h); r != c.scoresRatio {
			t.Errorf("%s: 5as/h = %g, want %g", c.name, r, c.scoresRatio)
		}
		for _, tc := range []struct {
			sp   bool
			rc   model.Recompute
			want float64
		}{
			{true, model.RecomputeNone, sbh * (34 + c.scoresRatio) / 8},
			{false, model.RecomputeNone, sbh * (10 + 24.0/8 + c.scoresRatio/8)},
			{true, model.RecomputeSelective, 34 * sbh / 8},
			{false, model.RecomputeSelective, sbh * (10 + 24.0/8)},
			{true, model.RecomputeFull, 2 * sbh / 8},
			{false, model.RecomputeFull, 2 * sbh},
		} {
			got := KorthikantiPerLayer(s, b, c.h, c.a, tp, tc.sp, tc.rc)
			if math.Abs(got-tc.want)/tc.want > 1e-12 {
				t.Errorf("%s sp=%v %s: %g, want %g", c.name, tc.sp, tc.rc, got, tc.want)
			}
			// The architecture-general formula agrees on a GPT layer.
			arch := model.Arch{Layers: c.L, DModel: c.h, Heads: c.a, FFN: 4 * c.h, FFNType: model.FFNGELU, Vocab: 51200, Norm: model.NormLayer, Pos: model.PosLearned, MaxSeq: 2048}
			gen, err := ActivationsPerLayer(arch, s, b, tp, tc.sp, tc.rc)
			if err != nil || math.Abs(gen-tc.want)/tc.want > 1e-12 {
				t.Errorf("%s sp=%v %s: general %g, %v; want %g", c.name, tc.sp, tc.rc, gen, err, tc.want)
			}
		}
		full := KorthikantiPerLayer(s, b, c.h, c.a, tp, true, model.RecomputeNone)
		sel := KorthikantiPerLayer(s, b, c.h, c.a, tp, true, model.RecomputeSelective)
		if saved := 100 * (1 - sel/full); math.Abs(saved-c.savingsPct) > 0.5+0.01*c.savingsPct {
			t.Errorf("%s: selective saves %.1f%%, paper %g%%", c.name, saved, c.savingsPct)
		}
	}
	// The preset GPT-3 is the same layer.
	g3, _ := model.Preset("gpt-3-175b")
	got, _ := ActivationsPerLayer(g3, 2048, 1, 8, true, model.RecomputeNone)
	if want := KorthikantiPerLayer(2048, 1, 12288, 96, 8, true, model.RecomputeNone); math.Abs(got-want)/want > 1e-12 {
		t.Errorf("gpt-3-175b preset %g, want %g", got, want)
	}
}

// SwiGLU at f = 8h/3 has the same 19sbh MLP activations as GELU at 4h; GQA
// shrinks K and V.
func TestGeneralisedActivations(t *testing.T) {
	h := 3072
	base := model.Arch{Layers: 2, DModel: h, Heads: 24, FFN: 4 * h, FFNType: model.FFNGELU, Vocab: 1000}
	swi := base
	swi.FFNType, swi.FFN = model.FFNSwiGLU, 8*h/3
	a, _ := ActivationsPerLayer(base, 1024, 1, 1, false, model.RecomputeNone)
	b, _ := ActivationsPerLayer(swi, 1024, 1, 1, false, model.RecomputeNone)
	if a != b {
		t.Errorf("GELU 4h %g vs SwiGLU 8h/3 %g", a, b)
	}
	gqa := swi
	gqa.KVHeads = 8
	c, _ := ActivationsPerLayer(gqa, 1024, 1, 1, false, model.RecomputeNone)
	// K and V shrink from 2h each to 2·8·128 each: 4·(h − 1024) bytes per token.
	if want := b - 4*float64(h-1024)*1024; c != want {
		t.Errorf("GQA %g, want %g", c, want)
	}
}

func TestPlanLayout(t *testing.T) {
	a := preset(t, "llama-2-70b")
	b, err := Plan(Input{Arch: a, GPU: gpu(t, "h100"), GPUs: 64, Layout: Layout{TP: 8, PP: 2, ZeRO: 1, Recompute: model.RecomputeSelective, SequenceParallel: true}, Seq: 4096, MicroBatch: 1})
	if err != nil {
		t.Fatal(err)
	}
	params := float64(a.Params().Total)
	if b.Layout.DP != 4 || math.Abs(b.Weights-2*params/16) > 1 || math.Abs(b.Optimizer-12*params/16/4) > 1 {
		t.Errorf("breakdown %+v", b)
	}
	wantAct := 80 * 34 * 4096 * 8192.0 / 8 // Llama: SwiGLU and GQA change it a little
	if math.Abs(b.Activations-wantAct)/wantAct > 0.15 {
		t.Errorf("activations %.3g, want ≈ %.3g", b.Activations, wantAct)
	}
	if !b.Fits || b.Total != b.Weights+b.Gradients+b.Optimizer+b.Activations+DefaultOverheadBytes {
		t.Errorf("total %g fits %v", b.Total, b.Fits)
	}
}

func TestLayoutErrorsNameTheField(t *testing.T) {
	a := preset(t, "llama-2-7b") // 32 layers, 32 heads
	h := gpu(t, "h100")
	for _, tc := range []struct {
		in   Input
		want string
	}{
		{Input{Arch: a, GPU: h, GPUs: 12, Layout: Layout{TP: 3}, Seq: 4096, MicroBatch: 1}, "tp: 3 does not divide the 32 attention heads"},
		{Input{Arch: a, GPU: h, GPUs: 12, Layout: Layout{PP: 3}, Seq: 4096, MicroBatch: 1}, "pp: 3 does not divide the 32 layers"},
		{Input{Arch: a, GPU: h, GPUs: 12, Layout: Layout{TP: 8}, Seq: 4096, MicroBatch: 1}, "gpus: 12 GPUs are not divisible by tp × pp = 8"},
		{Input{Arch: a, GPU: h, GPUs: 8, Layout: Layout{ZeRO: 4}, Seq: 4096, MicroBatch: 1}, "zero: want a stage 0–3"},
		{Input{Arch: a, GPU: h, GPUs: 8, Layout: Layout{Recompute: "most"}, Seq: 4096, MicroBatch: 1}, "recompute: unknown policy"},
		{Input{Arch: a, GPU: h, GPUs: 8, Seq: 0, MicroBatch: 1}, "seq: want a positive"},
		{Input{Arch: a, GPU: h, GPUs: 8, Seq: 4096, MicroBatch: 0}, "micro-batch: want ≥ 1"},
		{Input{Arch: a, GPU: h, GPUs: -8, Seq: 4096, MicroBatch: 1}, "gpus: want ≥ 1"},
		{Input{Arch: a, GPU: h, GPUs: 8, Layout: Layout{TP: -1}, Seq: 4096, MicroBatch: 1}, "tp: want ≥ 1"},
		{Input{Arch: a, GPU: h, GPUs: 8, Layout: Layout{DP: 2}, Seq: 4096, MicroBatch: 1}, "dp: tp × pp × dp = 2 ≠ 8 GPUs"},
	} {
		_, err := Plan(tc.in)
		var fe *FieldError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

func TestCheapest(t *testing.T) {
	// Llama 2 7B on 8 H100s fits without recomputation or model parallelism
	// beyond what ZeRO gives.
	c, err := Cheapest(Input{Arch: preset(t, "llama-2-7b"), GPU: gpu(t, "h100"), GPUs: 8, Seq: 4096, MicroBatch: 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Fits || c.Layout.TP*c.Layout.PP*c.Layout.DP != 8 || len(c.Why) < 2 {
		t.Errorf("7B choice %+v, why %v", c.Breakdown, c.Why)
	}
	if c.Layout.Recompute == model.RecomputeFull {
		t.Errorf("7B on 8×H100 should not need full recomputation: %v", c.Layout)
	}
	// Fewest GPUs for Llama 2 70B on A100 80GB: states alone are 16 × 69B
	// = 1.1 TB, so at least 14 GPUs; the search answers a multiple of 8.
	f, err := Cheapest(Input{Arch: preset(t, "llama-2-70b"), GPU: gpu(t, "a100"), Seq: 4096, MicroBatch: 1}, 256)
	if err != nil {
		t.Fatal(err)
	}
	if f.GPUs < 16 || f.GPUs > 64 || !f.Fits {
		t.Errorf("70B fewest GPUs %d (%v)", f.GPUs, f.Layout)
	}
	// A model that cannot fit says so, naming gpus.
	_, err = Cheapest(Input{Arch: preset(t, "llama-2-70b"), GPU: gpu(t, "4090"), GPUs: 8, Seq: 4096, MicroBatch: 1}, 0)
	if err == nil || !strings.Contains(err.Error(), "gpus: no layout of 8") {
		t.Errorf("70B on 8×4090: %v", err)
	}
	_, err = Cheapest(Input{Arch: model.FromParams(7e9), GPU: gpu(t, "h100"), GPUs: 8, Seq: 4096, MicroBatch: 1}, 0)
	if err == nil || !strings.Contains(err.Error(), "model: ") {
		t.Errorf("nominal: %v", err)
	}
}

func TestBytesPerParam(t *testing.T) {
	for p, want := range map[hw.Precision]float64{hw.FP32: 4, hw.BF16: 2, hw.FP16: 2, hw.FP8: 1, hw.INT8: 1, hw.INT4: 0.5, "x": 0} {
		if got := BytesPerParam(p); got != want {
			t.Errorf("BytesPerParam(%s) = %g, want %g", p, got, want)
		}
	}
}
