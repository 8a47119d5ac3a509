package captable

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Days360 is the number of days from d1 to d2 under the 30/360 US
// convention (also called 30U/360, NASD or the SIA bond basis), as set out
// in Lynch & Mayle, "Standard Securities Calculation Methods" (Securities
// Industry Association, 1986), the source the TI BA II Plus manual cites
// for its 30/360 method, and tabulated by Cbonds ("30/360 US"):
//
//	days = 360·(Y2−Y1) + 30·(M2−M1) + (D2−D1), after
//	1. if d1 and d2 are both the last day of February, D2 = 30;
//	2. if d1 is the last day of February, D1 = 30;
//	3. if D2 = 31 and D1 is 30 or 31, D2 = 30;
//	4. if D1 = 31, D1 = 30.
//
// For dates off the end of February this agrees with Excel's and Apple
// Numbers' DAYS360 "US (NASD)" method (tested against their published
// examples); the February end-of-month rules are where those spreadsheet
// functions differ among themselves.
func Days360(d1, d2 Date) int {
	y1, m1, dd1 := d1.t.Date()
	y2, m2, dd2 := d2.t.Date()
	feb1, feb2 := lastOfFeb(d1.t), lastOfFeb(d2.t)
	if feb1 && feb2 {
		dd2 = 30
	}
	if feb1 {
		dd1 = 30
	}
	if dd2 == 31 && dd1 >= 30 {
		dd2 = 30
	}
	if dd1 == 31 {
		dd1 = 30
	}
	return 360*(y2-y1) + 30*(int(m2)-int(m1)) + (dd2 - dd1)
}

func lastOfFeb(t time.Time) bool {
	return t.Month() == time.February && t.AddDate(0, 0, 1).Month() == time.March
}

// ActualDays is the number of calendar days from d1 to d2.
func ActualDays(d1, d2 Date) int {
	return int(d2.t.Sub(d1.t).Hours() / 24)
}

// YearFraction is the time from d1 to d2 in years under the day count:
// actual days / 365, or Days360 / 360.
func YearFraction(dc DayCount, d1, d2 Date) (decimal.Decimal, error) {
	switch dc {
	case Actual365:
		return decimal.NewFromInt(int64(ActualDays(d1, d2))).Div(decimal.NewFromInt(365)), nil
	case Thirty360:
		return decimal.NewFromInt(int64(Days360(d1, d2))).Div(decimal.NewFromInt(360)), nil
	}
	return decimal.Decimal{}, fmt.Errorf("unknown day count %q", dc)
}

// yearFractionParts is the year fraction as whole years plus a remainder
// numerator over a denominator, so that no precision is lost to division.
func yearFractionParts(dc DayCount, d1, d2 Date) (days, basis int64, err error) {
	switch dc {
	case Actual365:
		return int64(ActualDays(d1, d2)), 365, nil
	case Thirty360:
		return int64(Days360(d1, d2)), 360, nil
	}
	return 0, 0, fmt.Errorf("unknown day count %q", dc)
}

// AccruedInterest is the interest a note has accrued from its issue date to
// asOf (not after maturity-based repayment: interest keeps accruing, as
// notes that convert late usually provide). Simple: P·r·t. Annual
// compounding: with t = n whole years + f, P·((1+r)ⁿ·(1+r·f) − 1), i.e.
// interest compounds on each anniversary and the stub accrues simply.
// The result is exact to the cent, rounded half up; a SAFE accrues
// nothing, and a date before issue is an error.
func AccruedInterest(c Convertible, asOf Date) (decimal.Decimal, error) {
	if c.Type != Note || c.InterestRate.IsZero() {
		return decimal.Zero, nil
	}
	if asOf.Before(c.Date) {
		return decimal.Decimal{}, fmt.Errorf("convertible %s: date %s is before its issue date %s", c.ID, asOf, c.Date)
	}
	days, basis, err := yearFractionParts(c.DayCount, c.Date, asOf)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("convertible %s: %w", c.ID, err)
	}
	p, r := c.Amount, c.InterestRate
	b := decimal.NewFromInt(basis)
	var interest decimal.Decimal
	switch c.Compounding {
	case Simple, "":
		interest = p.Mul(r).Mul(decimal.NewFromInt(days)).Div(b)
	case Annual:
		n := days / basis
		stub := decimal.NewFromInt(days % basis)
		grown := p
		one := decimal.NewFromInt(1)
		for i := int64(0); i < n; i++ {
			grown = grown.Mul(one.Add(r))
		}
		interest = grown.Add(grown.Mul(r).Mul(stub).Div(b)).Sub(p)
	default:
		return decimal.Decimal{}, fmt.Errorf("convertible %s: unknown compounding %q", c.ID, c.Compounding)
	}
	return interest.Round(2), nil
}
