package serve

import (
	"fmt"
	"math"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// KVElementsPerToken is the number of elements one token adds to the KV
// cache over all layers: 2 · layers · kv_heads · head_dim for multi-head,
// grouped-query and multi-query attention, layers · (kv_lora_rank +
// qk_rope_head_dim) for multi-head latent attention (DeepSeek-V2,
// arXiv:2405.04434, Table 1). It is 0 for a model known only by its
// parameter count.
func KVElementsPerToken(a model.Arch) float64 {
	if a.IsNominal() {
		return 0
	}
	if a.IsMLA() {
		return float64(a.Layers) * float64(a.KVLoRARank+a.QKRopeHeadDim)
	}
	n := a.Normalized()
	return 2 * float64(n.Layers) * float64(n.KVHeads) * float64(n.HeadDim)
}

// KVBytesPerToken is KVElementsPerToken at precision p.
func KVBytesPerToken(a model.Arch, p Precision) float64 { return KVElementsPerToken(a) * p.Bytes() }

// shape is what the analysis needs of a model, computed once.
type shape struct {
	arch model.Arch
	// total is every stored parameter; matmul the per-token matmul
	// parameters (model.Arch.MatmulParams: active, LM head included);
	// routed the parameters of all routed experts; experts, k their number
	// and the number each token uses.
	total, matmul, routed float64
	experts, k            float64
	// attn1 is the attention FLOPs per token at context 1 (linear in the
	// context).
	attn1 float64
	// kvHeads is the KV heads (0 with MLA).
	kvHeads int
}

func newShape(a model.Arch) shape {
	p := a.Params()
	s := shape{arch: a, total: float64(p.Total), matmul: a.MatmulParams(), attn1: a.AttentionFLOPsPerToken(1)}
	if a.IsMoE() && a.Experts > a.ActiveExperts {
		// MLP − MLPActive = (E − k) · one expert, summed over MoE layers.
		s.experts, s.k = float64(a.Experts), float64(a.ActiveExperts)
		s.routed = float64(p.MLP-p.MLPActive) * s.experts / (s.experts - s.k)
	}
	if !a.IsMLA() {
		s.kvHeads = a.Normalized().KVHeads
	}
	return s
}

// GPU is what serving needs of an accelerator: memory, bandwidth and the
// dense (no sparsity) tensor peaks. compute/hw's catalogue supplies them.
type GPU struct {
	Name string `json:"name"`
	// MemoryBytes is the device memory (HBM) in bytes.
	MemoryBytes float64 `json:"memory_bytes"`
	// Bandwidth is the memory bandwidth in bytes per second.
	Bandwidth float64 `json:"bandwidth"`
	// Peak16 is the dense bf16/fp16 tensor peak in FLOP/s; Peak8 the dense
	// fp8/int8 peak (0: no 8-bit tensor cores, Peak16 is used).
	Peak16 float64 `json:"peak_16bit"`
	Peak8  float64 `json:"peak_8bit,omitempty"`
}

// GPUFrom converts a compute/hw catalogue entry.
func GPUFrom(g *hw.GPU) GPU {
	return GPU{Name: g.Name, MemoryBytes: g.MemoryBytes(), Bandwidth: g.MemoryBandwidthTBs * 1e12,
		Peak16: g.BF16TFLOPS * 1e12, Peak8: g.FP8TFLOPS * 1e12}
}

// peak is the tensor peak at which products in precision w run.
func (g GPU) peak(w Precision) float64 {
	if w.Compute8 && g.Peak8 > 0 {
		return g.Peak8
	}
	return g.Peak16
}

// Input is one serving scenario. Zero values of the efficiency and
// utilisation fields mean the defaults (DefaultMFU, …), which Result lists.
type Input struct {
	// Model is the architecture (compute/model); a model known only by
	// its parameter count has no KV-cache shape and is refused.
	Model model.Arch `json:"model"`
	GPU   GPU        `json:"gpu"`
	// TP is the number of GPUs of one replica (tensor parallel); 0 means 1.
	TP int `json:"tp"`
	// Weights and KV are the storage precisions; zero values mean bf16.
	Weights Precision `json:"weights"`
	KV      Precision `json:"kv_cache"`
	// Prompt and Output are the average input and output lengths in tokens.
	Prompt int `json:"prompt"`
	Output int `json:"output"`
	// Batches are the concurrent sequences per replica to tabulate; the
	// largest batch that fits is added. Empty means DefaultBatches.
	Batches []int `json:"batches"`
	// TargetTPOT, when positive, is a latency target in seconds per output
	// token: Result.Target is the largest batch that meets it.
	TargetTPOT float64 `json:"target_tpot"`
	// MFU is the fraction of the tensor peak that prefill and compute-bound
	// decode reach; BandwidthEfficiency the fraction of the memory bandwidth
	// that decode reaches.
	MFU                 float64 `json:"mfu"`
	BandwidthEfficiency float64 `json:"bandwidth_efficiency"`
	// MemoryReserve is the fraction of GPU memory kept for activations,
	// CUDA graphs and fragmentation.
	MemoryReserve float64 `json:"memory_reserve"`
	// Utilisation is the share of paid GPU-hours spent serving requests.
	Utilisation float64 `json:"utilisation"`
	// GPUPrice is the price of one GPU-hour; its currency is the result's.
	GPUPrice money.Money `json:"gpu_price"`
	// PriceIn and PriceOut, when set, are selling prices per million input
	// and output tokens, in GPUPrice's currency.
	PriceIn  *money.Money `json:"price_in,omitempty"`
	PriceOut *money.Money `json:"price_out,omitempty"`
}

// The defaults, each listed with its source in Result.Defaults when used.
var (
	DefaultMFU                 = 0.5
	DefaultBandwidthEfficiency = 0.8
	DefaultMemoryReserve       = 0.1
	DefaultUtilisation         = 0.5
	DefaultBatches             = []int{1, 8, 32, 128}
)

// The codes of the defaults' sources (Default.SourceDetail); none has
// args.
const (
	SourceMFU         = "source-mfu"
	SourceBandwidth   = "source-bandwidth"
	SourceReserve     = "source-reserve"
	SourceUtilisation = "source-utilisation"
	SourceBatches     = "source-batches"
	SourcePrecision   = "source-precision"
)

// Notes holds the English text of every source code above; an edge's
// catalogue translates the same templates (its tests iterate
// Notes.Codes()).
var Notes = msg.Catalogue{
	SourceMFU: "kaiwu assumption: prefill is large GEMMs, as training is; published training MFU " +
		"is 46.2% (PaLM 540B, Chowdhery et al. 2022, Table 3) and 38–43% (Llama 3 405B, Dubey et al. 2024, Table 4)",
	SourceBandwidth: "kaiwu assumption: decode kernels (GEMV/attention) typically reach 70–90% of the datasheet " +
		"bandwidth; the datasheet number is never reached",
	SourceReserve:     "vLLM engine argument --gpu-memory-utilization, default 0.9 (docs.vllm.ai, engine arguments)",
	SourceUtilisation: "kaiwu assumption: an interactive API's load follows the day; paid hours average about half busy",
	SourceBatches:     "kaiwu default table",
	SourcePrecision:   "kaiwu default: bf16 weights and KV cache, the format open models are released in",
}

// defaulted is the Default of name at value, its source the catalogue's
// code.
func defaulted(name, value, code string) Default {
	n := Notes.Make(code)
	return Default{Name: name, Value: value, Source: n.Text, SourceDetail: &n}
}

// Default is one default value the analysis used, with its source.
type Default struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
	// Estimate marks a value its source calls an estimate.
	Estimate bool `json:"estimate,omitempty"`
	// SourceDetail is Source with its code (see Notes), for the sources
	// kaiwu words itself; nil for one given as data (a catalogue price).
	SourceDetail *msg.Note `json:"source_detail,omitempty"`
}

