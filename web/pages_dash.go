package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/chart"
	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/channel"
	"github.com/kaiwu-ai/kaiwu/finance/money"
	"github.com/kaiwu-ai/kaiwu/finance/round"
	"github.com/kaiwu-ai/kaiwu/finance/runway"
	"github.com/kaiwu-ai/kaiwu/finance/valuation"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
	"github.com/kaiwu-ai/kaiwu/msg"
	"github.com/kaiwu-ai/kaiwu/web/i18n"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// small chart sizes for the overview cards.
const cardW, cardH = 360, 170

// opts builds chart options in the view's language.
func (v *view) opts(title string, w, h int) chart.Options {
	return chart.Options{Title: title, Lang: string(v.Lang), Width: w, Height: h}
}

// ---- overview ----

type overviewData struct {
	Runway     *runway.Result
	RunwayErr  string
	CashChart  []byte
	Cap        *captable.Table
	CapErr     string
	Founders   decimal.Decimal
	CapChart   []byte
	Train      *ComputeTrainOutput
	ComputeErr string
	SpendChart []byte
	Spend12    money.Money
}

func (s *server) overviewPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.overview", "overview"
	ctx := r.Context()
	d := &overviewData{}
	if !v.Can(string(workspace.KindRunway)) {
		// Not shared with this viewer: no cash, runway or raise cards.
	} else if rr, err := s.runwayProject(ctx, "", "base", 0); err != nil {
		d.RunwayErr = v.errMessage(err)
	} else {
		d.Runway = rr
		d.CashChart = s.cashChart(v, rr, v.T("card.cash_curve"), cardW, cardH)
		// Compute spend: the plan's compute line over the first 12 months.
		cats := []string{}
		vals := []float64{}
		sum := decimal.Zero
		for i, row := range rr.Rows {
			if i >= 12 {
				break
			}
			cats = append(cats, row.Month.String()[2:])
			vals = append(vals, row.Compute.Amount.InexactFloat64())
			sum = sum.Add(row.Compute.Amount)
		}
		d.Spend12 = money.New(sum, rr.Currency)
		d.SpendChart = chart.Bars(chart.BarChart{Options: v.opts(v.T("card.compute_monthly"), cardW, cardH),
			Categories: cats, Series: []chart.BarSeries{{Name: v.T("runway.compute"), Values: vals}},
			Y: chart.Axis{Unit: unitOf(rr.Currency)}})
	}
	if !v.Can(string(workspace.KindCompany)) {
		// Not shared: no ownership card.
	} else if t, _, err := s.capTable(ctx, "", ""); err != nil {
		d.CapErr = v.errMessage(err)
	} else {
		d.Cap = t
		var slices []chart.Slice
		for _, h := range t.Holders {
			if h.Kind == captable.Founder {
				d.Founders = d.Founders.Add(h.FullyDilutedPct)
			}
			slices = append(slices, chart.Slice{Label: h.Name, Value: h.FullyDiluted.InexactFloat64()})
		}
		slices = append(slices, chart.Slice{Label: v.T("captable.pool"), Value: t.UnissuedPool.InexactFloat64()})
		d.CapChart = chart.Donut(chart.DonutChart{Options: v.opts(v.T("card.ownership"), cardW, cardH+40), Slices: slices,
			MaxSlices: 5, Sorted: true, Center: d.Founders.StringFixed(1) + "%", CenterSub: v.T("card.founders")})
	}
	if !v.Can(string(workspace.KindCompute)) {
		// Not shared: no compute card.
	} else if tr, err := s.computeTrain(ctx, ""); err != nil {
		d.ComputeErr = v.errMessage(err)
	} else {
		d.Train = tr
	}
	v.Data = d
	s.render(w, r, v, "overview", http.StatusOK)
}

