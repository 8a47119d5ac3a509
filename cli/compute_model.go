package cli

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/model"
)

// This file holds `kaiwu compute model` and the model flags every compute
// command shares (addModelFlags): parse → compute/model → table or JSON.

func init() {
	computeCommands = append(computeCommands, newComputeModelCommand)
	addMessages(computeModelMessages)
}

// computeModelMessages are this file's user-visible labels.
var computeModelMessages = map[string][2]string{
	"short.compute.model": {"Model arithmetic: parameter breakdown and FLOPs per token of a transformer", "模型算术：Transformer 的参数分解与每 token FLOPs"},
	"cm.item":             {"item", "项目"},
	"cm.value":            {"value", "数值"},
	"cm.model":            {"model", "模型"},
	"cm.source":           {"source", "来源"},
	"cm.total":            {"parameters, total", "参数总量"},
	"cm.active":           {"parameters, active per token", "每 token 激活参数"},
	"cm.embedding":        {"embedding", "嵌入层"},
	"cm.head":             {"output head (untied)", "输出层（未共享）"},
	"cm.non_embedding":    {"non-embedding", "非嵌入参数"},
	"cm.attention":        {"attention", "注意力"},
	"cm.mlp":              {"MLP / experts", "MLP / 专家"},
	"cm.mlp_active":       {"MLP / experts, active", "MLP / 专家（激活）"},
	"cm.norms":            {"norms", "归一化层"},
	"cm.layer":            {"per layer", "每层"},
	"cm.seq":              {"context length (tokens)", "上下文长度（token）"},
	"cm.fwd":              {"forward FLOPs per token", "前向每 token FLOPs"},
	"cm.fwd_attn":         {"  of which attention (QKᵀ, AV)", "  其中注意力（QKᵀ、AV）"},
	"cm.fwd_logits":       {"  of which logits", "  其中输出 logits"},
	"cm.train":            {"training FLOPs per token", "训练每 token FLOPs"},
	"cm.train_sel":        {"  with selective recomputation", "  选择性重计算"},
	"cm.train_full":       {"  with full recomputation", "  完全重计算"},
	"cm.six_n":            {"6N (for comparison)", "6N（对照）"},
	"cm.tokens":           {"training tokens", "训练 token 数"},
	"cm.train_total":      {"training FLOPs", "训练总 FLOPs"},
	"cm.nominal":          {"dense, given by parameter count (6N per token)", "稠密模型，仅给出参数量（每 token 6N）"},
}

// modelFlags holds the flags that describe a model: a preset, a bare
// parameter count, or the architecture. Compute commands add them with
// addModelFlags and read the model with arch.
type modelFlags struct {
	cmd    *cobra.Command
	preset string
	params string
	a      model.Arch
	// ffnType, norm and pos are strings so that "" means "default".
	ffnType, norm, pos string
}

// archFlag maps an Arch JSON key to its flag name.
func archFlag(field string) string {
	if field == "nominal_params" {
		return "--params"
	}
	return "--" + strings.ReplaceAll(field, "_", "-")
}

