package web

import (
	"context"
	"encoding/json"
	"flag"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kaiwu-ai/kaiwu/compute/memory"
	"github.com/kaiwu-ai/kaiwu/compute/serve"
	"github.com/kaiwu-ai/kaiwu/compute/train"
	"github.com/kaiwu-ai/kaiwu/finance/channel"
	"github.com/kaiwu-ai/kaiwu/finance/exit"
	"github.com/kaiwu-ai/kaiwu/finance/waterfall"
	"github.com/kaiwu-ai/kaiwu/msg"
	"github.com/kaiwu-ai/kaiwu/web/i18n"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

const testSetupToken = "setup-token-for-tests"

// harness is a server over a seeded fake store with three accounts.
type harness struct {
	tb    testing.TB
	store *fakeStore
	real  workspace.Store // the demo harness's SQLite store
	owner int64
	srv   *server
	h     http.Handler
}

func newHarness(tb testing.TB, opts Options) *harness {
	tb.Helper()
	f := newFakeStore()
	seedFake(tb, f)
	ctx := context.Background()
	for _, u := range []struct {
		name string
		role workspace.Role
	}{{"olga", workspace.RoleOwner}, {"ed", workspace.RoleEditor}, {"vic", workspace.RoleViewer}} {
		if _, err := f.CreateUser(ctx, u.name, "password-"+u.name, u.role); err != nil {
			tb.Fatal(err)
		}
	}
	opts.SetupToken = testSetupToken
	s := newServer(f, opts)
	return &harness{tb: tb, store: f, srv: s, h: s.handler()}
}

// session logs name in directly through the store and returns the
// session cookie and the CSRF token of that session.
func (h *harness) session(name string) (cookie, csrf string) {
	h.tb.Helper()
	ctx := context.Background()
	us, _ := h.store.Users(ctx)
	for _, u := range us {
		if u.Name == name {
			tok, _ := h.store.CreateSession(ctx, u.ID, time.Hour)
			return sessionCookie + "=" + tok, h.srv.sign("session:" + tok)
		}
	}
	h.tb.Fatalf("no user %s", name)
	return "", ""
}

// req is one request for do.
type req struct {
	method, path string
	body         string
	ctype        string
	cookie       string
	headers      map[string]string
}

func (h *harness) do(r req) *httptest.ResponseRecorder {
	if r.method == "" {
		r.method = http.MethodGet
	}
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	q := httptest.NewRequest(r.method, r.path, body)
	q.RemoteAddr = "192.0.2.1:1234"
	if r.ctype != "" {
		q.Header.Set("Content-Type", r.ctype)
	}
	if r.cookie != "" {
		q.Header.Set("Cookie", r.cookie)
	}
	for k, v := range r.headers {
		q.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, q)
	return w
}

// problemOf decodes a problem response, failing on another media type.
func problemOf(tb testing.TB, w *httptest.ResponseRecorder) Problem {
	tb.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		tb.Fatalf("Content-Type %q, want application/problem+json; body %s", ct, w.Body)
	}
	var p Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		tb.Fatal(err)
	}
	if p.Status != w.Code {
		tb.Errorf("problem status %d, response %d", p.Status, w.Code)
	}
	return p
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

const formType = "application/x-www-form-urlencoded"

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, _ := h.session("vic")
	for _, path := range []string{"/login", "/", "/api/captable", "/api/openapi.json", "/static/style.css", "/api/nope"} {
		w := h.do(req{path: path, cookie: cookie})
		hd := w.Header()
		csp := hd.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP allows inline code: %q", path, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
			if hd.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", path, k, hd.Get(k), v)
			}
		}
	}
}

func TestNoInlineScripts(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, _ := h.session("olga")
	inline := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]|\son[a-z]+="|javascript:`)
	for _, p := range []string{"/", "/captable", "/rounds?pre_money=60M&investor=Lead&amount=12M", "/exits", "/valuation", "/runway", "/compute", "/channels", "/history", "/users", "/account"} {
		w := h.do(req{path: p, cookie: cookie})
		if m := inline.FindString(w.Body.String()); m != "" {
			t.Errorf("%s: inline script %q", p, m)
		}
	}
}

func TestLoggedOutCannotRead(t *testing.T) {
	h := newHarness(t, Options{})
	for _, r := range h.srv.apiRoutes() {
		method, path, _ := strings.Cut(r.pattern, " ")
		if path == "/api/openapi.json" {
			continue
		}
		path = strings.NewReplacer("{kind}", "company", "{name}", "main", "{method}", "vc").Replace(path)
		w := h.do(req{method: method, path: path, body: "{}", ctype: "application/json"})
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s %s: %d, want 401", method, path, w.Code)
			continue
		}
		problemOf(t, w)
		if w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: no WWW-Authenticate", method, path)
		}
	}
	for _, p := range pagePaths {
		w := h.do(req{path: p})
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login?next=") {
			t.Errorf("GET %s: %d → %q, want 303 to /login", p, w.Code, w.Header().Get("Location"))
		}
	}
	// A bad bearer token is 401 too, never a fall-through to the cookie.
	w := h.do(req{path: "/api/documents", headers: map[string]string{"Authorization": "Bearer nope"}})
	if w.Code != http.StatusUnauthorized {
		t.Errorf("bad bearer: %d", w.Code)
	}
}

