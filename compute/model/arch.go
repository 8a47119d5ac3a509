// Package model is the architecture arithmetic of decoder-only transformer
// language models: exact parameter counts (dense, grouped-query and
// multi-head latent attention, mixture of experts) and FLOPs per token for
// the forward pass and for training, with and without activation
// recomputation.
//
// Everything here is pure: an [Arch] value in, numbers out. Physical
// quantities are float64 (FLOPs, tokens) or int64 (parameter counts); money
// never appears.
//
// The conventions follow the papers the rest of kaiwu cites:
//   - Kaplan et al. 2020, "Scaling Laws for Neural Language Models",
//     arXiv:2001.08361, Table 1: forward FLOPs ≈ 2N + 2·n_layer·n_ctx·d_attn
//     with N the non-embedding parameters;
//   - Chowdhery et al. 2022, "PaLM", arXiv:2204.02311, Appendix B: training
//     FLOPs per token = 6N + 12·L·H·Q·T;
//   - Korthikanti et al. 2022, "Reducing Activation Recomputation in Large
//     Transformer Models", arXiv:2205.05198, §5: selective recomputation.
package model

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// FFNType is the kind of position-wise feed-forward block.
type FFNType string

// The feed-forward kinds. A GELU (or ReLU) MLP has two matrices, up and
// down (d_model×ffn each); a gated MLP (SwiGLU, GeGLU) has three: gate, up
// and down.
const (
	FFNGELU   FFNType = "gelu"
	FFNSwiGLU FFNType = "swiglu"
)

// NormType is the kind of normalisation layer.
type NormType string

// The normalisation kinds. LayerNorm has a weight and a bias (2·d_model
// parameters); RMSNorm has a weight only (d_model).
const (
	NormLayer NormType = "layernorm"
	NormRMS   NormType = "rmsnorm"
)

// PosEmbedding is how token positions enter the model.
type PosEmbedding string

// The position-encoding kinds. Only Learned and Relative carry parameters.
const (
	// PosRoPE is rotary position embedding (Su et al. 2021): no
	// parameters. It is the default.
	PosRoPE PosEmbedding = "rope"
	// PosLearned is an absolute learned table of MaxSeq×DModel parameters
	// (GPT-2, GPT-3); it counts as embedding parameters.
	PosLearned PosEmbedding = "learned"
	// PosRelative is Transformer-XL relative attention (Dai et al. 2019)
	// as used by Gopher and Chinchilla: each layer has one extra
	// d_model×(heads·head_dim) projection of the relative position
	// encodings (W_{k,R}). That matrix is why Chinchilla's 80×8192 model
	// has 70B parameters rather than 64B.
	PosRelative PosEmbedding = "relative"
	// PosALiBi is attention with linear biases (Press et al. 2021): no
	// parameters.
	PosALiBi PosEmbedding = "alibi"
)

