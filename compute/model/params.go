package model

// Params is an exact parameter count, broken down. All counts are
// parameters (not bytes).
//
// Embedding follows Kaplan et al. 2020: the token embedding plus a learned
// position table. Head is the output (LM head) projection when it is not
// tied to the embedding; tied, it is 0 and the shared matrix is counted
// once, in Embedding. NonEmbedding = Total − Embedding − Head is Kaplan's N.
type Params struct {
	// Total is every parameter the model stores.
	Total int64 `json:"total"`
	// Active is the parameters one token touches: Total minus the routed
	// experts it does not use (Total for a dense model).
	Active int64 `json:"active"`
	// Embedding is the token embedding plus any learned position table.
	Embedding int64 `json:"embedding"`
	// Head is the untied output projection (0 when tied).
	Head int64 `json:"head"`
	// NonEmbedding is Total − Embedding − Head (Kaplan's N).
	NonEmbedding int64 `json:"non_embedding"`
	// ActiveNonEmbedding is Active − Embedding − Head.
	ActiveNonEmbedding int64 `json:"active_non_embedding"`
	// Attention is all layers' attention projections (and their biases,
	// MLA's low-rank norms, relative-position projections).
	Attention int64 `json:"attention"`
	// MLP is all layers' feed-forward parameters: dense MLPs, every
	// routed and shared expert, and the routers.
	MLP int64 `json:"mlp"`
	// MLPActive is the feed-forward parameters one token uses.
	MLPActive int64 `json:"mlp_active"`
	// Norms is every normalisation layer's parameters, final norm included.
	Norms int64 `json:"norms"`
	// PerLayer describes the block types, in layer order: one group for a
	// dense model, a dense group then an MoE group for DeepSeek-style
	// models.
	PerLayer []LayerParams `json:"per_layer"`
}

// LayerParams is the parameter count of one transformer block of a kind,
// and how many consecutive blocks share it.
type LayerParams struct {
	// Kind is "dense" or "moe".
	Kind string `json:"kind"`
	// Count is how many layers have this shape.
	Count int `json:"count"`
	// Attention is one layer's attention parameters.
	Attention int64 `json:"attention"`
	// MLP is one layer's feed-forward parameters (all experts, router).
	MLP int64 `json:"mlp"`
	// MLPActive is one layer's feed-forward parameters used per token.
	MLPActive int64 `json:"mlp_active"`
	// Router is one layer's router (gate) matrix, d_model×experts.
	Router int64 `json:"router,omitempty"`
	// Norms is one layer's two normalisation layers.
	Norms int64 `json:"norms"`
	// Total is Attention + MLP + Norms.
	Total int64 `json:"total"`
	// Active is Attention + MLPActive + Norms.
	Active int64 `json:"active"`
}

// normParams is the parameters of one norm over width w.
func (a Arch) normParams(w int64) int64 {
	if a.norm() == NormLayer {
		return 2 * w
	}
	return w
}

// attentionParams is one layer's attention parameters.
//
// Standard (MHA/GQA/MQA): W_q d×(H·hd), W_k and W_v d×(KV·hd), W_o
// (H·hd)×d, plus biases on q, k, v (QKVBias or Bias) and on o (Bias).
//
// MLA (DeepSeek-V2 §2.1, Hugging Face modeling_deepseek.py): q_a_proj
// d×q_lora, q_a_layernorm q_lora, q_b_proj q_lora×H·(nope+rope) — or a
// plain q_proj d×H·(nope+rope) when q_lora_rank is 0 — then
// kv_a_proj_with_mqa d×(kv_lora+rope), kv_a_layernorm kv_lora, kv_b_proj
// kv_lora×H·(nope+v), o_proj H·v×d.
func (a Arch) attentionParams() int64 {
	d := int64(a.DModel)
	h := int64(a.Heads)
	var p int64
	if a.IsMLA() {
		qk := int64(a.QKNopeHeadDim + a.QKRopeHeadDim)
		v := int64(a.VHeadDim)
		if a.QLoRARank > 0 {
			r := int64(a.QLoRARank)
			p += d*r + a.normParams(r) + r*h*qk
		} else {
			p += d * h * qk
		}
		kr := int64(a.KVLoRARank)
		p += d*(kr+int64(a.QKRopeHeadDim)) + a.normParams(kr) + kr*h*(int64(a.QKNopeHeadDim)+v)
		p += h * v * d
		if a.Bias {
			p += d
		}
		return p
	}
	hd := int64(a.headDim())
	kv := int64(a.kvHeads())
	q, k := h*hd, kv*hd
	p = d*q + 2*d*k + q*d
	if a.Bias || a.QKVBias {
		p += q + 2*k
	}
	if a.Bias {
		p += d
	}
	if a.pos() == PosRelative {
		p += d * q
	}
	return p
}

// mlpParams is one MLP of intermediate size f.
func (a Arch) mlpParams(f int) int64 {
	d, ff := int64(a.DModel), int64(f)
	if a.ffnType() == FFNSwiGLU {
		p := 3 * d * ff
		if a.Bias {
			p += 2*ff + d
		}
		return p
	}
	p := 2 * d * ff
	if a.Bias {
		p += ff + d
	}
	return p
}

// Params returns the exact parameter count. It assumes a valid Arch (see
// Validate); a nominal model reports NominalParams as Total, Active and
// NonEmbedding.
func (a Arch) Params() Params {
	if a.IsNominal() {
		n := int64(a.NominalParams + 0.5)
		return Params{Total: n, Active: n, NonEmbedding: n, ActiveNonEmbedding: n,
			PerLayer: []LayerParams{}}
	}
	d := int64(a.DModel)
	var p Params
	p.Embedding = int64(a.Vocab) * d
	if a.pos() == PosLearned {
		p.Embedding += int64(a.MaxSeq) * d
	}
	if !a.TiedEmbeddings {
		p.Head = int64(a.Vocab) * d
	}
	attn := a.attentionParams()
	norms := 2 * a.normParams(d)
	dense := a.Layers
	if a.IsMoE() {
		dense = a.DenseLayers
	}
	if dense > 0 {
		m := a.mlpParams(a.FFN)
		p.PerLayer = append(p.PerLayer, LayerParams{Kind: "dense", Count: dense, Attention: attn,
			MLP: m, MLPActive: m, Norms: norms, Total: attn + m + norms, Active: attn + m + norms})
	}
	if moe := a.Layers - dense; moe > 0 {
		e := a.mlpParams(a.expertFFN())
		router := d * int64(a.Experts)
		m := int64(a.Experts+a.SharedExperts)*e + router
		act := int64(a.ActiveExperts+a.SharedExperts)*e + router
		p.PerLayer = append(p.PerLayer, LayerParams{Kind: "moe", Count: moe, Attention: attn,
			MLP: m, MLPActive: act, Router: router, Norms: norms, Total: attn + m + norms, Active: attn + act + norms})
	}
	p.Norms = a.normParams(d) // final norm
	for _, l := range p.PerLayer {
		c := int64(l.Count)
		p.Attention += c * l.Attention
		p.MLP += c * l.MLP
		p.MLPActive += c * l.MLPActive
		p.Norms += c * l.Norms
	}
	p.NonEmbedding = p.Attention + p.MLP + p.Norms
	p.ActiveNonEmbedding = p.Attention + p.MLPActive + p.Norms
	p.Total = p.NonEmbedding + p.Embedding + p.Head
	p.Active = p.ActiveNonEmbedding + p.Embedding + p.Head
	return p
}