// Row is the operating point of one batch size (concurrent sequences per
// replica). Times are seconds; throughputs tokens per second; GPU-hours
// and costs include the utilisation.
type Row struct {
	Batch int `json:"batch"`
	// Fits is false when Batch sequences' KV cache does not fit in memory.
	Fits bool `json:"fits"`
	// Max marks the row of the largest batch that fits.
	Max bool `json:"max,omitempty"`
	// Bound is "memory" or "compute": which roof sets the decode step.
	Bound string `json:"bound"`
	// StepSeconds is the decode step time, i.e. time per output token.
	StepSeconds float64 `json:"step_seconds"`
	// StepBytes and StepFLOPs are one decode step's memory traffic
	// (weights + KV cache) and work, per replica.
	StepWeightBytes float64 `json:"step_weight_bytes"`
	StepKVBytes     float64 `json:"step_kv_bytes"`
	StepFLOPs       float64 `json:"step_flops"`
	// TokensPerSecondPerSequence is 1 / StepSeconds, what one user sees.
	TokensPerSecondPerSequence float64 `json:"tokens_per_second_per_sequence"`
	// DecodeTokensPerSecond is Batch / StepSeconds per replica, decoding
	// only; OutputTokensPerSecond also gives prefill its share of the time.
	DecodeTokensPerSecond float64 `json:"decode_tokens_per_second"`
	OutputTokensPerSecond float64 `json:"output_tokens_per_second"`
	// OutputTokensPerSecondPerGPU is OutputTokensPerSecond / tp.
	OutputTokensPerSecondPerGPU float64 `json:"output_tokens_per_second_per_gpu"`
	// RequestsPerSecond is the replica's request rate when fully busy.
	RequestsPerSecond float64 `json:"requests_per_second"`
	// LatencySeconds is time to first token + Output · StepSeconds.
	LatencySeconds float64 `json:"latency_seconds"`
	// GPUHoursPerMInput and GPUHoursPerMOutput are paid GPU-hours per
	// million tokens at the utilisation.
	GPUHoursPerMInput  float64 `json:"gpu_hours_per_m_input"`
	GPUHoursPerMOutput float64 `json:"gpu_hours_per_m_output"`
	// CostPerMInput and CostPerMOutput are GPU-hours × price.
	CostPerMInput  money.Money `json:"cost_per_m_input"`
	CostPerMOutput money.Money `json:"cost_per_m_output"`
	// CostPerRequest is Prompt input and Output output tokens' cost.
	CostPerRequest money.Money `json:"cost_per_request"`
	// RevenuePerRequest, GrossMargin and BreakEvenUtilisation are set when
	// selling prices are: margin = (revenue − cost) / revenue at the
	// utilisation; break-even utilisation = cost at full load ÷ revenue (above
	// 1: no load breaks even).
	RevenuePerRequest    *money.Money     `json:"revenue_per_request"`
	GrossMargin          *decimal.Decimal `json:"gross_margin"`
	BreakEvenUtilisation *decimal.Decimal `json:"break_even_utilisation"`
}