// cashChart draws the cash curve with the out-of-cash marker and the
// raise window.
func (s *server) cashChart(v *view, rr *runway.Result, title string, w, h int) []byte {
	pts := make([]chart.Point, 0, len(rr.Rows)+1)
	pts = append(pts, chart.Point{X: 0, Y: rr.OpeningCash.Amount.InexactFloat64()})
	for i, row := range rr.Rows {
		pts = append(pts, chart.Point{X: float64(i + 1), Y: row.Cash.Amount.InexactFloat64()})
	}
	lc := chart.LineChart{Options: v.opts(title, w, h), ZeroLine: true,
		X: chart.Axis{MonthsFrom: monthTime(rr.Start)}, Y: chart.Axis{Unit: unitOf(rr.Currency)},
		Series: []chart.Series{{Name: v.T("runway.cash"), Points: pts}}}
	if oc := rr.Runway.OutOfCash; oc != nil {
		lc.Markers = append(lc.Markers, chart.Marker{X: rr.Runway.Months.InexactFloat64(), Label: v.T("runway.out_of_cash"), Alert: true})
	}
	f := rr.Fundraising
	if f.StartBy != nil && f.CloseBy != nil {
		lc.Regions = append(lc.Regions, chart.Region{From: float64(*f.StartBy - rr.Start), To: float64(*f.CloseBy - rr.Start), Label: v.T("runway.raise_window")})
	}
	return chart.Line(lc)
}

// ---- cap table ----

type captableData struct {
	Table  *captable.Table
	Donut  []byte
	Doc    workspace.Document
	Body   string // the editor's text
	Errors []FieldDetail
}

func (s *server) captablePage(w http.ResponseWriter, r *http.Request, v *view) {
	s.captableRender(w, r, v, nil, http.StatusOK)
}

func (s *server) captableRender(w http.ResponseWriter, r *http.Request, v *view, edit *captableData, status int) {
	v.Title, v.Nav = "nav.captable", "captable"
	d := &captableData{}
	t, _, err := s.capTable(r.Context(), "", r.URL.Query().Get("as_of"))
	if err != nil {
		v.Err = v.errMessage(err)
	} else {
		d.Table = t
		var slices []chart.Slice
		for _, h := range t.Holders {
			slices = append(slices, chart.Slice{Label: h.Name, Value: h.FullyDiluted.InexactFloat64()})
		}
		slices = append(slices, chart.Slice{Label: v.T("captable.pool"), Value: t.UnissuedPool.InexactFloat64()})
		d.Donut = chart.Donut(chart.DonutChart{Options: v.opts(v.T("captable.donut"), 520, 300), Slices: slices, MaxSlices: 8,
			Sorted: true, Center: v.F.Count(t.FullyDiluted.InexactFloat64()), CenterSub: v.T("captable.fd")})
	}
	if doc, err := s.doc(r.Context(), workspace.KindCompany, ""); err == nil {
		d.Doc, d.Body = doc, doc.Body
	}
	if edit != nil {
		d.Body, d.Errors = edit.Body, edit.Errors
		d.Doc.Version = edit.Doc.Version
		if d.Doc.Name == "" {
			d.Doc.Name = edit.Doc.Name
		}
	}
	v.Data = d
	s.render(w, r, v, "captable", status)
}

type conflictData struct {
	Yours   string
	Current workspace.Document
	Diff    []diffLine
	Back    string
}

func (s *server) captablePost(w http.ResponseWriter, r *http.Request, v *view) {
	body := strings.ReplaceAll(r.PostForm.Get("body"), "\r\n", "\n")
	name := r.PostForm.Get("name")
	if name == "" {
		name = "main"
	}
	ver, err := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	if err != nil || ver < 0 || !validName(name) {
		s.renderError(w, r, v, http.StatusBadRequest, v.T("error.form"))
		return
	}
	_, err = s.store.Put(r.Context(), workspace.KindCompany, name, body, ver, v.User.Name)
	var ce *workspace.ConflictError
	var be *workspace.BodyError
	switch {
	case err == nil:
		http.Redirect(w, r, "/captable", http.StatusSeeOther)
	case errors.As(err, &ce):
		v.Title, v.Nav = "conflict.title", "captable"
		v.Data = &conflictData{Yours: body, Current: ce.Current, Diff: lineDiff(ce.Current.Body, body), Back: "/captable"}
		s.render(w, r, v, "conflict", http.StatusConflict)
	case errors.As(err, &be):
		ed := &captableData{Body: body, Errors: fieldErrors("body", be.Err)}
		ed.Doc.Version, ed.Doc.Name = ver, name
		v.Err = v.T("captable.invalid")
		s.captableRender(w, r, v, ed, http.StatusUnprocessableEntity)
	default:
		s.log.Error("captable put", "err", err)
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
	}
}

// ---- rounds ----

