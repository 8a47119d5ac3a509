package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// This file holds `kaiwu compute serve`: model flags + a catalogue GPU →
// compute/serve → table (default) or JSON (--json).

func init() {
	computeCommands = append(computeCommands, newComputeServeCommand)
	addMessages(serveMessages)
}

// serveMessages are this file's labels, merged into messages at init.
var serveMessages = map[string][2]string{
	"short.compute.serve": {"Inference economics: KV cache, concurrency, TTFT, tokens/s, cost per million tokens, margin",
		"推理经济：KV 缓存、并发、首字延迟、吞吐、每百万 token 成本与毛利"},
	"serve.item":           {"item", "项目"},
	"serve.value":          {"value", "数值"},
	"serve.model":          {"model", "模型"},
	"serve.gpu":            {"GPU × tensor parallel", "GPU × 张量并行"},
	"serve.precision":      {"weights / KV cache", "权重 / KV 缓存精度"},
	"serve.workload":       {"prompt / output tokens", "输入 / 输出 token 数"},
	"serve.weights":        {"weights per GPU", "每卡权重"},
	"serve.kv_token":       {"KV cache per token", "每 token KV 缓存"},
	"serve.kv_seq":         {"KV cache per sequence", "每序列 KV 缓存"},
	"serve.kv_free":        {"memory left for KV cache", "可用于 KV 缓存的显存"},
	"serve.max_seqs":       {"max concurrent sequences (replica / GPU)", "最大并发序列（每副本 / 每卡）"},
	"serve.no_fit":         {"does not fit; smallest tensor parallel that fits", "放不下；可放下的最小张量并行度"},
	"serve.none":           {"none up to 64", "64 以内无"},
	"serve.ttft":           {"time to first token (alone)", "首 token 延迟（单请求）"},
	"serve.ops_byte":       {"GPU ops:byte", "GPU 算力/带宽比"},
	"serve.crossover":      {"decode compute-bound from batch (no KV / with KV)", "解码转为算力受限的批大小（不计 / 计 KV）"},
	"serve.never":          {"never", "不会"},
	"serve.gpu_price":      {"price per GPU-hour", "每 GPU 小时价格"},
	"serve.utilisation":    {"utilisation", "利用率"},
	"serve.target":         {"largest batch meeting the latency target", "满足延迟目标的最大批"},
	"serve.unreachable":    {"not reachable", "无法达到"},
	"serve.batch":          {"batch", "批大小"},
	"serve.fits":           {"fits", "放得下"},
	"serve.bound":          {"bound", "瓶颈"},
	"serve.tpot":           {"ms/token", "毫秒/token"},
	"serve.tps_seq":        {"tok/s per seq", "单序列 tok/s"},
	"serve.tps_gpu":        {"out tok/s per GPU", "每卡输出 tok/s"},
	"serve.cost_in":        {"cost/M in", "每百万输入成本"},
	"serve.cost_out":       {"cost/M out", "每百万输出成本"},
	"serve.margin":         {"gross margin", "毛利率"},
	"serve.break_even":     {"break-even util.", "盈亏平衡利用率"},
	"serve.yes":            {"yes", "是"},
	"serve.no":             {"no", "否"},
	"serve.memory":         {"memory", "显存带宽"},
	"serve.compute":        {"compute", "算力"},
	"serve.defaults":       {"defaults used", "使用的默认值"},
	"serve.source":         {"source", "来源"},
	"serve.estimate":       {"(estimate)", "（估计）"},
	"serve.max_mark":       {" (max)", "（最大）"},
	"serve.target_mark":    {" (target)", "（目标）"},
	"serve.flag.gpu":       {"GPU id or alias from the catalogue (kaiwu compute gpus)", "硬件目录中的 GPU 名称（见 kaiwu compute gpus）"},
	"serve.flag.tp":        {"GPUs per replica (tensor parallel)", "每个副本的 GPU 数（张量并行）"},
	"serve.flag.weights":   {"weight precision: bf16, fp16, fp8, int8, int4", "权重精度：bf16、fp16、fp8、int8、int4"},
	"serve.flag.kv":        {"KV-cache precision: bf16, fp8, int8, int4 or e.g. 6bit", "KV 缓存精度：bf16、fp8、int8、int4 或如 6bit"},
	"serve.flag.prompt":    {"average prompt (input) tokens", "平均输入 token 数"},
	"serve.flag.output":    {"average output tokens", "平均输出 token 数"},
	"serve.flag.batch":     {"concurrent sequences per replica to tabulate", "列出的每副本并发序列数"},
	"serve.flag.tpot":      {"latency target: milliseconds per output token", "延迟目标：每个输出 token 的毫秒数"},
	"serve.flag.mfu":       {"fraction of the tensor peak prefill reaches (default 0.5)", "预填充达到的张量峰值比例（默认 0.5）"},
	"serve.flag.bw":        {"fraction of memory bandwidth decode reaches (default 0.8)", "解码达到的显存带宽比例（默认 0.8）"},
	"serve.flag.reserve":   {"fraction of GPU memory reserved (default 0.1, as vLLM)", "预留显存比例（默认 0.1，同 vLLM）"},
	"serve.flag.util":      {"share of paid GPU-hours spent serving (default 0.5)", "付费 GPU 时中实际服务的比例（默认 0.5）"},
	"serve.flag.gpu_price": {"price per GPU-hour (default: the catalogue's)", "每 GPU 小时价格（默认取硬件目录）"},
	"serve.flag.currency":  {"currency of the prices: USD or CNY", "价格币种：USD 或 CNY"},
	"serve.flag.price_in":  {"selling price per million input tokens", "每百万输入 token 售价"},
	"serve.flag.price_out": {"selling price per million output tokens", "每百万输出 token 售价"},
}

