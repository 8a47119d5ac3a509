package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/channel"
	"github.com/kaiwu-ai/kaiwu/finance/exit"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/round"
	"github.com/kaiwu-ai/kaiwu/finance/runway"
	"github.com/kaiwu-ai/kaiwu/finance/valuation"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
	"github.com/kaiwu-ai/kaiwu/msg"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// This file holds the computations both the API and the pages show: load
// a stored document, parse it with its domain package, run the domain
// function. Errors are a *paramError (the caller's input is wrong: 400),
// a *docError (the stored document cannot be computed: 422) or a
// workspace error.

// paramError is a bad request parameter.
type paramError struct{ Field, Detail string }

func (e *paramError) Error() string { return e.Field + ": " + e.Detail }

func badf(field, format string, a ...any) error {
	return &paramError{Field: field, Detail: fmt.Sprintf(format, a...)}
}

// docError is a stored document its domain refuses (or a computation on
// it that fails, such as a round whose terms do not fit the company).
type docError struct {
	Kind workspace.Kind
	Name string
	Err  error
}

func (e *docError) Error() string { return string(e.Kind) + "/" + e.Name + ": " + e.Err.Error() }
func (e *docError) Unwrap() error { return e.Err }

var decimalOne = decimal.NewFromInt(1)

// knownKind reports whether k names a document kind.
func knownKind(k string) bool {
	_, err := workspace.ParseKind(k)
	return err == nil && k == strings.ToLower(strings.TrimSpace(k))
}

// validName reports whether a document name is acceptable (the
// workspace's rule: 1–64 of a-z, 0-9, '-', '_').
func validName(n string) bool { return workspace.ValidName(n) == nil }

// doc returns the named document of kind, or the first of its kind when
// name is empty. A kind not shared with a viewer is not found.
func (s *server) doc(ctx context.Context, kind workspace.Kind, name string) (workspace.Document, error) {
	if ok, err := s.canRead(ctx, kind); err != nil || !ok {
		if err == nil {
			err = notShared(kind)
		}
		return workspace.Document{}, err
	}
	if name != "" {
		return s.store.Get(ctx, kind, name)
	}
	ds, err := s.store.List(ctx, kind)
	if err != nil {
		return workspace.Document{}, err
	}
	if len(ds) == 0 {
		return workspace.Document{}, fmt.Errorf("no %s document in the workspace: %w", kind, workspace.ErrNotFound)
	}
	return ds[0], nil
}

// company loads and parses a company document.
func (s *server) company(ctx context.Context, name string) (*captable.Company, workspace.Document, error) {
	d, err := s.doc(ctx, workspace.KindCompany, name)
	if err != nil {
		return nil, d, err
	}
	c, err := captable.Parse([]byte(d.Body), false)
	if err != nil {
		return nil, d, &docError{d.Kind, d.Name, err}
	}
	return c, d, nil
}

// parseDateParam reads an optional YYYY-MM-DD parameter.
func parseDateParam(field, v string) (captable.Date, error) {
	if strings.TrimSpace(v) == "" {
		return captable.Date{}, nil
	}
	d, err := captable.ParseDate(strings.TrimSpace(v))
	if err != nil {
		return d, badf(field, "%v", err)
	}
	return d, nil
}

// today is the current date as a captable.Date.
func (s *server) today() captable.Date {
	y, m, d := s.opts.Now().Date()
	return captable.NewDate(y, m, d)
}