type roundsData struct {
	Form      RoundRequest
	Rows      []InvestmentInput
	Scenarios []string
	Result    *round.Result
	Scenario  *round.ScenarioResult
	Chart     []byte
	PathChart []byte
}

func (s *server) roundsPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.rounds", "rounds"
	q := r.URL.Query()
	d := &roundsData{Form: RoundRequest{Name: q.Get("name"), PreMoney: q.Get("pre_money"), PoolTarget: q.Get("pool_target"),
		Method: q.Get("method"), Date: q.Get("date"), Scenario: q.Get("scenario")}}
	inv, amt := q["investor"], q["amount"]
	for i := range max(len(inv), len(amt)) {
		var in InvestmentInput
		if i < len(inv) {
			in.Investor = inv[i]
		}
		if i < len(amt) {
			in.Amount = amt[i]
		}
		d.Form.Investments = append(d.Form.Investments, in)
	}
	d.Rows = append(append([]InvestmentInput{}, d.Form.Investments...), InvestmentInput{})
	for len(d.Rows) < 3 {
		d.Rows = append(d.Rows, InvestmentInput{})
	}
	comp, _, err := s.company(r.Context(), "")
	if err != nil {
		v.Err = v.errMessage(err)
		v.Data = d
		s.render(w, r, v, "rounds", http.StatusOK)
		return
	}
	for _, sc := range comp.Scenarios {
		d.Scenarios = append(d.Scenarios, sc.Name)
	}
	status := http.StatusOK
	if d.Form.PreMoney != "" || d.Form.Scenario != "" {
		res, sr, err := s.applyRound(r.Context(), &d.Form)
		switch {
		case err != nil:
			v.Err = v.errMessage(err)
			status = http.StatusUnprocessableEntity
		case sr != nil:
			d.Scenario = sr
			var series []chart.Series
			for _, p := range sr.Founders {
				pts := make([]chart.Point, len(p.Points))
				for i, x := range p.Points {
					pts[i] = chart.Point{X: float64(i), Y: x.InexactFloat64() / 100}
				}
				series = append(series, chart.Series{Name: p.Name, Points: pts})
			}
			// Labels are "start" (the domain's English), then the rounds' names.
			labels := append([]string{v.T("rounds.start")}, sr.Labels[min(1, len(sr.Labels)):]...)
			d.PathChart = chart.Line(chart.LineChart{Options: v.opts(v.T("rounds.path"), 720, 320), Series: series,
				X: chart.Axis{Label: strings.Join(labels, " → ")}, Y: chart.Axis{Unit: chart.Percent}})
		default:
			d.Result = res
			d.Chart = dilutionChart(v, res)
		}
	}
	v.Data = d
	s.render(w, r, v, "rounds", status)
}

// dilutionChart is grouped bars of fully diluted ownership before and
// after a round, per holder.
func dilutionChart(v *view, res *round.Result) []byte {
	var cats []string
	var before, after []float64
	for _, x := range res.Dilution {
		cats = append(cats, x.Name)
		before = append(before, x.Before.InexactFloat64()/100)
		after = append(after, x.After.InexactFloat64()/100)
	}
	cats = append(cats, v.T("captable.pool"))
	before = append(before, res.Before.UnissuedPoolHolderPct.InexactFloat64()/100)
	after = append(after, res.After.UnissuedPoolHolderPct.InexactFloat64()/100)
	return chart.Bars(chart.BarChart{Options: v.opts(v.T("rounds.dilution"), 760, 360), Categories: cats,
		Series: []chart.BarSeries{{Name: v.T("rounds.before"), Values: before}, {Name: v.T("rounds.after"), Values: after}},
		Y:      chart.Axis{Unit: chart.Percent}})
}

// ---- exits ----

type exitsData struct {
	Exit      string
	Waterfall *WaterfallOutput
	Curves    *ExitsOutput
	Holders   []holderPay
	BarChart  []byte
	Curve     []byte
}

type holderPay struct {
	Name   string
	Payout decimal.Decimal
	Pct    decimal.Decimal
}

