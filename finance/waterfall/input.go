package waterfall

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Kind says whether a share class is common or preferred stock.
type Kind string

// The share-class kinds.
const (
	// Common stock: no preference; shares in what is left after debt,
	// preferences and SAFE cash-outs, as-converted with everyone else.
	Common Kind = "common"
	// Preferred stock: a liquidation preference, optionally participating,
	// and a right to convert to common.
	Preferred Kind = "preferred"
)

// Holding is one holder's shares of a class.
type Holding struct {
	// Holder names the stakeholder; payouts are summed per holder name.
	Holder string `json:"holder"`
	// Shares is the number of shares of the class the holder owns (not
	// as-converted). It may be fractional but not negative.
	Shares decimal.Decimal `json:"shares"`
}

// Class is a class (or series) of stock as the waterfall needs it. It is a
// small, self-contained type on purpose: the cap-table package adapts its
// own document to it, so the waterfall imports nothing else of kaiwu's
// finance domain but money.
type Class struct {
	// Name identifies the class ("Common", "Series A"); unique in an Input.
	Name string `json:"name"`
	// Kind is Common or Preferred.
	Kind Kind `json:"kind"`
	// Holdings lists the outstanding shares per holder.
	Holdings []Holding `json:"holdings"`
	// IssuePrice is the original issue price (OIP) per share, in the
	// Input's currency. Required (> 0) for preferred stock.
	IssuePrice decimal.Decimal `json:"issue_price,omitzero"`
	// PreferenceMultiple is the liquidation preference as a multiple of the
	// OIP (1 for 1×, 2 for 2×). Preferred only; zero means no preference.
	PreferenceMultiple decimal.Decimal `json:"preference_multiple,omitzero"`
	// Participating preferred takes its preference and then also shares in
	// the remainder as-converted.
	Participating bool `json:"participating,omitzero"`
	// ParticipationCap caps a participating class's total return
	// (preference + participation) at this multiple of the OIP, e.g. 3 for
	// 3×. Zero means no cap. It must not be below PreferenceMultiple.
	ParticipationCap decimal.Decimal `json:"participation_cap,omitzero"`
	// Rank is the seniority of the preference: lower ranks are paid first;
	// classes (and SAFE cash-outs) with the same rank are pari passu and
	// share pro rata to their preference amounts when the proceeds fall
	// short.
	Rank int `json:"rank,omitzero"`
	// PariPassuGroup optionally names the pari-passu group the class
	// belongs to. It is a check, not a second ordering: every class of a
	// group must have the same Rank.
	PariPassuGroup string `json:"pari_passu_group,omitzero"`
	// ConversionRatio is the number of common shares one share converts
	// into (OIP / conversion price). Zero means 1. Common must be 1.
	ConversionRatio decimal.Decimal `json:"conversion_ratio,omitzero"`
	// AccruedDividends is the total accrued, unpaid (cumulative) dividend
	// of the class, added to its preference and forfeited on conversion.
	AccruedDividends decimal.Decimal `json:"accrued_dividends,omitzero"`
}

// Option is an outstanding option or warrant grant on common stock. It
// shares in the remainder as common only when in the money, net of its
// exercise price: it receives (common value per share − exercise price) per
// share, and exercises only when that is positive.
type Option struct {
	// Holder names the grantee.
	Holder string `json:"holder"`
	// Class names the common class the option exercises into; it may be
	// empty when the Input has exactly one common class.
	Class string `json:"class,omitzero"`
	// Shares is the number of shares under the grant (vested or not: a
	// liquidity event is assumed to accelerate or assume them).
	Shares decimal.Decimal `json:"shares"`
	// ExercisePrice is the strike per share.
	ExercisePrice decimal.Decimal `json:"exercise_price"`
}

// SAFE is a YC post-money SAFE outstanding at a liquidity event. It receives
// the greater of its Cash-Out Amount (the purchase amount, paid like a
// non-participating preference) and its Conversion Amount (the common value
// of PurchaseAmount / Liquidity Price shares, where Liquidity Price =
// ValuationCap / Liquidity Capitalization).
type SAFE struct {
	// Name identifies the SAFE in results; empty means "SAFE <holder>".
	Name string `json:"name,omitzero"`
	// Holder names the investor.
	Holder string `json:"holder"`
	// PurchaseAmount is the amount invested.
	PurchaseAmount decimal.Decimal `json:"purchase_amount"`
	// ValuationCap is the post-money valuation cap. Zero means uncapped:
	// the SAFE then takes its Cash-Out Amount only (see the format doc).
	ValuationCap decimal.Decimal `json:"valuation_cap,omitzero"`
	// Rank is the seniority of the Cash-Out Amount among preferences. The
	// YC safe (§1(d)) puts it on par with preferred stock; nil means the
	// rank of the most junior preferred class (or 0 without preferred).
	Rank *int `json:"rank,omitempty"`
}

