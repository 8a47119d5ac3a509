package valuation

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// ---------------------------------------------------------------- Scorecard

// ScorecardFactor is one row of Payne's scorecard: how the company compares
// with the average funded pre-revenue company of its region and stage
// (1 = on par, 1.25 or "125%" = 25% better), and the factor's weight.
type ScorecardFactor struct {
	// Name is one of DefaultScorecardWeights' keys, or any label when a
	// weight is given.
	Name string `yaml:"name" json:"name"`
	// Weight defaults to Payne's weight for a known name.
	Weight     Number `yaml:"weight" json:"weight"`
	Comparison Number `yaml:"comparison" json:"comparison"`
}

// ScorecardInput is Bill Payne's Scorecard Valuation Methodology (2011):
// pre-money = average pre-money of comparable companies × Σ weight × comparison.
type ScorecardInput struct {
	// AveragePreMoney of recently funded comparable companies, or the list
	// of their pre-money valuations as Comparables.
	AveragePreMoney Number            `yaml:"average_pre_money" json:"average_pre_money"`
	Comparables     []Number          `yaml:"comparables" json:"comparables"`
	Factors         []ScorecardFactor `yaml:"factors" json:"factors"`
	// MaxComparison bounds each comparison (default 3, i.e. 300%).
	MaxComparison Number `yaml:"max_comparison" json:"max_comparison"`
}

// DefaultScorecardWeights are Payne's published weights; they sum to 100%.
var DefaultScorecardWeights = []struct {
	Name   string
	Weight decimal.Decimal
}{
	{"management", decimal.RequireFromString("0.30")},
	{"opportunity", decimal.RequireFromString("0.25")},
	{"product", decimal.RequireFromString("0.15")},
	{"competition", decimal.RequireFromString("0.10")},
	{"marketing", decimal.RequireFromString("0.10")},
	{"additional_investment", decimal.RequireFromString("0.05")},
	{"other", decimal.RequireFromString("0.05")},
}

func defaultScorecardWeight(name string) (decimal.Decimal, bool) {
	for _, w := range DefaultScorecardWeights {
		if w.Name == name {
			return w.Weight, true
		}
	}
	return zero, false
}

// ScorecardRow is one factor's contribution.
type ScorecardRow struct {
	Name         string          `json:"name"`
	Weight       decimal.Decimal `json:"weight"`
	Comparison   decimal.Decimal `json:"comparison"`
	Contribution decimal.Decimal `json:"contribution"`
}

// ScorecardResult is the Scorecard method's answer.
type ScorecardResult struct {
	AveragePreMoney money.Money    `json:"average_pre_money"`
	Factors         []ScorecardRow `json:"factors"`
	// Factor is Σ weight × comparison.
	Factor   decimal.Decimal `json:"factor"`
	PreMoney money.Money     `json:"pre_money"`
}

