// Package memory plans GPU memory for training a decoder-only transformer
// with mixed-precision AdamW under data (DP), tensor (TP) and pipeline (PP)
// parallelism, ZeRO stages 0–3 and activation recomputation — and searches
// for the cheapest layout that fits a GPU. It is pure arithmetic; inference
// memory (weights + KV cache) belongs to compute/serve, which can use
// BytesPerParam.
//
// # Model states (Rajbhandari et al. 2020, ZeRO, arXiv:1910.02054, §3.1, §5)
//
// Mixed-precision AdamW keeps per parameter 2 bytes of fp16/bf16 weights,
// 2 bytes of gradients and K = 12 bytes of optimizer state (fp32 master
// weights, momentum and variance): 16 bytes. With Ψ' = Ψ / (TP·PP)
// parameters per model-parallel rank and data-parallel degree N_d:
//
//	stage 0:  (2 + 2 + 12)·Ψ'
//	stage 1:  (2 + 2)·Ψ' + 12·Ψ'/N_d             (optimizer states partitioned)
//	stage 2:  2·Ψ' + (2 + 12)·Ψ'/N_d             (+ gradients)
//	stage 3:  (2 + 2 + 12)·Ψ'/N_d                (+ parameters)
//
// # Activations (Korthikanti et al. 2022, "Reducing Activation
// Recomputation in Large Transformer Models", arXiv:2205.05198, §4, Table 2)
//
// Per layer, sequence s, micro-batch b, hidden h, heads a, 16-bit
// activations and 1-byte dropout masks, a GPT layer stores sbh(34 + 5as/h)
// bytes: attention 11sbh + 5as²b, MLP 19sbh, two layer norms 4sbh. With
// tensor parallelism t the TP-split part divides by t and 10sbh stays
// replicated (sbh(10 + 24/t + 5as/(ht))); with sequence parallelism
// everything divides by t (sbh(34 + 5as/h)/t); selective recomputation
// drops the 5as²b attention-score term (34sbh/t); full recomputation keeps
// only each layer's input, 2sbh (/t with sequence parallelism).
//
// The terms are generalised, term by term, to the architectures of
// compute/model: grouped-query and latent attention (K and V of width
// kv_heads·d_head, output projection input a·d_v), FFN width f (GELU:
// 3sbh + 4sbf; SwiGLU: 3sbh + 6sbf — both 19sbh at f = 4h and 8h/3), and
// mixture-of-experts layers, where each token's activations pass through
// active + shared experts. Dropout masks are counted as in the paper even
// for models trained without dropout (a small overestimate, ≤ 2sbh).
//
// With 1F1B pipeline scheduling the first stage holds p micro-batches of
// its L/p layers, i.e. the activations of L layers (Korthikanti et al.
// §4.2.3), independently of p; embedding and loss activations are left out
// (< 2 % for these models).
//
// # Overhead
//
// Every GPU also holds the CUDA context, cuBLAS/NCCL workspaces and
// allocator fragmentation: OverheadBytes (2 GB by default; the CUDA context
// alone is 0.3–1 GB depending on the driver and loaded kernels — PyTorch
// "CUDA semantics" notes — and NCCL buffers and workspaces add a few
// hundred MB). Temporary buffers (all-gathered ZeRO-3 layers, logits) are
// not modelled.
package memory

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// BytesPerParam is the storage of one parameter (or activation, or cache
// element) at precision p: fp32 4, bf16/fp16 2, fp8/int8 1, int4 0.5; 0
// for an unknown precision.
func BytesPerParam(p hw.Precision) float64 {
	switch p {
	case hw.FP32:
		return 4
	case hw.BF16, hw.FP16:
		return 2
	case hw.FP8, hw.INT8:
		return 1
	case hw.INT4:
		return 0.5
	}
	return 0
}

// Bytes per parameter of mixed-precision AdamW (ZeRO paper §3.1).
const (
	WeightBytes    = 2
	GradientBytes  = 2
	OptimizerBytes = 12 // K: fp32 master weights, momentum, variance
)

