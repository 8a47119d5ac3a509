// Package channel describes the ways a startup can finance itself — angels,
// seed and later-stage venture capital, equity and reward crowdfunding,
// strategic / corporate investors, government guidance funds (政府引导基金),
// venture debt, bank loans (including China's tech-SME credit loans) and
// grants — and recommends among them for a stage, an amount and the
// founders' priorities, with a transparent weighted-sum score and an
// explanation of each rank in English and 简体中文.
//
// The defaults are data (channels.yaml, embedded), each number with its
// source or rationale; a user's document overrides any field by channel id.
package channel

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

//go:embed channels.yaml
var defaultsYAML []byte

// DefaultsYAML returns the embedded default channel document.
func DefaultsYAML() []byte { return bytes.Clone(defaultsYAML) }

// Stages, earliest first.
var Stages = []string{"idea", "pre-seed", "seed", "a", "b+", "growth"}

// stageNames holds each stage's display name; see StageName.
var stageNames = map[string]Text{
	"idea":     {"idea", "创意期（idea）"},
	"pre-seed": {"pre-seed", "种子前（pre-seed）"},
	"seed":     {"seed", "种子轮（seed）"},
	"a":        {"a", "A 轮（a）"},
	"b+":       {"b+", "B 轮及以后（b+）"},
	"growth":   {"growth", "成长期（growth）"},
}

// StageName returns a stage's display name: in English the id itself (what
// --stage and the documents take), in Chinese the stage's name followed by
// the id in brackets, e.g. "种子前（pre-seed）". An unknown stage is
// returned as it is in both languages.
func StageName(s string) Text {
	if t, ok := stageNames[s]; ok {
		return t
	}
	return Text{s, s}
}

// stageList joins stage names in one language: "a, b+" or
// "A 轮（a）、B 轮及以后（b+）".
func stageList(stages []string) Text {
	en := make([]string, len(stages))
	zh := make([]string, len(stages))
	for i, s := range stages {
		n := StageName(s)
		en[i], zh[i] = n.EN, n.ZH
	}
	return Text{strings.Join(en, ", "), strings.Join(zh, "、")}
}

// Text is a string in English and Simplified Chinese.
type Text struct {
	EN string `yaml:"en" json:"en"`
	ZH string `yaml:"zh" json:"zh"`
}

// Range is a closed interval of decimals.
type Range struct {
	Min decimal.Decimal `yaml:"min" json:"min"`
	Max decimal.Decimal `yaml:"max" json:"max"`
}

// Mid is (Min+Max)/2.
func (r Range) Mid() decimal.Decimal { return r.Min.Add(r.Max).Div(decimal.NewFromInt(2)) }

// Control is what an investor or lender usually obtains.
type Control struct {
	BoardSeat            bool `yaml:"board_seat" json:"board_seat"`
	ProtectiveProvisions bool `yaml:"protective_provisions" json:"protective_provisions"`
	Veto                 bool `yaml:"veto" json:"veto"`
}

// Impact counts the control rights given up, 0–3.
func (c Control) Impact() int {
	n := 0
	for _, b := range []bool{c.BoardSeat, c.ProtectiveProvisions, c.Veto} {
		if b {
			n++
		}
	}
	return n
}

// Cost is a channel's cost of capital: Interest (annual), Fees (one-off,
// share of the amount) and EquityCost (the annual return equity investors
// underwrite to).
type Cost struct {
	Interest   Range `yaml:"interest" json:"interest"`
	Fees       Range `yaml:"fees" json:"fees"`
	EquityCost Range `yaml:"equity_cost" json:"equity_cost"`
}

// Annual is the mid-point all-in annual cost used for scoring: interest +
// fees + equity cost (fees counted once, as if paid over one year).
func (c Cost) Annual() decimal.Decimal {
	return c.Interest.Mid().Add(c.Fees.Mid()).Add(c.EquityCost.Mid())
}

// Requires lists what a company must have to use a channel. Entity is the
// country the company must be registered in ("CN", "US"), or empty.
type Requires struct {
	Revenue    bool   `yaml:"revenue" json:"revenue"`
	Collateral bool   `yaml:"collateral" json:"collateral"`
	Entity     string `yaml:"entity" json:"entity"`
}

// Channel is one financing channel with its typical terms.
type Channel struct {
	ID   string `yaml:"id" json:"id"`
	Name Text   `yaml:"name" json:"name"`
	// Tickets holds the typical ticket size per currency (USD and CNY).
	Tickets       map[money.Currency]Range `yaml:"tickets" json:"tickets"`
	Dilution      Range                    `yaml:"dilution" json:"dilution"`
	Control       Control                  `yaml:"control" json:"control"`
	MonthsToClose Range                    `yaml:"months_to_close" json:"months_to_close"`
	Cost          Cost                     `yaml:"cost" json:"cost"`
	Stages        []string                 `yaml:"stages" json:"stages"`
	Requires      Requires                 `yaml:"requires" json:"requires"`
	// Strategic is the non-financial value, 0 (none) … 3 (decisive).
	Strategic int  `yaml:"strategic" json:"strategic"`
	Pros      Text `yaml:"pros" json:"pros"`
	Cons      Text `yaml:"cons" json:"cons"`
}

// FitsStage reports whether the channel serves stage s.
func (c *Channel) FitsStage(s string) bool {
	for _, x := range c.Stages {
		if x == s {
			return true
		}
	}
	return false
}

