package termsheet

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
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
)

// Number is the decimal of documents (plain, "1,000,000", "20%"); see
// money.Number.
type Number = money.Number

// ExistingPreferred is an earlier 1× non-participating preferred series,
// junior to the new money and senior to common, converting 1:1.
type ExistingPreferred struct {
	Shares   Number `yaml:"shares" json:"shares"`
	Invested Number `yaml:"invested" json:"invested"`
}

// Company is the simple company the offers are compared on.
type Company struct {
	FounderShares Number `yaml:"founder_shares" json:"founder_shares"`
	// OptionsGranted are treated as common at an exit (exercise price
	// ignored in this simple model); PoolUnissued takes nothing at an exit
	// but counts in the fully diluted shares that set the price.
	OptionsGranted    Number             `yaml:"options_granted" json:"options_granted"`
	PoolUnissued      Number             `yaml:"pool_unissued" json:"pool_unissued"`
	OtherCommon       Number             `yaml:"other_common" json:"other_common"`
	ExistingPreferred *ExistingPreferred `yaml:"existing_preferred" json:"existing_preferred"`
}

// Offer is one term sheet.
type Offer struct {
	Name     string `yaml:"name" json:"name"`
	PreMoney Number `yaml:"pre_money" json:"pre_money"`
	Amount   Number `yaml:"amount" json:"amount"`
	// LiquidationMultiple of the new preferred (default 1).
	LiquidationMultiple Number `yaml:"liquidation_multiple" json:"liquidation_multiple"`
	Participating       bool   `yaml:"participating" json:"participating"`
	// ParticipationCap caps a participating preferred's total return
	// (preference plus participation) as a multiple of its investment;
	// unset means uncapped.
	ParticipationCap Number `yaml:"participation_cap" json:"participation_cap"`
	// PoolTarget, if given, tops the option pool up to this fraction of
	// the post-money fully diluted shares, the increase sitting in the
	// pre-money (the "option pool shuffle").
	PoolTarget   Number `yaml:"pool_target" json:"pool_target"`
	AntiDilution string `yaml:"anti_dilution" json:"anti_dilution"`
	BoardSeats   int    `yaml:"board_seats" json:"board_seats"`
	ProRata      bool   `yaml:"pro_rata" json:"pro_rata"`
}

// OffersDocument is the input of an offer comparison.
type OffersDocument struct {
	Currency money.Currency `yaml:"currency" json:"currency"`
	Company  Company        `yaml:"company" json:"company"`
	Offers   []Offer        `yaml:"offers" json:"offers"`
	// Exits are the exit values to compare at; default: 0.5, 1, 2, 3, 5
	// and 10 times the largest post-money.
	Exits []Number `yaml:"exits" json:"exits"`
}

// ParseOffers decodes a YAML (or, with isJSON, JSON) offers document;
// unknown fields are errors.
func ParseOffers(data []byte, isJSON bool) (*OffersDocument, error) {
	var d OffersDocument
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("offers document: %w", err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&d); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("offers document: %w", err)
		}
	}
	if d.Currency == "" {
		return nil, errors.New("currency: missing: the offers document names its currency (e.g. CNY or USD)")
	}
	c, err := money.ParseCurrency(string(d.Currency))
	if err != nil {
		return nil, fmt.Errorf("currency: %w", err)
	}
	d.Currency = c
	return &d, nil
}

// Ownership is the fully diluted ownership after the round; it sums to 1.
type Ownership struct {
	Founders          decimal.Decimal `json:"founders"`
	NewInvestor       decimal.Decimal `json:"new_investor"`
	ExistingPreferred decimal.Decimal `json:"existing_preferred"`
	Pool              decimal.Decimal `json:"pool"`
	OtherCommon       decimal.Decimal `json:"other_common"`
}

// ExitProceeds is what the founders and the new investor take at one exit.
type ExitProceeds struct {
	Exit     money.Money `json:"exit"`
	Founders money.Money `json:"founders"`
	// FoundersShare is the founders' proceeds as a fraction of the exit.
	FoundersShare decimal.Decimal `json:"founders_share"`
	NewInvestor   money.Money     `json:"new_investor"`
	// NewInvestorConverts tells whether the new preferred took common.
	NewInvestorConverts bool `json:"new_investor_converts"`
}

