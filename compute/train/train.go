// Package train plans a large-model training run: from a model, a token
// budget, a GPU type and count and a model-FLOPs utilisation (MFU) to total
// FLOPs, GPU-hours, wall-clock days, cost, energy and emissions — and a
// month-by-month spend schedule that a runway model can consume.
//
// The package is pure. Physical quantities (FLOPs, hours, kWh, tCO2e) are
// float64; money is exact decimal (finance/money). Every default the plan
// falls back on (MFU, price, PUE, grid factor, tokens, sequence length) is
// reported in Plan.Defaults with its source.
//
// # Arithmetic
//
//	model FLOPs   = tokens × (Arch).TrainingFLOPsPerToken(seq, none)   (6N + attention, PaLM App. B)
//	              = 6 × active params × tokens                         (for a plain parameter count)
//	GPU-hours     = model FLOPs / (MFU × dense peak at the precision) / 3600
//	wall-clock    = GPU-hours / GPUs
//	cost          = GPU-hours × price per GPU-hour
//	energy (kWh)  = GPUs' TDP (kW) × GPU-hours × PUE
//	emissions     = energy × grid factor (kg CO2e/kWh) / 1000
//
// MFU is defined on model FLOPs, without recomputation (Chowdhery et al.
// 2022, PaLM, Appendix B), so the time does not depend on the
// recomputation policy; the hardware FLOPs the GPUs actually execute with
// recomputation are reported beside it (HardwareFLOPs) — their ratio to
// the model FLOPs is the gap between hardware and model FLOPs utilisation.
package train

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// ChinchillaTokensPerParam is the compute-optimal tokens per parameter of
// Hoffmann et al. 2022 ("Training Compute-Optimal Large Language Models",
// arXiv:2203.15556, §3 and Table 3: about 20 tokens per parameter).
const ChinchillaTokensPerParam = 20

// DefaultSeq is the sequence length used when neither the input nor the
// architecture gives one.
const DefaultSeq = 4096

// FieldError is an input error about one field, named as the CLI flag is
// (gpus, mfu, tokens, gpu, price, currency, pue, seq, precision, …).
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// Input describes a training run. Zero values mean "use the default",
// except GPUs, which must be given.
type Input struct {
	// Arch is the model's architecture; nil to give Params instead.
	Arch *model.Arch
	// Params is the total parameter count when Arch is nil.
	Params float64
	// ActiveParams is the parameters each token uses (mixture of
	// experts); 0 means Params.
	ActiveParams float64
	// Tokens is the number of training tokens; 0 means compute-optimal,
	// ChinchillaTokensPerParam × total parameters.
	Tokens float64
	// Seq is the training sequence length; 0 means Arch.MaxSeq capped at
	// 8192, or DefaultSeq.
	Seq int
	// GPU names the accelerator (id or alias, see hw.Lookup).
	GPU string
	// GPUs is the number of accelerators.
	GPUs int
	// MFU is the model FLOPs utilisation in (0, 1]; 0 means the
	// catalogue's default for the GPU.
	MFU float64
	// Precision is bf16 (default) or fp8: it picks the peak.
	Precision hw.Precision
	// Recompute is the activation-recomputation policy; it changes the
	// hardware FLOPs reported, not the time (see the package comment).
	Recompute model.Recompute
	// Price overrides the catalogue price per GPU-hour; its currency is
	// the plan's currency.
	Price *money.Money
	// Currency picks the catalogue price (USD or CNY) when Price is nil;
	// default USD.
	Currency money.Currency
	// PUE is the data centre's power usage effectiveness; 0 means the
	// catalogue default.
	PUE float64
	// Grid names the grid emission factor ("cn", "us"); "" means cn for a
	// CNY plan and us otherwise.
	Grid string
	// GridFactor overrides the grid's kg CO2e per kWh when > 0.
	GridFactor float64
	// Catalogue is the hardware catalogue; nil means hw.Default().
	Catalogue *hw.Catalogue
}

// Default records one default a plan fell back on, with its source.
type Default struct {
	Field    string `json:"field"`
	Value    string `json:"value"`
	Source   string `json:"source"`
	Date     string `json:"date,omitempty"`
	Estimate bool   `json:"estimate,omitempty"`
	// ValueDetail and SourceDetail are Value and Source with their codes
	// (see Notes) and arguments, for the values and sources kaiwu words
	// itself; nil where they come from the hardware catalogue as data.
	ValueDetail  *msg.Note `json:"value_detail,omitempty"`
	SourceDetail *msg.Note `json:"source_detail,omitempty"`
}

