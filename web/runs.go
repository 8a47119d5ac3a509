package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kaiwu-ai/kaiwu/chart"
	"github.com/kaiwu-ai/kaiwu/engine/recipes"
	"github.com/kaiwu-ai/kaiwu/lifecycle"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// Training runs: the API (/api/runs…, /api/recipes) and the "Models"
// pages (/runs, /runs/{id}) over a lifecycle.Manager. Owners and editors
// read, start and cancel runs; a viewer reads them only when the owner
// shares them (workspace.KindRuns on the sharing page), and otherwise
// gets 404 from every read route, as for a hidden document kind.

// runRoutes are the API routes of runs, part of apiRoutes.
func (s *server) runRoutes() []apiRoute {
	V, E, R := workspace.RoleViewer, workspace.RoleEditor, workspace.KindRuns
	return []apiRoute{
		{"GET /api/recipes", s.apiHandler(V, s.apiKind(R, s.apiRecipes))},
		{"GET /api/runs", s.apiHandler(V, s.apiKind(R, s.apiRuns))},
		{"POST /api/runs", s.apiHandler(E, s.apiStartRun)},
		{"GET /api/runs/{id}", s.apiHandler(V, s.apiKind(R, s.apiRun))},
		{"POST /api/runs/{id}/cancel", s.apiHandler(E, s.apiCancelRun)},
		{"GET /api/runs/{id}/events", s.apiHandler(V, s.apiKind(R, s.apiRunEvents))},
	}
}

// runPageRoutes registers the Models pages.
func (s *server) runPageRoutes() {
	V, E, R := workspace.RoleViewer, workspace.RoleEditor, workspace.KindRuns
	s.mux.Handle("GET /runs", s.page(V, s.pageKind(R, s.runsPage)))
	s.mux.Handle("POST /runs", s.page(E, s.runsPost))
	s.mux.Handle("GET /runs/{id}", s.page(V, s.pageKind(R, s.runPage)))
	s.mux.Handle("POST /runs/{id}/cancel", s.page(E, s.runCancelPost))
}

// runPageNames are the templates of the Models pages.
var runPageNames = []string{"runs", "runs_detail"}

// addRunPages parses the Models page templates into ps.
func (ps *pageSet) addRunPages() {
	funcs := template.FuncMap{
		"svg":  func(b []byte) template.HTML { return template.HTML(b) }, // chart output is escaped by package chart
		"list": func(xs ...string) []string { return xs },
	}
	for _, n := range runPageNames {
		ps.t[n] = template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html"))
	}
}

// RecipesResponse is GET /api/recipes.
type RecipesResponse struct {
	Recipes []lifecycle.Recipe `json:"recipes"`
	// MaxRuns is the most runs that may be live at once.
	MaxRuns int `json:"max_runs"`
}

func (s *server) apiRecipes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, RecipesResponse{Recipes: s.runs.Recipes(), MaxRuns: s.runs.MaxRuns()})
}

func (s *server) apiRuns(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		var err error
		if limit, err = strconv.Atoi(l); err != nil || limit < 0 || limit > 10000 {
			badParam(w, r, "limit", "want 0..10000 (0: all)")
			return
		}
	}
	rs, err := s.runs.List(r.Context(), limit)
	s.reply(w, r, rs, err)
}

// runError answers the problem that fits a lifecycle error.
func (s *server) runError(w http.ResponseWriter, r *http.Request, err error) {
	var ce *lifecycle.ConfigError
	switch {
	case errors.As(err, &ce):
		p := Problem{Type: problemType("bad-request"), Title: "Bad request", Status: http.StatusBadRequest, Detail: err.Error()}
		for _, f := range ce.Fields {
			p.Errors = append(p.Errors, FieldDetail{Field: f.Field, Detail: f.Detail})
		}
		writeProblem(w, r, p)
	case errors.Is(err, lifecycle.ErrBusy):
		problem(w, r, http.StatusConflict, "busy", err.Error())
	case errors.Is(err, lifecycle.ErrUnavailable):
		writeProblem(w, r, Problem{Type: problemType("unavailable"), Title: "Recipe data missing",
			Status: http.StatusUnprocessableEntity, Detail: err.Error(), Errors: []FieldDetail{{Field: "recipe", Detail: err.Error()}}})
	case errors.Is(err, lifecycle.ErrNotLive):
		problem(w, r, http.StatusConflict, "conflict", err.Error())
	default:
		s.fail(w, r, err)
	}
}