// Result is the analysis of one Input.
type Result struct {
	Model   string    `json:"model"`
	GPU     string    `json:"gpu"`
	TP      int       `json:"tp"`
	Weights Precision `json:"weights"`
	KV      Precision `json:"kv_cache"`
	Prompt  int       `json:"prompt"`
	Output  int       `json:"output"`

	// WeightBytes is the replica's weight memory (all experts);
	// WeightBytesPerGPU its share on one GPU.
	WeightBytes       float64 `json:"weight_bytes"`
	WeightBytesPerGPU float64 `json:"weight_bytes_per_gpu"`
	// KVBytesPerToken is the model's KV cache per token at KV precision;
	// KVReplication how many copies the replica keeps (TP beyond the KV
	// heads, or MLA's latent on every GPU); KVBytesPerSequence the replica's
	// memory for one sequence of Prompt + Output tokens, copies included.
	KVBytesPerToken    float64 `json:"kv_bytes_per_token"`
	KVReplication      float64 `json:"kv_replication"`
	KVBytesPerSequence float64 `json:"kv_bytes_per_sequence"`
	// MemoryBytes is the replica's memory; UsableBytes after the reserve;
	// KVFreeBytes what is left for the KV cache after the weights.
	MemoryBytes float64 `json:"memory_bytes"`
	UsableBytes float64 `json:"usable_bytes"`
	KVFreeBytes float64 `json:"kv_free_bytes"`
	// Fits is whether the weights and one sequence fit; MinTP the smallest
	// tensor-parallel degree (up to 64) where they do, 0 if none.
	Fits  bool `json:"fits"`
	MinTP int  `json:"min_tp"`
	// MaxSequences is the most concurrent sequences per replica;
	// MaxSequencesPerGPU is that over tp.
	MaxSequences       int     `json:"max_sequences"`
	MaxSequencesPerGPU float64 `json:"max_sequences_per_gpu"`
	// PeakFLOPs and Bandwidth are the replica's (tp × one GPU's) tensor peak
	// at the weights' compute precision and memory bandwidth; OpsPerByte is
	// their ratio.
	PeakFLOPs  float64 `json:"peak_flops"`
	Bandwidth  float64 `json:"bandwidth"`
	OpsPerByte float64 `json:"ops_per_byte"`
	// PrefillFLOPs is one request's prefill work; PrefillSeconds its time
	// at the MFU (the replica time a request's prompt costs);
	// TTFTSeconds the time to first token of a request alone (compute or
	// the weight read, whichever is longer).
	PrefillFLOPs   float64 `json:"prefill_flops"`
	PrefillSeconds float64 `json:"prefill_seconds"`
	TTFTSeconds    float64 `json:"ttft_seconds"`
	// CrossoverBatch is the batch where decode turns compute-bound, the KV
	// cache left out (the roofline ridge); CrossoverBatchKV counts the KV
	// cache at the mean context, nil when decode never turns compute-bound.
	CrossoverBatch   float64  `json:"crossover_batch"`
	CrossoverBatchKV *float64 `json:"crossover_batch_kv"`
	// Rows are the operating points, by batch.
	Rows []Row `json:"rows"`
	// TargetTPOT echoes the latency target; Target is the largest batch
	// meeting it (nil when even batch 1 is too slow or none was given).
	TargetTPOT float64 `json:"target_tpot,omitempty"`
	Target     *Row    `json:"target,omitempty"`
	// GPUPrice is the price per GPU-hour; MFU, BandwidthEfficiency,
	// MemoryReserve and Utilisation the values used.
	GPUPrice            money.Money `json:"gpu_price"`
	MFU                 float64     `json:"mfu"`
	BandwidthEfficiency float64     `json:"bandwidth_efficiency"`
	MemoryReserve       float64     `json:"memory_reserve"`
	Utilisation         float64     `json:"utilisation"`
	// Defaults lists each default the analysis used and its source.
	Defaults []Default `json:"defaults"`
}

