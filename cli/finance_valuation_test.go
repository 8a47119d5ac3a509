package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every valuation subcommand runs on both sample companies, as a table and
// as JSON whose money is {"amount": "<decimal string>", "currency": …}.
func TestValuationCommandsOnSamples(t *testing.T) {
	for _, file := range []string{"testdata/valuation-cny.yaml", "testdata/valuation-usd.yaml"} {
		for _, m := range []string{"vc", "scorecard", "berkus", "risk-factor", "first-chicago", "dcf", "multiples", "football-field"} {
			out, _, err := run(t, "finance", "valuation", m, "-f", file)
			if err != nil {
				t.Fatalf("%s %s: %v", m, file, err)
			}
			if len(strings.Split(strings.TrimSpace(out), "\n")) < 3 {
				t.Errorf("%s %s: table too short:\n%s", m, file, out)
			}
			js, _, err := run(t, "--json", "finance", "valuation", m, "-f", file)
			if err != nil {
				t.Fatalf("%s %s --json: %v", m, file, err)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(js), &v); err != nil {
				t.Fatalf("%s %s: not JSON: %v\n%s", m, file, err, js)
			}
		}
	}
}

func TestValuationJSONNumbers(t *testing.T) {
	js, _, err := run(t, "--json", "finance", "valuation", "berkus", "-f", "testdata/valuation-usd.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		PreMoney struct{ Amount, Currency string } `json:"pre_money"`
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if r.PreMoney.Amount != "1850000" || r.PreMoney.Currency != "USD" {
		t.Errorf("pre_money %+v, want 1850000 USD", r.PreMoney)
	}

	js, _, err = run(t, "--json", "finance", "valuation", "football-field", "-f", "testdata/valuation-cny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Currency string
		Bars     []struct {
			Method         string
			Low, Mid, High struct{ Amount string }
		}
	}
	if err := json.Unmarshal([]byte(js), &f); err != nil {
		t.Fatal(err)
	}
	if f.Currency != "CNY" || len(f.Bars) != 7 || f.Bars[1].Method != "scorecard" || f.Bars[1].Mid.Amount != "280800000" {
		t.Errorf("football field %+v", f)
	}
}

func TestValuationChineseLabels(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "finance", "valuation", "vc", "-f", "testdata/valuation-cny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"投前估值", "投后估值", "保留比例", "¥"} {
		if !strings.Contains(out, want) {
			t.Errorf("Chinese VC table lacks %q:\n%s", want, out)
		}
	}
}

// The anti-dilution command reproduces MG Legal's example (1M common + 1M
// Series A at $1.00; a Series B of 1M shares at $0.50 → each Series A
// share converts into 1.2 common, 2 under a full ratchet).
func TestValuationAntiDilution(t *testing.T) {
	js, _, err := run(t, "--json", "finance", "antidilution", "--cp1", "1.00", "--new-price", "0.50",
		"--outstanding", "2M", "--new-shares", "1,000,000", "--series-shares", "1000000")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Kind            string `json:"kind"`
		CP2             string `json:"cp2"`
		ConversionRatio string `json:"conversion_ratio"`
		ExtraShares     string `json:"extra_shares"`
	}
	if err := json.Unmarshal([]byte(js), &a); err != nil {
		t.Fatal(err)
	}
	if a.Kind != "broad_based" || a.CP2 != "0.833333" || a.ConversionRatio != "1.2" || a.ExtraShares != "200000" {
		t.Errorf("got %+v", a)
	}
	out, _, err := run(t, "finance", "antidilution", "--cp1", "1", "--new-price", "0.5", "--new-shares", "1000000", "--full-ratchet")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "full_ratchet") || !strings.Contains(out, "conversion ratio after") || !strings.Contains(out, "  2\n") {
		t.Errorf("full ratchet table:\n%s", out)
	}
	out, _, err = run(t, "--lang", "zh", "finance", "antidilution", "--cp1", "1", "--new-price", "0.5", "--outstanding", "2000000", "--new-shares", "1000000", "--narrow")
	if err != nil || !strings.Contains(out, "narrow_based") || !strings.Contains(out, "调整后转换价格") {
		t.Errorf("narrow, Chinese: %v\n%s", err, out)
	}
}

