package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/hw"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// This file holds `kaiwu compute gpus`: the hardware catalogue
// (compute/hw) as a table with its sources, or as JSON (--json).

func init() {
	computeCommands = append(computeCommands, newComputeGPUsCommand)
	addMessages(computeGPUsMessages)
}

// computeGPUsMessages are this file's user-visible labels.
var computeGPUsMessages = map[string][2]string{
	"short.compute.gpus": {"Hardware catalogue: accelerators' peaks, memory, interconnect, power and prices, with sources", "硬件目录：各加速卡的峰值算力、显存、互联、功耗与价格（附来源）"},
	"cgpu.id":            {"id", "编号"},
	"cgpu.name":          {"name", "名称"},
	"cgpu.bf16":          {"BF16 TFLOP/s", "BF16 TFLOP/s"},
	"cgpu.fp8":           {"FP8 TFLOP/s", "FP8 TFLOP/s"},
	"cgpu.mem":           {"memory GB", "显存 GB"},
	"cgpu.bw":            {"bandwidth TB/s", "带宽 TB/s"},
	"cgpu.nvlink":        {"scale-up GB/s", "卡间互联 GB/s"},
	"cgpu.tdp":           {"TDP W", "功耗 W"},
	"cgpu.usd":           {"USD/GPU-h", "美元/卡时"},
	"cgpu.cny":           {"CNY/GPU-h", "人民币/卡时"},
	"cgpu.what":          {"number", "数据"},
	"cgpu.source":        {"source", "来源"},
	"cgpu.date":          {"date", "日期"},
	"cgpu.specs":         {"specs", "规格"},
	"cgpu.price":         {"price", "价格"},
	"cgpu.export":        {"export control", "出口管制"},
	"cgpu.estimate":      {"estimate", "估计"},
	"cgpu.mfu":           {"MFU", "MFU"},
	"cgpu.hardware":      {"hardware", "硬件"},
	"cgpu.default_for":   {"default for", "默认用于"},
	"cgpu.pue":           {"PUE", "PUE"},
	"cgpu.grid":          {"grid kg CO2e/kWh", "电网排放因子 kg CO2e/kWh"},
	"cgpu.none":          {"—", "—"},
}

// loadCatalogue reads the hardware catalogue with the user's overrides
// from file ("" for none).
func hwLoadCatalogue(file string) (*hw.Catalogue, error) {
	if file == "" {
		return hw.Default(), nil
	}
	data, err := readDocument(file)
	if err != nil {
		return nil, err
	}
	c, err := hw.Load(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return c, nil
}

func hwFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func newComputeGPUsCommand(o *Options) *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "gpus [--file OVERRIDES]",
		Short: T(o.Lang, "short.compute.gpus"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			cat, err := hwLoadCatalogue(file)
			if err != nil {
				return err
			}
			if o.JSON {
				return writeJSON(o.Out(), cat)
			}
			return hwWriteTables(o, gpuTables(o, cat)...)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "YAML or JSON document overriding or adding catalogue entries (same shape as `compute/hw/catalogue.yaml`)")
	return cmd
}

// writeTables writes tables separated by blank lines.
func hwWriteTables(o *Options, ts ...Table) error {
	for i, t := range ts {
		if i > 0 {
			if _, err := fmt.Fprintln(o.Out()); err != nil {
				return err
			}
		}
		if err := t.Write(o.Out()); err != nil {
			return err
		}
	}
	return nil
}

func gpuTables(o *Options, cat *hw.Catalogue) []Table {
	specs := Table{Header: []string{o.T("cgpu.id"), o.T("cgpu.name"), o.T("cgpu.bf16"), o.T("cgpu.fp8"), o.T("cgpu.mem"), o.T("cgpu.bw"),
		o.T("cgpu.nvlink"), o.T("cgpu.tdp"), o.T("cgpu.usd"), o.T("cgpu.cny")},
		Right: map[int]bool{2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true}}
	est := func(c hw.Cited) string {
		if c.Estimate {
			return "*"
		}
		return ""
	}
	dash := func(x float64) string {
		if x == 0 {
			return o.T("cgpu.none")
		}
		return hwFloat(x)
	}
	sources := Table{Header: []string{o.T("cgpu.id"), o.T("cgpu.what"), o.T("cgpu.date"), o.T("cgpu.source")}}
	for _, g := range cat.GPUs {
		row := []string{g.ID, g.Name + est(g.Specs), hwFloat(g.BF16TFLOPS), dash(g.FP8TFLOPS), hwFloat(g.MemoryGB), hwFloat(g.MemoryBandwidthTBs),
			dash(g.NVLinkGBs), hwFloat(g.TDPW)}
		for _, cur := range []money.Currency{money.USD, money.CNY} {
			if p, ok := g.Prices[cur]; ok {
				row = append(row, p.Amount.StringFixed(2)+est(p.Cited))
			} else {
				row = append(row, o.T("cgpu.none"))
			}
		}
		specs.Rows = append(specs.Rows, row)
		sources.Rows = append(sources.Rows, []string{g.ID, o.T("cgpu.specs") + est(g.Specs), g.Specs.Date, g.Specs.Source})
		for _, cur := range []money.Currency{money.USD, money.CNY} {
			if p, ok := g.Prices[cur]; ok {
				sources.Rows = append(sources.Rows, []string{"", o.T("cgpu.price") + " " + string(cur) + est(p.Cited), p.Date, p.Source})
			}
		}
		if g.ExportControl != "" {
			sources.Rows = append(sources.Rows, []string{"", o.T("cgpu.export"), "", g.ExportControl})
		}
	}
	mfu := Table{Header: []string{o.T("cgpu.mfu"), "", o.T("cgpu.hardware"), o.T("cgpu.default_for"), o.T("cgpu.source")}, Right: map[int]bool{1: true}}
	for _, r := range cat.MFU {
		var users []string
		for _, g := range cat.GPUs {
			if cat.DefaultMFUFor(&g).ID == r.ID {
				users = append(users, g.ID)
			}
		}
		mfu.Rows = append(mfu.Rows, []string{r.ID + est(r.Cited), fmt.Sprintf("%.1f%%", 100*r.Value), r.Hardware, strings.Join(users, ", "), r.Source + " (" + r.Date + ")"})
	}
	env := Table{Header: []string{o.T("cgpu.what"), "", o.T("cgpu.source")}, Right: map[int]bool{1: true}}
	env.Rows = append(env.Rows, []string{o.T("cgpu.pue") + est(cat.PUE.Cited), hwFloat(cat.PUE.Value), cat.PUE.Source + " (" + cat.PUE.Date + ")"})
	for _, g := range cat.Grid {
		env.Rows = append(env.Rows, []string{o.T("cgpu.grid") + ": " + g.Name + est(g.Cited), hwFloat(g.KgCO2ePerKWh), g.Source + " (" + g.Date + ")"})
	}
	note := Table{Rows: [][]string{{"* " + o.T("cgpu.estimate")}}}
	return []Table{specs, sources, mfu, env, note}
}