// DefaultOverheadBytes is the fixed per-GPU overhead (see the package
// comment).
const DefaultOverheadBytes = 2e9

// FieldError is an input error about one field, named as the CLI flag is
// (tp, pp, gpus, zero, recompute, seq, micro-batch, model).
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Layout is a parallel layout and its memory-saving options.
type Layout struct {
	TP   int `json:"tp"`
	PP   int `json:"pp"`
	DP   int `json:"dp"`
	ZeRO int `json:"zero"`
	// Recompute is the activation-recomputation policy.
	Recompute model.Recompute `json:"recompute"`
	// SequenceParallel splits the replicated activations across the TP
	// group (Korthikanti et al. §4.2.2); it has no effect at TP = 1.
	SequenceParallel bool `json:"sequence_parallel"`
}

// String formats as "TP8 PP2 DP4 ZeRO-1 selective".
func (l Layout) String() string {
	s := fmt.Sprintf("TP%d PP%d DP%d ZeRO-%d %s", l.TP, l.PP, l.DP, l.ZeRO, l.Recompute)
	if l.TP > 1 && !l.SequenceParallel {
		s += " (no SP)"
	}
	return s
}

// Input is what the planner needs.
type Input struct {
	// Arch is the model; activations need a full architecture (a nominal
	// parameter count gives model states only and an error for
	// activations).
	Arch model.Arch
	// GPU is the accelerator; its memory decides Fits.
	GPU *hw.GPU
	// GPUs is the total number of GPUs; Layout.DP is derived from it
	// (GPUs / (TP·PP)) when 0.
	GPUs int
	Layout
	// Seq is the sequence length and MicroBatch the micro-batch size.
	Seq        int
	MicroBatch int
	// OverheadBytes is the fixed per-GPU overhead; 0 means
	// DefaultOverheadBytes, a negative value none.
	OverheadBytes float64
}

// Breakdown is the memory of one GPU, in bytes.
type Breakdown struct {
	Layout              Layout  `json:"layout"`
	GPUs                int     `json:"gpus"`
	ParamsPerGPU        float64 `json:"params_per_gpu"`
	Weights             float64 `json:"weights"`
	Gradients           float64 `json:"gradients"`
	Optimizer           float64 `json:"optimizer"`
	Activations         float64 `json:"activations"`
	ActivationsPerLayer float64 `json:"activations_per_layer"`
	Overhead            float64 `json:"overhead"`
	Total               float64 `json:"total"`
	// Capacity is the GPU's memory and Fits whether Total ≤ Capacity.
	Capacity float64 `json:"capacity"`
	Fits     bool    `json:"fits"`
	// Notes are warnings about the layout (TP across nodes, …), in
	// English; NoteDetails are the same warnings, in order, with their
	// codes (see Notes, the catalogue) and arguments.
	Notes       []string   `json:"notes,omitempty"`
	NoteDetails []msg.Note `json:"note_details,omitempty"`
}

// ModelStates returns the per-GPU bytes of weights, gradients and
// optimizer states for params parameters per model-parallel rank, ZeRO
// stage and data-parallel degree dp (ZeRO paper §5, Figure 1).
func ModelStates(params float64, stage, dp int) (weights, gradients, optimizer float64) {
	d := float64(dp)
	weights, gradients, optimizer = WeightBytes*params, GradientBytes*params, OptimizerBytes*params
	if stage >= 1 {
		optimizer /= d
	}
	if stage >= 2 {
		gradients /= d
	}
	if stage >= 3 {
		weights /= d
	}
	return
}

