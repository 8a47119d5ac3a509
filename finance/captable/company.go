// Package captable is the company document and its capitalization table:
// stakeholders, share classes, issuances, the option plan and unconverted
// convertibles (SAFEs and notes), read from YAML or JSON and validated, and
// the outstanding and fully diluted tables computed from them.
//
// Everything is exact decimal arithmetic (shopspring/decimal, math/big for
// ratios); no float touches a share count, a price or a percentage. The
// package is pure: no I/O besides decoding the bytes it is given.
package captable

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Company is the company document: who holds what, on which terms.
type Company struct {
	Name         string         `json:"name"`
	Currency     money.Currency `json:"currency"`
	Stakeholders []Stakeholder  `json:"stakeholders"`
	ShareClasses []ShareClass   `json:"share_classes"`
	Issuances    []Issuance     `json:"issuances"`
	// OptionPlan is nil when the company has no equity incentive plan.
	OptionPlan   *OptionPlan   `json:"option_plan,omitempty"`
	Convertibles []Convertible `json:"convertibles,omitempty"`
	// Scenarios are financing plans described in the document (seed → A →
	// B); package round applies them.
	Scenarios []Scenario `json:"scenarios,omitempty"`
}

// StakeholderKind says what role a stakeholder plays; founders' ownership
// paths are reported across multi-round scenarios.
type StakeholderKind string

// The stakeholder kinds.
const (
	Founder  StakeholderKind = "founder"
	Employee StakeholderKind = "employee"
	Investor StakeholderKind = "investor"
	Advisor  StakeholderKind = "advisor"
	Other    StakeholderKind = "other"
)

// Stakeholder is a person or entity that holds (or may hold) securities.
type Stakeholder struct {
	ID   string          `json:"id"`
	Name string          `json:"name"`
	Kind StakeholderKind `json:"kind"`
	// ProRata marks a holder with a contractual right to buy its pro rata
	// share of new rounds (a "major investor" right).
	ProRata bool `json:"pro_rata,omitempty"`
}

// ClassKind is common or preferred stock.
type ClassKind string

// The share class kinds.
const (
	Common    ClassKind = "common"
	Preferred ClassKind = "preferred"
)

// ShareClass is a class (or series) of stock and its economic terms.
type ShareClass struct {
	ID   string    `json:"id"`
	Name string    `json:"name"`
	Kind ClassKind `json:"kind"`
	// OriginalIssuePrice is the price per share the preference is measured
	// against; required (> 0) for preferred, zero for common.
	OriginalIssuePrice decimal.Decimal `json:"original_issue_price"`
	// LiquidationMultiple is the preference as a multiple of the original
	// issue price (1 = 1×); zero for common.
	LiquidationMultiple decimal.Decimal `json:"liquidation_multiple"`
	// Participating preferred shares in the residual after its preference.
	Participating bool `json:"participating"`
	// ParticipationCap is the total return cap of participating preferred
	// as a multiple of the original issue price (e.g. 3 = 3×); zero means
	// no cap.
	ParticipationCap decimal.Decimal `json:"participation_cap"`
	// Seniority ranks liquidation preferences: higher is paid first, equal
	// ranks are pari passu (one group sharing pro rata). Common is 0.
	Seniority int `json:"seniority"`
	// ConversionRatio is common shares per share on conversion (default 1).
	ConversionRatio decimal.Decimal `json:"conversion_ratio"`
}

// Issuance is a block of shares issued to a stakeholder.
type Issuance struct {
	ID          string          `json:"id,omitempty"`
	Stakeholder string          `json:"stakeholder"`
	Class       string          `json:"class"`
	Shares      decimal.Decimal `json:"shares"`
	// PricePerShare is what was paid per share, in the company currency.
	PricePerShare decimal.Decimal `json:"price_per_share"`
	Date          Date            `json:"date"`
}

// OptionPlan is the equity incentive plan: a reserved pool from which
// options are granted.
type OptionPlan struct {
	Name string `json:"name"`
	// Class is the share class options are exercisable for (a common class).
	Class string `json:"class"`
	// PoolSize is the number of shares reserved under the plan, granted
	// and ungranted; exercised shares remain counted in it.
	PoolSize decimal.Decimal `json:"pool_size"`
	Grants   []Grant         `json:"grants,omitempty"`
}

// Grant is an option grant with its vesting schedule.
type Grant struct {
	ID            string          `json:"id"`
	Stakeholder   string          `json:"stakeholder"`
	Shares        decimal.Decimal `json:"shares"`
	ExercisePrice decimal.Decimal `json:"exercise_price"`
	VestingStart  Date            `json:"vesting_start"`
	// VestingMonths is the total vesting period; 0 means vested at start.
	VestingMonths int `json:"vesting_months"`
	// CliffMonths: nothing vests before the cliff; at the cliff the months
	// elapsed vest at once.
	CliffMonths int `json:"cliff_months"`
	// Exercised shares are issued common stock of the plan's class, held by
	// the grantee; they are not listed again as issuances.
	Exercised decimal.Decimal `json:"exercised"`
}

// ConvertibleType tells SAFEs from notes.
type ConvertibleType string

// The convertible instrument types.
const (
	// SAFEPost is YC's post-money SAFE: its cap is measured against a
	// Company Capitalization that includes all converting securities.
	SAFEPost ConvertibleType = "safe_post"
	// SAFEPre is the original (pre-money) SAFE: its cap is measured against
	// the pre-money capitalization including the pool increase and
	// excluding converting securities.
	SAFEPre ConvertibleType = "safe_pre"
	// Note is a convertible promissory note: principal plus accrued
	// interest converts; its cap is measured like a pre-money SAFE's.
	Note ConvertibleType = "note"
)

// Compounding is how a note's interest accrues.
type Compounding string

