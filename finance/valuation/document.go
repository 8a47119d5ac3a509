// Package valuation holds the early-stage valuation methods a founder meets
// when pricing a round: the VC method, Payne's Scorecard, Berkus, Risk
// Factor Summation, First Chicago, DCF and trading multiples, and a
// "football field" that puts their ranges side by side.
//
// All arithmetic is exact decimal (shopspring/decimal); the only
// non-rational step, the half-year discount of the mid-year DCF convention,
// is a decimal Newton square root. Inputs come from one YAML or JSON
// Document with a currency; every method validates its section and reports
// errors that name the field, e.g.
// `scorecard.factors[2] (product): comparison 3.5 outside [0, 3]`.
package valuation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Document is a valuation input: a currency and one section per method.
// Sections that are absent are simply not computed.
type Document struct {
	// Company names the company valued (for reports only).
	Company string `yaml:"company,omitempty" json:"company,omitempty"`
	// Currency of every amount in the document (ISO 4217, or ¥/$/RMB).
	Currency money.Currency `yaml:"currency" json:"currency"`

	VC            *VCInput            `yaml:"vc,omitempty" json:"vc,omitempty"`
	Scorecard     *ScorecardInput     `yaml:"scorecard,omitempty" json:"scorecard,omitempty"`
	Berkus        *BerkusInput        `yaml:"berkus,omitempty" json:"berkus,omitempty"`
	RiskFactor    *RiskFactorInput    `yaml:"risk_factor,omitempty" json:"risk_factor,omitempty"`
	FirstChicago  *FirstChicagoInput  `yaml:"first_chicago,omitempty" json:"first_chicago,omitempty"`
	DCF           *DCFInput           `yaml:"dcf,omitempty" json:"dcf,omitempty"`
	Multiples     *MultiplesInput     `yaml:"multiples,omitempty" json:"multiples,omitempty"`
	FootballField *FootballFieldInput `yaml:"football_field,omitempty" json:"football_field,omitempty"`
}

// Parse decodes a YAML (or, with isJSON, JSON) valuation document. Unknown
// fields are errors, so a misspelt key is never silently ignored. The
// currency is checked here; each method's section is validated when that
// method runs.
func Parse(data []byte, isJSON bool) (*Document, error) {
	var d Document
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("valuation document: %w", err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&d); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("valuation document: %w", err)
		}
	}
	if d.Currency == "" {
		return nil, &FieldError{"currency", "missing: every valuation document names its currency (e.g. CNY or USD)"}
	}
	c, err := money.ParseCurrency(string(d.Currency))
	if err != nil {
		return nil, &FieldError{"currency", err.Error()}
	}
	d.Currency = c
	return &d, nil
}

// Method names, as used on the command line and in football_field.methods.
const (
	MethodVC           = "vc"
	MethodScorecard    = "scorecard"
	MethodBerkus       = "berkus"
	MethodRiskFactor   = "risk-factor"
	MethodFirstChicago = "first-chicago"
	MethodDCF          = "dcf"
	MethodMultiples    = "multiples"
)

// Methods lists every method in football-field order.
var Methods = []string{MethodVC, MethodScorecard, MethodBerkus, MethodRiskFactor, MethodFirstChicago, MethodDCF, MethodMultiples}

func missing(section string) error {
	return &FieldError{section, "section missing from the document"}
}

// requirePositive checks that a required amount is given and > 0.
func requirePositive(errs *errList, path string, n Number) {
	switch {
	case !n.Set:
		errs.add(path, "missing")
	case n.Sign() <= 0:
		errs.add(path, "%s must be positive", n.String())
	}
}

// requireNonNegative checks an optional amount is ≥ 0 when given.
func requireNonNegative(errs *errList, path string, n Number) {
	if n.Set && n.Sign() < 0 {
		errs.add(path, "%s must not be negative", n.String())
	}
}

// averageOf resolves "average_pre_money" or the mean of "comparables".
func averageOf(errs *errList, section string, avg Number, comps []Number) Number {
	if avg.Set && len(comps) > 0 {
		errs.add(section, "give average_pre_money or comparables, not both")
		return avg
	}
	if avg.Set {
		requirePositive(errs, section+".average_pre_money", avg)
		return avg
	}
	if len(comps) == 0 {
		errs.add(section+".average_pre_money", "missing: give the average pre-money of comparable companies, or their list as comparables")
		return Number{}
	}
	sum := zero
	for i, c := range comps {
		requirePositive(errs, fmt.Sprintf("%s.comparables[%d]", section, i), c)
		sum = sum.Add(c.Decimal)
	}
	return NumOf(div(sum, decimalInt(len(comps))))
}

// Run runs one method by name (see Methods) and returns its result: a
// *VCResult, *ScorecardResult, *BerkusResult, *RiskFactorResult,
// *FirstChicagoResult, *DCFResult or *MultiplesResult.
func Run(d *Document, method string) (any, error) {
	switch method {
	case MethodVC:
		return VC(d)
	case MethodScorecard:
		return Scorecard(d)
	case MethodBerkus:
		return Berkus(d)
	case MethodRiskFactor:
		return RiskFactorSummation(d)
	case MethodFirstChicago:
		return FirstChicago(d)
	case MethodDCF:
		return DCF(d)
	case MethodMultiples:
		return Multiples(d)
	}
	return nil, fmt.Errorf("unknown valuation method %q", method)
}