// withDetails sets d's Value and Source from the notes that are not nil.
func (d Default) withDetails(value, source *msg.Note) Default {
	if value != nil {
		d.Value, d.ValueDetail = value.Text, value
	}
	if source != nil {
		d.Source, d.SourceDetail = source.Text, source
	}
	return d
}

// Plan is a training plan's result.
type Plan struct {
	// Model is the architecture's name or, without one, a description
	// in English ("7B parameters"), which ModelDetail then holds with
	// its code and arguments.
	Model        string          `json:"model"`
	ModelDetail  *msg.Note       `json:"model_detail,omitempty"`
	Params       float64         `json:"params"`
	ActiveParams float64         `json:"active_params"`
	Tokens       float64         `json:"tokens"`
	Seq          int             `json:"seq"`
	GPU          string          `json:"gpu"`
	GPUName      string          `json:"gpu_name"`
	GPUs         int             `json:"gpus"`
	Precision    hw.Precision    `json:"precision"`
	Recompute    model.Recompute `json:"recompute"`
	// PeakFLOPs is one GPU's dense peak at the precision, FLOP/s.
	PeakFLOPs float64 `json:"peak_flops"`
	MFU       float64 `json:"mfu"`
	// ModelFLOPs is the training FLOPs without recomputation (6N plus the
	// attention term) — the MFU basis.
	ModelFLOPs float64 `json:"model_flops"`
	// HardwareFLOPs is the FLOPs executed under the recomputation policy.
	HardwareFLOPs float64 `json:"hardware_flops"`
	// SixND is 6 × active parameters × tokens, for comparison.
	SixND float64 `json:"six_nd"`
	// GPUHours is ModelFLOPs / (MFU × PeakFLOPs) / 3600.
	GPUHours float64 `json:"gpu_hours"`
	// WallClockDays is GPUHours / GPUs / 24.
	WallClockDays   float64     `json:"wall_clock_days"`
	PricePerGPUHour money.Money `json:"price_per_gpu_hour"`
	// Cost is GPUHours × PricePerGPUHour, rounded to the cent.
	Cost money.Money `json:"cost"`
	TDPW float64     `json:"tdp_w"`
	PUE  float64     `json:"pue"`
	// EnergyKWh is TDP × GPU-hours × PUE; see EnergyExcludes.
	EnergyKWh        float64 `json:"energy_kwh"`
	EnergyExcludes   string  `json:"energy_excludes"`
	Grid             string  `json:"grid"`
	GridKgCO2ePerKWh float64 `json:"grid_kg_co2e_per_kwh"`
	// EmissionsTCO2e is EnergyKWh × the grid factor, in tonnes CO2e.
	EmissionsTCO2e float64 `json:"emissions_tco2e"`
	// Defaults lists every default used, with its source.
	Defaults []Default `json:"defaults"`
	// Label names the run in the spend schedule, in English;
	// LabelDetail is the same with its code and arguments.
	Label       string   `json:"label"`
	LabelDetail msg.Note `json:"label_detail"`
}

// EnergyExcludes says what the energy estimate leaves out.
const EnergyExcludes = "GPU board power only, at TDP for the whole run (an upper bound for the GPUs), times PUE for cooling and power delivery; excludes host CPUs, memory, NICs, switches and storage (often another 30–50 % of a GPU server's IT power), idle and failed time, and embodied emissions of the hardware"