func TestValuationOffers(t *testing.T) {
	js, _, err := run(t, "--json", "finance", "offers", "-f", "testdata/valuation-offers-usd.yaml", "--exits", "10M,50M,200M")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Exits  []struct{ Amount string }
		Offers []struct {
			Name     string
			Proceeds []struct {
				Founders struct{ Amount string }
			}
		}
	}
	if err := json.Unmarshal([]byte(js), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Exits) != 3 || c.Exits[2].Amount != "200000000" || len(c.Offers) != 2 || len(c.Offers[1].Proceeds) != 3 {
		t.Fatalf("offers JSON %+v", c)
	}
	// Fund B (2× participating, $20M pre, $4M): at a $10M exit the $8M
	// preference leaves $2M shared by 9.4M common and 2M preferred shares:
	// founders 9M / 11.4M × $2M.
	if got := c.Offers[1].Proceeds[0].Founders.Amount; got != "1578947.37" {
		t.Errorf("Fund B founders at $10M = %s, want 1578947.37", got)
	}
	out, _, err := run(t, "--lang", "zh", "finance", "offers", "-f", "testdata/valuation-offers-cny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"红杉式", "创始人所得", "实际投前估值"} {
		if !strings.Contains(out, want) {
			t.Errorf("offers table lacks %q:\n%s", want, out)
		}
	}
}

func TestValuationErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("currency: USD\nscorecard: {average_pre_money: 1, factors: [{name: management, comparison: 1}, {name: opportunity, comparison: 1}, {name: product, comparison: 3.5}]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badJSON := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badJSON, []byte(`{"currency":"USD","dcf":{"cash_flows":[1],"discount_rate":"5%","terminal":{"growth":"6%"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"finance", "valuation", "scorecard", "-f", bad}, "scorecard.factors[2] (product): comparison 3.5 outside [0, 3]"},
		{[]string{"finance", "valuation", "scorecard", "-f", bad}, "weights sum to 70%, want 100%"},
		{[]string{"finance", "valuation", "dcf", "-f", badJSON}, "r > g"},
		{[]string{"finance", "valuation", "vc", "-f", bad}, "vc: section missing"},
		{[]string{"finance", "valuation", "vc"}, "no input file"},
		{[]string{"finance", "valuation", "vc", "-f", filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
		{[]string{"finance", "antidilution", "--new-price", "1", "--outstanding", "1", "--new-shares", "1"}, "--cp1 is required"},
		{[]string{"finance", "antidilution", "--cp1", "abc", "--new-price", "1", "--outstanding", "1", "--new-shares", "1"}, `--cp1: "abc" is not a number`},
		{[]string{"finance", "antidilution", "--cp1", "1", "--new-price", "1", "--outstanding", "1", "--new-shares", "1", "--narrow", "--full-ratchet"}, "exclude each other"},
		{[]string{"finance", "antidilution", "--cp1", "1", "--new-price", "0.5", "--outstanding", "-1", "--new-shares", "1"}, "outstanding (A) -1"},
		{[]string{"finance", "offers", "-f", "testdata/valuation-offers-usd.yaml", "--exits", "1M,x"}, `--exits: "x" is not a number`},
		{[]string{"finance", "offers", "-f", bad}, "field scorecard not found"},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

func TestValuationParseAmount(t *testing.T) {
	for _, tc := range []struct{ in, want string }{{"2M", "2000000"}, {"1.5亿", "150000000"}, {"300万", "3000000"}, {"12k", "12000"}, {"3bn", "3000000000"}, {"1_000", "1000"}} {
		d, err := valParseAmount(tc.in)
		if err != nil || d.String() != tc.want {
			t.Errorf("valParseAmount(%q) = %s, %v; want %s", tc.in, d, err, tc.want)
		}
	}
}
