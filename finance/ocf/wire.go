package ocf

import "encoding/json"

// The JSON shapes of the OCF objects this package reads and writes, field
// names exactly as in the OCF 1.2.0 schema. Import decodes leniently
// (unknown fields are ignored, so newer minor versions load); Export writes
// every field the schema requires.

type monetary struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

type ratio struct {
	Numerator   string `json:"numerator"`
	Denominator string `json:"denominator"`
}

type fileRef struct {
	Filepath string `json:"filepath"`
	MD5      string `json:"md5"`
}

type manifest struct {
	OCFVersion                string    `json:"ocf_version"`
	FileType                  string    `json:"file_type"`
	Issuer                    *issuer   `json:"issuer"`
	AsOf                      string    `json:"as_of"`
	GeneratedAt               string    `json:"generated_at"`
	Comments                  []string  `json:"comments,omitempty"`
	StockPlansFiles           []fileRef `json:"stock_plans_files"`
	StockLegendTemplatesFiles []fileRef `json:"stock_legend_templates_files"`
	StockClassesFiles         []fileRef `json:"stock_classes_files"`
	VestingTermsFiles         []fileRef `json:"vesting_terms_files"`
	ValuationsFiles           []fileRef `json:"valuations_files"`
	TransactionsFiles         []fileRef `json:"transactions_files"`
	StakeholdersFiles         []fileRef `json:"stakeholders_files"`
}

type issuer struct {
	ObjectType         string   `json:"object_type"`
	ID                 string   `json:"id"`
	LegalName          string   `json:"legal_name"`
	FormationDate      string   `json:"formation_date"`
	CountryOfFormation string   `json:"country_of_formation"`
	Comments           []string `json:"comments,omitempty"`
}

type fileIn struct {
	FileType string            `json:"file_type"`
	Items    []json.RawMessage `json:"items"`
}

type fileOut struct {
	FileType string `json:"file_type"`
	Items    []any  `json:"items"`
}

type objectHeader struct {
	ObjectType string `json:"object_type"`
	ID         string `json:"id"`
}

type name struct {
	LegalName string `json:"legal_name"`
}

type stakeholder struct {
	ObjectType          string   `json:"object_type"`
	ID                  string   `json:"id"`
	Name                *name    `json:"name"`
	StakeholderType     string   `json:"stakeholder_type"`
	CurrentRelationship string   `json:"current_relationship,omitempty"`
	Comments            []string `json:"comments,omitempty"`
}

type stockClass struct {
	ObjectType                    string      `json:"object_type"`
	ID                            string      `json:"id"`
	Name                          string      `json:"name"`
	ClassType                     string      `json:"class_type"`
	DefaultIDPrefix               string      `json:"default_id_prefix"`
	InitialSharesAuthorized       string      `json:"initial_shares_authorized"`
	VotesPerShare                 string      `json:"votes_per_share"`
	PricePerShare                 *monetary   `json:"price_per_share,omitempty"`
	Seniority                     string      `json:"seniority"`
	ConversionRights              []convRight `json:"conversion_rights,omitempty"`
	LiquidationPreferenceMultiple string      `json:"liquidation_preference_multiple,omitempty"`
	ParticipationCapMultiple      *string     `json:"participation_cap_multiple,omitempty"`
	Comments                      []string    `json:"comments,omitempty"`
}

type convRight struct {
	Type                   string     `json:"type,omitempty"`
	ConversionMechanism    *mechanism `json:"conversion_mechanism"`
	ConvertsToFutureRound  *bool      `json:"converts_to_future_round,omitempty"`
	ConvertsToStockClassID string     `json:"converts_to_stock_class_id,omitempty"`
}

