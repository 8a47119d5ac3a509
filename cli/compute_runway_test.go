package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/runway"
)

// computeRunwayArgs is a plan with a training run and growing serving.
var computeRunwayArgs = []string{"compute", "runway", "--preset", "llama-3-8b", "--train-start", "2026-03", "--train-gpus", "64",
	"--tokens", "1T", "--train-price", "2", "--serve-from", "2026-06", "--tokens-in", "30B", "--tokens-out", "10B",
	"--serve-gpu", "h100", "--serve-gpu-price", "2.5", "--serve-growth", "10%"}

// TestComputeRunwayYAMLParses: the printed lines decode with the runway
// decoder (unknown fields rejected) and project.
func TestComputeRunwayYAMLParses(t *testing.T) {
	out, _, err := run(t, append([]string{"--lang", "en"}, computeRunwayArgs...)...)
	if err != nil {
		t.Fatal(err)
	}
	var p runway.Plan
	if err := runwayDecode("lines.yaml", []byte(out), &p); err != nil {
		t.Fatalf("lines do not decode as a runway plan: %v\n%s", err, out)
	}
	if len(p.Costs.Compute) < 2 || !strings.HasPrefix(p.Costs.Compute[0].Name, "training") ||
		p.Costs.Compute[len(p.Costs.Compute)-1].Growth != "10%" {
		t.Fatalf("lines %+v", p.Costs.Compute)
	}
	p.Currency, p.Start, p.OpeningCash, p.Months = "USD", "2026-01", "10000000", 24
	if _, err := runway.Project(&p, runway.Options{}); err != nil {
		t.Fatalf("lines do not project: %v", err)
	}
}

// TestComputeRunwayMerge: merged into a plan, the projection changes by
// exactly the added costs — month by month the compute column grows by
// what the lines alone cost, the cash falls by their running sum — and
// the training months add up to the training plan's cost.
func TestComputeRunwayMerge(t *testing.T) {
	plan := `name: test
currency: USD
start: 2026-01
months: 24
opening_cash: 20,000,000
costs:
  headcount:
    - {role: team, monthly_cost: 200000, count: 5}
  compute:
    - {name: dev, monthly: 30000}
revenue: {mrr: 50000, growth: 8%}
`
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(path, []byte(plan), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, append([]string{"--json"}, append(computeRunwayArgs, "--plan", path)...)...)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Lines    []computeCostLine `json:"lines"`
		Training struct {
			Cost struct{ Amount decimal.Decimal } `json:"cost"`
		} `json:"training"`
		Without, With *runway.Result
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	// The lines alone, in an otherwise empty plan of the same calendar.
	only := runway.Plan{Currency: "USD", Start: "2026-01", Months: 24, OpeningCash: "0"}
	only = mergeCompute(only, v.Lines)
	alone, err := runway.Project(&only, runway.Options{})
	if err != nil {
		t.Fatal(err)
	}
	trainSum, cum := decimal.Zero, decimal.Zero
	for _, l := range v.Lines {
		if l.Amount != "" {
			trainSum = trainSum.Add(decimal.RequireFromString(l.Amount))
		}
	}
	if !trainSum.Equal(v.Training.Cost.Amount) {
		t.Errorf("training lines sum to %s, the plan costs %s", trainSum, v.Training.Cost.Amount)
	}
	for i := range v.With.Rows {
		w, wo, a := v.With.Rows[i], v.Without.Rows[i], alone.Rows[i]
		if d := w.Compute.Amount.Sub(wo.Compute.Amount); !d.Equal(a.Compute.Amount) {
			t.Errorf("%s: compute grew by %s, the lines cost %s", w.Month, d, a.Compute.Amount)
		}
		cum = cum.Add(a.Compute.Amount)
		if d := wo.Cash.Amount.Sub(w.Cash.Amount); !d.Equal(cum) {
			t.Errorf("%s: cash fell by %s, want the lines' running sum %s", w.Month, d, cum)
		}
	}
	// Serving in its first month is GPU-hours × price, to the cent.
	var srv computeCostLine
	for _, l := range v.Lines {
		if l.GPUHours != "" {
			srv = l
		}
	}
	want := decimal.RequireFromString(srv.GPUHours).Mul(decimal.RequireFromString("2.5")).Round(2)
	if got := alone.Rows[5].Compute.Amount; !got.Equal(want) || srv.From != "2026-06" {
		t.Errorf("2026-06 serving %s, want %s × 2.5 = %s", got, srv.GPUHours, want)
	}
	if !v.With.Runway.Months.LessThan(v.Without.Runway.Months) && !v.Without.Runway.Survives {
		t.Errorf("runway %s with compute, %s without", v.With.Runway.Months, v.Without.Runway.Months)
	}
}

func TestComputeRunwayTableChinese(t *testing.T) {
	out, _, err := run(t, append([]string{"--lang", "zh"}, append(computeRunwayArgs, "--plan", "testdata/runway-us-saas.yaml")...)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"不含算力计划", "含算力计划", "计划期算力总支出", "现金跑道（月）", "$"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestComputeRunwayErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--preset", "llama-3-8b"}, "--train-start"},
		{[]string{"--preset", "llama-3-8b", "--train-start", "2026-03"}, "--train-gpus"},
		{[]string{"--preset", "llama-3-8b", "--train-start", "2026-13", "--train-gpus", "8"}, "--train-start"},
		{[]string{"--preset", "llama-3-8b", "--train-start", "2026-03", "--train-gpus", "8", "--train-gpu", "x"}, "--train-gpu"},
		{[]string{"--preset", "llama-3-8b", "--train-start", "2026-03", "--train-gpus", "8", "--tokens", "lots"}, "--tokens"},
		{[]string{"--preset", "llama-3-8b", "--train-start", "2026-03", "--train-gpus", "8", "--train-mfu", "2"}, "--train-mfu"},
		{[]string{"--preset", "llama-3-8b", "--serve-from", "June", "--tokens-out", "1B"}, "--serve-from"},
		{[]string{"--preset", "llama-3-8b", "--serve-from", "2026-06"}, "--tokens-out"},
		{[]string{"--preset", "llama-3-8b", "--serve-from", "2026-06", "--tokens-out", "x"}, "--tokens-out"},
		{[]string{"--preset", "llama-3-8b", "--serve-from", "2026-06", "--tokens-out", "1B", "--serve-growth", "fast"}, "--serve-growth"},
		{[]string{"--preset", "llama-3-8b", "--serve-from", "2026-06", "--tokens-out", "1B", "--serve-gpu", "nosuch"}, "--serve-gpu"},
		{[]string{"--preset", "llama-3-8b", "--serve-from", "2026-06", "--tokens-out", "1B", "--plan", "testdata/runway-us-saas.yaml", "--currency", "CNY"}, "--currency"},
		{[]string{"--preset", "llama-3-8b", "--serve-from", "2026-06", "--tokens-out", "1B", "--plan", "testdata/no-such-plan.yaml"}, "--plan"},
		{[]string{"--params", "7e9", "--serve-from", "2026-06", "--tokens-out", "1B"}, "--params"},
	} {
		_, _, err := run(t, append([]string{"compute", "runway"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.args, err, tc.want)
		}
	}
}