// addModelFlags adds --preset, --params and the architecture flags
// (--layers, --d-model, --heads, --kv-heads, --head-dim, --ffn,
// --ffn-type, --vocab, --tied-embeddings, --bias, --qkv-bias, --norm,
// --pos, --max-seq, the MoE flags --experts, --active-experts,
// --shared-experts, --expert-ffn, --dense-layers and the MLA flags
// --q-lora-rank, --kv-lora-rank, --qk-nope-head-dim, --qk-rope-head-dim,
// --v-head-dim) to cmd. Flag names are the Arch JSON keys with dashes.
//
// Three ways to give a model: --preset NAME (architecture flags then
// override single fields, e.g. --preset llama-3-8b --max-seq 32768);
// --params 7e9 (a dense model known only by its size: FLOPs are 2N
// forward and 6N training per token, see model.FromParams); or the
// architecture flags alone.
func addModelFlags(cmd *cobra.Command) *modelFlags {
	f := &modelFlags{cmd: cmd}
	fs := cmd.Flags()
	fs.StringVar(&f.preset, "preset", "", "a published model: "+strings.Join(model.Presets(), ", "))
	fs.StringVar(&f.params, "params", "", "a dense model given only by its parameter count, e.g. 7e9 or 7B (training = 6N FLOPs per token)")
	fs.IntVar(&f.a.Layers, "layers", 0, "transformer layers")
	fs.IntVar(&f.a.DModel, "d-model", 0, "model width (hidden size)")
	fs.IntVar(&f.a.Heads, "heads", 0, "attention (query) heads")
	fs.IntVar(&f.a.KVHeads, "kv-heads", 0, "key/value heads for GQA/MQA (default: heads)")
	fs.IntVar(&f.a.HeadDim, "head-dim", 0, "head width (default: d-model/heads)")
	fs.IntVar(&f.a.FFN, "ffn", 0, "MLP intermediate size")
	fs.StringVar(&f.ffnType, "ffn-type", "", "gelu (2 matrices) or swiglu (3) (default swiglu)")
	fs.IntVar(&f.a.Vocab, "vocab", 0, "vocabulary size")
	fs.BoolVar(&f.a.TiedEmbeddings, "tied-embeddings", false, "share input embedding and output head")
	fs.BoolVar(&f.a.Bias, "bias", false, "biases on every linear layer (GPT-2/3)")
	fs.BoolVar(&f.a.QKVBias, "qkv-bias", false, "biases on q, k, v only (Qwen2, GLM-4)")
	fs.StringVar(&f.norm, "norm", "", "layernorm or rmsnorm (default rmsnorm)")
	fs.StringVar(&f.pos, "pos", "", "position encoding: rope, learned, relative, alibi (default rope)")
	fs.IntVar(&f.a.MaxSeq, "max-seq", 0, "context length trained for (sizes a learned position table)")
	fs.IntVar(&f.a.Experts, "experts", 0, "routed experts per MoE layer (0: dense)")
	fs.IntVar(&f.a.ActiveExperts, "active-experts", 0, "routed experts per token (top-k)")
	fs.IntVar(&f.a.SharedExperts, "shared-experts", 0, "always-active shared experts")
	fs.IntVar(&f.a.ExpertFFN, "expert-ffn", 0, "intermediate size of one expert (default: ffn)")
	fs.IntVar(&f.a.DenseLayers, "dense-layers", 0, "first layers with a dense MLP instead of experts")
	fs.IntVar(&f.a.QLoRARank, "q-lora-rank", 0, "MLA query compression rank")
	fs.IntVar(&f.a.KVLoRARank, "kv-lora-rank", 0, "MLA key/value compression rank (turns MLA on)")
	fs.IntVar(&f.a.QKNopeHeadDim, "qk-nope-head-dim", 0, "MLA per-head q/k width without RoPE")
	fs.IntVar(&f.a.QKRopeHeadDim, "qk-rope-head-dim", 0, "MLA decoupled RoPE q/k width")
	fs.IntVar(&f.a.VHeadDim, "v-head-dim", 0, "MLA per-head value width")
	return f
}

// archFlagNames is every architecture flag (without --).
var archFlagNames = []string{"layers", "d-model", "heads", "kv-heads", "head-dim", "ffn", "ffn-type", "vocab",
	"tied-embeddings", "bias", "qkv-bias", "norm", "pos", "max-seq", "experts", "active-experts",
	"shared-experts", "expert-ffn", "dense-layers", "q-lora-rank", "kv-lora-rank", "qk-nope-head-dim",
	"qk-rope-head-dim", "v-head-dim"}

// parseCountFlag reads a count such as 7e9, 7000000000, 7B, 70b, 1.5T, 350M.
func parseCountFlag(s string) (float64, error) {
	t := strings.TrimSpace(s)
	mult := 1.0
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k', 'K':
			mult = 1e3
		case 'm', 'M':
			mult = 1e6
		case 'b', 'B', 'g', 'G':
			mult = 1e9
		case 't', 'T':
			mult = 1e12
		}
		if mult != 1 {
			t = t[:n-1]
		}
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number (e.g. 7e9 or 7B)", s)
	}
	return v * mult, nil
}

// arch returns the model the flags describe, validated. Errors name the
// flag (--kv-heads: …).
func (f *modelFlags) arch() (model.Arch, error) {
	fs := f.cmd.Flags()
	var changed []string
	for _, n := range archFlagNames {
		if fs.Changed(n) {
			changed = append(changed, "--"+n)
		}
	}
	var a model.Arch
	switch {
	case f.preset != "" && f.params != "":
		return model.Arch{}, fmt.Errorf("--params: give either --preset or --params, not both")
	case f.params != "":
		if len(changed) > 0 {
			return model.Arch{}, fmt.Errorf("--params: a bare parameter count cannot be combined with %s", strings.Join(changed, ", "))
		}
		n, err := parseCountFlag(f.params)
		if err != nil {
			return model.Arch{}, fmt.Errorf("--params: %v", err)
		}
		a = model.FromParams(n)
	case f.preset != "":
		p, err := model.Preset(f.preset)
		if err != nil {
			return model.Arch{}, fmt.Errorf("--preset: %w", err)
		}
		a = f.overlay(p)
		if len(changed) > 0 {
			a.Name += " (modified: " + strings.Join(changed, " ") + ")"
		}
	default:
		if len(changed) == 0 {
			return model.Arch{}, fmt.Errorf("--preset: give a model: --preset NAME, --params N, or the architecture (--layers, --d-model, --heads, --ffn, --vocab, …)")
		}
		a = f.overlay(model.Arch{})
	}
	if err := a.Validate(); err != nil {
		return model.Arch{}, flagErrors(err)
	}
	return a, nil
}

