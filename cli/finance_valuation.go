package cli

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/termsheet"
	"github.com/kaiwu-ai/kaiwu/finance/valuation"
)

// This file holds `kaiwu finance valuation …`, `kaiwu finance antidilution`
// and `kaiwu finance offers`: parse → finance/valuation or
// finance/termsheet → table (default) or JSON (--json).

func init() {
	financeCommands = append(financeCommands, newValuationCommand, newAntiDilutionCommand, newOffersCommand)
	addMessages(valuationMessages)
}

// valuationMessages are this file's user-visible labels, merged into
// messages at init.
var valuationMessages = map[string][2]string{
	"short.valuation":               {"Value the company: VC method, Scorecard, Berkus, Risk Factor Summation, First Chicago, DCF, multiples", "公司估值：VC 法、记分卡法、Berkus 法、风险因素加总法、第一芝加哥法、DCF、可比倍数"},
	"short.valuation.vc":            {"VC method: exit value, target return and later-round dilution → pre-money", "VC 法：退出价值、目标回报与后续稀释 → 投前估值"},
	"short.valuation.scorecard":     {"Payne's Scorecard: average comparable pre-money × weighted comparison", "Payne 记分卡法：可比公司平均投前估值 × 加权比较系数"},
	"short.valuation.berkus":        {"Berkus method: value added by five risk-reducing elements", "Berkus 法：五项降低风险要素各自增加的价值"},
	"short.valuation.risk-factor":   {"Risk Factor Summation: twelve risks scored -2..+2", "风险因素加总法：十二项风险按 -2..+2 评分"},
	"short.valuation.first-chicago": {"First Chicago: probability-weighted scenarios", "第一芝加哥法：按概率加权的情景"},
	"short.valuation.dcf":           {"Discounted cash flow with Gordon-growth or exit-multiple terminal value", "现金流折现：戈登增长或退出倍数终值"},
	"short.valuation.multiples":     {"Comparable companies' multiples: quartiles × the company's metric", "可比公司倍数：四分位数 × 公司指标"},
	"short.valuation.football":      {"Football field: every method's range side by side", "估值区间图：各方法区间并列"},
	"short.antidilution":            {"Anti-dilution: adjusted conversion price in a down round", "反稀释：降价融资后的调整转换价格"},
	"short.offers":                  {"Compare term-sheet offers by the founders' proceeds across exits", "比较投资条款：各退出价值下创始人所得"},

	"valuation.item":           {"item", "项目"},
	"valuation.value":          {"value", "数值"},
	"valuation.method":         {"method", "方法"},
	"valuation.low":            {"low", "低"},
	"valuation.mid":            {"mid", "中"},
	"valuation.high":           {"high", "高"},
	"valuation.overall":        {"overall", "总体"},
	"valuation.investment":     {"investment", "投资额"},
	"valuation.terminal":       {"terminal (exit) value", "终值（退出价值）"},
	"valuation.req_multiple":   {"required multiple", "要求回报倍数"},
	"valuation.post_nodil":     {"post-money before dilution", "不计稀释的投后估值"},
	"valuation.retention":      {"retention", "保留比例"},
	"valuation.own_exit":       {"ownership needed at exit", "退出时所需持股"},
	"valuation.own_close":      {"ownership needed at close", "交割时所需持股"},
	"valuation.post":           {"post-money", "投后估值"},
	"valuation.pre":            {"pre-money", "投前估值"},
	"valuation.new_shares":     {"new shares", "新发股数"},
	"valuation.price":          {"price per share", "每股价格"},
	"valuation.factor":         {"factor", "因素"},
	"valuation.weight":         {"weight", "权重"},
	"valuation.comparison":     {"comparison", "比较系数"},
	"valuation.contribution":   {"contribution", "贡献"},
	"valuation.average":        {"average comparable pre-money", "可比公司平均投前估值"},
	"valuation.sum_factor":     {"sum of factors", "因素合计"},
	"valuation.max":            {"maximum", "上限"},
	"valuation.cap":            {"cap", "最高值"},
	"valuation.risk":           {"risk", "风险"},
	"valuation.score":          {"score", "评分"},
	"valuation.adjustment":     {"adjustment", "调整额"},
	"valuation.total":          {"total", "合计"},
	"valuation.scenario":       {"scenario", "情景"},
	"valuation.probability":    {"probability", "概率"},
	"valuation.pv":             {"present value", "现值"},
	"valuation.weighted":       {"weighted value", "加权价值"},
	"valuation.expected":       {"probability-weighted value", "概率加权价值"},
	"valuation.year":           {"year", "年"},
	"valuation.cash_flow":      {"cash flow", "现金流"},
	"valuation.discount":       {"discount factor", "折现系数"},
	"valuation.tv_pv":          {"present value of terminal value", "终值现值"},
	"valuation.ev":             {"enterprise value", "企业价值"},
	"valuation.net_debt":       {"net debt", "净负债"},
	"valuation.equity":         {"equity value", "股权价值"},
	"valuation.tv_share":       {"terminal value share of EV", "终值占企业价值比例"},
	"valuation.comparable":     {"comparable", "可比公司"},
	"valuation.multiple":       {"multiple", "倍数"},
	"valuation.company_metric": {"company metric", "公司指标"},
	"valuation.q1":             {"first quartile", "下四分位数"},
	"valuation.median":         {"median", "中位数"},
	"valuation.mean":           {"mean", "均值"},
	"valuation.q3":             {"third quartile", "上四分位数"},

	"antidilution.kind":         {"protection", "保护方式"},
	"antidilution.cp1":          {"conversion price before (CP1)", "调整前转换价格（CP1）"},
	"antidilution.new_price":    {"new issue price", "新发行价格"},
	"antidilution.a":            {"A: outstanding before the issue", "A：发行前已发行股数"},
	"antidilution.b":            {"B: shares the new money buys at CP1", "B：新资金按 CP1 可购股数"},
	"antidilution.c":            {"C: new shares issued", "C：实际新发股数"},
	"antidilution.cp2":          {"adjusted conversion price (CP2)", "调整后转换价格（CP2）"},
	"antidilution.ratio_before": {"conversion ratio before", "调整前转换比例"},
	"antidilution.ratio":        {"conversion ratio after", "调整后转换比例"},
	"antidilution.before":       {"as-converted shares before", "调整前可转换股数"},
	"antidilution.after":        {"as-converted shares after", "调整后可转换股数"},
	"antidilution.extra":        {"extra as-converted shares", "新增可转换股数"},
	"antidilution.triggered":    {"adjustment triggered", "是否触发调整"},
	"valuation.yes":             {"yes", "是"},
	"valuation.no":              {"no", "否"},

	"offers.exit":          {"exit", "退出价值"},
	"offers.founders_take": {"founders' proceeds", "创始人所得"},
	"offers.effective_pre": {"effective pre-money", "实际投前估值"},
	"offers.pool_increase": {"pool increase (shares)", "期权池扩充（股）"},
	"offers.own_founders":  {"founders' ownership", "创始人持股"},
	"offers.own_investor":  {"new investor's ownership", "新投资人持股"},
	"offers.own_existing":  {"existing preferred", "原优先股持股"},
	"offers.own_pool":      {"option pool", "期权池"},
	"offers.preference":    {"liquidation preference", "清算优先权"},
	"offers.participating": {"participating", "参与分配"},
	"offers.board":         {"board seats", "董事席位"},
	"offers.pro_rata":      {"pro-rata rights", "按比例跟投权"},
	"offers.antidilution":  {"anti-dilution", "反稀释"},
}

