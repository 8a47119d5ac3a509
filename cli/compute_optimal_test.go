package cli

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestComputeOptimalFLOPs(t *testing.T) {
	out, _, err := run(t, "compute", "optimal", "--flops", "5.76e23")
	if err != nil {
		t.Fatal(err)
	}
	// Chinchilla Table 3, Gopher's budget: ≈ 67B parameters.
	if !strings.Contains(out, "67.8B") || !strings.Contains(out, "20.9") {
		t.Errorf("table:\n%s", out)
	}
	js, _, err := run(t, "--json", "compute", "optimal", "--flops", "1e24", "--law", "epoch", "--table")
	if err != nil {
		t.Fatal(err)
	}
	var r ComputeOptimalResult
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, js)
	}
	if r.Law != "epoch" || r.Optimal.FLOPs != 1e24 || len(r.Table) != 7 || r.Budget != nil {
		t.Errorf("unexpected %+v", r)
	}
	if math.Abs(6*r.Optimal.Params*r.Optimal.Tokens/1e24-1) > 1e-9 {
		t.Errorf("6ND != C: %+v", r.Optimal)
	}
}

// $10M at $2.50/GPU-hour, 989 TFLOP/s and 40% MFU: 4M GPU-hours,
// 5.697e24 FLOPs.
func TestComputeOptimalMoney(t *testing.T) {
	js, _, err := run(t, "--json", "compute", "optimal", "--budget", "$10M", "--gpu-flops", "989e12", "--mfu", "0.4", "--price", "2.5")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Budget   struct{ Amount, Currency string }
		GPUHours string `json:"gpu_hours"`
		Optimal  struct{ FLOPs float64 }
	}
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatalf("%v\n%s", err, js)
	}
	if r.Budget.Amount != "10000000" || r.Budget.Currency != "USD" || r.GPUHours != "4000000" ||
		math.Abs(r.Optimal.FLOPs/5.6966e24-1) > 1e-4 {
		t.Errorf("unexpected %+v", r)
	}
	out, _, err := run(t, "--lang", "zh", "compute", "optimal", "--budget", "¥5000万", "--gpu-flops", "989e12", "--mfu", "0.35", "--price", "¥15", "--table")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "¥50,000,000.00") || !strings.Contains(out, "GPU 小时") || len(strings.Split(strings.TrimSpace(out), "\n")) != 7 {
		t.Errorf("money table:\n%s", out)
	}
}

func TestComputeOptimalErrorsNameTheFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "--flops:"},
		{[]string{"--flops", "abc"}, "--flops:"},
		{[]string{"--flops", "-1"}, "--flops:"},
		{[]string{"--flops", "1e24", "--budget", "$1M"}, "--flops:"},
		{[]string{"--flops", "1e24", "--mfu", "0.4"}, "--mfu:"},
		{[]string{"--flops", "1e24", "--law", "gpt"}, "--law:"},
		{[]string{"--budget", "10M", "--gpu-flops", "1e15", "--mfu", "0.4", "--price", "2"}, "--budget:"},
		{[]string{"--budget", "$10M", "--gpu-flops", "1e15", "--mfu", "0.4"}, "--price:"},
		{[]string{"--budget", "$10M", "--gpu-flops", "1e15", "--mfu", "1.5", "--price", "2"}, "--mfu:"},
		{[]string{"--budget", "$10M", "--mfu", "0.4", "--price", "2"}, "--gpu-flops:"},
		{[]string{"--budget", "$10M", "--gpu-flops", "1e15", "--mfu", "0.4", "--price", "¥2"}, "--price:"},
		{[]string{"--budget", "$0", "--gpu-flops", "1e15", "--mfu", "0.4", "--price", "2"}, "--budget:"},
	} {
		_, _, err := run(t, append([]string{"compute", "optimal"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want it to name %s", tc.args, err, tc.want)
		}
	}
}