// New computes a training plan. Errors are *FieldError values (joined
// when several fields are wrong) naming the input field.
func New(in Input) (*Plan, error) {
	cat := in.Catalogue
	if cat == nil {
		cat = hw.Default()
	}
	var errs []error
	bad := func(field, format string, a ...any) { errs = append(errs, fieldErr(field, format, a...)) }
	p := &Plan{}

	// Model.
	var arch *model.Arch
	switch {
	case in.Arch != nil && !in.Arch.IsNominal():
		if err := in.Arch.Validate(); err != nil {
			bad("model", "%v", err)
			break
		}
		a := *in.Arch
		arch = &a
		pp := a.Params()
		p.Params, p.ActiveParams = float64(pp.Total), float64(pp.Active)
		p.Model = a.Name
	default:
		n := in.Params
		if in.Arch != nil {
			n = in.Arch.NominalParams
		}
		if !(n > 0) || math.IsInf(n, 0) {
			bad("params", "want a positive parameter count, have %g", n)
		}
		act := in.ActiveParams
		if act == 0 {
			act = n
		}
		if !(act > 0) || act > n {
			bad("active-params", "want 0 < active ≤ params (%g), have %g", n, act)
		}
		p.Params, p.ActiveParams = n, act
		p.ModelDetail = note(ModelParams, "params", si(n))
		if act != n {
			p.ModelDetail = note(ModelParamsActive, "params", si(n), "active", si(act))
		}
	}
	if p.Model == "" && p.ModelDetail == nil {
		p.ModelDetail = note(ModelCustom)
	}
	if p.ModelDetail != nil {
		p.Model = p.ModelDetail.Text
	}

	// Tokens.
	switch {
	case in.Tokens < 0 || math.IsNaN(in.Tokens) || math.IsInf(in.Tokens, 0):
		bad("tokens", "want a positive number of tokens, have %g", in.Tokens)
	case in.Tokens == 0:
		p.Tokens = ChinchillaTokensPerParam * p.Params
		p.Defaults = append(p.Defaults, Default{Field: "tokens", Date: "2022-03"}.withDetails(
			note(ValueTokens, "tokens", si(p.Tokens)), note(SourceChinchilla)))
	default:
		p.Tokens = in.Tokens
	}

	// Sequence length.
	switch {
	case in.Seq < 0:
		bad("seq", "want a positive sequence length, have %d", in.Seq)
	case in.Seq > 0:
		p.Seq = in.Seq
	case arch != nil && arch.MaxSeq > 0:
		p.Seq = min(arch.MaxSeq, 8192)
		p.Defaults = append(p.Defaults, Default{Field: "seq", Value: fmt.Sprint(p.Seq)}.withDetails(nil, note(SourceArchSeq)))
	default:
		p.Seq = DefaultSeq
		if arch != nil {
			p.Defaults = append(p.Defaults, Default{Field: "seq", Value: fmt.Sprint(p.Seq)}.withDetails(nil, note(SourceKaiwuDefault)))
		}
	}

	// Recomputation.
	rc, err := model.ParseRecompute(string(in.Recompute))
	if err != nil {
		bad("recompute", "unknown policy %q (want none, selective or full)", in.Recompute)
	}
	p.Recompute = rc

	// GPU and count.
	g, err := cat.Lookup(in.GPU)
	if err != nil {
		bad("gpu", "unknown GPU %q (known: %s)", in.GPU, strings.Join(cat.IDs(), ", "))
	}
	if in.GPUs < 1 {
		bad("gpus", "want at least 1 GPU, have %d", in.GPUs)
	}
	p.GPUs = in.GPUs
	prec := in.Precision
	if prec == "" {
		prec = hw.BF16
	}
	if prec != hw.BF16 && prec != hw.FP8 && prec != hw.FP16 {
		bad("precision", "%q is not a training precision (want bf16 or fp8)", prec)
	}
	p.Precision = prec

	// MFU.
	switch {
	case in.MFU == 0 && g != nil:
		r := cat.DefaultMFUFor(g)
		p.MFU = r.Value
		p.Defaults = append(p.Defaults, Default{Field: "mfu", Value: fmt.Sprintf("%.1f%% (%s, %s)", 100*r.Value, r.ID, r.Hardware),
			Source: r.Source, Date: r.Date, Estimate: r.Estimate})
	case !(in.MFU > 0 && in.MFU <= 1):
		bad("mfu", "want a fraction in (0, 1], have %g", in.MFU)
	default:
		p.MFU = in.MFU
	}

	// PUE and grid.
	switch {
	case in.PUE == 0:
		p.PUE = cat.PUE.Value
		p.Defaults = append(p.Defaults, Default{Field: "pue", Value: fmt.Sprint(p.PUE), Source: cat.PUE.Source, Date: cat.PUE.Date, Estimate: cat.PUE.Estimate})
	case in.PUE < 1 || in.PUE > 5 || math.IsNaN(in.PUE):
		bad("pue", "want a PUE between 1 and 5, have %g", in.PUE)
	default:
		p.PUE = in.PUE
	}

	// Price and currency.
	cur := in.Currency
	if in.Price != nil {
		if cur != "" && cur != in.Price.Currency {
			bad("currency", "%s differs from the price's currency %s", cur, in.Price.Currency)
		}
		if in.Price.Amount.IsNegative() {
			bad("price", "want ≥ 0, have %s", in.Price.Amount)
		}
		p.PricePerGPUHour = *in.Price
		cur = in.Price.Currency
	} else if g != nil {
		if cur == "" {
			cur = money.USD
		}
		pr, err := g.Price(cur)
		if err != nil {
			bad("currency", "%s has no %s price in the catalogue; give --price", g.ID, cur)
		} else {
			p.PricePerGPUHour = money.New(pr.Amount, cur)
			p.Defaults = append(p.Defaults, Default{Field: "price", Source: pr.Source, Date: pr.Date, Estimate: pr.Estimate}.withDetails(
				note(ValuePrice, "price", p.PricePerGPUHour.String()), nil))
		}
	}
	grid := in.Grid
	if grid == "" {
		grid = "us"
		if cur == money.CNY {
			grid = "cn"
		}
	}
	gf, err := cat.GridFactorFor(grid)
	if err != nil {
		bad("grid", "unknown grid %q", grid)
	}
	p.Grid = gf.ID
	if in.GridFactor < 0 || math.IsNaN(in.GridFactor) {
		bad("grid-factor", "want ≥ 0 kg CO2e/kWh, have %g", in.GridFactor)
	} else if in.GridFactor > 0 {
		p.GridKgCO2ePerKWh = in.GridFactor
		p.Grid = "custom"
	} else if err == nil {
		p.GridKgCO2ePerKWh = gf.KgCO2ePerKWh
		p.Defaults = append(p.Defaults, Default{Field: "grid", Value: fmt.Sprintf("%s: %g kg CO2e/kWh", gf.Name, gf.KgCO2ePerKWh),
			Source: gf.Source, Date: gf.Date, Estimate: gf.Estimate})
	}

	if g != nil && errs == nil {
		peak, err := g.PeakFLOPs(prec)
		if err != nil {
			bad("precision", "%s has no FP8 tensor cores (use bf16)", g.ID)
		}
		p.PeakFLOPs = peak
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.GPU, p.GPUName, p.TDPW = g.ID, g.Name, g.TDPW

	// FLOPs.
	if arch != nil {
		p.ModelFLOPs = arch.TrainingFLOPs(p.Tokens, p.Seq, model.RecomputeNone)
		p.HardwareFLOPs = arch.TrainingFLOPs(p.Tokens, p.Seq, rc)
	} else {
		p.ModelFLOPs = 6 * p.ActiveParams * p.Tokens
		p.HardwareFLOPs = p.ModelFLOPs
		if rc == model.RecomputeFull {
			p.HardwareFLOPs = 8 * p.ActiveParams * p.Tokens // one more forward pass
		}
	}
	p.SixND = 6 * p.ActiveParams * p.Tokens

	p.GPUHours = p.ModelFLOPs / (p.MFU * p.PeakFLOPs) / 3600
	p.WallClockDays = p.GPUHours / float64(p.GPUs) / 24
	p.Cost = money.New(decimal.NewFromFloat(p.GPUHours).Mul(p.PricePerGPUHour.Amount), p.PricePerGPUHour.Currency).Round()
	p.EnergyKWh = p.TDPW / 1000 * p.GPUHours * p.PUE
	p.EnergyExcludes = EnergyExcludes
	p.EmissionsTCO2e = p.EnergyKWh * p.GridKgCO2ePerKWh / 1000
	p.LabelDetail = p.label()
	p.Label = p.LabelDetail.Text
	return p, nil
}

// label names the run: "training llama-3-8b on 64× h100-sxm".
func (p *Plan) label() msg.Note {
	gpus := strconv.Itoa(p.GPUs)
	if p.ModelDetail == nil {
		return Notes.Make(LabelArch, "model", p.Model, "gpus", gpus, "gpu", p.GPU)
	}
	switch p.ModelDetail.Code {
	case ModelParams:
		return Notes.Make(LabelParams, "params", p.ModelDetail.Args["params"], "gpus", gpus, "gpu", p.GPU)
	case ModelParamsActive:
		return Notes.Make(LabelParamsActive, "params", p.ModelDetail.Args["params"], "active", p.ModelDetail.Args["active"], "gpus", gpus, "gpu", p.GPU)
	}
	return Notes.Make(LabelCustom, "gpus", gpus, "gpu", p.GPU)
}

// ImpliedMFU is the MFU at which modelFLOPs take gpuHours on GPUs of the
// given dense peak (FLOP/s): modelFLOPs / (gpuHours × 3600 × peak). It is
// how a published run's GPU-hours turn into an utilisation.
func ImpliedMFU(modelFLOPs, gpuHours, peak float64) float64 {
	return modelFLOPs / (gpuHours * 3600 * peak)
}

// si formats a count with an SI-style suffix: 7e9 → "7B", 1.5e12 → "1.5T".
func si(x float64) string {
	for _, u := range []struct {
		v float64
		s string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}} {
		if math.Abs(x) >= u.v {
			return trimFloat(x/u.v) + u.s
		}
	}
	return trimFloat(x)
}

func trimFloat(x float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
}