// KorthikantiPerLayer is the activation bytes per transformer layer of a
// GPT model by Korthikanti et al. 2022, Table 2: s sequence, b
// micro-batch, h hidden, a heads, t tensor-parallel degree, with or
// without sequence parallelism, under a recomputation policy.
func KorthikantiPerLayer(s, b, h, a, t int, sp bool, rc model.Recompute) float64 {
	sbh := float64(s) * float64(b) * float64(h)
	ft := float64(t)
	scores := 5 * float64(a) * float64(s) / float64(h)
	switch {
	case rc == model.RecomputeFull && sp:
		return 2 * sbh / ft
	case rc == model.RecomputeFull:
		return 2 * sbh
	case rc == model.RecomputeSelective && sp:
		return 34 * sbh / ft
	case rc == model.RecomputeSelective:
		return sbh * (10 + 24/ft)
	case sp:
		return sbh * (34 + scores) / ft
	}
	return sbh * (10 + 24/ft + scores/ft)
}

// layerShape is what the activation formula needs of one kind of layer.
type layerShape struct {
	count int
	ffn   float64 // effective FFN width the token passes through
}

// ActivationsPerLayer returns the mean activation bytes per layer of a at
// sequence seq and micro-batch mb under TP degree t (see the package
// comment for the terms); it is exactly KorthikantiPerLayer for a GPT
// layer (MHA, GELU, ffn = 4h).
func ActivationsPerLayer(a model.Arch, seq, mb, t int, sp bool, rc model.Recompute) (float64, error) {
	if a.IsNominal() || a.Layers <= 0 {
		return 0, fieldErr("model", "activation memory needs an architecture (layers, d_model, heads …), not just a parameter count: use a preset or architecture flags")
	}
	a = a.Normalized()
	s, b, h := float64(seq), float64(mb), float64(a.DModel)
	sbh := s * b * h
	ft := float64(t)
	if rc == model.RecomputeFull {
		if sp {
			return 2 * sbh / ft, nil
		}
		return 2 * sbh, nil
	}
	heads := float64(a.Heads)
	dqk, dv := float64(a.QKHeadDim()), float64(a.VDim())
	kvh := float64(a.KVHeads)
	if a.IsMLA() || kvh == 0 {
		kvh = heads // MLA reconstructs per-head K and V
	}
	// Attention, bytes / (s·b): QKV input 2h, Q 2·a·dqk, K 2·kvh·dqk, V
	// 2·kvh·dv, output-projection input 2·a·dv, dropout mask h; scores
	// 5·a·s (softmax 2, its dropout mask 1, dropout output 2).
	attnSplit := 2*heads*dqk + 2*kvh*dqk + 2*kvh*dv + 2*heads*dv // split by t
	attnRepl := 2*h + h                                          // QKV input, dropout mask
	scores := 5 * heads * s
	var shapes []layerShape
	dense := a.Layers
	if a.IsMoE() {
		dense = a.DenseLayers
		shapes = append(shapes, layerShape{a.Layers - dense, float64((a.ActiveExperts + a.SharedExperts) * a.ExpertFFN)})
	}
	shapes = append(shapes, layerShape{dense, float64(a.FFN)})
	total := 0.0
	for _, l := range shapes {
		if l.count <= 0 {
			continue
		}
		// MLP: input 2h and dropout mask h replicated; GELU 4f, SwiGLU 6f split.
		mlpSplit := 4 * l.ffn
		if a.FFNType == model.FFNSwiGLU {
			mlpSplit = 6 * l.ffn
		}
		mlpRepl := 2*h + h
		norms := 4 * h
		split := attnSplit + mlpSplit
		repl := attnRepl + mlpRepl + norms
		// Korthikanti's 10sbh replicated without SP = QKV input 2, MLP
		// input 2, two dropout masks 2, norms 4; the remaining 24sbh
		// (here split) divide by t.
		var perTok float64
		switch {
		case sp && rc == model.RecomputeSelective:
			perTok = (split + repl) / ft
		case sp:
			perTok = (split + repl + scores) / ft
		case rc == model.RecomputeSelective:
			perTok = repl + split/ft
		default:
			perTok = repl + (split+scores)/ft
		}
		total += float64(l.count) * s * b * perTok
	}
	return total / float64(a.Layers), nil
}

