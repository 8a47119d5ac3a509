// Package termsheet is the arithmetic of term-sheet terms: price-based
// anti-dilution adjustments in a down round (weighted average, broad- and
// narrow-based, and full ratchet) and the side-by-side comparison of offers
// by what the founders take home across a spread of exits.
//
// All amounts are exact decimals (shopspring/decimal).
package termsheet

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Kind is an anti-dilution protection.
type Kind string

// The anti-dilution protections.
const (
	// BroadBased is the weighted average of the NVCA model certificate of
	// incorporation (§4.4.4): CP2 = CP1 × (A + B) / (A + C) with A the
	// broad base (see Capitalization.Base).
	BroadBased Kind = "broad_based"
	// NarrowBased is the same formula with a narrower A.
	NarrowBased Kind = "narrow_based"
	// FullRatchet resets the conversion price to the new issue price.
	FullRatchet Kind = "full_ratchet"
	// NoProtection leaves the conversion price unchanged.
	NoProtection Kind = "none"
)

// ParseKind reads a Kind, accepting "broad", "narrow", "ratchet" and "none"
// as short forms.
func ParseKind(s string) (Kind, error) {
	switch s {
	case "", "broad", "broad_based", "broad-based", "weighted_average":
		return BroadBased, nil
	case "narrow", "narrow_based", "narrow-based":
		return NarrowBased, nil
	case "ratchet", "full_ratchet", "full-ratchet":
		return FullRatchet, nil
	case "none":
		return NoProtection, nil
	}
	return "", fmt.Errorf("anti-dilution %q: want broad_based, narrow_based, full_ratchet or none", s)
}

// Capitalization is what stands before a dilutive issue, in common-share
// equivalents, used to build A.
type Capitalization struct {
	Common               decimal.Decimal
	PreferredAsConverted decimal.Decimal
	OptionsOutstanding   decimal.Decimal
	ConvertiblesAsConv   decimal.Decimal
	// PoolUnissued is the reserved but ungranted option pool.
	PoolUnissued decimal.Decimal
	// IncludeUnissuedPool counts PoolUnissued in the broad base; the NVCA
	// model charter does not (it counts outstanding options and
	// convertibles), some charters do.
	IncludeUnissuedPool bool
}

// Base returns A for kind k. Broad-based (NVCA): common outstanding plus
// all shares issuable on exercise of outstanding options and conversion of
// outstanding preferred and other convertible securities (plus the unissued
// pool when IncludeUnissuedPool). Narrow-based: common plus preferred as
// converted only — options, convertibles and the pool are left out, which
// makes A smaller and the adjustment larger.
func (c Capitalization) Base(k Kind) decimal.Decimal {
	a := c.Common.Add(c.PreferredAsConverted)
	if k == NarrowBased {
		return a
	}
	a = a.Add(c.OptionsOutstanding).Add(c.ConvertiblesAsConv)
	if c.IncludeUnissuedPool {
		a = a.Add(c.PoolUnissued)
	}
	return a
}

// Issue is a dilutive issue and the protected series.
type Issue struct {
	// CP1 is the series' conversion price before the issue.
	CP1 decimal.Decimal
	// NewPrice is the price per share of the new issue.
	NewPrice decimal.Decimal
	// Outstanding is A, already computed for the kind (see Capitalization.Base).
	Outstanding decimal.Decimal
	// NewShares is C, the shares actually issued.
	NewShares decimal.Decimal
	// OriginalIssuePrice (OIP) of the series; zero means CP1.
	OriginalIssuePrice decimal.Decimal
	// SeriesShares is the number of protected preferred shares, to report
	// the extra as-converted shares; zero skips that.
	SeriesShares decimal.Decimal
}

