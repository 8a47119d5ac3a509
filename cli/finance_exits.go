package cli

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/exit"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// This file holds `kaiwu finance waterfall` (who takes what at one exit
// value) and `kaiwu finance exits` (payout curves over a range of exits,
// with their breakpoints): company document → finance/exit →
// finance/waterfall → table (default) or JSON (--json).

func init() {
	financeCommands = append(financeCommands, newFinanceWaterfallCommand, newFinanceExitsCommand)
	addMessages(exitsMessages)
	addMessages(noteMessages)
}

// noteMessages translate the domain's structured notes and labels: key
// "note.exit.CODE" for finance/exit's notes (exit.Notes), key
// "note.waterfall.CODE" for breakpoint labels (waterfall.Events). Each
// holds the domain's English template and its Chinese translation, with
// the same {placeholders}; tests check every code has both.
var noteMessages = map[string][2]string{
	"note.exit." + exit.NoteClassNoShares: {exit.Notes[exit.NoteClassNoShares],
		"{where} 没有已发行股份，不参与清算分配。"},
	"note.exit." + exit.NoteOptionsUnvested: {exit.Notes[exit.NoteOptionsUnvested],
		"option_plan：截至 {date}，已授予的期权中有 {unvested} 股尚未归属；按全部计入，视同收购方承接或加速归属（若出售时失效，其他各方所得会更多）。"},
	"note.exit." + exit.NoteSAFEUncappedDiscount: {exit.Notes[exit.NoteSAFEUncappedDiscount],
		"{where}：无估值上限、折扣 {discount}% 的 SAFE：按兑付金额 {amount} 计入；按公允价值折扣转换（约值 {worth}）未建模，因此该持有人所得被低估。"},
	"note.exit." + exit.NoteSAFEUncapped: {exit.Notes[exit.NoteSAFEUncapped],
		"{where}：无估值上限的 SAFE：按兑付金额 {amount} 计入（按公允价值转换所得相同）。"},
	"note.exit." + exit.NoteSAFEPreMoney: {exit.Notes[exit.NoteSAFEPreMoney],
		"{where}：投前估值上限 {cap} 的 SAFE 按投后估值上限 {post_cap}（上限 + 投资金额）处理：仅此一份 SAFE 转换时精确，其他 SAFE 同时转换时为近似（投前 SAFE 的清算资本总额不含其他 SAFE）。"},
	"note.exit." + exit.NoteNoExitDate: {exit.Notes[exit.NoteNoExitDate],
		"{where}：未给出退出日期，不计利息：可转债按本金 {principal} 偿还。"},
	"note.exit." + exit.NoteNoteAsDebt: {exit.Notes[exit.NoteNoteAsDebt],
		"{where}：可转债作为债务先于股权偿还：本金 {principal} + 利息 {interest} = {total}。转换前出售公司时，可转债通常被偿还，常附带溢价或按估值上限转换的选择权；文档未记录二者，因此均未计入。"},
	"note.exit." + exit.NoteMFNAdopts: {exit.Notes[exit.NoteMFNAdopts],
		"{where}：最惠国（MFN）SAFE 采用其后发行的 {from}（{type}，估值上限 {cap}）的条款，即其后最低的估值上限，持有人会在出售前如此选择。"},

	"note.waterfall." + waterfall.LabelDebtRepaid:      {waterfall.Events[waterfall.LabelDebtRepaid], "第 {rank} 级债务全额偿还（{names}）"},
	"note.waterfall." + waterfall.LabelPreferencesPaid: {waterfall.Events[waterfall.LabelPreferencesPaid], "第 {rank} 级优先清算额全额支付（{names}）"},
	"note.waterfall." + waterfall.LabelClassConverts:   {waterfall.Events[waterfall.LabelClassConverts], "{class} 转换为普通股"},
	"note.waterfall." + waterfall.LabelClassReverts:    {waterfall.Events[waterfall.LabelClassReverts], "{class} 回到优先清算额"},
	"note.waterfall." + waterfall.LabelSAFEConverts:    {waterfall.Events[waterfall.LabelSAFEConverts], "{safe} 改取转换金额"},
	"note.waterfall." + waterfall.LabelSAFEReverts:     {waterfall.Events[waterfall.LabelSAFEReverts], "{safe} 回到兑付金额"},
	"note.waterfall." + waterfall.LabelCapReached:      {waterfall.Events[waterfall.LabelCapReached], "{class} 达到 {cap} 参与分配上限"},
	"note.waterfall." + waterfall.LabelCapLeft:         {waterfall.Events[waterfall.LabelCapLeft], "{class} 回落至参与分配上限以下"},
	"note.waterfall." + waterfall.LabelOptionsInMoney:  {waterfall.Events[waterfall.LabelOptionsInMoney], "行权价 {price} 的期权进入价内"},
}

