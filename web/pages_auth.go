package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kaiwu-ai/kaiwu/web/i18n"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// authForm is the login and setup pages' data.
type authForm struct {
	Name, Next string
}

// anonymous parses a form posted without a session and checks its CSRF
// token (double submit against the pre-login cookie).
func (s *server) anonymous(w http.ResponseWriter, r *http.Request, v *view) bool {
	return s.formOK(w, r, v, nil)
}

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	has, err := s.ownerExists(r.Context())
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	if !has {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	v := s.baseView(w, r, nil)
	v.Title = "login.title"
	v.Data = authForm{Next: safeNext(r.URL.Query().Get("next"))}
	s.render(w, r, v, "login", http.StatusOK)
}

func (s *server) loginPost(w http.ResponseWriter, r *http.Request) {
	v := s.baseView(w, r, nil)
	v.Title = "login.title"
	if !s.anonymous(w, r, v) {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	pass := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	v.Data = authForm{Name: name, Next: next}
	ipKey, userKey := "ip:"+clientIP(r), "user:"+strings.ToLower(name)
	if d := max(s.limiter.blocked(ipKey), s.limiter.blocked(userKey)); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Round(time.Second)/time.Second)+1))
		v.Err = v.T("login.limited")
		s.render(w, r, v, "login", http.StatusTooManyRequests)
		return
	}
	u, err := s.store.Authenticate(r.Context(), name, pass)
	if err != nil {
		if !errors.Is(err, workspace.ErrNotFound) {
			s.log.Error("authenticate", "err", err)
			s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
			return
		}
		s.limiter.fail(ipKey)
		s.limiter.fail(userKey)
		s.log.Warn("login failed", "user", name, "remote", clientIP(r))
		v.Err = v.T("login.failed")
		s.render(w, r, v, "login", http.StatusUnauthorized)
		return
	}
	s.limiter.reset(userKey)
	if err := s.startSession(w, r, u); err != nil {
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// startSession creates a session for u and sets its cookie.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, u workspace.User) error {
	tok, err := s.store.CreateSession(r.Context(), u.ID, s.opts.SessionTTL)
	if err != nil {
		s.log.Error("session", "err", err)
		return err
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, tok, int(s.opts.SessionTTL/time.Second)))
	return nil
}

func (s *server) logoutPost(w http.ResponseWriter, r *http.Request, v *view) {
	if p := who(r); p != nil && p.Session != "" {
		if err := s.store.DeleteSession(r.Context(), p.Session); err != nil && !errors.Is(err, workspace.ErrNotFound) {
			s.log.Error("logout", "err", err)
		}
	}
	http.SetCookie(w, s.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *server) setupPage(w http.ResponseWriter, r *http.Request) {
	has, err := s.ownerExists(r.Context())
	if err != nil {
		http.Error(w, "500 internal server error", http.StatusInternalServerError)
		return
	}
	if has {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	v := s.baseView(w, r, nil)
	v.Title = "setup.title"
	v.Data = authForm{}
	s.render(w, r, v, "setup", http.StatusOK)
}

func (s *server) setupPost(w http.ResponseWriter, r *http.Request) {
	v := s.baseView(w, r, nil)
	v.Title = "setup.title"
	has, err := s.ownerExists(r.Context())
	if err != nil {
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	if has {
		s.renderError(w, r, v, http.StatusForbidden, v.T("setup.done"))
		return
	}
	if !s.anonymous(w, r, v) {
		return
	}
	ipKey := "setup:" + clientIP(r)
	if d := s.limiter.blocked(ipKey); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d/time.Second)+1))
		s.renderError(w, r, v, http.StatusTooManyRequests, v.T("login.limited"))
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	v.Data = authForm{Name: name}
	tok := strings.TrimSpace(r.PostForm.Get("token"))
	if subtle.ConstantTimeCompare([]byte(tok), []byte(s.opts.SetupToken)) != 1 {
		s.limiter.fail(ipKey)
		v.Err = v.T("setup.bad_token")
		s.render(w, r, v, "setup", http.StatusForbidden)
		return
	}
	q := UserRequest{Name: name, Password: r.PostForm.Get("password"), Role: workspace.RoleOwner}
	if errs := q.check(); len(errs) > 0 || q.Password != r.PostForm.Get("password2") {
		msg := v.T("setup.invalid")
		for _, e := range errs {
			msg += " " + e.Field + ": " + e.Detail + "."
		}
		if q.Password != r.PostForm.Get("password2") {
			msg += " " + v.T("setup.mismatch")
		}
		v.Err = msg
		s.render(w, r, v, "setup", http.StatusUnprocessableEntity)
		return
	}
	u, err := s.store.CreateUser(r.Context(), q.Name, q.Password, workspace.RoleOwner)
	if err != nil {
		s.log.Error("setup", "err", err)
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	s.hasOwner.Store(true)
	_ = s.store.SetUserLang(r.Context(), u.ID, string(v.Lang))
	s.log.Info("owner created", "user", u.Name)
	if err := s.startSession(w, r, u); err != nil {
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// langPost switches the language: stored with the user when logged in,
// in a cookie always.
func (s *server) langPost(w http.ResponseWriter, r *http.Request) {
	p, _ := s.authenticate(r)
	if p != nil {
		r = r.WithContext(withPrincipal(r.Context(), p))
	}
	v := s.baseView(w, r, p)
	if !s.formOK(w, r, v, p) {
		return
	}
	l := i18n.Parse(r.PostForm.Get("lang"))
	if p != nil {
		if err := s.store.SetUserLang(r.Context(), p.User.ID, string(l)); err != nil {
			s.log.Error("lang", "err", err)
		}
	}
	http.SetCookie(w, s.cookie(r, langCookie, string(l), 365*24*3600))
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}
