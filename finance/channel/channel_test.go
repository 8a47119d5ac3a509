package channel

import (
	"regexp"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

func mustMoney(t *testing.T, s string) money.Money {
	t.Helper()
	m, err := money.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDefaultsConsistent(t *testing.T) {
	cs, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"angel", "vc_seed", "vc_growth", "equity_crowdfunding", "reward_crowdfunding", "strategic_cvc",
		"government_guidance_fund", "venture_debt", "bank_loan", "china_tech_sme_loan", "grants"}
	if len(cs) != len(want) {
		t.Fatalf("%d channels, want %d", len(cs), len(want))
	}
	for i, c := range cs {
		if c.ID != want[i] {
			t.Errorf("channel %d is %s, want %s", i, c.ID, want[i])
		}
		for _, cur := range []money.Currency{money.USD, money.CNY} {
			r, ok := c.Tickets[cur]
			if !ok || !r.Min.IsPositive() || r.Min.GreaterThan(r.Max) {
				t.Errorf("%s: ticket %s %v", c.ID, cur, r)
			}
		}
		for _, r := range []Range{c.Dilution, c.MonthsToClose, c.Cost.Interest, c.Cost.Fees, c.Cost.EquityCost} {
			if r.Min.GreaterThan(r.Max) || r.Min.IsNegative() {
				t.Errorf("%s: range %v", c.ID, r)
			}
		}
		for _, tx := range []Text{c.Name, c.Pros, c.Cons} {
			if tx.EN == "" || tx.ZH == "" {
				t.Errorf("%s: text %+v lacks a language", c.ID, tx)
			}
		}
	}
}

// rankOf returns each ranked channel's position.
func rankOf(r *Recommendation) map[string]int {
	m := map[string]int{}
	for _, x := range r.Ranked {
		m[x.ID] = x.Rank
	}
	return m
}

// TestPrioritiesChangeOrder: control-focused founders rank debt and grants
// above equity; speed-focused rank angels and debt above VCs.
func TestPrioritiesChangeOrder(t *testing.T) {
	cs, _ := Defaults()
	china := Constraints{ChinaEntity: true, HasRevenue: true}
	us := Constraints{USEntity: true}
	for _, tc := range []struct {
		name        string
		stage, amt  string
		prio        Priorities
		k           Constraints
		above, than string
	}{
		{"control: debt over A-round VC", "a", "¥30000000", Priorities{CritControl: 5, CritCost: 1}, china, "venture_debt", "vc_growth"},
		{"control: tech-SME loan over strategic", "a", "¥10000000", Priorities{CritControl: 5}, china, "china_tech_sme_loan", "strategic_cvc"},
		{"control: grants over seed VC", "seed", "$500000", Priorities{CritControl: 5, CritDilution: 2}, us, "grants", "vc_seed"},
		{"speed: angels over seed VC", "seed", "$500000", Priorities{CritSpeed: 5}, us, "angel", "vc_seed"},
		{"speed: debt over A-round VC", "a", "$5000000", Priorities{CritSpeed: 5}, us, "venture_debt", "vc_growth"},
		{"speed: angels over grants", "pre-seed", "¥2000000", Priorities{CritSpeed: 3}, china, "angel", "grants"},
		{"strategic: CVC over debt", "a", "$5000000", Priorities{CritStrategic: 5}, us, "strategic_cvc", "venture_debt"},
		{"dilution: crowdfunding pre-sales over angels", "seed", "$200000", Priorities{CritDilution: 5}, us, "reward_crowdfunding", "angel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Recommend(cs, Request{Stage: tc.stage, Amount: mustMoney(t, tc.amt), Priorities: tc.prio, Constraints: tc.k})
			if err != nil {
				t.Fatal(err)
			}
			rk := rankOf(r)
			if rk[tc.above] == 0 || rk[tc.than] == 0 || rk[tc.above] > rk[tc.than] {
				t.Errorf("%s ranked %d, %s ranked %d", tc.above, rk[tc.above], tc.than, rk[tc.than])
			}
		})
	}
	// Turning the control weight up moves debt up relative to VC.
	a := mustMoney(t, "$5000000")
	lo, _ := Recommend(cs, Request{Stage: "a", Amount: a, Priorities: Priorities{CritStrategic: 3, CritControl: 0.1}, Constraints: us})
	hi, _ := Recommend(cs, Request{Stage: "a", Amount: a, Priorities: Priorities{CritStrategic: 3, CritControl: 10}, Constraints: us})
	if !(rankOf(lo)["strategic_cvc"] < rankOf(lo)["venture_debt"]) || !(rankOf(hi)["venture_debt"] < rankOf(hi)["strategic_cvc"]) {
		t.Errorf("control weight did not flip strategic_cvc vs venture_debt: low %v high %v", rankOf(lo), rankOf(hi))
	}
}