// serveFlags are the serving flags shared by `compute serve` and `compute
// runway`.
type serveFlags struct {
	gpu, weights, kv, batch, gpuPrice, currency, priceIn, priceOut string
	tp, prompt, output                                             int
	tpotMS, mfu, bwEff, reserve, util                              float64
}

// add registers the flags; prefix ("" or "serve-") keeps them apart from
// training flags where both exist.
func (f *serveFlags) add(o *Options, cmd *cobra.Command, prefix string) {
	fl := cmd.Flags()
	fl.StringVar(&f.gpu, prefix+"gpu", "h100", o.T("serve.flag.gpu"))
	fl.IntVar(&f.tp, "tp", 1, o.T("serve.flag.tp"))
	fl.StringVar(&f.weights, "weights", "bf16", o.T("serve.flag.weights"))
	fl.StringVar(&f.kv, "kv", "bf16", o.T("serve.flag.kv"))
	fl.IntVar(&f.prompt, "prompt", 1000, o.T("serve.flag.prompt"))
	fl.IntVar(&f.output, "output", 300, o.T("serve.flag.output"))
	fl.StringVar(&f.batch, "batch", "1,8,32,128", o.T("serve.flag.batch"))
	fl.Float64Var(&f.tpotMS, "target-tpot-ms", 0, o.T("serve.flag.tpot"))
	fl.Float64Var(&f.mfu, "mfu", 0, o.T("serve.flag.mfu"))
	fl.Float64Var(&f.bwEff, "bw-eff", 0, o.T("serve.flag.bw"))
	fl.Float64Var(&f.reserve, "reserve", 0, o.T("serve.flag.reserve"))
	fl.Float64Var(&f.util, "utilisation", 0, o.T("serve.flag.util"))
	fl.StringVar(&f.gpuPrice, prefix+"gpu-price", "", o.T("serve.flag.gpu_price"))
	fl.StringVar(&f.currency, "currency", "USD", o.T("serve.flag.currency"))
	fl.StringVar(&f.priceIn, "price-in", "", o.T("serve.flag.price_in"))
	fl.StringVar(&f.priceOut, "price-out", "", o.T("serve.flag.price_out"))
}

