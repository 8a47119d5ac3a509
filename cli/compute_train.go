package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/compute/train"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// This file holds `kaiwu compute train`: model flags + run flags →
// compute/train → plan, defaults used and monthly schedule (table or JSON).

func init() {
	computeCommands = append(computeCommands, newComputeTrainCommand)
	addMessages(computeTrainMessages)
}

// computeTrainMessages are this file's user-visible labels.
var computeTrainMessages = map[string][2]string{
	"short.compute.train": {"Training plan: FLOPs, GPU-hours, days, cost, energy, emissions and monthly spend", "训练计划：FLOPs、GPU 时、天数、成本、能耗、碳排放与按月支出"},
	"ctrain.item":         {"item", "项目"},
	"ctrain.value":        {"value", "数值"},
	"ctrain.model":        {"model", "模型"},
	"ctrain.params":       {"parameters", "参数量"},
	"ctrain.active":       {"active parameters", "激活参数量"},
	"ctrain.tokens":       {"training tokens", "训练 token 数"},
	"ctrain.seq":          {"sequence length", "序列长度"},
	"ctrain.gpu":          {"GPU", "GPU"},
	"ctrain.gpus":         {"GPUs", "GPU 数量"},
	"ctrain.precision":    {"precision", "精度"},
	"ctrain.peak":         {"peak per GPU (dense)", "单卡峰值（稠密）"},
	"ctrain.mfu":          {"MFU", "MFU（模型算力利用率）"},
	"ctrain.model_flops":  {"model FLOPs (6N + attention)", "模型 FLOPs（6N + 注意力）"},
	"ctrain.hw_flops":     {"hardware FLOPs (with recomputation)", "硬件 FLOPs（含重计算）"},
	"ctrain.six_nd":       {"6ND for comparison", "6ND（对照）"},
	"ctrain.gpu_hours":    {"GPU-hours", "GPU 时"},
	"ctrain.days":         {"wall-clock days", "实际天数"},
	"ctrain.price":        {"price per GPU-hour", "每 GPU 时价格"},
	"ctrain.cost":         {"GPU cost", "GPU 成本"},
	"ctrain.pue":          {"PUE", "PUE（电能利用效率）"},
	"ctrain.energy":       {"energy (kWh)", "能耗（千瓦时）"},
	"ctrain.grid":         {"grid factor (kg CO2e/kWh)", "电网排放因子（kg CO2e/kWh）"},
	"ctrain.emissions":    {"emissions (t CO2e)", "碳排放（吨 CO2e）"},
	"ctrain.excludes":     {"energy excludes", "能耗未计入"},
	"ctrain.default":      {"default used", "采用的默认值"},
	"ctrain.source":       {"source", "来源"},
	"ctrain.month":        {"month", "月份"},
	"ctrain.amount":       {"amount", "金额"},
	"ctrain.label":        {"line", "条目"},
	"ctrain.estimate":     {"(estimate)", "（估计）"},
	"ctrain.recompute":    {"recompute", "重计算"},
	"ctrain.colon":        {": ", "："},
}

// ComputeTrainResult is the JSON shape of `kaiwu compute train --json`
// (docs/formats/compute-train.md): the plan and, with --start, the monthly
// schedule.
type ComputeTrainResult struct {
	*train.Plan
	Schedule []train.MonthlyCost `json:"schedule,omitempty"`
}

// trainFlags are the flags of a training run, shared by `compute train`
// (no prefix) and `compute runway` ("train-", beside the serving flags).
// --tokens is the model's training data and keeps its name under a prefix.
type trainFlags struct {
	prefix                                                           string
	tokens, activeParams, gpu, precision, recompute, price, currency string
	grid, start, hwFile                                              string
	gpus, seq                                                        int
	mfu, pue, gridFactor                                             float64
	withCurrency                                                     bool
}

