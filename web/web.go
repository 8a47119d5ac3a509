// Package web is kaiwu's HTTP face: a JSON API (described by an OpenAPI
// 3.1 document at /api/openapi.json) and a server-rendered dashboard over
// a workspace.Store, with accounts, sessions, CSRF protection, API tokens
// and login rate limiting.
//
// Everything is in the binary: templates and the stylesheet are embedded,
// charts are inline SVG, and every page works without JavaScript.
//
// The handler returned by New is safe to put behind any load balancer: it
// keeps no state of its own beyond the login rate limiter and a cache of
// "the workspace has an owner".
package web

import (
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// Options configure the server. The zero value is usable: a discarding
// logger, a random setup token and CSRF key, 1 MiB bodies, 12-hour
// sessions and 5 login failures a minute.
type Options struct {
	// Logger receives one line per request; nil discards.
	Logger *slog.Logger
	// SetupToken must be entered on the first-run page that creates the
	// owner, so that a stranger who reaches the server cannot claim it.
	// Empty: a random token is made and logged at warning level.
	SetupToken string
	// SecureCookies marks cookies Secure even on plain HTTP (behind a TLS
	// proxy). Under TLS they are Secure anyway.
	SecureCookies bool
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64
	// SessionTTL is how long a login lasts (default 12 hours).
	SessionTTL time.Duration
	// LoginLimit failures per LoginWindow, per client address and per
	// user name, lock logins out with a doubling backoff (defaults 5 and
	// one minute).
	LoginLimit  int
	LoginWindow time.Duration
	// CSRFKey signs CSRF tokens; empty: random (tokens then do not
	// survive a restart — give a key when several processes serve one
	// workspace).
	CSRFKey []byte
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// Runs trains models for the Models pages and /api/runs; nil: a
	// Manager over the store with its defaults (one run at a time). The
	// caller that passes one calls its Recover at startup and Close at
	// shutdown.
	Runs *lifecycle.Manager
}

// server holds the handler's dependencies.
type server struct {
	store    workspace.Store
	opts     Options
	log      *slog.Logger
	limiter  *limiter
	hasOwner atomic.Bool
	pages    *pageSet
	mux      *http.ServeMux
	runs     *lifecycle.Manager
}

// New returns the HTTP handler of the API and the dashboard over store.
func New(store workspace.Store, opts Options) http.Handler {
	return newServer(store, opts).handler()
}

// handler is the mux wrapped in the middleware, outermost first: request
// log and panic recovery, security headers, body limit.
func (s *server) handler() http.Handler {
	var h http.Handler = s.mux
	h = limitBody(s.opts.MaxBodyBytes, h)
	h = securityHeaders(h)
	h = logRequests(s.log, h)
	return h
}

func newServer(store workspace.Store, opts Options) *server {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.LoginLimit <= 0 {
		opts.LoginLimit = 5
	}
	if opts.LoginWindow <= 0 {
		opts.LoginWindow = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.CSRFKey) == 0 {
		opts.CSRFKey = randomBytes(32)
	}
	if opts.SetupToken == "" {
		opts.SetupToken = NewSetupToken()
		opts.Logger.Warn("no setup token given; the first-run page needs this one", "setup_token", opts.SetupToken)
	}
	if opts.Runs == nil {
		opts.Runs = lifecycle.NewManager(store, lifecycle.Options{Logger: opts.Logger})
	}
	s := &server{store: store, opts: opts, log: opts.Logger,
		limiter: newLimiter(opts.LoginLimit, opts.LoginWindow, opts.Now), pages: mustPages(), runs: opts.Runs}
	s.pages.addRunPages()
	s.mux = http.NewServeMux()
	s.routes()
	return s
}

// NewSetupToken returns a random token for Options.SetupToken (128 bits,
// URL-safe base64).
func NewSetupToken() string { return base64.RawURLEncoding.EncodeToString(randomBytes(16)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("web: no randomness: " + err.Error())
	}
	return b
}

// routes registers every handler. The API routes are listed in apiRoutes
// as well, so the OpenAPI document can be checked against them.
func (s *server) routes() {
	for _, r := range s.apiRoutes() {
		s.mux.Handle(r.pattern, r.h)
	}
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, r, http.StatusNotFound, "not-found", "no such API endpoint: "+r.Method+" "+r.URL.Path)
	})
	s.runPageRoutes()
	s.pageRoutes()
}
