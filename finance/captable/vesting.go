package captable

import (
	"time"

	"github.com/shopspring/decimal"
)

// MonthsElapsed is the number of whole months from start to asOf: a month
// is complete on the same day of a later month, or on that month's last day
// when it is shorter (a grant starting on 31 January completes its first
// month on 28 or 29 February). Before start it is 0.
func MonthsElapsed(start, asOf Date) int {
	if asOf.Before(start) {
		return 0
	}
	y1, m1, d1 := start.t.Date()
	y2, m2, d2 := asOf.t.Date()
	n := (y2-y1)*12 + int(m2) - int(m1)
	if d2 < d1 && d2 < daysIn(y2, m2) {
		n--
	}
	return n
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// VestedShares is how many of a grant's shares have vested by asOf under
// monthly vesting with a cliff: none before the cliff, then
// floor(shares × months / vesting months), all of them once the vesting
// period has run. A grant with no vesting period is vested from its start
// (or always, when it has no start date).
func VestedShares(g Grant, asOf Date) decimal.Decimal {
	if g.VestingMonths == 0 {
		if g.VestingStart.IsZero() || !asOf.Before(g.VestingStart) {
			return g.Shares
		}
		return decimal.Zero
	}
	m := MonthsElapsed(g.VestingStart, asOf)
	switch {
	case m < g.CliffMonths || m == 0:
		return decimal.Zero
	case m >= g.VestingMonths:
		return g.Shares
	}
	return g.Shares.Mul(decimal.NewFromInt(int64(m))).Div(decimal.NewFromInt(int64(g.VestingMonths))).Floor()
}
