package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRunwayCommandCNY(t *testing.T) {
	out, _, err := run(t, "--lang", "en", "finance", "runway", "-f", "testdata/runway-cn-llm.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"month", "net burn", "2026-06", "¥14,192,116.02", "runway (months)", "13.4",
		"out of cash in", "2027-02", "default dead", "start raising by", "2026-02", "MRR ≥ ¥5,000,000.00 (2028-05)", "cash never runs out"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunwayCommandChinese(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "finance", "runway", "-f", "testdata/runway-us-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"月份", "净烧钱", "现金跑道（月）", "默认存活", "$"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRunwayCommandJSON(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		scenario string
		rows     int
		currency string
	}{
		{[]string{"-f", "testdata/runway-us-saas.yaml"}, "base", 24, "USD"},
		{[]string{"-f", "testdata/runway-cn-llm.yaml", "--scenario", "bear", "--raise-months", "9"}, "bear", 36, "CNY"},
		{[]string{"-f", "testdata/runway-us-saas.json"}, "base", 12, "USD"},
	} {
		out, _, err := run(t, append([]string{"--json", "finance", "runway"}, tc.args...)...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var v struct {
			Scenario string `json:"scenario"`
			Rows     []struct {
				Month string `json:"month"`
				Cash  struct {
					Amount   string `json:"amount"`
					Currency string `json:"currency"`
				} `json:"cash"`
			} `json:"rows"`
			Runway      struct{ Months string } `json:"runway"`
			Alive       struct{ Alive bool }    `json:"default_alive"`
			Fundraising struct {
				RaiseMonths int `json:"raise_months"`
				Raise       struct{ Amount string }
			} `json:"fundraising"`
		}
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		if v.Scenario != tc.scenario || len(v.Rows) != tc.rows || v.Rows[0].Cash.Currency != tc.currency || v.Rows[0].Month != "2026-01" {
			t.Errorf("%v: %+v", tc.args, v)
		}
		if strings.ContainsAny(v.Rows[0].Cash.Amount, "e,") || v.Runway.Months == "" {
			t.Errorf("money must be a plain decimal string: %q, runway %q", v.Rows[0].Cash.Amount, v.Runway.Months)
		}
	}
	// The JSON plan is calculatorjar's example: 10 months of runway.
	out, _, _ := run(t, "--json", "finance", "runway", "-f", "testdata/runway-us-saas.json")
	if !strings.Contains(out, `"months": "10"`) || !strings.Contains(out, `"out_of_cash": "2026-10"`) {
		t.Errorf("calculatorjar example: %s", out)
	}
}

func TestRunwayCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "testdata/runway-bad.yaml"}, "costs.compute[1] (H100 training run): month: month 2027-13 is not a month"},
		{[]string{"-f", "testdata/runway-bad.yaml"}, "costs.other[0] (rent): monthly: -20000 is negative"},
		{[]string{"-f", "testdata/runway-bad.yaml"}, "revenue: growth: -150% is below -100%"},
		{[]string{}, "no input file"},
		{[]string{"-f", "testdata/nosuch.yaml"}, "nosuch.yaml"},
		{[]string{"-f", "testdata/runway-us-saas.yaml", "--scenario", "moon"}, `scenario "moon"`},
		{[]string{"-f", "testdata/runway-us-saas.yaml", "--raise-months", "0"}, "--raise-months 0"},
		{[]string{"-f", "testdata/channels-override.yaml"}, "field channels not found"},
	} {
		_, _, err := run(t, append([]string{"finance", "runway"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