// pagePaths are the dashboard pages every role may read.
var pagePaths = []string{"/", "/captable", "/rounds", "/exits", "/valuation", "/runway", "/compute", "/channels", "/history", "/account"}

func TestViewerCannotWrite(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, csrf := h.session("vic")
	hdr := map[string]string{csrfHeader: csrf}
	cases := []req{
		{method: "PUT", path: "/api/documents/company/main", body: `{"body":"x","version":1}`, ctype: "application/json", headers: hdr},
		{method: "DELETE", path: "/api/documents/company/main", headers: map[string]string{csrfHeader: csrf, "If-Match": `"1"`}},
		{method: "POST", path: "/api/users", body: `{"name":"x","password":"0123456789","role":"owner"}`, ctype: "application/json", headers: hdr},
		{method: "GET", path: "/api/users"},
	}
	for _, c := range cases {
		c.cookie = cookie
		w := h.do(c)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s %s: %d, want 403: %s", c.method, c.path, w.Code, w.Body)
			continue
		}
		problemOf(t, w)
	}
	w := h.do(req{method: "POST", path: "/captable", cookie: cookie, ctype: formType,
		body: form(csrfField, csrf, "version", "1", "name", "main", "body", "name: x")})
	if w.Code != http.StatusForbidden {
		t.Errorf("viewer POST /captable: %d, want 403", w.Code)
	}
	if d, _ := h.store.Get(context.Background(), workspace.KindCompany, "main"); d.Version != 1 {
		t.Errorf("the company document changed: version %d", d.Version)
	}
	// A viewer may still read and model what is shared.
	h.shareAll()
	if w := h.do(req{path: "/api/captable", cookie: cookie}); w.Code != http.StatusOK {
		t.Errorf("viewer GET /api/captable: %d", w.Code)
	}
}

func TestCSRF(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, csrf := h.session("ed")
	_, other := h.session("olga")
	doc, _ := h.store.Get(context.Background(), workspace.KindCompany, "main")
	body := strings.Replace(doc.Body, "name: 衡星智能 Hengxing AI", "name: Forged", 1)
	for _, c := range []struct {
		name, token string
		want        int
	}{
		{"no token", "", http.StatusForbidden},
		{"wrong token", "AAAA" + csrf[4:], http.StatusForbidden},
		{"another session's token", other, http.StatusForbidden},
		{"right token", csrf, http.StatusSeeOther},
	} {
		kv := []string{"version", "1", "name", "main", "body", body}
		if c.token != "" {
			kv = append(kv, csrfField, c.token)
		}
		w := h.do(req{method: "POST", path: "/captable", cookie: cookie, ctype: formType, body: form(kv...)})
		if w.Code != c.want {
			t.Errorf("form, %s: %d, want %d", c.name, w.Code, c.want)
		}
	}
	// Cookie-authenticated API writes need the header; bearer ones do not.
	put := func(hdr map[string]string, cookie string) int {
		d, _ := h.store.Get(context.Background(), workspace.KindCompany, "main")
		b, _ := json.Marshal(PutDocument{Body: d.Body, Version: d.Version})
		return h.do(req{method: "PUT", path: "/api/documents/company/main", body: string(b), ctype: "application/json", cookie: cookie, headers: hdr}).Code
	}
	if c := put(nil, cookie); c != http.StatusForbidden {
		t.Errorf("API PUT with cookie, no header: %d, want 403", c)
	}
	if c := put(map[string]string{csrfHeader: "x"}, cookie); c != http.StatusForbidden {
		t.Errorf("API PUT with cookie, wrong header: %d, want 403", c)
	}
	if c := put(map[string]string{csrfHeader: csrf}, cookie); c != http.StatusOK {
		t.Errorf("API PUT with cookie and header: %d, want 200", c)
	}
	tok, _ := h.store.CreateToken(context.Background(), 2, "script")
	if c := put(map[string]string{"Authorization": "Bearer " + tok}, ""); c != http.StatusOK {
		t.Errorf("API PUT with bearer: %d, want 200", c)
	}
	// The login form is protected too (double submit against a cookie).
	w := h.do(req{method: "POST", path: "/login", ctype: formType, body: form("name", "ed", "password", "password-ed")})
	if w.Code != http.StatusForbidden {
		t.Errorf("login without CSRF: %d, want 403", w.Code)
	}
}

