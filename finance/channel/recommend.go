package channel

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Criteria, in the order scores and weights are reported.
const (
	CritControl   = "control"
	CritSpeed     = "speed"
	CritDilution  = "dilution"
	CritCost      = "cost"
	CritStrategic = "strategic"
)

// CriteriaNames lists the criteria.
var CriteriaNames = []string{CritControl, CritSpeed, CritDilution, CritCost, CritStrategic}

// Priorities are the founders' weights, each ≥ 0: keep control, speed, low
// dilution, low cost, strategic value. A nil map weighs all equally.
type Priorities map[string]float64

// Constraints describe the company.
type Constraints struct {
	HasRevenue    bool
	HasCollateral bool
	// ChinaEntity: the company has a PRC entity; USEntity: a US one.
	ChinaEntity bool
	USEntity    bool
}

// Request asks for a recommendation.
type Request struct {
	Stage       string
	Amount      money.Money
	Priorities  Priorities
	Constraints Constraints
}

// Scoring normalises each criterion to [0, 1], higher is better:
//
//	control   1 − (board seat + protective provisions + veto)/3
//	speed     (12 − mid months to close)/11, clamped: 1 month → 1, 12+ → 0
//	dilution  1 − mid dilution/25 %, clamped
//	cost      1 − mid all-in annual cost/40 %, clamped (interest + fees +
//	          equity cost)
//	strategic strategic/3
//
// The score is 100 × Σ wᵢ·sᵢ / Σ wᵢ, times a coverage factor: 1 when the
// amount lies in the channel's ticket range, max/amount above it,
// amount/min below it. A channel whose factor is under MinCoverage, whose
// stages do not include the request's, or whose requirements the company
// does not meet is excluded with a reason.
const MinCoverage = 0.1

// Scores holds a channel's normalised criterion scores.
type Scores map[string]float64

// Ranked is one channel in a recommendation.
type Ranked struct {
	Rank    int     `json:"rank"`
	ID      string  `json:"id"`
	Name    Text    `json:"name"`
	Score   float64 `json:"score"`
	Base    float64 `json:"base_score"`
	Scores  Scores  `json:"criteria"`
	Weights Scores  `json:"weights"`
	// Contribution is wᵢ·sᵢ/Σw × 100 per criterion; they sum to Base.
	Contribution Scores      `json:"contribution"`
	Coverage     float64     `json:"coverage"`
	Covers       bool        `json:"covers"`
	TicketMin    money.Money `json:"ticket_min"`
	TicketMax    money.Money `json:"ticket_max"`
	Explanation  Text        `json:"explanation"`
	Pros         Text        `json:"pros"`
	Cons         Text        `json:"cons"`
}

// Excluded is a channel left out, with the reason.
type Excluded struct {
	ID     string `json:"id"`
	Name   Text   `json:"name"`
	Reason Text   `json:"reason"`
}

// Part is one channel's share of a mix.
type Part struct {
	ID     string      `json:"id"`
	Name   Text        `json:"name"`
	Amount money.Money `json:"amount"`
}

// Mix suggests combining channels when no single one covers the amount.
type Mix struct {
	Parts   []Part `json:"parts"`
	Covered bool   `json:"covered"`
	Note    Text   `json:"note"`
}

// Recommendation is the ranked list.
type Recommendation struct {
	Stage    string      `json:"stage"`
	Amount   money.Money `json:"amount"`
	Weights  Scores      `json:"weights"`
	Ranked   []Ranked    `json:"ranked"`
	Excluded []Excluded  `json:"excluded"`
	Mix      *Mix        `json:"mix"`
}

