package workspace

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/compute/model"
	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/compute/train"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/runway"
)

// Profile is the company profile document (kind "profile"): what the
// dashboard's header and overview show. Currency is the operating
// currency (the runway plan's); a cap table kept in another currency (an
// offshore holding company in USD) says so in its own document.
type Profile struct {
	Name        string `yaml:"name" json:"name"`
	NameZH      string `yaml:"name_zh,omitempty" json:"name_zh,omitempty"`
	Currency    string `yaml:"currency" json:"currency"`
	Stage       string `yaml:"stage" json:"stage"`
	Sector      string `yaml:"sector,omitempty" json:"sector,omitempty"`
	Founded     string `yaml:"founded,omitempty" json:"founded,omitempty"` // YYYY-MM or YYYY-MM-DD
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// Demo marks fictional demonstration data (SeedDemo sets it); the
	// dashboard shows a banner.
	Demo bool `yaml:"demo,omitempty" json:"demo,omitempty"`
}

// Stages are the financing stages a profile may name, earliest first.
var Stages = []string{"pre-seed", "angel", "seed", "pre-a", "a", "a+", "b", "c", "d+", "pre-ipo", "public"}

// ParseProfile decodes and validates a profile document.
func ParseProfile(b []byte) (*Profile, error) {
	var p Profile
	if err := decodeStrict("profile", b, &p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate checks every field and returns all problems, one per line.
func (p *Profile) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("profile: %s: %s", field, fmt.Sprintf(format, a...)))
	}
	if strings.TrimSpace(p.Name) == "" {
		bad("name", "missing")
	} else if utf8.RuneCountInString(p.Name) > 200 {
		bad("name", "longer than 200 characters")
	}
	if utf8.RuneCountInString(p.NameZH) > 200 {
		bad("name_zh", "longer than 200 characters")
	}
	if strings.TrimSpace(p.Currency) == "" {
		bad("currency", "missing (want an ISO 4217 code such as CNY or USD)")
	} else if _, err := money.ParseCurrency(p.Currency); err != nil {
		bad("currency", "%v", err)
	}
	if p.Stage != "" {
		ok := false
		for _, s := range Stages {
			ok = ok || strings.EqualFold(p.Stage, s)
		}
		if !ok {
			bad("stage", "%q is not one of %s", p.Stage, strings.Join(Stages, ", "))
		}
	}
	if utf8.RuneCountInString(p.Sector) > 200 {
		bad("sector", "longer than 200 characters")
	}
	if p.Founded != "" {
		if err := checkDate(p.Founded); err != nil {
			bad("founded", "%v", err)
		}
	}
	if utf8.RuneCountInString(p.Description) > 10_000 {
		bad("description", "longer than 10000 characters")
	}
	return errors.Join(errs...)
}

// checkDate accepts YYYY-MM or YYYY-MM-DD.
func checkDate(s string) error {
	if len(s) == 7 {
		_, err := runway.ParseMonth(s)
		return err
	}
	if len(s) == 10 {
		if _, err := runway.ParseMonth(s[:7]); err == nil && s[7] == '-' {
			if d, err := strconv.Atoi(s[8:]); err == nil && d >= 1 && d <= 31 {
				return nil
			}
		}
	}
	return fmt.Errorf("%q is not a date (want YYYY-MM or YYYY-MM-DD)", s)
}

// Count is a large count read from a document: a number (13000000000,
// 1.3e10) or a string with a suffix — K, M, B (10⁹), T (10¹²), 万, 亿 —
// such as "13B" or "2T".
type Count float64