// OfferResult is one offer's round and its founders' proceeds curve.
type OfferResult struct {
	Name      string      `json:"name"`
	PreMoney  money.Money `json:"pre_money"`
	Amount    money.Money `json:"amount"`
	PostMoney money.Money `json:"post_money"`
	// EffectivePreMoney is the pre-money less the value of the pool
	// increase it hides (equal to PreMoney without a pool target).
	EffectivePreMoney   money.Money     `json:"effective_pre_money"`
	PricePerShare       money.Money     `json:"price_per_share"`
	NewShares           decimal.Decimal `json:"new_shares"`
	PoolIncrease        decimal.Decimal `json:"pool_increase"`
	Ownership           Ownership       `json:"ownership"`
	LiquidationMultiple decimal.Decimal `json:"liquidation_multiple"`
	Participating       bool            `json:"participating"`
	ParticipationCap    decimal.Decimal `json:"participation_cap,omitempty"`
	AntiDilution        Kind            `json:"anti_dilution"`
	BoardSeats          int             `json:"board_seats"`
	ProRata             bool            `json:"pro_rata"`
	Proceeds            []ExitProceeds  `json:"proceeds"`
}

// Comparison is the side-by-side result of CompareOffers.
type Comparison struct {
	Currency money.Currency `json:"currency"`
	Exits    []money.Money  `json:"exits"`
	Offers   []OfferResult  `json:"offers"`
}

var one = decimal.NewFromInt(1)

func div(a, b decimal.Decimal) decimal.Decimal { return a.DivRound(b, prec) }