func (s *server) exitsPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.exits", "exits"
	d := &exitsData{Exit: strings.TrimSpace(r.URL.Query().Get("exit"))}
	v.Data = d
	comp, _, err := s.company(r.Context(), "")
	if err != nil {
		v.Err = v.errMessage(err)
		s.render(w, r, v, "exits", http.StatusOK)
		return
	}
	if d.Exit == "" {
		d.Exit = "100M"
		if comp.Currency == money.CNY {
			d.Exit = "10亿"
		}
	}
	wf, err := s.waterfallAt(r.Context(), "", r.URL.Query().Get("as_of"), d.Exit)
	if err != nil {
		v.Err = v.errMessage(err)
		s.render(w, r, v, "exits", http.StatusUnprocessableEntity)
		return
	}
	d.Waterfall = wf
	parts := make([]decimal.Decimal, len(wf.Holders))
	for i, h := range wf.Holders {
		parts[i] = h.Payout
	}
	pcts := captable.Percentages(parts, 2)
	for i, h := range wf.Holders {
		d.Holders = append(d.Holders, holderPay{h.Holder, h.Payout, pcts[i]})
	}
	sort.SliceStable(d.Holders, func(a, b int) bool { return d.Holders[a].Payout.GreaterThan(d.Holders[b].Payout) })
	var cats []string
	var vals []float64
	for _, h := range d.Holders {
		cats = append(cats, h.Name)
		vals = append(vals, h.Payout.InexactFloat64())
	}
	unit := unitOf(comp.Currency)
	d.BarChart = chart.Bars(chart.BarChart{Options: v.opts(v.T("exits.payouts")+" @ "+v.F.Money(comp.Currency, wf.Exit), 760, 340),
		Categories: cats, Series: []chart.BarSeries{{Name: v.T("exits.payout"), Values: vals}}, Y: chart.Axis{Unit: unit}, ValueLabels: true})
	to := wf.Exit.Mul(decimal.NewFromInt(2))
	if !to.IsPositive() {
		to = decimal.NewFromInt(100_000_000)
	}
	cr, err := s.exitCurve(r.Context(), "", r.URL.Query().Get("as_of"), "0", to.String(), 41)
	if err == nil {
		d.Curves = cr
		var series []chart.Series
		for _, h := range cr.Holders {
			pts := make([]chart.Point, len(cr.Exits))
			for i, x := range cr.Exits {
				pts[i] = chart.Point{X: x.InexactFloat64(), Y: h.Payouts[i].InexactFloat64()}
			}
			series = append(series, chart.Series{Name: h.Name, Points: pts})
		}
		var marks []chart.Marker
		for _, bp := range cr.Breakpoints {
			marks = append(marks, chart.Marker{X: bp.Exit.InexactFloat64(), Label: v.F.Money(comp.Currency, bp.Exit)})
		}
		if len(marks) > 8 {
			marks = marks[:8]
		}
		d.Curve = chart.Line(chart.LineChart{Options: v.opts(v.T("exits.curves"), 760, 400), Series: series, Markers: marks,
			X: chart.Axis{Label: v.T("exits.exit"), Unit: unit}, Y: chart.Axis{Label: v.T("exits.payout"), Unit: unit}})
	}
	s.render(w, r, v, "exits", http.StatusOK)
}

// Note renders a domain note in the page's language from the catalogue
// entry prefix+code ("note.exit.", "note.waterfall."); a code the
// catalogue lacks shows the note's English text.
func (v *view) Note(prefix string, n msg.Note) string {
	if !i18n.Has(prefix + n.Code) {
		return n.Text
	}
	return msg.Format(v.T(prefix+n.Code), n.Args)
}

// Breakpoint is a breakpoint's events in the page's language.
func (v *view) Breakpoint(bp waterfall.Breakpoint) string {
	sep := "; "
	if v.Lang == i18n.ZH {
		sep = "；"
	}
	ls := make([]string, len(bp.Events))
	for i, e := range bp.Events {
		ls[i] = v.Note("note.waterfall.", e.Note())
	}
	return strings.Join(ls, sep)
}

// ---- valuation ----

type valuationData struct {
	Field *valuation.Field
	Chart []byte
}