func TestScoreBreakdownAndExplanations(t *testing.T) {
	cs, _ := Defaults()
	r, err := Recommend(cs, Request{Stage: "seed", Amount: mustMoney(t, "¥20000000"), Constraints: Constraints{ChinaEntity: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Ranked) == 0 {
		t.Fatal("nothing ranked")
	}
	for i, x := range r.Ranked {
		sum := 0.0
		for _, v := range x.Contribution {
			sum += v
		}
		if d := sum - x.Base; d > 0.05 || d < -0.05 {
			t.Errorf("%s: contributions sum %.2f, base %.2f", x.ID, sum, x.Base)
		}
		if i > 0 && x.Score > r.Ranked[i-1].Score {
			t.Errorf("not sorted at %d", i)
		}
		wantEN := "Ranked " + ordinal(i+1) + ": "
		if !strings.HasPrefix(x.Explanation.EN, wantEN) || !strings.HasPrefix(x.Explanation.ZH, "第") || !strings.Contains(x.Explanation.ZH, "名：") {
			t.Errorf("explanation %+v", x.Explanation)
		}
		if x.Covers && (!strings.Contains(x.Explanation.EN, "covers ¥20M") || !strings.Contains(x.Explanation.ZH, "可覆盖 ¥20M")) {
			t.Errorf("coverage clause missing: %+v", x.Explanation)
		}
	}
	// Excluded channels carry reasons in both languages.
	ex := map[string]Excluded{}
	for _, e := range r.Excluded {
		ex[e.ID] = e
		if e.Reason.EN == "" || e.Reason.ZH == "" {
			t.Errorf("%s: reason %+v", e.ID, e.Reason)
		}
	}
	if !strings.Contains(ex["equity_crowdfunding"].Reason.EN, "US entity") || !strings.Contains(ex["vc_growth"].Reason.EN, "stage seed") {
		t.Errorf("exclusions %+v", ex)
	}
	if ordinal(1) != "1st" || ordinal(2) != "2nd" || ordinal(3) != "3rd" || ordinal(11) != "11th" || ordinal(22) != "22nd" {
		t.Error("ordinals")
	}
}

func TestMix(t *testing.T) {
	cs, _ := Defaults()
	r, err := Recommend(cs, Request{Stage: "a", Amount: mustMoney(t, "$250000000"), Constraints: Constraints{USEntity: true}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Mix == nil || !r.Mix.Covered || len(r.Mix.Parts) < 2 {
		t.Fatalf("mix %+v", r.Mix)
	}
	total := r.Mix.Parts[0].Amount
	for _, p := range r.Mix.Parts[1:] {
		total, _ = total.Add(p.Amount)
	}
	if !total.Amount.Equal(r.Amount.Amount) {
		t.Errorf("mix parts sum to %s, want %s", total, r.Amount)
	}
	if !strings.Contains(r.Mix.Note.EN, "combine") || !strings.Contains(r.Mix.Note.ZH, "组合") {
		t.Errorf("note %+v", r.Mix.Note)
	}
	// A covered amount needs no mix.
	r, _ = Recommend(cs, Request{Stage: "a", Amount: mustMoney(t, "$10000000"), Constraints: Constraints{USEntity: true}})
	if r.Mix != nil {
		t.Errorf("unexpected mix %+v", r.Mix)
	}
}

func TestBadRequests(t *testing.T) {
	cs, _ := Defaults()
	good := mustMoney(t, "$1000000")
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{Stage: "series z", Amount: good}, `stage "series z"`},
		{Request{Stage: "seed", Amount: money.New(good.Amount.Neg(), money.USD)}, "want a positive amount"},
		{Request{Stage: "seed", Amount: money.New(good.Amount, "EUR")}, "USD and CNY only"},
		{Request{Stage: "seed", Amount: good, Priorities: Priorities{"speed": -1}}, "priority speed=-1"},
		{Request{Stage: "seed", Amount: good, Priorities: Priorities{"fun": 1}}, `priority "fun"`},
		{Request{Stage: "seed", Amount: good, Priorities: Priorities{"speed": 0}}, "all weights are zero"},
	} {
		if _, err := Recommend(cs, tc.req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.req, err, tc.want)
		}
	}
	for in, want := range map[string]string{"Series A": "a", "SEED": "seed", "pre_seed": "pre-seed", "B": "b+", "growth": "growth"} {
		if got, err := ParseStage(in); err != nil || got != want {
			t.Errorf("ParseStage(%q) = %q, %v", in, got, err)
		}
	}
}

func TestUserOverrides(t *testing.T) {
	cs, err := Load([]byte(`
channels:
  - id: vc_seed
    tickets:
      CNY: {min: 3000000, max: 60000000}
    months_to_close: {min: 2, max: 3}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.ID == "vc_seed" {
			if c.Tickets[money.CNY].Max.String() != "60000000" || c.Tickets[money.USD].Max.String() != "5000000" || c.MonthsToClose.Max.String() != "3" || c.Name.ZH == "" {
				t.Errorf("override not merged: %+v", c)
			}
		}
	}
	for _, tc := range []struct{ doc, want string }{
		{"channels:\n  - id: vc_seed\n    tickets:\n      USD: {min: 9, max: 1}\n", "channels[1] (vc_seed): tickets.USD: want 0 < min ≤ max"},
		{"channels:\n  - id: family\n    name: {en: Family}\n", "channels[11] (family): tickets.USD: missing"},
		{"channels:\n  - name: {en: x}\n", "channels[0] (line 2): missing id"},
		{"channels:\n  - id: angel\n    stages: [series-z]\n", `stages: "series-z" is not one of`},
		{"channels:\n  - id: angel\n    dilution: {min: 0.5, max: 2}\n", "dilution: want 0 ≤ min ≤ max ≤ 1"},
		{"channels:\n  - id: angel\n    requires: {entity: JP}\n", `requires.entity: "JP"`},
		{"channels: [", "channels document"},
	} {
		if _, err := Load([]byte(tc.doc)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.doc, err, tc.want)
		}
	}
}

func TestStageName(t *testing.T) {
	for _, s := range Stages {
		n := StageName(s)
		if n.EN != s || !strings.HasSuffix(n.ZH, "（"+s+"）") || len(n.ZH) <= len("（"+s+"）") {
			t.Errorf("StageName(%q) = %+v, want the id in English and a Chinese name ending in （%s）", s, n, s)
		}
	}
	if n := StageName("series-z"); n.EN != "series-z" || n.ZH != "series-z" {
		t.Errorf("unknown stage: %+v", n)
	}
	if got := stageList([]string{"a", "b+"}); got.EN != "a, b+" || got.ZH != "A 轮（a）、B 轮及以后（b+）" {
		t.Errorf("stageList = %+v", got)
	}
}

// latinLeft strips from a Chinese text what may stay Latin — stage ids in
// their brackets after a Chinese stage name, round letters ("A 轮"),
// amounts ("¥20M", "$1.5K") and the given channel names — and returns what
// Latin letters remain.
func latinLeft(zh string, names []string) string {
	for _, n := range names {
		zh = strings.ReplaceAll(zh, n, "")
	}
	zh = regexp.MustCompile(`（[a-z+-]+）|[A-Z] ?轮|[¥$][0-9.]+[KMB]?`).ReplaceAllString(zh, "")
	return strings.Join(regexp.MustCompile(`[A-Za-z]+`).FindAllString(zh, -1), " ")
}

// The Chinese reasons, explanations and mix notes name stages by their
// Chinese names and carry no English words or bare ids, for every stage,
// both currencies and amounts from tiny to huge.
func TestChineseTexts(t *testing.T) {
	cs, _ := Defaults()
	var names []string
	for _, c := range cs {
		names = append(names, c.Name.ZH)
	}
	seen := map[string]bool{}
	for _, stage := range Stages {
		for _, amt := range []string{"$1000", "$500000", "$5000000", "$500000000", "¥10000", "¥20000000", "¥5000000000"} {
			for _, k := range []Constraints{{}, {ChinaEntity: true, HasRevenue: true, HasCollateral: true}, {USEntity: true}} {
				r, err := Recommend(cs, Request{Stage: stage, Amount: mustMoney(t, amt), Constraints: k})
				if err != nil {
					t.Fatal(err)
				}
				var texts []Text
				for _, x := range r.Ranked {
					texts = append(texts, x.Explanation)
				}
				for _, e := range r.Excluded {
					texts = append(texts, e.Reason)
				}
				if r.Mix != nil {
					if len(r.Mix.Parts) == 0 {
						t.Errorf("%s %s: a mix without parts: %+v", stage, amt, r.Mix.Note)
					}
					texts = append(texts, r.Mix.Note)
				}
				for _, x := range texts {
					seen[x.ZH] = true
					if x.ZH == "" || x.EN == "" {
						t.Errorf("%s %s: %+v lacks a language", stage, amt, x)
					}
					if l := latinLeft(x.ZH, names); l != "" {
						t.Errorf("%s %s: %q has Latin %q", stage, amt, x.ZH, l)
					}
				}
			}
		}
	}
	want := "不适用于种子轮（seed）阶段；适用阶段：A 轮（a）、B 轮及以后（b+）、成长期（growth）"
	if !seen[want] {
		t.Errorf("no reason %q among the Chinese texts", want)
	}
}