// Debt is a debt or note repaid before any equity.
type Debt struct {
	// Name identifies the debt in results; empty means "Debt <holder>".
	Name string `json:"name,omitzero"`
	// Holder names the lender.
	Holder string `json:"holder"`
	// Amount is the principal plus accrued interest due at the exit.
	Amount decimal.Decimal `json:"amount"`
	// Rank orders debts among themselves (lower first, equal pari passu);
	// all debt is senior to all equity.
	Rank int `json:"rank,omitzero"`
}

// Input is a capitalization as the waterfall sees it.
type Input struct {
	// Currency of every amount in the Input and of the exit value.
	Currency money.Currency `json:"currency"`
	// Classes are the share classes, common and preferred, in any order.
	Classes []Class `json:"classes"`
	// Options are outstanding option and warrant grants on common.
	Options []Option `json:"options,omitempty"`
	// UnissuedPool is the unissued option pool; it takes nothing and is
	// excluded from the Liquidity Capitalization. Recorded for reports.
	UnissuedPool decimal.Decimal `json:"unissued_pool,omitzero"`
	// SAFEs outstanding at the liquidity event.
	SAFEs []SAFE `json:"safes,omitempty"`
	// Debts repaid first.
	Debts []Debt `json:"debts,omitempty"`
}

// InputError lists every problem found in an Input, each saying what is
// wrong and where, e.g.
//
//	classes[2] (Series B): participation cap 0.5× is below the 1× preference
type InputError struct {
	// Problems holds one message per problem, in input order.
	Problems []string
}

// Error implements error.
func (e *InputError) Error() string {
	return "waterfall: invalid input: " + strings.Join(e.Problems, "; ")
}

// ErrNoEquilibrium is returned when the conversion decisions of SAFEs and
// preferred classes cycle without settling (see the package doc; it has
// not been seen in practice).
var ErrNoEquilibrium = errors.New("waterfall: conversion decisions do not settle")

type problems struct{ list []string }

func (p *problems) add(where, format string, args ...any) {
	p.list = append(p.list, where+": "+fmt.Sprintf(format, args...))
}

func (p *problems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &InputError{Problems: p.list}
}

func mult(d decimal.Decimal) string { return d.String() + "×" }

// Validate checks an Input and returns an *InputError naming every problem,
// or nil.
func Validate(in *Input) error {
	_, err := build(in)
	return err
}

func (c *Class) ratio() decimal.Decimal {
	if c.ConversionRatio.IsZero() {
		return one
	}
	return c.ConversionRatio
}

