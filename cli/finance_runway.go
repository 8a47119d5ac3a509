package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/finance/runway"
)

func init() {
	financeCommands = append(financeCommands, newFinanceRunwayCommand)
	addMessages(map[string][2]string{
		"short.finance.runway":     {"Burn, runway, default alive/dead and fundraising timing of a monthly plan", "月度计划的烧钱率、现金跑道、默认存活/死亡与融资时点"},
		"runway.month":             {"month", "月份"},
		"runway.revenue":           {"revenue", "收入"},
		"runway.headcount":         {"headcount", "人员"},
		"runway.compute":           {"compute", "算力"},
		"runway.other":             {"other", "其他"},
		"runway.costs":             {"costs", "总支出"},
		"runway.net_burn":          {"net burn", "净烧钱"},
		"runway.financing":         {"financing", "融资现金流"},
		"runway.cash":              {"cash", "现金余额"},
		"runway.item":              {"item", "项目"},
		"runway.value":             {"value", "数值"},
		"runway.scenario":          {"scenario", "情景"},
		"runway.gross_burn_now":    {"gross burn (first month)", "毛烧钱（首月）"},
		"runway.net_burn_now":      {"net burn (first month)", "净烧钱（首月）"},
		"runway.net_burn_avg3":     {"net burn (3-month average)", "净烧钱（前3个月平均）"},
		"runway.simple_runway":     {"cash ÷ net burn (months)", "现金 ÷ 净烧钱（月）"},
		"runway.runway":            {"runway (months)", "现金跑道（月）"},
		"runway.survives":          {"cash lasts the whole plan", "现金可支撑整个计划期"},
		"runway.out_of_cash":       {"out of cash in", "现金耗尽月份"},
		"runway.none":              {"—", "—"},
		"runway.break_even":        {"break-even month", "盈亏平衡月份"},
		"runway.alive":             {"default alive or dead (Paul Graham)", "默认存活还是默认死亡（Paul Graham）"},
		"runway.is_alive":          {"default alive", "默认存活"},
		"runway.is_dead":           {"default dead", "默认死亡"},
		"runway.profit_in":         {"profitable in (months, flat costs)", "盈利所需月数（成本不变）"},
		"runway.capital_needed":    {"capital needed to profitability", "实现盈利前所需资金"},
		"runway.close_by":          {"round must close by", "最晚交割月份"},
		"runway.start_raising_by":  {"start raising by", "最晚开始融资月份"},
		"runway.late_by":           {"late by (months)", "已落后（月）"},
		"runway.milestone":         {"milestone", "里程碑"},
		"runway.milestone_missed":  {"not reached within the plan", "计划期内未达成"},
		"runway.needed":            {"shortfall to milestone", "达成里程碑的资金缺口"},
		"runway.raise":             {"amount to raise (with margin)", "建议融资额（含安全边际）"},
		"runway.runway_after":      {"runway after the raise (months from close)", "融资后跑道（自交割起，月）"},
		"runway.never_runs_out":    {"cash never runs out", "现金不会耗尽"},
		"runway.for18":             {"round for 18 months of runway", "18个月跑道所需融资额"},
		"runway.for24":             {"round for 24 months of runway", "24个月跑道所需融资额"},
		"runway.flag.file":         {"plan document (YAML or JSON; - for standard input)", "计划文档（YAML 或 JSON；- 表示标准输入）"},
		"runway.flag.scenario":     {"scenario: base, bull, bear or one the plan defines", "情景：base、bull、bear 或计划中定义的情景"},
		"runway.flag.raise_months": {"months a round takes to close (overrides the plan)", "一轮融资所需月数（覆盖计划中的设定）"},
	})
}