// loginForm fetches the login page and returns the pre-login cookie and
// the form's CSRF token.
func (h *harness) loginForm() (cookie, csrf string) {
	h.tb.Helper()
	w := h.do(req{path: "/login"})
	for _, c := range w.Result().Cookies() {
		if c.Name == preCookie {
			cookie = c.Name + "=" + c.Value
		}
	}
	m := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if cookie == "" || m == nil {
		h.tb.Fatalf("login page without CSRF cookie or token: %d %s", w.Code, w.Body)
	}
	return cookie, m[1]
}

func TestLoginCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		h := newHarness(t, Options{SecureCookies: secure})
		pre, csrf := h.loginForm()
		w := h.do(req{method: "POST", path: "/login", cookie: pre, ctype: formType,
			body: form(csrfField, csrf, "name", "ed", "password", "password-ed", "next", "/runway")})
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/runway" {
			t.Fatalf("login: %d → %q", w.Code, w.Header().Get("Location"))
		}
		var sc *http.Cookie
		for _, c := range w.Result().Cookies() {
			if c.Name == sessionCookie {
				sc = c
			}
		}
		if sc == nil {
			t.Fatal("no session cookie")
		}
		if !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure != secure || sc.Path != "/" {
			t.Errorf("secure=%v: cookie %+v", secure, sc)
		}
		// The session reads pages; logout ends it.
		cookie := sc.Name + "=" + sc.Value
		if w := h.do(req{path: "/runway", cookie: cookie}); w.Code != http.StatusOK {
			t.Errorf("page after login: %d", w.Code)
		}
		csrfS := h.srv.sign("session:" + sc.Value)
		w = h.do(req{method: "POST", path: "/logout", cookie: cookie, ctype: formType, body: form(csrfField, csrfS)})
		if w.Code != http.StatusSeeOther {
			t.Errorf("logout: %d", w.Code)
		}
		if w := h.do(req{path: "/api/me", cookie: cookie}); w.Code != http.StatusUnauthorized {
			t.Errorf("API after logout: %d, want 401", w.Code)
		}
	}
	// Open redirects are refused.
	for in, want := range map[string]string{"//evil.example/": "/", "https://evil.example": "/", "/\\evil": "/", "/ok?x=1": "/ok?x=1"} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoginRateLimit(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	h := newHarness(t, Options{Now: func() time.Time { return now }})
	pre, csrf := h.loginForm()
	login := func(pass string) *httptest.ResponseRecorder {
		return h.do(req{method: "POST", path: "/login", cookie: pre, ctype: formType,
			body: form(csrfField, csrf, "name", "ed", "password", pass)})
	}
	for i := range 5 {
		if w := login("wrong"); w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i+1, w.Code)
		}
	}
	w := login("password-ed")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("after 5 failures, the right password: %d (Retry-After %q), want 429", w.Code, w.Header().Get("Retry-After"))
	}
	now = now.Add(61 * time.Second)
	if w := login("password-ed"); w.Code != http.StatusSeeOther {
		t.Fatalf("after the lock-out: %d, want 303", w.Code)
	}
	// A second lock-out lasts twice as long.
	for range 5 {
		login("wrong")
	}
	now = now.Add(61 * time.Second)
	if w := login("password-ed"); w.Code != http.StatusTooManyRequests {
		t.Errorf("second lock-out after 61 s: %d, want 429", w.Code)
	}
	now = now.Add(60 * time.Second)
	if w := login("password-ed"); w.Code != http.StatusSeeOther {
		t.Errorf("second lock-out after 121 s: %d, want 303", w.Code)
	}
}