// valMoney formats money for tables.
func valMoney(x money.Money) string { return x.String() }

// valPct formats a fraction as a percentage with two decimals.
func valPct(d decimal.Decimal) string { return d.Mul(decimal.NewFromInt(100)).StringFixed(2) + "%" }

// valKV is a two-column item/value table.
func valKV(o *Options, rows ...[]string) Table {
	return Table{Header: []string{o.T("valuation.item"), o.T("valuation.value")}, Rows: rows, Right: map[int]bool{1: true}}
}

func newValuationCommand(o *Options) *cobra.Command {
	cmd := &cobra.Command{Use: "valuation", Short: T(o.Lang, "short.valuation")}
	var file string
	sub := func(use, short string, run func(d *valuation.Document) error) *cobra.Command {
		c := &cobra.Command{
			Use:   use + " -f FILE",
			Short: T(o.Lang, short),
			Args:  cobra.NoArgs,
			RunE: func(c *cobra.Command, args []string) error {
				data, err := readDocument(file)
				if err != nil {
					return err
				}
				d, err := valuation.Parse(data, isJSONPath(file))
				if err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
				if err := run(d); err != nil {
					return fmt.Errorf("%s: %w", file, err)
				}
				return nil
			},
		}
		c.Flags().StringVarP(&file, "file", "f", "", "valuation document (YAML or JSON; - for standard input)")
		return c
	}
	cmd.AddCommand(
		sub(valuation.MethodVC, "short.valuation.vc", func(d *valuation.Document) error {
			r, err := valuation.VC(d)
			if err != nil {
				return err
			}
			t := valKV(o,
				[]string{o.T("valuation.investment"), valMoney(r.Investment)},
				[]string{o.T("valuation.terminal"), valMoney(r.TerminalValue)},
				[]string{o.T("valuation.req_multiple"), r.RequiredMultiple.StringFixed(4) + "×"},
				[]string{o.T("valuation.post_nodil"), valMoney(r.PostMoneyNoDilution)},
				[]string{o.T("valuation.retention"), valPct(r.Retention)},
				[]string{o.T("valuation.own_exit"), valPct(r.OwnershipAtExit)},
				[]string{o.T("valuation.own_close"), valPct(r.OwnershipAtClose)},
				[]string{o.T("valuation.post"), valMoney(r.PostMoney)},
				[]string{o.T("valuation.pre"), valMoney(r.PreMoney)})
			if r.NewShares != nil {
				t.Rows = append(t.Rows, []string{o.T("valuation.new_shares"), money.Group(r.NewShares.String())},
					[]string{o.T("valuation.price"), r.PricePerShare.Currency.Symbol() + r.PricePerShare.Amount.StringFixed(4)})
			}
			return o.render(r, t)
		}),
		sub(valuation.MethodScorecard, "short.valuation.scorecard", func(d *valuation.Document) error {
			r, err := valuation.Scorecard(d)
			if err != nil {
				return err
			}
			t := Table{Header: []string{o.T("valuation.factor"), o.T("valuation.weight"), o.T("valuation.comparison"), o.T("valuation.contribution")},
				Right: map[int]bool{1: true, 2: true, 3: true}}
			for _, f := range r.Factors {
				t.Rows = append(t.Rows, []string{f.Name, valPct(f.Weight), valPct(f.Comparison), f.Contribution.StringFixed(4)})
			}
			t.Rows = append(t.Rows, []string{o.T("valuation.sum_factor"), "", "", r.Factor.StringFixed(4)},
				[]string{o.T("valuation.average"), "", "", valMoney(r.AveragePreMoney)},
				[]string{o.T("valuation.pre"), "", "", valMoney(r.PreMoney)})
			return o.render(r, t)
		}),
		sub(valuation.MethodBerkus, "short.valuation.berkus", func(d *valuation.Document) error {
			r, err := valuation.Berkus(d)
			if err != nil {
				return err
			}
			t := Table{Header: []string{o.T("valuation.factor"), o.T("valuation.value"), o.T("valuation.max")}, Right: map[int]bool{1: true, 2: true}}
			for _, f := range r.Factors {
				t.Rows = append(t.Rows, []string{f.Name, valMoney(f.Value), valMoney(f.Max)})
			}
			t.Rows = append(t.Rows, []string{o.T("valuation.pre"), valMoney(r.PreMoney), valMoney(r.Cap)})
			return o.render(r, t)
		}),
		sub(valuation.MethodRiskFactor, "short.valuation.risk-factor", func(d *valuation.Document) error {
			r, err := valuation.RiskFactorSummation(d)
			if err != nil {
				return err
			}
			t := Table{Header: []string{o.T("valuation.risk"), o.T("valuation.score"), o.T("valuation.adjustment")}, Right: map[int]bool{1: true, 2: true}}
			for _, x := range r.Risks {
				t.Rows = append(t.Rows, []string{x.Name, fmt.Sprintf("%+d", x.Score), valMoney(x.Adjustment)})
			}
			t.Rows = append(t.Rows, []string{o.T("valuation.total"), fmt.Sprintf("%+d", r.TotalScore), valMoney(r.Adjustment)},
				[]string{o.T("valuation.average"), "", valMoney(r.AveragePreMoney)},
				[]string{o.T("valuation.pre"), "", valMoney(r.PreMoney)})
			return o.render(r, t)
		}),
		sub(valuation.MethodFirstChicago, "short.valuation.first-chicago", func(d *valuation.Document) error {
			r, err := valuation.FirstChicago(d)
			if err != nil {
				return err
			}
			t := Table{Header: []string{o.T("valuation.scenario"), o.T("valuation.probability"), o.T("valuation.pv"), o.T("valuation.weighted")},
				Right: map[int]bool{1: true, 2: true, 3: true}}
			for _, s := range r.Scenarios {
				t.Rows = append(t.Rows, []string{s.Name, valPct(s.Probability), valMoney(s.PresentValue), valMoney(s.WeightedValue)})
			}
			t.Rows = append(t.Rows, []string{o.T("valuation.expected"), "100.00%", "", valMoney(r.Value)})
			return o.render(r, t)
		}),
		sub(valuation.MethodDCF, "short.valuation.dcf", func(d *valuation.Document) error {
			r, err := valuation.DCF(d)
			if err != nil {
				return err
			}
			t := Table{Header: []string{o.T("valuation.year"), o.T("valuation.cash_flow"), o.T("valuation.discount"), o.T("valuation.pv")},
				Right: map[int]bool{0: true, 1: true, 2: true, 3: true}}
			for _, y := range r.Years {
				t.Rows = append(t.Rows, []string{itoa(y.Year), valMoney(y.CashFlow), y.DiscountFactor.StringFixed(6), valMoney(y.PresentValue)})
			}
			t.Rows = append(t.Rows,
				[]string{o.T("valuation.terminal"), valMoney(r.TerminalValue), "", valMoney(r.TerminalPresentValue)},
				[]string{o.T("valuation.ev"), "", "", valMoney(r.EnterpriseValue)},
				[]string{o.T("valuation.net_debt"), "", "", valMoney(r.NetDebt)},
				[]string{o.T("valuation.equity"), "", "", valMoney(r.EquityValue)},
				[]string{o.T("valuation.tv_share"), "", "", valPct(r.TerminalShareOfValue)})
			return o.render(r, t)
		}),
		sub(valuation.MethodMultiples, "short.valuation.multiples", func(d *valuation.Document) error {
			r, err := valuation.Multiples(d)
			if err != nil {
				return err
			}
			t := Table{Header: []string{o.T("valuation.comparable"), o.T("valuation.multiple"), o.T("valuation.value")}, Right: map[int]bool{1: true, 2: true}}
			for _, x := range r.Multiples {
				t.Rows = append(t.Rows, []string{x.Name, x.Multiple.StringFixed(2) + "×", ""})
			}
			t.Rows = append(t.Rows,
				[]string{o.T("valuation.company_metric") + " (" + r.Metric + ")", "", valMoney(r.CompanyMetric)},
				[]string{o.T("valuation.q1"), r.Stats.Q1.StringFixed(2) + "×", valMoney(r.Low)},
				[]string{o.T("valuation.median"), r.Stats.Median.StringFixed(2) + "×", valMoney(r.Mid)},
				[]string{o.T("valuation.mean"), r.Stats.Mean.StringFixed(2) + "×", valMoney(r.Mean)},
				[]string{o.T("valuation.q3"), r.Stats.Q3.StringFixed(2) + "×", valMoney(r.High)})
			return o.render(r, t)
		}),
		sub("football-field", "short.valuation.football", func(d *valuation.Document) error {
			f, err := valuation.FootballField(d)
			if err != nil {
				return err
			}
			t := Table{Header: []string{o.T("valuation.method"), o.T("valuation.low"), o.T("valuation.mid"), o.T("valuation.high")},
				Right: map[int]bool{1: true, 2: true, 3: true}}
			for _, b := range f.Bars {
				t.Rows = append(t.Rows, []string{b.Method, valMoney(b.Low), valMoney(b.Mid), valMoney(b.High)})
			}
			t.Rows = append(t.Rows, []string{o.T("valuation.overall"), valMoney(f.Overall.Low), valMoney(f.Overall.Mid), valMoney(f.Overall.High)})
			return o.render(f, t)
		}),
	)
	return cmd
}

