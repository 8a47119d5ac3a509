// Package round applies a priced financing round to a cap table: the price
// per share from a pre-money valuation, the option-pool top-up ("option
// pool shuffle"), SAFEs and convertible notes converting (post-money and
// pre-money SAFEs, caps, discounts, MFN, accrued note interest), the three
// conventions for pricing with converting securities, rounding, pro-rata
// rights, dilution, and multi-round scenarios.
//
// The round is a fixed point — the price depends on the conversion shares
// and the pool, which depend on the price — and is solved exactly in
// rationals before the one rounding step the terms ask for (see
// solve.go). Money amounts are exact decimals in the company's currency.
package round

import (
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

// Method is the convention for pricing a round in which convertibles
// convert (Cooley, "Calculating Share Price With Outstanding Convertible
// Notes or Safes").
type Method string

// The pricing conventions.
const (
	// PercentageOwnership fixes the new investors' percentage at
	// N/(V+N): conversion shares sit inside the pre-money and dilute only
	// the existing holders. The default (YC, Carta, Pulley).
	PercentageOwnership Method = "percentage"
	// PreMoneyMethod fixes the pre-money valuation over the shares that
	// existed before the round (plus the pool increase): conversion shares
	// dilute existing holders and new investors alike.
	PreMoneyMethod Method = "pre-money"
	// DollarsInvested fixes the post-money at V + N + the converting
	// amounts.
	DollarsInvested Method = "dollars"
)

// ParseMethod reads "percentage", "pre-money" or "dollars" ("" is
// percentage).
func ParseMethod(s string) (Method, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "percentage", "percentage-ownership", "pct":
		return PercentageOwnership, nil
	case "pre-money", "premoney", "pre":
		return PreMoneyMethod, nil
	case "dollars", "dollars-invested":
		return DollarsInvested, nil
	}
	return "", fmt.Errorf("method %q is not percentage, pre-money or dollars", s)
}

// PriceRounding is the direction a price is rounded in.
type PriceRounding string

// The price rounding directions.
const (
	Nearest PriceRounding = "nearest" // half away from zero
	Down    PriceRounding = "down"
	Up      PriceRounding = "up"
)

// ShareRounding is how a fractional number of shares becomes whole.
type ShareRounding string

// The share rounding modes.
const (
	Floor        ShareRounding = "floor"
	NearestShare ShareRounding = "nearest" // half up
)

// Rounding is where and how the round rounds. Published answers differ
// only in these choices, so they are parameters.
type Rounding struct {
	// PriceDecimals is the number of decimals of the price per share and of
	// discount and pre-money cap conversion prices; negative means the
	// exact price is used to count shares (Cooley's examples).
	PriceDecimals int32         `json:"price_decimals"`
	Price         PriceRounding `json:"price"`
	// Conversion rounds SAFE and note conversion shares; Investors rounds
	// new-money shares. The pool increase for a target is rounded up.
	Conversion ShareRounding `json:"conversion"`
	Investors  ShareRounding `json:"investors"`
}

// DefaultRounding prices to 4 decimals (nearest, as the YC User Guide
// prints its prices) and floors every share count, as closings do (no one
// receives a share they did not pay for).
func DefaultRounding() Rounding {
	return Rounding{PriceDecimals: 4, Price: Nearest, Conversion: Floor, Investors: Floor}
}

// YCGuideRounding is the rounding the YC Post-Money Safe User Guide's
// worked examples use: price to 4 decimals, nearest; conversion shares
// floored; new-money shares to the nearest share.
func YCGuideRounding() Rounding {
	return Rounding{PriceDecimals: 4, Price: Nearest, Conversion: Floor, Investors: NearestShare}
}

// Investment is one cheque in a round. Stakeholder is an existing
// stakeholder id or the id of a new one, described by Name.
type Investment struct {
	Stakeholder string          `json:"stakeholder"`
	Name        string          `json:"name,omitempty"`
	Amount      decimal.Decimal `json:"amount"`
}

