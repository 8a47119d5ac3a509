package round

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
)

// displayDecimals is how many decimals an unrounded (exact) price keeps
// when it is reported.
const displayDecimals = 10

func pow10(n int32) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// roundRat rounds a positive rational to dec decimals in direction mode.
func roundRat(x *big.Rat, dec int32, mode PriceRounding) decimal.Decimal {
	scaled := mul(x, new(big.Rat).SetInt(pow10(dec)))
	q, r := new(big.Int).QuoRem(scaled.Num(), scaled.Denom(), new(big.Int))
	if r.Sign() != 0 {
		switch mode {
		case Up:
			q.Add(q, big.NewInt(1))
		case Nearest:
			twice := new(big.Int).Mul(r, big.NewInt(2))
			if twice.Cmp(scaled.Denom()) >= 0 {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return decimal.NewFromBigInt(q, -dec)
}

// roundShares makes a non-negative share count whole.
func roundShares(x *big.Rat, mode ShareRounding) decimal.Decimal {
	m := Down
	if mode == NearestShare {
		m = Nearest
	}
	return roundRat(x, 0, m)
}

func ceilShares(x *big.Rat) decimal.Decimal { return roundRat(x, 0, Up) }

func ratOf(d decimal.Decimal) *big.Rat { return d.Rat() }

// pricer rounds prices the way the terms say.
type pricer struct {
	r Rounding
}

func (p pricer) price(x *big.Rat) *big.Rat {
	if p.r.PriceDecimals < 0 {
		return x
	}
	return roundRat(x, p.r.PriceDecimals, p.r.Price).Rat()
}

func (p pricer) show(x *big.Rat) decimal.Decimal {
	if p.r.PriceDecimals < 0 {
		return roundRat(x, displayDecimals, Nearest)
	}
	return roundRat(x, p.r.PriceDecimals, p.r.Price)
}

// materialize turns the exact fixed point into whole shares at the rounded
// price, and builds the post-round company.
func materialize(c *captable.Company, t RoundTerms, rnd Rounding, cls captable.ShareClass,
	p *problem, sol *solution, staying []captable.Convertible, newMoney decimal.Decimal) (*Result, error) {
	pr := pricer{rnd}
	exact := quo(rat(1), sol.u)
	priceR := pr.price(exact)
	if priceR.Sign() <= 0 {
		return nil, fmt.Errorf("the price %s rounds to zero at %d decimals", exact.FloatString(12), rnd.PriceDecimals)
	}
	uR := quo(rat(1), priceR)
	price := pr.show(priceR)

	// The pool increase: fixed, or the target's exact increase rounded up.
	delta := decimal.Zero
	switch p.pool {
	case poolFixed:
		delta = t.PoolIncrease
	case poolTarget:
		delta = ceilShares(sol.delta)
	}
	deltaR := ratOf(delta)
	bPre := add(p.a, deltaR)

	// Conversions at the rounded price. Discount prices and pre-money cap
	// prices are rounded like the round price; a post-money SAFE at its
	// cap receives amount/cap of the Company Capitalization, as the YC
	// User Guide computes it.
	n := len(p.inst)
	shares := make([]decimal.Decimal, n)
	convPrice := make([]*big.Rat, n)
	basis := make([]string, n)
	priceOpt := make([]*big.Rat, n) // shares at the discount or round price
	for i, in := range p.inst {
		convPrice[i], basis[i] = priceR, "round"
		if disc := in.cv.Discount.Rat(); disc.Sign() > 0 {
			convPrice[i], basis[i] = pr.price(mul(priceR, sub(rat(1), disc))), "discount"
		}
		if convPrice[i].Sign() <= 0 {
			return nil, fmt.Errorf("convertible %s: its discount price rounds to zero", in.cv.ID)
		}
		priceOpt[i] = quo(in.amount, convPrice[i])
	}
	postCap := make([]bool, n)
	for i, in := range p.inst {
		if in.c == nil {
			continue
		}
		if in.post {
			postCap[i] = in.capBranch
			continue
		}
		kp := pr.price(quo(in.cv.Cap.Rat(), bPre))
		if kp.Sign() <= 0 {
			return nil, fmt.Errorf("convertible %s: its cap price rounds to zero", in.cv.ID)
		}
		if capShares := quo(in.amount, kp); capShares.Cmp(priceOpt[i]) >= 0 {
			convPrice[i], priceOpt[i], basis[i] = kp, capShares, "cap"
		}
	}
	var bPost *big.Rat
	for pass := 0; ; pass++ {
		other := new(big.Rat)
		cPost := new(big.Rat)
		for i, in := range p.inst {
			if postCap[i] {
				cPost.Add(cPost, in.c)
				continue
			}
			shares[i] = roundShares(priceOpt[i], rnd.Conversion)
			other.Add(other, ratOf(shares[i]))
		}
		if cPost.Cmp(rat(1)) >= 0 {
			return nil, fmt.Errorf("the post-money SAFEs' caps claim the whole company")
		}
		bPost = quo(add(p.a, other), sub(rat(1), cPost))
		changed := false
		for i, in := range p.inst {
			if in.c == nil || !in.post {
				continue
			}
			capWins := mul(in.c, bPost).Cmp(priceOpt[i]) >= 0
			if capWins != postCap[i] {
				postCap[i], changed = capWins, true
			}
		}
		if !changed || pass > n+2 {
			break
		}
	}
	conv := decimal.Zero
	for i, in := range p.inst {
		if postCap[i] {
			shares[i] = roundShares(mul(in.c, bPost), rnd.Conversion)
			convPrice[i] = quo(in.cv.Cap.Rat(), bPost)
			basis[i] = "cap"
		}
		conv = conv.Add(shares[i])
	}

	res := &Result{Round: t.Name, Date: t.Date, Currency: string(c.Currency), Method: t.Method, Rounding: rnd,
		PreMoney: t.PreMoney, NewMoney: newMoney, Price: price, ExactPrice: roundRat(exact, displayDecimals, Nearest),
		Iterations: sol.iterations, PoolIncrease: delta, ConversionShares: conv}
	a := c.Holdings().FullyDiluted()
	res.PreRoundShares = a
	res.CompanyCapitalization = a.Add(conv)
	res.PreMoneyCapitalization = a.Add(delta)
	res.PoolIncreaseValue = price.Mul(delta)
	res.EffectivePreMoney = price.Mul(a)

	// The post-round company.
	d := c.Clone()
	d.Convertibles = staying
	d.ShareClasses = append(d.ShareClasses, withPrice(cls, price))
	known := map[string]bool{}
	for _, s := range d.Stakeholders {
		known[s.ID] = true
	}
	newTotal := decimal.Zero
	for k, in := range t.Investments {
		if !known[in.Stakeholder] {
			name := in.Name
			if name == "" {
				name = in.Stakeholder
			}
			d.Stakeholders = append(d.Stakeholders, captable.Stakeholder{ID: in.Stakeholder, Name: name, Kind: captable.Investor})
			known[in.Stakeholder] = true
		}
		sh := roundShares(mul(ratOf(in.Amount), uR), rnd.Investors)
		newTotal = newTotal.Add(sh)
		res.Investors = append(res.Investors, Allocation{Stakeholder: in.Stakeholder, Name: d.Stakeholder(in.Stakeholder).Name, Amount: in.Amount, Shares: sh})
		if sh.IsPositive() {
			d.Issuances = append(d.Issuances, captable.Issuance{ID: fmt.Sprintf("%s-%d", cls.ID, k+1), Stakeholder: in.Stakeholder,
				Class: cls.ID, Shares: sh, PricePerShare: price, Date: t.Date})
		}
	}
	res.NewShares = newTotal

	// Conversions at a price other than the round's get their own series
	// (YC's "Safe Preferred Stock": same rights, price-based terms at the
	// conversion price), numbered by ascending price: Series, ...
	shadow := map[string]string{}
	var prices []decimal.Decimal
	for i := range p.inst {
		cp := pr.show(convPrice[i])
		if cp.Equal(price) {
			continue
		}
		if _, ok := shadow[cp.String()]; !ok {
			shadow[cp.String()] = ""
			prices = append(prices, cp)
		}
	}
	sort.Slice(prices, func(x, y int) bool { return prices[x].LessThan(prices[y]) })
	for k, cp := range prices {
		sc := withPrice(cls, cp)
		sc.ID = fmt.Sprintf("%s-%d", cls.ID, k+1)
		sc.Name = fmt.Sprintf("%s-%d", cls.Name, k+1)
		if d.Class(sc.ID) != nil {
			return nil, fmt.Errorf("share class id %q already exists", sc.ID)
		}
		d.ShareClasses = append(d.ShareClasses, sc)
		shadow[cp.String()] = sc.ID
	}
	for i, in := range p.inst {
		cp := pr.show(convPrice[i])
		classID := cls.ID
		if id := shadow[cp.String()]; id != "" {
			classID = id
		}
		res.Conversions = append(res.Conversions, Conversion{ID: in.cv.ID, Stakeholder: in.cv.Stakeholder, Type: in.cv.Type,
			Principal: in.cv.Amount, Interest: in.interest, Basis: basis[i], MFNFrom: in.mfnFrom,
			ConversionPrice: cp, Shares: shares[i], Class: classID})
		if shares[i].IsPositive() {
			d.Issuances = append(d.Issuances, captable.Issuance{ID: "conv-" + in.cv.ID, Stakeholder: in.cv.Stakeholder,
				Class: classID, Shares: shares[i], PricePerShare: cp, Date: t.Date})
		}
	}
	if delta.IsPositive() {
		if d.OptionPlan == nil {
			common := ""
			for _, x := range d.ShareClasses {
				if x.Kind == captable.Common {
					common = x.ID
					break
				}
			}
			if common == "" {
				return nil, fmt.Errorf("a pool increase needs a common share class for the options")
			}
			d.OptionPlan = &captable.OptionPlan{Name: "ESOP", Class: common}
		}
		d.OptionPlan.PoolSize = d.OptionPlan.PoolSize.Add(delta)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("internal error: the post-round company is invalid: %w", err)
	}
	res.Company = d

	var err error
	if res.Before, err = c.Compute(captable.Options{AsOf: t.Date}); err != nil {
		return nil, err
	}
	if res.After, err = d.Compute(captable.Options{AsOf: t.Date}); err != nil {
		return nil, err
	}
	res.PostRoundShares = res.After.FullyDiluted
	res.PostMoney = price.Mul(res.PostRoundShares)
	res.UnissuedPoolPct = res.After.UnissuedPoolPct

	// Investor ownership, dilution, pro rata.
	afterPct := map[string]decimal.Decimal{}
	for _, h := range res.After.Holders {
		afterPct[h.Stakeholder] = h.FullyDilutedPct
	}
	for i := range res.Investors {
		res.Investors[i].Ownership = pct(res.Investors[i].Shares, res.PostRoundShares)
	}
	beforePct := map[string]decimal.Decimal{}
	for _, h := range res.Before.Holders {
		beforePct[h.Stakeholder] = h.FullyDilutedPct
	}
	hundred := decimal.NewFromInt(100)
	for _, s := range d.Stakeholders {
		b, okB := beforePct[s.ID]
		af, okA := afterPct[s.ID]
		if !okA && !okB {
			continue
		}
		dl := Dilution{Stakeholder: s.ID, Name: s.Name, Kind: string(s.Kind), Before: b, After: af, Change: af.Sub(b)}
		if b.IsPositive() {
			dl.Relative = b.Sub(af).Mul(hundred).Div(b).Round(4)
		}
		res.Dilution = append(res.Dilution, dl)
	}
	res.ProRata = proRata(c, p, shares, res)
	return res, nil
}

func withPrice(cl captable.ShareClass, price decimal.Decimal) captable.ShareClass {
	if cl.Kind == captable.Preferred {
		cl.OriginalIssuePrice = price
	}
	return cl
}

// pct is part/whole in percent to 4 decimals (half up).
func pct(part, whole decimal.Decimal) decimal.Decimal {
	if whole.IsZero() {
		return decimal.Zero
	}
	return roundRat(quo(mul(ratOf(part), rat(100)), ratOf(whole)), 4, Nearest)
}

// proRata computes the rights of stakeholders marked pro_rata and of
// converting instruments with a pro-rata right: (holder's fully diluted
// shares + conversion shares) / Company Capitalization × new shares,
// floored.
func proRata(c *captable.Company, p *problem, shares []decimal.Decimal, res *Result) []ProRata {
	h := c.Holdings()
	held := map[string]decimal.Decimal{}
	var order []string
	want := func(id string) {
		if _, ok := held[id]; !ok {
			held[id] = h.AsConverted[id].Add(h.Options[id])
			order = append(order, id)
		}
	}
	for _, s := range c.Stakeholders {
		if s.ProRata {
			want(s.ID)
		}
	}
	for _, in := range p.inst {
		if in.cv.ProRata {
			want(in.cv.Stakeholder)
		}
	}
	for i, in := range p.inst {
		if _, ok := held[in.cv.Stakeholder]; ok {
			held[in.cv.Stakeholder] = held[in.cv.Stakeholder].Add(shares[i])
		}
	}
	out := []ProRata{}
	if res.CompanyCapitalization.IsZero() {
		return out
	}
	for _, id := range order {
		frac := quo(ratOf(held[id]), ratOf(res.CompanyCapitalization))
		sh := roundShares(mul(frac, ratOf(res.NewShares)), Floor)
		out = append(out, ProRata{Stakeholder: id, Percent: roundRat(mul(frac, rat(100)), 4, Nearest), Shares: sh,
			Amount: sh.Mul(res.Price).Round(2)})
	}
	return out
}
