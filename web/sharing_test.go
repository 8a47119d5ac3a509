package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/kaiwu-ai/kaiwu/workspace"
)

// shareAll shares every kind, and the runs, with viewers, as the owner.
func (h *harness) shareAll() {
	h.tb.Helper()
	for _, k := range workspace.Shareable() {
		if err := h.store.SetSharing(context.Background(), k, true, "olga"); err != nil {
			h.tb.Fatal(err)
		}
	}
}

// kindPaths maps each gated endpoint and page to the kind that gates it.
var kindPaths = []struct {
	kind         workspace.Kind
	method, path string
	body         string
}{
	{workspace.KindCompany, "GET", "/api/captable", ""},
	{workspace.KindCompany, "POST", "/api/round", `{"pre_money":"60M","investments":[{"investor":"x","amount":"10M"}]}`},
	{workspace.KindCompany, "GET", "/api/waterfall?exit=100M", ""},
	{workspace.KindCompany, "GET", "/api/exits?to=200M&points=5", ""},
	{workspace.KindCompany, "GET", "/api/documents/company/main", ""},
	{workspace.KindCompany, "GET", "/captable", ""},
	{workspace.KindCompany, "GET", "/rounds", ""},
	{workspace.KindCompany, "GET", "/exits", ""},
	{workspace.KindValuation, "GET", "/api/valuation/vc", ""},
	{workspace.KindValuation, "GET", "/valuation", ""},
	{workspace.KindRunway, "GET", "/api/runway", ""},
	{workspace.KindRunway, "GET", "/runway", ""},
	{workspace.KindRunway, "GET", "/api/documents/runway/main", ""},
	{workspace.KindCompute, "GET", "/api/compute/train", ""},
	{workspace.KindCompute, "GET", "/api/compute/memory", ""},
	{workspace.KindCompute, "GET", "/api/compute/serve", ""},
	{workspace.KindCompute, "GET", "/compute", ""},
	{workspace.KindChannels, "GET", "/api/channels?stage=seed&amount=%C2%A520000000&china=1", ""},
	{workspace.KindChannels, "GET", "/channels", ""},
}

func TestViewerSeesOnlySharedKinds(t *testing.T) {
	h := newHarness(t, Options{})
	vic, vcsrf := h.session("vic")
	get := func(cookie, method, path, body string, hdr map[string]string) *httpResult {
		ct := ""
		if body != "" {
			ct = "application/json"
		}
		w := h.do(req{method: method, path: path, body: body, ctype: ct, cookie: cookie, headers: hdr})
		return &httpResult{w.Code, w.Body.String()}
	}
	hdr := map[string]string{csrfHeader: vcsrf}
	// A new workspace shares nothing but the profile: every gated path is 404.
	for _, c := range kindPaths {
		if r := get(vic, c.method, c.path, c.body, hdr); r.code != http.StatusNotFound {
			t.Errorf("viewer, nothing shared: %s %s: %d, want 404", c.method, c.path, r.code)
		}
	}
	if r := get(vic, "GET", "/api/documents/profile/main", "", nil); r.code != http.StatusOK {
		t.Errorf("the profile is shared by default: %d", r.code)
	}
	var docs []workspace.Document
	r := get(vic, "GET", "/api/documents", "", nil)
	if err := json.Unmarshal([]byte(r.body), &docs); err != nil || len(docs) != 1 || docs[0].Kind != workspace.KindProfile {
		t.Errorf("viewer's list: %v %s", err, r.body)
	}
	r = get(vic, "GET", "/api/history?limit=0", "", nil)
	var hist []workspace.AuditEntry
	if err := json.Unmarshal([]byte(r.body), &hist); err != nil || len(hist) != 1 || hist[0].Kind != workspace.KindProfile {
		t.Errorf("viewer's history: %v %s", err, r.body)
	}
	if r := get(vic, "GET", "/api/history?kind=runway&name=main", "", nil); r.code != http.StatusNotFound {
		t.Errorf("history of an unshared document: %d", r.code)
	}
	page := get(vic, "GET", "/", "", nil)
	nav := page.body[strings.Index(page.body, "<nav"):strings.Index(page.body, "</nav>")]
	for _, p := range []string{`href="/captable"`, `href="/runway"`, `href="/compute"`, `href="/valuation"`, `href="/channels"`} {
		if strings.Contains(nav, p) {
			t.Errorf("the nav links %s, which is not shared", p)
		}
	}
	if !strings.Contains(nav, `href="/history"`) || page.code != http.StatusOK {
		t.Errorf("overview %d; nav %s", page.code, nav)
	}
	if strings.Contains(page.body, "<svg") {
		t.Error("the overview shows a chart of an unshared kind")
	}
	hp := get(vic, "GET", "/history", "", nil)
	if strings.Contains(hp.body, "company/main") || strings.Contains(hp.body, "runway/main") {
		t.Error("the history page shows unshared documents")
	}

	// Share the cap table (company) only.
	if err := h.store.SetSharing(context.Background(), workspace.KindCompany, true, "olga"); err != nil {
		t.Fatal(err)
	}
	for _, c := range kindPaths {
		want := http.StatusNotFound
		if c.kind == workspace.KindCompany {
			want = http.StatusOK
		}
		if r := get(vic, c.method, c.path, c.body, hdr); r.code != want {
			t.Errorf("viewer, company shared: %s %s: %d, want %d", c.method, c.path, r.code, want)
		}
	}
	page = get(vic, "GET", "/", "", nil)
	nav = page.body[strings.Index(page.body, "<nav"):strings.Index(page.body, "</nav>")]
	if !strings.Contains(nav, `href="/captable"`) || strings.Contains(nav, `href="/runway"`) {
		t.Errorf("nav with company shared: %s", nav)
	}
	if !strings.Contains(page.body, "<svg") {
		t.Error("the overview lacks the ownership card")
	}
	r = get(vic, "GET", "/api/history?limit=0", "", nil)
	hist = nil
	_ = json.Unmarshal([]byte(r.body), &hist)
	for _, e := range hist {
		if e.Kind != workspace.KindCompany && e.Kind != workspace.KindProfile {
			t.Errorf("history shows %s", e.Kind)
		}
	}
	if len(hist) != 2 {
		t.Errorf("history: %d entries, want 2 (company, profile)", len(hist))
	}

	// Owners and editors see everything, whatever is shared.
	for _, name := range []string{"olga", "ed"} {
		c, csrf := h.session(name)
		for _, p := range kindPaths {
			if r := get(c, p.method, p.path, p.body, map[string]string{csrfHeader: csrf}); r.code != http.StatusOK {
				t.Errorf("%s: %s %s: %d", name, p.method, p.path, r.code)
			}
		}
		var all []workspace.Document
		_ = json.Unmarshal([]byte(get(c, "GET", "/api/documents", "", nil).body), &all)
		if len(all) != 5 {
			t.Errorf("%s lists %d documents, want 5", name, len(all))
		}
	}
}

