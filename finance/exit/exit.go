// Package exit connects the company document (package captable) to the
// liquidation waterfall (package waterfall): FromCompany turns a cap table
// into a waterfall.Input, so that "what does everyone take home if we sell
// for X?" is answered from the same document as the cap table and rounds.
//
// The two packages do not import each other; this one adapts. What maps
// exactly, what maps approximately (with a note saying so) and what is an
// error is listed on FromCompany.
package exit

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
	"github.com/kaiwu-ai/kaiwu/msg"
)

// FromCompany adapts the company c to the waterfall's input at an exit on
// asOf. It returns the input, notes explaining every approximation or
// convention applied (one sentence each, for the user to read: a stable
// code from NoteCodes with its arguments, and the English text; see
// package msg), and an error naming what cannot be mapped and where in
// the document (e.g. "share_classes[2] (Series A): …").
//
// The mapping:
//
//   - Share classes with outstanding shares become waterfall classes, with
//     one holding per stakeholder (issuances plus exercised options, see
//     captable.Holdings). A class is named by its name (its id when the
//     name is empty or shared); holders by the stakeholder's name (its id
//     when empty, "name (id)" when two stakeholders share a name). Classes
//     without outstanding shares are left out (a note says so).
//   - Preferred terms carry over one for one: original issue price,
//     liquidation multiple, participation and its cap (both documents
//     measure the cap as a multiple of the issue price), conversion ratio.
//     Seniority becomes rank: captable pays the highest seniority first,
//     the waterfall the lowest rank first, so rank = max seniority −
//     seniority. Preferred classes of equal seniority are pari passu and
//     are put in one pari-passu group named "seniority N".
//   - Granted, unexercised options become waterfall options on the plan's
//     class at their exercise prices, vested or not (the waterfall assumes
//     the acquirer assumes or accelerates them; a note gives the unvested
//     count when asOf is set). The ungranted reserve is UnissuedPool, which
//     takes nothing.
//   - Post-money SAFEs with a cap map exactly to waterfall SAFEs (purchase
//     amount, post-money valuation cap; the cash-out ranks with the most
//     junior preferred, as YC's safe §1(d) puts it on par with preferred).
//     A discount plays no part at a liquidity event of a capped safe.
//   - An MFN SAFE adopts the cap of the later-issued SAFE (issue date, then
//     document order) with the lowest cap, the terms a holder would elect
//     before a sale; a note names the instrument adopted. Without a later
//     capped SAFE it stays uncapped.
//   - Uncapped SAFEs take their cash-out amount only (the purchase amount).
//     Under YC's safe an uncapped safe's Liquidity Price is the fair market
//     value of common (times the discount, if any), so without a discount
//     converting is worth the purchase amount anyway; with a discount it
//     would be worth about amount / (1 − discount), which the waterfall
//     cannot express — a note says the result understates that holder.
//   - Pre-money SAFEs with a cap C are mapped as post-money SAFEs with cap
//     C + purchase amount. A pre-money safe's Liquidity Capitalization
//     excludes safes, so alone it converts to amount / (C + amount) of the
//     company — exactly what the post-money cap C + amount gives; with
//     other SAFEs converting too the mapping is approximate, and a note
//     says so.
//   - Convertible notes are repaid as debt (all ranks equal, senior to all
//     equity) at principal plus interest accrued to asOf under the note's
//     compounding and day count (captable.AccruedInterest). At a sale
//     before conversion a note is typically repaid, often with a premium
//     (commonly 1–2× principal) or with an option to convert at its cap;
//     the document records neither, so none is applied, and a note says
//     so. With a zero asOf no interest accrues (a note says so).
//
// Errors: the document's own validation (captable.Company.Validate), a
// date before a note's issue date, an option plan whose class has no
// outstanding shares, and anything the waterfall rejects (a post-money cap
// not above the purchase amount, SAFEs claiming 100% or more, common with
// a conversion ratio other than 1, …), each reported at its place in the
// company document.
func FromCompany(c *captable.Company, asOf captable.Date) (waterfall.Input, []msg.Note, error) {
	if c == nil {
		return waterfall.Input{}, nil, errors.New("no company document")
	}
	if err := c.Validate(); err != nil {
		return waterfall.Input{}, nil, err
	}
	a := &adapter{c: c, asOf: asOf, used: map[string]bool{}}
	a.holderNames()
	if err := a.classes(); err != nil {
		return waterfall.Input{}, nil, err
	}
	if err := a.options(); err != nil {
		return waterfall.Input{}, nil, err
	}
	if err := a.convertibles(); err != nil {
		return waterfall.Input{}, nil, err
	}
	if err := waterfall.Validate(&a.in); err != nil {
		return waterfall.Input{}, nil, a.translate(err)
	}
	return a.in, a.notes, nil
}

