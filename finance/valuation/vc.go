package valuation

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// VCInput is the venture-capital method (Sahlman, HBS 9-288-006, 1987):
// value the company at exit, divide by the return the investor needs, and
// correct for the dilution later rounds will cause before the exit.
type VCInput struct {
	// Investment is the amount invested now.
	Investment Number `yaml:"investment" json:"investment"`
	// ExitMetric × ExitMultiple is the terminal (exit) value, e.g. exit-year
	// net income × P/E or revenue × EV/revenue. TerminalValue may be given
	// directly instead.
	ExitMetric    Number `yaml:"exit_metric" json:"exit_metric"`
	ExitMultiple  Number `yaml:"exit_multiple" json:"exit_multiple"`
	TerminalValue Number `yaml:"terminal_value" json:"terminal_value"`
	// TargetMultiple is the investor's required cash-on-cash return (e.g.
	// 10 for 10×). Alternatively TargetIRR (e.g. 0.5) over Years whole
	// years gives the multiple (1+IRR)^Years.
	TargetMultiple Number `yaml:"target_multiple" json:"target_multiple"`
	TargetIRR      Number `yaml:"target_irr" json:"target_irr"`
	Years          Number `yaml:"years" json:"years"`
	// Dilution lists the fraction of the company each later round before
	// the exit is expected to sell (0.2 for 20%); the investor's stake keeps
	// the product of (1 − dilution) of its size.
	Dilution []Number `yaml:"dilution" json:"dilution"`
	// SharesOutstanding, if given, is the fully diluted share count before
	// the investment; the result then includes the new shares and price.
	SharesOutstanding Number `yaml:"shares_outstanding" json:"shares_outstanding"`
}

// VCResult is the VC method's answer. Money is rounded to cents, ratios to
// ten places.
type VCResult struct {
	Investment    money.Money `json:"investment"`
	TerminalValue money.Money `json:"terminal_value"`
	// RequiredMultiple is the return multiple used ((1+IRR)^years when an
	// IRR was given).
	RequiredMultiple decimal.Decimal `json:"required_multiple"`
	// PostMoneyNoDilution = terminal value / required multiple.
	PostMoneyNoDilution money.Money `json:"post_money_no_dilution"`
	// Retention = Π(1 − dilution_i); 1 when no later rounds are expected.
	Retention decimal.Decimal `json:"retention"`
	// OwnershipAtExit = investment × multiple / terminal value.
	OwnershipAtExit decimal.Decimal `json:"ownership_at_exit"`
	// OwnershipAtClose = ownership at exit / retention: what the investor
	// must buy now.
	OwnershipAtClose decimal.Decimal `json:"ownership_at_close"`
	// PostMoney = investment / ownership at close; PreMoney = post − investment.
	PostMoney money.Money `json:"post_money"`
	PreMoney  money.Money `json:"pre_money"`
	// NewShares and PricePerShare are set when shares_outstanding was given.
	NewShares     *decimal.Decimal `json:"new_shares,omitempty"`
	PricePerShare *money.Money     `json:"price_per_share,omitempty"`
}

// VC runs the venture-capital method on the document's vc section.
func VC(d *Document) (*VCResult, error) {
	in := d.VC
	if in == nil {
		return nil, missing("vc")
	}
	var errs errList
	requirePositive(&errs, "vc.investment", in.Investment)
	tv := in.TerminalValue
	switch {
	case tv.Set && (in.ExitMetric.Set || in.ExitMultiple.Set):
		errs.add("vc", "give terminal_value or exit_metric × exit_multiple, not both")
	case tv.Set:
		requirePositive(&errs, "vc.terminal_value", tv)
	default:
		requirePositive(&errs, "vc.exit_metric", in.ExitMetric)
		requirePositive(&errs, "vc.exit_multiple", in.ExitMultiple)
		tv = NumOf(in.ExitMetric.Mul(in.ExitMultiple.Decimal))
	}
	multiple := in.TargetMultiple.Decimal
	switch {
	case in.TargetMultiple.Set && in.TargetIRR.Set:
		errs.add("vc", "give target_multiple or target_irr, not both")
	case in.TargetMultiple.Set:
		if in.TargetMultiple.LessThanOrEqual(one) {
			errs.add("vc.target_multiple", "%s must be greater than 1 (a return multiple such as 10 for 10×)", in.TargetMultiple.String())
		}
	case in.TargetIRR.Set:
		if in.TargetIRR.Sign() <= 0 {
			errs.add("vc.target_irr", "%s must be positive (0.5 for 50%% a year)", in.TargetIRR.String())
		}
		if !in.Years.Set {
			errs.add("vc.years", "missing: target_irr needs the years to exit")
		} else if !isWholeNumber(in.Years.Decimal) || in.Years.Sign() <= 0 || in.Years.GreaterThan(decimal.NewFromInt(50)) {
			errs.add("vc.years", "%s: want a whole number of years from 1 to 50", in.Years.String())
		} else {
			multiple = powInt(one.Add(in.TargetIRR.Decimal), int(in.Years.IntPart()))
		}
	default:
		errs.add("vc.target_multiple", "missing: give target_multiple or target_irr with years")
	}
	retention := one
	for i, dl := range in.Dilution {
		if !dl.Set || dl.Sign() < 0 || dl.GreaterThanOrEqual(one) {
			errs.add(fmt.Sprintf("vc.dilution[%d]", i), "%s outside [0, 1): a round's dilution is the fraction of the company it sells", dl.String())
			continue
		}
		retention = retention.Mul(one.Sub(dl.Decimal))
	}
	requireNonNegative(&errs, "vc.shares_outstanding", in.SharesOutstanding)
	if len(errs) > 0 {
		return nil, errs.err()
	}
	c := d.Currency
	inv := in.Investment.Decimal
	post0 := div(tv.Decimal, multiple)
	ownExit := div(inv.Mul(multiple), tv.Decimal)
	ownClose := div(ownExit, retention)
	if ownClose.GreaterThanOrEqual(one) {
		return nil, &FieldError{"vc", fmt.Sprintf("the investor would need %s%% of the company at close: the exit value cannot return %s× on this investment", ownClose.Mul(hundred).StringFixed(1), multiple.StringFixed(2))}
	}
	post := div(inv, ownClose)
	pre := post.Sub(inv)
	r := &VCResult{
		Investment:          m(inv, c),
		TerminalValue:       m(tv.Decimal, c),
		RequiredMultiple:    ratio(multiple),
		PostMoneyNoDilution: m(post0, c),
		Retention:           ratio(retention),
		OwnershipAtExit:     ratio(ownExit),
		OwnershipAtClose:    ratio(ownClose),
		PostMoney:           m(post, c),
		PreMoney:            m(pre, c),
	}
	if x := in.SharesOutstanding; x.Set && x.Sign() > 0 {
		// The investor's new shares N satisfy N / (x + N) = ownership.
		n := div(x.Mul(ownClose), one.Sub(ownClose))
		price := money.New(div(pre, x.Decimal).Round(4), c)
		ns := n.Round(0)
		r.NewShares, r.PricePerShare = &ns, &price
	}
	return r, nil
}