// fieldErr is an input error naming the field.
func fieldErr(field, format string, a ...any) error {
	return fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...))
}

// normalise fills defaults and checks the input.
func (in *Input) normalise() ([]Default, error) {
	var defs []Default
	if err := in.Model.Validate(); err != nil {
		return nil, err
	}
	if in.Model.IsNominal() {
		return nil, fieldErr("model", "a model given only by its parameter count has no attention shape for the KV cache; give the architecture or a preset")
	}
	g := in.GPU
	switch {
	case !(g.MemoryBytes > 0):
		return nil, fieldErr("gpu.memory_bytes", "%g: want positive", g.MemoryBytes)
	case !(g.Bandwidth > 0):
		return nil, fieldErr("gpu.bandwidth", "%g: want positive", g.Bandwidth)
	case !(g.Peak16 > 0):
		return nil, fieldErr("gpu.peak_16bit", "%g: want positive", g.Peak16)
	case g.Peak8 < 0:
		return nil, fieldErr("gpu.peak_8bit", "%g: want non-negative", g.Peak8)
	}
	if in.TP == 0 {
		in.TP = 1
	}
	if in.TP < 1 || in.TP > 1024 {
		return nil, fieldErr("tp", "%d: want 1 to 1024 GPUs per replica", in.TP)
	}
	if in.Weights.Bits == 0 || in.KV.Bits == 0 {
		defs = append(defs, defaulted("precision", "bf16", SourcePrecision))
	}
	if in.Weights.Bits == 0 {
		in.Weights = BF16
	}
	if in.KV.Bits == 0 {
		in.KV = BF16
	}
	if in.Weights.Bits < 1 || in.Weights.Bits > 32 {
		return nil, fieldErr("weights", "%g bits: want 1 to 32", in.Weights.Bits)
	}
	if in.KV.Bits < 1 || in.KV.Bits > 32 {
		return nil, fieldErr("kv_cache", "%g bits: want 1 to 32", in.KV.Bits)
	}
	if in.Prompt < 0 || in.Prompt > 1<<24 {
		return nil, fieldErr("prompt", "%d tokens: want 0 to 16,777,216", in.Prompt)
	}
	if in.Output < 1 || in.Output > 1<<24 {
		return nil, fieldErr("output", "%d tokens: want 1 to 16,777,216", in.Output)
	}
	if len(in.Batches) == 0 {
		in.Batches = append([]int(nil), DefaultBatches...)
		defs = append(defs, defaulted("batches", fmt.Sprint(DefaultBatches), SourceBatches))
	}
	for _, b := range in.Batches {
		if b < 1 || b > 1<<20 {
			return nil, fieldErr("batch", "%d: want 1 to 1,048,576 concurrent sequences", b)
		}
	}
	if in.TargetTPOT < 0 || math.IsNaN(in.TargetTPOT) || math.IsInf(in.TargetTPOT, 0) {
		return nil, fieldErr("target_tpot", "%g: want a positive time in seconds", in.TargetTPOT)
	}
	frac := func(name string, v *float64, def float64, code string, allowZero bool) error {
		if *v == 0 && !allowZero {
			*v = def
			defs = append(defs, defaulted(name, fmt.Sprint(def), code))
			return nil
		}
		if math.IsNaN(*v) || *v < 0 || *v > 1 || (*v == 0 && !allowZero) {
			return fieldErr(name, "%g: want a fraction between 0 and 1", *v)
		}
		return nil
	}
	if err := frac("mfu", &in.MFU, DefaultMFU, SourceMFU, false); err != nil {
		return nil, err
	}
	if err := frac("bandwidth_efficiency", &in.BandwidthEfficiency, DefaultBandwidthEfficiency, SourceBandwidth, false); err != nil {
		return nil, err
	}
	if err := frac("memory_reserve", &in.MemoryReserve, DefaultMemoryReserve, SourceReserve, false); err != nil {
		return nil, err
	}
	if in.MemoryReserve >= 1 {
		return nil, fieldErr("memory_reserve", "%g: leaves no memory", in.MemoryReserve)
	}
	if err := frac("utilisation", &in.Utilisation, DefaultUtilisation, SourceUtilisation, false); err != nil {
		return nil, err
	}
	if in.GPUPrice.Currency == "" {
		return nil, fieldErr("gpu_price", "no price per GPU-hour")
	}
	if !in.GPUPrice.Amount.IsPositive() {
		return nil, fieldErr("gpu_price", "%s: want a positive price per GPU-hour", in.GPUPrice.Amount)
	}
	for _, p := range []struct {
		name string
		v    *money.Money
	}{{"price_in", in.PriceIn}, {"price_out", in.PriceOut}} {
		if p.v == nil {
			continue
		}
		if p.v.Currency != in.GPUPrice.Currency {
			return nil, fieldErr(p.name, "currency %s differs from the GPU price's %s", p.v.Currency, in.GPUPrice.Currency)
		}
		if p.v.Amount.IsNegative() {
			return nil, fieldErr(p.name, "%s: want a non-negative price per million tokens", p.v.Amount)
		}
	}
	return defs, nil
}