type adapter struct {
	c     *captable.Company
	asOf  captable.Date
	in    waterfall.Input
	notes []msg.Note
	// holder[stakeholder id] is the waterfall holder name.
	holder map[string]string
	// className[class id] is the waterfall class name, for classes with
	// shares.
	className map[string]string
	used      map[string]bool // class, SAFE and debt names taken
	// where* map waterfall input positions back to document positions.
	whereClass, whereOption, whereSAFE, whereDebt []string
}

// amt formats an amount or count for a note: thousands separators, its
// own decimals.
func amt(d decimal.Decimal) string { return money.Group(d.String()) }

func (a *adapter) note(code string, kv ...string) {
	a.notes = append(a.notes, Notes.Make(code, kv...))
}

// holderNames gives every stakeholder a unique display name.
func (a *adapter) holderNames() {
	count := map[string]int{}
	for _, s := range a.c.Stakeholders {
		count[s.Name]++
	}
	a.holder = make(map[string]string, len(a.c.Stakeholders))
	for _, s := range a.c.Stakeholders {
		switch {
		case s.Name == "":
			a.holder[s.ID] = s.ID
		case count[s.Name] > 1:
			a.holder[s.ID] = s.Name + " (" + s.ID + ")"
		default:
			a.holder[s.ID] = s.Name
		}
	}
}

func (a *adapter) classes() error {
	c := a.c
	a.in.Currency = c.Currency
	h := c.Holdings()
	count := map[string]int{}
	for _, cl := range c.ShareClasses {
		count[cl.Name]++
	}
	// Seniority → rank over the preferred classes that have shares.
	maxSen, perSen := 0, map[int]int{}
	outstanding := func(id string) bool {
		for _, s := range c.Stakeholders {
			if h.Shares[s.ID][id].IsPositive() {
				return true
			}
		}
		return false
	}
	for _, cl := range c.ShareClasses {
		if cl.Kind == captable.Preferred && outstanding(cl.ID) {
			maxSen = max(maxSen, cl.Seniority)
			perSen[cl.Seniority]++
		}
	}
	a.className = map[string]string{}
	for i, cl := range c.ShareClasses {
		where := fmt.Sprintf("share_classes[%d] (%s)", i, cl.Name)
		name := cl.Name
		switch {
		case name == "":
			name = cl.ID
		case count[name] > 1:
			name += " (" + cl.ID + ")"
		}
		var hs []waterfall.Holding
		for _, s := range c.Stakeholders {
			if n := h.Shares[s.ID][cl.ID]; n.IsPositive() {
				hs = append(hs, waterfall.Holding{Holder: a.holder[s.ID], Shares: n})
			}
		}
		if len(hs) == 0 {
			a.note(NoteClassNoShares, "where", where, "class", cl.ID)
			continue
		}
		wc := waterfall.Class{Name: name, Holdings: hs}
		switch cl.Kind {
		case captable.Common:
			wc.Kind = waterfall.Common
			wc.ConversionRatio = cl.ConversionRatio
			if wc.ConversionRatio.Equal(decimal.NewFromInt(1)) {
				wc.ConversionRatio = decimal.Zero
			}
		case captable.Preferred:
			wc.Kind = waterfall.Preferred
			wc.IssuePrice = cl.OriginalIssuePrice
			wc.PreferenceMultiple = cl.LiquidationMultiple
			wc.Participating = cl.Participating
			wc.ParticipationCap = cl.ParticipationCap
			wc.ConversionRatio = cl.ConversionRatio
			wc.Rank = maxSen - cl.Seniority
			if perSen[cl.Seniority] > 1 {
				wc.PariPassuGroup = fmt.Sprintf("seniority %d", cl.Seniority)
			}
		default:
			return fmt.Errorf("%s: kind %q is not common or preferred", where, cl.Kind)
		}
		a.used[name] = true
		a.className[cl.ID] = name
		a.in.Classes = append(a.in.Classes, wc)
		a.whereClass = append(a.whereClass, where)
	}
	return nil
}