// serveIntList parses "1,8,32" for flag name.
func serveIntList(name, s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 1<<20 {
			return nil, fmt.Errorf("--%s: %q is not a count between 1 and 1048576", name, f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--%s: no values given", name)
	}
	return out, nil
}

// serveFrac checks a fraction flag (0 = default).
func serveFrac(name string, v float64) error {
	if math.IsNaN(v) || v < 0 || v > 1 {
		return fmt.Errorf("--%s %g: want a fraction between 0 and 1", name, v)
	}
	return nil
}

// serveMoney parses an optional amount flag in currency c.
func serveMoney(name, s string, c money.Currency) (*money.Money, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	d, err := valDecimalFlag(name, s)
	if err != nil {
		return nil, err
	}
	if d.IsNegative() {
		return nil, fmt.Errorf("--%s %s: want a non-negative amount", name, s)
	}
	m := money.New(d, c)
	return &m, nil
}

// input turns the flags into a serve.Input (the model comes from the
// model flags); prefix is as in add.
func (f *serveFlags) input(mf *modelFlags, prefix string) (serve.Input, *hw.GPU, error) {
	arch, err := mf.arch()
	if err != nil {
		return serve.Input{}, nil, err
	}
	if arch.IsNominal() {
		return serve.Input{}, nil, fmt.Errorf("--params: serving needs the attention shape for the KV cache; give --preset or the architecture flags")
	}
	g, err := hw.Lookup(f.gpu)
	if err != nil {
		return serve.Input{}, nil, fmt.Errorf("--%sgpu: %w", prefix, err)
	}
	if f.tp < 1 || f.tp > 1024 {
		return serve.Input{}, nil, fmt.Errorf("--tp %d: want 1 to 1024 GPUs per replica", f.tp)
	}
	w, err := serve.ParsePrecision(f.weights)
	if err != nil {
		return serve.Input{}, nil, fmt.Errorf("--weights: %w", err)
	}
	kv, err := serve.ParsePrecision(f.kv)
	if err != nil {
		return serve.Input{}, nil, fmt.Errorf("--kv: %w", err)
	}
	if f.prompt < 0 {
		return serve.Input{}, nil, fmt.Errorf("--prompt %d: want 0 or more tokens", f.prompt)
	}
	if f.output < 1 {
		return serve.Input{}, nil, fmt.Errorf("--output %d: want at least 1 token", f.output)
	}
	batches, err := serveIntList("batch", f.batch)
	if err != nil {
		return serve.Input{}, nil, err
	}
	if math.IsNaN(f.tpotMS) || f.tpotMS < 0 {
		return serve.Input{}, nil, fmt.Errorf("--target-tpot-ms %g: want a positive time", f.tpotMS)
	}
	for _, x := range []struct {
		name string
		v    float64
	}{{"mfu", f.mfu}, {"bw-eff", f.bwEff}, {"reserve", f.reserve}, {"utilisation", f.util}} {
		if err := serveFrac(x.name, x.v); err != nil {
			return serve.Input{}, nil, err
		}
	}
	if f.reserve >= 1 {
		return serve.Input{}, nil, fmt.Errorf("--reserve %g: leaves no memory", f.reserve)
	}
	cur, err := money.ParseCurrency(f.currency)
	if err != nil {
		return serve.Input{}, nil, fmt.Errorf("--currency: %w", err)
	}
	in := serve.Input{Model: arch, GPU: serve.GPUFrom(g), TP: f.tp, Weights: w, KV: kv, Prompt: f.prompt,
		Output: f.output, Batches: batches, TargetTPOT: f.tpotMS / 1e3, MFU: f.mfu, BandwidthEfficiency: f.bwEff,
		MemoryReserve: f.reserve, Utilisation: f.util}
	gp, err := serveMoney(prefix+"gpu-price", f.gpuPrice, cur)
	if err != nil {
		return serve.Input{}, nil, err
	}
	if gp != nil && !gp.Amount.IsPositive() {
		return serve.Input{}, nil, fmt.Errorf("--%sgpu-price %s: want a positive price", prefix, f.gpuPrice)
	}
	if gp == nil {
		p, err := g.Price(cur)
		if err != nil {
			return serve.Input{}, nil, fmt.Errorf("--currency: %w", err)
		}
		in.GPUPrice = money.New(p.Amount, cur)
	} else {
		in.GPUPrice = *gp
	}
	if in.PriceIn, err = serveMoney("price-in", f.priceIn, cur); err != nil {
		return serve.Input{}, nil, err
	}
	if in.PriceOut, err = serveMoney("price-out", f.priceOut, cur); err != nil {
		return serve.Input{}, nil, err
	}
	return in, g, nil
}

// analyze runs serve.Analyze and records the catalogue price as a default
// when no price was given.
func (f *serveFlags) analyze(mf *modelFlags, prefix string) (*serve.Result, error) {
	in, g, err := f.input(mf, prefix)
	if err != nil {
		return nil, err
	}
	r, err := serve.Analyze(in)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(f.gpuPrice) == "" {
		p, _ := g.Price(in.GPUPrice.Currency)
		r.Defaults = append(r.Defaults, serve.Default{Name: "gpu_price", Value: in.GPUPrice.String(),
			Source: p.Source + " (" + p.Date + ")", Estimate: p.Estimate})
	}
	return r, nil
}

// siBytes formats bytes with binary prefixes.
func siBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for math.Abs(b) >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatFloat(b, 'f', 0, 64) + " B"
	}
	return strconv.FormatFloat(b, 'f', 2, 64) + " " + units[i]
}

// serveAmount formats money per million tokens with 4 decimals.
func serveAmount(m money.Money) string {
	return m.Currency.Symbol() + money.Group(m.Amount.StringFixed(4))
}

func fmtF(x float64, prec int) string { return strconv.FormatFloat(x, 'f', prec, 64) }