// Arch describes a decoder-only transformer. The zero value of an optional
// field means "the usual default" as documented on the field. JSON and
// YAML keys follow Hugging Face config.json where a common name exists,
// shortened (d_model, not hidden_size) where the papers use the short one.
//
// A model known only by its parameter count is an Arch with NominalParams
// set and every architecture field zero (see [FromParams]).
type Arch struct {
	// Name is a label (a preset's name); it does not affect arithmetic.
	Name string `json:"name,omitempty" yaml:"name,omitempty"`

	// Layers is the number of transformer blocks (num_hidden_layers).
	Layers int `json:"layers" yaml:"layers"`
	// DModel is the residual-stream width (hidden_size).
	DModel int `json:"d_model" yaml:"d_model"`
	// Heads is the number of query heads (num_attention_heads).
	Heads int `json:"heads" yaml:"heads"`
	// KVHeads is the number of key/value heads (num_key_value_heads):
	// Heads for multi-head attention, 1 for multi-query, between for
	// grouped-query attention. 0 means Heads. Ignored with MLA.
	KVHeads int `json:"kv_heads,omitempty" yaml:"kv_heads,omitempty"`
	// HeadDim is the width of one head. 0 means DModel/Heads, in which
	// case Heads must divide DModel. Ignored with MLA.
	HeadDim int `json:"head_dim,omitempty" yaml:"head_dim,omitempty"`
	// FFN is the intermediate size of a dense MLP (intermediate_size).
	// In a mixture-of-experts model it sizes the first DenseLayers layers.
	FFN int `json:"ffn" yaml:"ffn"`
	// FFNType is gelu (2 matrices) or swiglu (3 matrices). Empty means
	// swiglu.
	FFNType FFNType `json:"ffn_type,omitempty" yaml:"ffn_type,omitempty"`
	// Vocab is the vocabulary size (vocab_size): rows of the embedding.
	Vocab int `json:"vocab" yaml:"vocab"`
	// TiedEmbeddings shares the input embedding with the output (LM head)
	// projection (tie_word_embeddings).
	TiedEmbeddings bool `json:"tied_embeddings,omitempty" yaml:"tied_embeddings,omitempty"`
	// Bias gives every linear layer (attention and MLP) a bias vector, as
	// GPT-2/GPT-3 do.
	Bias bool `json:"bias,omitempty" yaml:"bias,omitempty"`
	// QKVBias gives only the query, key and value projections a bias, as
	// Qwen2 and GLM-4 do. Implied by Bias.
	QKVBias bool `json:"qkv_bias,omitempty" yaml:"qkv_bias,omitempty"`
	// Norm is layernorm or rmsnorm. Empty means rmsnorm. Each block has
	// two norms and there is one final norm (pre-norm layout).
	Norm NormType `json:"norm,omitempty" yaml:"norm,omitempty"`
	// Pos is the position encoding. Empty means rope.
	Pos PosEmbedding `json:"pos,omitempty" yaml:"pos,omitempty"`
	// MaxSeq is the context length trained for (max_position_embeddings).
	// It sizes a learned position table; otherwise informational.
	MaxSeq int `json:"max_seq,omitempty" yaml:"max_seq,omitempty"`

	// Experts is the number of routed experts per MoE layer
	// (num_local_experts, n_routed_experts). 0 means a dense model.
	Experts int `json:"experts,omitempty" yaml:"experts,omitempty"`
	// ActiveExperts is the routed experts each token uses, top-k
	// (num_experts_per_tok).
	ActiveExperts int `json:"active_experts,omitempty" yaml:"active_experts,omitempty"`
	// SharedExperts is the number of always-active experts per MoE layer
	// (n_shared_experts, DeepSeekMoE), each of size ExpertFFN.
	SharedExperts int `json:"shared_experts,omitempty" yaml:"shared_experts,omitempty"`
	// ExpertFFN is the intermediate size of one expert
	// (moe_intermediate_size). 0 means FFN.
	ExpertFFN int `json:"expert_ffn,omitempty" yaml:"expert_ffn,omitempty"`
	// DenseLayers is how many of the first layers use a dense MLP of size
	// FFN instead of experts (first_k_dense_replace in DeepSeek-V2/V3).
	DenseLayers int `json:"dense_layers,omitempty" yaml:"dense_layers,omitempty"`

	// QLoRARank is MLA's query compression rank (q_lora_rank); 0 means the
	// query is projected directly from d_model. MLA (multi-head latent
	// attention, DeepSeek-V2 arXiv:2405.04434 §2.1) is on when KVLoRARank
	// is set.
	QLoRARank int `json:"q_lora_rank,omitempty" yaml:"q_lora_rank,omitempty"`
	// KVLoRARank is MLA's joint key/value compression rank (kv_lora_rank).
	KVLoRARank int `json:"kv_lora_rank,omitempty" yaml:"kv_lora_rank,omitempty"`
	// QKNopeHeadDim is MLA's per-head query/key width without rotary
	// embedding (qk_nope_head_dim).
	QKNopeHeadDim int `json:"qk_nope_head_dim,omitempty" yaml:"qk_nope_head_dim,omitempty"`
	// QKRopeHeadDim is MLA's decoupled rotary query/key width, the key
	// part shared by all heads (qk_rope_head_dim).
	QKRopeHeadDim int `json:"qk_rope_head_dim,omitempty" yaml:"qk_rope_head_dim,omitempty"`
	// VHeadDim is MLA's per-head value width (v_head_dim).
	VHeadDim int `json:"v_head_dim,omitempty" yaml:"v_head_dim,omitempty"`

	// NominalParams describes a dense model known only by its parameter
	// count N (e.g. `--params 7e9`). All architecture fields must then be
	// zero; Params reports Total = Active = NonEmbedding = N, and the
	// forward pass costs 2N FLOPs per token with no separate attention
	// term, so training costs exactly 6N per token (Kaplan et al. 2020
	// §2.1; the "6ND" of Chinchilla).
	NominalParams float64 `json:"nominal_params,omitempty" yaml:"nominal_params,omitempty"`
}