// exitsMessages are this file's user-visible labels, merged into messages
// at init.
var exitsMessages = map[string][2]string{
	"short.finance.waterfall": {"Liquidation waterfall at one exit value: payout per class and holder, conversion decisions", "单一退出价值下的清算瀑布：各类别与各股东所得、转换决策"},
	"short.finance.exits":     {"Payout curves over a range of exit values, with their breakpoints", "一段退出价值区间内的收益曲线及其拐点"},

	"exits.exit":          {"exit value", "退出价值"},
	"exits.as.of":         {"as of", "截至"},
	"exits.per.share":     {"common per share", "普通股每股价值"},
	"exits.class":         {"class / instrument", "类别 / 工具"},
	"exits.kind":          {"kind", "类型"},
	"exits.shares":        {"shares", "股数"},
	"exits.payout":        {"payout", "所得"},
	"exits.per.share.col": {"per share", "每股"},
	"exits.decision":      {"decision", "决策"},
	"exits.total":         {"total", "合计"},
	"exits.holder":        {"holder", "股东"},
	"exits.instruments":   {"instruments", "持有工具"},
	"exits.pct":           {"% of exit", "占退出价值"},
	"exits.decisions":     {"decisions (what each preferred class and SAFE chose, and what the other choice would have paid)", "决策（各优先股类别与 SAFE 的选择，以及另一选择的所得）"},
	"exits.name":          {"name", "名称"},
	"exits.choice":        {"choice", "选择"},
	"exits.alternative":   {"alternative", "另一选择"},
	"exits.alt.payout":    {"alternative payout", "另一选择所得"},
	"exits.notes":         {"notes", "说明"},
	"exits.curve":         {"payouts per holder at evenly spaced exit values", "等距退出价值下各股东所得"},
	"exits.breakpoints":   {"breakpoints (where a payout changes slope)", "拐点（收益斜率变化处）"},
	"exits.event":         {"event", "事件"},
	"exits.none":          {"none in this range", "此区间内无拐点"},
	"exits.options.row":   {"Options", "期权"},

	"exits.kind.common":    {"common", "普通股"},
	"exits.kind.preferred": {"preferred", "优先股"},
	"exits.kind.safe":      {"SAFE", "SAFE"},
	"exits.kind.debt":      {"debt", "债务"},
	"exits.kind.options":   {"options", "期权"},

	"exits.choice.preference":  {"take preference", "取优先清算额"},
	"exits.choice.participate": {"preference + participate", "优先清算额 + 参与分配"},
	"exits.choice.capped":      {"participate, capped", "参与分配（达上限）"},
	"exits.choice.convert":     {"convert to common", "转换为普通股"},
	"exits.choice.cash_out":    {"cash out", "兑付购买金额"},
}

// maxCurvePoints bounds --points: a table longer than this is no longer
// read by a person (the waterfall itself allows more).
const maxCurvePoints = 10000

// WaterfallOutput is `kaiwu finance waterfall --json`: the waterfall
// result (docs/formats/finance-waterfall.md) with the company, the exit
// date and the adapter's notes: Notes in English (as before), and
// NoteDetails, the same notes in order with their codes and arguments.
type WaterfallOutput struct {
	Company string        `json:"company"`
	AsOf    captable.Date `json:"as_of"`
	*waterfall.Result
	Notes       []string   `json:"notes,omitempty"`
	NoteDetails []msg.Note `json:"note_details,omitempty"`
}

