package captable

import (
	"math/big"
	"sort"

	"github.com/shopspring/decimal"
)

// Options tune Compute.
type Options struct {
	// AsOf dates the table: vested options and notes' accrued interest are
	// computed to it. The zero date leaves both out.
	AsOf Date
	// Decimals is the number of decimals of every percentage (default 4,
	// e.g. 12.3456%). Percentages of one column always sum to exactly 100.
	Decimals int32
}

// Table is the capitalization table: outstanding and fully diluted, per
// stakeholder and per class. Shares of preferred are counted as converted
// to common (shares × conversion ratio) in every total and percentage.
// Unconverted SAFEs and notes are not shares; they are listed apart.
type Table struct {
	Company  string `json:"company"`
	Currency string `json:"currency"`
	AsOf     Date   `json:"as_of,omitzero"`
	// Outstanding is the issued shares, as converted.
	Outstanding decimal.Decimal `json:"outstanding"`
	// FullyDiluted adds outstanding options and the unissued pool.
	FullyDiluted decimal.Decimal `json:"fully_diluted"`
	Holders      []HolderRow     `json:"holders"`
	Classes      []ClassRow      `json:"classes"`
	// Options is the granted, unexercised options; UnissuedPool is the
	// rest of the plan's reserve. Their percentages are of fully diluted.
	Options         decimal.Decimal `json:"options"`
	OptionsPct      decimal.Decimal `json:"options_pct"`
	UnissuedPool    decimal.Decimal `json:"unissued_pool"`
	UnissuedPoolPct decimal.Decimal `json:"unissued_pool_pct"`
	// UnissuedPoolHolderPct is the pool's share in the per-holder fully
	// diluted column (holders plus this row sum to 100).
	UnissuedPoolHolderPct decimal.Decimal  `json:"unissued_pool_holder_pct"`
	Unconverted           []UnconvertedRow `json:"unconverted"`
}

// ClassShares is a holder's shares of one class (not converted).
type ClassShares struct {
	Class  string          `json:"class"`
	Shares decimal.Decimal `json:"shares"`
}

// HolderRow is one stakeholder's line. Percentages are in percent (12.5
// means 12.5%).
type HolderRow struct {
	Stakeholder    string          `json:"stakeholder"`
	Name           string          `json:"name"`
	Kind           StakeholderKind `json:"kind"`
	Shares         []ClassShares   `json:"shares"`
	Outstanding    decimal.Decimal `json:"outstanding"`
	OutstandingPct decimal.Decimal `json:"outstanding_pct"`
	// Options is granted and not exercised; Vested is the vested part of
	// all the holder's grants at AsOf (exercised included), when dated.
	Options         decimal.Decimal  `json:"options"`
	Vested          *decimal.Decimal `json:"vested,omitempty"`
	FullyDiluted    decimal.Decimal  `json:"fully_diluted"`
	FullyDilutedPct decimal.Decimal  `json:"fully_diluted_pct"`
}

// ClassRow is one share class's line.
type ClassRow struct {
	Class           string          `json:"class"`
	Name            string          `json:"name"`
	Kind            ClassKind       `json:"kind"`
	Shares          decimal.Decimal `json:"shares"`
	AsConverted     decimal.Decimal `json:"as_converted"`
	OutstandingPct  decimal.Decimal `json:"outstanding_pct"`
	FullyDilutedPct decimal.Decimal `json:"fully_diluted_pct"`
}

// UnconvertedRow is a SAFE or note that has not converted yet.
type UnconvertedRow struct {
	ID          string          `json:"id"`
	Stakeholder string          `json:"stakeholder"`
	Type        ConvertibleType `json:"type"`
	Amount      decimal.Decimal `json:"amount"`
	// Interest accrued to AsOf (notes only; zero without a date).
	Interest decimal.Decimal `json:"interest"`
	// Cap is zero when uncapped; Discount is a fraction.
	Cap      decimal.Decimal `json:"cap"`
	Discount decimal.Decimal `json:"discount"`
	MFN      bool            `json:"mfn,omitempty"`
}

