package captable

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/shopspring/decimal"
	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Limits on what Parse accepts, so that a hostile or mistaken document
// cannot exhaust memory or time.
const (
	MaxDocumentBytes = 16 << 20
	MaxStakeholders  = 100_000
	MaxIssuances     = 1_000_000
	MaxGrants        = 1_000_000
	MaxClasses       = 1_000
	MaxConvertibles  = 10_000
	MaxScenarios     = 100
	MaxRounds        = 50
	maxNumberLen     = 40
)

// The wire form of the document, field for field as docs/formats/
// finance-captable.md describes it.
type wireCompany struct {
	Name         string            `yaml:"name" json:"name"`
	Currency     string            `yaml:"currency" json:"currency"`
	Stakeholders []wireStakeholder `yaml:"stakeholders" json:"stakeholders"`
	ShareClasses []wireClass       `yaml:"share_classes" json:"share_classes"`
	Issuances    []wireIssuance    `yaml:"issuances" json:"issuances"`
	OptionPlan   *wirePlan         `yaml:"option_plan" json:"option_plan"`
	Convertibles []wireConvertible `yaml:"convertibles" json:"convertibles"`
	Scenarios    []wireScenario    `yaml:"scenarios" json:"scenarios"`
}

type wireStakeholder struct {
	ID      string `yaml:"id" json:"id"`
	Name    string `yaml:"name" json:"name"`
	Kind    string `yaml:"kind" json:"kind"`
	ProRata bool   `yaml:"pro_rata" json:"pro_rata"`
}

type wireClass struct {
	ID                  string        `yaml:"id" json:"id"`
	Name                string        `yaml:"name" json:"name"`
	Kind                string        `yaml:"kind" json:"kind"`
	OriginalIssuePrice  money.Literal `yaml:"original_issue_price" json:"original_issue_price"`
	LiquidationMultiple money.Literal `yaml:"liquidation_multiple" json:"liquidation_multiple"`
	Participating       bool          `yaml:"participating" json:"participating"`
	ParticipationCap    money.Literal `yaml:"participation_cap" json:"participation_cap"`
	Seniority           *int          `yaml:"seniority" json:"seniority"`
	ConversionRatio     money.Literal `yaml:"conversion_ratio" json:"conversion_ratio"`
}

type wireIssuance struct {
	ID            string        `yaml:"id" json:"id"`
	Stakeholder   string        `yaml:"stakeholder" json:"stakeholder"`
	Class         string        `yaml:"class" json:"class"`
	Shares        money.Literal `yaml:"shares" json:"shares"`
	PricePerShare money.Literal `yaml:"price_per_share" json:"price_per_share"`
	Date          string        `yaml:"date" json:"date"`
}

type wirePlan struct {
	Name     string        `yaml:"name" json:"name"`
	Class    string        `yaml:"class" json:"class"`
	PoolSize money.Literal `yaml:"pool_size" json:"pool_size"`
	Grants   []wireGrant   `yaml:"grants" json:"grants"`
}

type wireGrant struct {
	ID            string        `yaml:"id" json:"id"`
	Stakeholder   string        `yaml:"stakeholder" json:"stakeholder"`
	Shares        money.Literal `yaml:"shares" json:"shares"`
	ExercisePrice money.Literal `yaml:"exercise_price" json:"exercise_price"`
	VestingStart  string        `yaml:"vesting_start" json:"vesting_start"`
	VestingMonths int           `yaml:"vesting_months" json:"vesting_months"`
	CliffMonths   int           `yaml:"cliff_months" json:"cliff_months"`
	Exercised     money.Literal `yaml:"exercised" json:"exercised"`
}

type wireConvertible struct {
	ID           string        `yaml:"id" json:"id"`
	Stakeholder  string        `yaml:"stakeholder" json:"stakeholder"`
	Type         string        `yaml:"type" json:"type"`
	Amount       money.Literal `yaml:"amount" json:"amount"`
	Cap          money.Literal `yaml:"cap" json:"cap"`
	Discount     money.Literal `yaml:"discount" json:"discount"`
	MFN          bool          `yaml:"mfn" json:"mfn"`
	ProRata      bool          `yaml:"pro_rata" json:"pro_rata"`
	Date         string        `yaml:"date" json:"date"`
	InterestRate money.Literal `yaml:"interest_rate" json:"interest_rate"`
	Compounding  string        `yaml:"compounding" json:"compounding"`
	DayCount     string        `yaml:"day_count" json:"day_count"`
	Maturity     string        `yaml:"maturity" json:"maturity"`
}

