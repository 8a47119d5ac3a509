// Package hw is kaiwu's hardware catalogue for large-model compute
// economics: accelerators (NVIDIA A100/H100/H200/H800/H20/B200/L40S/RTX 4090,
// Huawei Ascend 910B, AMD MI300X, Intel Gaudi 2/3) with their dense BF16 and
// FP8 peaks, memory, bandwidth, interconnect, power and indicative rental
// prices in USD and CNY; the model-FLOPs-utilisation (MFU) of published
// training runs; a default PUE; and grid emission factors.
//
// The defaults are data (catalogue.yaml, embedded): every number carries a
// source and a date, and estimates are marked as such. A user document of
// the same shape overrides any field of an entry by id or adds entries.
package hw

import (
	"bytes"
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

//go:embed catalogue.yaml
var defaultsYAML []byte

// DefaultsYAML returns the embedded default catalogue document.
func DefaultsYAML() []byte { return bytes.Clone(defaultsYAML) }

// Precision is a numeric format for weights, activations or arithmetic.
type Precision string

// The precisions kaiwu knows.
const (
	FP32 Precision = "fp32"
	BF16 Precision = "bf16"
	FP16 Precision = "fp16"
	FP8  Precision = "fp8"
	INT8 Precision = "int8"
	INT4 Precision = "int4"
)

// ParsePrecision reads a precision name, case-insensitively ("BF16",
// "float16", "e4m3" …).
func ParsePrecision(s string) (Precision, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "fp32", "float32", "f32", "tf32":
		return FP32, nil
	case "bf16", "bfloat16":
		return BF16, nil
	case "fp16", "float16", "f16", "half":
		return FP16, nil
	case "fp8", "float8", "e4m3", "e5m2":
		return FP8, nil
	case "int8", "i8":
		return INT8, nil
	case "int4", "i4", "nf4":
		return INT4, nil
	}
	return "", fmt.Errorf("unknown precision %q (want fp32, bf16, fp16, fp8, int8 or int4)", s)
}

// Cited is the provenance of a number: where it comes from, as of when, and
// whether it is an estimate rather than a vendor figure or a listed price.
type Cited struct {
	Source   string `yaml:"source" json:"source"`
	Date     string `yaml:"date" json:"date"`
	Estimate bool   `yaml:"estimate,omitempty" json:"estimate,omitempty"`
}

// Price is an indicative rental price per GPU-hour with its provenance.
type Price struct {
	Amount decimal.Decimal `yaml:"amount" json:"amount"`
	Cited  `yaml:",inline"`
}

// GPU is one accelerator of the catalogue. Peaks are dense (no structured
// sparsity), in TFLOP/s; bandwidths are in the unit their name says.
type GPU struct {
	ID      string   `yaml:"id" json:"id"`
	Name    string   `yaml:"name" json:"name"`
	Vendor  string   `yaml:"vendor" json:"vendor"`
	Aliases []string `yaml:"aliases" json:"aliases,omitempty"`
	// BF16TFLOPS is the dense BF16 (or FP16) tensor peak, TFLOP/s.
	BF16TFLOPS float64 `yaml:"bf16_tflops" json:"bf16_tflops"`
	// FP8TFLOPS is the dense FP8 tensor peak, TFLOP/s; 0 where none.
	FP8TFLOPS float64 `yaml:"fp8_tflops" json:"fp8_tflops"`
	// MemoryGB is device memory in GB (1e9 bytes).
	MemoryGB float64 `yaml:"memory_gb" json:"memory_gb"`
	// MemoryBandwidthTBs is device-memory bandwidth in TB/s.
	MemoryBandwidthTBs float64 `yaml:"memory_bandwidth_tbs" json:"memory_bandwidth_tbs"`
	// NVLinkGBs is the total bidirectional scale-up bandwidth per GPU in
	// GB/s (NVLink or the vendor's equivalent); 0 for PCIe-only parts.
	NVLinkGBs float64 `yaml:"nvlink_gbs" json:"nvlink_gbs"`
	// PCIe describes the host link, e.g. "PCIe Gen5 x16 (128 GB/s)".
	PCIe string `yaml:"pcie" json:"pcie"`
	// GPUsPerNode is how many GPUs share one scale-up domain (the bound on
	// tensor parallelism in the memory planner).
	GPUsPerNode int `yaml:"gpus_per_node" json:"gpus_per_node"`
	// TDPW is the board power in watts.
	TDPW float64 `yaml:"tdp_w" json:"tdp_w"`
	// Specs cites the numbers above.
	Specs Cited `yaml:"specs" json:"specs"`
	// Prices holds the indicative price per GPU-hour in USD and CNY.
	Prices map[money.Currency]Price `yaml:"prices" json:"prices"`
	// ExportControl notes export-control status, chiefly for China.
	ExportControl string `yaml:"export_control" json:"export_control,omitempty"`
}

