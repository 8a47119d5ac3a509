package cli

import (
	"bytes"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/compute/train"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/runway"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// This file holds `kaiwu compute runway`: a compute plan — a training run
// (compute/train's monthly Schedule) and serving at a monthly token volume
// (compute/serve) — turned into `costs.compute` lines of a runway plan
// (finance/runway), printed as YAML or merged into a plan and projected
// with and without them.
//
// The conversion lives here, at the edge: compute and finance stay free of
// each other (DESIGN.md: no imports between domains), and the meeting
// point is the runway document's own cost-line format, which a user can
// also paste by hand.

func init() {
	computeCommands = append(computeCommands, newComputeRunwayCommand)
	addMessages(map[string][2]string{
		"short.compute.runway": {"Turn a training run and serving volume into runway cost lines; merge into a plan and project",
			"把训练计划与推理用量转为现金跑道成本项；可并入计划并重新测算"},
		"crw.item":          {"item", "项目"},
		"crw.without":       {"without compute plan", "不含算力计划"},
		"crw.with":          {"with compute plan", "含算力计划"},
		"crw.compute_total": {"compute costs over the plan", "计划期算力总支出"},
		"crw.runway":        {"runway (months)", "现金跑道（月）"},
		"crw.out_of_cash":   {"out of cash in", "现金耗尽月份"},
		"crw.cash_end":      {"cash at the end", "期末现金"},
		"crw.break_even":    {"break-even month", "盈亏平衡月份"},
		"crw.alive":         {"default alive", "默认存活"},
		"crw.raise":         {"amount to raise", "建议融资额"},
		"crw.none":          {"—", "—"},
		"crw.inference": {"inference {model} on {gpu} × {tp} (batch {batch}, {utilisation} utilised)",
			"在 {gpu} × {tp} 上推理 {model}（批大小 {batch}，利用率 {utilisation}）"},
		"crw.yes":             {"yes", "是"},
		"crw.no":              {"no", "否"},
		"crw.header":          {"compute cost lines for a runway plan: paste under costs.compute (docs/formats/finance-runway.md)", "现金跑道计划的算力成本项：粘贴到 costs.compute 下（见 docs/formats/finance-runway.md）"},
		"crw.flag.plan":       {"runway plan to merge the lines into and project (YAML or JSON)", "并入并测算的现金跑道计划（YAML 或 JSON）"},
		"crw.flag.scenario":   {"runway scenario: base, bull, bear or the plan's own", "现金跑道情景：base、bull、bear 或计划自定义"},
		"crw.flag.serve_from": {"first month of serving, YYYY-MM (omit: no serving)", "开始推理服务的月份 YYYY-MM（省略则不含推理）"},
		"crw.flag.serve_to":   {"last month of serving (default: the plan's end)", "推理服务的最后月份（默认到计划结束）"},
		"crw.flag.tokens_in":  {"input tokens served in the first month, e.g. 3e9 or 3B", "首月输入 token 量，如 3e9 或 3B"},
		"crw.flag.tokens_out": {"output tokens served in the first month", "首月输出 token 量"},
		"crw.flag.growth":     {"monthly growth of the token volume, e.g. 10%", "token 用量月增长率，如 10%"},
	})
}

// computeCostLine is one runway cost line as the YAML document writes it:
// a lump (Month + Amount: one training month) or recurring GPU-hours ×
// price from From to To growing by Growth (serving).
type computeCostLine struct {
	Name            string `yaml:"name" json:"name"`
	Month           string `yaml:"month,omitempty" json:"month,omitempty"`
	Amount          string `yaml:"amount,omitempty" json:"amount,omitempty"`
	GPUHours        string `yaml:"gpu_hours,omitempty" json:"gpu_hours,omitempty"`
	PricePerGPUHour string `yaml:"price_per_gpu_hour,omitempty" json:"price_per_gpu_hour,omitempty"`
	Growth          string `yaml:"growth,omitempty" json:"growth,omitempty"`
	From            string `yaml:"from,omitempty" json:"from,omitempty"`
	To              string `yaml:"to,omitempty" json:"to,omitempty"`
	// display is Name in the user's language, for the printed YAML
	// (JSON keeps the English Name); "" means Name.
	display string
}

// displayed returns lines with their names in the user's language.
func displayed(lines []computeCostLine) []computeCostLine {
	out := make([]computeCostLine, len(lines))
	for i, l := range lines {
		if l.display != "" {
			l.Name = l.display
		}
		out[i] = l
	}
	return out
}

// runway converts l to the runway plan's type.
func (l computeCostLine) runway() runway.CostLine {
	return runway.CostLine{Name: l.Name, Month: l.Month, Amount: runway.Num(l.Amount), GPUHours: runway.Num(l.GPUHours),
		PricePerGPUHour: runway.Num(l.PricePerGPUHour), Growth: runway.Num(l.Growth), From: l.From, To: l.To}
}

// trainingLines turns a training schedule into one lump line per month.
func trainingLines(o *Options, s []train.MonthlyCost) []computeCostLine {
	var out []computeCostLine
	for _, m := range s {
		out = append(out, computeCostLine{Name: m.Label, Month: m.Month, Amount: m.Amount.StringFixed(2),
			display: o.Note("note.train.", m.LabelDetail)})
	}
	return out
}

// servingLine is the serving bill as one recurring line: the first month's
// GPU-hours (rounded to 0.01 h) at the serving price, growing monthly.
func servingLine(name string, mo serve.Monthly, price money.Money, growth, from, to string) computeCostLine {
	return computeCostLine{Name: name, GPUHours: decimal.NewFromFloat(mo.GPUHours).Round(2).String(),
		PricePerGPUHour: price.Amount.String(), Growth: growth, From: from, To: to}
}

// computeLinesYAML renders lines as a `costs: compute:` fragment.
func computeLinesYAML(header string, lines []computeCostLine) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	doc := map[string]map[string][]computeCostLine{"costs": {"compute": lines}}
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// mergeCompute returns a copy of p with lines appended to costs.compute.
func mergeCompute(p runway.Plan, lines []computeCostLine) runway.Plan {
	q := p
	q.Costs.Compute = append([]runway.CostLine(nil), p.Costs.Compute...)
	for _, l := range lines {
		q.Costs.Compute = append(q.Costs.Compute, l.runway())
	}
	return q
}

// computeRunwayOutput is the --json shape.
type computeRunwayOutput struct {
	Currency money.Currency        `json:"currency"`
	Lines    []computeCostLine     `json:"lines"`
	Training *train.Plan           `json:"training,omitempty"`
	Schedule []train.MonthlyCost   `json:"schedule,omitempty"`
	Serving  *computeRunwayServing `json:"serving,omitempty"`
	Without  *runway.Result        `json:"without,omitempty"`
	With     *runway.Result        `json:"with,omitempty"`
}

// computeRunwayServing is the serving part of the --json shape.
type computeRunwayServing struct {
	Operating serve.Row     `json:"operating_point"`
	Monthly   serve.Monthly `json:"first_month"`
	Growth    string        `json:"growth"`
	From      string        `json:"from"`
	To        string        `json:"to,omitempty"`
}

func newComputeRunwayCommand(o *Options) *cobra.Command {
	var sf serveFlags
	var tf trainFlags
	var planFile, scenario, serveFrom, serveTo, tokIn, tokOut, growth string
	cmd := &cobra.Command{
		Use:   "runway (--preset NAME | model flags) [--train-start YYYY-MM --train-gpus N …] [--serve-from YYYY-MM --tokens-in N --tokens-out N …] [--plan PLAN.yaml]",
		Short: o.T("short.compute.runway"),
		Args:  cobra.NoArgs,
	}
	mf := addModelFlags(cmd)
	sf.add(o, cmd, "serve-")
	tf.add(cmd, "train-", "h100", false)
	fl := cmd.Flags()
	fl.StringVar(&planFile, "plan", "", o.T("crw.flag.plan"))
	fl.StringVar(&scenario, "scenario", "base", o.T("crw.flag.scenario"))
	fl.StringVar(&serveFrom, "serve-from", "", o.T("crw.flag.serve_from"))
	fl.StringVar(&serveTo, "serve-to", "", o.T("crw.flag.serve_to"))
	fl.StringVar(&tokIn, "tokens-in", "0", o.T("crw.flag.tokens_in"))
	fl.StringVar(&tokOut, "tokens-out", "0", o.T("crw.flag.tokens_out"))
	fl.StringVar(&growth, "serve-growth", "0%", o.T("crw.flag.growth"))
	cmd.RunE = func(c *cobra.Command, args []string) error {
		if tf.start == "" && serveFrom == "" {
			return fmt.Errorf("--train-start: give a training run (--train-start), serving (--serve-from), or both")
		}
		// The plan first: its currency is the default.
		var plan *runway.Plan
		if planFile != "" {
			b, err := readDocument(planFile)
			if err != nil {
				return fmt.Errorf("--plan: %w", err)
			}
			var p runway.Plan
			if err := runwayDecode(planFile, b, &p); err != nil {
				return fmt.Errorf("--plan: %w", err)
			}
			pc, err := money.ParseCurrency(p.Currency)
			if err != nil {
				return fmt.Errorf("--plan: %s: currency: %w", planFile, err)
			}
			if !c.Flags().Changed("currency") {
				sf.currency = string(pc)
			} else if cur, err := money.ParseCurrency(sf.currency); err == nil && cur != pc {
				return fmt.Errorf("--currency %s: the plan %s is in %s", cur, planFile, pc)
			}
			plan = &p
		}
		cur, err := money.ParseCurrency(sf.currency)
		if err != nil {
			return fmt.Errorf("--currency: %w", err)
		}
		out := computeRunwayOutput{Currency: cur}

		if tf.start != "" {
			if _, err := runway.ParseMonth(tf.start); err != nil {
				return fmt.Errorf("--train-start: %w", err)
			}
			if tf.gpus < 1 {
				return fmt.Errorf("--train-gpus %d: want at least 1 GPU", tf.gpus)
			}
			arch, err := mf.arch()
			if err != nil {
				return err
			}
			in, err := tf.input(c, arch, cur)
			if err != nil {
				return err
			}
			tp, err := train.New(in)
			if err != nil {
				return tf.errors(err)
			}
			sched, err := tp.Schedule(tf.start)
			if err != nil {
				return tf.errors(err)
			}
			out.Training, out.Schedule = tp, sched
			out.Lines = append(out.Lines, trainingLines(o, sched)...)
		}

		if serveFrom != "" {
			if _, err := runway.ParseMonth(serveFrom); err != nil {
				return fmt.Errorf("--serve-from: %w", err)
			}
			if serveTo != "" {
				if _, err := runway.ParseMonth(serveTo); err != nil {
					return fmt.Errorf("--serve-to: %w", err)
				}
			}
			in, err := parseCountFlag(tokIn)
			if err != nil || in < 0 {
				return fmt.Errorf("--tokens-in %q: want a non-negative token count", tokIn)
			}
			outTok, err := parseCountFlag(tokOut)
			if err != nil || outTok < 0 {
				return fmt.Errorf("--tokens-out %q: want a non-negative token count", tokOut)
			}
			if in == 0 && outTok == 0 {
				return fmt.Errorf("--tokens-out: give the monthly token volume (--tokens-in, --tokens-out)")
			}
			if _, err := money.ParseFraction(growth); err != nil {
				return fmt.Errorf("--serve-growth %q: want a monthly rate such as 10%%", growth)
			}
			r, err := sf.analyze(mf, "serve-")
			if err != nil {
				return err
			}
			row, ok := r.Operating()
			if !ok {
				return fmt.Errorf("--tp %d: %s does not fit on %d × %s; try --tp %d", sf.tp, r.Model, sf.tp, r.GPU, r.MinTP)
			}
			pi, po := serveMoneyOrNil(sf.priceIn, cur), serveMoneyOrNil(sf.priceOut, cur)
			mo := r.Monthly(row, in, outTok, pi, po)
			args := map[string]string{"model": r.Model, "gpu": r.GPU, "tp": itoa(r.TP), "batch": itoa(row.Batch),
				"utilisation": fmt.Sprintf("%.0f%%", 100*r.Utilisation)}
			out.Serving = &computeRunwayServing{Operating: row, Monthly: mo, Growth: growth, From: serveFrom, To: serveTo}
			line := servingLine(msg.Format(messages["crw.inference"][0], args), mo, r.GPUPrice, growth, serveFrom, serveTo)
			line.display = msg.Format(o.T("crw.inference"), args)
			out.Lines = append(out.Lines, line)
		}

		if plan == nil {
			if o.JSON {
				return writeJSON(o.Out(), out)
			}
			y, err := computeLinesYAML(o.T("crw.header"), displayed(out.Lines))
			if err != nil {
				return err
			}
			_, err = o.Out().Write(y)
			return err
		}
		opts := runway.Options{Scenario: scenario}
		if out.Without, err = runway.Project(plan, opts); err != nil {
			return fmt.Errorf("--plan: %s: %w", planFile, err)
		}
		merged := mergeCompute(*plan, out.Lines)
		if out.With, err = runway.Project(&merged, opts); err != nil {
			return fmt.Errorf("--plan: %s with the compute lines: %w", planFile, err)
		}
		if o.JSON {
			return writeJSON(o.Out(), out)
		}
		if err := runwayTable(o, out.With).Write(o.Out()); err != nil {
			return err
		}
		fmt.Fprintln(o.Out())
		return computeRunwayCompare(o, out.Without, out.With).Write(o.Out())
	}
	return cmd
}

// serveMoneyOrNil is serveMoney for flags already checked.
func serveMoneyOrNil(s string, c money.Currency) *money.Money {
	m, err := serveMoney("", s, c)
	if err != nil {
		return nil
	}
	return m
}

// computeRunwayCompare sets the projections side by side.
func computeRunwayCompare(o *Options, a, b *runway.Result) Table {
	t := Table{Header: []string{o.T("crw.item"), o.T("crw.without"), o.T("crw.with")}, Right: map[int]bool{1: true, 2: true}}
	month := func(m *runway.Month) string {
		if m == nil {
			return o.T("crw.none")
		}
		return m.String()
	}
	sum := func(r *runway.Result) string {
		s := decimal.Zero
		for _, row := range r.Rows {
			s = s.Add(row.Compute.Amount)
		}
		return money.New(s, r.Currency).String()
	}
	yes := func(v bool) string {
		if v {
			return o.T("crw.yes")
		}
		return o.T("crw.no")
	}
	rw := func(r *runway.Result) string {
		if r.Runway.Survives {
			return "≥ " + r.Runway.Months.String()
		}
		return r.Runway.Months.String()
	}
	add := func(k, x, y string) { t.Rows = append(t.Rows, []string{o.T(k), x, y}) }
	add("crw.compute_total", sum(a), sum(b))
	add("crw.runway", rw(a), rw(b))
	add("crw.out_of_cash", month(a.Runway.OutOfCash), month(b.Runway.OutOfCash))
	add("crw.cash_end", a.Rows[len(a.Rows)-1].Cash.String(), b.Rows[len(b.Rows)-1].Cash.String())
	add("crw.break_even", month(a.BreakEven), month(b.BreakEven))
	add("crw.alive", yes(a.Alive.Alive), yes(b.Alive.Alive))
	add("crw.raise", a.Fundraising.Raise.String(), b.Fundraising.Raise.String())
	return t
}
