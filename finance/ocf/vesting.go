package ocf

import (
	"fmt"
	"math/big"
)

// vestResult is a VESTING_TERMS object read as kaiwu's schedule: monthly
// vesting over months with a cliff; ok is false when the terms are
// something else (events, days, uneven tranches).
type vestResult struct {
	months, cliff int
	ok            bool
}

var (
	allocationTypes = []string{"CUMULATIVE_ROUNDING", "CUMULATIVE_ROUND_DOWN", "FRONT_LOADED", "BACK_LOADED",
		"FRONT_LOADED_TO_SINGLE_TRANCHE", "BACK_LOADED_TO_SINGLE_TRANCHE", "FRACTIONAL"}
	vestingTriggerTypes = []string{"VESTING_START_DATE", "VESTING_SCHEDULE_ABSOLUTE", "VESTING_SCHEDULE_RELATIVE", "VESTING_EVENT"}
)

// startDay is the day-of-month rule that matches kaiwu's MonthsElapsed: a
// month completes on the start's day, or the month's last day when shorter.
const startDay = "VESTING_START_DAY_OR_LAST_DAY_OF_MONTH"

// segment is one VESTING_SCHEDULE_RELATIVE condition: occ installments
// every length months, each vesting portion of the grant.
type segment struct {
	length, occ, cliffAt int
	portion              *big.Rat
}

// decodeVesting checks a VESTING_TERMS object against the schema and reads
// it as kaiwu's schedule when it is one: VESTING_START_DATE, then an
// optional single cliff installment, then monthly installments of 1/N.
func (im *importer) decodeVesting(o origin, v *vestingTerms) (vestResult, error) {
	if v.Name == "" {
		return vestResult{}, o.err("name", "required")
	}
	if err := o.enum("allocation_type", v.AllocationType, allocationTypes...); err != nil {
		return vestResult{}, err
	}
	if len(v.VestingConditions) == 0 {
		return vestResult{}, o.err("vesting_conditions", "required (at least one condition)")
	}
	byID := map[string]*vestingCondition{}
	for i := range v.VestingConditions {
		c := &v.VestingConditions[i]
		f := fmt.Sprintf("vesting_conditions[%d]", i)
		if c.ID == "" {
			return vestResult{}, o.err(f+".id", "required")
		}
		if byID[c.ID] != nil {
			return vestResult{}, o.err(f+".id", "duplicate condition id %q", c.ID)
		}
		byID[c.ID] = c
	}
	for i := range v.VestingConditions {
		c := &v.VestingConditions[i]
		f := fmt.Sprintf("vesting_conditions[%d]", i)
		if (c.Portion == nil) == (c.Quantity == nil) {
			return vestResult{}, o.err(f, "exactly one of portion and quantity is required")
		}
		if c.Portion != nil {
			if _, err := o.numeric(f+".portion.numerator", c.Portion.Numerator); err != nil {
				return vestResult{}, err
			}
			d, err := o.numeric(f+".portion.denominator", c.Portion.Denominator)
			if err != nil {
				return vestResult{}, err
			}
			if !d.IsPositive() {
				return vestResult{}, o.err(f+".portion.denominator", "must be > 0 (got %s)", c.Portion.Denominator)
			}
		} else if _, err := o.numeric(f+".quantity", *c.Quantity); err != nil {
			return vestResult{}, err
		}
		if err := o.enum(f+".trigger.type", c.Trigger.Type, vestingTriggerTypes...); err != nil {
			return vestResult{}, err
		}
		if c.Trigger.Type == "VESTING_SCHEDULE_RELATIVE" {
			p := c.Trigger.Period
			if p == nil {
				return vestResult{}, o.err(f+".trigger.period", "required")
			}
			if err := o.enum(f+".trigger.period.type", p.Type, "DAYS", "MONTHS", "YEARS"); err != nil {
				return vestResult{}, err
			}
			if p.Length < 0 {
				return vestResult{}, o.err(f+".trigger.period.length", "must not be negative")
			}
			if p.Occurrences < 0 || p.Repetitions < 0 || (p.Occurrences == 0 && p.Repetitions == 0) {
				return vestResult{}, o.err(f+".trigger.period.occurrences", "required (an integer ≥ 1)")
			}
			if byID[c.Trigger.RelativeToConditionID] == nil {
				return vestResult{}, o.err(f+".trigger.relative_to_condition_id", "%q is not a condition of these terms", c.Trigger.RelativeToConditionID)
			}
		}
		for j, n := range c.NextConditionIDs {
			if byID[n] == nil {
				return vestResult{}, o.err(fmt.Sprintf("%s.next_condition_ids[%d]", f, j), "%q is not a condition of these terms", n)
			}
		}
	}
	r, why := recognise(v.VestingConditions, byID)
	if !r.ok {
		im.warn(o.warn("vesting_conditions", "not a monthly schedule with a cliff (%s); grants under these terms are imported as fully vested", why))
		return r, nil
	}
	if v.AllocationType != "CUMULATIVE_ROUND_DOWN" {
		im.warn(o.warn("allocation_type", "%s approximated: kaiwu rounds cumulative vested shares down", v.AllocationType))
	}
	for i, c := range v.VestingConditions {
		if p := c.Trigger.Period; p != nil && p.DayOfMonth != "" && p.DayOfMonth != startDay && p.DayOfMonth != "VESTING_START_DAY_OR_EOM" {
			im.warn(o.warn(fmt.Sprintf("vesting_conditions[%d].trigger.period.day_of_month", i), "%s approximated as %s", p.DayOfMonth, startDay))
			break
		}
	}
	return r, nil
}