// PeakFLOPs is the dense peak in FLOP/s at precision p: the FP8 peak for
// fp8 (an error where the part has none), the BF16 peak for bf16 and fp16.
func (g *GPU) PeakFLOPs(p Precision) (float64, error) {
	switch p {
	case BF16, FP16, "":
		return g.BF16TFLOPS * 1e12, nil
	case FP8:
		if g.FP8TFLOPS <= 0 {
			return 0, fmt.Errorf("precision: %s has no FP8 tensor cores (use bf16)", g.ID)
		}
		return g.FP8TFLOPS * 1e12, nil
	}
	return 0, fmt.Errorf("precision: %q is not a training precision (want bf16 or fp8)", p)
}

// MemoryBytes is device memory in bytes.
func (g *GPU) MemoryBytes() float64 { return g.MemoryGB * 1e9 }

// Price returns the catalogue price per GPU-hour in currency c.
func (g *GPU) Price(c money.Currency) (Price, error) {
	p, ok := g.Prices[c]
	if !ok {
		return Price{}, fmt.Errorf("currency: %s has no %s price in the catalogue (have %s); give a price", g.ID, c, strings.Join(g.currencies(), ", "))
	}
	return p, nil
}

func (g *GPU) currencies() []string {
	var cs []string
	for c := range g.Prices {
		cs = append(cs, string(c))
	}
	sort.Strings(cs)
	return cs
}

// MFURecord is the model FLOPs utilisation of a published training run.
type MFURecord struct {
	ID       string  `yaml:"id" json:"id"`
	Value    float64 `yaml:"value" json:"value"`
	Hardware string  `yaml:"hardware" json:"hardware"`
	Cited    `yaml:",inline"`
}

// DefaultMFU names, per GPU id, the MFU record a plan uses by default.
type DefaultMFU struct {
	Fallback string            `yaml:"fallback" json:"fallback"`
	ByGPU    map[string]string `yaml:"by_gpu" json:"by_gpu"`
}

// CitedValue is a number with its provenance (the PUE).
type CitedValue struct {
	Value float64 `yaml:"value" json:"value"`
	Cited `yaml:",inline"`
}

// GridFactor is a grid's emission factor in kg CO2e per kWh.
type GridFactor struct {
	ID           string   `yaml:"id" json:"id"`
	Name         string   `yaml:"name" json:"name"`
	Aliases      []string `yaml:"aliases" json:"aliases,omitempty"`
	KgCO2ePerKWh float64  `yaml:"kg_co2e_per_kwh" json:"kg_co2e_per_kwh"`
	Cited        `yaml:",inline"`
}

// Catalogue is the whole hardware document.
type Catalogue struct {
	GPUs       []GPU        `yaml:"gpus" json:"gpus"`
	MFU        []MFURecord  `yaml:"mfu" json:"mfu"`
	DefaultMFU DefaultMFU   `yaml:"default_mfu" json:"default_mfu"`
	PUE        CitedValue   `yaml:"pue" json:"pue"`
	Grid       []GridFactor `yaml:"grid" json:"grid"`
}

var builtin *Catalogue

func init() {
	c, err := Load(nil)
	if err != nil {
		panic("compute/hw: embedded catalogue.yaml: " + err.Error())
	}
	builtin = c
}

