package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

const demoDoc = "testdata/captable-demo.yaml"

func TestFinanceCaptableTable(t *testing.T) {
	out, _, err := run(t, "finance", "captable", "-f", demoDoc, "--as-of", "2025-06-30", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"陈远 (CEO)", "49.5238%", "unissued option pool", "10,500,000", "unconverted", "$74,465.75", "safe_post (MFN)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	zh, _, err := run(t, "finance", "captable", "-f", demoDoc, "--lang", "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"股东", "完全稀释占比", "未发放期权池", "创始人"} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese output lacks %q:\n%s", want, zh)
		}
	}
}

func TestFinanceCaptableJSON(t *testing.T) {
	out, _, err := run(t, "finance", "captable", "-f", demoDoc, "--json", "--decimals", "2")
	if err != nil {
		t.Fatal(err)
	}
	var tab captable.Table
	if err := json.Unmarshal([]byte(out), &tab); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	sum := tab.UnissuedPoolHolderPct
	for _, h := range tab.Holders {
		sum = sum.Add(h.FullyDilutedPct)
	}
	if !sum.Equal(decimal.NewFromInt(100)) || !tab.FullyDiluted.Equal(decimal.NewFromInt(10_500_000)) {
		t.Errorf("sum %s, fully diluted %s", sum, tab.FullyDiluted)
	}
	// Money and shares are JSON strings, never floats.
	if !strings.Contains(out, `"fully_diluted": "10500000"`) {
		t.Errorf("amounts must be decimal strings:\n%s", out)
	}
}

func TestFinanceCaptableJSONDocument(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.json")
	doc := `{"name":"J","currency":"CNY","stakeholders":[{"id":"a","kind":"founder"}],"share_classes":[{"id":"common"}],
	"issuances":[{"stakeholder":"a","class":"common","shares":"1000"}]}`
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "finance", "captable", "-f", p)
	if err != nil || !strings.Contains(out, "100.0000%") {
		t.Fatalf("%v\n%s", err, out)
	}
}

func TestFinanceCaptableErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("name: X\ncurrency: USD\nstakeholders: [{id: a}]\nshare_classes: [{id: common}]\nissuances: [{stakeholder: bob, class: common, shares: 1}]\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"finance", "captable"}, "no input file"},
		{[]string{"finance", "captable", "-f", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"finance", "captable", "-f", bad}, `bad.yaml: issuances[0]: unknown stakeholder "bob"`},
		{[]string{"finance", "captable", "-f", demoDoc, "--as-of", "June"}, "--as-of"},
		{[]string{"finance", "captable", "-f", demoDoc, "--decimals", "20"}, "--decimals 20"},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

func TestFinanceMessagesTranslated(t *testing.T) {
	for k, m := range messages {
		if (strings.HasPrefix(k, "captable.") || strings.HasPrefix(k, "round.")) && (m[0] == "" || m[1] == "") {
			t.Errorf("%s lacks a translation", k)
		}
	}
}