// validate fills the derived fields of in and checks the layout.
func (in *Input) validate() error {
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fieldErr(field, format, a...)) }
	if in.GPU == nil {
		bad("gpu", "missing")
	}
	if in.TP == 0 {
		in.TP = 1
	}
	if in.PP == 0 {
		in.PP = 1
	}
	if in.TP < 1 {
		bad("tp", "want ≥ 1, have %d", in.TP)
	}
	if in.PP < 1 {
		bad("pp", "want ≥ 1, have %d", in.PP)
	}
	if in.ZeRO < 0 || in.ZeRO > 3 {
		bad("zero", "want a stage 0–3, have %d", in.ZeRO)
	}
	rc, err := model.ParseRecompute(string(in.Recompute))
	if err != nil {
		bad("recompute", "unknown policy %q (want none, selective or full)", in.Recompute)
	}
	in.Recompute = rc
	if in.Seq < 1 {
		bad("seq", "want a positive sequence length, have %d", in.Seq)
	}
	if in.MicroBatch < 1 {
		bad("micro-batch", "want ≥ 1, have %d", in.MicroBatch)
	}
	if err := in.Arch.Validate(); err != nil {
		bad("model", "%v", err)
	} else if !in.Arch.IsNominal() && in.TP >= 1 && in.PP >= 1 {
		if in.Arch.Heads%in.TP != 0 {
			bad("tp", "%d does not divide the %d attention heads", in.TP, in.Arch.Heads)
		}
		if in.Arch.Layers%in.PP != 0 {
			bad("pp", "%d does not divide the %d layers", in.PP, in.Arch.Layers)
		}
	}
	if in.TP >= 1 && in.PP >= 1 {
		mp := in.TP * in.PP
		switch {
		case in.GPUs == 0 && in.DP == 0:
			in.DP = 1
			in.GPUs = mp
		case in.GPUs == 0:
			in.GPUs = mp * in.DP
		case in.GPUs < 1:
			bad("gpus", "want ≥ 1, have %d", in.GPUs)
		case in.GPUs%mp != 0:
			bad("gpus", "%d GPUs are not divisible by tp × pp = %d", in.GPUs, mp)
		case in.DP != 0 && in.DP*mp != in.GPUs:
			bad("dp", "tp × pp × dp = %d ≠ %d GPUs", in.DP*mp, in.GPUs)
		default:
			in.DP = in.GPUs / mp
		}
	}
	return errors.Join(errs...)
}

// Plan computes the per-GPU memory of one layout. Errors are *FieldError
// values naming the field (tp, pp, gpus, zero, recompute, seq, …).
func Plan(in Input) (*Breakdown, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	return plan(in)
}

func plan(in Input) (*Breakdown, error) {
	params := float64(in.Arch.Params().Total)
	br := &Breakdown{Layout: in.Layout, GPUs: in.GPUs, Capacity: in.GPU.MemoryBytes()}
	br.ParamsPerGPU = params / float64(in.TP*in.PP)
	br.Weights, br.Gradients, br.Optimizer = ModelStates(br.ParamsPerGPU, in.ZeRO, in.DP)
	if in.ZeRO == 3 {
		br.ParamsPerGPU /= float64(in.DP)
	}
	per, err := ActivationsPerLayer(in.Arch, in.Seq, in.MicroBatch, in.TP, in.SequenceParallel && in.TP > 1, in.Recompute)
	if err != nil {
		return nil, err
	}
	br.ActivationsPerLayer = per
	br.Activations = per * float64(in.Arch.Layers)
	switch {
	case in.OverheadBytes == 0:
		br.Overhead = DefaultOverheadBytes
	case in.OverheadBytes > 0:
		br.Overhead = in.OverheadBytes
	}
	br.Total = br.Weights + br.Gradients + br.Optimizer + br.Activations + br.Overhead
	br.Fits = br.Total <= br.Capacity
	if in.TP > in.GPU.GPUsPerNode {
		br.NoteDetails = append(br.NoteDetails, Notes.Make(NoteTPSpansNodes, "tp", strconv.Itoa(in.TP), "per_node", strconv.Itoa(in.GPU.GPUsPerNode)))
	}
	if in.ZeRO > 0 && in.DP == 1 {
		br.NoteDetails = append(br.NoteDetails, Notes.Make(NoteZeRONoDP))
	}
	br.Notes = msg.Texts(br.NoteDetails)
	return br, nil
}

