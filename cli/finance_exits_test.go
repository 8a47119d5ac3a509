package cli

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/compute/memory"
	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/compute/train"
	"github.com/kaiwu-ai/kaiwu/finance/exit"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
	"github.com/kaiwu-ai/kaiwu/msg"
)

func TestFinanceWaterfallTable(t *testing.T) {
	out, _, err := run(t, "finance", "waterfall", "-f", demoDoc, "--exit", "50M", "--as-of", "2025-06-30", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"exit value $50,000,000.00, as of 2025-06-30",
		"common per share: $4.128648",
		"note-cloud", "$1,574,465.75", // the note repaid with 302 days' interest
		"陈远 (CEO)", "convert to common", "cash out", "$50,000,000.00",
		"notes", "MFN SAFE adopts the terms of the later safe-qiji",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	zh, _, err := run(t, "finance", "waterfall", "-f", demoDoc, "--exit", "3000万", "--as-of", "2025-06-30", "--lang", "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"退出价值 $30,000,000.00", "普通股每股价值", "股东", "占退出价值", "转换为普通股", "债务", "说明"} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese output lacks %q:\n%s", want, zh)
		}
	}
}

// waterfallJSON is the part of the --json output the tests read.
type waterfallJSON struct {
	Company  string          `json:"company"`
	AsOf     string          `json:"as_of"`
	Currency string          `json:"currency"`
	Exit     decimal.Decimal `json:"exit"`
	Classes  []struct {
		Name   string          `json:"name"`
		Payout decimal.Decimal `json:"payout"`
	} `json:"classes"`
	Holders []struct {
		Holder string          `json:"holder"`
		Payout decimal.Decimal `json:"payout"`
	} `json:"holders"`
	Decisions []struct {
		Name   string `json:"name"`
		Choice string `json:"choice"`
	} `json:"decisions"`
	Notes []string `json:"notes"`
}

func TestFinanceWaterfallJSON(t *testing.T) {
	out, _, err := run(t, "finance", "waterfall", "-f", demoDoc, "--exit", "$12,345,678.91", "--as-of", "2025-06-30", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var r waterfallJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if r.Currency != "USD" || r.AsOf != "2025-06-30" || !r.Exit.Equal(decimal.RequireFromString("12345678.91")) || len(r.Notes) == 0 {
		t.Errorf("header fields: %+v", r)
	}
	sum := decimal.Zero
	for _, h := range r.Holders {
		sum = sum.Add(h.Payout)
	}
	if !sum.Equal(r.Exit) {
		t.Errorf("holders sum to %s, exit %s", sum, r.Exit)
	}
	if len(r.Decisions) != 3 {
		t.Errorf("decisions %+v", r.Decisions)
	}
	// Amounts are decimal strings, never floats.
	if !strings.Contains(out, `"exit": "12345678.91"`) {
		t.Errorf("amounts must be decimal strings:\n%s", out)
	}
}

func TestFinanceExitsTable(t *testing.T) {
	out, _, err := run(t, "finance", "exits", "-f", demoDoc, "--from", "0", "--to", "100M", "--points", "6", "--as-of", "2025-06-30", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"payouts per holder at evenly spaced exit values",
		"$20,000,000.00", "$100,000,000.00", "陈远 (CEO)",
		"breakpoints", "$1,574,465.75", "debt of rank 0 repaid in full (note-cloud)", "options at 0.05 come into the money",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Six grid rows, breakpoints listed apart.
	table := out[strings.Index(out, "payouts per holder"):strings.Index(out, "breakpoints")]
	if n := strings.Count(table, "\n"); n != 1+2+6+1 {
		t.Errorf("want 6 rows in the curve table, got %d lines:\n%s", n, table)
	}
	zh, _, err := run(t, "finance", "exits", "-f", demoDoc, "--to", "1亿", "--as-of", "2025-06-30", "--lang", "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"等距退出价值下各股东所得", "拐点", "债务全额偿还（note-cloud）", "行权价 0.05 的期权进入价内", "改取转换金额"} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese output lacks %q:\n%s", want, zh)
		}
	}
}

