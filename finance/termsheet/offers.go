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
	"github.com/kaiwu-ai/kaiwu/finance/valuation"
)

// Number is the decimal of documents (plain, "1,000,000", "20%"); see
// valuation.Number.
type Number = valuation.Number

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
	for _, p := range ps {
		capTable := SimpleCap{
			Founders: founders, OptionsGranted: granted, OtherCommon: other,
			NewShares: p.newShares, NewInvested: p.o.Amount.Decimal, NewMultiple: p.lm,
			NewParticipating: p.o.Participating, NewCap: p.capMult,
			OldShares: oldShares, OldInvested: oldInvested,
		}
		for _, e := range exits {
			w := SimpleWaterfall(capTable, e)
			share := decimal.Zero
			if e.Sign() > 0 {
				share = div(w.Founders, e).Round(6)
			}
			p.r.Proceeds = append(p.r.Proceeds, ExitProceeds{
				Exit: money.New(e, c).Round(), Founders: money.New(w.Founders, c).Round(), FoundersShare: share,
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

// Payout is a SimpleWaterfall result; the parts sum to the exit value
// whenever any common shares exist.
type Payout struct {
	Founders, Options, OtherCommon, New, Old decimal.Decimal
	NewConverts, OldConverts                 bool
}

// SimpleWaterfall distributes exit among the classes of c. Each preferred
// class converts to common when that pays it more given the other's
// choice, iterated to a fixed point. This is the one place the offer
// comparison touches liquidation maths: swap in finance/waterfall here.
func SimpleWaterfall(c SimpleCap, exit decimal.Decimal) Payout {
	hasOld := c.OldShares.Sign() > 0
	var p Payout
	newConv, oldConv := false, false
	for iter := 0; iter < 8; iter++ {
		changed := false
		a := distribute(c, exit, false, oldConv)
		b := distribute(c, exit, true, oldConv)
		if want := b.New.GreaterThan(a.New); want != newConv {
			newConv, changed = want, true
		}
		if hasOld {
			a = distribute(c, exit, newConv, false)
			b = distribute(c, exit, newConv, true)
			if want := b.Old.GreaterThan(a.Old); want != oldConv {
				oldConv, changed = want, true
			}
		}
		if !changed {
			break
		}
	}
	p = distribute(c, exit, newConv, oldConv)
	return p
}

func distribute(c SimpleCap, exit decimal.Decimal, newConv, oldConv bool) Payout {
	p := Payout{NewConverts: newConv, OldConverts: oldConv}
	rem := exit
	take := func(claim decimal.Decimal) decimal.Decimal {
		x := decimal.Min(rem, claim)
		if x.Sign() < 0 {
			x = decimal.Zero
		}
		rem = rem.Sub(x)
		return x
	}
	newPref := decimal.Zero
	if !newConv {
		newPref = take(c.NewMultiple.Mul(c.NewInvested))
	}
	if c.OldShares.Sign() > 0 && !oldConv {
		p.Old = take(c.OldInvested)
	}
	others := c.Founders.Add(c.OptionsGranted).Add(c.OtherCommon)
	if oldConv {
		others = others.Add(c.OldShares)
	}
	newInCommon := newConv || c.NewParticipating
	shares := others
	if newInCommon {
		shares = shares.Add(c.NewShares)
	}
	newPart := decimal.Zero
	if newInCommon && shares.Sign() > 0 {
		newPart = div(rem.Mul(c.NewShares), shares)
		if !newConv && c.NewCap.Sign() > 0 {
			if lim := c.NewCap.Mul(c.NewInvested).Sub(newPref); newPart.GreaterThan(lim) {
				newPart = decimal.Max(lim, decimal.Zero)
			}
		}
	}
	p.New = newPref.Add(newPart)
	rest := rem.Sub(newPart)
	if others.Sign() > 0 {
		per := div(rest, others)
		p.Founders = per.Mul(c.Founders)
		p.Options = per.Mul(c.OptionsGranted)
		p.OtherCommon = per.Mul(c.OtherCommon)
		if oldConv {
			p.Old = p.Old.Add(per.Mul(c.OldShares))
		}
	}
	return p
}