func (s *server) valuationPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.valuation", "valuation"
	d := &valuationData{}
	v.Data = d
	res, err := s.valuate(r.Context(), "", "football-field")
	if err != nil {
		v.Err = v.errMessage(err)
		s.render(w, r, v, "valuation", http.StatusOK)
		return
	}
	f := res.(*valuation.Field)
	d.Field = f
	var ranges []chart.Range
	for _, b := range f.Bars {
		ranges = append(ranges, chart.Range{Label: v.T("valuation.method." + b.Method), Low: b.Low.Amount.InexactFloat64(),
			Mid: b.Mid.Amount.InexactFloat64(), High: b.High.Amount.InexactFloat64()})
	}
	d.Chart = chart.RangeBars(chart.RangeChart{Options: v.opts(v.T("valuation.football"), 720, 0), Ranges: ranges,
		Band: &chart.Band{Low: f.Overall.Low.Amount.InexactFloat64(), High: f.Overall.High.Amount.InexactFloat64(), Label: v.T("valuation.overall")},
		Axis: chart.Axis{Unit: unitOf(f.Currency)}})
	s.render(w, r, v, "valuation", http.StatusOK)
}

// ---- runway ----

type runwayData struct {
	Scenario  string
	Scenarios []string
	Result    *runway.Result
	Chart     []byte
}

func (s *server) runwayPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.runway", "runway"
	d := &runwayData{Scenario: r.URL.Query().Get("scenario"), Scenarios: []string{"base", "bull", "bear"}}
	if d.Scenario == "" {
		d.Scenario = "base"
	}
	v.Data = d
	rr, err := s.runwayProject(r.Context(), "", d.Scenario, 0)
	if err != nil {
		v.Err = v.errMessage(err)
		status := http.StatusOK
		var pe *paramError
		if errors.As(err, &pe) {
			status = http.StatusBadRequest
		}
		s.render(w, r, v, "runway", status)
		return
	}
	d.Result = rr
	d.Chart = s.cashChart(v, rr, v.T("runway.cash_curve"), 760, 360)
	s.render(w, r, v, "runway", http.StatusOK)
}

// ---- compute ----

type computeData struct {
	Train       *ComputeTrainOutput
	TrainErr    string
	Memory      *ComputeMemoryOutput
	MemoryErr   string
	MemoryChart []byte
	Serve       *ComputeServeOutput
	ServeErr    string
	ServeChart  []byte
	Rows        []serve.Row
}

func (s *server) computePage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.compute", "compute"
	ctx := r.Context()
	d := &computeData{}
	v.Data = d
	if _, _, err := s.computePlan(ctx, ""); err != nil {
		v.Err = v.errMessage(err)
		s.render(w, r, v, "compute", http.StatusOK)
		return
	}
	if t, err := s.computeTrain(ctx, ""); err != nil {
		d.TrainErr = v.errMessage(err)
	} else {
		d.Train = t
	}
	if m, err := s.computeMemory(ctx, ""); err != nil {
		d.MemoryErr = v.errMessage(err)
	} else {
		d.Memory = m
		gb := func(x float64) []float64 { return []float64{x / 1e9} }
		d.MemoryChart = chart.Bars(chart.BarChart{Options: v.opts(v.T("compute.memory_chart"), 420, 320), Stacked: true, ValueLabels: true,
			Categories: []string{m.Layout.String()},
			Series: []chart.BarSeries{{Name: v.T("compute.weights"), Values: gb(m.Weights)}, {Name: v.T("compute.grads"), Values: gb(m.Gradients)},
				{Name: v.T("compute.optimizer"), Values: gb(m.Optimizer)}, {Name: v.T("compute.activations"), Values: gb(m.Activations)},
				{Name: v.T("compute.overhead"), Values: gb(m.Overhead)}},
			Y: chart.Axis{Label: "GB"}})
	}
	if sv, err := s.computeServe(ctx, ""); err != nil {
		d.ServeErr = v.errMessage(err)
	} else {
		d.Serve = sv
		d.Rows = sv.Rows
		var cats []string
		var cost []float64
		for _, row := range sv.Rows {
			if !row.Fits {
				continue
			}
			cats = append(cats, strconv.Itoa(row.Batch))
			cost = append(cost, row.CostPerMOutput.Amount.InexactFloat64())
		}
		series := []chart.BarSeries{{Name: v.T("compute.cost_out"), Values: cost}}
		d.ServeChart = chart.Bars(chart.BarChart{Options: v.opts(v.T("compute.serve_chart"), 520, 320), Categories: cats, Series: series,
			X: chart.Axis{Label: v.T("compute.batch")}, Y: chart.Axis{Unit: unitOf(sv.GPUPrice.Currency)}})
	}
	s.render(w, r, v, "compute", http.StatusOK)
}

// ---- channels ----

type channelsData struct {
	Stage, Amount string
	China         bool
	Stages        []string
	Result        *channel.Recommendation
}