// valDecimalFlag parses a decimal flag value ("1.25", "1,000,000", "2M").
func valDecimalFlag(name, s string) (decimal.Decimal, error) {
	d, err := valParseAmount(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("--%s: %w", name, err)
	}
	return d, nil
}

// valParseAmount reads a number with an optional scale suffix: k, M, B
// (bn), 万 (1e4) or 亿 (1e8); "_" and "," group digits.
func valParseAmount(s string) (decimal.Decimal, error) {
	d, err := money.ParseScaled(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%q is not a number", s)
	}
	return d, nil
}

func newAntiDilutionCommand(o *Options) *cobra.Command {
	var cp1, newPrice, outstanding, newShares, oip, series string
	var narrow, ratchet bool
	cmd := &cobra.Command{
		Use:   "antidilution --cp1 X --new-price Y --outstanding A --new-shares C",
		Short: T(o.Lang, "short.antidilution"),
		Long: `Adjusted conversion price of a preferred series after a dilutive issue.

Weighted average (NVCA model charter): CP2 = CP1 × (A + B) / (A + C), where
A is the shares outstanding before the issue — broad-based: common plus
outstanding options, preferred and convertibles as converted; narrow-based:
common and preferred only — B = C × new price / CP1, and C the new shares.
Full ratchet: CP2 = the new price. Conversion ratio = OIP / CP2.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if narrow && ratchet {
				return fmt.Errorf("--narrow and --full-ratchet exclude each other")
			}
			var is termsheet.Issue
			var err error
			for _, f := range []struct {
				name, val string
				dst       *decimal.Decimal
				required  bool
			}{
				{"cp1", cp1, &is.CP1, true}, {"new-price", newPrice, &is.NewPrice, true},
				{"outstanding", outstanding, &is.Outstanding, !ratchet}, {"new-shares", newShares, &is.NewShares, true},
				{"oip", oip, &is.OriginalIssuePrice, false}, {"series-shares", series, &is.SeriesShares, false},
			} {
				if f.val == "" {
					if f.required {
						return fmt.Errorf("--%s is required", f.name)
					}
					continue
				}
				if *f.dst, err = valDecimalFlag(f.name, f.val); err != nil {
					return err
				}
			}
			kind := termsheet.BroadBased
			switch {
			case narrow:
				kind = termsheet.NarrowBased
			case ratchet:
				kind = termsheet.FullRatchet
			}
			adj, err := termsheet.Adjust(kind, is)
			if err != nil {
				return err
			}
			yes := o.T("valuation.no")
			if adj.Triggered {
				yes = o.T("valuation.yes")
			}
			t := valKV(o,
				[]string{o.T("antidilution.kind"), string(adj.Kind)},
				[]string{o.T("antidilution.cp1"), adj.CP1.String()},
				[]string{o.T("antidilution.new_price"), adj.NewPrice.String()},
				[]string{o.T("antidilution.a"), money.Group(adj.A.String())},
				[]string{o.T("antidilution.b"), money.Group(adj.B.String())},
				[]string{o.T("antidilution.c"), money.Group(adj.C.String())},
				[]string{o.T("antidilution.cp2"), adj.CP2.String()},
				[]string{o.T("antidilution.ratio_before"), adj.ConversionRatioBefore.String()},
				[]string{o.T("antidilution.ratio"), adj.ConversionRatio.String()},
				[]string{o.T("antidilution.triggered"), yes})
			if is.SeriesShares.Sign() > 0 {
				t.Rows = append(t.Rows,
					[]string{o.T("antidilution.before"), money.Group(adj.AsConvertedBefore.String())},
					[]string{o.T("antidilution.after"), money.Group(adj.AsConvertedAfter.String())},
					[]string{o.T("antidilution.extra"), money.Group(adj.ExtraShares.String())})
			}
			return o.render(adj, t)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&cp1, "cp1", "", "conversion price before the issue")
	fl.StringVar(&newPrice, "new-price", "", "price per share of the new issue")
	fl.StringVar(&outstanding, "outstanding", "", "A: shares outstanding before the issue (broad- or narrow-based definition)")
	fl.StringVar(&newShares, "new-shares", "", "C: new shares actually issued")
	fl.StringVar(&oip, "oip", "", "original issue price of the series (default: --cp1)")
	fl.StringVar(&series, "series-shares", "", "protected preferred shares, to show the extra as-converted shares")
	fl.BoolVar(&narrow, "narrow", false, "narrow-based weighted average (A without options and convertibles)")
	fl.BoolVar(&ratchet, "full-ratchet", false, "full ratchet: CP2 = the new price")
	return cmd
}

func newOffersCommand(o *Options) *cobra.Command {
	var file, exitsFlag string
	cmd := &cobra.Command{
		Use:   "offers -f FILE [--exits a,b,c]",
		Short: T(o.Lang, "short.offers"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			data, err := readDocument(file)
			if err != nil {
				return err
			}
			doc, err := termsheet.ParseOffers(data, isJSONPath(file))
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			var exits []decimal.Decimal
			if exitsFlag != "" {
				for _, f := range strings.Split(exitsFlag, ",") {
					x, err := valParseAmount(f)
					if err != nil {
						return fmt.Errorf("--exits: %w", err)
					}
					exits = append(exits, x)
				}
			}
			cmp, err := termsheet.CompareOffers(doc, exits)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			return o.render(cmp, valOffersTable(o, cmp))
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "offers document (YAML or JSON; - for standard input)")
	cmd.Flags().StringVar(&exitsFlag, "exits", "", "comma-separated exit values (suffixes k, M, B, 万, 亿), overriding the document's")
	return cmd
}

// valOffersTable lays the offers out side by side: terms and ownership
// first, then the founders' proceeds at each exit.
func valOffersTable(o *Options, c *termsheet.Comparison) Table {
	t := Table{Header: []string{o.T("valuation.item")}, Right: map[int]bool{}}
	for i, of := range c.Offers {
		t.Header = append(t.Header, of.Name)
		t.Right[i+1] = true
	}
	row := func(label string, f func(termsheet.OfferResult) string) {
		r := []string{label}
		for _, of := range c.Offers {
			r = append(r, f(of))
		}
		t.Rows = append(t.Rows, r)
	}
	yn := func(b bool) string {
		if b {
			return o.T("valuation.yes")
		}
		return o.T("valuation.no")
	}
	row(o.T("valuation.pre"), func(r termsheet.OfferResult) string { return valMoney(r.PreMoney) })
	row(o.T("valuation.investment"), func(r termsheet.OfferResult) string { return valMoney(r.Amount) })
	row(o.T("valuation.post"), func(r termsheet.OfferResult) string { return valMoney(r.PostMoney) })
	row(o.T("offers.effective_pre"), func(r termsheet.OfferResult) string { return valMoney(r.EffectivePreMoney) })
	row(o.T("valuation.price"), func(r termsheet.OfferResult) string {
		return r.PricePerShare.Currency.Symbol() + r.PricePerShare.Amount.StringFixed(4)
	})
	row(o.T("offers.pool_increase"), func(r termsheet.OfferResult) string { return money.Group(r.PoolIncrease.String()) })
	row(o.T("offers.preference"), func(r termsheet.OfferResult) string { return r.LiquidationMultiple.String() + "×" })
	row(o.T("offers.participating"), func(r termsheet.OfferResult) string {
		s := yn(r.Participating)
		if r.ParticipationCap.Sign() > 0 {
			s += " (≤" + r.ParticipationCap.String() + "×)"
		}
		return s
	})
	row(o.T("offers.antidilution"), func(r termsheet.OfferResult) string { return string(r.AntiDilution) })
	row(o.T("offers.board"), func(r termsheet.OfferResult) string { return itoa(r.BoardSeats) })
	row(o.T("offers.pro_rata"), func(r termsheet.OfferResult) string { return yn(r.ProRata) })
	row(o.T("offers.own_founders"), func(r termsheet.OfferResult) string { return valPct(r.Ownership.Founders) })
	row(o.T("offers.own_investor"), func(r termsheet.OfferResult) string { return valPct(r.Ownership.NewInvestor) })
	row(o.T("offers.own_existing"), func(r termsheet.OfferResult) string { return valPct(r.Ownership.ExistingPreferred) })
	row(o.T("offers.own_pool"), func(r termsheet.OfferResult) string { return valPct(r.Ownership.Pool) })
	for i, e := range c.Exits {
		row(o.T("offers.founders_take")+" @ "+valMoney(e), func(r termsheet.OfferResult) string {
			p := r.Proceeds[i]
			return valMoney(p.Founders) + " (" + valPct(p.FoundersShare) + ")"
		})
	}
	return t
}