func (s *server) apiStartRun(w http.ResponseWriter, r *http.Request) {
	var c lifecycle.Config
	if !readJSON(w, r, &c) {
		return
	}
	run, err := s.runs.Start(r.Context(), c, who(r).User.Name)
	if err != nil {
		s.runError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/runs/"+strconv.FormatInt(run.ID, 10))
	writeJSON(w, http.StatusCreated, run)
}

// runID reads {id}; false when it answered.
func runID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		badParam(w, r, "id", "want a run number (1, 2, …)")
		return 0, false
	}
	return id, true
}

func (s *server) apiRun(w http.ResponseWriter, r *http.Request) {
	id, ok := runID(w, r)
	if !ok {
		return
	}
	run, err := s.runs.Get(r.Context(), id)
	s.reply(w, r, run, err)
}

func (s *server) apiCancelRun(w http.ResponseWriter, r *http.Request) {
	id, ok := runID(w, r)
	if !ok {
		return
	}
	run, err := s.runs.Cancel(r.Context(), id)
	if err != nil {
		s.runError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, run)
}

// sseHeartbeat is how often an idle event stream sends a comment, so
// that proxies keep it open.
const sseHeartbeat = 15 * time.Second

// apiRunEvents streams a run's progress as Server-Sent Events: first a
// "state" event (the run as GET /api/runs/{id} returns it), then a
// "progress" event per report, and last an "end" event with the
// finished run, after which the stream closes. For a finished run the
// stream is the "end" event alone.
func (s *server) apiRunEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := runID(w, r)
	if !ok {
		return
	}
	cur, events, stop, err := s.runs.Subscribe(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer stop()
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // the stream outlives the server's write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	send := func(event string, v any) bool {
		b, err := json.Marshal(v)
		if err != nil {
			s.log.Error("run events", "run", id, "err", err)
			return false
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if events == nil {
		send("end", cur)
		return
	}
	if !send("state", cur) {
		return
	}
	tick := time.NewTicker(sseHeartbeat)
	defer tick.Stop()
	for {
		select {
		case ev, open := <-events:
			if !open {
				final, err := s.runs.Get(context.WithoutCancel(r.Context()), id)
				if err != nil {
					s.log.Error("run events", "run", id, "err", err)
					return
				}
				send("end", final)
				return
			}
			if !send("progress", ev.Progress) {
				return
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case <-r.Context().Done():
			return
		}
	}
}

// ---- pages ----

// runRow is one run in the list.
type runRow struct {
	lifecycle.Run
	Metric   string // the key metric, formatted ("89.12%"), or ""
	Duration string
	// Live is true while the run is queued or running; Percent is then
	// its progress in whole percent (runs.js moves both).
	Live    bool
	Percent int
}

type runsData struct {
	Runs []runRow
	// AnyLive is true when a run of the list is queued or running.
	AnyLive bool
	Recipes []lifecycle.Recipe
	// Form is what the start form shows (the last values on an error).
	Form lifecycle.Config
	// Errors are the start form's field errors.
	Errors map[string]string
}

type runData struct {
	Run      lifecycle.Run
	Metric   string
	Baseline string
	Duration string
	Chart    []byte
	// Report is the recipe's result (history, samples) when it has one.
	Report *recipes.Result
	// History is a dozen of the report's evaluations, for the table.
	History []recipes.EpochLog
	// Live is true while the run is queued or running.
	Live bool
	// Percent is the progress in whole percent.
	Percent int
	ETA     string
}

// fmtDuration formats seconds as "1h 02m", "3m 05s" or "4.2 s".
func fmtDuration(sec float64) string {
	if sec <= 0 || math.IsNaN(sec) || math.IsInf(sec, 0) {
		return "—"
	}
	d := time.Duration(sec * float64(time.Second))
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return strconv.FormatFloat(sec, 'f', 1, 64) + " s"
}

func (s *server) runsPage(w http.ResponseWriter, r *http.Request, v *view) {
	s.runsRender(w, r, v, http.StatusOK, lifecycle.Config{Recipe: "tabular"}, nil)
}

func (s *server) runsRender(w http.ResponseWriter, r *http.Request, v *view, status int, form lifecycle.Config, errs map[string]string) {
	v.Title, v.Nav = "nav.runs", "runs"
	rs, err := s.runs.List(r.Context(), 200)
	if err != nil {
		s.log.Error("runs", "err", err)
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	d := &runsData{Recipes: s.runs.Recipes(), Form: form, Errors: errs}
	now := time.Now()
	for _, run := range rs {
		row := runRow{Run: run, Duration: fmtDuration(run.Duration(now).Seconds()), Live: !run.Status.Final()}
		if p := run.Progress; p != nil {
			row.Percent = int(100 * p.Fraction())
		}
		d.AnyLive = d.AnyLive || row.Live
		if run.Metrics != nil {
			row.Metric = v.T("runs.metric."+run.Metrics.Metric) + " " + lifecycle.FormatMetric(run.Metrics.Metric, run.Metrics.Value)
		}
		d.Runs = append(d.Runs, row)
	}
	v.Data = d
	s.render(w, r, v, "runs", status)
}

// formInt reads an optional whole-number form field into *dst.
func formInt(r *http.Request, field string, dst *int, errs map[string]string) {
	if s := strings.TrimSpace(r.PostForm.Get(field)); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs[field] = "not a whole number"
			return
		}
		*dst = n
	}
}

// runsPost starts a run from the form and shows it.
func (s *server) runsPost(w http.ResponseWriter, r *http.Request, v *view) {
	f := r.PostForm
	c := lifecycle.Config{Recipe: f.Get("recipe")}
	errs := map[string]string{}
	formInt(r, "epochs", &c.Epochs, errs)
	formInt(r, "steps", &c.Steps, errs)
	formInt(r, "batch", &c.Batch, errs)
	formInt(r, "threads", &c.Threads, errs)
	formInt(r, "train_limit", &c.TrainLimit, errs)
	formInt(r, "test_limit", &c.TestLimit, errs)
	if x := strings.TrimSpace(f.Get("lr")); x != "" {
		lr, err := strconv.ParseFloat(x, 64)
		if err != nil {
			errs["lr"] = "not a number"
		}
		c.LR = lr
	}
	if x := strings.TrimSpace(f.Get("seed")); x != "" {
		seed, err := strconv.ParseUint(x, 10, 64)
		if err != nil {
			errs["seed"] = "not a whole number"
		}
		c.Seed = seed
	}
	if len(errs) > 0 {
		v.Err = v.T("runs.form_error")
		s.runsRender(w, r, v, http.StatusBadRequest, c, errs)
		return
	}
	run, err := s.runs.Start(r.Context(), c, v.User.Name)
	if err != nil {
		var ce *lifecycle.ConfigError
		status := http.StatusInternalServerError
		switch {
		case errors.As(err, &ce):
			status = http.StatusBadRequest
			for _, fe := range ce.Fields {
				errs[fe.Field] = fe.Detail
			}
			v.Err = v.T("runs.form_error")
		case errors.Is(err, lifecycle.ErrBusy):
			status, v.Err = http.StatusConflict, v.T("runs.busy")+" "+err.Error()
		case errors.Is(err, lifecycle.ErrUnavailable):
			status, v.Err = http.StatusUnprocessableEntity, err.Error()
		default:
			s.log.Error("start run", "err", err)
			v.Err = v.T("error.internal")
		}
		s.runsRender(w, r, v, status, c, errs)
		return
	}
	http.Redirect(w, r, "/runs/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
}

// pageRunID reads {id} for a page; false when it answered (404).
func (s *server) pageRunID(w http.ResponseWriter, r *http.Request, v *view) (lifecycle.Run, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.not_found"))
		return lifecycle.Run{}, false
	}
	run, err := s.runs.Get(r.Context(), id)
	if err != nil {
		if errors.Is(err, workspace.ErrNotFound) {
			s.renderError(w, r, v, http.StatusNotFound, v.T("error.not_found"))
		} else {
			s.log.Error("run", "run", id, "err", err)
			s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		}
		return lifecycle.Run{}, false
	}
	return run, true
}

func (s *server) runPage(w http.ResponseWriter, r *http.Request, v *view) {
	run, ok := s.pageRunID(w, r, v)
	if !ok {
		return
	}
	v.Title, v.Nav = "runs.detail", "runs"
	d := &runData{Run: run, Live: !run.Status.Final(), Duration: fmtDuration(run.Duration(time.Now()).Seconds())}
	if m := run.Metrics; m != nil {
		d.Metric = lifecycle.FormatMetric(m.Metric, m.Value)
		d.Baseline = lifecycle.FormatMetric(m.Metric, m.Baseline)
		if m.Metric == "r2" || m.Metric == "solved" {
			d.Baseline = "MSE " + strconv.FormatFloat(m.Baseline, 'f', 4, 64)
		}
	}
	if p := run.Progress; p != nil {
		d.Percent = int(100 * p.Fraction())
		d.ETA = fmtDuration(p.ETASeconds)
	}
	if len(run.Report) > 0 {
		var res recipes.Result
		if json.Unmarshal(run.Report, &res) == nil {
			d.Report = &res
		}
	}
	if len(run.Curve) > 1 {
		d.Chart = runChart(v, run, d.Report)
	}
	if d.Report != nil {
		// The table shows about a dozen evaluations: every k-th and the
		// last (the chart has them all).
		h := d.Report.History
		k := max(1, (len(h)+11)/12)
		for i, e := range h {
			if i%k == k-1 || i == len(h)-1 {
				d.History = append(d.History, e)
			}
		}
	}
	v.Data = d
	s.render(w, r, v, "runs_detail", http.StatusOK)
}

// runChart draws the training loss by step, with the held-out loss of
// each evaluation when the report has them.
func runChart(v *view, run lifecycle.Run, rep *recipes.Result) []byte {
	pts := make([]chart.Point, len(run.Curve))
	for i, p := range run.Curve {
		pts[i] = chart.Point{X: float64(p.Step), Y: p.Loss}
	}
	series := []chart.Series{{Name: v.T("runs.train_loss"), Points: pts}}
	if rep != nil && len(rep.History) > 0 {
		var test []chart.Point
		for _, h := range rep.History {
			test = append(test, chart.Point{X: float64(h.Step), Y: h.TestLoss})
		}
		series = append(series, chart.Series{Name: v.T("runs.test_loss"), Points: test})
	}
	o := v.opts(v.T("runs.chart"), 720, 320)
	o.HideTitle = true // the page's heading says it
	return chart.Line(chart.LineChart{Options: o, Series: series,
		X: chart.Axis{Label: v.T("runs.step")}, Y: chart.Axis{Label: v.T("runs.loss")}})
}

func (s *server) runCancelPost(w http.ResponseWriter, r *http.Request, v *view) {
	run, ok := s.pageRunID(w, r, v)
	if !ok {
		return
	}
	if _, err := s.runs.Cancel(r.Context(), run.ID); err != nil && !errors.Is(err, lifecycle.ErrNotLive) {
		s.log.Error("cancel run", "run", run.ID, "err", err)
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	http.Redirect(w, r, "/runs/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
}