// RoundTerms are the terms of a priced round. Amounts are in the company's
// currency.
type RoundTerms struct {
	Name string
	// Date is the closing; notes accrue interest to it and convertibles
	// issued after it do not convert. Required when a note converts.
	Date        captable.Date
	PreMoney    decimal.Decimal
	Investments []Investment
	// Class is the new series. ID and Name default from the round name;
	// Kind defaults to preferred with a 1× non-participating preference
	// senior to existing classes; the original issue price is the round
	// price whatever is set here.
	Class captable.ShareClass
	// PoolTarget is the unissued pool after the round as a fraction of the
	// post-round fully diluted shares; the increase sits in the pre-money
	// (the "option pool shuffle"). PoolIncrease instead adds a fixed
	// number of shares. Give at most one.
	PoolTarget   decimal.Decimal
	PoolIncrease decimal.Decimal
	// Method defaults to PercentageOwnership.
	Method Method
	// Rounding defaults to DefaultRounding().
	Rounding *Rounding
}

// Conversion is how one convertible converted.
type Conversion struct {
	ID          string                   `json:"id"`
	Stakeholder string                   `json:"stakeholder"`
	Type        captable.ConvertibleType `json:"type"`
	Principal   decimal.Decimal          `json:"principal"`
	Interest    decimal.Decimal          `json:"interest"`
	// Basis is "cap", "discount" or "round" (the round price); MFNFrom
	// names the later instrument whose terms an MFN holder adopted.
	Basis           string          `json:"basis"`
	MFNFrom         string          `json:"mfn_from,omitempty"`
	ConversionPrice decimal.Decimal `json:"conversion_price"`
	Shares          decimal.Decimal `json:"shares"`
	Class           string          `json:"class"`
}

// Allocation is a new investor's purchase.
type Allocation struct {
	Stakeholder string          `json:"stakeholder"`
	Name        string          `json:"name"`
	Amount      decimal.Decimal `json:"amount"`
	Shares      decimal.Decimal `json:"shares"`
	// Ownership is Shares / post-round fully diluted, in percent.
	Ownership decimal.Decimal `json:"ownership_pct"`
}

// ProRata is a holder's pro-rata right in this round: its share of the
// Company Capitalization (fully diluted after conversions, before the pool
// increase and new money) applied to the new-money shares.
type ProRata struct {
	Stakeholder string          `json:"stakeholder"`
	Percent     decimal.Decimal `json:"pct"`
	Shares      decimal.Decimal `json:"shares"`
	Amount      decimal.Decimal `json:"amount"`
}

// Dilution is one holder's fully diluted ownership before and after.
type Dilution struct {
	Stakeholder string          `json:"stakeholder"`
	Name        string          `json:"name"`
	Kind        string          `json:"kind"`
	Before      decimal.Decimal `json:"before_pct"`
	After       decimal.Decimal `json:"after_pct"`
	// Change is After − Before in percentage points; Relative is
	// (Before − After)/Before in percent (zero for new holders).
	Change   decimal.Decimal `json:"change_pts"`
	Relative decimal.Decimal `json:"relative_pct"`
}