func TestFirstRunSetup(t *testing.T) {
	s := newServer(newFakeStore(), Options{SetupToken: testSetupToken})
	h := &harness{tb: t, store: s.store.(*fakeStore), srv: s, h: s.handler()}
	for _, p := range []string{"/", "/login", "/captable"} {
		if w := h.do(req{path: p}); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/setup" {
			t.Errorf("GET %s on an empty workspace: %d → %q, want /setup", p, w.Code, w.Header().Get("Location"))
		}
	}
	w := h.do(req{path: "/setup"})
	pre := ""
	for _, c := range w.Result().Cookies() {
		if c.Name == preCookie {
			pre = c.Name + "=" + c.Value
		}
	}
	csrf := regexp.MustCompile(`name="csrf_token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())[1]
	post := func(token string) *httptest.ResponseRecorder {
		return h.do(req{method: "POST", path: "/setup", cookie: pre, ctype: formType, body: form(csrfField, csrf,
			"token", token, "name", "founder", "password", "a-long-password", "password2", "a-long-password")})
	}
	if w := post("guess"); w.Code != http.StatusForbidden {
		t.Errorf("wrong setup token: %d, want 403", w.Code)
	}
	if us, _ := h.store.Users(context.Background()); len(us) != 0 {
		t.Fatalf("a wrong token created %v", us)
	}
	w = post(testSetupToken)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("setup: %d %s", w.Code, w.Body)
	}
	us, _ := h.store.Users(context.Background())
	if len(us) != 1 || us[0].Role != workspace.RoleOwner {
		t.Fatalf("users after setup: %+v", us)
	}
	if w := post(testSetupToken); w.Code != http.StatusForbidden {
		t.Errorf("second setup: %d, want 403", w.Code)
	}
}

func TestBodyLimit(t *testing.T) {
	h := newHarness(t, Options{MaxBodyBytes: 1 << 10})
	cookie, csrf := h.session("ed")
	big := strings.Repeat("x", 4<<10)
	w := h.do(req{method: "PUT", path: "/api/documents/company/main", body: big, ctype: "application/yaml", cookie: cookie,
		headers: map[string]string{csrfHeader: csrf, "If-Match": `"1"`}})
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("%d, want 413", w.Code)
	}
	problemOf(t, w)
	// Without Content-Length the limit trips while reading.
	q := httptest.NewRequest("PUT", "/api/documents/company/main", io.NopCloser(strings.NewReader(big)))
	q.ContentLength = -1
	q.Header.Set("Cookie", cookie)
	q.Header.Set(csrfHeader, csrf)
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, q)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked: %d, want 413", rec.Code)
	}
}

func TestPanicRecovery(t *testing.T) {
	h := newHarness(t, Options{})
	h.srv.mux.HandleFunc("GET /api/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	h.srv.mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	w := h.do(req{path: "/api/boom"})
	if w.Code != http.StatusInternalServerError {
		t.Fatalf("%d, want 500", w.Code)
	}
	if p := problemOf(t, w); strings.Contains(p.Detail, "boom") {
		t.Errorf("the panic leaked: %+v", p)
	}
	if w := h.do(req{path: "/boom"}); w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "boom") {
		t.Errorf("page panic: %d %s", w.Code, w.Body)
	}
}

func TestDocumentRoundTrip(t *testing.T) {
	h := newHarness(t, Options{})
	tok, _ := h.store.CreateToken(context.Background(), 2, "test")
	auth := func(extra ...string) map[string]string {
		m := map[string]string{"Authorization": "Bearer " + tok}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	prof := "name: Acme\ncurrency: USD\nstage: seed\n"
	// Create (raw YAML, no If-Match).
	w := h.do(req{method: "PUT", path: "/api/documents/profile/acme", body: prof, ctype: "application/yaml", headers: auth()})
	if w.Code != http.StatusCreated || w.Header().Get("ETag") != `"1"` {
		t.Fatalf("create: %d %q %s", w.Code, w.Header().Get("ETag"), w.Body)
	}
	// Read.
	w = h.do(req{path: "/api/documents/profile/acme", headers: auth()})
	var d workspace.Document
	_ = json.Unmarshal(w.Body.Bytes(), &d)
	if w.Code != http.StatusOK || d.Body != prof || d.Version != 1 || d.UpdatedBy != "ed" {
		t.Fatalf("get: %d %+v", w.Code, d)
	}
	// Update (JSON body with version).
	b, _ := json.Marshal(PutDocument{Body: prof + "sector: AI\n", Version: 1})
	if w := h.do(req{method: "PUT", path: "/api/documents/profile/acme", body: string(b), ctype: "application/json", headers: auth()}); w.Code != http.StatusOK {
		t.Fatalf("update: %d %s", w.Code, w.Body)
	}
	// A stale write: 409 with the current document.
	w = h.do(req{method: "PUT", path: "/api/documents/profile/acme", body: prof, ctype: "application/yaml", headers: auth("If-Match", `"1"`)})
	if w.Code != http.StatusConflict {
		t.Fatalf("stale: %d", w.Code)
	}
	if p := problemOf(t, w); p.Current == nil || p.Current.Version != 2 || !strings.Contains(p.Current.Body, "sector: AI") {
		t.Errorf("conflict problem: %+v", p)
	}
	// An invalid body: 422 with field details.
	w = h.do(req{method: "PUT", path: "/api/documents/profile/acme", body: "name: Acme\ncurrency: USD\nstage: unicorn\n", ctype: "application/yaml", headers: auth("If-Match", `"2"`)})
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid: %d %s", w.Code, w.Body)
	}
	if p := problemOf(t, w); len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Detail+p.Errors[0].Field, "stage") {
		t.Errorf("invalid problem: %+v", p)
	}
	// List and history.
	w = h.do(req{path: "/api/documents?kind=profile", headers: auth()})
	var list []workspace.Document
	_ = json.Unmarshal(w.Body.Bytes(), &list)
	if len(list) != 2 {
		t.Errorf("list: %d documents", len(list))
	}
	w = h.do(req{path: "/api/history?kind=profile&name=acme", headers: auth()})
	var hist []workspace.AuditEntry
	_ = json.Unmarshal(w.Body.Bytes(), &hist)
	if len(hist) != 2 || hist[0].Action != "update" || hist[0].Before != prof {
		t.Errorf("history: %+v", hist)
	}
	// Delete needs the version.
	if w := h.do(req{method: "DELETE", path: "/api/documents/profile/acme", headers: auth()}); w.Code != http.StatusPreconditionRequired {
		t.Errorf("delete without If-Match: %d", w.Code)
	}
	if w := h.do(req{method: "DELETE", path: "/api/documents/profile/acme", headers: auth("If-Match", `"1"`)}); w.Code != http.StatusConflict {
		t.Errorf("stale delete: %d", w.Code)
	}
	if w := h.do(req{method: "DELETE", path: "/api/documents/profile/acme", headers: auth("If-Match", `"2"`)}); w.Code != http.StatusNoContent {
		t.Errorf("delete: %d", w.Code)
	}
	if w := h.do(req{path: "/api/documents/profile/acme", headers: auth()}); w.Code != http.StatusNotFound {
		t.Errorf("get deleted: %d", w.Code)
	}
	// Unknown kind and bad name.
	if w := h.do(req{path: "/api/documents/nope/x", headers: auth()}); w.Code != http.StatusNotFound {
		t.Errorf("unknown kind: %d", w.Code)
	}
	if w := h.do(req{path: "/api/documents/profile/Bad%20Name", headers: auth()}); w.Code != http.StatusBadRequest {
		t.Errorf("bad name: %d", w.Code)
	}
}

func TestComputedEndpoints(t *testing.T) {
	h := newHarness(t, Options{})
	h.shareAll() // a viewer with everything shared computes like anyone
	cookie, csrf := h.session("vic")
	cases := []struct {
		method, path, body string
		want               int
		contains           string
	}{
		{"GET", "/api/captable", "", 200, `"fully_diluted"`},
		{"GET", "/api/captable?as_of=2025-06-30", "", 200, `"vested"`},
		{"GET", "/api/captable?as_of=June", "", 400, `"field": "as_of"`},
		{"POST", "/api/round", `{"pre_money":"60M","investments":[{"investor":"Lead Fund","amount":"12M"}],"pool_target":"12%","date":"2025-09-01"}`, 200, `"post_money"`},
		{"POST", "/api/round", `{"scenario":"plan"}`, 200, `"founders"`},
		{"POST", "/api/round", `{"investments":[{"investor":"x","amount":"1M"}]}`, 400, `"field": "pre_money"`},
		{"POST", "/api/round", `{"pre_money":"60M","investments":[{"investor":"x","amount":"lots"}]}`, 400, `"field": "investments[0].amount"`},
		{"POST", "/api/round", `{"pre_money":"60M","bogus":1}`, 400, `"field": "body"`},
		{"GET", "/api/waterfall?exit=100M&as_of=2026-01-01", "", 200, `"common_per_share"`},
		{"GET", "/api/waterfall", "", 400, `"field": "exit"`},
		{"GET", "/api/exits?to=200M&points=5&as_of=2026-01-01", "", 200, `"breakpoints"`},
		{"GET", "/api/exits?to=200M&points=1", "", 400, `"field": "points"`},
		{"GET", "/api/valuation/vc", "", 200, `"pre_money"`},
		{"GET", "/api/valuation/football-field", "", 200, `"bars"`},
		{"GET", "/api/valuation/astrology", "", 400, `"field": "method"`},
		{"GET", "/api/runway", "", 200, `"default_alive"`},
		{"GET", "/api/runway?scenario=bear", "", 200, `"scenario": "bear"`},
		{"GET", "/api/runway?scenario=moon", "", 400, `"field": "scenario"`},
		{"GET", "/api/compute/train", "", 200, `"gpu_hours"`},
		{"GET", "/api/compute/memory", "", 200, `"layout"`},
		{"GET", "/api/compute/serve", "", 200, `"monthly"`},
		{"GET", "/api/channels?stage=seed&amount=%C2%A520000000&china=1", "", 200, `"ranked"`},
		{"GET", "/api/channels?stage=seed", "", 400, `"field": "amount"`},
		{"GET", "/api/captable?name=nope", "", 404, `"status": 404`},
		{"GET", "/api/me", "", 200, `"csrf_token"`},
	}
	for _, c := range cases {
		r := req{method: c.method, path: c.path, body: c.body, cookie: cookie, headers: map[string]string{csrfHeader: csrf}}
		if c.body != "" {
			r.ctype = "application/json"
		}
		w := h.do(r)
		if w.Code != c.want || !strings.Contains(w.Body.String(), c.contains) {
			t.Errorf("%s %s: %d, want %d containing %s; body %.400s", c.method, c.path, w.Code, c.want, c.contains, w.Body)
			continue
		}
		if c.want >= 400 {
			problemOf(t, w)
		}
	}
}

func TestAccountsAPI(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, csrf := h.session("olga")
	hdr := map[string]string{csrfHeader: csrf}
	w := h.do(req{method: "POST", path: "/api/users", cookie: cookie, headers: hdr, ctype: "application/json",
		body: `{"name":"investor","password":"short","role":"god"}`})
	if w.Code != http.StatusUnprocessableEntity || len(problemOf(t, w).Errors) != 2 {
		t.Errorf("invalid user: %d %s", w.Code, w.Body)
	}
	w = h.do(req{method: "POST", path: "/api/users", cookie: cookie, headers: hdr, ctype: "application/json",
		body: `{"name":"investor","password":"long-enough-pw","role":"viewer"}`})
	if w.Code != http.StatusCreated {
		t.Fatalf("create user: %d %s", w.Code, w.Body)
	}
	w = h.do(req{method: "POST", path: "/api/tokens", cookie: cookie, headers: hdr, ctype: "application/json", body: `{"label":"ci"}`})
	var tr TokenResponse
	_ = json.Unmarshal(w.Body.Bytes(), &tr)
	if w.Code != http.StatusCreated || tr.Token == "" {
		t.Fatalf("token: %d %s", w.Code, w.Body)
	}
	w = h.do(req{path: "/api/me", headers: map[string]string{"Authorization": "Bearer " + tr.Token}})
	var me Me
	_ = json.Unmarshal(w.Body.Bytes(), &me)
	if me.User.Name != "olga" || me.CSRFToken != "" {
		t.Errorf("me by token: %+v", me)
	}
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for m := range ops {
			switch m {
			case "get", "put", "post", "delete", "patch", "head", "options":
				documented[strings.ToUpper(m)+" "+path] = true
			}
		}
	}
	s := newServer(newFakeStore(), Options{SetupToken: "x"})
	routed := map[string]bool{}
	for _, r := range s.apiRoutes() {
		routed[r.pattern] = true
		if !documented[r.pattern] {
			t.Errorf("route %q is not in openapi.json", r.pattern)
		}
	}
	for p := range documented {
		if !routed[p] {
			t.Errorf("openapi.json has %q, which is not routed", p)
		}
	}
	// Every routed pattern reaches its handler (not the /api/ fallback).
	h := s.handler()
	for p := range routed {
		m, path, _ := strings.Cut(p, " ")
		path = strings.NewReplacer("{kind}", "company", "{name}", "main", "{method}", "vc").Replace(path)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(m, path, nil))
		if w.Code == http.StatusNotFound || w.Code == http.StatusMethodNotAllowed {
			t.Errorf("%s: %d", p, w.Code)
		}
	}
}

func TestPages(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct {
		path, lang string
		want       []string
	}{
		{"/", "en", []string{"Runway", "default", "Founders&#39; ownership", "<svg", "Demo workspace", "Compute spend"}},
		{"/", "zh", []string{"现金跑道", "创始人持股", "演示工作区", "万"}},
		{"/captable", "en", []string{"陈远 (CEO)", "Unissued option pool", "<svg", "<textarea", "Fully diluted"}},
		{"/rounds", "en", []string{"Pre-money valuation", "plan"}},
		{"/rounds?pre_money=60M&investor=Lead+Fund&amount=12M&pool_target=12%25&date=2025-09-01", "en", []string{"Lead Fund", "Price per share", "Before", "<svg"}},
		{"/rounds?scenario=plan", "en", []string{"Series B", "<svg"}},
		{"/rounds?scenario=plan", "zh", []string{"起始 → "}},
		{"/exits?exit=100M", "en", []string{"Payout per holder", "Breakpoints", "<svg"}},
		{"/valuation", "en", []string{"Football field", "VC method", "<svg"}},
		{"/valuation", "zh", []string{"估值区间图", "亿"}},
		{"/runway", "en", []string{"Cash balance", "Raise window", "<svg"}},
		{"/runway?scenario=bear", "en", []string{"Bear"}},
		{"/compute", "en", []string{"Training cost", "Memory per GPU", "Gross margin", "<svg"}},
		{"/channels", "en", []string{"Ticket", "<meter"}},
		{"/channels", "zh", []string{"单笔规模"}},
		{"/history", "en", []string{"seed", "company/main"}},
		{"/users", "en", []string{"olga", "Add an account"}},
		{"/account", "en", []string{"API tokens"}},
	}
	for _, c := range cases {
		cookie, _ := h.session("olga")
		// The user's own setting wins over the lang cookie; set it per case.
		_ = h.store.SetUserLang(context.Background(), 1, c.lang)
		w := h.do(req{path: c.path, cookie: cookie})
		body := w.Body.String()
		if w.Code != http.StatusOK {
			t.Errorf("%s [%s]: %d\n%.600s", c.path, c.lang, w.Code, body)
			continue
		}
		for _, s := range c.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s [%s]: no %q", c.path, c.lang, s)
			}
		}
		if strings.Contains(body, `class="alert"`) {
			t.Errorf("%s [%s]: an error shows: %s", c.path, c.lang, regexp.MustCompile(`class="alert"[^<]*<`).FindString(body))
		}
	}
}

func TestLanguageSwitch(t *testing.T) {
	h := newHarness(t, Options{})
	h.shareAll()
	cookie, csrf := h.session("vic")
	w := h.do(req{method: "POST", path: "/lang", cookie: cookie, ctype: formType, body: form(csrfField, csrf, "lang", "zh", "next", "/runway")})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/runway" {
		t.Fatalf("lang: %d %q", w.Code, w.Header().Get("Location"))
	}
	u, _ := h.store.UserByID(context.Background(), 3)
	if u.Lang != "zh" {
		t.Errorf("lang not stored: %q", u.Lang)
	}
	if w := h.do(req{path: "/runway", cookie: cookie}); !strings.Contains(w.Body.String(), "现金跑道") {
		t.Error("the page is not in Chinese")
	}
}

func TestCaptableEditConflict(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, csrf := h.session("ed")
	d, _ := h.store.Get(context.Background(), workspace.KindCompany, "main")
	// Someone else saves first.
	other := strings.Replace(d.Body, "pool_size: 1500000", "pool_size: 1600000", 1)
	if _, err := h.store.Put(context.Background(), workspace.KindCompany, "main", other, 1, "olga"); err != nil {
		t.Fatal(err)
	}
	mine := strings.Replace(d.Body, "pool_size: 1500000", "pool_size: 1700000", 1)
	w := h.do(req{method: "POST", path: "/captable", cookie: cookie, ctype: formType,
		body: form(csrfField, csrf, "version", "1", "name", "main", "body", mine)})
	if w.Code != http.StatusConflict {
		t.Fatalf("stale edit: %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{`"ddel">-   pool_size: 1600000`, `"dadd">&#43;   pool_size: 1700000`, `name="version" value="2"`, "olga"} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %q\n%s", want, regexp.MustCompile(`(?s)<pre class="diff">.*?</pre>`).FindString(body))
		}
	}
	// An invalid edit re-shows the form with the errors.
	w = h.do(req{method: "POST", path: "/captable", cookie: cookie, ctype: formType,
		body: form(csrfField, csrf, "version", "2", "name", "main", "body", "name: x\ncurrency: USD\nbogus: 1\n")})
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "bogus") {
		t.Errorf("invalid edit: %d", w.Code)
	}
}