// overlay sets on base every architecture field whose flag was given.
func (f *modelFlags) overlay(base model.Arch) model.Arch {
	fs := f.cmd.Flags()
	set := func(name string, dst *int, v int) {
		if fs.Changed(name) {
			*dst = v
		}
	}
	set("layers", &base.Layers, f.a.Layers)
	set("d-model", &base.DModel, f.a.DModel)
	set("heads", &base.Heads, f.a.Heads)
	set("kv-heads", &base.KVHeads, f.a.KVHeads)
	set("head-dim", &base.HeadDim, f.a.HeadDim)
	set("ffn", &base.FFN, f.a.FFN)
	set("vocab", &base.Vocab, f.a.Vocab)
	set("max-seq", &base.MaxSeq, f.a.MaxSeq)
	set("experts", &base.Experts, f.a.Experts)
	set("active-experts", &base.ActiveExperts, f.a.ActiveExperts)
	set("shared-experts", &base.SharedExperts, f.a.SharedExperts)
	set("expert-ffn", &base.ExpertFFN, f.a.ExpertFFN)
	set("dense-layers", &base.DenseLayers, f.a.DenseLayers)
	set("q-lora-rank", &base.QLoRARank, f.a.QLoRARank)
	set("kv-lora-rank", &base.KVLoRARank, f.a.KVLoRARank)
	set("qk-nope-head-dim", &base.QKNopeHeadDim, f.a.QKNopeHeadDim)
	set("qk-rope-head-dim", &base.QKRopeHeadDim, f.a.QKRopeHeadDim)
	set("v-head-dim", &base.VHeadDim, f.a.VHeadDim)
	if fs.Changed("tied-embeddings") {
		base.TiedEmbeddings = f.a.TiedEmbeddings
	}
	if fs.Changed("bias") {
		base.Bias = f.a.Bias
	}
	if fs.Changed("qkv-bias") {
		base.QKVBias = f.a.QKVBias
	}
	if fs.Changed("ffn-type") {
		base.FFNType = model.FFNType(strings.ToLower(f.ffnType))
	}
	if fs.Changed("norm") {
		base.Norm = model.NormType(strings.ToLower(f.norm))
	}
	if fs.Changed("pos") {
		base.Pos = model.PosEmbedding(strings.ToLower(f.pos))
	}
	return base
}