type httpResult struct {
	code int
	body string
}

func TestOnlyOwnerChangesSharing(t *testing.T) {
	h := newHarness(t, Options{})
	body := `{"runway":true}`
	for _, name := range []string{"ed", "vic"} {
		c, csrf := h.session(name)
		w := h.do(req{method: "PUT", path: "/api/sharing", body: body, ctype: "application/json", cookie: c, headers: map[string]string{csrfHeader: csrf}})
		if w.Code != http.StatusForbidden {
			t.Errorf("%s PUT /api/sharing: %d, want 403", name, w.Code)
		}
		w = h.do(req{method: "POST", path: "/sharing", cookie: c, ctype: formType, body: form(csrfField, csrf, "share_runway", "on")})
		if w.Code != http.StatusForbidden {
			t.Errorf("%s POST /sharing: %d, want 403", name, w.Code)
		}
		if w := h.do(req{path: "/sharing", cookie: c}); w.Code != http.StatusForbidden {
			t.Errorf("%s GET /sharing: %d, want 403", name, w.Code)
		}
	}
	owner, csrf := h.session("olga")
	_, otherCSRF := h.session("ed")
	// CSRF: no header, or another session's token, is refused.
	if w := h.do(req{method: "PUT", path: "/api/sharing", body: body, ctype: "application/json", cookie: owner}); w.Code != http.StatusForbidden {
		t.Errorf("PUT without CSRF: %d", w.Code)
	}
	if w := h.do(req{method: "POST", path: "/sharing", cookie: owner, ctype: formType, body: form(csrfField, otherCSRF, "share_runway", "on")}); w.Code != http.StatusForbidden {
		t.Errorf("forged POST /sharing: %d", w.Code)
	}
	if log, _ := h.store.SharingLog(context.Background(), 0); len(log) != 0 {
		t.Fatalf("refused requests changed sharing: %+v", log)
	}
	// A bad kind is a field error.
	w := h.do(req{method: "PUT", path: "/api/sharing", body: `{"secrets":true}`, ctype: "application/json", cookie: owner, headers: map[string]string{csrfHeader: csrf}})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `"field": "secrets"`) {
		t.Errorf("unknown kind: %d %s", w.Code, w.Body)
	}
	// The owner's API write.
	w = h.do(req{method: "PUT", path: "/api/sharing", body: body, ctype: "application/json", cookie: owner, headers: map[string]string{csrfHeader: csrf}})
	var st SharingState
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &st) != nil || !st.Shared[workspace.KindRunway] || len(st.Changes) != 1 ||
		st.Changes[0].Actor != "olga" || st.Changes[0].Kind != workspace.KindRunway {
		t.Fatalf("owner PUT: %d %s", w.Code, w.Body)
	}
	// The owner's form: compute on, runway off (unchecked), profile kept.
	w = h.do(req{method: "POST", path: "/sharing", cookie: owner, ctype: formType,
		body: form(csrfField, csrf, "share_compute", "on", "share_profile", "on")})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("owner POST /sharing: %d %s", w.Code, w.Body)
	}
	m, _ := h.store.Sharing(context.Background())
	if !m[workspace.KindCompute] || m[workspace.KindRunway] || !m[workspace.KindProfile] || m[workspace.KindCompany] {
		t.Errorf("after the form: %v", m)
	}
	log, _ := h.store.SharingLog(context.Background(), 0)
	if len(log) != 3 {
		t.Errorf("log: %+v", log)
	}
	// The viewer sees the new state and no log; the page shows the log to the owner.
	vic, _ := h.session("vic")
	w = h.do(req{path: "/api/sharing", cookie: vic})
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "changes") || !strings.Contains(w.Body.String(), `"compute": true`) {
		t.Errorf("viewer GET /api/sharing: %d %s", w.Code, w.Body)
	}
	if w := h.do(req{path: "/api/compute/train", cookie: vic}); w.Code != http.StatusOK {
		t.Errorf("compute shared, viewer: %d", w.Code)
	}
	w = h.do(req{path: "/sharing", cookie: owner})
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `name="share_compute" value="on" checked`) || !strings.Contains(w.Body.String(), "olga") {
		t.Errorf("owner GET /sharing: %d", w.Code)
	}
	if w := h.do(req{path: "/users", cookie: owner}); !strings.Contains(w.Body.String(), `href="/sharing"`) {
		t.Error("the users page does not link to /sharing")
	}
}
