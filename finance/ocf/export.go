package ocf

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// ExportOptions tune Export. The zero value is fine.
type ExportOptions struct {
	// AsOf is the manifest's as_of date and the date of transactions
	// kaiwu does not date (option exercises, undated issuances). Zero
	// means the latest date in the document (1970-01-01 when it has none),
	// so the same document always exports to the same bytes.
	AsOf captable.Date
	// Country is the issuer's country_of_formation (ISO 3166-1 alpha-2),
	// which kaiwu does not record; empty means CN for a CNY company and
	// US otherwise.
	Country string
}

// File is one file of a package.
type File struct {
	Name string
	Data []byte
}

// Package is an OCF package in memory, its files in name order with the
// manifest among them.
type Package struct {
	Files []File
}

// The file names Export writes.
const (
	nameStakeholders = "Stakeholders.ocf.json"
	nameStockClasses = "StockClasses.ocf.json"
	nameStockPlans   = "StockPlans.ocf.json"
	nameVestingTerms = "VestingTerms.ocf.json"
	nameTransactions = "Transactions.ocf.json"
)

// Encode builds the OCF package for c. Ids are kaiwu's ids (stakeholders,
// classes) or derived from them ("<security>.issuance"), so the output is
// deterministic: the same document gives the same bytes. Warnings list
// what OCF cannot carry (scenarios, undated issuances).
func Encode(c *captable.Company, opt ExportOptions) (*Package, []Warning, error) {
	if c == nil {
		return nil, nil, fmt.Errorf("ocf: no company")
	}
	if err := c.Validate(); err != nil {
		return nil, nil, fmt.Errorf("ocf: the company document is invalid: %w", err)
	}
	e := &encoder{c: c, cur: string(c.Currency), ids: map[string]string{}}
	e.asOf = opt.AsOf
	if e.asOf.IsZero() {
		e.asOf = latestDate(c)
	}
	if e.asOf.IsZero() {
		e.asOf = captable.NewDate(1970, time.January, 1)
	}
	country := opt.Country
	if country == "" {
		country = "US"
		if c.Currency == money.CNY {
			country = "CN"
		}
	}
	if len(c.Scenarios) > 0 {
		e.warn(Warning{Field: "scenarios", Msg: fmt.Sprintf("%d financing scenarios not exported: OCF records the cap table, not plans", len(c.Scenarios))})
	}
	var err error
	files := map[string][]byte{}
	add := func(name, fileType string, items []any) {
		if err != nil {
			return
		}
		var b []byte
		b, err = marshal(fileOut{FileType: fileType, Items: items})
		files[name] = b
	}
	var items []any
	if items, err = e.stakeholders(); err != nil {
		return nil, nil, err
	}
	add(nameStakeholders, fileStakeholders, items)
	if items, err = e.classes(); err != nil {
		return nil, nil, err
	}
	add(nameStockClasses, fileStockClasses, items)
	if c.OptionPlan != nil {
		if items, err = e.plan(); err != nil {
			return nil, nil, err
		}
		add(nameStockPlans, fileStockPlans, items)
		if terms := e.vestingTerms(); len(terms) > 0 {
			add(nameVestingTerms, fileVestingTerms, terms)
		}
	}
	if items, err = e.transactions(); err != nil {
		return nil, nil, err
	}
	add(nameTransactions, fileTransactions, items)
	if err != nil {
		return nil, nil, err
	}

	m := manifest{
		OCFVersion: Version,
		FileType:   fileManifest,
		Issuer: &issuer{ObjectType: "ISSUER", ID: "issuer", LegalName: c.Name,
			FormationDate: earliestDate(c, e.asOf).String(), CountryOfFormation: country},
		AsOf:                      e.asOf.String(),
		GeneratedAt:               e.asOf.String() + "T00:00:00Z",
		StockPlansFiles:           ref(files, nameStockPlans),
		StockLegendTemplatesFiles: []fileRef{},
		StockClassesFiles:         ref(files, nameStockClasses),
		VestingTermsFiles:         ref(files, nameVestingTerms),
		ValuationsFiles:           []fileRef{},
		TransactionsFiles:         ref(files, nameTransactions),
		StakeholdersFiles:         ref(files, nameStakeholders),
	}
	mb, err := marshal(m)
	if err != nil {
		return nil, nil, err
	}
	files[ManifestName] = mb
	p := &Package{}
	for n, b := range files {
		p.Files = append(p.Files, File{Name: n, Data: b})
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Name < p.Files[j].Name })
	return p, e.warnings, nil
}