// Holdings is the raw arithmetic behind a table: as-converted shares and
// options per stakeholder and the plan's totals.
type Holdings struct {
	// Shares[stakeholder][class] is issued shares (exercised options
	// included in the plan's class).
	Shares map[string]map[string]decimal.Decimal
	// AsConverted[stakeholder] is issued shares converted to common.
	AsConverted map[string]decimal.Decimal
	// Options[stakeholder] is granted, unexercised options.
	Options map[string]decimal.Decimal
	// Outstanding is Σ AsConverted; OptionsOutstanding Σ Options;
	// UnissuedPool is pool size − granted.
	Outstanding, OptionsOutstanding, UnissuedPool decimal.Decimal
}

// Holdings tallies the company's shares and options.
func (c *Company) Holdings() Holdings {
	h := Holdings{
		Shares:      map[string]map[string]decimal.Decimal{},
		AsConverted: map[string]decimal.Decimal{},
		Options:     map[string]decimal.Decimal{},
	}
	ratio := make(map[string]decimal.Decimal, len(c.ShareClasses))
	for _, cl := range c.ShareClasses {
		r := cl.ConversionRatio
		if r.IsZero() {
			r = decimal.NewFromInt(1)
		}
		ratio[cl.ID] = r
	}
	add := func(st, class string, n decimal.Decimal) {
		m := h.Shares[st]
		if m == nil {
			m = map[string]decimal.Decimal{}
			h.Shares[st] = m
		}
		m[class] = m[class].Add(n)
		ac := n.Mul(ratio[class])
		h.AsConverted[st] = h.AsConverted[st].Add(ac)
		h.Outstanding = h.Outstanding.Add(ac)
	}
	for _, is := range c.Issuances {
		add(is.Stakeholder, is.Class, is.Shares)
	}
	if p := c.OptionPlan; p != nil {
		granted := decimal.Zero
		for _, g := range p.Grants {
			granted = granted.Add(g.Shares)
			if g.Exercised.IsPositive() {
				add(g.Stakeholder, p.Class, g.Exercised)
			}
			if o := g.Shares.Sub(g.Exercised); o.IsPositive() {
				h.Options[g.Stakeholder] = h.Options[g.Stakeholder].Add(o)
				h.OptionsOutstanding = h.OptionsOutstanding.Add(o)
			}
		}
		h.UnissuedPool = p.PoolSize.Sub(granted)
	}
	return h
}

// FullyDiluted is outstanding shares + outstanding options + unissued pool.
func (h Holdings) FullyDiluted() decimal.Decimal {
	return h.Outstanding.Add(h.OptionsOutstanding).Add(h.UnissuedPool)
}