// add registers the flags on cmd. defaultGPU may be "" (then --gpu is
// required); withCurrency adds --currency (a command with its own
// currency flag passes false and hands the currency to input).
func (f *trainFlags) add(cmd *cobra.Command, prefix, defaultGPU string, withCurrency bool) {
	f.prefix, f.withCurrency = prefix, withCurrency
	fs := cmd.Flags()
	fs.StringVar(&f.tokens, "tokens", "", "training tokens, e.g. 2e12 or 15T (default: compute-optimal 20 × parameters, Chinchilla)")
	fs.StringVar(&f.activeParams, prefix+"active-params", "", "with --params: parameters active per token (mixture of experts), e.g. 37B")
	fs.IntVar(&f.seq, prefix+"seq", 0, "training sequence length (default: the model's context, ≤ 8192, or 4096)")
	fs.StringVar(&f.gpu, prefix+"gpu", defaultGPU, "accelerator from the catalogue (kaiwu compute gpus), e.g. h100, h800, 910b")
	fs.IntVar(&f.gpus, prefix+"gpus", 0, "number of GPUs")
	fs.Float64Var(&f.mfu, prefix+"mfu", 0, "model FLOPs utilisation in (0, 1] (default: the catalogue's for the GPU, with its source)")
	fs.StringVar(&f.precision, prefix+"precision", "bf16", "bf16 or fp8 (picks the dense peak)")
	fs.StringVar(&f.recompute, prefix+"recompute", "none", "activation recomputation: none, selective, full (changes hardware FLOPs, not time)")
	fs.StringVar(&f.price, prefix+"price", "", "price per GPU-hour: 2.5 (in the currency), \"2.5 USD\", ¥14 (default: the catalogue's)")
	if withCurrency {
		fs.StringVar(&f.currency, "currency", "", "USD or CNY (default USD, or the --price currency)")
	}
	fs.Float64Var(&f.pue, prefix+"pue", 0, "data-centre PUE (default 1.2, see kaiwu compute gpus)")
	fs.StringVar(&f.grid, prefix+"grid", "", "grid emission factor: cn or us (default: cn for CNY, us otherwise)")
	fs.Float64Var(&f.gridFactor, prefix+"grid-factor", 0, "grid emission factor in kg CO2e/kWh, overriding the grid")
	fs.StringVar(&f.start, prefix+"start", "", "first month of the run, YYYY-MM: the monthly GPU spend")
	fs.StringVar(&f.hwFile, prefix+"hw-file", "", "hardware catalogue overrides (YAML/JSON, see kaiwu compute gpus --file)")
}

// flag is the command-line name of a training field or flag ("gpus" →
// "--train-gpus" under the "train-" prefix).
func (f *trainFlags) flag(name string) string {
	if name == "tokens" {
		return "--tokens"
	}
	return "--" + f.prefix + name
}

// input turns the flags and model a into a train.Input. cur is the
// currency when the command has its own currency flag ("" otherwise).
func (f *trainFlags) input(c *cobra.Command, a model.Arch, cur money.Currency) (train.Input, error) {
	cat, err := hwLoadCatalogue(f.hwFile)
	if err != nil {
		return train.Input{}, err
	}
	in := train.Input{GPU: f.gpu, GPUs: f.gpus, Seq: f.seq, MFU: f.mfu, PUE: f.pue, Grid: f.grid, GridFactor: f.gridFactor,
		Catalogue: cat, Recompute: model.Recompute(f.recompute), Currency: cur}
	if a.IsNominal() {
		in.Params = a.NominalParams
	} else {
		in.Arch = &a
	}
	if f.activeParams != "" {
		if !a.IsNominal() {
			return in, fmt.Errorf("%s: only with --params (an architecture knows its active parameters)", f.flag("active-params"))
		}
		if in.ActiveParams, err = parseCountFlag(f.activeParams); err != nil {
			return in, fmt.Errorf("%s: %v", f.flag("active-params"), err)
		}
	}
	if f.tokens != "" {
		if in.Tokens, err = parseCountFlag(f.tokens); err != nil {
			return in, fmt.Errorf("--tokens: %v", err)
		}
		if in.Tokens <= 0 {
			return in, fmt.Errorf("--tokens: want a positive number of tokens, have %s", f.tokens)
		}
	}
	if f.precision != "" {
		p, err := hw.ParsePrecision(f.precision)
		if err != nil {
			return in, fmt.Errorf("%s: %v", f.flag("precision"), err)
		}
		in.Precision = p
	}
	if f.withCurrency && f.currency != "" {
		if in.Currency, err = money.ParseCurrency(f.currency); err != nil {
			return in, fmt.Errorf("--currency: %v", err)
		}
	}
	if in.Price, err = hwPriceFlag(f.prefix+"price", f.price, in.Currency); err != nil {
		return in, err
	}
	if c.Flags().Changed(f.prefix+"gpus") && f.gpus < 1 {
		return in, fmt.Errorf("%s: want at least 1 GPU, have %d", f.flag("gpus"), f.gpus)
	}
	if c.Flags().Changed(f.prefix+"mfu") && !(f.mfu > 0 && f.mfu <= 1) {
		return in, fmt.Errorf("%s: want a fraction in (0, 1], have %g", f.flag("mfu"), f.mfu)
	}
	return in, nil
}

// errors rewrites compute/train field errors as flag errors ("gpus: …" →
// "--gpus: …", or "--train-gpus: …" under a prefix).
func (f *trainFlags) errors(err error) error {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	msgs := make([]string, 0, len(list))
	for _, e := range list {
		var fe *train.FieldError
		if errors.As(e, &fe) {
			msgs = append(msgs, f.flag(fe.Field)+": "+fe.Msg)
		} else {
			msgs = append(msgs, e.Error())
		}
	}
	return errors.New(strings.Join(msgs, "\n"))
}

// hwPriceFlag reads a price per GPU-hour: "2.5" (in the --currency, USD by
// default), "2.5 USD", "$2.5", "¥14".
func hwPriceFlag(name, s string, cur money.Currency) (*money.Money, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return nil, nil
	}
	if cur == "" {
		cur = money.USD
	}
	m, err := money.ParseIn(t, cur)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", name, err)
	}
	return &m, nil
}