// mechanism is the union of the conversion mechanisms this package maps:
// RATIO_CONVERSION, SAFE_CONVERSION and CONVERTIBLE_NOTE_CONVERSION.
type mechanism struct {
	Type string `json:"type,omitempty"`
	// MechanismType is the pre-1.0 name of Type, read for old packages.
	MechanismType          string         `json:"mechanism_type,omitempty"`
	ConversionPrice        *monetary      `json:"conversion_price,omitempty"`
	Ratio                  *ratio         `json:"ratio,omitempty"`
	RoundingType           string         `json:"rounding_type,omitempty"`
	InterestRates          []interestRate `json:"interest_rates,omitempty"`
	DayCountConvention     string         `json:"day_count_convention,omitempty"`
	InterestPayout         string         `json:"interest_payout,omitempty"`
	InterestAccrualPeriod  string         `json:"interest_accrual_period,omitempty"`
	CompoundingType        string         `json:"compounding_type,omitempty"`
	ConversionDiscount     string         `json:"conversion_discount,omitempty"`
	ConversionValuationCap *monetary      `json:"conversion_valuation_cap,omitempty"`
	ConversionMFN          *bool          `json:"conversion_mfn,omitempty"`
	ConversionTiming       string         `json:"conversion_timing,omitempty"`
}

type interestRate struct {
	Rate             string `json:"rate"`
	AccrualStartDate string `json:"accrual_start_date"`
	AccrualEndDate   string `json:"accrual_end_date,omitempty"`
}

type trigger struct {
	Type               string     `json:"type"`
	TriggerID          string     `json:"trigger_id"`
	Nickname           string     `json:"nickname,omitempty"`
	TriggerDescription string     `json:"trigger_description,omitempty"`
	TriggerCondition   string     `json:"trigger_condition,omitempty"`
	TriggerDate        string     `json:"trigger_date,omitempty"`
	ConversionRight    *convRight `json:"conversion_right"`
}

type stockPlan struct {
	ObjectType                  string   `json:"object_type"`
	ID                          string   `json:"id"`
	PlanName                    string   `json:"plan_name"`
	InitialSharesReserved       string   `json:"initial_shares_reserved"`
	DefaultCancellationBehavior string   `json:"default_cancellation_behavior,omitempty"`
	StockClassID                string   `json:"stock_class_id,omitempty"`
	StockClassIDs               []string `json:"stock_class_ids,omitempty"`
	Comments                    []string `json:"comments,omitempty"`
}

type vestingTerms struct {
	ObjectType        string             `json:"object_type"`
	ID                string             `json:"id"`
	Name              string             `json:"name"`
	Description       string             `json:"description"`
	AllocationType    string             `json:"allocation_type"`
	VestingConditions []vestingCondition `json:"vesting_conditions"`
	Comments          []string           `json:"comments,omitempty"`
}

type vestingCondition struct {
	ID               string         `json:"id"`
	Description      string         `json:"description,omitempty"`
	Portion          *portion       `json:"portion,omitempty"`
	Quantity         *string        `json:"quantity,omitempty"`
	Trigger          vestingTrigger `json:"trigger"`
	NextConditionIDs []string       `json:"next_condition_ids"`
}

type portion struct {
	Numerator   string `json:"numerator"`
	Denominator string `json:"denominator"`
	Remainder   bool   `json:"remainder,omitempty"`
}

type vestingTrigger struct {
	Type                  string         `json:"type"`
	Period                *vestingPeriod `json:"period,omitempty"`
	RelativeToConditionID string         `json:"relative_to_condition_id,omitempty"`
}

type vestingPeriod struct {
	Length      int    `json:"length"`
	Type        string `json:"type"`
	Occurrences int    `json:"occurrences,omitempty"`
	// Repetitions is the pre-1.0 name of Occurrences, read for old packages.
	Repetitions      int    `json:"repetitions,omitempty"`
	DayOfMonth       string `json:"day_of_month,omitempty"`
	CliffInstallment int    `json:"cliff_installment,omitempty"`
}

