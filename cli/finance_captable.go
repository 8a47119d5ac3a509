package cli

import (
	"fmt"
	"io"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

func init() {
	financeCommands = append(financeCommands, newFinanceCaptableCommand)
	addMessages(map[string][2]string{
		"short.finance.captable": {"Outstanding and fully diluted cap table of a company document", "公司文档的已发行与完全稀释股权表"},
		"captable.holder":        {"holder", "股东"},
		"captable.kind":          {"kind", "类型"},
		"captable.class":         {"class", "股份类别"},
		"captable.shares":        {"shares", "股数"},
		"captable.outstanding":   {"outstanding", "已发行"},
		"captable.out.pct":       {"% outstanding", "已发行占比"},
		"captable.options":       {"options", "期权"},
		"captable.vested":        {"vested", "已归属"},
		"captable.fd":            {"fully diluted", "完全稀释"},
		"captable.fd.pct":        {"% fully diluted", "完全稀释占比"},
		"captable.pool":          {"unissued option pool", "未发放期权池"},
		"captable.options.out":   {"outstanding options", "已授予未行权期权"},
		"captable.total":         {"total", "合计"},
		"captable.unconverted":   {"unconverted (not yet shares)", "未转换（尚非股份）"},
		"captable.instrument":    {"instrument", "工具"},
		"captable.type":          {"type", "种类"},
		"captable.amount":        {"amount", "金额"},
		"captable.interest":      {"accrued interest", "应计利息"},
		"captable.cap":           {"cap", "估值上限"},
		"captable.discount":      {"discount", "折扣"},
		"captable.none":          {"—", "—"},
		"captable.founder":       {"founder", "创始人"},
		"captable.employee":      {"employee", "员工"},
		"captable.investor":      {"investor", "投资人"},
		"captable.advisor":       {"advisor", "顾问"},
		"captable.other":         {"other", "其他"},
		"captable.common":        {"common", "普通股"},
		"captable.preferred":     {"preferred", "优先股"},
	})
}

func newFinanceCaptableCommand(o *Options) *cobra.Command {
	var file, asOf string
	var decimals int
	cmd := &cobra.Command{
		Use:   "captable -f FILE [--as-of YYYY-MM-DD]",
		Short: T(o.Lang, "short.finance.captable"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			comp, err := loadCompany(file)
			if err != nil {
				return err
			}
			var opts captable.Options
			if asOf != "" {
				if opts.AsOf, err = captable.ParseDate(asOf); err != nil {
					return fmt.Errorf("--as-of: %w", err)
				}
			}
			if decimals < 0 || decimals > 12 {
				return fmt.Errorf("--decimals %d: want 0..12", decimals)
			}
			opts.Decimals = int32(decimals)
			t, err := comp.Compute(opts)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			if o.JSON {
				return writeJSON(o.Out(), t)
			}
			return writeCapTable(o, o.Out(), comp, t)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "company document (YAML or JSON; - for standard input)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "date for vesting and accrued note interest (YYYY-MM-DD)")
	cmd.Flags().IntVar(&decimals, "decimals", 4, "decimals of percentages (they always sum to 100)")
	return cmd
}

// loadCompany reads and parses a company document named by -f.
func loadCompany(path string) (*captable.Company, error) {
	data, err := readDocument(path)
	if err != nil {
		return nil, err
	}
	c, err := captable.Parse(data, isJSONPath(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// fmtShares formats a share count with thousands separators.
func fmtShares(d decimal.Decimal) string { return money.Group(d.String()) }

// fmtPct formats a percentage value (12.5 → "12.50%") at the given decimals.
func fmtPct(d decimal.Decimal, decimals int32) string { return d.StringFixed(decimals) + "%" }

// fmtMoney formats an amount in currency c with separators.
func fmtMoney(c money.Currency, d decimal.Decimal) string {
	return c.Symbol() + money.Group(d.StringFixed(2))
}

// fmtPrice formats a price per share keeping its decimals (at least two).
func fmtPrice(c money.Currency, d decimal.Decimal) string {
	places := -d.Exponent()
	if places < 2 {
		places = 2
	}
	return c.Symbol() + money.Group(d.StringFixed(places))
}

func pctDecimals(t *captable.Table) int32 {
	var d int32
	for _, h := range t.Holders {
		if e := -h.FullyDilutedPct.Exponent(); e > d {
			d = e
		}
	}
	if d == 0 {
		d = 2
	}
	return d
}

// holderTable is the per-stakeholder cap table.
func holderTable(o *Options, t *captable.Table) Table {
	d := pctDecimals(t)
	dated := !t.AsOf.IsZero()
	h := []string{o.T("captable.holder"), o.T("captable.kind"), o.T("captable.outstanding"), o.T("captable.out.pct"), o.T("captable.options")}
	if dated {
		h = append(h, o.T("captable.vested"))
	}
	h = append(h, o.T("captable.fd"), o.T("captable.fd.pct"))
	tab := Table{Header: h, Right: map[int]bool{}}
	for i := 2; i < len(h); i++ {
		tab.Right[i] = true
	}
	for _, r := range t.Holders {
		row := []string{r.Name, o.T("captable." + string(r.Kind)), fmtShares(r.Outstanding), fmtPct(r.OutstandingPct, d), fmtShares(r.Options)}
		if dated {
			v := o.T("captable.none")
			if r.Vested != nil {
				v = fmtShares(*r.Vested)
			}
			row = append(row, v)
		}
		tab.Rows = append(tab.Rows, append(row, fmtShares(r.FullyDiluted), fmtPct(r.FullyDilutedPct, d)))
	}
	pool := []string{o.T("captable.pool"), "", "", "", ""}
	total := []string{o.T("captable.total"), "", fmtShares(t.Outstanding), fmtPct(decimal.NewFromInt(100), d), fmtShares(t.Options)}
	if dated {
		pool, total = append(pool, ""), append(total, "")
	}
	tab.Rows = append(tab.Rows, append(pool, fmtShares(t.UnissuedPool), fmtPct(t.UnissuedPoolHolderPct, d)))
	tab.Rows = append(tab.Rows, append(total, fmtShares(t.FullyDiluted), fmtPct(decimal.NewFromInt(100), d)))
	return tab
}

// classTable is the per-class cap table.
func classTable(o *Options, t *captable.Table) Table {
	d := pctDecimals(t)
	tab := Table{Header: []string{o.T("captable.class"), o.T("captable.kind"), o.T("captable.shares"), o.T("captable.outstanding"),
		o.T("captable.out.pct"), o.T("captable.fd.pct")}, Right: map[int]bool{2: true, 3: true, 4: true, 5: true}}
	for _, c := range t.Classes {
		tab.Rows = append(tab.Rows, []string{c.Name, o.T("captable." + string(c.Kind)), fmtShares(c.Shares), fmtShares(c.AsConverted),
			fmtPct(c.OutstandingPct, d), fmtPct(c.FullyDilutedPct, d)})
	}
	tab.Rows = append(tab.Rows,
		[]string{o.T("captable.options.out"), "", fmtShares(t.Options), "", "", fmtPct(t.OptionsPct, d)},
		[]string{o.T("captable.pool"), "", fmtShares(t.UnissuedPool), "", "", fmtPct(t.UnissuedPoolPct, d)})
	return tab
}

func writeCapTable(o *Options, w io.Writer, c *captable.Company, t *captable.Table) error {
	fmt.Fprintf(w, "%s (%s)", t.Company, t.Currency)
	if !t.AsOf.IsZero() {
		fmt.Fprintf(w, " — %s", t.AsOf)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	if err := holderTable(o, t).Write(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := classTable(o, t).Write(w); err != nil {
		return err
	}
	if len(t.Unconverted) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, o.T("captable.unconverted"))
	names := map[string]string{}
	for _, s := range c.Stakeholders {
		names[s.ID] = s.Name
	}
	u := Table{Header: []string{o.T("captable.instrument"), o.T("captable.holder"), o.T("captable.type"), o.T("captable.amount"),
		o.T("captable.interest"), o.T("captable.cap"), o.T("captable.discount")}, Right: map[int]bool{3: true, 4: true, 5: true, 6: true}}
	cur := money.Currency(t.Currency)
	for _, r := range t.Unconverted {
		capS, discS := o.T("captable.none"), o.T("captable.none")
		if r.Cap.IsPositive() {
			capS = fmtMoney(cur, r.Cap)
		}
		if r.Discount.IsPositive() {
			discS = r.Discount.Shift(2).String() + "%"
		}
		typ := string(r.Type)
		if r.MFN {
			typ += " (MFN)"
		}
		u.Rows = append(u.Rows, []string{r.ID, names[r.Stakeholder], typ, fmtMoney(cur, r.Amount), fmtMoney(cur, r.Interest), capS, discS})
	}
	return u.Write(w)
}