func newComputeTrainCommand(o *Options) *cobra.Command {
	var tf trainFlags
	cmd := &cobra.Command{
		Use:   "train (--preset NAME | --params N | --layers … ) --gpu GPU --gpus N [--tokens 2e12] [--mfu 0.4] [--price 2.5] [--currency CNY] [--start 2027-01]",
		Short: T(o.Lang, "short.compute.train"),
		Args:  cobra.NoArgs,
	}
	mf := addModelFlags(cmd)
	tf.add(cmd, "", "", true)
	cmd.RunE = func(c *cobra.Command, args []string) error {
		a, err := mf.arch()
		if err != nil {
			return err
		}
		in, err := tf.input(c, a, "")
		if err != nil {
			return err
		}
		p, err := train.New(in)
		if err != nil {
			return tf.errors(err)
		}
		res := ComputeTrainResult{Plan: p}
		if tf.start != "" {
			if res.Schedule, err = p.Schedule(tf.start); err != nil {
				return tf.errors(err)
			}
		}
		if o.JSON {
			return writeJSON(o.Out(), res)
		}
		return hwWriteTables(o, trainTables(o, res)...)
	}
	return cmd
}

// hwSI formats a large number with an SI suffix: 3.14e23 → "3.14e23",
// 1720320 → "1,720,320".
func hwSI(x float64) string {
	if x >= 1e15 || (x > 0 && x < 1e-3) {
		return fmt.Sprintf("%.3g", x)
	}
	return money.Group(fmt.Sprintf("%.0f", x))
}

func trainTables(o *Options, r ComputeTrainResult) []Table {
	p := r.Plan
	kv := Table{Header: []string{o.T("ctrain.item"), o.T("ctrain.value")}, Right: map[int]bool{1: true}}
	add := func(k, v string) { kv.Rows = append(kv.Rows, []string{o.T(k), v}) }
	model := p.Model
	if p.ModelDetail != nil {
		model = o.Note("note.train.", *p.ModelDetail)
	}
	add("ctrain.model", model)
	add("ctrain.params", hwSI(p.Params))
	if p.ActiveParams != p.Params {
		add("ctrain.active", hwSI(p.ActiveParams))
	}
	add("ctrain.tokens", fmt.Sprintf("%.3g", p.Tokens))
	add("ctrain.seq", itoa(p.Seq))
	add("ctrain.gpu", p.GPUName)
	add("ctrain.gpus", itoa(p.GPUs))
	add("ctrain.precision", string(p.Precision)+", "+o.T("ctrain.recompute")+" "+string(p.Recompute))
	add("ctrain.peak", fmt.Sprintf("%.1f TFLOP/s", p.PeakFLOPs/1e12))
	add("ctrain.mfu", fmt.Sprintf("%.1f%%", 100*p.MFU))
	add("ctrain.model_flops", fmt.Sprintf("%.3g", p.ModelFLOPs))
	if p.HardwareFLOPs != p.ModelFLOPs {
		add("ctrain.hw_flops", fmt.Sprintf("%.3g", p.HardwareFLOPs))
	}
	add("ctrain.six_nd", fmt.Sprintf("%.3g", p.SixND))
	add("ctrain.gpu_hours", hwSI(p.GPUHours))
	add("ctrain.days", fmt.Sprintf("%.1f", p.WallClockDays))
	add("ctrain.price", p.PricePerGPUHour.String())
	add("ctrain.cost", p.Cost.String())
	add("ctrain.pue", hwFloat(p.PUE))
	add("ctrain.energy", hwSI(p.EnergyKWh))
	add("ctrain.grid", hwFloat(p.GridKgCO2ePerKWh)+" ("+p.Grid+")")
	add("ctrain.emissions", fmt.Sprintf("%.1f", p.EmissionsTCO2e))
	ts := []Table{kv, {Rows: [][]string{{o.T("ctrain.excludes") + o.T("ctrain.colon") + o.Note("note.train.", train.Notes.Make(train.NoteEnergyExcludes))}}}}
	if len(p.Defaults) > 0 {
		d := Table{Header: []string{o.T("ctrain.default"), o.T("ctrain.value"), o.T("ctrain.source")}}
		for _, x := range p.Defaults {
			src, value := x.Source, x.Value
			if x.SourceDetail != nil {
				src = o.Note("note.train.", *x.SourceDetail)
			}
			if x.ValueDetail != nil {
				value = o.Note("note.train.", *x.ValueDetail)
			}
			if x.Date != "" {
				src += " (" + x.Date + ")"
			}
			if x.Estimate {
				src = o.T("ctrain.estimate") + " " + src
			}
			d.Rows = append(d.Rows, []string{x.Field, value, src})
		}
		ts = append(ts, d)
	}
	if len(r.Schedule) > 0 {
		s := Table{Header: []string{o.T("ctrain.month"), o.T("ctrain.amount"), o.T("ctrain.label")}, Right: map[int]bool{1: true}}
		for _, m := range r.Schedule {
			s.Rows = append(s.Rows, []string{m.Month, money.New(m.Amount, p.Cost.Currency).String(), o.Note("note.train.", m.LabelDetail)})
		}
		ts = append(ts, s)
	}
	return ts
}
