package cli

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/compute/scaling"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// This file holds `kaiwu compute optimal`: a FLOP or money budget →
// compute/scaling → the compute-optimal model size, tokens and predicted
// loss, optionally as a "what does my budget buy" table.

func init() {
	computeCommands = append(computeCommands, newComputeOptimalCommand)
	addMessages(computeOptimalMessages)
}

// computeOptimalMessages are this file's user-visible labels.
var computeOptimalMessages = map[string][2]string{
	"short.compute.optimal": {"Compute-optimal model size and tokens for a FLOP or money budget (Chinchilla, Epoch, Kaplan)", "给定 FLOPs 或资金预算的算力最优模型规模与 token 数（Chinchilla、Epoch、Kaplan）"},
	"co.item":               {"item", "项目"},
	"co.value":              {"value", "数值"},
	"co.law":                {"scaling law", "缩放定律"},
	"co.source":             {"source", "来源"},
	"co.budget":             {"budget", "预算"},
	"co.price":              {"price per GPU-hour", "每 GPU 小时价格"},
	"co.gpu_flops":          {"GPU peak FLOP/s", "GPU 峰值 FLOP/s"},
	"co.mfu":                {"MFU", "MFU（模型算力利用率）"},
	"co.gpu_hours":          {"GPU-hours", "GPU 小时"},
	"co.flops":              {"training FLOPs", "训练 FLOPs"},
	"co.params":             {"optimal parameters N", "最优参数量 N"},
	"co.tokens":             {"optimal tokens D", "最优训练 token 数 D"},
	"co.ratio":              {"tokens per parameter", "每参数 token 数"},
	"co.loss":               {"predicted loss (nats/token)", "预测损失（nats/token）"},
	"co.note":               {"note", "说明"},
	"co.note_text":          {"C = 6·N·D; losses compare only within one law", "C = 6·N·D；损失仅在同一定律内可比"},
}

// ComputeOptimalResult is the JSON shape of `kaiwu compute optimal
// --json` (documented in docs/formats/compute-model.md). Budget,
// Hardware and GPUHours are set for a money budget; Table with --table.
type ComputeOptimalResult struct {
	Law      string              `json:"law"`
	Source   string              `json:"source"`
	Budget   *money.Money        `json:"budget,omitempty"`
	Hardware *scaling.Hardware   `json:"hardware,omitempty"`
	GPUHours *decimal.Decimal    `json:"gpu_hours,omitempty"`
	Optimal  scaling.Row         `json:"optimal"`
	Table    []ComputeOptimalRow `json:"table,omitempty"`
}

// ComputeOptimalRow is one --table row: a scaling.Row, with the money
// budget and GPU-hours that buy it when the budget is money.
type ComputeOptimalRow struct {
	Budget   *money.Money     `json:"budget,omitempty"`
	GPUHours *decimal.Decimal `json:"gpu_hours,omitempty"`
	scaling.Row
}

// parseMoneyFlag reads a money amount with an optional magnitude suffix:
// "$10M", "¥5000万", "10M USD", "USD 2.5", "1,000,000 CNY".
func parseMoneyFlag(s string) (money.Money, error) {
	m, err := money.Parse(s)
	if err != nil {
		return money.Money{}, fmt.Errorf("%q: want an amount with a currency, e.g. \"$10M\", \"¥5000万\" or \"2.5 USD\"", s)
	}
	return m, nil
}