// FromParams returns a nominal dense model of n parameters: its training
// cost is 6n FLOPs per token. See Arch.NominalParams.
func FromParams(n float64) Arch { return Arch{NominalParams: n} }

// IsNominal reports whether a is given only by a parameter count.
func (a Arch) IsNominal() bool { return a.NominalParams != 0 && a.Layers == 0 }

// IsMoE reports whether a has routed experts.
func (a Arch) IsMoE() bool { return a.Experts > 0 }

// IsMLA reports whether a uses multi-head latent attention.
func (a Arch) IsMLA() bool { return a.KVLoRARank > 0 }

// FieldError is a validation error about one Arch field, named by its JSON
// key (d_model, kv_heads, …) so that front ends can map it to a flag.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return "model: " + e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// kvHeads is KVHeads with its default applied.
func (a Arch) kvHeads() int {
	if a.KVHeads == 0 {
		return a.Heads
	}
	return a.KVHeads
}

// headDim is HeadDim with its default applied.
func (a Arch) headDim() int {
	if a.HeadDim == 0 && a.Heads > 0 {
		return a.DModel / a.Heads
	}
	return a.HeadDim
}

// expertFFN is ExpertFFN with its default applied.
func (a Arch) expertFFN() int {
	if a.ExpertFFN == 0 {
		return a.FFN
	}
	return a.ExpertFFN
}

func (a Arch) ffnType() FFNType {
	if a.FFNType == "" {
		return FFNSwiGLU
	}
	return a.FFNType
}

func (a Arch) norm() NormType {
	if a.Norm == "" {
		return NormRMS
	}
	return a.Norm
}

func (a Arch) pos() PosEmbedding {
	if a.Pos == "" {
		return PosRoPE
	}
	return a.Pos
}

// QKHeadDim is the per-head width of queries and keys: QKNopeHeadDim +
// QKRopeHeadDim with MLA, the head dimension otherwise.
func (a Arch) QKHeadDim() int {
	if a.IsMLA() {
		return a.QKNopeHeadDim + a.QKRopeHeadDim
	}
	return a.headDim()
}

// VDim is the per-head width of values: VHeadDim with MLA, the head
// dimension otherwise.
func (a Arch) VDim() int {
	if a.IsMLA() {
		return a.VHeadDim
	}
	return a.headDim()
}

// Normalized returns a with every defaulted field filled in (KVHeads,
// HeadDim, ExpertFFN, FFNType, Norm, Pos), as a front end would show it.
// Nominal models are returned unchanged.
func (a Arch) Normalized() Arch {
	if a.IsNominal() {
		return a
	}
	if !a.IsMLA() {
		a.KVHeads = a.kvHeads()
		a.HeadDim = a.headDim()
	}
	if a.IsMoE() {
		a.ExpertFFN = a.expertFFN()
	}
	a.FFNType = a.ffnType()
	a.Norm = a.norm()
	a.Pos = a.pos()
	return a
}

