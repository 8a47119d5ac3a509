package ocf

import (
	"fmt"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

// The OCF enumerations read for convertibles (enums/ConversionTriggerType,
// DayCountType, InterestPayoutType, AccrualPeriodType, CompoundingType,
// ConversionTimingType).
var (
	triggerTypes = []string{"AUTOMATIC_ON_CONDITION", "AUTOMATIC_ON_DATE", "ELECTIVE_IN_RANGE",
		"ELECTIVE_ON_CONDITION", "ELECTIVE_AT_WILL", "UNSPECIFIED"}
	accrualPeriods = []string{"DAILY", "MONTHLY", "QUARTERLY", "SEMI_ANNUAL", "ANNUAL"}
)

// convertible maps a TX_CONVERTIBLE_ISSUANCE; nil (with a warning) when
// the instrument is not a SAFE or a note kaiwu can model.
func (im *importer) convertible(x txItem) (*captable.Convertible, error) {
	o, t := x.o, x.t
	if err := o.enum("convertible_type", t.ConvertibleType, "NOTE", "SAFE", "CONVERTIBLE_SECURITY"); err != nil {
		return nil, err
	}
	if t.StakeholderID == "" {
		return nil, o.err("stakeholder_id", "required")
	}
	if !im.stake[t.StakeholderID] {
		return nil, o.err("stakeholder_id", "%q is not a stakeholder", t.StakeholderID)
	}
	amount, err := im.money(o, "investment_amount", t.InvestmentAmount)
	if err != nil {
		return nil, err
	}
	if !amount.IsPositive() {
		return nil, o.err("investment_amount.amount", "must be > 0 (got %s)", t.InvestmentAmount.Amount)
	}
	if len(t.ConversionTriggers) == 0 {
		return nil, o.err("conversion_triggers", "required (at least one trigger)")
	}
	var mech *mechanism
	var mechField, mechType string
	var maturity captable.Date
	for i, tr := range t.ConversionTriggers {
		f := fmt.Sprintf("conversion_triggers[%d]", i)
		if err := o.enum(f+".type", tr.Type, triggerTypes...); err != nil {
			return nil, err
		}
		if tr.TriggerID == "" {
			return nil, o.err(f+".trigger_id", "required")
		}
		if tr.ConversionRight == nil {
			return nil, o.err(f+".conversion_right", "required")
		}
		if tr.ConversionRight.Type != "" && tr.ConversionRight.Type != "CONVERTIBLE_CONVERSION_RIGHT" {
			return nil, o.err(f+".conversion_right.type", "%q: want CONVERTIBLE_CONVERSION_RIGHT", tr.ConversionRight.Type)
		}
		m := tr.ConversionRight.ConversionMechanism
		if m == nil {
			return nil, o.err(f+".conversion_right.conversion_mechanism", "required")
		}
		mt := m.Type
		if mt == "" {
			mt = m.MechanismType
		}
		if mt == "" {
			return nil, o.err(f+".conversion_right.conversion_mechanism.type", "required")
		}
		if tr.Type == "AUTOMATIC_ON_DATE" && maturity.IsZero() {
			if maturity, err = o.date(f+".trigger_date", tr.TriggerDate); err != nil {
				return nil, err
			}
		}
		switch {
		case mech == nil && (mt == "SAFE_CONVERSION" || mt == "CONVERTIBLE_NOTE_CONVERSION"):
			mech, mechType, mechField = m, mt, f+".conversion_right.conversion_mechanism"
		case mech != nil && mt != mechType:
			im.warn(o.warn(f+".conversion_right.conversion_mechanism.type", "%s ignored: kaiwu keeps the first trigger's %s terms", mt, mechType))
		case mt != "SAFE_CONVERSION" && mt != "CONVERTIBLE_NOTE_CONVERSION":
			im.warn(o.warn(f+".conversion_right.conversion_mechanism.type", "%s conversion is not modelled", mt))
		}
	}
	if t.ConvertibleType == "CONVERTIBLE_SECURITY" || mech == nil {
		im.warn(o.warn("convertible_type", "not imported: kaiwu models SAFEs and convertible notes with a SAFE_CONVERSION or CONVERTIBLE_NOTE_CONVERSION mechanism"))
		return nil, nil
	}
	cv := &captable.Convertible{ID: t.SecurityID, Stakeholder: t.StakeholderID, Amount: amount, Date: x.date,
		ProRata: hasComment(t.Comments, markerProRata)}
	if pr, ok, err := o.optNumeric("pro_rata", t.ProRata); err != nil {
		return nil, err
	} else if ok && pr.IsPositive() {
		cv.ProRata = true
	}
	if m := mech.ConversionMFN; m != nil {
		cv.MFN = *m
	}
	if mech.ConversionDiscount != "" {
		if cv.Discount, err = o.percentage(mechField+".conversion_discount", mech.ConversionDiscount); err != nil {
			return nil, err
		}
	}
	if mech.ConversionValuationCap != nil {
		if cv.Cap, err = im.money(o, mechField+".conversion_valuation_cap", mech.ConversionValuationCap); err != nil {
			return nil, err
		}
		if !cv.Cap.IsPositive() {
			return nil, o.err(mechField+".conversion_valuation_cap.amount", "must be > 0 (leave the cap out for an uncapped instrument)")
		}
	}
	if mechType == "SAFE_CONVERSION" {
		if t.ConvertibleType != "SAFE" {
			im.warn(o.warn("convertible_type", "%s with a SAFE_CONVERSION mechanism imported as a SAFE", t.ConvertibleType))
		}
		if mech.ConversionMFN == nil {
			return nil, o.err(mechField+".conversion_mfn", "required (true or false)")
		}
		if err := o.enum(mechField+".conversion_timing", mech.ConversionTiming, "PRE_MONEY", "POST_MONEY"); err != nil {
			return nil, err
		}
		cv.Type = captable.SAFEPost
		if mech.ConversionTiming == "PRE_MONEY" {
			cv.Type = captable.SAFEPre
		}
		return cv, nil
	}
	// CONVERTIBLE_NOTE_CONVERSION
	if t.ConvertibleType != "NOTE" {
		im.warn(o.warn("convertible_type", "%s with a CONVERTIBLE_NOTE_CONVERSION mechanism imported as a note", t.ConvertibleType))
	}
	cv.Type = captable.Note
	cv.Maturity = maturity
	if err := o.enum(mechField+".day_count_convention", mech.DayCountConvention, "ACTUAL_365", "30_360"); err != nil {
		return nil, err
	}
	cv.DayCount = captable.Actual365
	if mech.DayCountConvention == "30_360" {
		cv.DayCount = captable.Thirty360
	}
	if err := o.enum(mechField+".interest_payout", mech.InterestPayout, "DEFERRED", "CASH"); err != nil {
		return nil, err
	}
	if mech.InterestPayout == "CASH" {
		im.warn(o.warn(mechField+".interest_payout", "CASH payout not modelled: kaiwu accrues interest and converts it with the principal"))
	}
	if err := o.enum(mechField+".interest_accrual_period", mech.InterestAccrualPeriod, accrualPeriods...); err != nil {
		return nil, err
	}
	if err := o.enum(mechField+".compounding_type", mech.CompoundingType, "COMPOUNDING", "SIMPLE"); err != nil {
		return nil, err
	}
	cv.Compounding = captable.Simple
	if mech.CompoundingType == "COMPOUNDING" {
		cv.Compounding = captable.Annual
		if mech.InterestAccrualPeriod != "ANNUAL" {
			im.warn(o.warn(mechField+".interest_accrual_period", "%s compounding approximated as annual (kaiwu compounds on each anniversary)", mech.InterestAccrualPeriod))
		}
	}
	for i, r := range mech.InterestRates {
		f := fmt.Sprintf("%s.interest_rates[%d]", mechField, i)
		rate, err := o.percentage(f+".rate", r.Rate)
		if err != nil {
			return nil, err
		}
		start, err := o.date(f+".accrual_start_date", r.AccrualStartDate)
		if err != nil {
			return nil, err
		}
		if r.AccrualEndDate != "" {
			if _, err := o.date(f+".accrual_end_date", r.AccrualEndDate); err != nil {
				return nil, err
			}
		}
		if i > 0 {
			im.warn(o.warn(f, "only the first interest rate is kept (kaiwu notes have one rate)"))
			continue
		}
		cv.InterestRate = rate
		if start.Before(x.date) || start.After(x.date) {
			im.warn(o.warn(f+".accrual_start_date", "interest accrues from the issue date %s in kaiwu, not %s", x.date, start))
		}
		if r.AccrualEndDate != "" {
			im.warn(o.warn(f+".accrual_end_date", "an end to interest accrual is not modelled"))
		}
	}
	if !cv.Maturity.IsZero() && !cv.Maturity.After(cv.Date) {
		im.warn(o.warn("conversion_triggers", "AUTOMATIC_ON_DATE trigger %s is not after the issue date; not used as maturity", cv.Maturity))
		cv.Maturity = captable.Date{}
	}
	return cv, nil
}
