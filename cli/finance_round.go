package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/round"
)

func init() {
	financeCommands = append(financeCommands, newFinanceRoundCommand)
	addMessages(map[string][2]string{
		"short.finance.round":     {"Apply a priced round: price, pool shuffle, SAFE and note conversions, dilution", "定价融资轮：每股价格、期权池调整、SAFE 与可转债转换、稀释"},
		"round.item":              {"item", "项目"},
		"round.value":             {"value", "数值"},
		"round.round":             {"round", "轮次"},
		"round.method":            {"pricing method", "定价方法"},
		"round.pre":               {"pre-money valuation", "投前估值"},
		"round.effective.pre":     {"effective pre-money", "实际投前估值"},
		"round.new.money":         {"new money", "新增资金"},
		"round.post":              {"post-money valuation", "投后估值"},
		"round.price":             {"price per share", "每股价格"},
		"round.exact.price":       {"exact price (before rounding)", "精确价格（取整前）"},
		"round.iterations":        {"solver passes", "求解迭代次数"},
		"round.pool.increase":     {"option pool increase", "期权池扩充"},
		"round.pool.value":        {"value of the pool increase", "期权池扩充价值"},
		"round.pool.after":        {"unissued pool after", "轮后未发放期权池"},
		"round.new.shares":        {"new shares", "新发股数"},
		"round.conv.shares":       {"conversion shares", "转换股数"},
		"round.company.cap":       {"company capitalization (post-money SAFE basis)", "公司资本总额（投后 SAFE 口径）"},
		"round.pre.cap":           {"pre-money capitalization (pre-money SAFE / note basis)", "投前资本总额（投前 SAFE / 可转债口径）"},
		"round.shares.before":     {"fully diluted before", "轮前完全稀释股数"},
		"round.shares.after":      {"fully diluted after", "轮后完全稀释股数"},
		"round.conversions":       {"conversions", "转换"},
		"round.principal":         {"principal", "本金"},
		"round.basis":             {"basis", "依据"},
		"round.conv.price":        {"conversion price", "转换价格"},
		"round.investors":         {"new money", "新投资"},
		"round.ownership":         {"ownership", "持股比例"},
		"round.dilution":          {"ownership before and after (fully diluted)", "轮前轮后持股（完全稀释）"},
		"round.before":            {"before", "轮前"},
		"round.after":             {"after", "轮后"},
		"round.change":            {"change (pts)", "变化（百分点）"},
		"round.prorata":           {"pro-rata rights", "按比例优先认购权"},
		"round.prorata.pct":       {"pro-rata share", "认购比例"},
		"round.path":              {"founders' ownership path (fully diluted)", "创始人持股路径（完全稀释）"},
		"round.basis.cap":         {"cap", "估值上限"},
		"round.basis.discount":    {"discount", "折扣"},
		"round.basis.round":       {"round price", "本轮价格"},
		"round.method.percentage": {"percentage ownership", "持股比例法"},
		"round.method.pre-money":  {"pre-money", "投前估值法"},
		"round.method.dollars":    {"dollars invested", "投入金额法"},
		"round.start":             {"start", "起始"},
	})
}

type roundFlags struct {
	name, file, preMoney, poolTarget, poolIncrease, method, className, date, scenario string
	priceRounding, shareRounding                                                      string
	invest                                                                            []string
	priceDecimals                                                                     int
	ycRounding                                                                        bool
}