func ref(files map[string][]byte, name string) []fileRef {
	b, ok := files[name]
	if !ok {
		return []fileRef{}
	}
	h := md5.Sum(b)
	return []fileRef{{Filepath: "./" + name, MD5: hex.EncodeToString(h[:])}}
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("ocf: encoding JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// eachDate calls see with every date the company document holds.
func eachDate(c *captable.Company, see func(captable.Date)) {
	for _, is := range c.Issuances {
		see(is.Date)
	}
	if c.OptionPlan != nil {
		for _, g := range c.OptionPlan.Grants {
			see(g.VestingStart)
		}
	}
	for _, cv := range c.Convertibles {
		see(cv.Date)
	}
}

func latestDate(c *captable.Company) captable.Date {
	var d captable.Date
	eachDate(c, func(x captable.Date) {
		if x.After(d) {
			d = x
		}
	})
	return d
}

func earliestDate(c *captable.Company, def captable.Date) captable.Date {
	d := def
	eachDate(c, func(x captable.Date) {
		if !x.IsZero() && x.Before(d) {
			d = x
		}
	})
	return d
}

type encoder struct {
	c        *captable.Company
	cur      string
	asOf     captable.Date
	ids      map[string]string
	warnings []Warning
	planID   string
}

func (e *encoder) warn(w Warning) { e.warnings = append(e.warnings, w) }

// claim reserves an object id, so that no two objects share one.
func (e *encoder) claim(id, what string) error {
	if prev, dup := e.ids[id]; dup {
		return fmt.Errorf("ocf: %s and %s would both have OCF id %q; rename one of them", prev, what, id)
	}
	e.ids[id] = what
	return nil
}

// num writes an OCF Numeric, which holds at most ten decimals.
func num(d decimal.Decimal, where string) (string, error) {
	if !d.Equal(d.Round(10)) {
		return "", fmt.Errorf("ocf: %s: %s has more than 10 decimals, which an OCF Numeric cannot hold", where, d)
	}
	return d.String(), nil
}

func (e *encoder) money(d decimal.Decimal, where string) (monetary, error) {
	s, err := num(d, where)
	return monetary{Amount: s, Currency: e.cur}, err
}

var kindToRelationship = map[captable.StakeholderKind]string{
	captable.Founder: "FOUNDER", captable.Employee: "EMPLOYEE", captable.Investor: "INVESTOR",
	captable.Advisor: "ADVISOR", captable.Other: "OTHER",
}

func (e *encoder) stakeholders() ([]any, error) {
	items := []any{}
	for _, s := range e.c.Stakeholders {
		if err := e.claim(s.ID, "stakeholder "+strconv.Quote(s.ID)); err != nil {
			return nil, err
		}
		typ := "INDIVIDUAL"
		if s.Kind == captable.Investor {
			typ = "INSTITUTION"
		}
		rel := kindToRelationship[s.Kind]
		if rel == "" {
			rel = "OTHER"
		}
		o := stakeholder{ObjectType: "STAKEHOLDER", ID: s.ID, Name: &name{LegalName: s.Name}, StakeholderType: typ, CurrentRelationship: rel}
		if s.ProRata {
			o.Comments = []string{markerProRata}
		}
		items = append(items, o)
	}
	return items, nil
}

func (e *encoder) classes() ([]any, error) {
	items := []any{}
	firstCommon := ""
	for _, cl := range e.c.ShareClasses {
		if cl.Kind == captable.Common && firstCommon == "" {
			firstCommon = cl.ID
		}
	}
	for _, cl := range e.c.ShareClasses {
		where := fmt.Sprintf("share class %q", cl.ID)
		if err := e.claim(cl.ID, where); err != nil {
			return nil, err
		}
		authorized := decimal.Zero
		for _, is := range e.c.Issuances {
			if is.Class == cl.ID {
				authorized = authorized.Add(is.Shares)
			}
		}
		if p := e.c.OptionPlan; p != nil && p.Class == cl.ID {
			authorized = authorized.Add(p.PoolSize)
		}
		auth, err := num(authorized, where+" authorized shares")
		if err != nil {
			return nil, err
		}
		o := stockClass{ObjectType: "STOCK_CLASS", ID: cl.ID, Name: cl.Name, ClassType: "COMMON", DefaultIDPrefix: "CS-",
			InitialSharesAuthorized: auth, VotesPerShare: "1", Seniority: strconv.Itoa(cl.Seniority)}
		if cl.Kind == captable.Preferred {
			o.ClassType, o.DefaultIDPrefix = "PREFERRED", "PS-"
			if o.LiquidationPreferenceMultiple, err = num(cl.LiquidationMultiple, where+" liquidation_multiple"); err != nil {
				return nil, err
			}
			if cl.Participating {
				pc, err := num(cl.ParticipationCap, where+" participation_cap")
				if err != nil {
					return nil, err
				}
				o.ParticipationCapMultiple = &pc
			}
		}
		if cl.Kind == captable.Preferred || !cl.OriginalIssuePrice.IsZero() {
			m, err := e.money(cl.OriginalIssuePrice, where+" original_issue_price")
			if err != nil {
				return nil, err
			}
			o.PricePerShare = &m
		}
		if cl.Kind == captable.Preferred || !cl.ConversionRatio.Equal(decimal.NewFromInt(1)) {
			r, err := num(cl.ConversionRatio, where+" conversion_ratio")
			if err != nil {
				return nil, err
			}
			price, err := e.money(cl.OriginalIssuePrice.DivRound(cl.ConversionRatio, 10), where+" conversion price")
			if err != nil {
				return nil, err
			}
			right := convRight{Type: "STOCK_CLASS_CONVERSION_RIGHT", ConversionMechanism: &mechanism{Type: "RATIO_CONVERSION",
				ConversionPrice: &price, Ratio: &ratio{Numerator: r, Denominator: "1"}, RoundingType: "NORMAL"}}
			if firstCommon != "" && firstCommon != cl.ID {
				right.ConvertsToStockClassID = firstCommon
			} else {
				t := true
				right.ConvertsToFutureRound = &t
			}
			o.ConversionRights = []convRight{right}
		}
		items = append(items, o)
	}
	return items, nil
}

func (e *encoder) plan() ([]any, error) {
	p := e.c.OptionPlan
	e.planID = "plan"
	if s := captable.Slug(p.Name); s != "" {
		e.planID = "plan-" + s
	}
	if err := e.claim(e.planID, "option plan "+strconv.Quote(p.Name)); err != nil {
		return nil, err
	}
	pool, err := num(p.PoolSize, "option_plan pool_size")
	if err != nil {
		return nil, err
	}
	return []any{stockPlan{ObjectType: "STOCK_PLAN", ID: e.planID, PlanName: p.Name, InitialSharesReserved: pool,
		DefaultCancellationBehavior: "RETURN_TO_POOL", StockClassIDs: []string{p.Class}}}, nil
}

func vestingID(months, cliff int) string { return fmt.Sprintf("vesting-%dm-cliff-%dm", months, cliff) }

// vestingTerms writes one VESTING_TERMS per distinct (months, cliff) of
// the grants: VESTING_START_DATE, a cliff installment of cliff/months,
// then monthly installments of 1/months.
func (e *encoder) vestingTerms() []any {
	type key struct{ m, c int }
	seen := map[key]bool{}
	var keys []key
	for _, g := range e.c.OptionPlan.Grants {
		k := key{g.VestingMonths, g.CliffMonths}
		if k.m > 0 && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].m != keys[j].m {
			return keys[i].m < keys[j].m
		}
		return keys[i].c < keys[j].c
	})
	items := []any{}
	for _, k := range keys {
		id := vestingID(k.m, k.c)
		_ = e.claim(id, "vesting terms "+id)
		zero := "0"
		conds := []vestingCondition{{ID: "start", Quantity: &zero, Trigger: vestingTrigger{Type: "VESTING_START_DATE"}, NextConditionIDs: []string{}}}
		prev := "start"
		if k.c > 0 {
			conds[0].NextConditionIDs = []string{"cliff"}
			conds = append(conds, vestingCondition{ID: "cliff", Description: fmt.Sprintf("%d/%d at the %d-month cliff", k.c, k.m, k.c),
				Portion: &portion{Numerator: strconv.Itoa(k.c), Denominator: strconv.Itoa(k.m)},
				Trigger: vestingTrigger{Type: "VESTING_SCHEDULE_RELATIVE", RelativeToConditionID: "start",
					Period: &vestingPeriod{Length: k.c, Type: "MONTHS", Occurrences: 1, DayOfMonth: startDay}},
				NextConditionIDs: []string{}})
			prev = "cliff"
		}
		if k.m > k.c {
			conds[len(conds)-1].NextConditionIDs = []string{"monthly"}
			conds = append(conds, vestingCondition{ID: "monthly", Description: fmt.Sprintf("1/%d each month", k.m),
				Portion: &portion{Numerator: "1", Denominator: strconv.Itoa(k.m)},
				Trigger: vestingTrigger{Type: "VESTING_SCHEDULE_RELATIVE", RelativeToConditionID: prev,
					Period: &vestingPeriod{Length: 1, Type: "MONTHS", Occurrences: k.m - k.c, DayOfMonth: startDay}},
				NextConditionIDs: []string{}})
		}
		items = append(items, vestingTerms{ObjectType: "VESTING_TERMS", ID: id,
			Name:           fmt.Sprintf("%d months monthly, %d-month cliff", k.m, k.c),
			Description:    fmt.Sprintf("Vests monthly over %d months from the vesting start; nothing before a %d-month cliff, at which the months elapsed vest at once.", k.m, k.c),
			AllocationType: "CUMULATIVE_ROUND_DOWN", VestingConditions: conds})
	}
	return items
}