// Compute builds the capitalization table.
func (c *Company) Compute(o Options) (*Table, error) {
	if o.Decimals == 0 {
		o.Decimals = 4
	}
	h := c.Holdings()
	t := &Table{Company: c.Name, Currency: string(c.Currency), AsOf: o.AsOf,
		Outstanding: h.Outstanding, FullyDiluted: h.FullyDiluted(),
		Options: h.OptionsOutstanding, UnissuedPool: h.UnissuedPool}
	vested := map[string]decimal.Decimal{}
	if p := c.OptionPlan; p != nil && !o.AsOf.IsZero() {
		for _, g := range p.Grants {
			vested[g.Stakeholder] = vested[g.Stakeholder].Add(VestedShares(g, o.AsOf))
		}
	}
	var outParts, fdParts []decimal.Decimal
	for _, s := range c.Stakeholders {
		ac, opt := h.AsConverted[s.ID], h.Options[s.ID]
		if ac.IsZero() && opt.IsZero() {
			continue
		}
		row := HolderRow{Stakeholder: s.ID, Name: s.Name, Kind: s.Kind, Outstanding: ac, Options: opt, FullyDiluted: ac.Add(opt)}
		for _, cl := range c.ShareClasses {
			if n, ok := h.Shares[s.ID][cl.ID]; ok {
				row.Shares = append(row.Shares, ClassShares{cl.ID, n})
			}
		}
		if v, ok := vested[s.ID]; ok {
			v := v
			row.Vested = &v
		}
		t.Holders = append(t.Holders, row)
		outParts = append(outParts, ac)
		fdParts = append(fdParts, row.FullyDiluted)
	}
	outPct := Percentages(outParts, o.Decimals)
	fdPct := Percentages(append(fdParts, h.UnissuedPool), o.Decimals)
	for i := range t.Holders {
		t.Holders[i].OutstandingPct = outPct[i]
		t.Holders[i].FullyDilutedPct = fdPct[i]
	}
	t.UnissuedPoolHolderPct = fdPct[len(fdPct)-1]

	classTotals := map[string]decimal.Decimal{}
	for _, m := range h.Shares {
		for cl, n := range m {
			classTotals[cl] = classTotals[cl].Add(n)
		}
	}
	var cOut, cFD []decimal.Decimal
	for _, cl := range c.ShareClasses {
		n := classTotals[cl.ID]
		r := cl.ConversionRatio
		if r.IsZero() {
			r = decimal.NewFromInt(1)
		}
		t.Classes = append(t.Classes, ClassRow{Class: cl.ID, Name: cl.Name, Kind: cl.Kind, Shares: n, AsConverted: n.Mul(r)})
		cOut = append(cOut, n.Mul(r))
		cFD = append(cFD, n.Mul(r))
	}
	cOutPct := Percentages(cOut, o.Decimals)
	cFDPct := Percentages(append(cFD, h.OptionsOutstanding, h.UnissuedPool), o.Decimals)
	for i := range t.Classes {
		t.Classes[i].OutstandingPct = cOutPct[i]
		t.Classes[i].FullyDilutedPct = cFDPct[i]
	}
	t.OptionsPct = cFDPct[len(cFDPct)-2]
	t.UnissuedPoolPct = cFDPct[len(cFDPct)-1]

	for _, cv := range c.Convertibles {
		row := UnconvertedRow{ID: cv.ID, Stakeholder: cv.Stakeholder, Type: cv.Type, Amount: cv.Amount, Cap: cv.Cap, Discount: cv.Discount, MFN: cv.MFN}
		if !o.AsOf.IsZero() {
			in, err := AccruedInterest(cv, o.AsOf)
			if err != nil {
				return nil, err
			}
			row.Interest = in
		}
		t.Unconverted = append(t.Unconverted, row)
	}
	return t, nil
}

// Percentages turns parts into percentages of their sum with the given
// number of decimals, by the largest-remainder (Hamilton) method: each
// exact share 100·pᵢ/Σp is truncated, and the units left over go to the
// largest truncated remainders (ties to the earlier part). The results
// therefore sum to exactly 100 whenever Σp > 0 (all zero otherwise), and
// each is within one unit of its exact value. Parts must be ≥ 0.
func Percentages(parts []decimal.Decimal, decimals int32) []decimal.Decimal {
	out := make([]decimal.Decimal, len(parts))
	total := new(big.Rat)
	rats := make([]*big.Rat, len(parts))
	for i, p := range parts {
		rats[i] = p.Rat()
		total.Add(total, rats[i])
	}
	if total.Sign() <= 0 {
		for i := range out {
			out[i] = decimal.Zero
		}
		return out
	}
	// Work in units of 10^-decimals percent: exact quota qᵢ = pᵢ·100·10^d/Σp.
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals)+2), nil)
	units := make([]*big.Int, len(parts))
	rem := make([]*big.Rat, len(parts))
	sum := new(big.Int)
	for i, r := range rats {
		q := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
		q.Quo(q, total)
		fl := new(big.Int).Quo(q.Num(), q.Denom()) // q ≥ 0, so truncation is floor
		units[i] = fl
		rem[i] = new(big.Rat).Sub(q, new(big.Rat).SetInt(fl))
		sum.Add(sum, fl)
	}
	left := new(big.Int).Sub(scale, sum).Int64()
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rem[order[a]].Cmp(rem[order[b]]) > 0 })
	for k := int64(0); k < left && k < int64(len(order)); k++ {
		units[order[k]].Add(units[order[k]], big.NewInt(1))
	}
	for i, u := range units {
		out[i] = decimal.NewFromBigInt(u, -decimals)
	}
	return out
}