func TestLineDiff(t *testing.T) {
	cases := []struct {
		a, b string
		want string
	}{
		{"", "x\n", "+x"},
		{"x\n", "", "-x"},
		{"a\nb\nc\n", "a\nB\nc\n", " a|-b|+B| c"},
		{"a\nb\n", "a\nb\nc\n", " a| b|+c"},
	}
	for _, c := range cases {
		var parts []string
		for _, l := range lineDiff(c.a, c.b) {
			parts = append(parts, l.Op+l.Text)
		}
		if got := strings.Join(parts, "|"); got != c.want {
			t.Errorf("lineDiff(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

func TestFieldErrors(t *testing.T) {
	fe := fieldErrors("body", bytesErr("captable: stakeholders[2].kind: unknown kind \"x\"\nsecond line without field"))
	if len(fe) != 2 || fe[0].Field != "captable" || fe[1].Field != "body" {
		t.Errorf("%+v", fe)
	}
}

type bytesErr string

func (e bytesErr) Error() string { return string(e) }

// Every finance/exit note, finance/waterfall label and compute/memory,
// compute/train and compute/serve note code has an English
// (the domain's own template) and a Chinese text in the dashboard's
// catalogue, naming the same placeholders.
func TestNoteCatalogue(t *testing.T) {
	domains := map[string]msg.Catalogue{
		"note.exit.":      exit.Notes,
		"note.waterfall.": waterfall.Events,
		"note.memory.":    memory.Notes,
		"note.train.":     train.Notes,
		"note.serve.":     serve.Notes,
	}
	errs := msg.CheckTranslations(domains, i18n.Keys(), func(key string) (en, zh string, ok bool) {
		if !i18n.Has(key) {
			return "", "", false
		}
		en, zh = i18n.Pair(key)
		return en, zh, true
	})
	for _, err := range errs {
		t.Error(err)
	}
}

// The zh exits page shows the adapter's notes and the breakpoint labels in
// Chinese; the section from the breakpoints to the notes is kept as a
// golden file (go test -run TestExitsPageChineseNotes -update rewrites it).
func TestExitsPageChineseNotes(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, _ := h.session("olga")
	_ = h.store.SetUserLang(context.Background(), 1, "zh")
	w := h.do(req{path: "/exits?exit=" + url.QueryEscape("5000万") + "&as_of=2025-06-30", cookie: cookie})
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("%d\n%.600s", w.Code, body)
	}
	start, end := strings.Index(body, "<h3>拐点</h3>"), strings.LastIndex(body, "</ul>")
	if start < 0 || end < start {
		t.Fatalf("no breakpoints and notes section:\n%s", body)
	}
	got := body[start:end+len("</ul>")] + "\n"
	checkTexts(t, "zh exits page", got, []string{"可转债作为债务先于股权偿还", "最惠国（MFN）SAFE", "第 0 级债务全额偿还（note-cloud）", "行权价 0.05 的期权进入价内"},
		[]string{"convertible note repaid", "MFN SAFE adopts", "come into the money", "repaid in full"})
	checkGolden(t, "exits page section", "exits-zh.golden.html", got)
	// In English the same section keeps the domain's sentences.
	_ = h.store.SetUserLang(context.Background(), 1, "en")
	en := h.do(req{path: "/exits?exit=50M&as_of=2025-06-30", cookie: cookie}).Body.String()
	checkTexts(t, "en exits page", en, []string{"convertible note repaid as debt", "debt of rank 0 repaid in full (note-cloud)"}, nil)
}

var updateGolden = flag.Bool("update", false, "rewrite golden files in testdata")

// checkGolden compares got, the text of what, with testdata/name, which
// -update first rewrites with got.
func checkGolden(t *testing.T, what, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", what, path, got, want)
	}
}

// checkTexts reports each of want that s, the text of page, lacks and
// each of english that it shows.
func checkTexts(t *testing.T, page, s string, want, english []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q", page, w)
		}
	}
	for _, e := range english {
		if strings.Contains(s, e) {
			t.Errorf("%s shows English %q", page, e)
		}
	}
}