type wireScenario struct {
	Name   string      `yaml:"name" json:"name"`
	Rounds []wireRound `yaml:"rounds" json:"rounds"`
}

type wireRound struct {
	Name          string           `yaml:"name" json:"name"`
	Date          string           `yaml:"date" json:"date"`
	PreMoney      money.Literal    `yaml:"pre_money" json:"pre_money"`
	Investments   []wireInvestment `yaml:"investments" json:"investments"`
	Class         *wireClass       `yaml:"class" json:"class"`
	PoolTarget    money.Literal    `yaml:"pool_target" json:"pool_target"`
	PoolIncrease  money.Literal    `yaml:"pool_increase" json:"pool_increase"`
	Method        string           `yaml:"method" json:"method"`
	PriceDecimals *int             `yaml:"price_decimals" json:"price_decimals"`
	PriceRounding string           `yaml:"price_rounding" json:"price_rounding"`
	ShareRounding string           `yaml:"share_rounding" json:"share_rounding"`
}

type wireInvestment struct {
	Stakeholder string        `yaml:"stakeholder" json:"stakeholder"`
	Name        string        `yaml:"name" json:"name"`
	Amount      money.Literal `yaml:"amount" json:"amount"`
}

// Parse decodes a company document (YAML, or JSON when isJSON) and
// validates it. Unknown fields are rejected; numbers are read as exact
// decimals; every error names what is wrong and where, e.g.
// `issuances[3]: unknown stakeholder "bob"`.
func Parse(data []byte, isJSON bool) (*Company, error) {
	if len(data) > MaxDocumentBytes {
		return nil, fmt.Errorf("document is larger than %d MiB", MaxDocumentBytes>>20)
	}
	var w wireCompany
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&w); err != nil {
			return nil, fmt.Errorf("decoding JSON: %w", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, errors.New("decoding JSON: unexpected data after the document")
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&w); err != nil {
			if err == io.EOF {
				return nil, errors.New("empty document")
			}
			return nil, fmt.Errorf("decoding YAML: %w", err)
		}
	}
	return w.build()
}

// builder accumulates the decoded company and reports the first error.
type builder struct {
	c   *Company
	cur money.Currency
}