func validateInput(in *Input) error {
	var p problems
	if in.Currency == "" {
		p.add("currency", "missing (want an ISO 4217 code such as USD or CNY)")
	} else if _, err := money.ParseCurrency(string(in.Currency)); err != nil {
		p.add("currency", "%q is not an ISO 4217 code", in.Currency)
	}
	if len(in.Classes) == 0 {
		p.add("classes", "none given (want at least one class with shares)")
	}
	names := map[string]string{}
	claim := func(name, where string) {
		if prev, ok := names[name]; ok {
			p.add(where, "name %q is already used by %s", name, prev)
			return
		}
		names[name] = where
	}
	groups := map[string]struct {
		rank  int
		where string
	}{}
	commons := 0
	for i, c := range in.Classes {
		where := fmt.Sprintf("classes[%d] (%s)", i, c.Name)
		if c.Name == "" {
			p.add(fmt.Sprintf("classes[%d]", i), "missing name")
		} else {
			claim(c.Name, where)
		}
		switch c.Kind {
		case Common:
			commons++
			if !c.PreferenceMultiple.IsZero() || c.Participating || !c.ParticipationCap.IsZero() || !c.AccruedDividends.IsZero() {
				p.add(where, "common stock cannot have a preference, participation, cap or dividends")
			}
			if !c.ConversionRatio.IsZero() && !c.ConversionRatio.Equal(one) {
				p.add(where, "common stock has conversion ratio %s (must be 1)", c.ConversionRatio)
			}
		case Preferred:
			if c.IssuePrice.Sign() <= 0 {
				p.add(where, "preferred stock needs an original issue price above zero (got %s)", c.IssuePrice)
			}
			if c.PreferenceMultiple.Sign() < 0 {
				p.add(where, "preference multiple %s is negative", mult(c.PreferenceMultiple))
			}
			if c.ConversionRatio.Sign() < 0 {
				p.add(where, "conversion ratio %s is negative", c.ConversionRatio)
			}
			if c.AccruedDividends.Sign() < 0 {
				p.add(where, "accrued dividends %s are negative", c.AccruedDividends)
			}
			if c.ParticipationCap.Sign() < 0 {
				p.add(where, "participation cap %s is negative", mult(c.ParticipationCap))
			} else if !c.ParticipationCap.IsZero() {
				if !c.Participating {
					p.add(where, "participation cap %s is set but the class is not participating", mult(c.ParticipationCap))
				} else if c.ParticipationCap.LessThan(c.PreferenceMultiple) {
					p.add(where, "participation cap %s is below the %s preference", mult(c.ParticipationCap), mult(c.PreferenceMultiple))
				}
			}
		default:
			p.add(where, "kind %q is not %q or %q", c.Kind, Common, Preferred)
		}
		if c.PariPassuGroup != "" {
			if g, ok := groups[c.PariPassuGroup]; ok && g.rank != c.Rank {
				p.add(where, "pari-passu group %q has rank %d here but rank %d at %s", c.PariPassuGroup, c.Rank, g.rank, g.where)
			} else if !ok {
				groups[c.PariPassuGroup] = struct {
					rank  int
					where string
				}{c.Rank, where}
			}
		}
		if len(c.Holdings) == 0 {
			p.add(where, "no holdings")
		}
		seen := map[string]int{}
		total := decimal.Zero
		for j, h := range c.Holdings {
			hw := fmt.Sprintf("%s: holdings[%d] (%s)", where, j, h.Holder)
			if h.Holder == "" {
				p.add(fmt.Sprintf("%s: holdings[%d]", where, j), "missing holder")
			} else if k, ok := seen[h.Holder]; ok {
				p.add(hw, "holder is already listed at holdings[%d]", k)
			} else {
				seen[h.Holder] = j
			}
			if h.Shares.Sign() < 0 {
				p.add(hw, "shares %s are negative", h.Shares)
			}
			total = total.Add(h.Shares)
		}
		if len(c.Holdings) > 0 && total.Sign() <= 0 {
			p.add(where, "has no shares outstanding")
		}
	}
	for i, o := range in.Options {
		where := fmt.Sprintf("options[%d] (%s)", i, o.Holder)
		if o.Holder == "" {
			p.add(fmt.Sprintf("options[%d]", i), "missing holder")
		}
		if o.Shares.Sign() < 0 {
			p.add(where, "shares %s are negative", o.Shares)
		}
		if o.ExercisePrice.Sign() < 0 {
			p.add(where, "exercise price %s is negative", o.ExercisePrice)
		}
		if o.Class == "" {
			if commons != 1 {
				p.add(where, "class is empty but the input has %d common classes (name one)", commons)
			}
			continue
		}
		found := false
		for _, c := range in.Classes {
			if c.Name == o.Class {
				found = true
				if c.Kind != Common {
					p.add(where, "class %q is %s; options must exercise into common", o.Class, c.Kind)
				}
			}
		}
		if !found {
			p.add(where, "class %q not found", o.Class)
		}
	}
	if in.UnissuedPool.Sign() < 0 {
		p.add("unissued_pool", "%s is negative", in.UnissuedPool)
	}
	phi := decimal.Zero
	for i, s := range in.SAFEs {
		where := fmt.Sprintf("safes[%d] (%s)", i, s.Holder)
		if s.Holder == "" {
			p.add(fmt.Sprintf("safes[%d]", i), "missing holder")
		}
		claim(safeName(s), where)
		if s.PurchaseAmount.Sign() <= 0 {
			p.add(where, "purchase amount %s must be above zero", s.PurchaseAmount)
		}
		switch {
		case s.ValuationCap.Sign() < 0:
			p.add(where, "valuation cap %s is negative", s.ValuationCap)
		case s.ValuationCap.Sign() > 0 && s.PurchaseAmount.Sign() > 0:
			if !s.ValuationCap.GreaterThan(s.PurchaseAmount) {
				p.add(where, "post-money valuation cap %s must exceed the purchase amount %s", s.ValuationCap, s.PurchaseAmount)
			} else {
				phi = phi.Add(s.PurchaseAmount.DivRound(s.ValuationCap, 30))
			}
		}
	}
	if phi.GreaterThanOrEqual(one) {
		p.add("safes", "capped SAFEs claim %s%% of the post-money capitalization (must be under 100%%)", phi.Shift(2).Round(2))
	}
	for i, d := range in.Debts {
		where := fmt.Sprintf("debts[%d] (%s)", i, d.Holder)
		if d.Holder == "" {
			p.add(fmt.Sprintf("debts[%d]", i), "missing holder")
		}
		claim(debtName(d), where)
		if d.Amount.Sign() < 0 {
			p.add(where, "amount %s is negative", d.Amount)
		}
	}
	return p.err()
}

func safeName(s SAFE) string {
	if s.Name != "" {
		return s.Name
	}
	return "SAFE " + s.Holder
}

func debtName(d Debt) string {
	if d.Name != "" {
		return d.Name
	}
	return "Debt " + d.Holder
}