// Recommend scores and ranks channels for req.
func Recommend(cs []Channel, req Request) (*Recommendation, error) {
	stage, err := ParseStage(req.Stage)
	if err != nil {
		return nil, err
	}
	a := req.Amount
	if !a.Amount.IsPositive() {
		return nil, fmt.Errorf("amount %s: want a positive amount", a)
	}
	if a.Currency != money.USD && a.Currency != money.CNY {
		return nil, fmt.Errorf("amount %s: ticket ranges exist in USD and CNY only", a)
	}
	w := Scores{}
	for _, k := range CriteriaNames {
		w[k] = 1
	}
	if req.Priorities != nil {
		for k := range w {
			w[k] = 0
		}
		sum := 0.0
		for k, v := range req.Priorities {
			if _, ok := w[k]; !ok {
				return nil, fmt.Errorf("priority %q: want one of %s", k, strings.Join(CriteriaNames, ", "))
			}
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("priority %s=%v: want a weight ≥ 0", k, v)
			}
			w[k] = v
			sum += v
		}
		if sum == 0 {
			return nil, errors.New("priorities: all weights are zero")
		}
	}
	wsum := 0.0
	for _, k := range CriteriaNames {
		wsum += w[k]
	}
	rec := &Recommendation{Stage: stage, Amount: a, Weights: w}
	amt, _ := a.Amount.Float64()
	for _, c := range cs {
		if reason, ok := excluded(&c, stage, req.Constraints); !ok {
			rec.Excluded = append(rec.Excluded, Excluded{ID: c.ID, Name: c.Name, Reason: reason})
			continue
		}
		tr := c.Tickets[a.Currency]
		lo, _ := tr.Min.Float64()
		hi, _ := tr.Max.Float64()
		cov := 1.0
		switch {
		case amt > hi:
			cov = hi / amt
		case amt < lo:
			cov = amt / lo
		}
		rg := fmt.Sprintf("%s–%s", compact(tr.Min, a.Currency), compact(tr.Max, a.Currency))
		if cov < MinCoverage {
			var why Text
			if amt > hi {
				why = Text{fmt.Sprintf("ticket range %s is far below %s", rg, compact(a.Amount, a.Currency)),
					fmt.Sprintf("单笔规模 %s 远低于所需 %s", rg, compact(a.Amount, a.Currency))}
			} else {
				why = Text{fmt.Sprintf("%s is far below the ticket range %s", compact(a.Amount, a.Currency), rg),
					fmt.Sprintf("所需 %s 远低于单笔规模 %s", compact(a.Amount, a.Currency), rg)}
			}
			rec.Excluded = append(rec.Excluded, Excluded{ID: c.ID, Name: c.Name, Reason: why})
			continue
		}
		s := score(&c)
		r := Ranked{ID: c.ID, Name: c.Name, Scores: s, Weights: w, Contribution: Scores{},
			Coverage: round(cov, 4), Covers: cov == 1, TicketMin: money.New(tr.Min, a.Currency),
			TicketMax: money.New(tr.Max, a.Currency), Pros: c.Pros, Cons: c.Cons}
		for _, k := range CriteriaNames {
			r.Contribution[k] = round(100*w[k]*s[k]/wsum, 2)
			r.Base += 100 * w[k] * s[k] / wsum
		}
		r.Base = round(r.Base, 2)
		r.Score = round(r.Base*cov, 2)
		rec.Ranked = append(rec.Ranked, r)
	}
	sort.SliceStable(rec.Ranked, func(i, j int) bool { return rec.Ranked[i].Score > rec.Ranked[j].Score })
	byID := map[string]*Channel{}
	for i := range cs {
		byID[cs[i].ID] = &cs[i]
	}
	for i := range rec.Ranked {
		rec.Ranked[i].Rank = i + 1
		rec.Ranked[i].Explanation = explain(&rec.Ranked[i], byID[rec.Ranked[i].ID], a)
	}
	rec.Mix = mix(rec, a)
	return rec, nil
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

func f64(d decimal.Decimal) float64 { v, _ := d.Float64(); return v }

