package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// runReq is a JSON write to the API as name with its CSRF token.
func (h *harness) runReq(name, method, path, body string) *httptest.ResponseRecorder {
	h.tb.Helper()
	cookie, csrf := h.session(name)
	return h.do(req{method: method, path: path, body: body, ctype: "application/json", cookie: cookie,
		headers: map[string]string{csrfHeader: csrf}})
}

// waitRun waits (at most a minute) for run id to finish.
func (h *harness) waitRun(id int64) lifecycle.Run {
	h.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := h.srv.runs.Wait(ctx, id); err != nil {
		h.tb.Fatalf("run %d: %v", id, err)
	}
	r, err := h.srv.runs.Get(ctx, id)
	if err != nil {
		h.tb.Fatal(err)
	}
	return r
}

func decodeRun(t *testing.T, w *httptest.ResponseRecorder) lifecycle.Run {
	t.Helper()
	var r lifecycle.Run
	if err := json.Unmarshal(w.Body.Bytes(), &r); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	return r
}

func TestRunsAPI(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.runReq("ed", "POST", "/api/runs", `{"recipe":"tabular","epochs":2,"seed":3}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	r := decodeRun(t, w)
	if r.ID != 1 || r.CreatedBy != "ed" || r.Config.Seed != 3 || r.Config.Batch != 32 || w.Header().Get("Location") != "/api/runs/1" {
		t.Fatalf("started %+v, Location %q", r, w.Header().Get("Location"))
	}
	h.waitRun(r.ID)
	h.shareRuns(true) // viewers read runs once the owner shares them
	cookie, _ := h.session("vic")
	w = h.do(req{path: "/api/runs/1", cookie: cookie})
	got := decodeRun(t, w)
	if w.Code != 200 || got.Status != lifecycle.StatusSucceeded || got.Metrics == nil || got.Metrics.Metric != "r2" ||
		len(got.Curve) != 100 || len(got.Report) == 0 {
		t.Fatalf("GET run: %d %+v", w.Code, got)
	}
	w = h.do(req{path: "/api/runs", cookie: cookie})
	var list []lifecycle.Run
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil || len(list) != 1 || list[0].ID != 1 || list[0].Curve != nil {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	w = h.do(req{path: "/api/recipes", cookie: cookie})
	var rec RecipesResponse
	if err := json.Unmarshal(w.Body.Bytes(), &rec); err != nil || len(rec.Recipes) != 5 || rec.MaxRuns != 1 || rec.Recipes[0].Defaults.Epochs != 60 {
		t.Fatalf("recipes: %d %s", w.Code, w.Body)
	}
	// A finished run's event stream is its final state.
	w = h.do(req{path: "/api/runs/1/events", cookie: cookie})
	if ct := w.Header().Get("Content-Type"); ct != "text/event-stream" || !strings.HasPrefix(w.Body.String(), "event: end\ndata: {") {
		t.Fatalf("events of a finished run: %q %.80q", ct, w.Body)
	}
	// Cancelling a finished run conflicts.
	w = h.runReq("olga", "POST", "/api/runs/1/cancel", "")
	if p := problemOf(t, w); w.Code != http.StatusConflict || !strings.Contains(p.Detail, "succeeded") {
		t.Fatalf("cancel of a finished run: %d %+v", w.Code, p)
	}
}

// shareRuns shares the training runs with viewers (or hides them), as
// the owner.
func (h *harness) shareRuns(on bool) {
	h.tb.Helper()
	if err := h.store.SetSharing(context.Background(), workspace.KindRuns, on, "olga"); err != nil {
		h.tb.Fatal(err)
	}
}

func TestRunsAPIErrors(t *testing.T) {
	h := newHarness(t, Options{})
	h.shareRuns(true)
	cases := []struct {
		who, method, path, body string
		status                  int
		field                   string
	}{
		{"vic", "POST", "/api/runs", `{"recipe":"tabular"}`, http.StatusForbidden, ""},
		{"vic", "POST", "/api/runs/1/cancel", ``, http.StatusForbidden, ""},
		{"ed", "POST", "/api/runs", `{"recipe":"tabular","epochs":-1,"lr":3}`, http.StatusBadRequest, "epochs"},
		{"ed", "POST", "/api/runs", `{"recipe":"resnet"}`, http.StatusBadRequest, "recipe"},
		{"ed", "POST", "/api/runs", `{"recipe":"poetry-gpt","epochs":2}`, http.StatusBadRequest, "epochs"},
		{"ed", "POST", "/api/runs", `{"recipe":"tabular","epoch":2}`, http.StatusBadRequest, "body"},
		{"ed", "POST", "/api/runs", `{"recipe":"tabular","batch":"big"}`, http.StatusBadRequest, "body"},
		{"vic", "GET", "/api/runs/99", ``, http.StatusNotFound, ""},
		{"vic", "GET", "/api/runs/99/events", ``, http.StatusNotFound, ""},
		{"vic", "GET", "/api/runs/abc", ``, http.StatusBadRequest, "id"},
		{"ed", "POST", "/api/runs/99/cancel", ``, http.StatusNotFound, ""},
		{"vic", "GET", "/api/runs?limit=-3", ``, http.StatusBadRequest, "limit"},
	}
	for _, c := range cases {
		w := h.runReq(c.who, c.method, c.path, c.body)
		p := problemOf(t, w)
		if w.Code != c.status {
			t.Errorf("%s %s %s: %d, want %d (%s)", c.who, c.method, c.path, w.Code, c.status, p.Detail)
			continue
		}
		if c.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != c.field) {
			t.Errorf("%s %s: errors %+v, want field %s", c.method, c.path, p.Errors, c.field)
		}
	}
	// A write with the session cookie but no CSRF token is refused.
	cookie, _ := h.session("olga")
	w := h.do(req{method: "POST", path: "/api/runs", body: `{"recipe":"tabular"}`, ctype: "application/json", cookie: cookie})
	if p := problemOf(t, w); w.Code != http.StatusForbidden || !strings.Contains(p.Type, "csrf") {
		t.Fatalf("no CSRF: %d %+v", w.Code, p)
	}
	// Too big a body.
	w = h.runReq("ed", "POST", "/api/runs", `{"recipe":"`+strings.Repeat("x", 2<<20)+`"}`)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("huge body: %d", w.Code)
	}
	if rs, _ := h.store.Runs(context.Background(), 0); len(rs) != 0 {
		t.Fatalf("refused starts made runs: %+v", rs)
	}
}

func TestRunsMissingData(t *testing.T) {
	dir := t.TempDir()
	f := newFakeStore()
	m := lifecycle.NewManager(f, lifecycle.Options{Data: lifecycle.DataPaths{FashionDir: dir, TangPath: filepath.Join(dir, "tang300")}})
	h := newHarness(t, Options{Runs: m})
	w := h.runReq("ed", "POST", "/api/runs", `{"recipe":"fashion-mlp"}`)
	if p := problemOf(t, w); w.Code != http.StatusUnprocessableEntity || !strings.Contains(p.Detail, dir) {
		t.Fatalf("fashion without data: %d %+v", w.Code, p)
	}
	cookie, _ := h.session("ed")
	w = h.do(req{path: "/runs", cookie: cookie, headers: map[string]string{"Accept-Language": "en"}})
	if !strings.Contains(w.Body.String(), "data missing:") || !strings.Contains(w.Body.String(), dir) {
		t.Fatalf("the page does not say what is missing: %s", w.Body)
	}
}

// TestRunsBusyAndEvents: a second start while a run trains is 409; the
// event stream of a live run delivers its state, progress, and the end
// after a cancel, then closes.
func TestRunsBusyAndEvents(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.runReq("ed", "POST", "/api/runs", `{"recipe":"tabular","epochs":1000}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	id := decodeRun(t, w).ID
	w = h.runReq("olga", "POST", "/api/runs", `{"recipe":"tabular"}`)
	if p := problemOf(t, w); w.Code != http.StatusConflict || !strings.Contains(p.Detail, "#"+strconv.FormatInt(id, 10)) {
		t.Fatalf("second start: %d %+v", w.Code, p)
	}
	srv := httptest.NewServer(h.h)
	defer srv.Close()
	h.shareRuns(true)
	cookie, _ := h.session("vic")
	q, _ := http.NewRequest("GET", srv.URL+"/api/runs/"+strconv.FormatInt(id, 10)+"/events", nil)
	q.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(q)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	var events []string
	canceled := false
	for sc.Scan() {
		line := sc.Text()
		ev, ok := strings.CutPrefix(line, "event: ")
		if !ok {
			continue
		}
		events = append(events, ev)
		if ev == "progress" && !canceled {
			canceled = true
			if w := h.runReq("ed", "POST", "/api/runs/"+strconv.FormatInt(id, 10)+"/cancel", ""); w.Code != 200 || !decodeRun(t, w).CancelRequested {
				t.Fatalf("cancel: %d %s", w.Code, w.Body)
			}
		}
	}
	// The scanner stopped: the server closed the stream.
	if len(events) < 3 || events[0] != "state" || events[1] != "progress" || events[len(events)-1] != "end" {
		t.Fatalf("events %v", events)
	}
	if r := h.waitRun(id); r.Status != lifecycle.StatusCanceled {
		t.Fatalf("after cancel: %+v", r.Status)
	}
}

func TestRunsPages(t *testing.T) {
	h := newHarness(t, Options{})
	en := map[string]string{"Accept-Language": "en"}
	cookie, csrf := h.session("ed")
	w := h.do(req{path: "/runs", cookie: cookie, headers: en})
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `action="/runs"`) || !strings.Contains(body, "No runs yet.") || !strings.Contains(body, `href="/runs" aria-current="page"`) {
		t.Fatalf("runs page: %d %s", w.Code, body)
	}
	// A bad form value comes back with the field marked.
	w = h.do(req{method: "POST", path: "/runs", cookie: cookie, ctype: formType, headers: en,
		body: form(csrfField, csrf, "recipe", "tabular", "epochs", "0.5", "lr", "5")})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not a whole number") {
		t.Fatalf("bad form: %d %s", w.Code, w.Body)
	}
	w = h.do(req{method: "POST", path: "/runs", cookie: cookie, ctype: formType, headers: en,
		body: form(csrfField, csrf, "recipe", "tabular", "epochs", "2000")})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "2000: want 1..1000") {
		t.Fatalf("out of range: %d %s", w.Code, w.Body)
	}
	w = h.do(req{method: "POST", path: "/runs", cookie: cookie, ctype: formType, headers: en,
		body: form(csrfField, csrf, "recipe", "tabular", "epochs", "3", "batch", "")})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/runs/1" {
		t.Fatalf("start: %d %s", w.Code, w.Header().Get("Location"))
	}
	h.waitRun(1)
	w = h.do(req{path: "/runs/1", cookie: cookie, headers: en})
	body = w.Body.String()
	for _, want := range []string{"<svg", "succeeded", "Loss by step", "Evaluations", "/static/runs.js", "R²"} {
		if !strings.Contains(body, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="cancel-run"`) {
		t.Error("a finished run offers a cancel button")
	}
	// Viewers see runs, read-only, once the owner shares them.
	h.shareRuns(true)
	vc, vcsrf := h.session("vic")
	w = h.do(req{path: "/runs", cookie: vc})
	if body := w.Body.String(); w.Code != 200 || strings.Contains(body, `action="/runs"`) || !strings.Contains(body, `href="/runs/1"`) {
		t.Fatalf("viewer page: %d %s", w.Code, body)
	}
	w = h.do(req{method: "POST", path: "/runs", cookie: vc, ctype: formType, body: form(csrfField, vcsrf, "recipe", "tabular")})
	if w.Code != http.StatusForbidden {
		t.Fatalf("viewer start: %d", w.Code)
	}
	for _, p := range []string{"/runs/99", "/runs/x"} {
		if w := h.do(req{path: p, cookie: vc}); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
}

func TestRunsPageCancel(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, csrf := h.session("olga")
	w := h.do(req{method: "POST", path: "/runs", cookie: cookie, ctype: formType,
		body: form(csrfField, csrf, "recipe", "tabular", "epochs", "1000")})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	w = h.do(req{path: "/runs/1", cookie: cookie, headers: map[string]string{"Accept-Language": "en"}})
	if body := w.Body.String(); !strings.Contains(body, `<progress id="run-bar"`) {
		// The run may already have ended on a very fast machine; then
		// there is nothing to cancel.
		if r := h.waitRun(1); r.Status != lifecycle.StatusSucceeded {
			t.Fatalf("no progress bar, run %s: %s", r.Status, body)
		}
		return
	}
	// The list shows the live run with a bar that runs.js moves.
	w = h.do(req{path: "/runs", cookie: cookie, headers: map[string]string{"Accept-Language": "en"}})
	if body := w.Body.String(); !strings.Contains(body, `<script src="/static/runs.js" defer>`) ||
		!(strings.Contains(body, `<tr data-run="1" data-status="running">`) || strings.Contains(body, `<tr data-run="1" data-status="queued">`)) ||
		!strings.Contains(body, `class="run-pct"`) || !strings.Contains(body, `id="runs-live-note"`) || !strings.Contains(body, `data-label-running="running"`) {
		if r, _ := h.srv.runs.Get(context.Background(), 1); !r.Status.Final() {
			t.Fatalf("the list of a live run: %s", body)
		}
	}
	w = h.do(req{method: "POST", path: "/runs/1/cancel", cookie: cookie, ctype: formType, body: form(csrfField, csrf)})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/runs/1" {
		t.Fatalf("cancel: %d", w.Code)
	}
	if r := h.waitRun(1); r.Status != lifecycle.StatusCanceled && r.Status != lifecycle.StatusSucceeded {
		t.Fatalf("after cancel: %s", r.Status)
	}
}

// TestDemoRunPage: the demo workspace shows its finished run with the
// server-rendered curve.
func TestDemoRunPage(t *testing.T) {
	h, cookie := demoHarness(t)
	w := h.do(req{path: "/runs", cookie: cookie})
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, `href="/runs/1"`) || !strings.Contains(body, "succeeded") || !strings.Contains(body, "R² 0.") {
		t.Fatalf("demo runs page: %d %s", w.Code, body)
	}
	w = h.do(req{path: "/runs/1", cookie: cookie})
	if body := w.Body.String(); w.Code != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, "held-out loss") {
		t.Fatalf("demo run page: %d %s", w.Code, body)
	}
}

// TestRunsPagesChinese: the Models pages are translated.
func TestRunsPagesChinese(t *testing.T) {
	h, cookie := demoHarness(t)
	if err := h.real.SetUserLang(context.Background(), h.owner, "zh"); err != nil {
		t.Fatal(err)
	}
	w := h.do(req{path: "/runs", cookie: cookie})
	for _, want := range []string{"模型", "开始训练", "表格回归（房价 CSV）", "已完成", "配方"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("zh runs page lacks %q", want)
		}
	}
	w = h.do(req{path: "/runs/1", cookie: cookie})
	for _, want := range []string{"训练任务", "损失曲线", "训练损失", "留出集损失", "配置"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("zh run page lacks %q", want)
		}
	}
}

// TestRunsSharing: a viewer reads runs only when the owner shares them.
// Hidden (the default), every read route answers 404 — the API as for an
// unknown endpoint, the pages with the not-found page — and the nav has
// no Models link; shared, all of them answer; owners and editors read
// runs whatever is shared. Writes stay the editors' (403 for a viewer).
func TestRunsSharing(t *testing.T) {
	h := newHarness(t, Options{})
	w := h.runReq("ed", "POST", "/api/runs", `{"recipe":"tabular","epochs":2}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("start: %d %s", w.Code, w.Body)
	}
	h.waitRun(decodeRun(t, w).ID)
	reads := []string{"/api/runs", "/api/runs/1", "/api/runs/1/events", "/api/recipes", "/runs", "/runs/1"}
	vic, vcsrf := h.session("vic")
	nav := func(cookie string) string {
		b := h.do(req{path: "/", cookie: cookie}).Body.String()
		return b[strings.Index(b, "<nav"):strings.Index(b, "</nav>")]
	}
	check := func(state string, want int) {
		t.Helper()
		for _, p := range reads {
			w := h.do(req{path: p, cookie: vic})
			if w.Code != want {
				t.Errorf("viewer, runs %s: GET %s: %d, want %d", state, p, w.Code, want)
			}
			if want == http.StatusNotFound && strings.Contains(w.Body.String(), `"recipe"`) {
				t.Errorf("viewer, runs %s: GET %s leaks a run: %s", state, p, w.Body)
			}
		}
		if has := strings.Contains(nav(vic), `href="/runs"`); has != (want == http.StatusOK) {
			t.Errorf("viewer, runs %s: Models in the nav: %v", state, has)
		}
		if w := h.runReq("vic", "POST", "/api/runs", `{"recipe":"tabular"}`); w.Code != http.StatusForbidden {
			t.Errorf("viewer, runs %s: start: %d, want 403", state, w.Code)
		}
		if w := h.do(req{method: "POST", path: "/runs/1/cancel", cookie: vic, ctype: formType, body: form(csrfField, vcsrf)}); w.Code != http.StatusForbidden {
			t.Errorf("viewer, runs %s: cancel page: %d, want 403", state, w.Code)
		}
	}
	check("hidden (default)", http.StatusNotFound)
	h.shareRuns(true)
	check("shared", http.StatusOK)
	h.shareRuns(false)
	check("hidden again", http.StatusNotFound)
	for _, name := range []string{"olga", "ed"} {
		c, _ := h.session(name)
		for _, p := range reads {
			if w := h.do(req{path: p, cookie: c}); w.Code != http.StatusOK {
				t.Errorf("%s: GET %s: %d", name, p, w.Code)
			}
		}
		// Models sits after Compute and before History.
		n := nav(c)
		if i, j, k := strings.Index(n, `href="/compute"`), strings.Index(n, `href="/runs"`), strings.Index(n, `href="/history"`); i < 0 || !(i < j && j < k) {
			t.Errorf("%s: nav order compute %d, runs %d, history %d: %s", name, i, j, k, n)
		}
		if strings.Count(n, `href="/runs"`) != 1 {
			t.Errorf("%s: the nav links /runs %d times", name, strings.Count(n, `href="/runs"`))
		}
	}
	// The sharing page and API offer the runs.
	owner, csrf := h.session("olga")
	if b := h.do(req{path: "/sharing", cookie: owner}).Body.String(); !strings.Contains(b, `name="share_runs"`) {
		t.Error("the sharing page has no checkbox for runs")
	}
	w = h.do(req{method: "PUT", path: "/api/sharing", body: `{"runs":true}`, ctype: "application/json", cookie: owner, headers: map[string]string{csrfHeader: csrf}})
	var st SharingState
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &st) != nil || !st.Shared[workspace.KindRuns] || st.Changes[0].Kind != workspace.KindRuns {
		t.Fatalf("PUT runs: %d %s", w.Code, w.Body)
	}
	if w := h.do(req{path: "/api/runs/1", cookie: vic}); w.Code != http.StatusOK {
		t.Errorf("shared through the API: %d", w.Code)
	}
	w = h.do(req{method: "POST", path: "/sharing", cookie: owner, ctype: formType, body: form(csrfField, csrf, "share_profile", "on")})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sharing form: %d", w.Code)
	}
	if w := h.do(req{path: "/api/runs/1", cookie: vic}); w.Code != http.StatusNotFound {
		t.Errorf("unchecked on the form, runs are still readable: %d", w.Code)
	}
}
