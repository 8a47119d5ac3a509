package captable

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
)

// Validate checks the document's consistency: references resolve, amounts
// are in range, options fit in the pool. Parse calls it; call it yourself
// on a Company built in code. The error names the first problem and where.
func (c *Company) Validate() error {
	if strings.TrimSpace(c.Name) == "" {
		return errors.New("name: the company needs a name")
	}
	if c.Currency == "" {
		return errors.New("currency: required")
	}
	stake := make(map[string]bool, len(c.Stakeholders))
	for i, s := range c.Stakeholders {
		if s.ID == "" {
			return fmt.Errorf("stakeholders[%d]: id: required", i)
		}
		if stake[s.ID] {
			return fmt.Errorf("stakeholders[%d]: duplicate id %q", i, s.ID)
		}
		stake[s.ID] = true
	}
	classes := make(map[string]*ShareClass, len(c.ShareClasses))
	for i := range c.ShareClasses {
		cl := &c.ShareClasses[i]
		where := fmt.Sprintf("share_classes[%d] (%s)", i, cl.Name)
		if cl.ID == "" {
			return fmt.Errorf("share_classes[%d]: id: required", i)
		}
		if classes[cl.ID] != nil {
			return fmt.Errorf("%s: duplicate id %q", where, cl.ID)
		}
		classes[cl.ID] = cl
		if err := cl.validate(); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	ids := make(map[string]bool, len(c.Issuances))
	for i, is := range c.Issuances {
		where := fmt.Sprintf("issuances[%d]", i)
		if is.ID != "" {
			if ids[is.ID] {
				return fmt.Errorf("%s: duplicate id %q", where, is.ID)
			}
			ids[is.ID] = true
		}
		switch {
		case is.Stakeholder == "":
			return fmt.Errorf("%s: stakeholder: required", where)
		case !stake[is.Stakeholder]:
			return fmt.Errorf("%s: unknown stakeholder %q", where, is.Stakeholder)
		case is.Class == "":
			return fmt.Errorf("%s: class: required", where)
		case classes[is.Class] == nil:
			return fmt.Errorf("%s: unknown share class %q", where, is.Class)
		case is.Shares.IsNegative():
			return fmt.Errorf("%s: shares must not be negative (got %s)", where, is.Shares)
		case is.Shares.IsZero():
			return fmt.Errorf("%s: shares must be > 0", where)
		case is.PricePerShare.IsNegative():
			return fmt.Errorf("%s: price_per_share must not be negative (got %s)", where, is.PricePerShare)
		}
	}
	if p := c.OptionPlan; p != nil {
		if err := p.validate(stake, classes); err != nil {
			return fmt.Errorf("option_plan: %w", err)
		}
	}
	conv := make(map[string]bool, len(c.Convertibles))
	for i, cv := range c.Convertibles {
		where := fmt.Sprintf("convertibles[%d]", i)
		if cv.ID != "" {
			where += " (" + cv.ID + ")"
		}
		if cv.ID == "" {
			return fmt.Errorf("%s: id: required", where)
		}
		if conv[cv.ID] {
			return fmt.Errorf("%s: duplicate id %q", where, cv.ID)
		}
		conv[cv.ID] = true
		if cv.Stakeholder == "" {
			return fmt.Errorf("%s: stakeholder: required", where)
		}
		if !stake[cv.Stakeholder] {
			return fmt.Errorf("%s: unknown stakeholder %q", where, cv.Stakeholder)
		}
		if err := cv.validate(); err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	for i, sc := range c.Scenarios {
		for j, r := range sc.Rounds {
			if err := r.validate(); err != nil {
				return fmt.Errorf("scenarios[%d] (%s): rounds[%d] (%s): %w", i, sc.Name, j, r.Name, err)
			}
		}
	}
	return nil
}

func (cl *ShareClass) validate() error {
	switch cl.Kind {
	case Common:
		if cl.OriginalIssuePrice.IsNegative() {
			return errors.New("original issue price must not be negative")
		}
	case Preferred:
		if !cl.OriginalIssuePrice.IsPositive() {
			return errors.New("original issue price must be > 0")
		}
	default:
		return fmt.Errorf("kind: %q is not common or preferred", cl.Kind)
	}
	switch {
	case cl.LiquidationMultiple.IsNegative():
		return fmt.Errorf("liquidation_multiple must not be negative (got %s)", cl.LiquidationMultiple)
	case cl.ParticipationCap.IsNegative():
		return fmt.Errorf("participation_cap must not be negative (got %s)", cl.ParticipationCap)
	case cl.ParticipationCap.IsPositive() && !cl.Participating:
		return errors.New("participation_cap is set but the class is not participating")
	case cl.ParticipationCap.IsPositive() && cl.ParticipationCap.LessThan(cl.LiquidationMultiple):
		return fmt.Errorf("participation_cap %s× is below the liquidation multiple %s×", cl.ParticipationCap, cl.LiquidationMultiple)
	case !cl.ConversionRatio.IsPositive():
		return fmt.Errorf("conversion_ratio must be > 0 (got %s)", cl.ConversionRatio)
	case cl.Seniority < 0:
		return fmt.Errorf("seniority must not be negative (got %d)", cl.Seniority)
	case cl.Kind == Common && (cl.Participating || cl.LiquidationMultiple.IsPositive()):
		return errors.New("common stock has no liquidation preference or participation terms")
	}
	return nil
}

func (p *OptionPlan) validate(stake map[string]bool, classes map[string]*ShareClass) error {
	if p.Class == "" {
		return errors.New("class: required (the common class options are exercisable for)")
	}
	cl := classes[p.Class]
	if cl == nil {
		return fmt.Errorf("class: unknown share class %q", p.Class)
	}
	if cl.Kind != Common {
		return fmt.Errorf("class: %q is not a common class", p.Class)
	}
	if p.PoolSize.IsNegative() {
		return fmt.Errorf("pool_size must not be negative (got %s)", p.PoolSize)
	}
	granted := decimal.Zero
	ids := make(map[string]bool, len(p.Grants))
	for i, g := range p.Grants {
		where := fmt.Sprintf("grants[%d]", i)
		if g.ID != "" {
			where += " (" + g.ID + ")"
			if ids[g.ID] {
				return fmt.Errorf("%s: duplicate id %q", where, g.ID)
			}
			ids[g.ID] = true
		}
		switch {
		case g.Stakeholder == "":
			return fmt.Errorf("%s: stakeholder: required", where)
		case !stake[g.Stakeholder]:
			return fmt.Errorf("%s: unknown stakeholder %q", where, g.Stakeholder)
		case !g.Shares.IsPositive():
			return fmt.Errorf("%s: shares must be > 0 (got %s)", where, g.Shares)
		case g.ExercisePrice.IsNegative():
			return fmt.Errorf("%s: exercise_price must not be negative (got %s)", where, g.ExercisePrice)
		case g.Exercised.IsNegative():
			return fmt.Errorf("%s: exercised must not be negative (got %s)", where, g.Exercised)
		case g.Exercised.GreaterThan(g.Shares):
			return fmt.Errorf("%s: exercised %s exceeds the %s shares granted", where, g.Exercised, g.Shares)
		case g.VestingMonths < 0 || g.VestingMonths > 1200:
			return fmt.Errorf("%s: vesting_months %d is out of range 0..1200", where, g.VestingMonths)
		case g.CliffMonths < 0 || g.CliffMonths > g.VestingMonths:
			return fmt.Errorf("%s: cliff_months %d must be between 0 and vesting_months (%d)", where, g.CliffMonths, g.VestingMonths)
		case g.VestingMonths > 0 && g.VestingStart.IsZero():
			return fmt.Errorf("%s: vesting_start: required when vesting_months > 0", where)
		}
		granted = granted.Add(g.Shares)
	}
	if granted.GreaterThan(p.PoolSize) {
		return fmt.Errorf("grants: %s options granted exceed the pool of %s", granted, p.PoolSize)
	}
	return nil
}

func (cv Convertible) validate() error {
	switch cv.Type {
	case SAFEPost, SAFEPre, Note:
	case "":
		return errors.New("type: required (safe_post, safe_pre or note)")
	default:
		return fmt.Errorf("type: %q is not safe_post, safe_pre or note", cv.Type)
	}
	switch {
	case !cv.Amount.IsPositive():
		return fmt.Errorf("amount must be > 0 (got %s)", cv.Amount)
	case cv.Cap.IsNegative():
		return fmt.Errorf("cap must not be below zero (got %s)", cv.Cap)
	case cv.Discount.IsNegative() || cv.Discount.GreaterThanOrEqual(decimal.NewFromInt(1)):
		return fmt.Errorf("discount must be in [0%%, 100%%) (got %s)", cv.Discount)
	case cv.InterestRate.IsNegative():
		return fmt.Errorf("interest_rate must not be negative (got %s)", cv.InterestRate)
	case cv.Type != Note && cv.InterestRate.IsPositive():
		return errors.New("interest_rate: a SAFE bears no interest (use type: note)")
	case cv.Type == Note && cv.Date.IsZero():
		return errors.New("date: a note needs its issue date to accrue interest")
	case !cv.Maturity.IsZero() && !cv.Maturity.After(cv.Date):
		return fmt.Errorf("maturity %s is not after the issue date %s", cv.Maturity, cv.Date)
	case cv.MFN && (cv.HasCap() || cv.Discount.IsPositive()):
		return errors.New("mfn: an MFN instrument has no cap or discount of its own")
	}
	if cv.Type == Note {
		switch cv.Compounding {
		case Simple, Annual:
		default:
			return fmt.Errorf("compounding: %q is not simple or annual", cv.Compounding)
		}
		switch cv.DayCount {
		case Actual365, Thirty360:
		default:
			return fmt.Errorf("day_count: %q is not ACTUAL/365 or 30/360", cv.DayCount)
		}
	}
	return nil
}

func (r RoundSpec) validate() error {
	switch {
	case !r.PreMoney.IsPositive():
		return fmt.Errorf("pre_money must be > 0 (got %s)", r.PreMoney)
	case len(r.Investments) == 0:
		return errors.New("investments: a priced round needs at least one investment")
	case r.PoolTarget.IsNegative() || r.PoolTarget.GreaterThanOrEqual(decimal.NewFromInt(1)):
		return fmt.Errorf("pool_target must be in [0%%, 100%%) (got %s)", r.PoolTarget)
	case r.PoolIncrease.IsNegative():
		return fmt.Errorf("pool_increase must not be negative (got %s)", r.PoolIncrease)
	case r.PoolTarget.IsPositive() && r.PoolIncrease.IsPositive():
		return errors.New("pool_target and pool_increase contradict each other: give one")
	}
	for i, in := range r.Investments {
		if in.Stakeholder == "" {
			return fmt.Errorf("investments[%d]: stakeholder: required", i)
		}
		if !in.Amount.IsPositive() {
			return fmt.Errorf("investments[%d] (%s): amount must be > 0 (got %s)", i, in.Stakeholder, in.Amount)
		}
	}
	return nil
}

// Slug turns a display name into an id: lower case, spaces and
// punctuation as "-"; letters of any script are kept ("Series A" →
// "series-a", "天使轮" → "天使轮").
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.TrimSpace(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