func (a *adapter) options() error {
	p := a.c.OptionPlan
	if p == nil {
		return nil
	}
	class, ok := a.className[p.Class]
	unvested := decimal.Zero
	for j, g := range p.Grants {
		n := g.Shares.Sub(g.Exercised)
		if !n.IsPositive() {
			continue
		}
		where := fmt.Sprintf("option_plan.grants[%d]", j)
		if g.ID != "" {
			where += " (" + g.ID + ")"
		}
		if !ok {
			return fmt.Errorf("%s: the plan's class %q has no outstanding shares, so its options cannot be valued (issue the common shares first)", where, p.Class)
		}
		a.in.Options = append(a.in.Options, waterfall.Option{Holder: a.holder[g.Stakeholder], Class: class, Shares: n, ExercisePrice: g.ExercisePrice})
		a.whereOption = append(a.whereOption, where)
		if !a.asOf.IsZero() {
			u := g.Shares.Sub(captable.VestedShares(g, a.asOf))
			unvested = unvested.Add(decimal.Min(u, n))
		}
	}
	if unvested.IsPositive() {
		a.note(NoteOptionsUnvested, "unvested", amt(unvested), "date", a.asOf.String())
	}
	if pool := p.PoolSize.Sub(sumGranted(p)); pool.IsPositive() {
		a.in.UnissuedPool = pool
	}
	return nil
}

func sumGranted(p *captable.OptionPlan) decimal.Decimal {
	s := decimal.Zero
	for _, g := range p.Grants {
		s = s.Add(g.Shares)
	}
	return s
}

// instrumentName is a convertible's name in the waterfall: its id, or the
// id with its type when a class already has that name.
func (a *adapter) instrumentName(cv captable.Convertible) string {
	n := cv.ID
	if a.used[n] {
		n = cv.ID + " (" + string(cv.Type) + ")"
	}
	a.used[n] = true
	return n
}

func (a *adapter) convertibles() error {
	c := a.c
	terms := a.resolveMFN()
	for i, cv := range c.Convertibles {
		where := fmt.Sprintf("convertibles[%d] (%s)", i, cv.ID)
		t := terms[i]
		switch cv.Type {
		case captable.SAFEPost, captable.SAFEPre:
			s := waterfall.SAFE{Name: a.instrumentName(cv), Holder: a.holder[cv.Stakeholder], PurchaseAmount: cv.Amount}
			switch {
			case !t.cap.IsPositive():
				if t.discount.IsPositive() {
					a.note(NoteSAFEUncappedDiscount, "where", where, "safe", cv.ID, "discount", t.discount.Shift(2).String(),
						"amount", amt(cv.Amount), "worth", amt(cv.Amount.DivRound(decimal.NewFromInt(1).Sub(t.discount), 2)))
				} else {
					a.note(NoteSAFEUncapped, "where", where, "safe", cv.ID, "amount", amt(cv.Amount))
				}
			case t.typ == captable.SAFEPre:
				s.ValuationCap = t.cap.Add(cv.Amount)
				a.note(NoteSAFEPreMoney, "where", where, "safe", cv.ID, "cap", amt(t.cap), "post_cap", amt(s.ValuationCap))
			default:
				s.ValuationCap = t.cap
			}
			a.in.SAFEs = append(a.in.SAFEs, s)
			a.whereSAFE = append(a.whereSAFE, where)
		case captable.Note:
			interest := decimal.Zero
			if a.asOf.IsZero() {
				if cv.InterestRate.IsPositive() {
					a.note(NoteNoExitDate, "where", where, "note", cv.ID, "principal", amt(cv.Amount))
				}
			} else {
				if a.asOf.Before(cv.Date) {
					return fmt.Errorf("%s: the exit date %s is before the note's issue date %s", where, a.asOf, cv.Date)
				}
				var err error
				if interest, err = captable.AccruedInterest(cv, a.asOf); err != nil {
					return fmt.Errorf("%s: %w", where, err)
				}
			}
			a.in.Debts = append(a.in.Debts, waterfall.Debt{Name: a.instrumentName(cv), Holder: a.holder[cv.Stakeholder], Amount: cv.Amount.Add(interest)})
			a.whereDebt = append(a.whereDebt, where)
			a.note(NoteNoteAsDebt, "where", where, "note", cv.ID, "principal", amt(cv.Amount), "interest", amt(interest),
				"total", amt(cv.Amount.Add(interest)))
		default:
			return fmt.Errorf("%s: type %q cannot be mapped to the waterfall", where, cv.Type)
		}
	}
	return nil
}