func (e *encoder) dateOr(d captable.Date) string {
	if d.IsZero() {
		return e.asOf.String()
	}
	return d.String()
}

func (e *encoder) transactions() ([]any, error) {
	c := e.c
	items := []any{}
	secIDs := map[string]bool{}
	security := func(id, def string) (string, error) {
		if id == "" {
			id = def
		}
		if secIDs[id] {
			return "", fmt.Errorf("ocf: two securities would share the security_id %q; give them distinct ids", id)
		}
		secIDs[id] = true
		return id, nil
	}
	for i, is := range c.Issuances {
		where := fmt.Sprintf("issuances[%d]", i)
		sec, err := security(is.ID, fmt.Sprintf("issuance-%d", i+1))
		if err != nil {
			return nil, err
		}
		if err := e.claim(sec+".issuance", where); err != nil {
			return nil, err
		}
		if is.Date.IsZero() {
			e.warn(Warning{Field: where + ".date", Msg: fmt.Sprintf("no date: issued on the as_of date %s in OCF", e.asOf)})
		}
		qty, err := num(is.Shares, where+" shares")
		if err != nil {
			return nil, err
		}
		price, err := e.money(is.PricePerShare, where+" price_per_share")
		if err != nil {
			return nil, err
		}
		items = append(items, stockIssuanceOut{ObjectType: "TX_STOCK_ISSUANCE", ID: sec + ".issuance", Date: e.dateOr(is.Date),
			SecurityID: sec, CustomID: sec, StakeholderID: is.Stakeholder, SecurityLawExemptions: []string{},
			StockClassID: is.Class, SharePrice: price, Quantity: qty, StockLegendIDs: []string{}})
	}
	if p := c.OptionPlan; p != nil {
		var later []any
		for i, g := range p.Grants {
			where := fmt.Sprintf("option_plan.grants[%d]", i)
			sec, err := security(g.ID, fmt.Sprintf("grant-%d", i+1))
			if err != nil {
				return nil, err
			}
			if err := e.claim(sec+".issuance", where); err != nil {
				return nil, err
			}
			qty, err := num(g.Shares, where+" shares")
			if err != nil {
				return nil, err
			}
			price, err := e.money(g.ExercisePrice, where+" exercise_price")
			if err != nil {
				return nil, err
			}
			grantDate := e.dateOr(g.VestingStart)
			o := equityCompOut{ObjectType: "TX_EQUITY_COMPENSATION_ISSUANCE", ID: sec + ".issuance", Date: grantDate,
				SecurityID: sec, CustomID: sec, StakeholderID: g.Stakeholder, SecurityLawExemptions: []string{},
				StockPlanID: e.planID, StockClassID: p.Class, CompensationType: "OPTION", Quantity: qty, ExercisePrice: price,
				TerminationExerciseWindows: []string{}}
			if g.VestingMonths > 0 {
				o.VestingTermsID = vestingID(g.VestingMonths, g.CliffMonths)
				later = append(later, vestingStartOut{ObjectType: "TX_VESTING_START", ID: sec + ".vesting-start",
					Date: g.VestingStart.String(), SecurityID: sec, VestingConditionID: "start"})
				if err := e.claim(sec+".vesting-start", where); err != nil {
					return nil, err
				}
			} else if !g.VestingStart.IsZero() {
				e.warn(Warning{Field: where + ".vesting_start", Msg: "a grant without vesting months is fully vested at issuance in OCF; its vesting start is written as the grant date only"})
			}
			items = append(items, o)
			if g.Exercised.IsPositive() {
				ex, err := num(g.Exercised, where+" exercised")
				if err != nil {
					return nil, err
				}
				date := e.asOf
				if g.VestingStart.After(date) {
					date = g.VestingStart
				}
				res := sec + ".exercised"
				if _, err := security(res, res); err != nil {
					return nil, err
				}
				for _, id := range []string{sec + ".exercise", res + ".issuance"} {
					if err := e.claim(id, where); err != nil {
						return nil, err
					}
				}
				later = append(later,
					exerciseOut{ObjectType: "TX_EQUITY_COMPENSATION_EXERCISE", ID: sec + ".exercise", Date: date.String(),
						SecurityID: sec, Quantity: ex, ResultingSecurityIDs: []string{res}},
					stockIssuanceOut{ObjectType: "TX_STOCK_ISSUANCE", ID: res + ".issuance", Date: date.String(),
						SecurityID: res, CustomID: res, StakeholderID: g.Stakeholder, SecurityLawExemptions: []string{},
						StockClassID: p.Class, StockPlanID: e.planID, SharePrice: price, Quantity: ex, StockLegendIDs: []string{}})
			}
		}
		items = append(items, later...)
	}
	for i, cv := range c.Convertibles {
		where := fmt.Sprintf("convertibles[%d] (%s)", i, cv.ID)
		sec, err := security(cv.ID, cv.ID)
		if err != nil {
			return nil, err
		}
		if err := e.claim(sec+".issuance", where); err != nil {
			return nil, err
		}
		o, err := e.convertible(cv, sec, where)
		if err != nil {
			return nil, err
		}
		items = append(items, o)
	}
	return items, nil
}