func serveSummary(o *Options, r *serve.Result) Table {
	t := Table{Header: []string{o.T("serve.item"), o.T("serve.value")}, Right: map[int]bool{1: true}}
	add := func(k, v string) { t.Rows = append(t.Rows, []string{o.T(k), v}) }
	add("serve.model", r.Model)
	add("serve.gpu", fmt.Sprintf("%s × %d", r.GPU, r.TP))
	add("serve.precision", r.Weights.Name+" / "+r.KV.Name)
	add("serve.workload", fmt.Sprintf("%d / %d", r.Prompt, r.Output))
	add("serve.weights", siBytes(r.WeightBytesPerGPU))
	add("serve.kv_token", fmt.Sprintf("%s (%s B)", siBytes(r.KVBytesPerToken), money.Group(fmtF(r.KVBytesPerToken, 0))))
	add("serve.kv_seq", siBytes(r.KVBytesPerSequence))
	add("serve.kv_free", siBytes(math.Max(r.KVFreeBytes, 0)))
	if r.Fits {
		add("serve.max_seqs", fmt.Sprintf("%d / %s", r.MaxSequences, fmtF(r.MaxSequencesPerGPU, 1)))
	} else if r.MinTP > 0 {
		add("serve.no_fit", "--tp "+itoa(r.MinTP))
	} else {
		add("serve.no_fit", o.T("serve.none"))
	}
	add("serve.ttft", fmtF(r.TTFTSeconds*1e3, 1)+" ms")
	add("serve.ops_byte", fmtF(r.OpsPerByte, 1))
	kv := o.T("serve.never")
	if r.CrossoverBatchKV != nil {
		kv = fmtF(*r.CrossoverBatchKV, 0)
	}
	add("serve.crossover", fmtF(r.CrossoverBatch, 0)+" / "+kv)
	add("serve.gpu_price", r.GPUPrice.String())
	add("serve.utilisation", fmtF(100*r.Utilisation, 0)+"%")
	if r.TargetTPOT > 0 {
		v := o.T("serve.unreachable")
		if r.Target != nil {
			v = itoa(r.Target.Batch)
		}
		add("serve.target", fmt.Sprintf("%s (≤ %s ms)", v, fmtF(r.TargetTPOT*1e3, 1)))
	}
	return t
}

func serveRows(o *Options, r *serve.Result) Table {
	t := Table{Header: []string{o.T("serve.batch"), o.T("serve.fits"), o.T("serve.bound"), o.T("serve.tpot"),
		o.T("serve.tps_seq"), o.T("serve.tps_gpu"), o.T("serve.cost_in"), o.T("serve.cost_out"),
		o.T("serve.margin"), o.T("serve.break_even")},
		Right: map[int]bool{0: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true}}
	rows := r.Rows
	if r.Target != nil {
		rows = append(rows[:len(rows):len(rows)], *r.Target)
	}
	for i, row := range rows {
		fits := o.T("serve.no")
		if row.Fits {
			fits = o.T("serve.yes")
		}
		b := itoa(row.Batch)
		if row.Max {
			b += o.T("serve.max_mark")
		}
		if i == len(r.Rows) {
			b += o.T("serve.target_mark")
		}
		margin, be := "—", "—"
		if row.GrossMargin != nil {
			margin = valPct(*row.GrossMargin)
			be = valPct(*row.BreakEvenUtilisation)
		}
		t.Rows = append(t.Rows, []string{b, fits, o.T("serve." + row.Bound), fmtF(row.StepSeconds*1e3, 2),
			fmtF(row.TokensPerSecondPerSequence, 1), fmtF(row.OutputTokensPerSecondPerGPU, 0),
			serveAmount(row.CostPerMInput), serveAmount(row.CostPerMOutput), margin, be})
	}
	return t
}

func serveDefaults(o *Options, defs []serve.Default) Table {
	t := Table{Header: []string{o.T("serve.defaults"), o.T("serve.value"), o.T("serve.source")}}
	for _, d := range defs {
		src := d.Source
		if d.SourceDetail != nil {
			src = o.Note("note.serve.", *d.SourceDetail)
		}
		if d.Estimate {
			src = o.T("serve.estimate") + " " + src
		}
		t.Rows = append(t.Rows, []string{d.Name, d.Value, src})
	}
	return t
}

func newComputeServeCommand(o *Options) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve (--preset NAME | architecture flags) --gpu GPU [--tp N] [--prompt N --output N] [--batch 1,8,32] [--price-in X --price-out Y]",
		Short: o.T("short.compute.serve"),
		Args:  cobra.NoArgs,
	}
	mf := addModelFlags(cmd)
	f.add(o, cmd, "")
	cmd.RunE = func(c *cobra.Command, args []string) error {
		r, err := f.analyze(mf, "")
		if err != nil {
			return err
		}
		if o.JSON {
			return writeJSON(o.Out(), r)
		}
		for i, t := range []Table{serveSummary(o, r), serveRows(o, r), serveDefaults(o, r.Defaults)} {
			if i > 0 {
				fmt.Fprintln(o.Out())
			}
			if err := t.Write(o.Out()); err != nil {
				return err
			}
		}
		return nil
	}
	return cmd
}