// Result is a round applied to a company.
type Result struct {
	Round    string          `json:"round"`
	Date     captable.Date   `json:"date,omitzero"`
	Currency string          `json:"currency"`
	Method   Method          `json:"method"`
	Rounding Rounding        `json:"rounding"`
	PreMoney decimal.Decimal `json:"pre_money"`
	NewMoney decimal.Decimal `json:"new_money"`
	// Price is the price per share as rounded; ExactPrice is the fixed
	// point before rounding, to 10 decimals.
	Price      decimal.Decimal `json:"price"`
	ExactPrice decimal.Decimal `json:"exact_price"`
	// Iterations is the solver's passes to the fixed point.
	Iterations int `json:"iterations"`
	// PostMoney is Price × post-round fully diluted shares.
	PostMoney decimal.Decimal `json:"post_money"`
	// EffectivePreMoney is Price × the fully diluted shares that existed
	// before the round: the headline pre-money less what the pool increase
	// (and, under the percentage method, the conversions) took out of it.
	EffectivePreMoney decimal.Decimal `json:"effective_pre_money"`
	PreRoundShares    decimal.Decimal `json:"pre_round_shares"`
	PoolIncrease      decimal.Decimal `json:"pool_increase"`
	PoolIncreaseValue decimal.Decimal `json:"pool_increase_value"`
	// CompanyCapitalization is the post-money SAFE denominator (pre-round
	// fully diluted + all conversion shares); PreMoneyCapitalization the
	// pre-money SAFE and note one (pre-round fully diluted + pool
	// increase).
	CompanyCapitalization  decimal.Decimal `json:"company_capitalization"`
	PreMoneyCapitalization decimal.Decimal `json:"pre_money_capitalization"`
	ConversionShares       decimal.Decimal `json:"conversion_shares"`
	NewShares              decimal.Decimal `json:"new_shares"`
	PostRoundShares        decimal.Decimal `json:"post_round_shares"`
	// UnissuedPoolPct is the post-round unissued pool in percent of fully
	// diluted.
	UnissuedPoolPct decimal.Decimal `json:"unissued_pool_pct"`
	Conversions     []Conversion    `json:"conversions"`
	Investors       []Allocation    `json:"investors"`
	ProRata         []ProRata       `json:"pro_rata"`
	Dilution        []Dilution      `json:"dilution"`
	Before          *captable.Table `json:"before"`
	After           *captable.Table `json:"after"`
	// Company is the post-round document: new classes, stakeholders and
	// issuances, converted instruments removed, the pool enlarged. It is
	// the input of the next round.
	Company *captable.Company `json:"-"`
}

// instrument is a convertible as the solver sees it.
type instrument struct {
	cv       captable.Convertible
	interest decimal.Decimal
	mfnFrom  string
	post     bool
	amount   *big.Rat // principal + interest
	f        *big.Rat // 1/(1 − discount)
	c        *big.Rat // amount/cap, nil when uncapped
	// capBranch is the solver's current branch of the max.
	capBranch bool
}

func newInstrument(cv captable.Convertible, interest decimal.Decimal) *instrument {
	in := &instrument{cv: cv, interest: interest}
	in.setTerms(cv)
	return in
}

// setTerms sets the conversion terms (type, cap, discount) from t, keeping
// the amount: an MFN holder adopts a later instrument's terms this way.
// A note keeps being a note (its cap measured on the pre-money basis).
func (in *instrument) setTerms(t captable.Convertible) {
	if in.cv.Type != captable.Note {
		in.cv.Type = t.Type
	}
	in.cv.Cap, in.cv.Discount = t.Cap, t.Discount
	in.post = in.cv.Type == captable.SAFEPost
	in.amount = in.cv.Amount.Add(in.interest).Rat()
	in.f = quo(rat(1), sub(rat(1), t.Discount.Rat()))
	in.c = nil
	if t.HasCap() {
		in.c = quo(in.amount, t.Cap.Rat())
	}
}

// FromSpec turns a round described in a company document into terms.
func FromSpec(s captable.RoundSpec) (RoundTerms, error) {
	m, err := ParseMethod(s.Method)
	if err != nil {
		return RoundTerms{}, fmt.Errorf("round %s: %w", s.Name, err)
	}
	r := DefaultRounding()
	if s.PriceDecimals != nil {
		r.PriceDecimals = int32(*s.PriceDecimals)
	}
	if s.PriceRounding != "" {
		r.Price = PriceRounding(s.PriceRounding)
	}
	if s.ShareRounding != "" {
		r.Conversion = ShareRounding(s.ShareRounding)
		r.Investors = ShareRounding(s.ShareRounding)
	}
	t := RoundTerms{Name: s.Name, Date: s.Date, PreMoney: s.PreMoney, Class: s.Class,
		PoolTarget: s.PoolTarget, PoolIncrease: s.PoolIncrease, Method: m, Rounding: &r}
	for _, in := range s.Investments {
		t.Investments = append(t.Investments, Investment{Stakeholder: in.Stakeholder, Name: in.Name, Amount: in.Amount})
	}
	return t, nil
}

