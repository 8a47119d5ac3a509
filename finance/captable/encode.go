package captable

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"
)

// The YAML form of a company document, field for field as Parse
// reads it. Defaults Parse would apply are written out explicitly (a
// preferred class's seniority and multiple) and zero values Parse treats
// as "set" (a cap of 0) are left out, so the document parses back to the
// same company.
type yamlCompany struct {
	Name         string            `yaml:"name"`
	Currency     string            `yaml:"currency"`
	Stakeholders []yamlStakeholder `yaml:"stakeholders"`
	ShareClasses []yamlClass       `yaml:"share_classes"`
	Issuances    []yamlIssuance    `yaml:"issuances"`
	OptionPlan   *yamlPlan         `yaml:"option_plan,omitempty"`
	Convertibles []yamlConvertible `yaml:"convertibles,omitempty"`
}

type yamlStakeholder struct {
	ID      string `yaml:"id"`
	Name    string `yaml:"name"`
	Kind    string `yaml:"kind"`
	ProRata bool   `yaml:"pro_rata,omitempty"`
}

type yamlClass struct {
	ID                  string `yaml:"id"`
	Name                string `yaml:"name"`
	Kind                string `yaml:"kind"`
	OriginalIssuePrice  string `yaml:"original_issue_price,omitempty"`
	LiquidationMultiple string `yaml:"liquidation_multiple,omitempty"`
	Participating       bool   `yaml:"participating,omitempty"`
	ParticipationCap    string `yaml:"participation_cap,omitempty"`
	Seniority           int    `yaml:"seniority"`
	ConversionRatio     string `yaml:"conversion_ratio"`
}

type yamlIssuance struct {
	ID            string `yaml:"id,omitempty"`
	Stakeholder   string `yaml:"stakeholder"`
	Class         string `yaml:"class"`
	Shares        string `yaml:"shares"`
	PricePerShare string `yaml:"price_per_share"`
	Date          string `yaml:"date,omitempty"`
}

type yamlPlan struct {
	Name     string      `yaml:"name"`
	Class    string      `yaml:"class"`
	PoolSize string      `yaml:"pool_size"`
	Grants   []yamlGrant `yaml:"grants,omitempty"`
}

type yamlGrant struct {
	ID            string `yaml:"id,omitempty"`
	Stakeholder   string `yaml:"stakeholder"`
	Shares        string `yaml:"shares"`
	ExercisePrice string `yaml:"exercise_price"`
	VestingStart  string `yaml:"vesting_start,omitempty"`
	VestingMonths int    `yaml:"vesting_months,omitempty"`
	CliffMonths   int    `yaml:"cliff_months,omitempty"`
	Exercised     string `yaml:"exercised,omitempty"`
}

type yamlConvertible struct {
	ID           string `yaml:"id"`
	Stakeholder  string `yaml:"stakeholder"`
	Type         string `yaml:"type"`
	Amount       string `yaml:"amount"`
	Cap          string `yaml:"cap,omitempty"`
	Discount     string `yaml:"discount,omitempty"`
	MFN          bool   `yaml:"mfn,omitempty"`
	ProRata      bool   `yaml:"pro_rata,omitempty"`
	Date         string `yaml:"date,omitempty"`
	InterestRate string `yaml:"interest_rate,omitempty"`
	Compounding  string `yaml:"compounding,omitempty"`
	DayCount     string `yaml:"day_count,omitempty"`
	Maturity     string `yaml:"maturity,omitempty"`
}

func nz(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// Encode writes c as a YAML company document that Parse reads back to the
// same company. Scenarios are not written yet; a company with scenarios is
// refused rather than silently shortened.
func Encode(c *Company) ([]byte, error) {
	if len(c.Scenarios) > 0 {
		return nil, fmt.Errorf("writing the company document: scenarios are not supported by this writer")
	}
	y := yamlCompany{Name: c.Name, Currency: string(c.Currency),
		Stakeholders: []yamlStakeholder{}, ShareClasses: []yamlClass{}, Issuances: []yamlIssuance{}}
	for _, s := range c.Stakeholders {
		y.Stakeholders = append(y.Stakeholders, yamlStakeholder{ID: s.ID, Name: s.Name, Kind: string(s.Kind), ProRata: s.ProRata})
	}
	for _, cl := range c.ShareClasses {
		yc := yamlClass{ID: cl.ID, Name: cl.Name, Kind: string(cl.Kind), OriginalIssuePrice: nz(cl.OriginalIssuePrice),
			Participating: cl.Participating, ParticipationCap: nz(cl.ParticipationCap), Seniority: cl.Seniority,
			ConversionRatio: cl.ConversionRatio.String()}
		if cl.Kind == Preferred || !cl.LiquidationMultiple.IsZero() {
			yc.LiquidationMultiple = cl.LiquidationMultiple.String()
		}
		y.ShareClasses = append(y.ShareClasses, yc)
	}
	for _, is := range c.Issuances {
		y.Issuances = append(y.Issuances, yamlIssuance{ID: is.ID, Stakeholder: is.Stakeholder, Class: is.Class,
			Shares: is.Shares.String(), PricePerShare: is.PricePerShare.String(), Date: is.Date.String()})
	}
	if p := c.OptionPlan; p != nil {
		yp := &yamlPlan{Name: p.Name, Class: p.Class, PoolSize: p.PoolSize.String()}
		for _, g := range p.Grants {
			yp.Grants = append(yp.Grants, yamlGrant{ID: g.ID, Stakeholder: g.Stakeholder, Shares: g.Shares.String(),
				ExercisePrice: g.ExercisePrice.String(), VestingStart: g.VestingStart.String(), VestingMonths: g.VestingMonths,
				CliffMonths: g.CliffMonths, Exercised: nz(g.Exercised)})
		}
		y.OptionPlan = yp
	}
	for _, cv := range c.Convertibles {
		yc := yamlConvertible{ID: cv.ID, Stakeholder: cv.Stakeholder, Type: string(cv.Type), Amount: cv.Amount.String(),
			Discount: nz(cv.Discount), MFN: cv.MFN, ProRata: cv.ProRata, Date: cv.Date.String(),
			InterestRate: nz(cv.InterestRate), Maturity: cv.Maturity.String()}
		if cv.HasCap() {
			yc.Cap = cv.Cap.String()
		}
		if cv.Type == Note {
			yc.Compounding, yc.DayCount = string(cv.Compounding), string(cv.DayCount)
		}
		y.Convertibles = append(y.Convertibles, yc)
	}
	var b strings.Builder
	b.WriteString("# kaiwu company document (docs/formats/finance-captable.md)\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(y); err != nil {
		return nil, fmt.Errorf("writing the company document: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