func (w *wireCompany) build() (*Company, error) {
	switch {
	case len(w.Stakeholders) > MaxStakeholders:
		return nil, fmt.Errorf("stakeholders: %d entries, more than the limit of %d", len(w.Stakeholders), MaxStakeholders)
	case len(w.Issuances) > MaxIssuances:
		return nil, fmt.Errorf("issuances: %d entries, more than the limit of %d", len(w.Issuances), MaxIssuances)
	case len(w.ShareClasses) > MaxClasses:
		return nil, fmt.Errorf("share_classes: %d entries, more than the limit of %d", len(w.ShareClasses), MaxClasses)
	case len(w.Convertibles) > MaxConvertibles:
		return nil, fmt.Errorf("convertibles: %d entries, more than the limit of %d", len(w.Convertibles), MaxConvertibles)
	case len(w.Scenarios) > MaxScenarios:
		return nil, fmt.Errorf("scenarios: %d entries, more than the limit of %d", len(w.Scenarios), MaxScenarios)
	case w.OptionPlan != nil && len(w.OptionPlan.Grants) > MaxGrants:
		return nil, fmt.Errorf("option_plan.grants: %d entries, more than the limit of %d", len(w.OptionPlan.Grants), MaxGrants)
	}
	c := &Company{Name: strings.TrimSpace(w.Name)}
	if c.Name == "" {
		return nil, errors.New("name: the company needs a name")
	}
	if strings.TrimSpace(w.Currency) == "" {
		return nil, errors.New("currency: required (an ISO 4217 code such as USD or CNY)")
	}
	cur, err := money.ParseCurrency(w.Currency)
	if err != nil {
		return nil, fmt.Errorf("currency: %w", err)
	}
	c.Currency = cur
	b := &builder{c: c, cur: cur}
	for i, s := range w.Stakeholders {
		st, err := b.stakeholder(s)
		if err != nil {
			return nil, fmt.Errorf("stakeholders[%d]: %w", i, err)
		}
		c.Stakeholders = append(c.Stakeholders, st)
	}
	if err := uniqueIDs("stakeholders", len(c.Stakeholders), func(i int) string { return c.Stakeholders[i].ID }); err != nil {
		return nil, err
	}
	for i, s := range w.ShareClasses {
		cl, err := b.class(s)
		if err != nil {
			return nil, fmt.Errorf("share_classes[%d]%s: %w", i, label(s.Name, s.ID), err)
		}
		c.ShareClasses = append(c.ShareClasses, cl)
	}
	if err := uniqueIDs("share_classes", len(c.ShareClasses), func(i int) string { return c.ShareClasses[i].ID }); err != nil {
		return nil, err
	}
	for i, s := range w.Issuances {
		is, err := b.issuance(s)
		if err != nil {
			return nil, fmt.Errorf("issuances[%d]: %w", i, err)
		}
		c.Issuances = append(c.Issuances, is)
	}
	if err := uniqueIDs("issuances", len(c.Issuances), func(i int) string { return c.Issuances[i].ID }); err != nil {
		return nil, err
	}
	if w.OptionPlan != nil {
		p, err := b.plan(w.OptionPlan)
		if err != nil {
			return nil, fmt.Errorf("option_plan: %w", err)
		}
		c.OptionPlan = p
	}
	for i, s := range w.Convertibles {
		cv, err := b.convertible(s)
		if err != nil {
			return nil, fmt.Errorf("convertibles[%d]%s: %w", i, label("", s.ID), err)
		}
		c.Convertibles = append(c.Convertibles, cv)
	}
	if err := uniqueIDs("convertibles", len(c.Convertibles), func(i int) string { return c.Convertibles[i].ID }); err != nil {
		return nil, err
	}
	for i, s := range w.Scenarios {
		sc, err := b.scenario(s)
		if err != nil {
			return nil, fmt.Errorf("scenarios[%d]%s: %w", i, label(s.Name, ""), err)
		}
		c.Scenarios = append(c.Scenarios, sc)
	}
	if err := uniqueIDs("scenarios", len(c.Scenarios), func(i int) string { return c.Scenarios[i].Name }); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func label(name, id string) string {
	switch {
	case name != "":
		return " (" + name + ")"
	case id != "":
		return " (" + id + ")"
	}
	return ""
}

func uniqueIDs(list string, n int, id func(int) string) error {
	seen := make(map[string]int, n)
	for i := 0; i < n; i++ {
		k := id(i)
		if k == "" {
			continue
		}
		if j, ok := seen[k]; ok {
			return fmt.Errorf("%s[%d]: duplicate id %q (already used by %s[%d])", list, i, k, list, j)
		}
		seen[k] = i
	}
	return nil
}

// parseNum reads an exact decimal; def is used when the field is absent.
func parseNum(field string, n money.Literal, def decimal.Decimal) (decimal.Decimal, error) {
	if !n.Set {
		return def, nil
	}
	if len(n.Text) > maxNumberLen {
		return decimal.Decimal{}, fmt.Errorf("%s: %q is too long for a number", field, n.Text)
	}
	d, err := money.ParseAmount(n.Text)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

// amount reads a money amount in the company currency: a plain number, or
// a number with a currency ("1,000,000 USD", "$1,000,000") that must be
// the company's.
func (b *builder) amount(field string, n money.Literal) (decimal.Decimal, error) {
	if !n.Set {
		return decimal.Zero, nil
	}
	return ParseMoney(field, n.Text, b.cur)
}

// ParseMoney reads an amount in currency cur: a plain decimal number
// ("2500000", "2,500,000"), one with a currency that must be cur ("2.5M
// USD" is not accepted, "$2,500,000" and "2500000 USD" are), or one with a
// scale suffix: k (thousand), M (million), B (billion), 万 (10⁴), 亿 (10⁸).
func ParseMoney(field, s string, cur money.Currency) (decimal.Decimal, error) {
	t := strings.TrimSpace(s)
	if len(t) > maxNumberLen {
		return decimal.Decimal{}, fmt.Errorf("%s: %q is too long for an amount", field, s)
	}
	m, err := money.ParseIn(t, cur)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%s: %q is not an amount (want e.g. 2500000, 2.5M or \"2,500,000 %s\")", field, s, cur)
	}
	if m.Currency != cur {
		return decimal.Decimal{}, fmt.Errorf("%s: %q is in %s but the company reports in %s", field, s, m.Currency, cur)
	}
	return m.Amount, nil
}

// ParseFraction reads a rate or a share of the whole: "20%" or "0.2".
func ParseFraction(field, s string) (decimal.Decimal, error) {
	if len(strings.TrimSpace(s)) > maxNumberLen {
		return decimal.Decimal{}, fmt.Errorf("%s: %q is too long for a number", field, s)
	}
	d, err := money.ParseFraction(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

func fraction(field string, n money.Literal) (decimal.Decimal, error) {
	if !n.Set {
		return decimal.Zero, nil
	}
	return ParseFraction(field, n.Text)
}

func date(field, s string, required bool) (Date, error) {
	if s == "" {
		if required {
			return Date{}, fmt.Errorf("%s: required (YYYY-MM-DD)", field)
		}
		return Date{}, nil
	}
	d, err := ParseDate(s)
	if err != nil {
		return Date{}, fmt.Errorf("%s: %w", field, err)
	}
	return d, nil
}

func (b *builder) stakeholder(s wireStakeholder) (Stakeholder, error) {
	st := Stakeholder{ID: strings.TrimSpace(s.ID), Name: strings.TrimSpace(s.Name), Kind: StakeholderKind(s.Kind), ProRata: s.ProRata}
	if st.ID == "" {
		return st, errors.New("id: required")
	}
	if st.Name == "" {
		st.Name = st.ID
	}
	switch st.Kind {
	case "":
		st.Kind = Other
	case Founder, Employee, Investor, Advisor, Other:
	default:
		return st, fmt.Errorf("kind: %q is not one of founder, employee, investor, advisor, other", s.Kind)
	}
	return st, nil
}

func (b *builder) class(s wireClass) (ShareClass, error) {
	cl := ShareClass{ID: strings.TrimSpace(s.ID), Name: strings.TrimSpace(s.Name), Kind: ClassKind(s.Kind), Participating: s.Participating}
	if cl.ID == "" {
		return cl, errors.New("id: required")
	}
	if cl.Name == "" {
		cl.Name = cl.ID
	}
	if cl.Kind == "" {
		cl.Kind = Common
	}
	var err error
	if cl.OriginalIssuePrice, err = b.amount("original_issue_price", s.OriginalIssuePrice); err != nil {
		return cl, err
	}
	defMult := decimal.Zero
	if cl.Kind == Preferred {
		defMult = decimal.NewFromInt(1)
	}
	if cl.LiquidationMultiple, err = parseNum("liquidation_multiple", s.LiquidationMultiple, defMult); err != nil {
		return cl, err
	}
	if cl.ParticipationCap, err = parseNum("participation_cap", s.ParticipationCap, decimal.Zero); err != nil {
		return cl, err
	}
	if cl.ConversionRatio, err = parseNum("conversion_ratio", s.ConversionRatio, decimal.NewFromInt(1)); err != nil {
		return cl, err
	}
	if s.Seniority != nil {
		cl.Seniority = *s.Seniority
	} else if cl.Kind == Preferred {
		cl.Seniority = 1
	}
	return cl, nil
}

func (b *builder) issuance(s wireIssuance) (Issuance, error) {
	is := Issuance{ID: s.ID, Stakeholder: s.Stakeholder, Class: s.Class}
	var err error
	if is.Shares, err = parseNum("shares", s.Shares, decimal.Zero); err != nil {
		return is, err
	}
	if !s.Shares.Set {
		return is, errors.New("shares: required")
	}
	if is.PricePerShare, err = b.amount("price_per_share", s.PricePerShare); err != nil {
		return is, err
	}
	if is.Date, err = date("date", s.Date, false); err != nil {
		return is, err
	}
	return is, nil
}

func (b *builder) plan(s *wirePlan) (*OptionPlan, error) {
	p := &OptionPlan{Name: s.Name, Class: s.Class}
	if p.Name == "" {
		p.Name = "ESOP"
	}
	var err error
	if p.PoolSize, err = parseNum("pool_size", s.PoolSize, decimal.Zero); err != nil {
		return nil, err
	}
	for i, g := range s.Grants {
		gr := Grant{ID: g.ID, Stakeholder: g.Stakeholder, VestingMonths: g.VestingMonths, CliffMonths: g.CliffMonths}
		wrap := func(err error) error { return fmt.Errorf("grants[%d]%s: %w", i, label("", g.ID), err) }
		if gr.Shares, err = parseNum("shares", g.Shares, decimal.Zero); err != nil {
			return nil, wrap(err)
		}
		if gr.ExercisePrice, err = b.amount("exercise_price", g.ExercisePrice); err != nil {
			return nil, wrap(err)
		}
		if gr.Exercised, err = parseNum("exercised", g.Exercised, decimal.Zero); err != nil {
			return nil, wrap(err)
		}
		if gr.VestingStart, err = date("vesting_start", g.VestingStart, false); err != nil {
			return nil, wrap(err)
		}
		p.Grants = append(p.Grants, gr)
	}
	return p, nil
}

func (b *builder) convertible(s wireConvertible) (Convertible, error) {
	cv := Convertible{ID: s.ID, Stakeholder: s.Stakeholder, Type: ConvertibleType(s.Type), MFN: s.MFN, ProRata: s.ProRata,
		Compounding: Compounding(s.Compounding), DayCount: DayCount(strings.ToUpper(s.DayCount))}
	var err error
	if cv.Amount, err = b.amount("amount", s.Amount); err != nil {
		return cv, err
	}
	if cv.Cap, err = b.amount("cap", s.Cap); err != nil {
		return cv, err
	}
	if cv.Discount, err = fraction("discount", s.Discount); err != nil {
		return cv, err
	}
	if cv.InterestRate, err = fraction("interest_rate", s.InterestRate); err != nil {
		return cv, err
	}
	if cv.Date, err = date("date", s.Date, cv.Type == Note); err != nil {
		return cv, err
	}
	if cv.Maturity, err = date("maturity", s.Maturity, false); err != nil {
		return cv, err
	}
	if s.Cap.Set && cv.Cap.IsZero() {
		return cv, errors.New("cap: must be > 0 (leave it out for an uncapped instrument)")
	}
	if cv.Type == Note {
		if cv.Compounding == "" {
			cv.Compounding = Simple
		}
		switch cv.DayCount {
		case "":
			cv.DayCount = Actual365
		case "ACT/365", "ACTUAL/365", "ACT/365F", "ACTUAL/365F":
			cv.DayCount = Actual365
		case "30/360", "30U/360", "30/360 US":
			cv.DayCount = Thirty360
		default:
			return cv, fmt.Errorf("day_count: %q is not ACTUAL/365 or 30/360", s.DayCount)
		}
	}
	return cv, nil
}

func (b *builder) scenario(s wireScenario) (Scenario, error) {
	sc := Scenario{Name: strings.TrimSpace(s.Name)}
	if sc.Name == "" {
		return sc, errors.New("name: required")
	}
	if len(s.Rounds) == 0 {
		return sc, errors.New("rounds: a scenario needs at least one round")
	}
	if len(s.Rounds) > MaxRounds {
		return sc, fmt.Errorf("rounds: %d rounds, more than the limit of %d", len(s.Rounds), MaxRounds)
	}
	for i, r := range s.Rounds {
		rs, err := b.round(r)
		if err != nil {
			return sc, fmt.Errorf("rounds[%d]%s: %w", i, label(r.Name, ""), err)
		}
		sc.Rounds = append(sc.Rounds, rs)
	}
	return sc, nil
}

func (b *builder) round(r wireRound) (RoundSpec, error) {
	rs := RoundSpec{Name: strings.TrimSpace(r.Name), Method: r.Method, PriceDecimals: r.PriceDecimals,
		PriceRounding: r.PriceRounding, ShareRounding: r.ShareRounding}
	if rs.Name == "" {
		return rs, errors.New("name: required")
	}
	var err error
	if rs.Date, err = date("date", r.Date, false); err != nil {
		return rs, err
	}
	if rs.PreMoney, err = b.amount("pre_money", r.PreMoney); err != nil {
		return rs, err
	}
	if rs.PoolTarget, err = fraction("pool_target", r.PoolTarget); err != nil {
		return rs, err
	}
	if rs.PoolIncrease, err = parseNum("pool_increase", r.PoolIncrease, decimal.Zero); err != nil {
		return rs, err
	}
	if r.Class != nil {
		wc := *r.Class
		if wc.ID == "" {
			wc.ID = Slug(rs.Name)
		}
		if wc.Kind == "" {
			wc.Kind = string(Preferred)
		}
		if rs.Class, err = b.class(wc); err != nil {
			return rs, fmt.Errorf("class: %w", err)
		}
		if wc.Seniority == nil {
			rs.Class.Seniority = 0 // the round ranks it senior to all existing classes
		}
	}
	for i, in := range r.Investments {
		iv := InvestmentSpec{Stakeholder: strings.TrimSpace(in.Stakeholder), Name: in.Name}
		if iv.Amount, err = b.amount("amount", in.Amount); err != nil {
			return rs, fmt.Errorf("investments[%d]: %w", i, err)
		}
		rs.Investments = append(rs.Investments, iv)
	}
	return rs, nil
}