func (r Rounding) validate() error {
	switch r.Price {
	case Nearest, Down, Up:
	default:
		return fmt.Errorf("price rounding %q is not nearest, down or up", r.Price)
	}
	for _, s := range []ShareRounding{r.Conversion, r.Investors} {
		switch s {
		case Floor, NearestShare:
		default:
			return fmt.Errorf("share rounding %q is not floor or nearest", s)
		}
	}
	if r.PriceDecimals > 12 {
		return fmt.Errorf("price decimals %d: at most 12", r.PriceDecimals)
	}
	return nil
}

func (t *RoundTerms) check(c *captable.Company) error {
	one := decimal.NewFromInt(1)
	switch {
	case !t.PreMoney.IsPositive():
		return fmt.Errorf("pre-money must be > 0 (got %s)", t.PreMoney)
	case len(t.Investments) == 0:
		return errors.New("a priced round needs at least one investment")
	case t.PoolTarget.IsNegative() || t.PoolTarget.GreaterThanOrEqual(one):
		return fmt.Errorf("pool target must be in [0%%, 100%%) (got %s%%)", t.PoolTarget.Shift(2))
	case t.PoolIncrease.IsNegative():
		return fmt.Errorf("pool increase must not be negative (got %s)", t.PoolIncrease)
	case t.PoolTarget.IsPositive() && t.PoolIncrease.IsPositive():
		return errors.New("pool target and pool increase contradict each other: give one")
	}
	newMoney := decimal.Zero
	for i, in := range t.Investments {
		if strings.TrimSpace(in.Stakeholder) == "" {
			return fmt.Errorf("investments[%d]: stakeholder: required", i)
		}
		if !in.Amount.IsPositive() {
			return fmt.Errorf("investments[%d] (%s): amount must be > 0 (got %s)", i, in.Stakeholder, in.Amount)
		}
		newMoney = newMoney.Add(in.Amount)
	}
	if t.Method == PercentageOwnership && t.PoolTarget.IsPositive() {
		q := newMoney.Div(newMoney.Add(t.PreMoney))
		if t.PoolTarget.Add(q).GreaterThanOrEqual(one) {
			return fmt.Errorf("pool target %s%% plus the new investors' %s%% leave nothing for the existing holders",
				t.PoolTarget.Shift(2), q.Shift(2).Round(2))
		}
	}
	if c.Holdings().FullyDiluted().IsZero() {
		return errors.New("the company has no shares: a priced round needs an existing capitalization")
	}
	return nil
}