// Choice is the result of Cheapest: the chosen layout's breakdown, how
// many layouts were tried and fitted, and why this one.
type Choice struct {
	*Breakdown
	// Penalty is the relative slow-down the ranking assigned (see
	// Cheapest).
	Penalty float64 `json:"penalty"`
	// Tried is the number of layouts evaluated at the chosen GPU count.
	Tried   int `json:"tried"`
	Fitting int `json:"fitting"`
	// Why explains the choice in words, in English; WhyDetails are the
	// same sentences, in order, with their codes (see Notes) and
	// arguments.
	Why        []string   `json:"why"`
	WhyDetails []msg.Note `json:"why_details"`
	// Alternatives are the next best fitting layouts.
	Alternatives []*Breakdown `json:"alternatives,omitempty"`
}

// penalty is the ranking heuristic: the relative slow-down a layout's
// memory savings cost. Recomputation: selective ≈ 3 % (Korthikanti et al.
// §6: 2–4 % of the step), full ≈ 33 % (one more forward pass of three).
// Pipeline bubble (p−1)/(m+p−1) with m = 4p micro-batches per step
// (Narayanan et al. 2021). Tensor parallelism ≈ 3 % per doubling inside a
// node. ZeRO-3 ≈ 10 % (1.5× the data-parallel traffic, ZeRO §7); stages 1
// and 2 move no more data than plain data parallelism.
func penalty(l Layout) float64 {
	var p float64
	switch l.Recompute {
	case model.RecomputeSelective:
		p += 0.03
	case model.RecomputeFull:
		p += 0.33
	}
	if l.PP > 1 {
		pp := float64(l.PP)
		p += (pp - 1) / (4*pp + pp - 1)
	}
	p += 0.03 * math.Log2(float64(l.TP))
	if l.ZeRO == 3 && l.DP > 1 {
		p += 0.10
	}
	// Prefer the lower ZeRO stage among equals.
	p += 0.001 * float64(l.ZeRO)
	return p
}

// Cheapest searches layouts for the one that fits in.GPU with the least
// throughput penalty (see penalty), breaking ties by lower memory: TP in
// the divisors of the GPUs per node (≤ 8) that divide the heads, PP
// dividing the layers, DP = GPUs / (TP·PP), ZeRO 0–3, recomputation none,
// selective and full, sequence parallelism on. If in.GPUs is 0 it finds
// the fewest GPUs (1, 2, 4, 8, then multiples of 8 up to maxGPUs) for
// which some layout fits. The Layout fields of in are ignored.
func Cheapest(in Input, maxGPUs int) (*Choice, error) {
	probe := in
	probe.Layout = Layout{TP: 1, PP: 1}
	probe.GPUs = 0
	if err := probe.validate(); err != nil {
		return nil, err
	}
	if in.Arch.IsNominal() {
		return nil, fieldErr("model", "the layout search needs an architecture, not just a parameter count")
	}
	if in.GPUs < 0 {
		return nil, fieldErr("gpus", "want ≥ 1, have %d", in.GPUs)
	}
	counts := []int{in.GPUs}
	if in.GPUs == 0 {
		if maxGPUs <= 0 {
			maxGPUs = 4096
		}
		counts = []int{1, 2, 4}
		for n := 8; n <= maxGPUs; n += 8 {
			counts = append(counts, n)
		}
	}
	tried := 0
	for _, n := range counts {
		if c := search(probe, n, &tried); c != nil {
			return c, nil
		}
	}
	if in.GPUs > 0 {
		return nil, fieldErr("gpus", "no layout of %d × %s fits %s (tried %d layouts); add GPUs or shorten seq/micro-batch", in.GPUs, in.GPU.ID, nameOf(in.Arch), tried)
	}
	return nil, fieldErr("gpus", "no layout up to %d × %s fits %s", maxGPUs, in.GPU.ID, nameOf(in.Arch))
}