// txIn is the union of the transaction fields Import reads.
type txIn struct {
	ObjectType           string    `json:"object_type"`
	ID                   string    `json:"id"`
	Date                 string    `json:"date"`
	SecurityID           string    `json:"security_id"`
	CustomID             string    `json:"custom_id"`
	StakeholderID        string    `json:"stakeholder_id"`
	StockClassID         string    `json:"stock_class_id"`
	StockPlanID          string    `json:"stock_plan_id"`
	SharePrice           *monetary `json:"share_price"`
	Quantity             *string   `json:"quantity"`
	VestingTermsID       string    `json:"vesting_terms_id"`
	Vestings             []any     `json:"vestings"`
	CompensationType     string    `json:"compensation_type"`
	ExercisePrice        *monetary `json:"exercise_price"`
	ConvertibleType      string    `json:"convertible_type"`
	InvestmentAmount     *monetary `json:"investment_amount"`
	ConversionTriggers   []trigger `json:"conversion_triggers"`
	ProRata              *string   `json:"pro_rata"`
	ResultingSecurityIDs []string  `json:"resulting_security_ids"`
	BalanceSecurityID    string    `json:"balance_security_id"`
	Amount               *monetary `json:"amount"`
	SharesReserved       *string   `json:"shares_reserved"`
	VestingConditionID   string    `json:"vesting_condition_id"`
	Comments             []string  `json:"comments"`
}

// The transaction shapes Export writes.

type stockIssuanceOut struct {
	ObjectType            string   `json:"object_type"`
	ID                    string   `json:"id"`
	Date                  string   `json:"date"`
	SecurityID            string   `json:"security_id"`
	CustomID              string   `json:"custom_id"`
	StakeholderID         string   `json:"stakeholder_id"`
	SecurityLawExemptions []string `json:"security_law_exemptions"`
	StockClassID          string   `json:"stock_class_id"`
	StockPlanID           string   `json:"stock_plan_id,omitempty"`
	SharePrice            monetary `json:"share_price"`
	Quantity              string   `json:"quantity"`
	StockLegendIDs        []string `json:"stock_legend_ids"`
}

type equityCompOut struct {
	ObjectType                 string   `json:"object_type"`
	ID                         string   `json:"id"`
	Date                       string   `json:"date"`
	SecurityID                 string   `json:"security_id"`
	CustomID                   string   `json:"custom_id"`
	StakeholderID              string   `json:"stakeholder_id"`
	SecurityLawExemptions      []string `json:"security_law_exemptions"`
	StockPlanID                string   `json:"stock_plan_id"`
	StockClassID               string   `json:"stock_class_id"`
	CompensationType           string   `json:"compensation_type"`
	Quantity                   string   `json:"quantity"`
	ExercisePrice              monetary `json:"exercise_price"`
	VestingTermsID             string   `json:"vesting_terms_id,omitempty"`
	ExpirationDate             *string  `json:"expiration_date"`
	TerminationExerciseWindows []string `json:"termination_exercise_windows"`
}

type exerciseOut struct {
	ObjectType           string   `json:"object_type"`
	ID                   string   `json:"id"`
	Date                 string   `json:"date"`
	SecurityID           string   `json:"security_id"`
	Quantity             string   `json:"quantity"`
	ResultingSecurityIDs []string `json:"resulting_security_ids"`
}

type vestingStartOut struct {
	ObjectType         string `json:"object_type"`
	ID                 string `json:"id"`
	Date               string `json:"date"`
	SecurityID         string `json:"security_id"`
	VestingConditionID string `json:"vesting_condition_id"`
}

type convertibleOut struct {
	ObjectType            string    `json:"object_type"`
	ID                    string    `json:"id"`
	Date                  string    `json:"date"`
	SecurityID            string    `json:"security_id"`
	CustomID              string    `json:"custom_id"`
	StakeholderID         string    `json:"stakeholder_id"`
	SecurityLawExemptions []string  `json:"security_law_exemptions"`
	ConvertibleType       string    `json:"convertible_type"`
	InvestmentAmount      monetary  `json:"investment_amount"`
	ConversionTriggers    []trigger `json:"conversion_triggers"`
	Seniority             int       `json:"seniority"`
	Comments              []string  `json:"comments,omitempty"`
}