// ExitsOutput is `kaiwu finance exits --json`: the curve result
// (docs/formats/finance-waterfall.md) with the company, the exit date and
// the adapter's notes, as in WaterfallOutput.
type ExitsOutput struct {
	Company string        `json:"company"`
	AsOf    captable.Date `json:"as_of"`
	*waterfall.CurveResult
	Notes       []string   `json:"notes,omitempty"`
	NoteDetails []msg.Note `json:"note_details,omitempty"`
}

// exitsInput loads the company document and adapts it to the waterfall at
// the --as-of date (today when empty).
func exitsInput(file, asOf string) (*captable.Company, captable.Date, *waterfall.Waterfall, []msg.Note, error) {
	comp, err := loadCompany(file)
	if err != nil {
		return nil, captable.Date{}, nil, nil, err
	}
	var at captable.Date
	if asOf == "" {
		y, m, d := time.Now().Date()
		at = captable.NewDate(y, m, d)
	} else if at, err = captable.ParseDate(asOf); err != nil {
		return nil, captable.Date{}, nil, nil, fmt.Errorf("--as-of: %w", err)
	}
	in, notes, err := exit.FromCompany(comp, at)
	if err != nil {
		return nil, captable.Date{}, nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	w, err := waterfall.New(&in)
	if err != nil {
		return nil, captable.Date{}, nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	return comp, at, w, notes, nil
}

// exitAmount parses an exit value flag in the company's currency: not
// negative, in cents.
func exitAmount(flag, s string, cur money.Currency) (decimal.Decimal, error) {
	if strings.TrimSpace(s) == "" {
		return decimal.Decimal{}, fmt.Errorf("%s: required (e.g. %s 50M)", flag, flag)
	}
	v, err := captable.ParseMoney(flag, s, cur)
	if err != nil {
		return decimal.Decimal{}, err
	}
	if v.IsNegative() {
		return decimal.Decimal{}, fmt.Errorf("%s: %s is negative (an exit value is 0 or more)", flag, s)
	}
	if !v.Equal(v.Truncate(2)) {
		return decimal.Decimal{}, fmt.Errorf("%s: %s has more than 2 decimal places (give it in cents)", flag, s)
	}
	return v, nil
}

func newFinanceWaterfallCommand(o *Options) *cobra.Command {
	var file, exitS, asOf string
	cmd := &cobra.Command{
		Use:   "waterfall -f FILE --exit X [--as-of YYYY-MM-DD]",
		Short: T(o.Lang, "short.finance.waterfall"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			comp, at, w, notes, err := exitsInput(file, asOf)
			if err != nil {
				return err
			}
			x, err := exitAmount("--exit", exitS, comp.Currency)
			if err != nil {
				return err
			}
			r, err := w.At(money.New(x, comp.Currency))
			if err != nil {
				return err
			}
			out := WaterfallOutput{Company: comp.Name, AsOf: at, Result: r, Notes: msg.Texts(notes), NoteDetails: notes}
			if o.JSON {
				return writeJSON(o.Out(), out)
			}
			return writeWaterfall(o, o.Out(), out)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "company document (YAML or JSON; - for standard input)")
	cmd.Flags().StringVar(&exitS, "exit", "", "exit value: net proceeds to securityholders, in the document's currency (50M, 3000万, $1,000,000)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "exit date: notes accrue interest to it (YYYY-MM-DD; default today)")
	return cmd
}

func newFinanceExitsCommand(o *Options) *cobra.Command {
	var file, fromS, toS, asOf string
	var points int
	cmd := &cobra.Command{
		Use:   "exits -f FILE --from A --to B [--points N] [--as-of YYYY-MM-DD]",
		Short: T(o.Lang, "short.finance.exits"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if points < 2 || points > maxCurvePoints {
				return fmt.Errorf("--points %d: want 2..%d", points, maxCurvePoints)
			}
			comp, at, w, notes, err := exitsInput(file, asOf)
			if err != nil {
				return err
			}
			from, err := exitAmount("--from", fromS, comp.Currency)
			if err != nil {
				return err
			}
			to, err := exitAmount("--to", toS, comp.Currency)
			if err != nil {
				return err
			}
			if !to.GreaterThan(from) {
				return fmt.Errorf("--from %s is not below --to %s (want from < to)", fromS, toS)
			}
			cr, err := w.Curve(money.New(from, comp.Currency), money.New(to, comp.Currency), points)
			if err != nil {
				return err
			}
			out := ExitsOutput{Company: comp.Name, AsOf: at, CurveResult: cr, Notes: msg.Texts(notes), NoteDetails: notes}
			if o.JSON {
				return writeJSON(o.Out(), out)
			}
			return writeExits(o, o.Out(), out, gridIndex(cr.Exits, from, to, points))
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "company document (YAML or JSON; - for standard input)")
	cmd.Flags().StringVar(&fromS, "from", "0", "lowest exit value, in the document's currency")
	cmd.Flags().StringVar(&toS, "to", "", "highest exit value, in the document's currency (50M, 3亿, $1,000,000)")
	cmd.Flags().IntVar(&points, "points", 11, fmt.Sprintf("evenly spaced exit values in the table (2..%d); breakpoints are added in --json", maxCurvePoints))
	cmd.Flags().StringVar(&asOf, "as-of", "", "exit date: notes accrue interest to it (YYYY-MM-DD; default today)")
	return cmd
}

// gridIndex finds the evenly spaced exits (as the waterfall computes them:
// from + i·step rounded to cents, the last exactly to) among exits, which
// also hold the breakpoints.
func gridIndex(exits []decimal.Decimal, from, to decimal.Decimal, points int) []int {
	step := to.Sub(from).Div(decimal.NewFromInt(int64(points - 1)))
	var idx []int
	k := 0
	for i := range points {
		x := from.Add(step.Mul(decimal.NewFromInt(int64(i)))).Round(2)
		if i == points-1 {
			x = to
		}
		for k < len(exits) && exits[k].LessThan(x) {
			k++
		}
		if k < len(exits) && exits[k].Equal(x) && (len(idx) == 0 || idx[len(idx)-1] != k) {
			idx = append(idx, k)
		}
	}
	return idx
}

func writeHeading(o *Options, w io.Writer, company string, cur money.Currency, at captable.Date, extra string) {
	fmt.Fprintf(w, "%s (%s)", company, cur)
	if extra != "" {
		fmt.Fprintf(w, " — %s", extra)
	}
	fmt.Fprintf(w, ", %s %s\n\n", o.T("exits.as.of"), at)
}

func writeNotes(o *Options, w io.Writer, notes []msg.Note) {
	if len(notes) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, o.T("exits.notes"))
	for _, n := range notes {
		fmt.Fprintln(w, "- "+o.Note("note.exit.", n))
	}
}

func (o *Options) exitKind(k string) string { return o.T("exits.kind." + k) }

func (o *Options) exitChoice(c waterfall.Choice) string {
	if c == "" {
		return ""
	}
	return o.T("exits.choice." + string(c))
}

func writeWaterfall(o *Options, w io.Writer, out WaterfallOutput) error {
	r := out.Result
	cur := r.Currency
	writeHeading(o, w, out.Company, cur, out.AsOf, o.T("exits.exit")+" "+fmtMoney(cur, r.Exit))
	fmt.Fprintf(w, "%s: %s\n\n", o.T("exits.per.share"), fmtPrice(cur, r.CommonPerShare))

	ct := Table{Header: []string{o.T("exits.class"), o.T("exits.kind"), o.T("exits.shares"), o.T("exits.payout"), o.T("exits.per.share.col"), o.T("exits.decision")},
		Right: map[int]bool{2: true, 3: true, 4: true}}
	for _, c := range r.Classes {
		shares, per := "", ""
		if !c.Shares.IsZero() {
			shares, per = fmtShares(c.Shares), fmtPrice(cur, c.PerShare)
		}
		name := c.Name
		if c.Kind == waterfall.KindOptions {
			name = o.T("exits.options.row")
		}
		ct.Rows = append(ct.Rows, []string{name, o.exitKind(c.Kind), shares, fmtMoney(cur, c.Payout), per, o.exitChoice(c.Choice)})
	}
	ct.Rows = append(ct.Rows, []string{o.T("exits.total"), "", "", fmtMoney(cur, r.Exit), "", ""})
	if err := ct.Write(w); err != nil {
		return err
	}
	fmt.Fprintln(w)

	parts := make([]decimal.Decimal, len(r.Holders))
	for i, h := range r.Holders {
		parts[i] = h.Payout
	}
	pcts := captable.Percentages(parts, 2)
	ht := Table{Header: []string{o.T("exits.holder"), o.T("exits.instruments"), o.T("exits.payout"), o.T("exits.pct")}, Right: map[int]bool{2: true, 3: true}}
	// Largest payout first: that is what a founder reads the table for.
	order := make([]int, len(r.Holders))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return r.Holders[order[a]].Payout.GreaterThan(r.Holders[order[b]].Payout) })
	for _, i := range order {
		h := r.Holders[i]
		var ins []string
		for _, l := range h.Lines {
			in := l.Instrument
			if l.Kind == waterfall.KindOptions {
				// "Options @ PRICE", the waterfall's name for a grant.
				in = o.T("exits.options.row") + strings.TrimPrefix(in, "Options")
			}
			ins = append(ins, in)
		}
		ht.Rows = append(ht.Rows, []string{h.Holder, strings.Join(ins, ", "), fmtMoney(cur, h.Payout), fmtPct(pcts[i], 2)})
	}
	ht.Rows = append(ht.Rows, []string{o.T("exits.total"), "", fmtMoney(cur, r.Exit), ""})
	if err := ht.Write(w); err != nil {
		return err
	}
	if len(r.Decisions) > 0 {
		fmt.Fprintln(w)
		fmt.Fprintln(w, o.T("exits.decisions"))
		dt := Table{Header: []string{o.T("exits.name"), o.T("exits.kind"), o.T("exits.choice"), o.T("exits.payout"), o.T("exits.alternative"), o.T("exits.alt.payout")},
			Right: map[int]bool{3: true, 5: true}}
		for _, d := range r.Decisions {
			dt.Rows = append(dt.Rows, []string{d.Name, o.exitKind(d.Kind), o.exitChoice(d.Choice), fmtMoney(cur, d.Payout), o.exitChoice(d.Alternative), fmtMoney(cur, d.AlternativePayout)})
		}
		if err := dt.Write(w); err != nil {
			return err
		}
	}
	writeNotes(o, w, out.NoteDetails)
	return nil
}

// eventLabel is a breakpoint event in the user's language.
func (o *Options) eventLabel(e waterfall.Event) string { return o.Note("note.waterfall.", e.Note()) }

func writeExits(o *Options, w io.Writer, out ExitsOutput, grid []int) error {
	cr := out.CurveResult
	cur := cr.Currency
	writeHeading(o, w, out.Company, cur, out.AsOf, "")
	fmt.Fprintln(w, o.T("exits.curve"))
	h := []string{o.T("exits.exit"), o.T("exits.per.share")}
	right := map[int]bool{}
	for _, s := range cr.Holders {
		h = append(h, s.Name)
	}
	for i := range h {
		right[i] = true
	}
	t := Table{Header: h, Right: right}
	for _, k := range grid {
		row := []string{fmtMoney(cur, cr.Exits[k]), fmtPrice(cur, cr.CommonPerShare[k])}
		for _, s := range cr.Holders {
			row = append(row, fmtMoney(cur, s.Payouts[k]))
		}
		t.Rows = append(t.Rows, row)
	}
	if err := t.Write(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, o.T("exits.breakpoints"))
	if len(cr.Breakpoints) == 0 {
		fmt.Fprintln(w, o.T("exits.none"))
	} else {
		bt := Table{Header: []string{o.T("exits.exit"), o.T("exits.event")}, Right: map[int]bool{0: true}}
		sep := "; "
		if o.Lang == LangZH {
			sep = "；"
		}
		for _, bp := range cr.Breakpoints {
			var ls []string
			for _, e := range bp.Events {
				ls = append(ls, o.eventLabel(e))
			}
			bt.Rows = append(bt.Rows, []string{fmtMoney(cur, bp.Exit), strings.Join(ls, sep)})
		}
		if err := bt.Write(w); err != nil {
			return err
		}
	}
	writeNotes(o, w, out.NoteDetails)
	return nil
}