func newFinanceRoundCommand(o *Options) *cobra.Command {
	var f roundFlags
	cmd := &cobra.Command{
		Use:   "round -f FILE (--pre-money X --invest NAME=AMOUNT ... | --scenario NAME)",
		Short: T(o.Lang, "short.finance.round"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			comp, err := loadCompany(f.file)
			if err != nil {
				return err
			}
			if f.scenario != "" {
				if c.Flags().Changed("pre-money") || len(f.invest) > 0 {
					return fmt.Errorf("--scenario runs the rounds the document describes: drop --pre-money and --invest")
				}
				sr, err := round.DocumentScenario(comp, f.scenario)
				if err != nil {
					return err
				}
				if o.JSON {
					return writeJSON(o.Out(), sr)
				}
				return writeScenario(o, o.Out(), sr)
			}
			terms, err := f.terms(c, comp)
			if err != nil {
				return err
			}
			r, err := round.Apply(comp, terms)
			if err != nil {
				return err
			}
			if o.JSON {
				return writeJSON(o.Out(), r)
			}
			return writeRound(o, o.Out(), r)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.file, "file", "f", "", "company document (YAML or JSON; - for standard input)")
	fl.StringVar(&f.preMoney, "pre-money", "", "pre-money valuation in the company currency (e.g. 15000000, 15M, 1.2亿)")
	fl.StringArrayVar(&f.invest, "invest", nil, "NAME=AMOUNT: an investment by a stakeholder id or a new investor's name (repeatable)")
	fl.StringVar(&f.poolTarget, "pool-target", "", "unissued option pool after the round, as % of fully diluted (e.g. 10%)")
	fl.StringVar(&f.poolIncrease, "pool-increase", "", "add this many shares to the option pool instead of a target")
	fl.StringVar(&f.method, "method", "percentage", "pricing with converting securities: percentage, pre-money or dollars")
	fl.IntVar(&f.priceDecimals, "price-decimals", 4, "decimals of the price per share (-1: exact)")
	fl.StringVar(&f.priceRounding, "price-rounding", "nearest", "price rounding: nearest, down or up")
	fl.StringVar(&f.shareRounding, "share-rounding", "floor", "share rounding: floor or nearest")
	fl.BoolVar(&f.ycRounding, "yc-rounding", false, "round as the YC Post-Money Safe User Guide does (new-money shares to the nearest share)")
	fl.StringVar(&f.className, "class", "", "name of the new series (default: the round name)")
	fl.StringVar(&f.date, "date", "", "closing date (YYYY-MM-DD): notes accrue interest to it")
	fl.StringVar(&f.scenario, "scenario", "", "run the named multi-round scenario from the document instead")
	fl.StringVar(&f.name, "name", "Series A", "round name")
	return cmd
}

func (f *roundFlags) terms(c *cobra.Command, comp *captable.Company) (round.RoundTerms, error) {
	t := round.RoundTerms{Name: strings.TrimSpace(f.name)}
	if t.Name == "" {
		t.Name = "Series A"
	}
	if f.preMoney == "" {
		return t, fmt.Errorf("--pre-money: required (or --scenario NAME)")
	}
	var err error
	if t.PreMoney, err = captable.ParseMoney("--pre-money", f.preMoney, comp.Currency); err != nil {
		return t, err
	}
	if len(f.invest) == 0 {
		return t, fmt.Errorf("--invest NAME=AMOUNT: at least one investment")
	}
	for _, iv := range f.invest {
		k, v, ok := strings.Cut(iv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return t, fmt.Errorf("--invest %q: want NAME=AMOUNT", iv)
		}
		amt, err := captable.ParseMoney("--invest "+k, v, comp.Currency)
		if err != nil {
			return t, err
		}
		in := round.Investment{Stakeholder: k, Amount: amt}
		if comp.Stakeholder(k) == nil {
			in.Stakeholder, in.Name = captable.Slug(k), k
			if in.Stakeholder == "" {
				return t, fmt.Errorf("--invest %q: the name has no letters or digits", iv)
			}
		}
		t.Investments = append(t.Investments, in)
	}
	if f.poolTarget != "" {
		if t.PoolTarget, err = captable.ParseFraction("--pool-target", f.poolTarget); err != nil {
			return t, err
		}
		if !strings.HasSuffix(strings.TrimSpace(f.poolTarget), "%") && t.PoolTarget.GreaterThanOrEqual(decimal.NewFromInt(1)) {
			return t, fmt.Errorf("--pool-target %s: write a percentage such as 10%% or a fraction such as 0.1", f.poolTarget)
		}
	}
	if f.poolIncrease != "" {
		if t.PoolIncrease, err = money.ParseAmount(f.poolIncrease); err != nil {
			return t, fmt.Errorf("--pool-increase: %w", err)
		}
	}
	if t.Method, err = round.ParseMethod(f.method); err != nil {
		return t, fmt.Errorf("--method: %w", err)
	}
	if f.date != "" {
		if t.Date, err = captable.ParseDate(f.date); err != nil {
			return t, fmt.Errorf("--date: %w", err)
		}
	}
	t.Class.Name = strings.TrimSpace(f.className)
	r := round.DefaultRounding()
	if f.ycRounding {
		r = round.YCGuideRounding()
	}
	if c.Flags().Changed("price-decimals") || !f.ycRounding {
		r.PriceDecimals = int32(f.priceDecimals)
	}
	if c.Flags().Changed("price-rounding") || !f.ycRounding {
		r.Price = round.PriceRounding(f.priceRounding)
	}
	if c.Flags().Changed("share-rounding") {
		r.Conversion = round.ShareRounding(f.shareRounding)
		r.Investors = round.ShareRounding(f.shareRounding)
	}
	if f.priceDecimals < -1 || f.priceDecimals > 12 {
		return t, fmt.Errorf("--price-decimals %d: want -1 (exact) or 0..12", f.priceDecimals)
	}
	t.Rounding = &r
	return t, nil
}

func writeRound(o *Options, w io.Writer, r *round.Result) error {
	cur := money.Currency(r.Currency)
	fmt.Fprintf(w, "%s — %s\n\n", r.Round, r.Before.Company)
	sum := Table{Header: []string{o.T("round.item"), o.T("round.value")}, Right: map[int]bool{1: true}}
	add := func(k, v string) { sum.Rows = append(sum.Rows, []string{o.T(k), v}) }
	add("round.method", o.T("round.method."+string(r.Method)))
	add("round.pre", fmtMoney(cur, r.PreMoney))
	add("round.effective.pre", fmtMoney(cur, r.EffectivePreMoney))
	add("round.new.money", fmtMoney(cur, r.NewMoney))
	add("round.post", fmtMoney(cur, r.PostMoney))
	add("round.price", fmtPrice(cur, r.Price))
	add("round.exact.price", fmtPrice(cur, r.ExactPrice))
	add("round.iterations", strconv.Itoa(r.Iterations))
	add("round.shares.before", fmtShares(r.PreRoundShares))
	add("round.pool.increase", fmtShares(r.PoolIncrease))
	add("round.pool.value", fmtMoney(cur, r.PoolIncreaseValue))
	add("round.conv.shares", fmtShares(r.ConversionShares))
	add("round.company.cap", fmtShares(r.CompanyCapitalization))
	add("round.pre.cap", fmtShares(r.PreMoneyCapitalization))
	add("round.new.shares", fmtShares(r.NewShares))
	add("round.shares.after", fmtShares(r.PostRoundShares))
	add("round.pool.after", fmtPct(r.UnissuedPoolPct, 4))
	if err := sum.Write(w); err != nil {
		return err
	}
	names := map[string]string{}
	for _, s := range r.Company.Stakeholders {
		names[s.ID] = s.Name
	}
	if len(r.Conversions) > 0 {
		fmt.Fprintf(w, "\n%s\n", o.T("round.conversions"))
		ct := Table{Header: []string{o.T("captable.instrument"), o.T("captable.holder"), o.T("captable.type"), o.T("round.principal"),
			o.T("captable.interest"), o.T("round.basis"), o.T("round.conv.price"), o.T("captable.shares"), o.T("captable.class")},
			Right: map[int]bool{3: true, 4: true, 6: true, 7: true}}
		for _, c := range r.Conversions {
			basis := o.T("round.basis." + c.Basis)
			if c.MFNFrom != "" {
				basis += " (MFN→" + c.MFNFrom + ")"
			}
			ct.Rows = append(ct.Rows, []string{c.ID, names[c.Stakeholder], string(c.Type), fmtMoney(cur, c.Principal), fmtMoney(cur, c.Interest),
				basis, fmtPrice(cur, c.ConversionPrice), fmtShares(c.Shares), c.Class})
		}
		if err := ct.Write(w); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\n%s\n", o.T("round.investors"))
	it := Table{Header: []string{o.T("captable.holder"), o.T("captable.amount"), o.T("captable.shares"), o.T("round.ownership")},
		Right: map[int]bool{1: true, 2: true, 3: true}}
	for _, a := range r.Investors {
		it.Rows = append(it.Rows, []string{a.Name, fmtMoney(cur, a.Amount), fmtShares(a.Shares), fmtPct(a.Ownership, 4)})
	}
	if err := it.Write(w); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s\n", o.T("round.dilution"))
	d := pctDecimals(r.After)
	dt := Table{Header: []string{o.T("captable.holder"), o.T("captable.kind"), o.T("round.before"), o.T("round.after"), o.T("round.change")},
		Right: map[int]bool{2: true, 3: true, 4: true}}
	for _, x := range r.Dilution {
		dt.Rows = append(dt.Rows, []string{x.Name, o.T("captable." + x.Kind), fmtPct(x.Before, d), fmtPct(x.After, d), x.Change.StringFixed(d)})
	}
	dt.Rows = append(dt.Rows, []string{o.T("captable.pool"), "", fmtPct(r.Before.UnissuedPoolHolderPct, d), fmtPct(r.After.UnissuedPoolHolderPct, d),
		r.After.UnissuedPoolHolderPct.Sub(r.Before.UnissuedPoolHolderPct).StringFixed(d)})
	if err := dt.Write(w); err != nil {
		return err
	}
	if len(r.ProRata) > 0 {
		fmt.Fprintf(w, "\n%s\n", o.T("round.prorata"))
		pt := Table{Header: []string{o.T("captable.holder"), o.T("round.prorata.pct"), o.T("captable.shares"), o.T("captable.amount")},
			Right: map[int]bool{1: true, 2: true, 3: true}}
		for _, p := range r.ProRata {
			pt.Rows = append(pt.Rows, []string{names[p.Stakeholder], fmtPct(p.Percent, 4), fmtShares(p.Shares), fmtMoney(cur, p.Amount)})
		}
		if err := pt.Write(w); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "\n")
	return holderTable(o, r.After).Write(w)
}

func writeScenario(o *Options, w io.Writer, sr *round.ScenarioResult) error {
	for _, st := range sr.Stages {
		if err := writeRound(o, w, st.Result); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, o.T("round.path"))
	h := []string{o.T("captable.holder")}
	for i, l := range sr.Labels {
		if i == 0 {
			l = o.T("round.start")
		}
		h = append(h, l)
	}
	t := Table{Header: h, Right: map[int]bool{}}
	for i := 1; i < len(h); i++ {
		t.Right[i] = true
	}
	for _, p := range sr.Founders {
		row := []string{p.Name}
		for _, x := range p.Points {
			row = append(row, fmtPct(x, 2))
		}
		t.Rows = append(t.Rows, row)
	}
	return t.Write(w)
}