func rat(p *portion) *big.Rat {
	n, _ := new(big.Rat).SetString(p.Numerator)
	d, _ := new(big.Rat).SetString(p.Denominator)
	if n == nil || d == nil || d.Sign() == 0 {
		return new(big.Rat)
	}
	return n.Quo(n, d)
}

func frac(a, b int) *big.Rat { return big.NewRat(int64(a), int64(b)) }

// recognise walks the condition chain from VESTING_START_DATE.
func recognise(conds []vestingCondition, byID map[string]*vestingCondition) (vestResult, string) {
	var start *vestingCondition
	for i := range conds {
		if conds[i].Trigger.Type == "VESTING_START_DATE" {
			if start != nil {
				return vestResult{}, "more than one VESTING_START_DATE condition"
			}
			start = &conds[i]
		}
	}
	if start == nil {
		return vestResult{}, "no VESTING_START_DATE condition"
	}
	if start.Portion != nil && rat(start.Portion).Sign() != 0 || start.Quantity != nil && *start.Quantity != "0" && *start.Quantity != "0.00" {
		return vestResult{}, "shares vest at the start"
	}
	var segs []segment
	cur, seen := start, 1
	for len(cur.NextConditionIDs) > 0 {
		if len(cur.NextConditionIDs) > 1 {
			return vestResult{}, fmt.Sprintf("condition %q branches", cur.ID)
		}
		next := byID[cur.NextConditionIDs[0]]
		seen++
		if seen > len(conds) {
			return vestResult{}, "the conditions form a cycle"
		}
		tr := next.Trigger
		switch {
		case tr.Type != "VESTING_SCHEDULE_RELATIVE":
			return vestResult{}, fmt.Sprintf("condition %q is %s", next.ID, tr.Type)
		case tr.RelativeToConditionID != cur.ID:
			return vestResult{}, fmt.Sprintf("condition %q is not relative to the one before it", next.ID)
		case next.Portion == nil || next.Portion.Remainder:
			return vestResult{}, fmt.Sprintf("condition %q vests a fixed quantity or a remainder", next.ID)
		case tr.Period.Type == "DAYS":
			return vestResult{}, fmt.Sprintf("condition %q counts days", next.ID)
		}
		s := segment{length: tr.Period.Length, occ: tr.Period.Occurrences, cliffAt: tr.Period.CliffInstallment, portion: rat(next.Portion)}
		if s.occ == 0 {
			s.occ = tr.Period.Repetitions
		}
		if tr.Period.Type == "YEARS" {
			s.length *= 12
		}
		segs = append(segs, s)
		cur = next
	}
	if seen != len(conds) {
		return vestResult{}, "some conditions are not on the schedule's chain"
	}
	one := big.NewRat(1, 1)
	switch {
	case len(segs) == 1 && segs[0].length == 1 && segs[0].portion.Cmp(frac(1, segs[0].occ)) == 0:
		n, c := segs[0].occ, segs[0].cliffAt
		if c < 2 {
			c = 0
		}
		if c > n {
			return vestResult{}, "the cliff installment is past the last installment"
		}
		return vestResult{months: n, cliff: c, ok: true}, ""
	case len(segs) == 1 && segs[0].occ == 1 && segs[0].length > 0 && segs[0].portion.Cmp(one) == 0:
		return vestResult{months: segs[0].length, cliff: segs[0].length, ok: true}, ""
	case len(segs) == 2 && segs[0].occ == 1 && segs[0].length > 0 && segs[1].length == 1 && segs[1].cliffAt < 2:
		c := segs[0].length
		n := c + segs[1].occ
		if segs[0].portion.Cmp(frac(c, n)) == 0 && segs[1].portion.Cmp(frac(1, n)) == 0 {
			return vestResult{months: n, cliff: c, ok: true}, ""
		}
		return vestResult{}, "the cliff and monthly portions do not add up to a straight-line schedule"
	}
	return vestResult{}, "installments are not monthly"
}