// score normalises the five criteria (see Scoring).
func score(c *Channel) Scores {
	return Scores{
		CritControl:   round(1-float64(c.Control.Impact())/3, 4),
		CritSpeed:     round(clamp01((12-f64(c.MonthsToClose.Mid()))/11), 4),
		CritDilution:  round(clamp01(1-f64(c.Dilution.Mid())/0.25), 4),
		CritCost:      round(clamp01(1-f64(c.Cost.Annual())/0.40), 4),
		CritStrategic: round(float64(c.Strategic)/3, 4),
	}
}

// excluded reports why a channel cannot be used, if so.
func excluded(c *Channel, stage string, k Constraints) (Text, bool) {
	if !c.FitsStage(stage) {
		st, serves := StageName(stage), stageList(c.Stages)
		return Text{fmt.Sprintf("not used at stage %s (serves %s)", st.EN, serves.EN),
			fmt.Sprintf("不适用于%s阶段；适用阶段：%s", st.ZH, serves.ZH)}, false
	}
	if c.Requires.Revenue && !k.HasRevenue {
		return Text{"requires revenue", "需要有营业收入"}, false
	}
	if c.Requires.Collateral && !k.HasCollateral {
		return Text{"requires collateral", "需要抵押物"}, false
	}
	switch {
	case c.Requires.Entity == "CN" && !k.ChinaEntity:
		return Text{"requires a China (PRC) entity", "需要中国境内主体"}, false
	case c.Requires.Entity == "US" && !k.USEntity:
		return Text{"requires a US entity", "需要美国主体"}, false
	}
	return Text{}, true
}

// compact formats an amount as ¥20M, $1.5M, ¥200K.
func compact(d decimal.Decimal, c money.Currency) string {
	sym := c.Symbol()
	for _, u := range []struct {
		n    int64
		suff string
	}{{1_000_000_000, "B"}, {1_000_000, "M"}, {1_000, "K"}} {
		n := decimal.NewFromInt(u.n)
		if d.Abs().GreaterThanOrEqual(n) {
			return sym + d.Div(n).Round(2).String() + u.suff
		}
	}
	return sym + d.Round(2).String()
}

func ordinal(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return fmt.Sprintf("%dth", n)
	case n%10 == 1:
		return fmt.Sprintf("%dst", n)
	case n%10 == 2:
		return fmt.Sprintf("%dnd", n)
	case n%10 == 3:
		return fmt.Sprintf("%drd", n)
	}
	return fmt.Sprintf("%dth", n)
}

// strength phrases a criterion as a reason in both languages.
func strength(k string, c *Channel) Text {
	switch k {
	case CritSpeed:
		m := c.MonthsToClose.Mid().Round(1).String()
		return Text{fmt.Sprintf("fast to close (~%s months)", m), fmt.Sprintf("交割快（约%s个月）", m)}
	case CritDilution:
		if c.Dilution.Max.IsZero() {
			return Text{"no dilution", "不稀释股权"}
		}
		p := c.Dilution.Mid().Mul(decimal.NewFromInt(100)).Round(1).String()
		return Text{fmt.Sprintf("low dilution (~%s%%)", p), fmt.Sprintf("稀释较低（约%s%%）", p)}
	case CritControl:
		if c.Control.Impact() == 0 {
			return Text{"keeps full control (no board seat or vetoes)", "不影响控制权（无董事席位或否决权）"}
		}
		return Text{"limited control rights", "控制权影响有限"}
	case CritCost:
		p := c.Cost.Annual().Mul(decimal.NewFromInt(100)).Round(1).String()
		return Text{fmt.Sprintf("low cost of capital (~%s%% a year)", p), fmt.Sprintf("资金成本低（年化约%s%%）", p)}
	case CritStrategic:
		return Text{"brings strategic value", "带来战略资源"}
	}
	return Text{k, k}
}

