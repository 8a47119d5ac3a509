package model

import (
	"fmt"
	"sort"
	"strings"
)

// preset is a named architecture and where its numbers come from.
type preset struct {
	arch   Arch
	source string
}

// llamaLike is the Llama family's shape: RoPE, RMSNorm, SwiGLU, no biases,
// untied embeddings.
func llamaLike(layers, d, heads, kv, ffn, vocab, seq int) Arch {
	return Arch{Layers: layers, DModel: d, Heads: heads, KVHeads: kv, FFN: ffn, FFNType: FFNSwiGLU,
		Vocab: vocab, Norm: NormRMS, Pos: PosRoPE, MaxSeq: seq}
}

// qwen2Like is llamaLike with biases on the q, k, v projections.
func qwen2Like(layers, d, heads, kv, ffn, vocab, seq int, tied bool) Arch {
	a := llamaLike(layers, d, heads, kv, ffn, vocab, seq)
	a.QKVBias = true
	a.TiedEmbeddings = tied
	return a
}

// presets holds the architecture of published models. The numbers are
// the models' Hugging Face config.json files (hidden_size,
// num_hidden_layers, num_attention_heads, num_key_value_heads,
// intermediate_size, vocab_size, max_position_embeddings,
// tie_word_embeddings) or, where there is none, the paper's table.
var presets = map[string]preset{
	"gpt-3-175b": {Arch{Layers: 96, DModel: 12288, Heads: 96, FFN: 4 * 12288, FFNType: FFNGELU, Vocab: 50257,
		TiedEmbeddings: true, Bias: true, Norm: NormLayer, Pos: PosLearned, MaxSeq: 2048},
		"Brown et al. 2020, arXiv:2005.14165, Table 2.1 (n_layers 96, d_model 12288, n_heads 96, d_head 128, n_ctx 2048, d_ff = 4·d_model); GPT-2 BPE vocabulary of 50257; GPT-2 layout (learned positions, LayerNorm, biases, tied embeddings)"},
	"palm-540b": {Arch{Layers: 118, DModel: 18432, Heads: 48, KVHeads: 1, HeadDim: 256, FFN: 4 * 18432, FFNType: FFNSwiGLU,
		Vocab: 256000, TiedEmbeddings: true, Norm: NormRMS, Pos: PosRoPE, MaxSeq: 2048},
		"Chowdhery et al. 2022, arXiv:2204.02311, Table 1 and §2 (118 layers, d_model 18432, 48 heads of 256, multi-query, d_ff = 4·d_model SwiGLU, 256k vocabulary, shared embeddings, no biases); its norms have no bias, counted here as RMSNorm"},
	"llama-7b": {llamaLike(32, 4096, 32, 0, 11008, 32000, 2048),
		"Touvron et al. 2023, arXiv:2302.13971, Table 2; huggingface.co/huggyllama/llama-7b config.json"},
	"llama-65b": {llamaLike(80, 8192, 64, 0, 22016, 32000, 2048),
		"Touvron et al. 2023, arXiv:2302.13971, Table 2; huggingface.co/huggyllama/llama-65b config.json"},
	"llama-2-7b": {llamaLike(32, 4096, 32, 0, 11008, 32000, 4096),
		"huggingface.co/meta-llama/Llama-2-7b-hf config.json; Touvron et al. 2023, arXiv:2307.09288"},
	"llama-2-13b": {llamaLike(40, 5120, 40, 0, 13824, 32000, 4096),
		"huggingface.co/meta-llama/Llama-2-13b-hf config.json"},
	"llama-2-70b": {llamaLike(80, 8192, 64, 8, 28672, 32000, 4096),
		"huggingface.co/meta-llama/Llama-2-70b-hf config.json (GQA, 8 KV heads)"},
	"llama-3-8b": {llamaLike(32, 4096, 32, 8, 14336, 128256, 8192),
		"huggingface.co/meta-llama/Meta-Llama-3-8B config.json"},
	"llama-3-70b": {llamaLike(80, 8192, 64, 8, 28672, 128256, 8192),
		"huggingface.co/meta-llama/Meta-Llama-3-70B config.json"},
	"llama-3.1-405b": {llamaLike(126, 16384, 128, 8, 53248, 128256, 131072),
		"Llama Team 2024, arXiv:2407.21783, Table 3; huggingface.co/meta-llama/Llama-3.1-405B config.json"},
	"mistral-7b": {llamaLike(32, 4096, 32, 8, 14336, 32000, 32768),
		"Jiang et al. 2023, arXiv:2310.06825, Table 1; huggingface.co/mistralai/Mistral-7B-v0.1 config.json"},
	"mixtral-8x7b": {func() Arch {
		a := llamaLike(32, 4096, 32, 8, 14336, 32000, 32768)
		a.Experts, a.ActiveExperts = 8, 2
		return a
	}(), "Jiang et al. 2024, arXiv:2401.04088, Table 1; huggingface.co/mistralai/Mixtral-8x7B-v0.1 config.json"},
	"qwen2-72b": {qwen2Like(80, 8192, 64, 8, 29568, 152064, 32768, false),
		"huggingface.co/Qwen/Qwen2-72B config.json; Yang et al. 2024, arXiv:2407.10671, Table 1"},
	"qwen2.5-7b": {qwen2Like(28, 3584, 28, 4, 18944, 152064, 131072, false),
		"huggingface.co/Qwen/Qwen2.5-7B config.json; Qwen Team 2024, arXiv:2412.15115, Table 1"},
	"qwen2.5-72b": {qwen2Like(80, 8192, 64, 8, 29568, 152064, 131072, false),
		"huggingface.co/Qwen/Qwen2.5-72B config.json; Qwen Team 2024, arXiv:2412.15115, Table 1"},
	"deepseek-llm-67b": {llamaLike(95, 8192, 64, 8, 22016, 102400, 4096),
		"DeepSeek-AI 2024, arXiv:2401.02954, Table 2; huggingface.co/deepseek-ai/deepseek-llm-67b-base config.json"},
	"deepseek-v3": {Arch{Layers: 61, DModel: 7168, Heads: 128, FFN: 18432, FFNType: FFNSwiGLU, Vocab: 129280,
		Norm: NormRMS, Pos: PosRoPE, MaxSeq: 163840,
		Experts: 256, ActiveExperts: 8, SharedExperts: 1, ExpertFFN: 2048, DenseLayers: 3,
		QLoRARank: 1536, KVLoRARank: 512, QKNopeHeadDim: 128, QKRopeHeadDim: 64, VHeadDim: 128},
		"DeepSeek-AI 2024, arXiv:2412.19437, §4.2; huggingface.co/deepseek-ai/DeepSeek-V3 config.json (the multi-token-prediction module, 14B more, is not counted: the 671B main model is)"},
	"yi-34b": {llamaLike(60, 7168, 56, 8, 20480, 64000, 4096),
		"huggingface.co/01-ai/Yi-34B config.json; 01.AI 2024, arXiv:2403.04652, Table 1"},
	"glm-4-9b": {func() Arch {
		a := qwen2Like(40, 4096, 32, 2, 13696, 151552, 8192, false)
		return a
	}(), "huggingface.co/THUDM/glm-4-9b config.json (num_layers 40, hidden_size 4096, ffn_hidden_size 13696, multi_query_group_num 2, padded_vocab_size 151552, add_qkv_bias, seq_length 8192)"},
	"chinchilla-70b": {Arch{Layers: 80, DModel: 8192, Heads: 64, HeadDim: 128, FFN: 4 * 8192, FFNType: FFNGELU,
		Vocab: 32000, Norm: NormRMS, Pos: PosRelative, MaxSeq: 2048},
		"Hoffmann et al. 2022, arXiv:2203.15556, Table 4 (80 layers, d_model 8192, 64 heads, kv size 128) and §4.1 (32k SentencePiece vocabulary); Gopher's layout (Rae et al. 2021 §3: RMSNorm, Transformer-XL relative positions, ffw = 4·d_model)"},
}

// Presets returns the names of the built-in architectures, sorted.
func Presets() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Preset returns the architecture of a published model by name
// (case-insensitive, e.g. "llama-2-7b"). An unknown name is an error that
// lists the known ones.
func Preset(name string) (Arch, error) {
	p, ok := presets[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return Arch{}, fmt.Errorf("model: unknown preset %q (known: %s)", name, strings.Join(Presets(), ", "))
	}
	a := p.arch
	a.Name = strings.ToLower(strings.TrimSpace(name))
	return a, nil
}

// PresetSource returns where a preset's numbers come from, or "" for an
// unknown name.
func PresetSource(name string) string {
	return presets[strings.ToLower(strings.TrimSpace(name))].source
}
