package model

import (
	"fmt"
	"strings"
)

// Recompute is an activation-recomputation policy during training.
type Recompute string

// The recomputation policies.
const (
	// RecomputeNone keeps every activation: training = forward + backward
	// = 3 × forward FLOPs (the backward pass costs twice the forward:
	// one matmul for the input gradient, one for the weight gradient).
	RecomputeNone Recompute = "none"
	// RecomputeSelective recomputes only the attention core (QKᵀ,
	// softmax, dropout, attention over V) in the backward pass
	// (Korthikanti et al. 2022, §4.2 and §5): training = 3 × forward +
	// the forward attention term once more.
	RecomputeSelective Recompute = "selective"
	// RecomputeFull re-runs each transformer layer's forward pass in the
	// backward pass (checkpointing at layer boundaries, Chen et al. 2016):
	// training = 4 × the layers' forward FLOPs + 3 × the logits layer's,
	// which is not recomputed (Narayanan et al. 2021, arXiv:2104.04473,
	// §5.1: 96·B·s·l·h²·(1 + s/6h + V/16lh) per iteration).
	RecomputeFull Recompute = "full"
)

// ParseRecompute accepts none, selective or full (and "" as none).
func ParseRecompute(s string) (Recompute, error) {
	switch r := Recompute(strings.ToLower(strings.TrimSpace(s))); r {
	case "", RecomputeNone:
		return RecomputeNone, nil
	case RecomputeSelective, RecomputeFull:
		return r, nil
	}
	return "", fmt.Errorf("model: recompute: unknown policy %q (want none, selective or full)", s)
}

// MatmulParams is the number of weights one token multiplies in the
// forward pass, the N of "2N FLOPs per token": the active non-embedding
// parameters plus the output (LM head) projection Vocab×DModel — counted
// whether or not it is tied to the input embedding, because it is a real
// matmul; the input embedding is a lookup and costs nothing (Kaplan et al.
// 2020, Table 1). Norm weights and biases are included as if they were
// matmul weights; they are below 0.1% of any real model. For a nominal
// model it is NominalParams.
func (a Arch) MatmulParams() float64 {
	p := a.Params()
	if a.IsNominal() {
		return float64(p.Total)
	}
	return float64(p.ActiveNonEmbedding) + float64(a.Vocab)*float64(a.DModel)
}

// AttentionFLOPsPerToken is the forward FLOPs per token of the attention
// core — the scores QKᵀ and the weighted sum over V — at context length
// seq:
//
//	2 · L · H · T · (d_qk + d_v)
//
// which for ordinary heads (d_qk = d_v = Q) is 4·L·H·Q·T; three times it
// is PaLM's 12·L·H·Q·T training term (Chowdhery et al. 2022, Appendix B;
// Kaplan et al. 2020 Table 1's 2·n_layer·n_ctx·d_attn counts the scores
// only). As in PaLM, the full T is counted even though a causal mask
// makes half the scores unneeded; FlashAttention-style kernels skip them,
// so this is an upper bound for such kernels. With grouped-query attention
// the count is unchanged (every query head still attends). It is 0 for a
// nominal model, whose attention is not known, and for seq ≤ 0.
func (a Arch) AttentionFLOPsPerToken(seq int) float64 {
	if a.IsNominal() || seq <= 0 {
		return 0
	}
	return 2 * float64(a.Layers) * float64(a.Heads) * float64(seq) * float64(a.QKHeadDim()+a.VDim())
}

// FLOPsPerToken is the forward-pass FLOPs per token at context length
// seq (one multiply-add = 2 FLOPs):
//
//	forward = 2 · MatmulParams + AttentionFLOPsPerToken(seq)
//
// For a dense model this is Kaplan et al. 2020's C_forward ≈ 2N +
// 2·n_layer·n_ctx·d_attn with the logits layer and the attention-over-V
// product added, i.e. one third of PaLM's 6N + 12·L·H·Q·T. For a
// mixture-of-experts model only the active experts count. Elementwise
// work (softmax, norms, activations, rotary) is not counted: it is not
// matmul work and is left out of MFU by convention.
func (a Arch) FLOPsPerToken(seq int) float64 {
	return 2*a.MatmulParams() + a.AttentionFLOPsPerToken(seq)
}

