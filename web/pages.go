package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/kaiwu-ai/kaiwu/web/i18n"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageSet holds one parsed template per page, each with the layout.
type pageSet struct {
	t map[string]*template.Template
}

// pageNames are the page templates (templates/NAME.html).
var pageNames = []string{"login", "setup", "error", "overview", "captable", "conflict", "rounds", "exits",
	"valuation", "runway", "compute", "channels", "history", "users", "sharing", "account"}

func mustPages() *pageSet {
	ps := &pageSet{t: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"svg":  func(b []byte) template.HTML { return template.HTML(b) }, // chart output is escaped by package chart
		"list": func(xs ...string) []string { return xs },
	}
	for _, n := range pageNames {
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+n+".html"))
		ps.t[n] = t
	}
	return ps
}

// view is what every page template receives.
type view struct {
	Lang    i18n.Lang
	F       fmtr
	User    *workspace.User
	CSRF    string
	Title   string // message key
	Nav     string // active nav entry
	Path    string
	Demo    bool
	Company string
	CanEdit bool
	IsOwner bool
	// Shared is, for a viewer, the kinds the owner shares; nil: all (see
	// Can).
	Shared map[workspace.Kind]bool
	// Err is a message shown at the top of the page (a missing or
	// invalid document, a bad form value).
	Err  string
	Data any
}

// T translates a message key.
func (v *view) T(key string) string { return i18n.T(v.Lang, key) }

// Other is the language the switch offers.
func (v *view) Other() i18n.Lang {
	if v.Lang == i18n.ZH {
		return i18n.EN
	}
	return i18n.ZH
}

// navItem is one entry of the navigation bar.
type navItem struct{ Key, Path string }

// Nav lists the pages in the menu.
func (v *view) NavItems() []navItem {
	all := []struct {
		navItem
		kind workspace.Kind // "": every role sees it; else a viewer only when the owner shares it
	}{{navItem{"overview", "/"}, ""}, {navItem{"captable", "/captable"}, workspace.KindCompany},
		{navItem{"rounds", "/rounds"}, workspace.KindCompany}, {navItem{"exits", "/exits"}, workspace.KindCompany},
		{navItem{"valuation", "/valuation"}, workspace.KindValuation}, {navItem{"runway", "/runway"}, workspace.KindRunway},
		{navItem{"compute", "/compute"}, workspace.KindCompute}, {navItem{"channels", "/channels"}, workspace.KindChannels},
		{navItem{"runs", "/runs"}, workspace.KindRuns}, // the Models pages (web/runs.go)
		{navItem{"history", "/history"}, ""}}
	var items []navItem
	for _, it := range all {
		if it.kind == "" || v.Can(string(it.kind)) {
			items = append(items, it.navItem)
		}
	}
	if v.IsOwner {
		items = append(items, navItem{"users", "/users"})
	}
	return items
}