// runwayDecode decodes a YAML or JSON document, rejecting unknown fields.
func runwayDecode(path string, b []byte, v any) error {
	if isJSONPath(path) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(v); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && err != io.EOF {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func newFinanceRunwayCommand(o *Options) *cobra.Command {
	var file, scenario string
	var raiseMonths int
	cmd := &cobra.Command{
		Use:   "runway -f PLAN [--scenario base|bull|bear] [--raise-months N]",
		Short: o.T("short.finance.runway"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			b, err := readDocument(file)
			if err != nil {
				return err
			}
			var p runway.Plan
			if err := runwayDecode(file, b, &p); err != nil {
				return err
			}
			if c.Flags().Changed("raise-months") && (raiseMonths < 1 || raiseMonths > 36) {
				return fmt.Errorf("--raise-months %d: want 1 to 36", raiseMonths)
			}
			r, err := runway.Project(&p, runway.Options{Scenario: scenario, RaiseMonths: raiseMonths})
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			if o.JSON {
				return writeJSON(o.Out(), r)
			}
			if err := runwayTable(o, r).Write(o.Out()); err != nil {
				return err
			}
			fmt.Fprintln(o.Out())
			return runwaySummary(o, r).Write(o.Out())
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", o.T("runway.flag.file"))
	cmd.Flags().StringVar(&scenario, "scenario", "base", o.T("runway.flag.scenario"))
	cmd.Flags().IntVar(&raiseMonths, "raise-months", 0, o.T("runway.flag.raise_months"))
	return cmd
}

func runwayTable(o *Options, r *runway.Result) Table {
	t := Table{Header: []string{o.T("runway.month"), o.T("runway.revenue"), o.T("runway.headcount"), o.T("runway.compute"),
		o.T("runway.other"), o.T("runway.costs"), o.T("runway.net_burn"), o.T("runway.financing"), o.T("runway.cash")},
		Right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true}}
	for _, row := range r.Rows {
		t.Rows = append(t.Rows, []string{row.Month.String(), row.Revenue.String(), row.Headcount.String(), row.Compute.String(),
			row.Other.String(), row.Costs.String(), row.NetBurn.String(), row.Financing.String(), row.Cash.String()})
	}
	return t
}

func runwaySummary(o *Options, r *runway.Result) Table {
	none := o.T("runway.none")
	month := func(m *runway.Month) string {
		if m == nil {
			return none
		}
		return m.String()
	}
	t := Table{Header: []string{o.T("runway.item"), o.T("runway.value")}}
	add := func(k, v string) { t.Rows = append(t.Rows, []string{o.T(k), v}) }
	add("runway.scenario", r.Scenario)
	add("runway.gross_burn_now", r.Burn.Gross.String())
	add("runway.net_burn_now", r.Burn.Net.String())
	add("runway.net_burn_avg3", r.Burn.NetAvg3.String())
	if r.Burn.SimpleRunway != nil {
		add("runway.simple_runway", r.Burn.SimpleRunway.StringFixed(1))
	}
	if r.Runway.Survives {
		add("runway.runway", "≥ "+r.Runway.Months.String()+" ("+o.T("runway.survives")+")")
	} else {
		add("runway.runway", r.Runway.Months.StringFixed(1))
	}
	add("runway.out_of_cash", month(r.Runway.OutOfCash))
	add("runway.break_even", month(r.BreakEven))
	a := r.Alive
	verdict := o.T("runway.is_dead")
	if a.Alive {
		verdict = o.T("runway.is_alive")
	}
	add("runway.alive", verdict)
	if a.MonthsToProfit != nil {
		add("runway.profit_in", fmt.Sprintf("%d (%s)", *a.MonthsToProfit, a.ProfitMonth))
		add("runway.capital_needed", a.CapitalNeeded.String())
	}
	f := r.Fundraising
	add("runway.close_by", month(f.CloseBy))
	add("runway.start_raising_by", month(f.StartBy))
	if f.LateByMonths > 0 {
		add("runway.late_by", itoa(f.LateByMonths))
	}
	ms := f.Milestone
	if !f.MilestoneReached {
		ms += " (" + o.T("runway.milestone_missed") + ")"
	} else if f.MilestoneMonth != nil && ms != f.MilestoneMonth.String() {
		ms += " (" + f.MilestoneMonth.String() + ")"
	}
	add("runway.milestone", ms)
	add("runway.needed", f.Needed.String())
	add("runway.raise", f.Raise.String())
	if f.RunwayAfterRaise != nil {
		add("runway.runway_after", f.RunwayAfterRaise.StringFixed(1))
	} else if f.SurvivesAfterRaise {
		add("runway.runway_after", o.T("runway.never_runs_out"))
	}
	add("runway.for18", f.For18Months.String())
	add("runway.for24", f.For24Months.String())
	return t
}