// The zh compute page shows the training schedule's labels and the
// reasons for the memory layout in Chinese; the section from the schedule
// to the reasons is kept as a golden file (go test ./web -run
// TestComputePageChinese -update rewrites it).
func TestComputePageChinese(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, _ := h.session("olga")
	_ = h.store.SetUserLang(context.Background(), 1, "zh")
	w := h.do(req{path: "/compute", cookie: cookie})
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("%d\n%.600s", w.Code, body)
	}
	start := strings.Index(body, "<table><caption>按月支出")
	end := strings.Index(body, `<div class="chart">`)
	if start < 0 || end < start {
		t.Fatalf("no schedule and memory section:\n%s", body)
	}
	got := body[start:end] + "\n"
	checkTexts(t, "zh compute page", got, []string{"在 256 张 h800 上训练 llama-2-13b", "种布局中有", "选择性重计算", "每卡：已用"}, nil)
	checkTexts(t, "zh compute page", body, nil,
		[]string{"training llama", "layouts on", "recomputation", "per GPU:", "data-parallel ranks", " tokens", "(max)", " GPUs<"})
	checkGolden(t, "compute page section", "compute-zh.golden.html", got)
	// In English the same page keeps the domains' sentences.
	_ = h.store.SetUserLang(context.Background(), 1, "en")
	en := h.do(req{path: "/compute", cookie: cookie}).Body.String()
	checkTexts(t, "en compute page", en, []string{"training llama-2-13b on 256× h800", "layouts on 256 GPUs fit in", "selective recomputation", "2e12 tokens", "38 (max)"}, nil)
}