func TestFinanceExitsJSON(t *testing.T) {
	out, _, err := run(t, "finance", "exits", "-f", demoDoc, "--from", "1M", "--to", "60M", "--points", "4", "--as-of", "2025-06-30", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Company  string            `json:"company"`
		Currency string            `json:"currency"`
		Exits    []decimal.Decimal `json:"exits"`
		Holders  []struct {
			Name    string            `json:"name"`
			Payouts []decimal.Decimal `json:"payouts"`
		} `json:"holders"`
		Breakpoints []struct {
			Exit  decimal.Decimal `json:"exit"`
			Label string          `json:"label"`
		} `json:"breakpoints"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if c.Currency != "USD" || len(c.Breakpoints) == 0 || len(c.Exits) < 4 {
		t.Fatalf("%+v", c)
	}
	// Every point's holder payouts sum to its exit value.
	for i, x := range c.Exits {
		sum := decimal.Zero
		for _, h := range c.Holders {
			sum = sum.Add(h.Payouts[i])
		}
		if !sum.Equal(x) {
			t.Errorf("at %s holders sum to %s", x, sum)
		}
	}
}

func TestFinanceExitsErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte(`name: X
currency: USD
stakeholders: [{id: a}, {id: v}]
share_classes: [{id: common}]
issuances: [{stakeholder: a, class: common, shares: 1}]
convertibles: [{id: s1, stakeholder: v, type: safe_post, amount: 500, cap: 400}]
`), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"finance", "waterfall", "-f", demoDoc, "--exit", "-5M"}, "--exit: -5M is negative"},
		{[]string{"finance", "waterfall", "-f", demoDoc}, "--exit: required"},
		{[]string{"finance", "waterfall", "-f", demoDoc, "--exit", "100 CNY"}, "is in CNY but the company reports in USD"},
		{[]string{"finance", "waterfall", "-f", demoDoc, "--exit", "lots"}, `--exit: "lots" is not an amount`},
		{[]string{"finance", "waterfall", "-f", demoDoc, "--exit", "1.234"}, "more than 2 decimal places"},
		{[]string{"finance", "waterfall", "-f", demoDoc, "--exit", "1M", "--as-of", "June"}, "--as-of"},
		{[]string{"finance", "waterfall", "-f", demoDoc, "--exit", "1M", "--as-of", "2024-01-01"}, "convertibles[3] (note-cloud): the exit date 2024-01-01 is before the note's issue date"},
		{[]string{"finance", "waterfall", "-f", bad, "--exit", "1M"}, "bad.yaml: convertibles[0] (s1): post-money valuation cap 400 must exceed the purchase amount 500"},
		{[]string{"finance", "waterfall", "--exit", "1M"}, "no input file"},
		{[]string{"finance", "exits", "-f", demoDoc, "--from", "50M", "--to", "10M"}, "--from 50M is not below --to 10M"},
		{[]string{"finance", "exits", "-f", demoDoc, "--from", "10M", "--to", "10M"}, "is not below"},
		{[]string{"finance", "exits", "-f", demoDoc, "--from", "-1", "--to", "10M"}, "--from: -1 is negative"},
		{[]string{"finance", "exits", "-f", demoDoc, "--to", "10M", "--points", "1"}, "--points 1: want 2..10000"},
		{[]string{"finance", "exits", "-f", demoDoc, "--to", "10M", "--points", "10001"}, "--points 10001: want 2..10000"},
		{[]string{"finance", "exits", "-f", demoDoc, "--to", "¥10,000,000"}, "--to"},
		{[]string{"finance", "exits", "-f", demoDoc}, "--to: required"},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one containing %q", tc.args, err, tc.want)
		}
	}
}

func TestFinanceExitsMessagesTranslated(t *testing.T) {
	for k, m := range exitsMessages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s lacks a translation", k)
		}
		if got := messages[k]; got != m {
			t.Errorf("%s not registered", k)
		}
	}
}

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -run %s -update rewrites it):\n--- got\n%s\n--- want\n%s", path, t.Name(), got, want)
	}
}

// The zh tables show the domain's notes and breakpoint labels in Chinese,
// with the numbers and document places the English names.
func TestFinanceExitsChineseGolden(t *testing.T) {
	out, _, err := run(t, "--lang", "zh", "finance", "exits", "-f", demoDoc, "--to", "1亿", "--points", "3", "--as-of", "2025-06-30")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "finance-exits-zh.txt", out)
	out, _, err = run(t, "--lang", "zh", "finance", "waterfall", "-f", demoDoc, "--exit", "5000万", "--as-of", "2025-06-30")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "finance-waterfall-zh.txt", out)
	for _, bad := range []string{"granted options are unvested", "convertible note repaid", "MFN SAFE adopts", "come into the money", "Options @"} {
		if strings.Contains(out, bad) {
			t.Errorf("Chinese output still has English %q", bad)
		}
	}
}

// Every note and label code the domains define has an English and a
// Chinese template in the catalogue: the English the domain's own, the
// Chinese naming the same placeholders.
func TestNoteCatalogue(t *testing.T) {
	domains := map[string]msg.Catalogue{
		"note.exit.":      exit.Notes,
		"note.waterfall.": waterfall.Events,
		"note.memory.":    memory.Notes,
		"note.train.":     train.Notes,
		"note.serve.":     serve.Notes,
	}
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	errs := msg.CheckTranslations(domains, keys, func(key string) (en, zh string, ok bool) {
		m, ok := messages[key]
		return m[0], m[1], ok
	})
	for _, err := range errs {
		t.Error(err)
	}
	// A code the catalogue lacks falls back to the English text.
	o := &Options{Lang: LangZH}
	if got := o.Note("note.exit.", msg.Note{Code: "unknown", Text: "plain English"}); got != "plain English" {
		t.Errorf("fallback %q", got)
	}
}

func TestExitsNoteDetailsJSON(t *testing.T) {
	out, _, err := run(t, "finance", "waterfall", "-f", demoDoc, "--exit", "50M", "--as-of", "2025-06-30", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Notes       []string   `json:"notes"`
		NoteDetails []msg.Note `json:"note_details"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Notes) == 0 || len(v.Notes) != len(v.NoteDetails) {
		t.Fatalf("notes %d, details %d", len(v.Notes), len(v.NoteDetails))
	}
	for i, n := range v.NoteDetails {
		if n.Text != v.Notes[i] || exit.Notes[n.Code] == "" {
			t.Errorf("detail %d %+v does not match note %q", i, n, v.Notes[i])
		}
	}
	if n := v.NoteDetails[1]; n.Code != exit.NoteMFNAdopts || n.Args["safe"] != "safe-angel" || n.Args["from"] != "safe-qiji" {
		t.Errorf("MFN note %+v", n)
	}
	out, _, err = run(t, "finance", "exits", "-f", demoDoc, "--to", "100M", "--points", "3", "--as-of", "2025-06-30", "--json")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"code": "debt-repaid"`, `"rank": "0"`, `"names": "note-cloud"`, `"label": "debt of rank 0 repaid in full (note-cloud)"`, `"note_details"`} {
		if !strings.Contains(out, want) {
			t.Errorf("exits JSON lacks %s", want)
		}
	}
}