func newComputeOptimalCommand(o *Options) *cobra.Command {
	var flops, budget, price, lawName string
	var gpuFLOPs, mfu float64
	var table bool
	cmd := &cobra.Command{
		Use:   "optimal (--flops C | --budget MONEY --gpu-flops F --mfu U --price P) [--law chinchilla|epoch|kaplan] [--table]",
		Short: T(o.Lang, "short.compute.optimal"),
		Args:  cobra.NoArgs,
	}
	fs := cmd.Flags()
	fs.StringVar(&flops, "flops", "", "training budget in FLOPs, e.g. 1e24")
	fs.StringVar(&budget, "budget", "", "training budget in money, e.g. \"$10M\" or \"¥5000万\" (needs --gpu-flops, --mfu, --price)")
	fs.Float64Var(&gpuFLOPs, "gpu-flops", 0, "peak dense FLOP/s of one GPU, e.g. 989e12 (H100 SXM BF16)")
	fs.Float64Var(&mfu, "mfu", 0, "model FLOPs utilisation in (0, 1], e.g. 0.4")
	fs.StringVar(&price, "price", "", "price per GPU-hour, e.g. 2.5 (in the budget's currency) or \"¥15\"")
	fs.StringVar(&lawName, "law", "chinchilla", "scaling law: "+strings.Join(scaling.Laws(), ", "))
	fs.BoolVar(&table, "table", false, "also print a table of budgets from 1/100 to 100× (FLOPs: 1/1000 to 1000×)")
	cmd.RunE = func(c *cobra.Command, args []string) error {
		law, err := scaling.ByName(lawName)
		if err != nil {
			return fmt.Errorf("--law: %w", err)
		}
		r := ComputeOptimalResult{Law: law.Name(), Source: law.Source()}
		switch {
		case flops != "" && budget != "":
			return fmt.Errorf("--flops: give either --flops or --budget, not both")
		case flops != "":
			for _, f := range []string{"gpu-flops", "mfu", "price"} {
				if fs.Changed(f) {
					return fmt.Errorf("--%s: only used with --budget", f)
				}
			}
			cf, err := strconv.ParseFloat(strings.TrimSpace(flops), 64)
			if err != nil || math.IsNaN(cf) {
				return fmt.Errorf("--flops: %q is not a number (e.g. 1e24)", flops)
			}
			if r.Optimal, err = scaling.Optimal(law, cf); err != nil {
				return fmt.Errorf("--flops: %w", err)
			}
			if table {
				var cs []float64
				for k := -3; k <= 3; k++ {
					cs = append(cs, cf*math.Pow(10, float64(k)))
				}
				rows, err := scaling.BudgetTable(law, cs)
				if err != nil {
					return fmt.Errorf("--table: %w", err)
				}
				for _, row := range rows {
					r.Table = append(r.Table, ComputeOptimalRow{Row: row})
				}
			}
		case budget != "":
			b, err := parseMoneyFlag(budget)
			if err != nil {
				return fmt.Errorf("--budget: %w", err)
			}
			if !b.Amount.IsPositive() {
				return fmt.Errorf("--budget: must be positive, got %s", b)
			}
			if price == "" {
				return fmt.Errorf("--price: a money budget needs the price per GPU-hour")
			}
			var p money.Money
			if d, err := money.ParseAmount(price); err == nil {
				p = money.New(d, b.Currency)
			} else if p, err = parseMoneyFlag(price); err != nil {
				return fmt.Errorf("--price: %w", err)
			}
			if p.Currency != b.Currency {
				return fmt.Errorf("--price: currency %s differs from the budget's %s", p.Currency, b.Currency)
			}
			h := scaling.Hardware{PeakFLOPs: gpuFLOPs, MFU: mfu, PricePerHour: p}
			if err := h.Validate(); err != nil {
				return hardwareFlagError(err)
			}
			rows, err := scaling.MoneyBudgetTable(law, h, []money.Money{b})
			if err != nil {
				return fmt.Errorf("--budget: %w", err)
			}
			r.Budget, r.Hardware, r.GPUHours, r.Optimal = &b, &h, &rows[0].GPUHours, rows[0].Row
			if table {
				var bs []money.Money
				for k := -2; k <= 2; k++ {
					bs = append(bs, money.New(b.Amount.Mul(decimal.New(1, int32(k))), b.Currency))
				}
				mrows, err := scaling.MoneyBudgetTable(law, h, bs)
				if err != nil {
					return fmt.Errorf("--table: %w", err)
				}
				for i := range mrows {
					m := mrows[i]
					r.Table = append(r.Table, ComputeOptimalRow{Budget: &m.Budget, GPUHours: &m.GPUHours, Row: m.Row})
				}
			}
		default:
			return fmt.Errorf("--flops: give a budget: --flops C, or --budget MONEY with --gpu-flops, --mfu and --price")
		}
		return o.render(r, computeOptimalTable(o, r))
	}
	return cmd
}

// hardwareFlagError names the flag behind a scaling.Hardware error.
func hardwareFlagError(err error) error {
	s := err.Error()
	for field, flag := range map[string]string{"peak_flops": "--gpu-flops", "mfu": "--mfu", "price_per_gpu_hour": "--price"} {
		s = strings.ReplaceAll(s, "scaling: "+field+":", flag+":")
	}
	return fmt.Errorf("%s", s)
}

func computeOptimalTable(o *Options, r ComputeOptimalResult) Table {
	if len(r.Table) > 0 {
		t := Table{Right: map[int]bool{}}
		if r.Budget != nil {
			t.Header = append(t.Header, o.T("co.budget"), o.T("co.gpu_hours"))
		}
		t.Header = append(t.Header, o.T("co.flops"), o.T("co.params"), o.T("co.tokens"), o.T("co.ratio"), o.T("co.loss"))
		for i := range t.Header {
			t.Right[i] = true
		}
		for _, row := range r.Table {
			var cells []string
			if row.Budget != nil {
				cells = append(cells, row.Budget.Round().String(), money.Group(row.GPUHours.StringFixed(0)))
			}
			cells = append(cells, cmFLOPs(row.FLOPs), cmSI(row.Params), cmSI(row.Tokens),
				fmt.Sprintf("%.1f", row.TokensPerParam), fmt.Sprintf("%.3f", row.Loss))
			t.Rows = append(t.Rows, cells)
		}
		return t
	}
	t := Table{Header: []string{o.T("co.item"), o.T("co.value")}}
	add := func(k, v string) { t.Rows = append(t.Rows, []string{o.T(k), v}) }
	add("co.law", r.Law)
	add("co.source", r.Source)
	if r.Budget != nil {
		add("co.budget", r.Budget.Round().String())
		add("co.price", r.Hardware.PricePerHour.String())
		add("co.gpu_flops", cmFLOPs(r.Hardware.PeakFLOPs))
		add("co.mfu", fmt.Sprintf("%.1f%%", 100*r.Hardware.MFU))
		add("co.gpu_hours", money.Group(r.GPUHours.StringFixed(0)))
	}
	add("co.flops", cmFLOPs(r.Optimal.FLOPs))
	add("co.params", cmSI(r.Optimal.Params))
	add("co.tokens", cmSI(r.Optimal.Tokens))
	add("co.ratio", fmt.Sprintf("%.1f", r.Optimal.TokensPerParam))
	add("co.loss", fmt.Sprintf("%.3f", r.Optimal.Loss))
	add("co.note", o.T("co.note_text"))
	return t
}