// The dashboard's stage menu names each stage as finance/channel does in
// its reasons, so the two never drift apart.
func TestChannelStageNames(t *testing.T) {
	for _, s := range channel.Stages {
		key := "channels.stage." + s
		en, zh := i18n.Pair(key)
		if n := channel.StageName(s); en != n.EN || zh != n.ZH {
			t.Errorf("%s: catalogue (%q, %q), channel.StageName %+v", key, en, zh, n)
		}
	}
}

// The zh channels page gives the exclusion reasons with Chinese stage
// names, not bare stage ids.
func TestChannelsPageChinese(t *testing.T) {
	h := newHarness(t, Options{})
	cookie, _ := h.session("olga")
	_ = h.store.SetUserLang(context.Background(), 1, "zh")
	w := h.do(req{path: "/channels?stage=pre-seed&amount=%C2%A520000000&china=1", cookie: cookie})
	body := html.UnescapeString(w.Body.String())
	if w.Code != http.StatusOK {
		t.Fatalf("%d\n%.600s", w.Code, body)
	}
	i := strings.Index(body, "已排除")
	if i < 0 {
		t.Fatalf("no excluded section:\n%s", body)
	}
	ex := body[i:]
	for _, want := range []string{"A轮及以后风险投资：不适用于种子前（pre-seed）阶段；适用阶段：A 轮（a）、B 轮及以后（b+）、成长期（growth）", "股权众筹：需要美国主体"} {
		if !strings.Contains(ex, want) {
			t.Errorf("zh channels page lacks %q:\n%s", want, ex)
		}
	}
	for _, bad := range []string{"适用：", "pre-seed 阶段", "not used", "requires"} {
		if strings.Contains(body, bad) {
			t.Errorf("zh channels page shows %q", bad)
		}
	}
}
