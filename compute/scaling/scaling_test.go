package scaling

import (
	"math"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

func relErr(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }

// TestChinchillaTable3 reproduces Hoffmann et al. 2022, Table 3
// ("Estimated optimal training FLOPs and training tokens for various model
// sizes"), which the paper derives from Approach 1. We test it against
// ChinchillaApproach1 (N = K·C^0.50, D = C/6N) — not against the closed
// form of the Approach 3 parametric fit, which with the paper's rounded
// constants puts the optimum near 90 tokens per parameter (see
// TestChinchillaApproach3Disagrees).
//
// Tolerances: parameters within 2.5% on every row — the exponent 0.50 is
// the paper's rounding of Approach 1's fitted 0.50 (CI 0.488–0.502), and
// K is fitted to these same rows, so what is tested is that one power law
// spans eight orders of magnitude of C within 2.5%. Tokens within 2.5%,
// except the 67B row (6%): that row's own numbers are not 6ND-consistent
// (6 × 67B × 1.5T = 6.03e23, not the 5.76e23 listed; its 1.5T is 1.43T
// rounded).
func TestChinchillaTable3(t *testing.T) {
	for _, r := range []struct {
		params, flops, tokens float64
		tokTol                float64
	}{
		{400e6, 1.92e19, 8.0e9, 0.025},
		{1e9, 1.21e20, 20.2e9, 0.025},
		{10e9, 1.23e22, 205.1e9, 0.025},
		{67e9, 5.76e23, 1.5e12, 0.06},
		{175e9, 3.85e24, 3.7e12, 0.025},
		{280e9, 9.90e24, 5.9e12, 0.025},
		{520e9, 3.43e25, 11.0e12, 0.025},
		{1e12, 1.27e26, 21.2e12, 0.025},
		{10e12, 1.30e28, 216.2e12, 0.025},
	} {
		n, d := ChinchillaApproach1.Optimal(r.flops)
		if e := relErr(n, r.params); e > 0.025 {
			t.Errorf("C=%g: N = %.4g, Table 3 %.4g (%.1f%% off, tolerance 2.5%%)", r.flops, n, r.params, 100*e)
		}
		if e := relErr(d, r.tokens); e > r.tokTol {
			t.Errorf("C=%g: D = %.4g, Table 3 %.4g (%.1f%% off, tolerance %.1f%%)", r.flops, d, r.tokens, 100*e, 100*r.tokTol)
		}
		if relErr(6*n*d, r.flops) > 1e-12 {
			t.Errorf("C=%g: 6ND = %g", r.flops, 6*n*d)
		}
	}
	// Approach 1 is "equal scaling": the ratio is constant, ≈ 20 tokens
	// per parameter (Chinchilla itself: 1.4T / 70B = 20).
	for _, c := range []float64{1e20, 1e24, 1e28} {
		n, d := ChinchillaApproach1.Optimal(c)
		if r := d / n; math.Abs(r-20.9) > 0.1 {
			t.Errorf("C=%g: D/N = %.2f, want 20.9", c, r)
		}
	}
}

// TestChinchillaApproach2 checks the exponent 0.49 (Table 2) and that it
// meets Approach 1 at the Gopher budget where it is anchored.
func TestChinchillaApproach2(t *testing.T) {
	n1, _ := ChinchillaApproach1.Optimal(5.76e23)
	n2, _ := ChinchillaApproach2.Optimal(5.76e23)
	if relErr(n2, n1) > 1e-9 {
		t.Errorf("anchor: %g vs %g", n2, n1)
	}
	a, _ := ChinchillaApproach2.Optimal(1e20)
	b, _ := ChinchillaApproach2.Optimal(1e30)
	if exp := math.Log10(b/a) / 10; math.Abs(exp-0.49) > 1e-9 {
		t.Errorf("exponent %g, want 0.49", exp)
	}
}

// TestParametricConstants pins the published constants and the
// closed-form exponents: a = β/(α+β). For Chinchilla 0.28/0.62 = 0.452
// (the paper's Table 2 reports 0.46 for Approach 3 from unrounded
// constants); for Epoch 0.3658/0.7136 = 0.513 (Besiroglu et al. report
// a = 0.51).
func TestParametricConstants(t *testing.T) {
	if Chinchilla.E != 1.69 || Chinchilla.A != 406.4 || Chinchilla.B != 410.7 || Chinchilla.Alpha != 0.34 || Chinchilla.Beta != 0.28 {
		t.Errorf("Chinchilla constants %+v", Chinchilla)
	}
	if Epoch.E != 1.82 || Epoch.A != 482.01 || Epoch.B != 2085.43 || Epoch.Alpha != 0.3478 || Epoch.Beta != 0.3658 {
		t.Errorf("Epoch constants %+v", Epoch)
	}
	for _, tc := range []struct {
		p       Parametric
		a, atol float64
	}{
		{Chinchilla, 0.46, 0.01},
		{Epoch, 0.51, 0.005},
	} {
		a, b := tc.p.Exponents()
		if math.Abs(a-tc.a) > tc.atol || math.Abs(a+b-1) > 1e-12 {
			t.Errorf("%s: a = %.4f b = %.4f, want a ≈ %.2f", tc.p.ID, a, b, tc.a)
		}
	}
}

// TestParametricOptimumIsMinimum checks the closed form against brute
// force: along the iso-FLOP curve D = C/6N, no N does better.
func TestParametricOptimumIsMinimum(t *testing.T) {
	for _, p := range []Parametric{Chinchilla, Epoch} {
		for _, c := range []float64{1e19, 5.76e23, 1e27} {
			n, d := p.Optimal(c)
			if relErr(6*n*d, c) > 1e-12 {
				t.Fatalf("%s: 6ND != C", p.ID)
			}
			best := p.Loss(n, d)
			for _, f := range []float64{0.5, 0.8, 0.95, 1.05, 1.25, 2} {
				if l := p.Loss(n*f, c/(6*n*f)); l < best-1e-12 {
					t.Errorf("%s C=%g: N×%g gives %g < optimum %g", p.ID, c, f, l, best)
				}
			}
		}
	}
}

// TestEpochRatio reproduces Besiroglu et al. 2024's headline: their refit
// of Approach 3 implies a compute-optimal ratio of about 20 tokens per
// parameter for budgets around Chinchilla's (compatible with Approaches 1
// and 2), where the paper's rounded constants imply far more. Tolerance:
// 20 ± 15% over 1e22–1e25 FLOPs, since the ratio drifts slowly with C
// (a ≠ b) and "about 20" is the published resolution.
func TestEpochRatio(t *testing.T) {
	for _, c := range []float64{1e22, 5.76e23, 1e25} {
		n, d := Epoch.Optimal(c)
		if r := d / n; r < 17 || r > 23 {
			t.Errorf("C=%g: Epoch D/N = %.1f, want ≈ 20", c, r)
		}
	}
	// At Chinchilla's budget the refit's optimum is a ~70B model.
	n, _ := Epoch.Optimal(5.76e23)
	if n < 60e9 || n > 80e9 {
		t.Errorf("Epoch N_opt(5.76e23) = %.3g, want ≈ 70B", n)
	}
}

// TestChinchillaApproach3Disagrees documents Besiroglu et al.'s finding:
// the constants printed in Hoffmann et al. give an optimum far from 20
// tokens per parameter (≈ 93 at Gopher's budget) and a model well under
// Chinchilla's 70B.
func TestChinchillaApproach3Disagrees(t *testing.T) {
	n, d := Chinchilla.Optimal(5.76e23)
	if r := d / n; r < 60 {
		t.Errorf("paper constants: D/N = %.1f, expected far above 20", r)
	}
	if n > 40e9 {
		t.Errorf("paper constants: N_opt = %.3g, expected well under 70B", n)
	}
}

// TestChinchillaLoss checks L(N, D) by hand and the loss the fit assigns
// Chinchilla itself (70B, 1.4T): 1.69 + 406.4/70e9^0.34 + 410.7/1.4e12^0.28
// ≈ 1.937.
func TestChinchillaLoss(t *testing.T) {
	want := 1.69 + 406.4/math.Pow(70e9, 0.34) + 410.7/math.Pow(1.4e12, 0.28)
	if got := Chinchilla.Loss(70e9, 1.4e12); got != want || math.Abs(got-1.937) > 0.001 {
		t.Errorf("L(70B, 1.4T) = %.4f, want %.4f", got, want)
	}
	if l := Chinchilla.Loss(1e30, 1e30); math.Abs(l-1.69) > 1e-5 {
		t.Errorf("loss at infinity = %g, want E", l)
	}
}

// TestKaplan pins Kaplan et al. 2020's constants and checks their laws:
// L(N) = (8.8e13/N)^0.076, L(D) = (5.4e13/D)^0.095, the joint fit
// (Table 2) and N_opt = 1.3e9·C^0.73 with C in PF-days.
func TestKaplan(t *testing.T) {
	k := Kaplan
	if k.AlphaN != 0.076 || k.NC != 8.8e13 || k.AlphaD != 0.095 || k.DC != 5.4e13 ||
		k.AlphaC != 0.050 || k.CC != 3.1e8 || k.PN != 0.73 || k.NE != 1.3e9 ||
		k.JointAlphaD != 0.103 || k.JointNC != 6.4e13 || k.JointDC != 1.8e13 {
		t.Errorf("constants %+v", k)
	}
	// A 1.5B-parameter model (GPT-2 XL, ~1.5e9 non-embedding): L(N) ≈ 2.30.
	if l := k.LossN(1.5e9); math.Abs(l-math.Pow(8.8e13/1.5e9, 0.076)) > 1e-12 || math.Abs(l-2.30) > 0.01 {
		t.Errorf("L(1.5e9) = %g", l)
	}
	if l := k.LossD(22e9); math.Abs(l-math.Pow(5.4e13/22e9, 0.095)) > 1e-12 {
		t.Errorf("L(D) = %g", l)
	}
	// The joint fit tends to L(N) as D → ∞ (with its own N_c, α_N).
	if l := k.Loss(1e9, 1e30); relErr(l, math.Pow(6.4e13/1e9, 0.076)) > 1e-6 {
		t.Errorf("L(N, ∞) = %g", l)
	}
	n, d := k.Optimal(PFDay)
	if relErr(n, 1.3e9) > 1e-12 || relErr(6*n*d, PFDay) > 1e-12 {
		t.Errorf("Optimal(1 PF-day) = %g, %g", n, d)
	}
	n10, _ := k.Optimal(10 * PFDay)
	if relErr(n10/n, math.Pow(10, 0.73)) > 1e-12 {
		t.Errorf("N_opt exponent %g", math.Log10(n10/n))
	}
	if relErr(k.LossC(PFDay), math.Pow(3.1e8, 0.05)) > 1e-12 {
		t.Errorf("L(C)")
	}
}

// TestMonotone: under every law, more compute buys a bigger model and
// more tokens and a lower predicted loss.
func TestMonotone(t *testing.T) {
	for _, name := range Laws() {
		law, err := ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := BudgetTable(law, DecadeBudgets(1e18, 1e28))
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 11 {
			t.Fatalf("%d rows", len(rows))
		}
		for i := 1; i < len(rows); i++ {
			a, b := rows[i-1], rows[i]
			if !(b.Params > a.Params && b.Tokens > a.Tokens && b.Loss < a.Loss) {
				t.Errorf("%s: not monotone between %g and %g: %+v %+v", name, a.FLOPs, b.FLOPs, a, b)
			}
		}
		if law.Source() == "" || law.Name() != name {
			t.Errorf("%s: name/source", name)
		}
	}
	// Kaplan favours parameters: at 1e24 FLOPs its model is larger than
	// Chinchilla's (the disagreement Hoffmann et al. resolved).
	nk, _ := Kaplan.Optimal(1e24)
	nc, _ := ChinchillaApproach1.Optimal(1e24)
	if nk <= nc {
		t.Errorf("Kaplan N %g should exceed Chinchilla's %g at 1e24", nk, nc)
	}
}

func TestTokens20(t *testing.T) {
	n, d := Tokens20.Optimal(5.88e23)
	if relErr(d/n, 20) > 1e-12 || relErr(n, 70e9) > 1e-3 {
		t.Errorf("N %g D %g", n, d)
	}
}

func TestBadInput(t *testing.T) {
	for _, c := range []float64{0, -1, math.NaN(), math.Inf(1), 10, 1e41} {
		if _, err := Optimal(Epoch, c); err == nil || !strings.Contains(err.Error(), "flops") {
			t.Errorf("Optimal(%g): %v", c, err)
		}
	}
	if _, err := ByName("gpt4"); err == nil || !strings.Contains(err.Error(), "chinchilla") {
		t.Errorf("ByName error should list names: %v", err)
	}
	if l, err := ByName(" Epoch "); err != nil || l.Name() != "epoch" {
		t.Errorf("ByName(Epoch): %v", err)
	}
}

func usd(s string) money.Money { return money.New(decimal.RequireFromString(s), money.USD) }

// TestMoneyBudget: $10M at $2.50 per GPU-hour is 4M GPU-hours; at 989
// TFLOP/s (H100 SXM dense BF16) and 40% MFU that is
// 4e6 × 3600 × 989e12 × 0.4 = 5.697e24 FLOPs.
func TestMoneyBudget(t *testing.T) {
	h := Hardware{PeakFLOPs: 989e12, MFU: 0.4, PricePerHour: usd("2.5")}
	hours, err := h.GPUHours(usd("10000000"))
	if err != nil || !hours.Equal(decimal.NewFromInt(4_000_000)) {
		t.Fatalf("GPUHours = %s, %v", hours, err)
	}
	c, err := h.FLOPsForBudget(usd("10000000"))
	if err != nil || relErr(c, 4e6*3600*989e12*0.4) > 1e-12 {
		t.Fatalf("FLOPs = %g, %v", c, err)
	}
	rows, err := MoneyBudgetTable(ChinchillaApproach1, h, []money.Money{usd("1000000"), usd("10000000")})
	if err != nil || len(rows) != 2 || rows[1].FLOPs != c || rows[1].Params <= rows[0].Params {
		t.Fatalf("MoneyBudgetTable: %+v %v", rows, err)
	}
	for _, tc := range []struct {
		h      Hardware
		budget money.Money
		field  string
	}{
		{Hardware{PeakFLOPs: 0, MFU: 0.4, PricePerHour: usd("2")}, usd("1"), "peak_flops"},
		{Hardware{PeakFLOPs: 1e15, MFU: 1.2, PricePerHour: usd("2")}, usd("1"), "mfu"},
		{Hardware{PeakFLOPs: 1e15, MFU: 0, PricePerHour: usd("2")}, usd("1"), "mfu"},
		{Hardware{PeakFLOPs: 1e15, MFU: 0.4, PricePerHour: usd("0")}, usd("1"), "price_per_gpu_hour"},
		{Hardware{PeakFLOPs: 1e15, MFU: 0.4, PricePerHour: usd("2")}, usd("-5"), "budget"},
		{Hardware{PeakFLOPs: 1e15, MFU: 0.4, PricePerHour: usd("2")}, money.New(decimal.NewFromInt(5), money.CNY), "budget"},
	} {
		if _, err := tc.h.FLOPsForBudget(tc.budget); err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%+v %s: error %v should name %s", tc.h, tc.budget, err, tc.field)
		}
	}
}
