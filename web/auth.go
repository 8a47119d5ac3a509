package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kaiwu-ai/kaiwu/workspace"
)

// Cookie and header names.
const (
	sessionCookie = "kaiwu_session"
	preCookie     = "kaiwu_csrf" // pre-login CSRF secret (double submit)
	langCookie    = "kaiwu_lang"
	csrfField     = "csrf_token"
	csrfHeader    = "X-CSRF-Token"
)

// principal is who makes a request.
type principal struct {
	User    workspace.User
	Session string // session token; "" when authenticated by bearer token
	Bearer  bool
	// shared caches, for a viewer, the kinds the owner shares (read once
	// per request by sharedKinds).
	shared map[workspace.Kind]bool
}

type ctxKey struct{}

func withPrincipal(ctx context.Context, p *principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// who returns the request's principal, nil when anonymous.
func who(r *http.Request) *principal {
	p, _ := r.Context().Value(ctxKey{}).(*principal)
	return p
}

// rank orders the roles.
func rank(r workspace.Role) int {
	switch r {
	case workspace.RoleOwner:
		return 3
	case workspace.RoleEditor:
		return 2
	case workspace.RoleViewer:
		return 1
	}
	return 0
}

// can reports whether a user of role have may act as role need.
func can(have, need workspace.Role) bool { return rank(have) >= rank(need) }

// authenticate finds the principal: an Authorization: Bearer token first,
// then the session cookie. nil, nil means anonymous.
func (s *server) authenticate(r *http.Request) (*principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return nil, errBadAuth
		}
		u, err := s.store.TokenUser(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			if errors.Is(err, workspace.ErrNotFound) {
				return nil, errBadAuth
			}
			return nil, err
		}
		return &principal{User: u, Bearer: true}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	u, err := s.store.Session(r.Context(), c.Value)
	if err != nil {
		if errors.Is(err, workspace.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	return &principal{User: u, Session: c.Value}, nil
}

var errBadAuth = errors.New("invalid credentials")

// ownerExists reports whether the workspace has an account yet; once it
// does, the answer is cached (accounts are never all removed).
func (s *server) ownerExists(ctx context.Context) (bool, error) {
	if s.hasOwner.Load() {
		return true, nil
	}
	us, err := s.store.Users(ctx)
	if err != nil {
		return false, err
	}
	if len(us) > 0 {
		s.hasOwner.Store(true)
		return true, nil
	}
	return false, nil
}

// isWrite reports whether the method may change state.
func isWrite(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// apiHandler wraps an API handler: it requires a principal of at least
// role need (401 / 403 problems otherwise) and, for writes authenticated
// by the session cookie, the CSRF header.
func (s *server) apiHandler(need workspace.Role, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil && !errors.Is(err, errBadAuth) {
			s.log.Error("authenticate", "err", err)
			problem(w, r, http.StatusInternalServerError, "internal", "internal error")
			return
		}
		if p == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kaiwu"`)
			detail := "log in or send Authorization: Bearer TOKEN"
			if errors.Is(err, errBadAuth) {
				detail = "the bearer token is unknown or malformed"
			}
			problem(w, r, http.StatusUnauthorized, "unauthorized", detail)
			return
		}
		if !can(p.User.Role, need) {
			problem(w, r, http.StatusForbidden, "forbidden",
				"this needs the "+string(need)+" role; "+p.User.Name+" is "+string(p.User.Role))
			return
		}
		if !p.Bearer && isWrite(r.Method) && !s.validCSRF(r, p, r.Header.Get(csrfHeader)) {
			problem(w, r, http.StatusForbidden, "csrf",
				"a write with the session cookie needs the "+csrfHeader+" header (the page's csrf-token meta)")
			return
		}
		h(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// csrfToken is the CSRF token of the request: tied to the session when
// logged in, otherwise to the pre-login cookie (set here when missing).
func (s *server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if p := who(r); p != nil && p.Session != "" {
		return s.sign("session:" + p.Session)
	}
	secret := ""
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) >= 16 {
		secret = c.Value
	} else {
		secret = base64.RawURLEncoding.EncodeToString(randomBytes(24))
		http.SetCookie(w, s.cookie(r, preCookie, secret, 0))
		// The token must match on this very request's form too.
		r.AddCookie(&http.Cookie{Name: preCookie, Value: secret})
	}
	return s.sign("pre:" + secret)
}

// validCSRF checks a submitted token against the session (logged in) or
// the pre-login cookie.
func (s *server) validCSRF(r *http.Request, p *principal, got string) bool {
	if got == "" {
		return false
	}
	var want string
	switch {
	case p != nil && p.Session != "":
		want = s.sign("session:" + p.Session)
	default:
		c, err := r.Cookie(preCookie)
		if err != nil || c.Value == "" {
			return false
		}
		want = s.sign("pre:" + c.Value)
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *server) sign(msg string) string {
	m := hmac.New(sha256.New, s.opts.CSRFKey)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// cookie builds a cookie with the house flags: HttpOnly, SameSite=Lax,
// Path=/, Secure under TLS or with Options.SecureCookies. maxAge 0: a
// session cookie; negative: delete.
func (s *server) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.opts.SecureCookies}
}

// clientIP is the peer's address without the port. Forwarding headers
// are not trusted: behind a proxy, every client shares the proxy's limit.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limiter counts failures per key (a client address, a user name) and
// locks a key out for a window once it reaches the limit; each further
// lock-out doubles, up to an hour.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	now    func() time.Time
	m      map[string]*bucket
}

type bucket struct {
	start   time.Time // of the counting window
	n       int       // failures in the window
	until   time.Time // locked out until
	strikes int       // lock-outs so far
}

func newLimiter(limit int, window time.Duration, now func() time.Time) *limiter {
	return &limiter{limit: limit, window: window, now: now, m: map[string]*bucket{}}
}

// blocked returns how long key is still locked out (0: not).
func (l *limiter) blocked(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.m[key]
	if b == nil {
		return 0
	}
	if d := b.until.Sub(l.now()); d > 0 {
		return d
	}
	return 0
}

// fail records a failure for key.
func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) > 100000 {
		l.prune(now)
	}
	b := l.m[key]
	if b == nil {
		b = &bucket{start: now}
		l.m[key] = b
	}
	if now.Sub(b.start) > l.window {
		b.start, b.n = now, 0
	}
	b.n++
	if b.n >= l.limit {
		b.strikes++
		d := l.window << (b.strikes - 1)
		if d > time.Hour || d <= 0 {
			d = time.Hour
		}
		b.until = now.Add(d)
		b.start, b.n = now, 0
	}
}

// reset forgets key (after a successful login).
func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.m, key)
	l.mu.Unlock()
}

func (l *limiter) prune(now time.Time) {
	for k, b := range l.m {
		if now.After(b.until) && now.Sub(b.start) > l.window && b.strikes == 0 {
			delete(l.m, k)
		}
	}
}