// Scorecard runs Payne's Scorecard method on the document's scorecard section.
func Scorecard(d *Document) (*ScorecardResult, error) {
	in := d.Scorecard
	if in == nil {
		return nil, missing("scorecard")
	}
	var errs errList
	avg := averageOf(&errs, "scorecard", in.AveragePreMoney, in.Comparables)
	maxC := in.MaxComparison.Or(decimal.NewFromInt(3))
	if maxC.Sign() <= 0 {
		errs.add("scorecard.max_comparison", "%s must be positive", maxC.String())
	}
	if len(in.Factors) == 0 {
		errs.add("scorecard.factors", "none given: list the factors (management, opportunity, product, competition, marketing, additional_investment, other) with their comparison")
	}
	seen := map[string]bool{}
	sumW, factor := zero, zero
	var rows []ScorecardRow
	for i, f := range in.Factors {
		path := fmt.Sprintf("scorecard.factors[%d] (%s)", i, f.Name)
		if strings.TrimSpace(f.Name) == "" {
			errs.add(fmt.Sprintf("scorecard.factors[%d]", i), "name missing")
		} else if seen[f.Name] {
			errs.add(path, "listed twice")
		}
		seen[f.Name] = true
		w := f.Weight.Decimal
		if !f.Weight.Set {
			dw, ok := defaultScorecardWeight(f.Name)
			if !ok {
				errs.add(path, "weight missing and %q has no default weight", f.Name)
			}
			w = dw
		} else if w.Sign() < 0 || w.GreaterThan(one) {
			errs.add(path, "weight %s outside [0, 1]", w.String())
		}
		switch {
		case !f.Comparison.Set:
			errs.add(path, "comparison missing (1 or 100%% = on par with the average company)")
		case f.Comparison.Sign() < 0 || f.Comparison.GreaterThan(maxC):
			errs.add(path, "comparison %s outside [0, %s]", f.Comparison.String(), maxC.String())
		}
		c := w.Mul(f.Comparison.Decimal)
		sumW = sumW.Add(w)
		factor = factor.Add(c)
		rows = append(rows, ScorecardRow{f.Name, w, f.Comparison.Decimal, c})
	}
	if len(in.Factors) > 0 && !sumW.Equal(one) {
		errs.add("scorecard.factors", "weights sum to %s%%, want 100%%", sumW.Mul(hundred).String())
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return &ScorecardResult{
		AveragePreMoney: m(avg.Decimal, d.Currency),
		Factors:         rows,
		Factor:          ratio(factor),
		PreMoney:        m(avg.Mul(factor), d.Currency),
	}, nil
}

// ------------------------------------------------------------------- Berkus

// BerkusFactors are Dave Berkus's five risk-reduction elements, in order.
var BerkusFactors = []string{"sound_idea", "prototype", "quality_team", "strategic_relationships", "product_rollout"}

// DefaultBerkusMax is the most each Berkus element may add: $500,000 in
// Berkus's revised table (2009/2016), and ¥3,500,000 — kaiwu's round
// editable CNY default, about $500k at 7 CNY/USD — for CNY documents.
func DefaultBerkusMax(c money.Currency) decimal.Decimal {
	if c == money.CNY {
		return decimal.NewFromInt(3_500_000)
	}
	return decimal.NewFromInt(500_000)
}

// BerkusFactor scores one element: Value is what it adds, up to Max
// (default max_per_factor).
type BerkusFactor struct {
	Name  string `yaml:"name" json:"name"`
	Value Number `yaml:"value" json:"value"`
	Max   Number `yaml:"max" json:"max"`
}

// BerkusInput is the Berkus method: pre-money = Σ value of each element,
// each capped.
type BerkusInput struct {
	// MaxPerFactor overrides DefaultBerkusMax for every element.
	MaxPerFactor Number         `yaml:"max_per_factor" json:"max_per_factor"`
	Factors      []BerkusFactor `yaml:"factors" json:"factors"`
}

// BerkusRow is one element's value and cap.
type BerkusRow struct {
	Name  string      `json:"name"`
	Value money.Money `json:"value"`
	Max   money.Money `json:"max"`
}

// BerkusResult is the Berkus method's answer: PreMoney = Σ values, at most
// Cap = Σ maxima.
type BerkusResult struct {
	Factors  []BerkusRow `json:"factors"`
	Cap      money.Money `json:"cap"`
	PreMoney money.Money `json:"pre_money"`
}

// Berkus runs the Berkus method on the document's berkus section.
func Berkus(d *Document) (*BerkusResult, error) {
	in := d.Berkus
	if in == nil {
		return nil, missing("berkus")
	}
	var errs errList
	def := DefaultBerkusMax(d.Currency)
	if in.MaxPerFactor.Set {
		requirePositive(&errs, "berkus.max_per_factor", in.MaxPerFactor)
		def = in.MaxPerFactor.Decimal
	}
	if len(in.Factors) == 0 {
		errs.add("berkus.factors", "none given: score %s", strings.Join(BerkusFactors, ", "))
	}
	seen := map[string]bool{}
	total, capSum := zero, zero
	var rows []BerkusRow
	for i, f := range in.Factors {
		path := fmt.Sprintf("berkus.factors[%d] (%s)", i, f.Name)
		if !knownName(BerkusFactors, f.Name) {
			errs.add(path, "unknown element; want one of %s", strings.Join(BerkusFactors, ", "))
		} else if seen[f.Name] {
			errs.add(path, "listed twice")
		}
		seen[f.Name] = true
		mx := def
		if f.Max.Set {
			requirePositive(&errs, path+".max", f.Max)
			mx = f.Max.Decimal
		}
		switch {
		case !f.Value.Set:
			errs.add(path, "value missing")
		case f.Value.Sign() < 0:
			errs.add(path, "value %s must not be negative", f.Value.String())
		case f.Value.GreaterThan(mx):
			errs.add(path, "value %s exceeds the element's maximum %s", f.Value.String(), mx.String())
		}
		total = total.Add(f.Value.Decimal)
		capSum = capSum.Add(mx)
		rows = append(rows, BerkusRow{f.Name, m(f.Value.Decimal, d.Currency), m(mx, d.Currency)})
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	return &BerkusResult{Factors: rows, Cap: m(capSum, d.Currency), PreMoney: m(total, d.Currency)}, nil
}

func knownName(names []string, n string) bool {
	for _, k := range names {
		if k == n {
			return true
		}
	}
	return false
}

// ------------------------------------------------------ Risk Factor Summation

// RiskFactors are the twelve risks of the Risk Factor Summation method
// (Ohio TechAngels, as published by Payne, 2011).
var RiskFactors = []string{"management", "stage", "legislation_political", "manufacturing", "sales_marketing",
	"funding", "competition", "technology", "litigation", "international", "reputation", "lucrative_exit"}

// DefaultRiskStep is what one step of a risk score is worth: $250,000 in
// the published method, ¥1,750,000 (about the same at 7 CNY/USD) for CNY.
func DefaultRiskStep(c money.Currency) decimal.Decimal {
	if c == money.CNY {
		return decimal.NewFromInt(1_750_000)
	}
	return decimal.NewFromInt(250_000)
}

// Risk scores one risk from −2 (very negative) to +2 (very positive).
type Risk struct {
	Name  string `yaml:"name" json:"name"`
	Score Number `yaml:"score" json:"score"`
}

// RiskFactorInput is the Risk Factor Summation method: pre-money = average
// comparable pre-money + Σ score × step. Risks not listed score 0.
type RiskFactorInput struct {
	AveragePreMoney Number   `yaml:"average_pre_money" json:"average_pre_money"`
	Comparables     []Number `yaml:"comparables" json:"comparables"`
	// StepValue overrides DefaultRiskStep.
	StepValue Number `yaml:"step_value" json:"step_value"`
	Risks     []Risk `yaml:"risks" json:"risks"`
}

// RiskRow is one risk's score and adjustment.
type RiskRow struct {
	Name       string      `json:"name"`
	Score      int         `json:"score"`
	Adjustment money.Money `json:"adjustment"`
}

// RiskFactorResult is the Risk Factor Summation method's answer.
type RiskFactorResult struct {
	AveragePreMoney money.Money `json:"average_pre_money"`
	StepValue       money.Money `json:"step_value"`
	// Risks lists all twelve risks in RiskFactors order.
	Risks      []RiskRow   `json:"risks"`
	TotalScore int         `json:"total_score"`
	Adjustment money.Money `json:"adjustment"`
	PreMoney   money.Money `json:"pre_money"`
}

// RiskFactorSummation runs the method on the document's risk_factor section.
func RiskFactorSummation(d *Document) (*RiskFactorResult, error) {
	in := d.RiskFactor
	if in == nil {
		return nil, missing("risk_factor")
	}
	var errs errList
	avg := averageOf(&errs, "risk_factor", in.AveragePreMoney, in.Comparables)
	step := DefaultRiskStep(d.Currency)
	if in.StepValue.Set {
		requirePositive(&errs, "risk_factor.step_value", in.StepValue)
		step = in.StepValue.Decimal
	}
	scores := map[string]int{}
	for i, r := range in.Risks {
		path := fmt.Sprintf("risk_factor.risks[%d] (%s)", i, r.Name)
		if !knownName(RiskFactors, r.Name) {
			errs.add(path, "unknown risk; want one of %s", strings.Join(RiskFactors, ", "))
			continue
		}
		if _, dup := scores[r.Name]; dup {
			errs.add(path, "listed twice")
		}
		if !r.Score.Set || !isWholeNumber(r.Score.Decimal) || r.Score.Abs().GreaterThan(decimal.NewFromInt(2)) {
			errs.add(path, "score %s: want a whole number from -2 to +2", r.Score.String())
			continue
		}
		scores[r.Name] = int(r.Score.IntPart())
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	res := &RiskFactorResult{AveragePreMoney: m(avg.Decimal, d.Currency), StepValue: m(step, d.Currency)}
	for _, name := range RiskFactors {
		s := scores[name]
		res.TotalScore += s
		res.Risks = append(res.Risks, RiskRow{name, s, m(step.Mul(decimal.NewFromInt(int64(s))), d.Currency)})
	}
	adj := step.Mul(decimal.NewFromInt(int64(res.TotalScore)))
	res.Adjustment = m(adj, d.Currency)
	res.PreMoney = m(avg.Add(adj), d.Currency)
	return res, nil
}