// Adjustment is the result of an anti-dilution adjustment.
type Adjustment struct {
	Kind Kind            `json:"kind"`
	CP1  decimal.Decimal `json:"cp1"`
	// CP2 is the new conversion price (rounded to 6 places for reporting;
	// charters usually round to the cent or 1/1000 of a cent).
	CP2      decimal.Decimal `json:"cp2"`
	NewPrice decimal.Decimal `json:"new_price"`
	// A, B and C of the weighted-average formula (B = C × new price / CP1:
	// the shares the new money would have bought at CP1).
	A decimal.Decimal `json:"a"`
	B decimal.Decimal `json:"b"`
	C decimal.Decimal `json:"c"`
	// ConversionRatio = OIP / CP2 (was OIP / CP1).
	ConversionRatioBefore decimal.Decimal `json:"conversion_ratio_before"`
	ConversionRatio       decimal.Decimal `json:"conversion_ratio"`
	// AsConvertedBefore/After (whole shares, fractions dropped as charters
	// pay them in cash) and ExtraShares are set when SeriesShares is.
	AsConvertedBefore decimal.Decimal `json:"as_converted_before"`
	AsConvertedAfter  decimal.Decimal `json:"as_converted_after"`
	ExtraShares       decimal.Decimal `json:"extra_shares"`
	// Triggered is false when the new price is not below CP1 (no adjustment).
	Triggered bool `json:"triggered"`
}

const prec = 24

// WeightedAverage is CP1 × (A + B) / (A + C) with B = C × newPrice / CP1,
// unrounded to `prec` places.
func WeightedAverage(cp1, newPrice, a, c decimal.Decimal) decimal.Decimal {
	b := c.Mul(newPrice).DivRound(cp1, prec)
	return cp1.Mul(a.Add(b)).DivRound(a.Add(c), prec)
}

// Adjust computes the adjusted conversion price for protection k. It
// validates the issue: prices and C must be positive, A must be positive
// for the weighted averages, and an issue at or above CP1 triggers nothing.
func Adjust(k Kind, is Issue) (*Adjustment, error) {
	switch {
	case is.CP1.Sign() <= 0:
		return nil, fmt.Errorf("cp1 %s: the conversion price must be positive", is.CP1)
	case is.NewPrice.Sign() <= 0:
		return nil, fmt.Errorf("new price %s must be positive", is.NewPrice)
	case is.NewShares.Sign() <= 0:
		return nil, fmt.Errorf("new shares %s must be positive", is.NewShares)
	case (k == BroadBased || k == NarrowBased) && is.Outstanding.Sign() <= 0:
		return nil, fmt.Errorf("outstanding (A) %s must be positive for a weighted average", is.Outstanding)
	case is.OriginalIssuePrice.Sign() < 0:
		return nil, fmt.Errorf("original issue price %s must not be negative", is.OriginalIssuePrice)
	case is.SeriesShares.Sign() < 0:
		return nil, fmt.Errorf("series shares %s must not be negative", is.SeriesShares)
	}
	oip := is.OriginalIssuePrice
	if oip.IsZero() {
		oip = is.CP1
	}
	adj := &Adjustment{Kind: k, CP1: is.CP1, NewPrice: is.NewPrice, A: is.Outstanding, C: is.NewShares,
		B: is.NewShares.Mul(is.NewPrice).DivRound(is.CP1, prec).Round(6)}
	cp2 := is.CP1
	if is.NewPrice.LessThan(is.CP1) {
		adj.Triggered = k != NoProtection
		switch k {
		case BroadBased, NarrowBased:
			cp2 = WeightedAverage(is.CP1, is.NewPrice, is.Outstanding, is.NewShares)
		case FullRatchet:
			cp2 = is.NewPrice
		case NoProtection:
		default:
			return nil, fmt.Errorf("unknown anti-dilution kind %q", k)
		}
	}
	adj.CP2 = cp2.Round(6)
	before := oip.DivRound(is.CP1, prec)
	after := oip.DivRound(cp2, prec)
	adj.ConversionRatioBefore, adj.ConversionRatio = before.Round(6), after.Round(6)
	if is.SeriesShares.Sign() > 0 {
		adj.AsConvertedBefore = is.SeriesShares.Mul(before).Floor()
		adj.AsConvertedAfter = is.SeriesShares.Mul(after).Floor()
		adj.ExtraShares = adj.AsConvertedAfter.Sub(adj.AsConvertedBefore)
	}
	return adj, nil
}
