// Package serve is the inference economics of a large language model on a
// GPU replica: KV-cache size, how many sequences fit, prefill (time to first
// token) and decode (time per output token) speed from the roofline, cost
// per million input and output tokens, gross margin at a selling price and
// the break-even utilisation.
//
// The package is pure: Analyze takes an Input (model shape, GPU, tensor
// parallel degree, precisions, workload, prices) and returns a Result.
// Physical quantities are float64; money is exact decimal (finance/money).
//
// # Formulas
//
// KV cache per token (bytes), per layer l, for multi-head, grouped-query and
// multi-query attention (Llama 2, Touvron et al. 2023, arXiv:2307.09288;
// GQA, Ainslie et al. 2023, arXiv:2305.13245):
//
//	kv = 2 · layers · kv_heads · head_dim · bytes
//
// and for multi-head latent attention, which caches one compressed latent
// of kv_lora_rank elements plus the decoupled RoPE key of rope_dim elements
// per layer (DeepSeek-V2, arXiv:2405.04434, §2.1.2–2.1.4 and Table 1:
// (d_c + d_h^R) · l elements):
//
//	kv = layers · (kv_lora_rank + rope_dim) · bytes
//
// When the tensor-parallel degree exceeds the number of KV heads, each GPU
// keeps a copy of its head (vLLM replicates KV heads); MLA's latent is
// replicated on every GPU of the replica.
//
// Memory: usable = (1 − reserve) · memory · tp (reserve for activations,
// CUDA graphs and fragmentation; vLLM's default gpu_memory_utilization is
// 0.9), free for KV = usable − weights, and the maximum number of
// concurrent sequences is ⌊free / (kv · (prompt + output))⌋.
//
// Prefill is compute-bound: FLOPs = 2 · N_active · P + attention, the causal
// attention term summed over positions t = 1…P being 2 · layers · t ·
// (d_qk + d_v) (PaLM, Chowdhery et al. 2022, appendix B, counts 2·2·L·d·T
// per token for full attention; causal masking halves it on average). Time
// to first token for a request alone is max(FLOPs / (tp · peak · MFU),
// weight bytes / (tp · bandwidth · efficiency)).
//
// Decode is memory-bound at small batch: one step of a batch of B
// sequences at mean context c̄ = P + (O+1)/2 reads the weights (for a
// mixture of experts only the experts the B tokens route to: shared +
// routed · (1 − (1 − k/E)^B)) and the KV cache B · c̄ · kv, and computes
// B · (2 · N_active + 2 · layers · c̄ · (d_qk + d_v)) FLOPs; the step time is
// the larger of the two times (the roofline, Williams, Waterman and
// Patterson 2009). The crossover batch, where decode turns compute-bound,
// is B* = weight bytes · peak · MFU / (2 · N_active · bandwidth · eff): for
// a dense 16-bit model this is the GPU's ops:byte ratio (kipply,
// "Transformer Inference Arithmetic", 2022: 312e12 / 1.5e12 = 208 on an
// A100 40GB).
//
// Cost: a replica costs tp × the GPU-hour price; at utilisation u (the
// share of paid hours the replica does useful work) a request uses the
// replica for T_prefill + O · t_step / B seconds, input tokens are charged
// the prefill time and output tokens the decode time:
//
//	cost per M input  = 10⁶ · tp · price/3600 · T_prefill / P / u
//	cost per M output = 10⁶ · tp · price/3600 · t_step / B / u
//
// which is the usual "price per hour ÷ tokens per hour" (e.g. GMI Cloud,
// "Cost Per Million Tokens Explained", 2026: $2.00 / (85 × 3600) × 10⁶ =
// $6.54). Gross margin = (revenue − cost) / revenue per request;
// break-even utilisation = cost at u = 1 ÷ revenue.
package serve