// explain writes "Ranked 1st: fastest … ; ticket range … covers …".
func explain(r *Ranked, c *Channel, a money.Money) Text {
	type kv struct {
		k string
		v float64
	}
	var top []kv
	for _, k := range CriteriaNames {
		// a criterion is a reason only when the channel is good at it
		if r.Contribution[k] > 0 && r.Scores[k] >= 0.6 {
			top = append(top, kv{k, r.Contribution[k]})
		}
	}
	sort.SliceStable(top, func(i, j int) bool { return top[i].v > top[j].v })
	if len(top) > 2 {
		top = top[:2]
	}
	var en, zh []string
	for _, t := range top {
		s := strength(t.k, c)
		en = append(en, s.EN)
		zh = append(zh, s.ZH)
	}
	if len(en) == 0 {
		en, zh = []string{"no standout strength on the founders' priorities"}, []string{"在创始人看重的方面没有突出优势"}
	}
	rg := fmt.Sprintf("%s–%s", compact(r.TicketMin.Amount, a.Currency), compact(r.TicketMax.Amount, a.Currency))
	amt := compact(a.Amount, a.Currency)
	var covEN, covZH string
	switch {
	case r.Covers:
		covEN = fmt.Sprintf("ticket range %s covers %s", rg, amt)
		covZH = fmt.Sprintf("单笔规模 %s 可覆盖 %s", rg, amt)
	case a.Amount.GreaterThan(r.TicketMax.Amount):
		p := int(math.Round(r.Coverage * 100))
		covEN = fmt.Sprintf("ticket range %s covers only %d%% of %s", rg, p, amt)
		covZH = fmt.Sprintf("单笔规模 %s 仅能覆盖 %s 的 %d%%", rg, amt, p)
	default:
		covEN = fmt.Sprintf("%s is below the usual ticket range %s", amt, rg)
		covZH = fmt.Sprintf("%s 低于常见单笔规模 %s", amt, rg)
	}
	return Text{
		EN: fmt.Sprintf("Ranked %s: %s; %s.", ordinal(r.Rank), strings.Join(en, " and "), covEN),
		ZH: fmt.Sprintf("第%d名：%s；%s。", r.Rank, strings.Join(zh, "，"), covZH),
	}
}

// mix combines the best-ranked channels, each up to its ticket maximum,
// when no single ranked channel covers the amount. At most three channels;
// nil when none covers it or the amount is below every ranked channel's
// ticket range (nothing to combine).
func mix(rec *Recommendation, a money.Money) *Mix {
	for _, r := range rec.Ranked {
		if r.Covers {
			return nil
		}
	}
	if len(rec.Ranked) == 0 {
		return nil
	}
	m := &Mix{}
	left := a.Amount
	for _, r := range rec.Ranked {
		if !left.IsPositive() || len(m.Parts) == 3 {
			break
		}
		part := decimal.Min(left, r.TicketMax.Amount)
		if a.Amount.LessThan(r.TicketMin.Amount) {
			continue
		}
		m.Parts = append(m.Parts, Part{ID: r.ID, Name: r.Name, Amount: money.New(part, a.Currency)})
		left = left.Sub(part)
	}
	if len(m.Parts) == 0 {
		// The amount is below every ranked channel's usual ticket: a
		// smaller amount needs no combining, and the explanations say so.
		return nil
	}
	m.Covered = !left.IsPositive()
	var en, zh []string
	for _, p := range m.Parts {
		en = append(en, fmt.Sprintf("%s %s", p.Name.EN, compact(p.Amount.Amount, a.Currency)))
		zh = append(zh, fmt.Sprintf("%s %s", p.Name.ZH, compact(p.Amount.Amount, a.Currency)))
	}
	if m.Covered {
		m.Note = Text{"No single channel covers " + compact(a.Amount, a.Currency) + "; combine " + strings.Join(en, " + ") + ".",
			"没有单一渠道能覆盖 " + compact(a.Amount, a.Currency) + "，建议组合：" + strings.Join(zh, " + ") + "。"}
	} else {
		m.Note = Text{"Even combined, " + strings.Join(en, " + ") + " leaves " + compact(left, a.Currency) + " uncovered; raise in stages.",
			"即使组合" + strings.Join(zh, " + ") + "，仍有 " + compact(left, a.Currency) + " 缺口，建议分阶段融资。"}
	}
	return m
}