// Pick chooses the text in the page's language.
func (v *view) Pick(t channel.Text) string {
	if v.Lang == i18n.ZH && t.ZH != "" {
		return t.ZH
	}
	return t.EN
}

func (s *server) channelsPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.channels", "channels"
	q := r.URL.Query()
	d := &channelsData{Stage: q.Get("stage"), Amount: q.Get("amount"), Stages: channel.Stages}
	d.China, _ = boolParam(q.Get("china"))
	v.Data = d
	if d.Stage == "" && d.Amount == "" {
		// Default from the profile: its stage and currency.
		p := s.profile(r.Context())
		d.Stage, d.Amount = "seed", "¥20000000"
		if st, err := channel.ParseStage(p.Stage); err == nil {
			d.Stage = st
		}
		if p.Currency == "USD" {
			d.Amount = "$3000000"
		} else if p.Currency == "CNY" {
			d.China = true
		}
	}
	cq := channelsQuery(q.Get)
	cq.Stage, cq.Amount, cq.China = d.Stage, d.Amount, d.China
	rec, err := s.channels(r.Context(), cq)
	if err != nil {
		v.Err = v.errMessage(err)
		s.render(w, r, v, "channels", http.StatusUnprocessableEntity)
		return
	}
	d.Result = rec
	s.render(w, r, v, "channels", http.StatusOK)
}

// ---- history ----

type historyEntry struct {
	workspace.AuditEntry
	Diff []diffLine
}

func (s *server) historyPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.history", "history"
	h, err := s.history(r.Context(), "", "", 200)
	if err != nil {
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	es := make([]historyEntry, len(h))
	for i, e := range h {
		es[i] = historyEntry{AuditEntry: e, Diff: changed(lineDiff(e.Before, e.After), 2)}
	}
	v.Data = es
	s.render(w, r, v, "history", http.StatusOK)
}

// ---- users and account ----

type usersData struct {
	Users []workspace.User
	Form  UserRequest
}

func (s *server) usersPage(w http.ResponseWriter, r *http.Request, v *view) {
	s.usersRender(w, r, v, UserRequest{Role: workspace.RoleViewer}, http.StatusOK)
}

func (s *server) usersRender(w http.ResponseWriter, r *http.Request, v *view, form UserRequest, status int) {
	v.Title, v.Nav = "nav.users", "users"
	us, err := s.store.Users(r.Context())
	if err != nil {
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	form.Password = ""
	v.Data = &usersData{Users: us, Form: form}
	s.render(w, r, v, "users", status)
}

func (s *server) usersPost(w http.ResponseWriter, r *http.Request, v *view) {
	q := UserRequest{Name: r.PostForm.Get("name"), Password: r.PostForm.Get("password"), Role: workspace.Role(r.PostForm.Get("role"))}
	if errs := q.check(); len(errs) > 0 {
		var msg []string
		for _, e := range errs {
			msg = append(msg, e.Field+": "+e.Detail)
		}
		v.Err = strings.Join(msg, "; ")
		s.usersRender(w, r, v, q, http.StatusUnprocessableEntity)
		return
	}
	if _, err := s.store.CreateUser(r.Context(), q.Name, q.Password, q.Role); err != nil {
		if errors.Is(err, workspace.ErrExists) {
			v.Err = v.T("users.exists")
			s.usersRender(w, r, v, q, http.StatusConflict)
			return
		}
		s.log.Error("create user", "err", err)
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	http.Redirect(w, r, "/users", http.StatusSeeOther)
}

type accountData struct {
	Token, Label string
}

func (s *server) accountPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.account", "account"
	v.Data = &accountData{}
	s.render(w, r, v, "account", http.StatusOK)
}

func (s *server) tokenPost(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title, v.Nav = "nav.account", "account"
	label := strings.TrimSpace(r.PostForm.Get("label"))
	if label == "" || len(label) > 100 {
		v.Err = v.T("account.label")
		v.Data = &accountData{}
		s.render(w, r, v, "account", http.StatusUnprocessableEntity)
		return
	}
	tok, err := s.store.CreateToken(r.Context(), v.User.ID, label)
	if err != nil {
		s.log.Error("token", "err", err)
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	v.Data = &accountData{Token: tok, Label: label}
	s.render(w, r, v, "account", http.StatusOK)
}
