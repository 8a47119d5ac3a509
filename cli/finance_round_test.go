package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

type roundJSON struct {
	Price       string `json:"price"`
	PostMoney   string `json:"post_money"`
	NewShares   string `json:"new_shares"`
	PostShares  string `json:"post_round_shares"`
	PoolPct     string `json:"unissued_pool_pct"`
	Conversions []struct {
		ID, Basis, Shares, Class string
		MFNFrom                  string `json:"mfn_from"`
	} `json:"conversions"`
	Investors []struct {
		Stakeholder, Shares string
		Ownership           string `json:"ownership_pct"`
	} `json:"investors"`
}

func TestFinanceRoundDemo(t *testing.T) {
	out, _, err := run(t, "finance", "round", "-f", demoDoc, "--pre-money", "60M", "--invest", "星辰资本=12M",
		"--invest", "qiji=3,000,000", "--pool-target", "12%", "--date", "2025-09-01", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r roundJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(r.Conversions) != 4 || r.PoolPct != "12" {
		t.Fatalf("conversions %d, pool %s", len(r.Conversions), r.PoolPct)
	}
	if r.Conversions[0].MFNFrom != "safe-qiji" {
		t.Errorf("the MFN safe adopted %q, want safe-qiji (the lowest cap)", r.Conversions[0].MFNFrom)
	}
	// Percentage method: the new money owns 15M/75M = 20% (16% + 4%).
	own := decimal.Zero
	for _, in := range r.Investors {
		own = own.Add(decimal.RequireFromString(in.Ownership))
	}
	if !own.Equal(decimal.NewFromInt(20)) {
		t.Errorf("new investors own %s%%", own)
	}
	if !strings.Contains(out, `"price": "4.0474"`) {
		t.Errorf("price not a decimal string:\n%s", out[:400])
	}
}

// The YC Post-Money Safe User Guide, Example 1 Question 2, through the CLI.
func TestFinanceRoundYCExample(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "yc.yaml")
	os.WriteFile(p, []byte(`
name: Example Co
currency: USD
stakeholders: [{id: founders, kind: founder}, {id: employees, kind: employee}, {id: a}, {id: b}]
share_classes: [{id: common}]
issuances: [{stakeholder: founders, class: common, shares: 9250000}]
option_plan: {class: common, pool_size: 750000, grants: [{stakeholder: employees, shares: 650000}]}
convertibles:
  - {id: safe-a, stakeholder: a, type: safe_post, amount: 200000, cap: 4000000}
  - {id: safe-b, stakeholder: b, type: safe_post, amount: 800000, cap: 8000000}
`), 0o600)
	out, _, err := run(t, "finance", "round", "-f", p, "--pre-money", "$15,000,000", "--invest", "Series A investors=5M",
		"--pool-increase", "1695000", "--yc-rounding", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r roundJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Price != "1.1144" || r.NewShares != "4486719" || r.PostShares != "17946424" ||
		r.Conversions[0].Shares != "588235" || r.Conversions[1].Shares != "1176470" {
		t.Errorf("got price %s, new %s, total %s, A %s, B %s; the Guide has 1.1144, 4,486,719, 17,946,424, 588,235, 1,176,470",
			r.Price, r.NewShares, r.PostShares, r.Conversions[0].Shares, r.Conversions[1].Shares)
	}
}

func TestFinanceRoundTableAndScenario(t *testing.T) {
	out, _, err := run(t, "finance", "round", "-f", demoDoc, "--pre-money", "60000000", "--invest", "lead=12000000",
		"--date", "2025-09-01", "--method", "dollars", "--price-decimals", "6", "--price-rounding", "down", "--lang", "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"投前估值", "实际投前估值", "投入金额法", "转换", "按比例优先认购权", "估值上限 (MFN→safe-qiji)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, "finance", "round", "-f", demoDoc, "--scenario", "plan", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Series A", "Series B", "founders' ownership path", "陈远 (CEO)", "49.52%"} {
		if !strings.Contains(out, want) {
			t.Errorf("scenario output lacks %q:\n%s", want, out)
		}
	}
	js, _, err := run(t, "finance", "round", "-f", demoDoc, "--scenario", "plan", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var sr struct {
		Labels   []string
		Founders []struct {
			Stakeholder string
			Points      []string
		}
	}
	if err := json.Unmarshal([]byte(js), &sr); err != nil {
		t.Fatal(err)
	}
	if len(sr.Labels) != 3 || len(sr.Founders) != 2 || len(sr.Founders[0].Points) != 3 {
		t.Errorf("scenario JSON %+v", sr)
	}
}

func TestFinanceRoundErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--invest", "x=1"}, "--pre-money: required"},
		{[]string{"--pre-money", "10M"}, "at least one investment"},
		{[]string{"--pre-money", "ten", "--invest", "x=1"}, `"ten" is not an amount`},
		{[]string{"--pre-money", "¥10", "--invest", "x=1"}, "is in CNY but the company reports in USD"},
		{[]string{"--pre-money", "10M", "--invest", "x"}, "want NAME=AMOUNT"},
		{[]string{"--pre-money", "10M", "--invest", "x=-5"}, "amount must be > 0"},
		{[]string{"--pre-money", "10M", "--invest", "x=1M", "--pool-target", "12"}, "write a percentage"},
		{[]string{"--pre-money", "10M", "--invest", "x=1M", "--pool-target", "10%", "--pool-increase", "5"}, "contradict"},
		{[]string{"--pre-money", "10M", "--invest", "x=1M", "--method", "vibes"}, "--method"},
		{[]string{"--pre-money", "10M", "--invest", "x=1M", "--price-decimals", "-3"}, "--price-decimals"},
		{[]string{"--pre-money", "10M", "--invest", "x=1M", "--share-rounding", "up"}, "share rounding"},
		{[]string{"--pre-money", "60M", "--invest", "x=1M"}, "needs a date"},
		{[]string{"--pre-money", "60M", "--invest", "x=1M", "--date", "2025-09-01", "--pool-target", "2%"}, "below the unissued pool"},
		{[]string{"--scenario", "nope"}, `scenario "nope"`},
		{[]string{"--scenario", "plan", "--invest", "x=1"}, "drop --pre-money"},
	} {
		_, _, err := run(t, append([]string{"finance", "round", "-f", demoDoc}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}