func (e *encoder) convertible(cv captable.Convertible, sec, where string) (convertibleOut, error) {
	amt, err := e.money(cv.Amount, where+" amount")
	if err != nil {
		return convertibleOut{}, err
	}
	mfn := cv.MFN
	m := &mechanism{ConversionMFN: &mfn}
	if cv.Discount.IsPositive() {
		if m.ConversionDiscount, err = num(cv.Discount, where+" discount"); err != nil {
			return convertibleOut{}, err
		}
	}
	if cv.HasCap() {
		capm, err := e.money(cv.Cap, where+" cap")
		if err != nil {
			return convertibleOut{}, err
		}
		m.ConversionValuationCap = &capm
	}
	typ := "SAFE"
	switch cv.Type {
	case captable.SAFEPost:
		m.Type, m.ConversionTiming = "SAFE_CONVERSION", "POST_MONEY"
	case captable.SAFEPre:
		m.Type, m.ConversionTiming = "SAFE_CONVERSION", "PRE_MONEY"
	case captable.Note:
		typ = "NOTE"
		rate, err := num(cv.InterestRate, where+" interest_rate")
		if err != nil {
			return convertibleOut{}, err
		}
		m.Type = "CONVERTIBLE_NOTE_CONVERSION"
		m.InterestRates = []interestRate{{Rate: rate, AccrualStartDate: cv.Date.String()}}
		m.DayCountConvention = "ACTUAL_365"
		if cv.DayCount == captable.Thirty360 {
			m.DayCountConvention = "30_360"
		}
		m.InterestPayout = "DEFERRED"
		m.CompoundingType, m.InterestAccrualPeriod = "SIMPLE", "DAILY"
		if cv.Compounding == captable.Annual {
			m.CompoundingType, m.InterestAccrualPeriod = "COMPOUNDING", "ANNUAL"
		}
	}
	right := func() *convRight {
		t := true
		return &convRight{Type: "CONVERTIBLE_CONVERSION_RIGHT", ConversionMechanism: m, ConvertsToFutureRound: &t}
	}
	o := convertibleOut{ObjectType: "TX_CONVERTIBLE_ISSUANCE", ID: sec + ".issuance", Date: e.dateOr(cv.Date),
		SecurityID: sec, CustomID: sec, StakeholderID: cv.Stakeholder, SecurityLawExemptions: []string{},
		ConvertibleType: typ, InvestmentAmount: amt, Seniority: 1,
		ConversionTriggers: []trigger{{Type: "AUTOMATIC_ON_CONDITION", TriggerID: sec + ".financing", Nickname: "Next equity financing",
			TriggerCondition: "Converts at the company's next equity financing on the terms of the instrument", ConversionRight: right()}}}
	if cv.Type == captable.Note && !cv.Maturity.IsZero() {
		o.ConversionTriggers = append(o.ConversionTriggers, trigger{Type: "AUTOMATIC_ON_DATE", TriggerID: sec + ".maturity",
			Nickname: "Maturity", TriggerDate: cv.Maturity.String(), ConversionRight: right()})
	}
	if cv.ProRata {
		o.Comments = []string{markerProRata}
	}
	if cv.Date.IsZero() {
		e.warn(Warning{Field: where + ".date", Msg: fmt.Sprintf("no date: issued on the as_of date %s in OCF", e.asOf)})
	}
	return o, nil
}