// TrainingFLOPsPerToken is the FLOPs to train on one token at context
// length seq under the recomputation policy rc:
//
//	none:      3·forward                  (= 6N + 12·L·H·Q·T, PaLM App. B)
//	selective: 3·forward + attention      (Korthikanti et al. 2022 §4.2)
//	full:      4·(forward − logits) + 3·logits   (Narayanan et al. 2021 §5.1)
//
// where forward = FLOPsPerToken(seq), attention =
// AttentionFLOPsPerToken(seq) and logits = 2·Vocab·DModel. For a GPT-style
// model (MHA, ffn = 4h, no biases) "none" is exactly Megatron's
// 72·L·h²·(1 + s/6h + V/12hL) per token and "full" its
// 96·L·h²·(1 + s/6h + V/16hL). A nominal model has no logits term, so full
// recomputation is 8N. The "none" value is the model FLOPs that MFU
// counts; the others are hardware FLOPs (what the GPU executes). An
// unknown rc is treated as none.
func (a Arch) TrainingFLOPsPerToken(seq int, rc Recompute) float64 {
	f := a.FLOPsPerToken(seq)
	switch rc {
	case RecomputeFull:
		return 4*f - a.logitsFLOPs()
	case RecomputeSelective:
		return 3*f + a.AttentionFLOPsPerToken(seq)
	}
	return 3 * f
}

// logitsFLOPs is the forward FLOPs per token of the output projection.
func (a Arch) logitsFLOPs() float64 {
	if a.IsNominal() {
		return 0
	}
	return 2 * float64(a.Vocab) * float64(a.DModel)
}

// TrainingFLOPs is the FLOPs to train on tokens tokens at context length
// seq under rc: tokens × TrainingFLOPsPerToken(seq, rc). For a nominal
// model with rc = none this is exactly 6·N·D.
func (a Arch) TrainingFLOPs(tokens float64, seq int, rc Recompute) float64 {
	return tokens * a.TrainingFLOPsPerToken(seq, rc)
}

// SixND is the textbook training-compute approximation C ≈ 6·N·D
// (Kaplan et al. 2020 §2.1; Hoffmann et al. 2022 use it with N the total
// parameter count, as in GPT-3's 3.14e23 = 6 × 175B × 300B).
func SixND(params, tokens float64) float64 { return 6 * params * tokens }

// FLOPs is a per-token FLOP breakdown at one context length, the shape of
// `kaiwu compute model --json`'s "flops" field.
type FLOPs struct {
	// Seq is the context length T the attention term is counted at.
	Seq int `json:"seq"`
	// MatmulParams is N in 2N (see Arch.MatmulParams).
	MatmulParams float64 `json:"matmul_params"`
	// Dense is 2 × the active non-embedding parameters.
	Dense float64 `json:"dense"`
	// Logits is 2 × Vocab × DModel, the output projection.
	Logits float64 `json:"logits"`
	// Attention is AttentionFLOPsPerToken(Seq).
	Attention float64 `json:"attention"`
	// Forward is Dense + Logits + Attention.
	Forward float64 `json:"forward"`
	// Training is 3 × Forward (no recomputation; model FLOPs).
	Training float64 `json:"training"`
	// TrainingSelective is training with selective recomputation.
	TrainingSelective float64 `json:"training_selective"`
	// TrainingFull is training with full recomputation.
	TrainingFull float64 `json:"training_full"`
	// SixN is 6 × the total parameter count, the "6N" approximation, for
	// comparison (6 × active parameters for an MoE model).
	SixN float64 `json:"six_n"`
}

// FLOPsBreakdown returns the per-token FLOPs of a at context length seq.
func (a Arch) FLOPsBreakdown(seq int) FLOPs {
	p := a.Params()
	f := FLOPs{Seq: seq, MatmulParams: a.MatmulParams()}
	if a.IsNominal() {
		f.Dense = 2 * float64(p.Total)
	} else {
		f.Dense = 2 * float64(p.ActiveNonEmbedding)
		f.Logits = a.logitsFLOPs()
	}
	f.Attention = a.AttentionFLOPsPerToken(seq)
	f.Forward = f.Dense + f.Logits + f.Attention
	f.Training = a.TrainingFLOPsPerToken(seq, RecomputeNone)
	f.TrainingSelective = a.TrainingFLOPsPerToken(seq, RecomputeSelective)
	f.TrainingFull = a.TrainingFLOPsPerToken(seq, RecomputeFull)
	f.SixN = 6 * float64(p.Active)
	return f
}