// Apply applies a priced round to company c (which is not modified).
func Apply(c *captable.Company, t RoundTerms) (*Result, error) {
	r, err := apply(c, t)
	if err != nil {
		name := t.Name
		if name == "" {
			name = "round"
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return r, nil
}

func apply(c *captable.Company, t RoundTerms) (*Result, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if t.Method == "" {
		t.Method = PercentageOwnership
	}
	if _, err := ParseMethod(string(t.Method)); err != nil {
		return nil, err
	}
	rnd := DefaultRounding()
	if t.Rounding != nil {
		rnd = *t.Rounding
	}
	if err := rnd.validate(); err != nil {
		return nil, err
	}
	if t.Name == "" {
		t.Name = "Round"
	}
	if err := t.check(c); err != nil {
		return nil, err
	}
	cls, err := newClass(c, t)
	if err != nil {
		return nil, err
	}

	h := c.Holdings()
	a := h.FullyDiluted()
	newMoney := decimal.Zero
	for _, in := range t.Investments {
		newMoney = newMoney.Add(in.Amount)
	}

	// The converting instruments, MFN resolved.
	var inst []*instrument
	var staying []captable.Convertible
	sumI := decimal.Zero
	for _, cv := range c.Convertibles {
		if !t.Date.IsZero() && !cv.Date.IsZero() && cv.Date.After(t.Date) {
			staying = append(staying, cv)
			continue
		}
		interest := decimal.Zero
		if cv.Type == captable.Note && cv.InterestRate.IsPositive() {
			if t.Date.IsZero() {
				return nil, fmt.Errorf("convertible %s is an interest-bearing note: the round needs a date to accrue its interest to", cv.ID)
			}
			if interest, err = captable.AccruedInterest(cv, t.Date); err != nil {
				return nil, err
			}
		}
		inst = append(inst, newInstrument(cv, interest))
		sumI = sumI.Add(cv.Amount).Add(interest)
	}
	p := &problem{a: a.Rat(), e: h.UnissuedPool.Rat(), v: t.PreMoney.Rat(), n: newMoney.Rat(), sumI: sumI.Rat(),
		method: t.Method, inst: inst}
	switch {
	case t.PoolTarget.IsPositive():
		p.pool, p.target = poolTarget, t.PoolTarget.Rat()
	case t.PoolIncrease.IsPositive():
		p.pool, p.delta0 = poolFixed, t.PoolIncrease.Rat()
	}
	if err := resolveMFN(p); err != nil {
		return nil, err
	}
	sol, err := p.solve()
	if err != nil {
		return nil, err
	}
	return materialize(c, t, rnd, cls, p, sol, staying, newMoney)
}

// resolveMFN lets each MFN instrument adopt the terms of the later-issued
// SAFE (before the round) that gives it the most shares in this round — the
// whole instrument, not a pick of its terms, as the YC MFN safe provides.
// MFN holders choose in issue order; one with no later SAFE converts at the
// round price.
func resolveMFN(p *problem) error {
	order := make([]int, len(p.inst))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool { return p.inst[order[x]].cv.Date.Before(p.inst[order[y]].cv.Date) })
	pos := make([]int, len(p.inst))
	for k, i := range order {
		pos[i] = k
	}
	for _, i := range order {
		m := p.inst[i]
		if !m.cv.MFN {
			continue
		}
		orig := m.cv
		best, bestShares := -1, (*big.Rat)(nil)
		for j, cand := range p.inst {
			if cand.cv.MFN || pos[j] <= pos[i] || cand.cv.Type == captable.Note {
				continue
			}
			m.setTerms(cand.cv)
			s, err := p.solve()
			if err != nil {
				continue
			}
			if bestShares == nil || s.shares[i].Cmp(bestShares) > 0 {
				best, bestShares = j, s.shares[i]
			}
		}
		if best < 0 {
			m.setTerms(orig)
			continue
		}
		m.setTerms(p.inst[best].cv)
		m.cv.MFN = false
		m.mfnFrom = p.inst[best].cv.ID
	}
	return nil
}

func newClass(c *captable.Company, t RoundTerms) (captable.ShareClass, error) {
	cl := t.Class
	if cl.Name == "" {
		cl.Name = t.Name
	}
	if cl.ID == "" {
		cl.ID = captable.Slug(cl.Name)
	}
	if cl.ID == "" {
		cl.ID = "round"
	}
	if c.Class(cl.ID) != nil {
		return cl, fmt.Errorf("share class id %q already exists: give the new series another id", cl.ID)
	}
	if cl.Kind == "" {
		cl.Kind = captable.Preferred
	}
	if cl.ConversionRatio.IsZero() {
		cl.ConversionRatio = decimal.NewFromInt(1)
	}
	if cl.Kind == captable.Preferred {
		if cl.LiquidationMultiple.IsZero() {
			cl.LiquidationMultiple = decimal.NewFromInt(1)
		}
		if cl.Seniority == 0 {
			top := 0
			for _, x := range c.ShareClasses {
				if x.Seniority > top {
					top = x.Seniority
				}
			}
			cl.Seniority = top + 1
		}
	}
	return cl, nil
}