// kvReplication is how many copies of each KV element a replica of tp GPUs
// keeps.
func kvReplication(s shape, tp int) float64 {
	if s.arch.IsMLA() {
		return float64(tp)
	}
	if tp > s.kvHeads {
		return float64(tp) / float64(s.kvHeads)
	}
	return 1
}

// weightsRead is the weight bytes one decode step over b tokens reads: all
// weights of a dense model; for a mixture of experts the shared weights and
// the routed experts at least one of the b tokens is sent to, in
// expectation under uniform routing: E · (1 − (1 − k/E)^b) experts.
func weightsRead(s shape, bytes, b float64) float64 {
	if s.routed == 0 {
		return s.total * bytes
	}
	touched := 1 - math.Pow(1-s.k/s.experts, b)
	return (s.total-s.routed)*bytes + s.routed*bytes*touched
}

// Analyze computes the serving economics of in.
func Analyze(in Input) (*Result, error) {
	defs, err := in.normalise()
	if err != nil {
		return nil, err
	}
	m, g := newShape(in.Model), in.GPU
	tp := float64(in.TP)
	wb := in.Weights.Bytes()
	r := &Result{Model: in.Model.Name, GPU: g.Name, TP: in.TP, Weights: in.Weights, KV: in.KV,
		Prompt: in.Prompt, Output: in.Output, GPUPrice: in.GPUPrice, MFU: in.MFU,
		BandwidthEfficiency: in.BandwidthEfficiency, MemoryReserve: in.MemoryReserve,
		Utilisation: in.Utilisation, Defaults: defs, TargetTPOT: in.TargetTPOT}

	// Memory.
	r.WeightBytes = m.total * wb
	r.WeightBytesPerGPU = r.WeightBytes / tp
	r.KVBytesPerToken = KVBytesPerToken(in.Model, in.KV)
	r.KVReplication = kvReplication(m, in.TP)
	seqLen := float64(in.Prompt + in.Output)
	r.KVBytesPerSequence = r.KVBytesPerToken * r.KVReplication * seqLen
	r.MemoryBytes = g.MemoryBytes * tp
	r.UsableBytes = r.MemoryBytes * (1 - in.MemoryReserve)
	r.KVFreeBytes = r.UsableBytes - r.WeightBytes
	if r.KVFreeBytes > 0 {
		r.MaxSequences = int(math.Min(math.Floor(r.KVFreeBytes/r.KVBytesPerSequence), 1<<30))
	}
	r.Fits = r.MaxSequences >= 1
	r.MaxSequencesPerGPU = float64(r.MaxSequences) / tp
	for t := 1; t <= 64; t++ {
		free := g.MemoryBytes*float64(t)*(1-in.MemoryReserve) - r.WeightBytes
		if free >= r.KVBytesPerToken*kvReplication(m, t)*seqLen {
			r.MinTP = t
			break
		}
	}

	// Roofs.
	r.PeakFLOPs = g.peak(in.Weights) * tp
	r.Bandwidth = g.Bandwidth * tp
	r.OpsPerByte = g.peak(in.Weights) / g.Bandwidth
	flops := r.PeakFLOPs * in.MFU
	bw := r.Bandwidth * in.BandwidthEfficiency

	// Prefill: 2·N per token plus causal attention
	// Σ_{t=1..P} attn(t) = attn(1)·P·(P+1)/2.
	p := float64(in.Prompt)
	r.PrefillFLOPs = 2*m.matmul*p + m.attn1*p*(p+1)/2
	r.PrefillSeconds = r.PrefillFLOPs / flops
	r.TTFTSeconds = math.Max(r.PrefillSeconds, weightsRead(m, wb, math.Max(p, 1))/bw)

	// Decode at mean context.
	ctx := p + float64(in.Output+1)/2
	kvTok := r.KVBytesPerToken * r.KVReplication
	perTokFLOPs := 2*m.matmul + m.attn1*ctx
	step := func(b float64) (sec, wBytes, kvBytes, fl float64, bound string) {
		wBytes = weightsRead(m, wb, b)
		kvBytes = b * ctx * kvTok
		fl = b * perTokFLOPs
		tm, tc := (wBytes+kvBytes)/bw, fl/flops
		if tc > tm {
			return tc, wBytes, kvBytes, fl, "compute"
		}
		return tm, wBytes, kvBytes, fl, "memory"
	}
	r.CrossoverBatch = crossover(func(b float64) float64 {
		return b*2*m.matmul/flops - weightsRead(m, wb, b)/bw
	})
	if x := crossover(func(b float64) float64 {
		return b*perTokFLOPs/flops - (weightsRead(m, wb, b)+b*ctx*kvTok)/bw
	}); x > 0 {
		r.CrossoverBatchKV = &x
	}

	// Money.
	cur := in.GPUPrice.Currency
	replicaHour := in.GPUPrice.Amount.Mul(decimal.NewFromInt(int64(in.TP)))
	row := func(b int) Row {
		sec, wBytes, kvBytes, fl, bound := step(float64(b))
		rw := Row{Batch: b, Fits: b <= r.MaxSequences, Bound: bound, StepSeconds: sec,
			StepWeightBytes: wBytes, StepKVBytes: kvBytes, StepFLOPs: fl,
			TokensPerSecondPerSequence: 1 / sec, DecodeTokensPerSecond: float64(b) / sec}
		reqSec := r.PrefillSeconds + float64(in.Output)*sec/float64(b) // replica-seconds per request
		rw.RequestsPerSecond = 1 / reqSec
		rw.OutputTokensPerSecond = float64(in.Output) / reqSec
		rw.OutputTokensPerSecondPerGPU = rw.OutputTokensPerSecond / tp
		rw.LatencySeconds = r.TTFTSeconds + float64(in.Output)*sec
		if in.Prompt > 0 {
			rw.GPUHoursPerMInput = 1e6 * tp * r.PrefillSeconds / p / 3600 / in.Utilisation
		}
		rw.GPUHoursPerMOutput = 1e6 * tp * sec / float64(b) / 3600 / in.Utilisation
		rw.CostPerMInput = gpuHoursCost(rw.GPUHoursPerMInput, in.GPUPrice)
		rw.CostPerMOutput = gpuHoursCost(rw.GPUHoursPerMOutput, in.GPUPrice)
		reqHours := reqSec / 3600 / in.Utilisation
		reqCost := decimal.NewFromFloat(reqHours).Mul(replicaHour)
		rw.CostPerRequest = money.New(reqCost.Round(8), cur)
		if in.PriceIn != nil || in.PriceOut != nil {
			rev := decimal.Zero
			if in.PriceIn != nil {
				rev = rev.Add(in.PriceIn.Amount.Mul(decimal.NewFromInt(int64(in.Prompt))))
			}
			if in.PriceOut != nil {
				rev = rev.Add(in.PriceOut.Amount.Mul(decimal.NewFromInt(int64(in.Output))))
			}
			rev = rev.Shift(-6)
			rm := money.New(rev, cur)
			rw.RevenuePerRequest = &rm
			if rev.IsPositive() {
				gm := rev.Sub(reqCost).DivRound(rev, 6)
				be := reqCost.Mul(decimal.NewFromFloat(in.Utilisation)).DivRound(rev, 6)
				rw.GrossMargin, rw.BreakEvenUtilisation = &gm, &be
			}
		}
		return rw
	}
	batches := append([]int(nil), in.Batches...)
	if r.MaxSequences > 0 && !contains(batches, r.MaxSequences) {
		batches = append(batches, r.MaxSequences)
	}
	sort.Ints(batches)
	for _, b := range dedupe(batches) {
		rw := row(b)
		rw.Max = b == r.MaxSequences
		r.Rows = append(r.Rows, rw)
	}
	if in.TargetTPOT > 0 && r.MaxSequences > 0 {
		if s, _, _, _, _ := step(1); s <= in.TargetTPOT {
			lo, hi := 1, r.MaxSequences // step(lo) meets the target
			for lo < hi {
				mid := (lo + hi + 1) / 2
				if s, _, _, _, _ := step(float64(mid)); s <= in.TargetTPOT {
					lo = mid
				} else {
					hi = mid - 1
				}
			}
			t := row(lo)
			t.Max = lo == r.MaxSequences
			r.Target = &t
		}
	}
	return r, nil
}

