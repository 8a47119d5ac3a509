package scaling

import (
	"errors"
	"fmt"
	"math"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Row is one line of a "what does my budget buy" table: the
// compute-optimal model for a FLOP budget under one law.
type Row struct {
	// FLOPs is the training budget C.
	FLOPs float64 `json:"flops"`
	// Params is the compute-optimal parameter count N.
	Params float64 `json:"params"`
	// Tokens is the compute-optimal training tokens D = C/(6N).
	Tokens float64 `json:"tokens"`
	// TokensPerParam is D/N.
	TokensPerParam float64 `json:"tokens_per_param"`
	// Loss is the law's predicted loss at (N, D), nats/token.
	Loss float64 `json:"loss"`
}

// Optimal returns law's compute-optimal row for a budget of c FLOPs. c
// must be positive and finite.
func Optimal(law Law, c float64) (Row, error) {
	if err := checkFLOPs(c); err != nil {
		return Row{}, err
	}
	n, d := law.Optimal(c)
	return Row{FLOPs: c, Params: n, Tokens: d, TokensPerParam: d / n, Loss: law.Loss(n, d)}, nil
}

func checkFLOPs(c float64) error {
	if math.IsNaN(c) || math.IsInf(c, 0) || c <= 0 {
		return fmt.Errorf("scaling: flops: budget must be a positive number of FLOPs, got %g", c)
	}
	if c < 1e6 || c > 1e40 {
		return fmt.Errorf("scaling: flops: %g is outside 1e6..1e40", c)
	}
	return nil
}

// BudgetTable returns one Row per FLOP budget, in the order given.
func BudgetTable(law Law, budgets []float64) ([]Row, error) {
	rows := make([]Row, 0, len(budgets))
	for _, c := range budgets {
		r, err := Optimal(law, c)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// DecadeBudgets returns budgets at every power of ten from lo to hi
// FLOPs inclusive (rounded outwards to powers of ten), e.g. 1e20…1e26.
func DecadeBudgets(lo, hi float64) []float64 {
	var out []float64
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		out = append(out, math.Pow(10, e))
	}
	return out
}

// Hardware converts money into FLOPs: what one accelerator delivers and
// costs. The values are plain inputs here; the hardware catalogue lives
// elsewhere.
type Hardware struct {
	// PeakFLOPs is the accelerator's dense peak, FLOP/s (e.g. 989e12 for
	// an H100 SXM in BF16).
	PeakFLOPs float64 `json:"peak_flops"`
	// MFU is the model FLOPs utilisation achieved, in (0, 1].
	MFU float64 `json:"mfu"`
	// PricePerHour is the rental price of one accelerator for one hour.
	PricePerHour money.Money `json:"price_per_gpu_hour"`
}

// Validate checks h; errors name the field (peak_flops, mfu,
// price_per_gpu_hour).
func (h Hardware) Validate() error {
	var errs []error
	if math.IsNaN(h.PeakFLOPs) || math.IsInf(h.PeakFLOPs, 0) || h.PeakFLOPs <= 0 {
		errs = append(errs, fmt.Errorf("scaling: peak_flops: must be positive, got %g", h.PeakFLOPs))
	}
	if math.IsNaN(h.MFU) || h.MFU <= 0 || h.MFU > 1 {
		errs = append(errs, fmt.Errorf("scaling: mfu: must be in (0, 1], got %g", h.MFU))
	}
	if !h.PricePerHour.Amount.IsPositive() {
		errs = append(errs, fmt.Errorf("scaling: price_per_gpu_hour: must be positive, got %s", h.PricePerHour.Amount))
	}
	return errors.Join(errs...)
}

// GPUHours is budget ÷ price per GPU-hour, exact in decimal. The
// currencies must match.
func (h Hardware) GPUHours(budget money.Money) (decimal.Decimal, error) {
	if err := h.Validate(); err != nil {
		return decimal.Decimal{}, err
	}
	if budget.Currency != h.PricePerHour.Currency {
		return decimal.Decimal{}, fmt.Errorf("scaling: budget: currency %s does not match the price's %s", budget.Currency, h.PricePerHour.Currency)
	}
	if !budget.Amount.IsPositive() {
		return decimal.Decimal{}, fmt.Errorf("scaling: budget: must be positive, got %s", budget)
	}
	return budget.Amount.DivRound(h.PricePerHour.Amount, 6), nil
}

// FLOPsForBudget converts money into delivered training FLOPs:
//
//	C = budget / price_per_gpu_hour × 3600 s × peak × MFU
//
// The division is exact decimal; the FLOPs are float64.
func (h Hardware) FLOPsForBudget(budget money.Money) (float64, error) {
	hours, err := h.GPUHours(budget)
	if err != nil {
		return 0, err
	}
	hf, _ := hours.Float64()
	return hf * 3600 * h.PeakFLOPs * h.MFU, nil
}

// MoneyRow is a Row reached from a money budget.
type MoneyRow struct {
	// Budget is the money spent.
	Budget money.Money `json:"budget"`
	// GPUHours is Budget / price per GPU-hour.
	GPUHours decimal.Decimal `json:"gpu_hours"`
	Row
}

// MoneyBudgetTable is BudgetTable for money budgets: each is converted to
// FLOPs with h, then to the law's compute-optimal model.
func MoneyBudgetTable(law Law, h Hardware, budgets []money.Money) ([]MoneyRow, error) {
	rows := make([]MoneyRow, 0, len(budgets))
	for _, b := range budgets {
		hours, err := h.GPUHours(b)
		if err != nil {
			return nil, err
		}
		c, err := h.FLOPsForBudget(b)
		if err != nil {
			return nil, err
		}
		r, err := Optimal(law, c)
		if err != nil {
			return nil, err
		}
		rows = append(rows, MoneyRow{Budget: b, GPUHours: hours, Row: r})
	}
	return rows, nil
}