// Validate checks that a describes a buildable model. Each error is a
// *FieldError naming the offending field by its JSON key; several
// problems are joined with errors.Join.
func (a Arch) Validate() error {
	if a.NominalParams != 0 {
		if math.IsNaN(a.NominalParams) || math.IsInf(a.NominalParams, 0) || a.NominalParams < 1 {
			return fieldErr("nominal_params", "must be a positive parameter count, got %g", a.NominalParams)
		}
		if a.NominalParams > 1e16 {
			return fieldErr("nominal_params", "%g parameters is beyond any model (max 1e16)", a.NominalParams)
		}
		if a.Layers != 0 || a.DModel != 0 || a.Heads != 0 || a.FFN != 0 || a.Vocab != 0 || a.Experts != 0 {
			return fieldErr("nominal_params", "give either a parameter count or an architecture, not both")
		}
		return nil
	}
	var errs []error
	add := func(field, format string, args ...any) { errs = append(errs, fieldErr(field, format, args...)) }
	const maxDim = 1 << 24 // far beyond any model; keeps products inside int64
	positive := func(field string, v int) bool {
		switch {
		case v <= 0:
			add(field, "must be positive, got %d", v)
			return false
		case v > maxDim:
			add(field, "%d is implausibly large (max %d)", v, maxDim)
			return false
		}
		return true
	}
	nonNeg := func(field string, v int) bool {
		switch {
		case v < 0:
			add(field, "must not be negative, got %d", v)
			return false
		case v > maxDim:
			add(field, "%d is implausibly large (max %d)", v, maxDim)
			return false
		}
		return true
	}
	positive("layers", a.Layers)
	dOK := positive("d_model", a.DModel)
	hOK := positive("heads", a.Heads)
	positive("vocab", a.Vocab)
	nonNeg("max_seq", a.MaxSeq)
	if a.IsMLA() {
		positive("kv_lora_rank", a.KVLoRARank)
		nonNeg("q_lora_rank", a.QLoRARank)
		nopeOK := nonNeg("qk_nope_head_dim", a.QKNopeHeadDim)
		ropeOK := nonNeg("qk_rope_head_dim", a.QKRopeHeadDim)
		if nopeOK && ropeOK && a.QKNopeHeadDim+a.QKRopeHeadDim == 0 {
			add("qk_nope_head_dim", "MLA needs qk_nope_head_dim + qk_rope_head_dim > 0")
		}
		positive("v_head_dim", a.VHeadDim)
	} else {
		if a.QLoRARank != 0 || a.QKNopeHeadDim != 0 || a.QKRopeHeadDim != 0 || a.VHeadDim != 0 {
			add("kv_lora_rank", "MLA fields are set but kv_lora_rank is 0")
		}
		kvOK := nonNeg("kv_heads", a.KVHeads)
		hdOK := nonNeg("head_dim", a.HeadDim)
		if hOK && kvOK && a.KVHeads > 0 {
			if a.KVHeads > a.Heads {
				add("kv_heads", "%d key/value heads exceed %d query heads", a.KVHeads, a.Heads)
			} else if a.Heads%a.KVHeads != 0 {
				add("kv_heads", "%d key/value heads do not divide %d query heads", a.KVHeads, a.Heads)
			}
		}
		if hdOK && a.HeadDim == 0 && dOK && hOK && a.DModel%a.Heads != 0 {
			add("heads", "%d heads do not divide d_model %d (or set head_dim)", a.Heads, a.DModel)
		}
	}
	switch a.ffnType() {
	case FFNGELU, FFNSwiGLU:
	default:
		add("ffn_type", "unknown %q (want gelu or swiglu)", a.FFNType)
	}
	switch a.norm() {
	case NormLayer, NormRMS:
	default:
		add("norm", "unknown %q (want layernorm or rmsnorm)", a.Norm)
	}
	switch a.pos() {
	case PosRoPE, PosALiBi, PosRelative:
	case PosLearned:
		if a.MaxSeq <= 0 {
			add("max_seq", "a learned position table needs max_seq > 0")
		}
	default:
		add("pos", "unknown %q (want rope, learned, relative or alibi)", a.Pos)
	}
	if a.IsMoE() {
		expOK := positive("experts", a.Experts)
		nonNeg("shared_experts", a.SharedExperts)
		nonNeg("expert_ffn", a.ExpertFFN)
		if a.ActiveExperts <= 0 {
			add("active_experts", "must be positive in a mixture-of-experts model, got %d", a.ActiveExperts)
		} else if expOK && a.ActiveExperts > a.Experts {
			add("active_experts", "%d active experts exceed %d experts", a.ActiveExperts, a.Experts)
		}
		if a.DenseLayers < 0 || a.DenseLayers > a.Layers {
			add("dense_layers", "must be between 0 and layers (%d), got %d", a.Layers, a.DenseLayers)
		}
		if a.DenseLayers > 0 || a.ExpertFFN == 0 {
			positive("ffn", a.FFN)
		} else {
			nonNeg("ffn", a.FFN)
		}
		if a.ExpertFFN == 0 && a.FFN <= 0 {
			add("expert_ffn", "must be positive (or set ffn)")
		}
	} else {
		positive("ffn", a.FFN)
		if a.ActiveExperts != 0 || a.SharedExperts != 0 || a.ExpertFFN != 0 || a.DenseLayers != 0 {
			add("experts", "mixture-of-experts fields are set but experts is 0")
		}
	}
	return errors.Join(errs...)
}