// The compounding conventions.
const (
	Simple Compounding = "simple"
	// Annual compounds on each anniversary of the issue date (by the day
	// count's year fraction); a partial year accrues simple interest on
	// the compounded balance.
	Annual Compounding = "annual"
)

// DayCount is a day-count convention for accruing interest.
type DayCount string

// The day-count conventions.
const (
	// Actual365 counts actual calendar days over a 365-day year.
	Actual365 DayCount = "ACTUAL/365"
	// Thirty360 is 30/360 US (NASD / SIA bond basis); see Days360.
	Thirty360 DayCount = "30/360"
)

// Convertible is an unconverted SAFE or convertible note.
type Convertible struct {
	ID          string          `json:"id"`
	Stakeholder string          `json:"stakeholder"`
	Type        ConvertibleType `json:"type"`
	// Amount is the SAFE purchase amount or the note principal.
	Amount decimal.Decimal `json:"amount"`
	// Cap is the valuation cap; zero means no cap.
	Cap decimal.Decimal `json:"cap"`
	// Discount is the fraction off the round price (0.2 = 20%); zero means
	// no discount.
	Discount decimal.Decimal `json:"discount"`
	// MFN: the holder may adopt the terms of a later convertible issued
	// before the round (most favoured nation).
	MFN     bool `json:"mfn,omitempty"`
	ProRata bool `json:"pro_rata,omitempty"`
	Date    Date `json:"date"`
	// Note terms (zero for SAFEs).
	InterestRate decimal.Decimal `json:"interest_rate"`
	Compounding  Compounding     `json:"compounding,omitempty"`
	DayCount     DayCount        `json:"day_count,omitempty"`
	Maturity     Date            `json:"maturity,omitzero"`
}

// HasCap reports whether the instrument has a valuation cap.
func (c Convertible) HasCap() bool { return c.Cap.IsPositive() }

// Scenario is a named sequence of rounds described in the document.
type Scenario struct {
	Name   string      `json:"name"`
	Rounds []RoundSpec `json:"rounds"`
}

// RoundSpec is a priced round as written in a document; package round turns
// it into its RoundTerms.
type RoundSpec struct {
	Name string `json:"name"`
	Date Date   `json:"date,omitzero"`
	// PreMoney is the headline pre-money valuation.
	PreMoney    decimal.Decimal  `json:"pre_money"`
	Investments []InvestmentSpec `json:"investments"`
	// Class is the new series' terms; its ID and Name default from the
	// round name, its original issue price is the round price.
	Class ShareClass `json:"class"`
	// PoolTarget is the post-round unissued pool as a fraction of the fully
	// diluted post-round shares (0 = no target).
	PoolTarget decimal.Decimal `json:"pool_target"`
	// PoolIncrease is a fixed number of shares added to the pool in the
	// pre-money (0 = none). At most one of PoolTarget and PoolIncrease.
	PoolIncrease decimal.Decimal `json:"pool_increase"`
	// Method is "percentage" (default), "pre-money" or "dollars".
	Method string `json:"method,omitempty"`
	// PriceDecimals is the price rounding (nil: the default, 4).
	PriceDecimals *int `json:"price_decimals,omitempty"`
	// PriceRounding is "nearest" (default), "down" or "up".
	PriceRounding string `json:"price_rounding,omitempty"`
	// ShareRounding is "floor" (default) or "nearest".
	ShareRounding string `json:"share_rounding,omitempty"`
}

// InvestmentSpec is one investor's cheque in a RoundSpec. Stakeholder names
// an existing stakeholder id or a new one (then Name and Kind describe it).
type InvestmentSpec struct {
	Stakeholder string          `json:"stakeholder"`
	Name        string          `json:"name,omitempty"`
	Amount      decimal.Decimal `json:"amount"`
}

// Date is a calendar date without time of day or zone, written YYYY-MM-DD.
type Date struct{ t time.Time }

// NewDate returns the date y-m-d; out-of-range days normalise as in
// time.Date.
func NewDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date{t}, nil
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.t.IsZero() }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.t.Before(e.t) }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.t.After(e.t) }

// Time is d at midnight UTC.
func (d Date) Time() time.Time { return d.t }

// String formats d as YYYY-MM-DD ("" for the zero date).
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.t.Format(time.DateOnly)
}

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD" (or "" for no date).
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Stakeholder returns the stakeholder with id, or nil.
func (c *Company) Stakeholder(id string) *Stakeholder {
	for i := range c.Stakeholders {
		if c.Stakeholders[i].ID == id {
			return &c.Stakeholders[i]
		}
	}
	return nil
}

// Class returns the share class with id, or nil.
func (c *Company) Class(id string) *ShareClass {
	for i := range c.ShareClasses {
		if c.ShareClasses[i].ID == id {
			return &c.ShareClasses[i]
		}
	}
	return nil
}

// Clone returns a deep copy of c, so that rounds never modify their input.
func (c *Company) Clone() *Company {
	d := *c
	d.Stakeholders = append([]Stakeholder(nil), c.Stakeholders...)
	d.ShareClasses = append([]ShareClass(nil), c.ShareClasses...)
	d.Issuances = append([]Issuance(nil), c.Issuances...)
	d.Convertibles = append([]Convertible(nil), c.Convertibles...)
	if c.OptionPlan != nil {
		p := *c.OptionPlan
		p.Grants = append([]Grant(nil), c.OptionPlan.Grants...)
		d.OptionPlan = &p
	}
	d.Scenarios = make([]Scenario, len(c.Scenarios))
	for i, s := range c.Scenarios {
		d.Scenarios[i] = Scenario{Name: s.Name, Rounds: append([]RoundSpec(nil), s.Rounds...)}
	}
	return &d
}