type document struct {
	Channels []yaml.Node `yaml:"channels"`
}

// Defaults returns the embedded default channels.
func Defaults() ([]Channel, error) { return Load(nil) }

// Load returns the default channels overridden by a user document (YAML or
// JSON, the same shape as channels.yaml; nil for none). A user entry with a
// known id changes only the fields it gives; one with a new id adds a
// channel, which must then be complete. The result is validated.
func Load(user []byte) ([]Channel, error) {
	var doc document
	if err := yaml.Unmarshal(defaultsYAML, &doc); err != nil {
		return nil, fmt.Errorf("channels.yaml (embedded): %w", err)
	}
	var out []Channel
	for _, n := range doc.Channels {
		var c Channel
		if err := n.Decode(&c); err != nil {
			return nil, fmt.Errorf("channels.yaml (embedded): %w", err)
		}
		out = append(out, c)
	}
	if len(bytes.TrimSpace(user)) > 0 {
		var ud document
		dec := yaml.NewDecoder(bytes.NewReader(user))
		if err := dec.Decode(&ud); err != nil {
			return nil, fmt.Errorf("channels document: %w", err)
		}
		for i, n := range ud.Channels {
			var head struct {
				ID string `yaml:"id"`
			}
			if err := n.Decode(&head); err != nil || strings.TrimSpace(head.ID) == "" {
				return nil, fmt.Errorf("channels[%d] (line %d): missing id", i, n.Line)
			}
			k := -1
			for j := range out {
				if out[j].ID == head.ID {
					k = j
				}
			}
			if k < 0 {
				out = append(out, Channel{})
				k = len(out) - 1
			}
			if err := n.Decode(&out[k]); err != nil {
				return nil, fmt.Errorf("channels[%d] (%s): %w", i, head.ID, err)
			}
		}
	}
	if err := Validate(out); err != nil {
		return nil, err
	}
	return out, nil
}

// Validate checks every channel: ranges ordered and non-negative, ticket
// ranges in both USD and CNY, known stages, both languages present.
func Validate(cs []Channel) error {
	var errs []string
	add := func(i int, id, format string, a ...any) {
		errs = append(errs, fmt.Sprintf("channels[%d] (%s): ", i, id)+fmt.Sprintf(format, a...))
	}
	seen := map[string]bool{}
	for i, c := range cs {
		if seen[c.ID] {
			add(i, c.ID, "duplicate id")
		}
		seen[c.ID] = true
		for _, cur := range []money.Currency{money.USD, money.CNY} {
			r, ok := c.Tickets[cur]
			if !ok {
				add(i, c.ID, "tickets.%s: missing", cur)
				continue
			}
			if !r.Min.IsPositive() || r.Max.LessThan(r.Min) {
				add(i, c.ID, "tickets.%s: want 0 < min ≤ max, have %s–%s", cur, r.Min, r.Max)
			}
		}
		check := func(field string, r Range, hi decimal.Decimal) {
			if r.Min.IsNegative() || r.Max.LessThan(r.Min) || (!hi.IsZero() && r.Max.GreaterThan(hi)) {
				add(i, c.ID, "%s: want 0 ≤ min ≤ max%s, have %s–%s", field, map[bool]string{true: " ≤ " + hi.String(), false: ""}[!hi.IsZero()], r.Min, r.Max)
			}
		}
		check("dilution", c.Dilution, decimal.NewFromInt(1))
		check("months_to_close", c.MonthsToClose, decimal.NewFromInt(60))
		check("cost.interest", c.Cost.Interest, decimal.NewFromInt(1))
		check("cost.fees", c.Cost.Fees, decimal.NewFromInt(1))
		check("cost.equity_cost", c.Cost.EquityCost, decimal.NewFromInt(1))
		if c.Strategic < 0 || c.Strategic > 3 {
			add(i, c.ID, "strategic: %d is not between 0 and 3", c.Strategic)
		}
		if len(c.Stages) == 0 {
			add(i, c.ID, "stages: none given")
		}
		for _, s := range c.Stages {
			if stageIndex(s) < 0 {
				add(i, c.ID, "stages: %q is not one of %s", s, strings.Join(Stages, ", "))
			}
		}
		switch c.Requires.Entity {
		case "", "CN", "US":
		default:
			add(i, c.ID, "requires.entity: %q is not CN, US or empty", c.Requires.Entity)
		}
		for field, t := range map[string]Text{"name": c.Name, "pros": c.Pros, "cons": c.Cons} {
			if strings.TrimSpace(t.EN) == "" || strings.TrimSpace(t.ZH) == "" {
				add(i, c.ID, "%s: needs both en and zh", field)
			}
		}
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

func stageIndex(s string) int {
	for i, x := range Stages {
		if x == s {
			return i
		}
	}
	return -1
}

// ParseStage normalises a stage name: "Seed", "series-a", "A", "B", "pre_seed".
func ParseStage(s string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.NewReplacer("_", "-", " ", "-").Replace(t)
	t = strings.TrimPrefix(t, "series-")
	switch t {
	case "preseed":
		t = "pre-seed"
	case "b", "c", "d", "b-plus", "later":
		t = "b+"
	}
	if stageIndex(t) < 0 {
		return "", fmt.Errorf("stage %q: want one of %s", s, strings.Join(Stages, ", "))
	}
	return t, nil
}