func nameOf(a model.Arch) string {
	if a.Name != "" {
		return a.Name
	}
	return "the model"
}

// search tries every layout of n GPUs, adding the number tried to *tried.
func search(in Input, n int, tried *int) *Choice {
	node := min(in.GPU.GPUsPerNode, 8)
	here := 0
	type cand struct {
		b *Breakdown
		p float64
	}
	var fit []cand
	for tp := 1; tp <= node; tp++ {
		if node%tp != 0 || in.Arch.Heads%tp != 0 || n%tp != 0 {
			continue
		}
		for pp := 1; pp <= in.Arch.Layers; pp++ {
			if in.Arch.Layers%pp != 0 || (n/tp)%pp != 0 {
				continue
			}
			for zero := 0; zero <= 3; zero++ {
				for _, rc := range []model.Recompute{model.RecomputeNone, model.RecomputeSelective, model.RecomputeFull} {
					x := in
					x.GPUs = n
					x.Layout = Layout{TP: tp, PP: pp, DP: n / (tp * pp), ZeRO: zero, Recompute: rc, SequenceParallel: true}
					if zero > 0 && x.DP == 1 {
						continue // same as ZeRO-0
					}
					*tried++
					here++
					b, err := plan(x)
					if err != nil || !b.Fits {
						continue
					}
					fit = append(fit, cand{b, penalty(x.Layout)})
				}
			}
		}
	}
	if len(fit) == 0 {
		return nil
	}
	best := 0
	for i, c := range fit {
		if c.p < fit[best].p-1e-12 || math.Abs(c.p-fit[best].p) <= 1e-12 && c.b.Total < fit[best].b.Total {
			best = i
		}
	}
	ch := &Choice{Breakdown: fit[best].b, Penalty: fit[best].p, Tried: here, Fitting: len(fit)}
	// Alternatives: the next three by penalty.
	rest := append([]cand(nil), fit...)
	rest = append(rest[:best], rest[best+1:]...)
	for k := 0; k < 3 && len(rest) > 0; k++ {
		j := 0
		for i, c := range rest {
			if c.p < rest[j].p || c.p == rest[j].p && c.b.Total < rest[j].b.Total {
				j = i
			}
		}
		ch.Alternatives = append(ch.Alternatives, rest[j].b)
		rest = append(rest[:j], rest[j+1:]...)
	}
	ch.WhyDetails = explain(ch, n)
	ch.Why = msg.Texts(ch.WhyDetails)
	return ch
}

// explain says why c, chosen among the layouts of n GPUs, was chosen.
func explain(c *Choice, n int) []msg.Note {
	l := c.Layout
	itoa := strconv.Itoa
	why := []msg.Note{Notes.Make(WhyFit, "fitting", itoa(c.Fitting), "tried", itoa(c.Tried), "gpus", itoa(n),
		"capacity", gb(c.Capacity), "slowdown", fmt.Sprintf("%.1f%%", 100*c.Penalty))}
	switch l.Recompute {
	case model.RecomputeNone:
		why = append(why, Notes.Make(WhyNoRecompute))
	case model.RecomputeSelective:
		why = append(why, Notes.Make(WhySelective))
	case model.RecomputeFull:
		why = append(why, Notes.Make(WhyFull))
	}
	if l.TP > 1 {
		why = append(why, Notes.Make(WhyTP, "tp", itoa(l.TP)))
	}
	if l.PP > 1 {
		why = append(why, Notes.Make(WhyPP, "pp", itoa(l.PP)))
	}
	if l.ZeRO > 0 {
		why = append(why, Notes.Make(WhyZeRO, "stage", itoa(l.ZeRO), "dp", itoa(l.DP)))
	}
	return append(why, Notes.Make(WhyPerGPU, "used", gb(c.Total), "capacity", gb(c.Capacity)))
}

func gb(b float64) string { return fmt.Sprintf("%.1f GB", b/1e9) }