// Default returns a copy of the embedded catalogue.
func Default() *Catalogue {
	c, _ := Load(nil)
	return c
}

// Lookup finds a GPU of the embedded catalogue by id or alias; see
// (*Catalogue).Lookup.
func Lookup(name string) (*GPU, error) { return builtin.Lookup(name) }

// key normalises a GPU name for lookup: lower case, letters and digits
// only, without a leading vendor name ("NVIDIA H100-SXM" → "h100sxm").
func key(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	k := b.String()
	for _, v := range []string{"nvidia", "huawei", "amd", "intel"} {
		if len(k) > len(v) && strings.HasPrefix(k, v) {
			return k[len(v):]
		}
	}
	return k
}

// Lookup finds a GPU by id or alias, ignoring case, spaces, hyphens and
// underscores and a leading vendor name: "h100", "H100-SXM", "nvidia h100
// sxm" all find h100-sxm. An unknown name is an error listing the ids.
func (c *Catalogue) Lookup(name string) (*GPU, error) {
	k := key(name)
	if k != "" {
		for i := range c.GPUs {
			g := &c.GPUs[i]
			if key(g.ID) == k {
				return g, nil
			}
			for _, a := range g.Aliases {
				if key(a) == k {
					return g, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("gpu: unknown GPU %q (known: %s)", name, strings.Join(c.IDs(), ", "))
}

// IDs lists the GPU ids in catalogue order.
func (c *Catalogue) IDs() []string {
	ids := make([]string, len(c.GPUs))
	for i, g := range c.GPUs {
		ids[i] = g.ID
	}
	return ids
}

// MFURecordByID returns the MFU record with the given id.
func (c *Catalogue) MFURecordByID(id string) (MFURecord, error) {
	for _, r := range c.MFU {
		if r.ID == id {
			return r, nil
		}
	}
	ids := make([]string, len(c.MFU))
	for i, r := range c.MFU {
		ids[i] = r.ID
	}
	return MFURecord{}, fmt.Errorf("mfu: unknown record %q (known: %s)", id, strings.Join(ids, ", "))
}

// DefaultMFUFor returns the MFU record a plan on g uses when none is given.
func (c *Catalogue) DefaultMFUFor(g *GPU) MFURecord {
	id := c.DefaultMFU.Fallback
	if x, ok := c.DefaultMFU.ByGPU[g.ID]; ok {
		id = x
	}
	r, err := c.MFURecordByID(id)
	if err != nil { // Validate guarantees the references resolve
		return MFURecord{ID: id, Value: 0.3, Cited: Cited{Source: "unresolved default", Estimate: true}}
	}
	return r
}

// GridFactorFor finds a grid emission factor by id or alias ("cn",
// "china", "us" …), case-insensitively.
func (c *Catalogue) GridFactorFor(name string) (GridFactor, error) {
	k := strings.ToLower(strings.TrimSpace(name))
	var ids []string
	for _, g := range c.Grid {
		if strings.ToLower(g.ID) == k {
			return g, nil
		}
		for _, a := range g.Aliases {
			if strings.ToLower(a) == k {
				return g, nil
			}
		}
		ids = append(ids, g.ID)
	}
	return GridFactor{}, fmt.Errorf("grid: unknown grid %q (known: %s)", name, strings.Join(ids, ", "))
}

// document is the YAML shape, with the GPU entries kept as nodes so that
// a user entry can patch only the fields it gives.
type document struct {
	GPUs       []yaml.Node  `yaml:"gpus"`
	MFU        []MFURecord  `yaml:"mfu"`
	DefaultMFU *DefaultMFU  `yaml:"default_mfu"`
	PUE        *CitedValue  `yaml:"pue"`
	Grid       []GridFactor `yaml:"grid"`
}

// MaxDocumentBytes bounds a user document.
const MaxDocumentBytes = 16 << 20

// Load returns the embedded catalogue overridden by a user document (YAML
// or JSON of the same shape; nil for none). A GPU entry whose id (or
// alias) is known changes only the fields it gives; a new id adds a GPU,
// which must then be complete. MFU records and grid factors are replaced
// by id or added; pue and default_mfu entries replace the defaults. The
// result is validated; errors name the entry, its line and the field.
func Load(user []byte) (*Catalogue, error) {
	c, err := decode(defaultsYAML, nil, "catalogue.yaml (embedded)")
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(user)) > 0 {
		if len(user) > MaxDocumentBytes {
			return nil, fmt.Errorf("hardware document: larger than %d bytes", MaxDocumentBytes)
		}
		if c, err = decode(user, c, "hardware document"); err != nil {
			return nil, err
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func decode(data []byte, base *Catalogue, what string) (*Catalogue, error) {
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	c := &Catalogue{}
	if base != nil {
		c = base
	}
	for i, n := range doc.GPUs {
		var head struct {
			ID string `yaml:"id"`
		}
		if err := n.Decode(&head); err != nil || strings.TrimSpace(head.ID) == "" {
			return nil, fmt.Errorf("%s: gpus[%d] (line %d): id: missing", what, i, n.Line)
		}
		k := -1
		if g, err := c.Lookup(head.ID); err == nil {
			for j := range c.GPUs {
				if &c.GPUs[j] == g {
					k = j
				}
			}
		}
		if k < 0 {
			c.GPUs = append(c.GPUs, GPU{})
			k = len(c.GPUs) - 1
		}
		g := c.GPUs[k]
		id, prices := g.ID, g.Prices
		g.Prices = nil
		if err := decodeStrict(&n, &g); err != nil {
			return nil, fmt.Errorf("%s: gpus[%d] (%s, line %d): %w", what, i, head.ID, n.Line, err)
		}
		// Prices merge per currency rather than replacing the map.
		merged := map[money.Currency]Price{}
		for cur, p := range prices {
			merged[cur] = p
		}
		for cur, p := range g.Prices {
			merged[cur] = p
		}
		g.Prices = merged
		if id != "" { // a patch may name the GPU by an alias; keep its id
			g.ID = id
		}
		c.GPUs[k] = g
	}
	for _, r := range doc.MFU {
		replaced := false
		for j := range c.MFU {
			if c.MFU[j].ID == r.ID {
				c.MFU[j], replaced = r, true
			}
		}
		if !replaced {
			c.MFU = append(c.MFU, r)
		}
	}
	for _, r := range doc.Grid {
		replaced := false
		for j := range c.Grid {
			if c.Grid[j].ID == r.ID {
				c.Grid[j], replaced = r, true
			}
		}
		if !replaced {
			c.Grid = append(c.Grid, r)
		}
	}
	if doc.DefaultMFU != nil {
		if doc.DefaultMFU.Fallback != "" {
			c.DefaultMFU.Fallback = doc.DefaultMFU.Fallback
		}
		if c.DefaultMFU.ByGPU == nil {
			c.DefaultMFU.ByGPU = map[string]string{}
		}
		for k, v := range doc.DefaultMFU.ByGPU {
			c.DefaultMFU.ByGPU[k] = v
		}
	}
	if doc.PUE != nil {
		c.PUE = *doc.PUE
	}
	return c, nil
}

// decodeStrict decodes n into v, rejecting unknown fields.
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// Validate checks the catalogue: unique ids and aliases, positive peaks,
// memory, bandwidth and power, a source and date for the specs and for
// every price, USD and CNY prices, MFU values in (0, 1], resolvable
// default-MFU references, PUE ≥ 1 and non-negative grid factors. The
// error lists every problem, each naming the entry and the field.
func (c *Catalogue) Validate() error {
	var errs []string
	add := func(where, format string, a ...any) {
		errs = append(errs, where+": "+fmt.Sprintf(format, a...))
	}
	seen := map[string]string{}
	for i, g := range c.GPUs {
		w := fmt.Sprintf("gpus[%d] (%s)", i, g.ID)
		if g.ID == "" {
			add(w, "id: missing")
		}
		for _, n := range append([]string{g.ID}, g.Aliases...) {
			k := key(n)
			if prev, ok := seen[k]; ok && prev != g.ID {
				add(w, "aliases: %q is already a name of %s", n, prev)
			}
			seen[k] = g.ID
		}
		if g.Name == "" {
			add(w, "name: missing")
		}
		if !(g.BF16TFLOPS > 0) {
			add(w, "bf16_tflops: want > 0, have %g", g.BF16TFLOPS)
		}
		if g.FP8TFLOPS < 0 {
			add(w, "fp8_tflops: want ≥ 0, have %g", g.FP8TFLOPS)
		}
		if !(g.MemoryGB > 0) {
			add(w, "memory_gb: want > 0, have %g", g.MemoryGB)
		}
		if !(g.MemoryBandwidthTBs > 0) {
			add(w, "memory_bandwidth_tbs: want > 0, have %g", g.MemoryBandwidthTBs)
		}
		if g.NVLinkGBs < 0 {
			add(w, "nvlink_gbs: want ≥ 0, have %g", g.NVLinkGBs)
		}
		if g.GPUsPerNode < 1 {
			add(w, "gpus_per_node: want ≥ 1, have %d", g.GPUsPerNode)
		}
		if !(g.TDPW > 0) {
			add(w, "tdp_w: want > 0, have %g", g.TDPW)
		}
		if strings.TrimSpace(g.Specs.Source) == "" || strings.TrimSpace(g.Specs.Date) == "" {
			add(w, "specs: want a source and a date")
		}
		for _, cur := range []money.Currency{money.USD, money.CNY} {
			if _, ok := g.Prices[cur]; !ok {
				add(w, "prices.%s: missing", cur)
			}
		}
		for _, cur := range sortedCurrencies(g.Prices) {
			p := g.Prices[cur]
			if p.Amount.IsNegative() {
				add(w, "prices.%s.amount: want ≥ 0, have %s", cur, p.Amount)
			}
			if strings.TrimSpace(p.Source) == "" || strings.TrimSpace(p.Date) == "" {
				add(w, "prices.%s: want a source and a date", cur)
			}
		}
	}
	mfuIDs := map[string]bool{}
	for i, r := range c.MFU {
		w := fmt.Sprintf("mfu[%d] (%s)", i, r.ID)
		if r.ID == "" {
			add(w, "id: missing")
		}
		mfuIDs[r.ID] = true
		if !(r.Value > 0 && r.Value <= 1) {
			add(w, "value: want in (0, 1], have %g", r.Value)
		}
		if r.Source == "" || r.Date == "" {
			add(w, "want a source and a date")
		}
	}
	if !mfuIDs[c.DefaultMFU.Fallback] {
		add("default_mfu", "fallback: unknown mfu record %q", c.DefaultMFU.Fallback)
	}
	for _, g := range sortedKeys(c.DefaultMFU.ByGPU) {
		if _, err := c.Lookup(g); err != nil {
			add("default_mfu", "by_gpu.%s: unknown GPU", g)
		}
		if !mfuIDs[c.DefaultMFU.ByGPU[g]] {
			add("default_mfu", "by_gpu.%s: unknown mfu record %q", g, c.DefaultMFU.ByGPU[g])
		}
	}
	if c.PUE.Value < 1 {
		add("pue", "value: want ≥ 1, have %g", c.PUE.Value)
	}
	if c.PUE.Source == "" || c.PUE.Date == "" {
		add("pue", "want a source and a date")
	}
	for i, g := range c.Grid {
		w := fmt.Sprintf("grid[%d] (%s)", i, g.ID)
		if g.ID == "" {
			add(w, "id: missing")
		}
		if g.KgCO2ePerKWh < 0 {
			add(w, "kg_co2e_per_kwh: want ≥ 0, have %g", g.KgCO2ePerKWh)
		}
		if g.Source == "" || g.Date == "" {
			add(w, "want a source and a date")
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("hardware catalogue: %s", strings.Join(errs, "; "))
	}
	return nil
}

func sortedCurrencies(m map[money.Currency]Price) []money.Currency {
	var cs []money.Currency
	for c := range m {
		cs = append(cs, c)
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i] < cs[j] })
	return cs
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