// capTable computes the cap table of the company document name.
func (s *server) capTable(ctx context.Context, name, asOf string) (*captable.Table, *captable.Company, error) {
	comp, d, err := s.company(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	at, err := parseDateParam("as_of", asOf)
	if err != nil {
		return nil, nil, err
	}
	t, err := comp.Compute(captable.Options{AsOf: at, Decimals: 4})
	if err != nil {
		return nil, nil, &docError{d.Kind, d.Name, err}
	}
	return t, comp, nil
}

// RoundRequest is the body of POST /api/round and the rounds form.
type RoundRequest struct {
	// Company names the company document (default: the first).
	Company string `json:"company,omitempty"`
	// Scenario runs the document's named multi-round plan instead of the
	// terms below.
	Scenario string `json:"scenario,omitempty"`
	// Name is the round's name (default "Series A").
	Name string `json:"name,omitempty"`
	// PreMoney is the pre-money valuation in the company currency
	// ("60M", "1.2亿", "15000000").
	PreMoney    string            `json:"pre_money,omitempty"`
	Investments []InvestmentInput `json:"investments,omitempty"`
	// PoolTarget is the unissued pool after the round ("12%");
	// PoolIncrease adds a fixed number of shares instead.
	PoolTarget   string `json:"pool_target,omitempty"`
	PoolIncrease string `json:"pool_increase,omitempty"`
	// Method is percentage (default), pre-money or dollars.
	Method string `json:"method,omitempty"`
	// Date is the closing date (YYYY-MM-DD; default today); notes accrue
	// interest to it.
	Date string `json:"date,omitempty"`
}

// InvestmentInput is one cheque: an existing stakeholder id or a new
// investor's name, and an amount.
type InvestmentInput struct {
	Investor string `json:"investor"`
	Amount   string `json:"amount"`
}

// terms turns a request into round terms for comp, naming the field of
// each error.
func (q *RoundRequest) terms(comp *captable.Company, today captable.Date) (round.RoundTerms, error) {
	t := round.RoundTerms{Name: strings.TrimSpace(q.Name)}
	if t.Name == "" {
		t.Name = "Series A"
	}
	if strings.TrimSpace(q.PreMoney) == "" {
		return t, badf("pre_money", "required (e.g. 60M)")
	}
	var err error
	if t.PreMoney, err = captable.ParseMoney("pre_money", q.PreMoney, comp.Currency); err != nil {
		return t, &paramError{"pre_money", strings.TrimPrefix(err.Error(), "pre_money: ")}
	}
	var errs []error
	for i, in := range q.Investments {
		field := fmt.Sprintf("investments[%d]", i)
		k := strings.TrimSpace(in.Investor)
		if k == "" && strings.TrimSpace(in.Amount) == "" {
			continue
		}
		if k == "" {
			errs = append(errs, badf(field+".investor", "required"))
			continue
		}
		amt, err := captable.ParseMoney(field+".amount", in.Amount, comp.Currency)
		if err != nil {
			errs = append(errs, &paramError{field + ".amount", strings.TrimPrefix(err.Error(), field+".amount: ")})
			continue
		}
		inv := round.Investment{Stakeholder: k, Amount: amt}
		if comp.Stakeholder(k) == nil {
			inv.Stakeholder, inv.Name = captable.Slug(k), k
			if inv.Stakeholder == "" {
				errs = append(errs, badf(field+".investor", "%q has no letters or digits", k))
				continue
			}
		}
		t.Investments = append(t.Investments, inv)
	}
	if len(errs) > 0 {
		return t, errors.Join(errs...)
	}
	if len(t.Investments) == 0 {
		return t, badf("investments", "at least one investment")
	}
	if v := strings.TrimSpace(q.PoolTarget); v != "" {
		if t.PoolTarget, err = captable.ParseFraction("pool_target", v); err != nil {
			return t, &paramError{"pool_target", strings.TrimPrefix(err.Error(), "pool_target: ")}
		}
		if !strings.HasSuffix(v, "%") && t.PoolTarget.GreaterThanOrEqual(decimalOne) {
			return t, badf("pool_target", "write a percentage such as 10%% or a fraction such as 0.1")
		}
	}
	if v := strings.TrimSpace(q.PoolIncrease); v != "" {
		if t.PoolIncrease, err = money.ParseAmount(v); err != nil {
			return t, badf("pool_increase", "%v", err)
		}
	}
	m := q.Method
	if m == "" {
		m = "percentage"
	}
	if t.Method, err = round.ParseMethod(m); err != nil {
		return t, badf("method", "%v", err)
	}
	if t.Date, err = parseDateParam("date", q.Date); err != nil {
		return t, err
	}
	if t.Date.IsZero() {
		t.Date = today
	}
	r := round.DefaultRounding()
	t.Rounding = &r
	return t, nil
}

// applyRound runs the request against its company document: one round, or
// with Scenario the document's plan.
func (s *server) applyRound(ctx context.Context, q *RoundRequest) (*round.Result, *round.ScenarioResult, error) {
	comp, d, err := s.company(ctx, q.Company)
	if err != nil {
		return nil, nil, err
	}
	if q.Scenario != "" {
		sr, err := round.DocumentScenario(comp, q.Scenario)
		if err != nil {
			return nil, nil, badf("scenario", "%v", err)
		}
		return nil, sr, nil
	}
	t, err := q.terms(comp, s.today())
	if err != nil {
		return nil, nil, err
	}
	r, err := round.Apply(comp, t)
	if err != nil {
		return nil, nil, &docError{d.Kind, d.Name, err}
	}
	return r, nil, nil
}

// WaterfallOutput is GET /api/waterfall: the waterfall at one exit value
// with the company, the exit date and the adapter's notes (Notes in
// English; NoteDetails, the same notes with their codes and arguments).
type WaterfallOutput struct {
	Company string        `json:"company"`
	AsOf    captable.Date `json:"as_of"`
	*waterfall.Result
	Notes       []string   `json:"notes,omitempty"`
	NoteDetails []msg.Note `json:"note_details,omitempty"`
}

// ExitsOutput is GET /api/exits: payout curves over a range of exits,
// with the notes as in WaterfallOutput.
type ExitsOutput struct {
	Company string        `json:"company"`
	AsOf    captable.Date `json:"as_of"`
	*waterfall.CurveResult
	Notes       []string   `json:"notes,omitempty"`
	NoteDetails []msg.Note `json:"note_details,omitempty"`
}

// exitModel adapts the company document to the waterfall.
func (s *server) exitModel(ctx context.Context, name, asOf string) (*captable.Company, captable.Date, *waterfall.Waterfall, []msg.Note, error) {
	comp, d, err := s.company(ctx, name)
	if err != nil {
		return nil, captable.Date{}, nil, nil, err
	}
	at, err := parseDateParam("as_of", asOf)
	if err != nil {
		return nil, at, nil, nil, err
	}
	if at.IsZero() {
		at = s.today()
	}
	in, notes, err := exit.FromCompany(comp, at)
	if err != nil {
		return nil, at, nil, nil, &docError{d.Kind, d.Name, err}
	}
	w, err := waterfall.New(&in)
	if err != nil {
		return nil, at, nil, nil, &docError{d.Kind, d.Name, err}
	}
	return comp, at, w, notes, nil
}

// exitValue parses an exit value: not negative, in cents.
func exitValue(field, v string, cur money.Currency) (money.Money, error) {
	if strings.TrimSpace(v) == "" {
		return money.Money{}, badf(field, "required (e.g. 50M)")
	}
	x, err := captable.ParseMoney(field, v, cur)
	if err != nil {
		return money.Money{}, &paramError{field, strings.TrimPrefix(err.Error(), field+": ")}
	}
	if x.IsNegative() {
		return money.Money{}, badf(field, "%s is negative (an exit value is 0 or more)", v)
	}
	return money.New(x.Round(2), cur), nil
}

// waterfallAt computes the waterfall at one exit value.
func (s *server) waterfallAt(ctx context.Context, name, asOf, exitV string) (*WaterfallOutput, error) {
	comp, at, w, notes, err := s.exitModel(ctx, name, asOf)
	if err != nil {
		return nil, err
	}
	x, err := exitValue("exit", exitV, comp.Currency)
	if err != nil {
		return nil, err
	}
	r, err := w.At(x)
	if err != nil {
		return nil, badf("exit", "%v", err)
	}
	return &WaterfallOutput{Company: comp.Name, AsOf: at, Result: r, Notes: msg.Texts(notes), NoteDetails: notes}, nil
}

// maxPoints bounds the exits curve.
const maxPoints = 1000

// exitCurve computes payout curves from..to.
func (s *server) exitCurve(ctx context.Context, name, asOf, fromV, toV string, points int) (*ExitsOutput, error) {
	if points < 2 || points > maxPoints {
		return nil, badf("points", "%d: want 2..%d", points, maxPoints)
	}
	comp, at, w, notes, err := s.exitModel(ctx, name, asOf)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(fromV) == "" {
		fromV = "0"
	}
	from, err := exitValue("from", fromV, comp.Currency)
	if err != nil {
		return nil, err
	}
	to, err := exitValue("to", toV, comp.Currency)
	if err != nil {
		return nil, err
	}
	if !to.Amount.GreaterThan(from.Amount) {
		return nil, badf("to", "%s is not above from %s", toV, fromV)
	}
	cr, err := w.Curve(from, to, points)
	if err != nil {
		return nil, badf("to", "%v", err)
	}
	return &ExitsOutput{Company: comp.Name, AsOf: at, CurveResult: cr, Notes: msg.Texts(notes), NoteDetails: notes}, nil
}

// valuationDoc loads and parses a valuation document.
func (s *server) valuationDoc(ctx context.Context, name string) (*valuation.Document, workspace.Document, error) {
	d, err := s.doc(ctx, workspace.KindValuation, name)
	if err != nil {
		return nil, d, err
	}
	v, err := valuation.Parse([]byte(d.Body), false)
	if err != nil {
		return nil, d, &docError{d.Kind, d.Name, err}
	}
	return v, d, nil
}

// valuationMethods are the methods of /api/valuation/{method}.
func valuationMethods() []string {
	return append(append([]string{}, valuation.Methods...), "football-field")
}

// valuate runs one method ("football-field" for the football field).
func (s *server) valuate(ctx context.Context, name, method string) (any, error) {
	ok := false
	for _, m := range valuationMethods() {
		ok = ok || m == method
	}
	if !ok {
		return nil, badf("method", "unknown method %q (want one of %s)", method, strings.Join(valuationMethods(), ", "))
	}
	v, d, err := s.valuationDoc(ctx, name)
	if err != nil {
		return nil, err
	}
	var r any
	if method == "football-field" {
		r, err = valuation.FootballField(v)
	} else {
		r, err = valuation.Run(v, method)
	}
	if err != nil {
		return nil, &docError{d.Kind, d.Name, err}
	}
	return r, nil
}

// runwayProject projects the runway plan under a scenario.
func (s *server) runwayProject(ctx context.Context, name, scenario string, raiseMonths int) (*runway.Result, error) {
	d, err := s.doc(ctx, workspace.KindRunway, name)
	if err != nil {
		return nil, err
	}
	p, err := workspace.ParseRunwayPlan([]byte(d.Body))
	if err != nil {
		return nil, &docError{d.Kind, d.Name, err}
	}
	if raiseMonths < 0 || raiseMonths > 36 {
		return nil, badf("raise_months", "%d: want 1 to 36", raiseMonths)
	}
	if scenario == "" {
		scenario = "base"
	}
	r, err := runway.Project(p, runway.Options{Scenario: scenario, RaiseMonths: raiseMonths})
	if err != nil {
		if strings.Contains(err.Error(), "scenario") {
			return nil, badf("scenario", "%v", err)
		}
		return nil, &docError{d.Kind, d.Name, err}
	}
	return r, nil
}

// ChannelsQuery is the input of GET /api/channels.
type ChannelsQuery struct {
	Stage, Amount, Priority   string
	HasRevenue, HasCollateral bool
	China, US                 bool
	USSet                     bool
}

// channels ranks financing channels, with the workspace's channel
// overrides document when there is one.
func (s *server) channels(ctx context.Context, q ChannelsQuery) (*channel.Recommendation, error) {
	var user []byte
	d, err := s.doc(ctx, workspace.KindChannels, "")
	switch {
	case err == nil:
		user = []byte(d.Body)
	case errors.Is(err, workspace.ErrNotFound):
	default:
		return nil, err
	}
	cs, err := channel.Load(user)
	if err != nil {
		return nil, &docError{workspace.KindChannels, d.Name, err}
	}
	if q.Stage == "" {
		return nil, badf("stage", "required (one of %s)", strings.Join(channel.Stages, ", "))
	}
	if q.Amount == "" {
		return nil, badf("amount", "required, with its currency (e.g. ¥20000000 or 3000000 USD)")
	}
	a, err := money.Parse(q.Amount)
	if err != nil {
		return nil, badf("amount", "%v", err)
	}
	p, err := parsePriorities(q.Priority)
	if err != nil {
		return nil, err
	}
	k := channel.Constraints{HasRevenue: q.HasRevenue, HasCollateral: q.HasCollateral, ChinaEntity: q.China, USEntity: q.US}
	if !q.USSet {
		k.USEntity = !k.ChinaEntity
	}
	rec, err := channel.Recommend(cs, channel.Request{Stage: q.Stage, Amount: a, Priorities: p, Constraints: k})
	if err != nil {
		return nil, badf("stage", "%v", err)
	}
	return rec, nil
}

// parsePriorities reads "control=3,speed=2".
func parsePriorities(s string) (channel.Priorities, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	p := channel.Priorities{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, badf("priority", "%q: want name=weight, e.g. control=3", f)
		}
		w, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(w) || math.IsInf(w, 0) {
			return nil, badf("priority", "%q is not a number", v)
		}
		p[strings.ToLower(strings.TrimSpace(k))] = w
	}
	return p, nil
}

// profile reads the first profile document (zero when none or invalid).
func (s *server) profile(ctx context.Context) workspace.Profile {
	d, err := s.doc(ctx, workspace.KindProfile, "")
	if err != nil {
		return workspace.Profile{}
	}
	p, err := workspace.ParseProfile([]byte(d.Body))
	if err != nil {
		return workspace.Profile{}
	}
	return *p
}