// WriteZip writes the package as a zip archive (deflated, entries in name
// order, a fixed modification time), so equal packages give equal bytes.
func (p *Package) WriteZip(w io.Writer) error {
	zw := zip.NewWriter(w)
	mod := time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range p.Files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: mod})
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.Data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// Export writes c as an OCF package at path: a zip archive when path ends
// in ".zip" (e.g. "acme.ocf.zip"), otherwise a folder. The write is
// atomic: the package is built under a temporary name beside path and
// renamed into place, so a reader never sees half a package. An existing
// folder is replaced only when it holds a manifest (an earlier export).
func Export(c *captable.Company, path string, opt ExportOptions) ([]Warning, error) {
	p, warns, err := Encode(c, opt)
	if err != nil {
		return nil, err
	}
	return warns, p.Write(path)
}

// Write writes the package at path, as Export does: a zip archive when
// path ends in ".zip", otherwise a folder, atomically either way.
func (p *Package) Write(path string) error {
	if strings.HasSuffix(strings.ToLower(path), ".zip") {
		return p.writeZipFile(path)
	}
	return p.WriteDir(path)
}

func (p *Package) writeZipFile(path string) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("ocf: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = p.WriteZip(f); err != nil {
		return fmt.Errorf("ocf: writing %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("ocf: writing %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("ocf: writing %s: %w", path, err)
	}
	if err = os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("ocf: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("ocf: %w", err)
	}
	return nil
}

// WriteDir writes the package as a folder at dir, atomically (see Export).
func (p *Package) WriteDir(dir string) error {
	dir = filepath.Clean(dir)
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("ocf: %s exists and is not a folder", dir)
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("ocf: %w", err)
		}
		if len(entries) > 0 {
			if _, err := os.Stat(filepath.Join(dir, ManifestName)); err != nil {
				return fmt.Errorf("ocf: %s is a folder without %s; refusing to replace it", dir, ManifestName)
			}
		}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+".*.tmp")
	if err != nil {
		return fmt.Errorf("ocf: %w", err)
	}
	for _, f := range p.Files {
		if err := os.WriteFile(filepath.Join(tmp, f.Name), f.Data, 0o644); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("ocf: %w", err)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("ocf: %w", err)
	}
	old := ""
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			os.RemoveAll(tmp)
			return fmt.Errorf("ocf: %w", err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		os.RemoveAll(tmp)
		return fmt.Errorf("ocf: %w", err)
	}
	if old != "" {
		os.RemoveAll(old)
	}
	return nil
}