// ParseCount reads a Count.
func ParseCount(s string) (Count, error) {
	t := strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), "_", "")
	mult := 1.0
	for _, sc := range []struct {
		suffix string
		mult   float64
	}{{"K", 1e3}, {"k", 1e3}, {"M", 1e6}, {"B", 1e9}, {"T", 1e12}, {"万", 1e4}, {"亿", 1e8}} {
		if rest, ok := strings.CutSuffix(t, sc.suffix); ok {
			t, mult = strings.TrimSpace(rest), sc.mult
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, fmt.Errorf("%q is not a count (want e.g. 7000000000, 7e9 or 7B)", s)
	}
	return Count(f * mult), nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (c *Count) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a count, got a %s", v.Line, map[yaml.Kind]string{yaml.MappingNode: "mapping", yaml.SequenceNode: "list"}[v.Kind])
	}
	n, err := ParseCount(v.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", v.Line, err)
	}
	*c = n
	return nil
}

// ComputePlan is a compute plan document (kind "compute"): one model, how
// it is trained and how it is served. Prices are in Currency (default
// USD); omitted prices, MFU and precisions take compute/train's and
// compute/serve's defaults, from the hardware catalogue (compute/hw).
//
//	name: 13B base model
//	currency: CNY
//	model: {preset: llama-2-13b}
//	training: {gpu: h800, gpus: 256, tokens: 2T, mfu: 0.4, price_per_gpu_hour: 14, start: 2026-06}
//	serving: {gpu: h20, tp: 1, prompt: 1500, output: 400, monthly_input_tokens: 30B,
//	          monthly_output_tokens: 8B, price_per_gpu_hour: 7, price_in: 4, price_out: 12}
type ComputePlan struct {
	Name     string       `yaml:"name" json:"name"`
	Currency string       `yaml:"currency,omitempty" json:"currency,omitempty"`
	Model    ComputeModel `yaml:"model" json:"model"`
	Training *TrainingRun `yaml:"training,omitempty" json:"training,omitempty"`
	Serving  *ServingRun  `yaml:"serving,omitempty" json:"serving,omitempty"`
}

// ComputeModel names the model: a compute/model preset (which serving
// needs, for the KV-cache shape) or a parameter count.
type ComputeModel struct {
	Preset       string `yaml:"preset,omitempty" json:"preset,omitempty"`
	Params       Count  `yaml:"params,omitempty" json:"params,omitempty"`
	ActiveParams Count  `yaml:"active_params,omitempty" json:"active_params,omitempty"`
}

// TrainingRun is a training run: GPUs of one type for Tokens tokens from
// the month Start (YYYY-MM; the runway plan's compute line).
type TrainingRun struct {
	GPU             string       `yaml:"gpu" json:"gpu"`
	GPUs            int          `yaml:"gpus" json:"gpus"`
	Tokens          Count        `yaml:"tokens,omitempty" json:"tokens,omitempty"`
	Seq             int          `yaml:"seq,omitempty" json:"seq,omitempty"`
	MFU             float64      `yaml:"mfu,omitempty" json:"mfu,omitempty"`
	Precision       string       `yaml:"precision,omitempty" json:"precision,omitempty"`
	PricePerGPUHour money.Number `yaml:"price_per_gpu_hour,omitempty" json:"price_per_gpu_hour,omitzero"`
	Start           string       `yaml:"start,omitempty" json:"start,omitempty"`
}

// ServingRun is the serving side: a replica of TP GPUs, the average
// request (Prompt input and Output output tokens), the monthly token
// volume, the GPU price and the selling prices per million tokens.
type ServingRun struct {
	GPU                 string       `yaml:"gpu" json:"gpu"`
	TP                  int          `yaml:"tp,omitempty" json:"tp,omitempty"`
	Weights             string       `yaml:"weights,omitempty" json:"weights,omitempty"`
	KVCache             string       `yaml:"kv_cache,omitempty" json:"kv_cache,omitempty"`
	Prompt              int          `yaml:"prompt" json:"prompt"`
	Output              int          `yaml:"output" json:"output"`
	MonthlyInputTokens  Count        `yaml:"monthly_input_tokens,omitempty" json:"monthly_input_tokens,omitempty"`
	MonthlyOutputTokens Count        `yaml:"monthly_output_tokens,omitempty" json:"monthly_output_tokens,omitempty"`
	Utilisation         float64      `yaml:"utilisation,omitempty" json:"utilisation,omitempty"`
	PricePerGPUHour     money.Number `yaml:"price_per_gpu_hour,omitempty" json:"price_per_gpu_hour,omitzero"`
	PriceIn             money.Number `yaml:"price_in,omitempty" json:"price_in,omitzero"`
	PriceOut            money.Number `yaml:"price_out,omitempty" json:"price_out,omitzero"`
	Start               string       `yaml:"start,omitempty" json:"start,omitempty"`
}

