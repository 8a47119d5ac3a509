package train

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/msg"
)

// MonthlyCost is one month of a spend schedule: a plain type that a
// runway or budgeting model can consume without importing this package's
// plan. Amount is in the plan's currency (Plan.Cost.Currency).
type MonthlyCost struct {
	// Month is "YYYY-MM".
	Month string `json:"month"`
	// Amount is the month's spend, exact to the cent.
	Amount decimal.Decimal `json:"amount"`
	// Label says what the money is for, in English; LabelDetail is the
	// same with its code and arguments (Plan.LabelDetail).
	Label       string   `json:"label"`
	LabelDetail msg.Note `json:"label_detail"`
}

// parseMonth reads "YYYY-MM" as the first day of that month, UTC.
func parseMonth(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	y, m, ok := strings.Cut(t, "-")
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	if !ok || len(y) != 4 || err1 != nil || err2 != nil || mi < 1 || mi > 12 || yi < 1900 {
		return time.Time{}, fieldErr("start", "%q is not a month (want YYYY-MM, e.g. 2027-01)", s)
	}
	return time.Date(yi, time.Month(mi), 1, 0, 0, 0, 0, time.UTC), nil
}

// Schedule spreads the plan's GPU cost over calendar months, the run
// starting on the first day of startMonth ("YYYY-MM") and running for
// WallClockDays without pause at a constant daily cost. Each month is
// rounded to the cent and the last month takes the rounding remainder, so
// the schedule sums exactly to Plan.Cost.
func (p *Plan) Schedule(startMonth string) ([]MonthlyCost, error) {
	start, err := parseMonth(startMonth)
	if err != nil {
		return nil, err
	}
	total := p.Cost.Amount
	days := p.WallClockDays
	if !(days > 0) {
		return []MonthlyCost{{Month: start.Format("2006-01"), Amount: total, Label: p.Label, LabelDetail: p.LabelDetail}}, nil
	}
	if days > 365*50 {
		return nil, fieldErr("gpus", "the run would take %.0f years; add GPUs", days/365)
	}
	var out []MonthlyCost
	left := days
	spent := decimal.Zero
	for m := start; left > 1e-9; m = m.AddDate(0, 1, 0) {
		inMonth := float64(m.AddDate(0, 1, 0).Sub(m).Hours() / 24)
		d := min(inMonth, left)
		left -= d
		amt := total.Mul(decimal.NewFromFloat(d / days)).Round(2)
		if left <= 1e-9 {
			amt = total.Sub(spent)
		}
		spent = spent.Add(amt)
		out = append(out, MonthlyCost{Month: m.Format("2006-01"), Amount: amt, Label: p.Label, LabelDetail: p.LabelDetail})
	}
	return out, nil
}

// String formats a schedule line as "2027-01 1234.56 training …".
func (c MonthlyCost) String() string {
	return fmt.Sprintf("%s %s %s", c.Month, c.Amount.StringFixed(2), c.Label)
}
