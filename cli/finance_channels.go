package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/finance/channel"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

func init() {
	financeCommands = append(financeCommands, newFinanceChannelsCommand)
	addMessages(map[string][2]string{
		"short.finance.channels":       {"Rank financing channels for a stage, an amount and the founders' priorities", "按阶段、金额和创始人偏好为融资渠道排序"},
		"channels.rank":                {"rank", "排名"},
		"channels.channel":             {"channel", "渠道"},
		"channels.score":               {"score", "得分"},
		"channels.control":             {"control", "控制权"},
		"channels.speed":               {"speed", "速度"},
		"channels.dilution":            {"dilution", "稀释"},
		"channels.cost":                {"cost", "成本"},
		"channels.strategic":           {"strategic", "战略价值"},
		"channels.ticket":              {"ticket range", "单笔规模"},
		"channels.why":                 {"Why", "排名理由"},
		"channels.excluded":            {"Excluded", "已排除"},
		"channels.mix":                 {"Mix", "组合建议"},
		"channels.colon":               {": ", "："},
		"channels.flag.stage":          {"company stage: idea, pre-seed, seed, a, b+, growth", "公司阶段：idea、pre-seed、seed、a、b+、growth"},
		"channels.flag.amount":         {"amount needed with currency, e.g. ¥20000000 or \"3000000 USD\"", "所需金额（含币种），如 ¥20000000 或 \"3000000 USD\""},
		"channels.flag.priority":       {"weights, e.g. control=3,speed=2 (control, speed, dilution, cost, strategic)", "偏好权重，如 control=3,speed=2（control、speed、dilution、cost、strategic）"},
		"channels.flag.has_revenue":    {"the company has revenue", "公司已有收入"},
		"channels.flag.has_collateral": {"the company can pledge collateral", "公司可提供抵押物"},
		"channels.flag.china":          {"the company has a China (PRC) entity", "公司有中国境内主体"},
		"channels.flag.us":             {"the company has a US entity (default unless --china)", "公司有美国主体（未指定 --china 时默认）"},
		"channels.flag.file":           {"channel overrides (YAML or JSON, same shape as the defaults)", "渠道参数覆盖文件（YAML 或 JSON，格式同默认数据）"},
		"channels.flag.defaults":       {"print the default channel data (YAML) and exit", "输出默认渠道数据（YAML）后退出"},
	})
}

// parsePriorities reads "control=3,speed=2".
func parsePriorities(s string) (channel.Priorities, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	p := channel.Priorities{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("--priority %q: want name=weight, e.g. control=3", f)
		}
		k = strings.ToLower(strings.TrimSpace(k))
		w, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return nil, fmt.Errorf("--priority %s: %q is not a number", k, v)
		}
		p[k] = w
	}
	return p, nil
}

func newFinanceChannelsCommand(o *Options) *cobra.Command {
	var stage, amount, prio, file string
	var k channel.Constraints
	var defaults bool
	cmd := &cobra.Command{
		Use:   "channels --stage STAGE --amount AMOUNT [--priority control=3,speed=2] [--has-revenue] [--has-collateral] [--china] [--us] [-f OVERRIDES]",
		Short: o.T("short.finance.channels"),
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if defaults {
				_, err := o.Out().Write(channel.DefaultsYAML())
				return err
			}
			var user []byte
			if file != "" {
				b, err := readDocument(file)
				if err != nil {
					return err
				}
				user = b
			}
			cs, err := channel.Load(user)
			if err != nil {
				if file != "" {
					return fmt.Errorf("%s: %w", file, err)
				}
				return err
			}
			if stage == "" {
				return fmt.Errorf("--stage: missing (want one of %s)", strings.Join(channel.Stages, ", "))
			}
			if amount == "" {
				return fmt.Errorf("--amount: missing (e.g. ¥20000000 or \"3000000 USD\")")
			}
			a, err := money.Parse(amount)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			p, err := parsePriorities(prio)
			if err != nil {
				return err
			}
			if !c.Flags().Changed("us") {
				k.USEntity = !k.ChinaEntity
			}
			rec, err := channel.Recommend(cs, channel.Request{Stage: stage, Amount: a, Priorities: p, Constraints: k})
			if err != nil {
				return err
			}
			if o.JSON {
				return writeJSON(o.Out(), rec)
			}
			return channelsText(o, rec)
		},
	}
	f := cmd.Flags()
	f.StringVar(&stage, "stage", "", o.T("channels.flag.stage"))
	f.StringVar(&amount, "amount", "", o.T("channels.flag.amount"))
	f.StringVar(&prio, "priority", "", o.T("channels.flag.priority"))
	f.BoolVar(&k.HasRevenue, "has-revenue", false, o.T("channels.flag.has_revenue"))
	f.BoolVar(&k.HasCollateral, "has-collateral", false, o.T("channels.flag.has_collateral"))
	f.BoolVar(&k.ChinaEntity, "china", false, o.T("channels.flag.china"))
	f.BoolVar(&k.USEntity, "us", false, o.T("channels.flag.us"))
	f.StringVarP(&file, "file", "f", "", o.T("channels.flag.file"))
	f.BoolVar(&defaults, "defaults", false, o.T("channels.flag.defaults"))
	return cmd
}

// channelsPick chooses the text in the output language.
func channelsPick(o *Options, t channel.Text) string {
	if o.Lang == LangZH {
		return t.ZH
	}
	return t.EN
}

// channelsText writes the ranking table, then the reasons for each rank,
// the mix (if any) and the excluded channels with their reasons, in the
// output language.
func channelsText(o *Options, rec *channel.Recommendation) error {
	t := Table{Header: []string{o.T("channels.rank"), o.T("channels.channel"), o.T("channels.score"), o.T("channels.control"),
		o.T("channels.speed"), o.T("channels.dilution"), o.T("channels.cost"), o.T("channels.strategic"), o.T("channels.ticket")},
		Right: map[int]bool{0: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true}}
	f2 := func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
	for _, r := range rec.Ranked {
		t.Rows = append(t.Rows, []string{itoa(r.Rank), channelsPick(o, r.Name), f2(r.Score),
			f2(r.Scores[channel.CritControl]), f2(r.Scores[channel.CritSpeed]), f2(r.Scores[channel.CritDilution]),
			f2(r.Scores[channel.CritCost]), f2(r.Scores[channel.CritStrategic]), r.TicketMin.String() + " – " + r.TicketMax.String()})
	}
	w := o.Out()
	if err := t.Write(w); err != nil {
		return err
	}
	colon := o.T("channels.colon")
	fmt.Fprintf(w, "\n%s%s\n", o.T("channels.why"), strings.TrimRight(colon, " "))
	for _, r := range rec.Ranked {
		fmt.Fprintf(w, "  %s\n", channelsPick(o, r.Explanation))
	}
	if rec.Mix != nil {
		fmt.Fprintf(w, "\n%s%s%s\n", o.T("channels.mix"), colon, channelsPick(o, rec.Mix.Note))
	}
	if len(rec.Excluded) > 0 {
		fmt.Fprintf(w, "\n%s%s\n", o.T("channels.excluded"), strings.TrimRight(colon, " "))
		for _, e := range rec.Excluded {
			fmt.Fprintf(w, "  %s%s%s\n", channelsPick(o, e.Name), colon, channelsPick(o, e.Reason))
		}
	}
	return nil
}