// CompareOffers prices each offer's round on the company and computes the
// founders' proceeds at each exit. exits overrides the document's exits
// when not empty.
func CompareOffers(d *OffersDocument, exits []decimal.Decimal) (*Comparison, error) {
	var errs []error
	bad := func(path, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, a...)))
	}
	nonNeg := func(path string, n Number) decimal.Decimal {
		if n.Set && n.Sign() < 0 {
			bad(path, "%s must not be negative", n.String())
		}
		return n.Decimal
	}
	co := d.Company
	if !co.FounderShares.Set || co.FounderShares.Sign() <= 0 {
		bad("company.founder_shares", "missing or not positive")
	}
	granted := nonNeg("company.options_granted", co.OptionsGranted)
	unissued := nonNeg("company.pool_unissued", co.PoolUnissued)
	other := nonNeg("company.other_common", co.OtherCommon)
	var oldShares, oldInvested decimal.Decimal
	if ep := co.ExistingPreferred; ep != nil {
		oldShares = nonNeg("company.existing_preferred.shares", ep.Shares)
		oldInvested = nonNeg("company.existing_preferred.invested", ep.Invested)
	}
	if len(d.Offers) == 0 {
		bad("offers", "none given")
	}
	for i, o := range d.Offers {
		path := fmt.Sprintf("offers[%d] (%s)", i, o.Name)
		if strings.TrimSpace(o.Name) == "" {
			bad(fmt.Sprintf("offers[%d]", i), "name missing")
		}
		if !o.PreMoney.Set || o.PreMoney.Sign() <= 0 {
			bad(path+".pre_money", "missing or not positive")
		}
		if !o.Amount.Set || o.Amount.Sign() <= 0 {
			bad(path+".amount", "missing or not positive")
		}
		lm := o.LiquidationMultiple.Or(one)
		if lm.Sign() < 0 || lm.GreaterThan(decimal.NewFromInt(10)) {
			bad(path+".liquidation_multiple", "%s outside [0, 10]", lm.String())
		}
		if o.ParticipationCap.Set {
			if !o.Participating {
				bad(path+".participation_cap", "set on a non-participating preferred")
			} else if o.ParticipationCap.LessThanOrEqual(lm) {
				bad(path+".participation_cap", "%s must exceed the liquidation multiple %s", o.ParticipationCap.String(), lm.String())
			}
		}
		if o.PoolTarget.Set && (o.PoolTarget.Sign() < 0 || o.PoolTarget.GreaterThanOrEqual(one)) {
			bad(path+".pool_target", "%s outside [0, 1)", o.PoolTarget.String())
		}
		if _, err := ParseKind(o.AntiDilution); err != nil {
			bad(path+".anti_dilution", "%v", err)
		}
		if o.BoardSeats < 0 {
			bad(path+".board_seats", "%d must not be negative", o.BoardSeats)
		}
	}
	if len(exits) == 0 {
		for i, e := range d.Exits {
			if !e.Set || e.Sign() < 0 {
				bad(fmt.Sprintf("exits[%d]", i), "%s: an exit value must not be negative", e.String())
			}
			exits = append(exits, e.Decimal)
		}
	}
	for i, e := range exits {
		if e.Sign() < 0 {
			bad(fmt.Sprintf("exits[%d]", i), "%s: an exit value must not be negative", e.String())
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c := d.Currency
	founders := co.FounderShares.Decimal
	fd := founders.Add(granted).Add(unissued).Add(other).Add(oldShares)
	res := &Comparison{Currency: c}
	type priced struct {
		o                      Offer
		r                      OfferResult
		newShares, lm, capMult decimal.Decimal
	}
	var ps []priced
	maxPost := decimal.Zero
	for i, o := range d.Offers {
		pre, amt := o.PreMoney.Decimal, o.Amount.Decimal
		post := pre.Add(amt)
		k := div(post, pre)
		poolInc := decimal.Zero
		if t := o.PoolTarget; t.Set && t.Sign() > 0 {
			// (P0 + X) / (S + X + N) = t with N = amount·(S+X)/pre
			// ⇒ X = (t·k·S − P0) / (1 − t·k), k = post/pre.
			tk := t.Mul(k)
			if tk.GreaterThanOrEqual(one) {
				return nil, fmt.Errorf("offers[%d] (%s).pool_target: %s of the post-money cannot be reached with this round", i, o.Name, t.String())
			}
			poolInc = div(tk.Mul(fd).Sub(granted.Add(unissued)), one.Sub(tk))
			if poolInc.Sign() < 0 {
				poolInc = decimal.Zero
			}
		}
		pre0 := fd.Add(poolInc)
		price := div(pre, pre0)
		n := div(amt, price)
		total := pre0.Add(n)
		kind, _ := ParseKind(o.AntiDilution)
		lm := o.LiquidationMultiple.Or(one)
		r := OfferResult{
			Name: o.Name, PreMoney: money.New(pre, c), Amount: money.New(amt, c), PostMoney: money.New(post, c),
			EffectivePreMoney: money.New(pre.Sub(poolInc.Mul(price)), c).Round(),
			PricePerShare:     money.New(price.Round(4), c),
			NewShares:         n.Round(0), PoolIncrease: poolInc.Round(0),
			Ownership: Ownership{
				Founders:          div(founders, total).Round(6),
				NewInvestor:       div(n, total).Round(6),
				ExistingPreferred: div(oldShares, total).Round(6),
				Pool:              div(granted.Add(unissued).Add(poolInc), total).Round(6),
				OtherCommon:       div(other, total).Round(6),
			},
			LiquidationMultiple: lm, Participating: o.Participating, AntiDilution: kind,
			BoardSeats: o.BoardSeats, ProRata: o.ProRata,
		}
		if o.ParticipationCap.Set {
			r.ParticipationCap = o.ParticipationCap.Decimal
		}
		if post.GreaterThan(maxPost) {
			maxPost = post
		}
		ps = append(ps, priced{o, r, n, lm, o.ParticipationCap.Decimal})
	}
	if len(exits) == 0 {
		for _, f := range []string{"0.5", "1", "2", "3", "5", "10"} {
			exits = append(exits, maxPost.Mul(decimal.RequireFromString(f)))
		}
	}
	for _, e := range exits {
		res.Exits = append(res.Exits, money.New(e, c).Round())
	}
	for k, p := range ps {
		capTable := SimpleCap{
			Founders: founders, OptionsGranted: granted, OtherCommon: other,
			NewShares: p.newShares, NewInvested: p.o.Amount.Decimal, NewMultiple: p.lm,
			NewParticipating: p.o.Participating, NewCap: p.capMult,
			OldShares: oldShares, OldInvested: oldInvested, Currency: c,
		}
		for _, e := range exits {
			w, err := SimpleWaterfall(capTable, e)
			if err != nil {
				return nil, fmt.Errorf("offers[%d] (%s) at exit %s: %w", k, p.o.Name, e, err)
			}
			ex := money.New(e, c).Round()
			share := decimal.Zero
			if ex.Amount.Sign() > 0 {
				share = div(w.Founders, ex.Amount).Round(6)
			}
			p.r.Proceeds = append(p.r.Proceeds, ExitProceeds{
				Exit: ex, Founders: money.New(w.Founders, c).Round(), FoundersShare: share,
				NewInvestor: money.New(w.New, c).Round(), NewInvestorConverts: w.NewConverts,
			})
		}
		res.Offers = append(res.Offers, p.r)
	}
	return res, nil
}

// SimpleCap is the cap table the simple waterfall knows: one new preferred
// class (senior), optionally one existing 1× non-participating preferred
// (junior to it, senior to common), and common (founders, granted options,
// other common). The unissued pool takes nothing.
type SimpleCap struct {
	// Currency of the amounts; empty means USD (the arithmetic does not
	// depend on it).
	Currency money.Currency

	Founders, OptionsGranted, OtherCommon decimal.Decimal

	NewShares, NewInvested decimal.Decimal
	// NewMultiple is the liquidation preference multiple; NewCap the total
	// return cap (multiple of NewInvested) of a participating preferred,
	// zero for none.
	NewMultiple      decimal.Decimal
	NewParticipating bool
	NewCap           decimal.Decimal

	OldShares, OldInvested decimal.Decimal
}

// Payout is a SimpleWaterfall result, in cents; the parts sum to the exit
// value (rounded to the cent) exactly.
type Payout struct {
	Founders, Options, OtherCommon, New, Old decimal.Decimal
	NewConverts, OldConverts                 bool
}

// Holder and class names of the simple cap table in the waterfall.
const (
	holderFounders = "founders"
	holderOptions  = "options"
	holderOther    = "other common"
	holderNew      = "new investor"
	holderOld      = "existing investors"
	classNew       = "New preferred"
	classOld       = "Existing preferred"
)

// SimpleWaterfall distributes exit, rounded to the cent, among the classes
// of c with the full liquidation waterfall of package waterfall: the new
// preferred (rank 0) is paid before the existing preferred (rank 1), each
// preferred converts to common when that pays it more, solved to the
// waterfall's fixed point, and every payout is in cents, the parts summing
// to the exit exactly. Granted options are common here (their exercise
// price is ignored in this simple model). The error is the waterfall's,
// for a cap table it rejects (e.g. no shares at all, a negative count).
func SimpleWaterfall(c SimpleCap, exit decimal.Decimal) (Payout, error) {
	cur := c.Currency
	if cur == "" {
		cur = money.USD
	}
	in := waterfall.Input{Currency: cur}
	var common []waterfall.Holding
	for _, h := range []struct {
		name   string
		shares decimal.Decimal
	}{{holderFounders, c.Founders}, {holderOptions, c.OptionsGranted}, {holderOther, c.OtherCommon}} {
		if !h.shares.IsZero() {
			common = append(common, waterfall.Holding{Holder: h.name, Shares: h.shares})
		}
	}
	if len(common) > 0 {
		in.Classes = append(in.Classes, waterfall.Class{Name: "Common", Kind: waterfall.Common, Holdings: common})
	}
	// The preference is multiple × issue price × shares; the issue price
	// invested / shares is kept to 30 places (the waterfall's own
	// precision), so the preference is the amount invested to far below a
	// cent.
	price := func(invested, shares decimal.Decimal) decimal.Decimal {
		if shares.Sign() <= 0 {
			return one // the waterfall reports the missing shares
		}
		return invested.DivRound(shares, 30)
	}
	nc := waterfall.Class{Name: classNew, Kind: waterfall.Preferred, Rank: 0,
		Holdings:   []waterfall.Holding{{Holder: holderNew, Shares: c.NewShares}},
		IssuePrice: price(c.NewInvested, c.NewShares), PreferenceMultiple: c.NewMultiple,
		Participating: c.NewParticipating}
	if c.NewParticipating {
		nc.ParticipationCap = c.NewCap
	}
	in.Classes = append(in.Classes, nc)
	hasOld := c.OldShares.Sign() > 0
	if hasOld {
		oc := waterfall.Class{Name: classOld, Kind: waterfall.Preferred, Rank: 1,
			Holdings:   []waterfall.Holding{{Holder: holderOld, Shares: c.OldShares}},
			IssuePrice: price(c.OldInvested, c.OldShares), PreferenceMultiple: one}
		if c.OldInvested.IsZero() {
			// Nothing invested, nothing preferred; the waterfall still
			// wants an issue price above zero.
			oc.IssuePrice, oc.PreferenceMultiple = one, decimal.Zero
		}
		in.Classes = append(in.Classes, oc)
	}
	r, err := waterfall.Compute(&in, money.New(exit, cur).Round())
	if err != nil {
		return Payout{}, err
	}
	var p Payout
	for _, h := range r.Holders {
		switch h.Holder {
		case holderFounders:
			p.Founders = h.Payout
		case holderOptions:
			p.Options = h.Payout
		case holderOther:
			p.OtherCommon = h.Payout
		case holderNew:
			p.New = h.Payout
		case holderOld:
			p.Old = h.Payout
		}
	}
	for _, d := range r.Decisions {
		switch d.Name {
		case classNew:
			p.NewConverts = d.Choice == waterfall.ChoiceConvert
		case classOld:
			p.OldConverts = d.Choice == waterfall.ChoiceConvert
		}
	}
	return p, nil
}