// langOf picks the language: the user's setting, the lang cookie, the
// browser's Accept-Language.
func langOf(r *http.Request, u *workspace.User) i18n.Lang {
	if u != nil && u.Lang != "" {
		return i18n.Parse(u.Lang)
	}
	if c, err := r.Cookie(langCookie); err == nil && c.Value != "" {
		return i18n.Parse(c.Value)
	}
	return i18n.FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// baseView builds the view for a request; p may be nil.
func (s *server) baseView(w http.ResponseWriter, r *http.Request, p *principal) *view {
	v := &view{Path: r.URL.Path}
	if p != nil {
		u := p.User
		v.User = &u
		v.CanEdit = can(u.Role, workspace.RoleEditor)
		v.IsOwner = u.Role == workspace.RoleOwner
		if m, err := s.sharedKinds(r.Context()); err != nil {
			s.log.Error("sharing", "err", err)
			v.Shared = map[workspace.Kind]bool{} // fail closed
		} else {
			v.Shared = m
		}
		prof := s.profile(r.Context())
		v.Demo, v.Company = prof.Demo, prof.Name
	}
	v.Lang = langOf(r, v.User)
	v.F = fmtr{lang: v.Lang}
	v.CSRF = s.csrfToken(w, r)
	return v
}

// render executes page name into a buffer first, so a template error
// never leaves half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, v *view, name string, status int) {
	t, ok := s.pages.t[name]
	if !ok {
		panic("web: no page template " + name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError shows the error page.
func (s *server) renderError(w http.ResponseWriter, r *http.Request, v *view, status int, msg string) {
	v.Title = "error.title"
	v.Err = msg
	v.Data = status
	s.render(w, r, v, "error", status)
}

// pageFunc is a page handler: the view is filled with the user, language
// and CSRF token; POST forms are parsed and their CSRF token checked.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *view)

// page wraps a page handler with authentication (a redirect to the login
// or first-run page), a role check (403) and, for POST, the CSRF check.
func (s *server) page(need workspace.Role, h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil && !errors.Is(err, errBadAuth) {
			s.log.Error("authenticate", "err", err)
			http.Error(w, "500 internal server error", http.StatusInternalServerError)
			return
		}
		if p == nil {
			has, err := s.ownerExists(r.Context())
			if err != nil {
				s.log.Error("users", "err", err)
				http.Error(w, "500 internal server error", http.StatusInternalServerError)
				return
			}
			if !has {
				http.Redirect(w, r, "/setup", http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		r = r.WithContext(withPrincipal(r.Context(), p))
		v := s.baseView(w, r, p)
		if !can(p.User.Role, need) {
			s.renderError(w, r, v, http.StatusForbidden, v.T("error.forbidden"))
			return
		}
		if r.Method == http.MethodPost && !s.formOK(w, r, v, p) {
			return
		}
		h(w, r, v)
	})
}

// formOK parses a POSTed form and checks its CSRF token; false when it
// answered (413, 400 or 403).
func (s *server) formOK(w http.ResponseWriter, r *http.Request, v *view, p *principal) bool {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.renderError(w, r, v, http.StatusRequestEntityTooLarge, v.T("error.too_large"))
			return false
		}
		s.renderError(w, r, v, http.StatusBadRequest, err.Error())
		return false
	}
	if !s.validCSRF(r, p, r.PostForm.Get(csrfField)) {
		s.renderError(w, r, v, http.StatusForbidden, v.T("error.csrf"))
		return false
	}
	return true
}

// pageRoutes registers the dashboard.
func (s *server) pageRoutes() {
	V, E, O := workspace.RoleViewer, workspace.RoleEditor, workspace.RoleOwner
	static, _ := fs.Sub(staticFS, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	s.mux.Handle("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	}))
	s.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.loginPost)
	s.mux.HandleFunc("GET /setup", s.setupPage)
	s.mux.HandleFunc("POST /setup", s.setupPost)
	s.mux.Handle("POST /logout", s.page(V, s.logoutPost))
	s.mux.HandleFunc("POST /lang", s.langPost)
	s.mux.Handle("GET /{$}", s.page(V, s.overviewPage))
	s.mux.Handle("GET /captable", s.page(V, s.pageKind(workspace.KindCompany, s.captablePage)))
	s.mux.Handle("POST /captable", s.page(E, s.captablePost))
	s.mux.Handle("GET /rounds", s.page(V, s.pageKind(workspace.KindCompany, s.roundsPage)))
	s.mux.Handle("GET /exits", s.page(V, s.pageKind(workspace.KindCompany, s.exitsPage)))
	s.mux.Handle("GET /valuation", s.page(V, s.pageKind(workspace.KindValuation, s.valuationPage)))
	s.mux.Handle("GET /runway", s.page(V, s.pageKind(workspace.KindRunway, s.runwayPage)))
	s.mux.Handle("GET /compute", s.page(V, s.pageKind(workspace.KindCompute, s.computePage)))
	s.mux.Handle("GET /channels", s.page(V, s.pageKind(workspace.KindChannels, s.channelsPage)))
	s.mux.Handle("GET /history", s.page(V, s.historyPage))
	s.mux.Handle("GET /users", s.page(O, s.usersPage))
	s.mux.Handle("POST /users", s.page(O, s.usersPost))
	s.mux.Handle("GET /sharing", s.page(O, s.sharingPage))
	s.mux.Handle("POST /sharing", s.page(O, s.sharingPost))
	s.mux.Handle("GET /account", s.page(V, s.accountPage))
	s.mux.Handle("POST /account/token", s.page(V, s.tokenPost))
	s.mux.Handle("/", s.page(V, func(w http.ResponseWriter, r *http.Request, v *view) {
		s.renderError(w, r, v, http.StatusNotFound, v.T("error.not_found"))
	}))
}

// errMessage turns a domain error into a message for a page; missing
// documents get a friendly hint.
func (v *view) errMessage(err error) string {
	var pe *paramError
	var de *docError
	switch {
	case errors.As(err, &pe):
		return err.Error()
	case errors.As(err, &de):
		return v.T("error.document") + " " + err.Error()
	case errors.Is(err, workspace.ErrNotFound):
		return v.T("error.missing") + " " + strings.TrimSuffix(err.Error(), ": "+workspace.ErrNotFound.Error())
	}
	return v.T("error.internal")
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