// CostPerMillion is the cost of a million tokens produced at
// tokensPerSecond by hardware that costs pricePerHour, busy a utilisation
// share of the paid hours: price / (tokens/s · 3600 · u) · 10⁶, rounded to
// 8 decimal places.
func CostPerMillion(pricePerHour money.Money, tokensPerSecond, utilisation float64) money.Money {
	return gpuHoursCost(1e6/(tokensPerSecond*3600*utilisation), pricePerHour)
}

// gpuHoursCost is h GPU-hours at price, rounded to 8 decimal places.
func gpuHoursCost(h float64, price money.Money) money.Money {
	return money.New(decimal.NewFromFloat(h).Mul(price.Amount).Round(8), price.Currency)
}

// crossover finds the root of f, increasing from f(0) < 0, in (0, 1e9];
// it returns 0 when f stays negative.
func crossover(f func(float64) float64) float64 {
	hi := 1.0
	for f(hi) < 0 {
		hi *= 2
		if hi > 1e9 {
			return 0
		}
	}
	lo := 0.0
	for i := 0; i < 200 && hi-lo > 1e-9*hi; i++ {
		mid := (lo + hi) / 2
		if f(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// dedupe removes adjacent duplicates of a sorted slice.
func dedupe(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// Monthly is the serving bill of a month's token volume at one operating
// point.
type Monthly struct {
	InputTokens  float64 `json:"input_tokens"`
	OutputTokens float64 `json:"output_tokens"`
	// GPUHours are the paid GPU-hours, utilisation included.
	GPUHours float64 `json:"gpu_hours"`
	// GPUs is the fleet that supplies them: GPUHours / 730 (hours in an
	// average month, 8760 / 12), not rounded up to whole replicas.
	GPUs float64     `json:"gpus"`
	Cost money.Money `json:"cost"`
	// Revenue is set when selling prices were given.
	Revenue *money.Money `json:"revenue,omitempty"`
}

// HoursPerMonth is an average month, 8760 / 12 hours.
const HoursPerMonth = 730

// Monthly returns what serving input and output tokens a month costs at
// operating point row: GPU-hours = in/10⁶ · GPUHoursPerMInput + out/10⁶ ·
// GPUHoursPerMOutput, cost = GPU-hours × the GPU price. prices may be nil.
func (r *Result) Monthly(row Row, in, out float64, priceIn, priceOut *money.Money) Monthly {
	h := in/1e6*row.GPUHoursPerMInput + out/1e6*row.GPUHoursPerMOutput
	mo := Monthly{InputTokens: in, OutputTokens: out, GPUHours: h, GPUs: h / HoursPerMonth,
		Cost: money.New(decimal.NewFromFloat(h).Mul(r.GPUPrice.Amount).Round(2), r.GPUPrice.Currency)}
	if priceIn != nil || priceOut != nil {
		rev := decimal.Zero
		if priceIn != nil {
			rev = rev.Add(priceIn.Amount.Mul(decimal.NewFromFloat(in / 1e6)))
		}
		if priceOut != nil {
			rev = rev.Add(priceOut.Amount.Mul(decimal.NewFromFloat(out / 1e6)))
		}
		m := money.New(rev.Round(2), r.GPUPrice.Currency)
		mo.Revenue = &m
	}
	return mo
}

// Operating returns the row a plan should use: the latency target's if
// there is one, else the largest batch that fits; ok is false when nothing
// fits.
func (r *Result) Operating() (Row, bool) {
	if r.Target != nil {
		return *r.Target, true
	}
	var best Row
	ok := false
	for _, rw := range r.Rows {
		if rw.Fits {
			best, ok = rw, true
		}
	}
	return best, ok
}