// flagErrors rewrites model.FieldErrors ("model: kv_heads: …") as flag
// errors ("--kv-heads: …"), one per line.
func flagErrors(err error) error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	msgs := make([]string, 0, len(list))
	for _, e := range list {
		var fe *model.FieldError
		if errors.As(e, &fe) {
			msgs = append(msgs, archFlag(fe.Field)+": "+fe.Msg)
		} else {
			msgs = append(msgs, e.Error())
		}
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// ComputeModelResult is the JSON shape of `kaiwu compute model --json`
// (documented in docs/formats/compute-model.md).
type ComputeModelResult struct {
	// Model is the architecture with defaults filled in.
	Model model.Arch `json:"model"`
	// Source cites a preset's numbers; empty otherwise.
	Source string `json:"source,omitempty"`
	// Params is the parameter breakdown.
	Params model.Params `json:"params"`
	// FLOPs is the per-token breakdown at FLOPs.Seq.
	FLOPs model.FLOPs `json:"flops"`
	// Tokens, Recompute and TrainingFLOPs are set with --tokens.
	Tokens        float64         `json:"tokens,omitempty"`
	Recompute     model.Recompute `json:"recompute,omitempty"`
	TrainingFLOPs float64         `json:"training_flops,omitempty"`
}

// cmCount formats a parameter count: "6,738,415,616 (6.74B)".
func cmCount(n int64) string {
	return cmGroupInt(n) + " (" + cmSI(float64(n)) + ")"
}

// cmGroupInt is n with thousands separators.
func cmGroupInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// cmSI is x with a K/M/B/T suffix and three significant digits.
func cmSI(x float64) string {
	a := math.Abs(x)
	switch {
	case a >= 1e12:
		return fmt.Sprintf("%.3gT", x/1e12)
	case a >= 1e9:
		return fmt.Sprintf("%.3gB", x/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.3gM", x/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.3gK", x/1e3)
	}
	return fmt.Sprintf("%.3g", x)
}

// cmFLOPs formats a FLOP count in scientific notation: "1.43e+10".
func cmFLOPs(x float64) string { return fmt.Sprintf("%.4g", x) }

func newComputeModelCommand(o *Options) *cobra.Command {
	var seq int
	var tokens, recompute string
	cmd := &cobra.Command{
		Use:   "model (--preset NAME | --params N | --layers L --d-model D --heads H --ffn F --vocab V …)",
		Short: T(o.Lang, "short.compute.model"),
		Args:  cobra.NoArgs,
	}
	mf := addModelFlags(cmd)
	cmd.Flags().IntVar(&seq, "seq", 4096, "context length T for the attention FLOPs term")
	cmd.Flags().StringVar(&tokens, "tokens", "", "training tokens, e.g. 2e12 or 2T: also print total training FLOPs")
	cmd.Flags().StringVar(&recompute, "recompute", "none", "activation recomputation for --tokens: none, selective, full")
	cmd.RunE = func(c *cobra.Command, args []string) error {
		a, err := mf.arch()
		if err != nil {
			return err
		}
		if seq < 1 || seq > 1<<24 {
			return fmt.Errorf("--seq: want a context length between 1 and %d, got %d", 1<<24, seq)
		}
		rc, err := model.ParseRecompute(recompute)
		if err != nil {
			return fmt.Errorf("--recompute: %w", err)
		}
		r := ComputeModelResult{Model: a.Normalized(), Source: model.PresetSource(mf.preset),
			Params: a.Params(), FLOPs: a.FLOPsBreakdown(seq)}
		if tokens != "" {
			d, err := parseCountFlag(tokens)
			if err != nil || d <= 0 {
				return fmt.Errorf("--tokens: want a positive token count, got %q", tokens)
			}
			r.Tokens, r.Recompute, r.TrainingFLOPs = d, rc, a.TrainingFLOPs(d, seq, rc)
		}
		return o.render(r, computeModelTable(o, a, r))
	}
	return cmd
}

func computeModelTable(o *Options, a model.Arch, r ComputeModelResult) Table {
	// The value column mixes numbers with the model summary and source,
	// so it stays left-aligned.
	t := Table{Header: []string{o.T("cm.item"), o.T("cm.value")}}
	add := func(k, v string) { t.Rows = append(t.Rows, []string{o.T(k), v}) }
	p := r.Params
	if a.IsNominal() {
		add("cm.model", o.T("cm.nominal"))
		add("cm.total", cmCount(p.Total))
	} else {
		add("cm.model", a.String())
		if r.Source != "" {
			add("cm.source", r.Source)
		}
		add("cm.total", cmCount(p.Total))
		add("cm.active", cmCount(p.Active))
		add("cm.embedding", cmCount(p.Embedding))
		add("cm.head", cmCount(p.Head))
		add("cm.non_embedding", cmCount(p.NonEmbedding))
		add("cm.attention", cmCount(p.Attention))
		add("cm.mlp", cmCount(p.MLP))
		if p.MLPActive != p.MLP {
			add("cm.mlp_active", cmCount(p.MLPActive))
		}
		add("cm.norms", cmCount(p.Norms))
		for _, l := range p.PerLayer {
			t.Rows = append(t.Rows, []string{fmt.Sprintf("%s (%s ×%d)", o.T("cm.layer"), l.Kind, l.Count), cmCount(l.Total)})
		}
	}
	f := r.FLOPs
	add("cm.seq", strconv.Itoa(f.Seq))
	add("cm.fwd", cmFLOPs(f.Forward))
	if !a.IsNominal() {
		add("cm.fwd_attn", cmFLOPs(f.Attention))
		add("cm.fwd_logits", cmFLOPs(f.Logits))
	}
	add("cm.train", cmFLOPs(f.Training))
	add("cm.train_sel", cmFLOPs(f.TrainingSelective))
	add("cm.train_full", cmFLOPs(f.TrainingFull))
	add("cm.six_n", cmFLOPs(f.SixN))
	if r.Tokens > 0 {
		add("cm.tokens", cmFLOPs(r.Tokens))
		t.Rows = append(t.Rows, []string{o.T("cm.train_total") + " (" + string(r.Recompute) + ")", cmFLOPs(r.TrainingFLOPs)})
	}
	return t
}