type safeTerms struct {
	typ           captable.ConvertibleType
	cap, discount decimal.Decimal
}

// resolveMFN returns each convertible's terms at the exit: an MFN SAFE
// adopts the terms (type, cap, discount) of the later-issued SAFE with
// the lowest cap, as the holder would elect before a sale.
func (a *adapter) resolveMFN() []safeTerms {
	cvs := a.c.Convertibles
	out := make([]safeTerms, len(cvs))
	for i, cv := range cvs {
		out[i] = safeTerms{cv.Type, cv.Cap, cv.Discount}
	}
	order := make([]int, len(cvs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cvs[x].Date.Time().Compare(cvs[y].Date.Time()) })
	pos := make([]int, len(cvs))
	for k, i := range order {
		pos[i] = k
	}
	for i, cv := range cvs {
		if !cv.MFN || cv.Type == captable.Note {
			continue
		}
		best := -1
		for j, cand := range cvs {
			if cand.MFN || cand.Type == captable.Note || pos[j] <= pos[i] || !cand.HasCap() {
				continue
			}
			if best < 0 || cand.Cap.LessThan(cvs[best].Cap) {
				best = j
			}
		}
		if best < 0 {
			continue
		}
		b := cvs[best]
		out[i] = safeTerms{b.Type, b.Cap, b.Discount}
		a.note(NoteMFNAdopts, "where", fmt.Sprintf("convertibles[%d] (%s)", i, cv.ID), "safe", cv.ID, "from", b.ID,
			"type", string(b.Type), "cap", amt(b.Cap))
	}
	return out
}

// translate rewrites the waterfall's problem locations ("classes[1] (X)")
// into the company document's ("share_classes[3] (X)").
func (a *adapter) translate(err error) error {
	var ie *waterfall.InputError
	if !errors.As(err, &ie) {
		return err
	}
	type repl struct{ from, to string }
	var rs []repl
	add := func(list string, names []string, wheres []string) {
		for k, w := range wheres {
			rs = append(rs, repl{fmt.Sprintf("%s[%d] (%s)", list, k, names[k]), w}, repl{fmt.Sprintf("%s[%d]", list, k), w})
		}
	}
	var names []string
	for _, c := range a.in.Classes {
		names = append(names, c.Name)
	}
	add("classes", names, a.whereClass)
	names = names[:0]
	for _, o := range a.in.Options {
		names = append(names, o.Holder)
	}
	add("options", names, a.whereOption)
	names = names[:0]
	for _, s := range a.in.SAFEs {
		names = append(names, s.Holder)
	}
	add("safes", names, a.whereSAFE)
	names = names[:0]
	for _, d := range a.in.Debts {
		names = append(names, d.Holder)
	}
	add("debts", names, a.whereDebt)
	rs = append(rs, repl{"safes", "convertibles"}, repl{"unissued_pool", "option_plan.pool_size"})
	// Longest prefix first, so "classes[1] (X)" wins over "classes[1]" and
	// "classes[12]" over "classes[1]".
	slices.SortStableFunc(rs, func(x, y repl) int { return len(y.from) - len(x.from) })
	out := make([]string, len(ie.Problems))
	for i, p := range ie.Problems {
		out[i] = p
		for _, r := range rs {
			if rest, ok := strings.CutPrefix(p, r.from); ok && strings.HasPrefix(rest, ":") {
				out[i] = r.to + rest
				break
			}
		}
	}
	return errors.New(strings.Join(out, "; "))
}