// fieldNames is the JSON keys of Arch in declaration order, for messages.
var fieldNames = []string{"layers", "d_model", "heads", "kv_heads", "head_dim", "ffn", "ffn_type", "vocab",
	"tied_embeddings", "bias", "qkv_bias", "norm", "pos", "max_seq", "experts", "active_experts",
	"shared_experts", "expert_ffn", "dense_layers", "q_lora_rank", "kv_lora_rank", "qk_nope_head_dim",
	"qk_rope_head_dim", "v_head_dim", "nominal_params"}

// FieldNames returns the JSON keys of Arch's architecture fields in
// declaration order.
func FieldNames() []string { return append([]string(nil), fieldNames...) }

// String is a one-line summary such as
// "llama-2-7b: 32L d4096 32h ffn11008 swiglu vocab32000".
func (a Arch) String() string {
	var b strings.Builder
	if a.Name != "" {
		b.WriteString(a.Name + ": ")
	}
	if a.IsNominal() {
		fmt.Fprintf(&b, "dense, %g parameters", a.NominalParams)
		return b.String()
	}
	n := a.Normalized()
	fmt.Fprintf(&b, "%dL d%d %dh", n.Layers, n.DModel, n.Heads)
	if n.IsMLA() {
		fmt.Fprintf(&b, " mla(kv%d)", n.KVLoRARank)
	} else if n.KVHeads != n.Heads {
		fmt.Fprintf(&b, " kv%d", n.KVHeads)
	}
	if n.IsMoE() {
		fmt.Fprintf(&b, " moe %d/%d", n.ActiveExperts, n.Experts)
		if n.SharedExperts > 0 {
			fmt.Fprintf(&b, "+%ds", n.SharedExperts)
		}
		fmt.Fprintf(&b, " effn%d", n.ExpertFFN)
	} else {
		fmt.Fprintf(&b, " ffn%d", n.FFN)
	}
	fmt.Fprintf(&b, " %s vocab%d", n.FFNType, n.Vocab)
	return b.String()
}