// ParseComputePlan decodes a compute plan and validates it: the model
// preset and GPUs exist, and compute/train and compute/serve accept the
// runs.
func ParseComputePlan(b []byte) (*ComputePlan, error) {
	var p ComputePlan
	if err := decodeStrict("compute plan", b, &p); err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// CurrencyOrUSD is the plan's currency, USD when not given.
func (p *ComputePlan) CurrencyOrUSD() (money.Currency, error) {
	if strings.TrimSpace(p.Currency) == "" {
		return money.USD, nil
	}
	c, err := money.ParseCurrency(p.Currency)
	if err != nil {
		return "", fmt.Errorf("currency: %w", err)
	}
	return c, nil
}

// Arch is the model's architecture: the preset's, or a nominal one built
// from the parameter count.
func (p *ComputePlan) Arch() (model.Arch, error) {
	m := p.Model
	switch {
	case m.Preset != "" && m.Params != 0:
		return model.Arch{}, errors.New("model: give preset or params, not both")
	case m.Preset != "":
		a, err := model.Preset(m.Preset)
		if err != nil {
			return model.Arch{}, fmt.Errorf("model.preset: %w", err)
		}
		return a, nil
	case m.Params > 0:
		return model.FromParams(float64(m.Params)), nil
	}
	return model.Arch{}, errors.New("model: give preset (e.g. llama-2-13b) or params (e.g. 13B)")
}

// TrainingInput is the training run as compute/train's input; ok is false
// when the plan has no training run.
func (p *ComputePlan) TrainingInput() (in train.Input, ok bool, err error) {
	t := p.Training
	if t == nil {
		return train.Input{}, false, nil
	}
	cur, err := p.CurrencyOrUSD()
	if err != nil {
		return train.Input{}, true, err
	}
	a, err := p.Arch()
	if err != nil {
		return train.Input{}, true, err
	}
	if _, err := hw.Lookup(t.GPU); err != nil {
		return train.Input{}, true, fmt.Errorf("training.gpu: %w", err)
	}
	in = train.Input{GPU: t.GPU, GPUs: t.GPUs, Tokens: float64(t.Tokens), Seq: t.Seq, MFU: t.MFU, Currency: cur,
		ActiveParams: float64(p.Model.ActiveParams)}
	if a.IsNominal() {
		in.Params = a.NominalParams
	} else {
		in.Arch = &a
	}
	if t.Precision != "" {
		if in.Precision, err = hw.ParsePrecision(t.Precision); err != nil {
			return train.Input{}, true, fmt.Errorf("training.precision: %w", err)
		}
	}
	if t.PricePerGPUHour.Set {
		if !t.PricePerGPUHour.IsPositive() {
			return train.Input{}, true, fmt.Errorf("training.price_per_gpu_hour: want a positive price")
		}
		m := money.New(t.PricePerGPUHour.Decimal, cur)
		in.Price = &m
	}
	if t.Start != "" {
		if _, err := runway.ParseMonth(t.Start); err != nil {
			return train.Input{}, true, fmt.Errorf("training.start: %w", err)
		}
	}
	return in, true, nil
}

// ServingInput is the serving side as compute/serve's input; ok is false
// when the plan has no serving section.
func (p *ComputePlan) ServingInput() (in serve.Input, ok bool, err error) {
	s := p.Serving
	if s == nil {
		return serve.Input{}, false, nil
	}
	cur, err := p.CurrencyOrUSD()
	if err != nil {
		return serve.Input{}, true, err
	}
	a, err := p.Arch()
	if err != nil {
		return serve.Input{}, true, err
	}
	if a.IsNominal() {
		return serve.Input{}, true, errors.New("serving: needs the attention shape for the KV cache; give model.preset rather than params")
	}
	g, err := hw.Lookup(s.GPU)
	if err != nil {
		return serve.Input{}, true, fmt.Errorf("serving.gpu: %w", err)
	}
	tp := s.TP
	if tp == 0 {
		tp = 1
	}
	if tp < 1 || tp > 1024 {
		return serve.Input{}, true, fmt.Errorf("serving.tp: %d: want 1 to 1024", s.TP)
	}
	if s.Prompt < 0 || s.Output < 1 {
		return serve.Input{}, true, fmt.Errorf("serving: prompt %d, output %d: want prompt ≥ 0 and output ≥ 1 tokens", s.Prompt, s.Output)
	}
	if s.Utilisation < 0 || s.Utilisation > 1 {
		return serve.Input{}, true, fmt.Errorf("serving.utilisation: %g: want a fraction in (0, 1]", s.Utilisation)
	}
	in = serve.Input{Model: a, GPU: serve.GPUFrom(g), TP: tp, Prompt: s.Prompt, Output: s.Output, Utilisation: s.Utilisation}
	for _, x := range []struct {
		field, v string
		dst      *serve.Precision
	}{{"serving.weights", s.Weights, &in.Weights}, {"serving.kv_cache", s.KVCache, &in.KV}} {
		if x.v == "" {
			continue
		}
		if *x.dst, err = serve.ParsePrecision(x.v); err != nil {
			return serve.Input{}, true, fmt.Errorf("%s: %w", x.field, err)
		}
	}
	if s.PricePerGPUHour.Set {
		if !s.PricePerGPUHour.IsPositive() {
			return serve.Input{}, true, errors.New("serving.price_per_gpu_hour: want a positive price")
		}
		in.GPUPrice = money.New(s.PricePerGPUHour.Decimal, cur)
	} else {
		pr, err := g.Price(cur)
		if err != nil {
			return serve.Input{}, true, fmt.Errorf("serving.price_per_gpu_hour: %w", err)
		}
		in.GPUPrice = money.New(pr.Amount, cur)
	}
	for _, x := range []struct {
		field string
		v     money.Number
		dst   **money.Money
	}{{"serving.price_in", s.PriceIn, &in.PriceIn}, {"serving.price_out", s.PriceOut, &in.PriceOut}} {
		if !x.v.Set {
			continue
		}
		if x.v.IsNegative() {
			return serve.Input{}, true, fmt.Errorf("%s: want a price ≥ 0", x.field)
		}
		m := money.New(x.v.Decimal, cur)
		*x.dst = &m
	}
	if s.Start != "" {
		if _, err := runway.ParseMonth(s.Start); err != nil {
			return serve.Input{}, true, fmt.Errorf("serving.start: %w", err)
		}
	}
	return in, true, nil
}

// Validate checks the plan by building and running its training plan and
// serving analysis; every problem found is returned.
func (p *ComputePlan) Validate() error {
	var errs []error
	if strings.TrimSpace(p.Name) == "" {
		errs = append(errs, errors.New("name: missing"))
	}
	if _, err := p.CurrencyOrUSD(); err != nil {
		errs = append(errs, err)
	}
	if _, err := p.Arch(); err != nil {
		errs = append(errs, err)
	}
	if p.Training == nil && p.Serving == nil {
		errs = append(errs, errors.New("give training, serving or both"))
	}
	if len(errs) == 0 {
		if in, ok, err := p.TrainingInput(); err != nil {
			errs = append(errs, err)
		} else if ok {
			if _, err := train.New(in); err != nil {
				errs = append(errs, fmt.Errorf("training: %w", err))
			}
		}
		if in, ok, err := p.ServingInput(); err != nil {
			errs = append(errs, err)
		} else if ok {
			if _, err := serve.Analyze(in); err != nil {
				errs = append(errs, fmt.Errorf("serving: %w", err))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("compute plan: %w", errors.Join(errs...))
	}
	return nil
}
