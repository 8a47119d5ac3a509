package web

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kaiwu-ai/kaiwu/workspace"
)

// Sharing: owners and editors read everything; a viewer reads only the
// document kinds the owner shares (workspace.Store.Sharing), and the
// training runs only when the owner shares them (workspace.KindRuns, not
// a document kind but shared like one). An unshared
// kind is not found for a viewer — 404, never 403, so that a viewer does
// not learn what exists — and is left out of lists, the navigation, the
// overview and the history. The checks sit at two levels: each route
// that shows one kind is gated (apiKind, pageKind), and s.doc, through
// which every computed page and endpoint reads its document, refuses too.

// sharedKinds returns the kinds the principal of ctx may read; nil means
// all (owners, editors, and internal calls without a principal).
func (s *server) sharedKinds(ctx context.Context) (map[workspace.Kind]bool, error) {
	p, _ := ctx.Value(ctxKey{}).(*principal)
	if p == nil || p.User.Role != workspace.RoleViewer {
		return nil, nil
	}
	if p.shared == nil {
		m, err := s.store.Sharing(ctx)
		if err != nil {
			return nil, err
		}
		if m == nil {
			m = map[workspace.Kind]bool{}
		}
		p.shared = m
	}
	return p.shared, nil
}

// canRead reports whether the principal of ctx may read documents of kind.
func (s *server) canRead(ctx context.Context, kind workspace.Kind) (bool, error) {
	m, err := s.sharedKinds(ctx)
	if err != nil || m == nil {
		return err == nil, err
	}
	return m[kind], nil
}

// notShared is the error for a kind a viewer may not read: it reads as a
// missing document.
func notShared(kind workspace.Kind) error {
	return fmt.Errorf("no %s document in the workspace: %w", kind, workspace.ErrNotFound)
}

// apiKind gates an API handler on kind: a viewer to whom kind is not
// shared gets 404.
func (s *server) apiKind(kind workspace.Kind, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ok, err := s.canRead(r.Context(), kind)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			problem(w, r, http.StatusNotFound, "not-found", "no such API endpoint: "+r.Method+" "+r.URL.Path)
			return
		}
		h(w, r)
	}
}

// pageKind gates a page on kind: a viewer to whom kind is not shared gets
// the 404 page.
func (s *server) pageKind(kind workspace.Kind, h pageFunc) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, v *view) {
		if !v.Can(string(kind)) {
			s.renderError(w, r, v, http.StatusNotFound, v.T("error.not_found"))
			return
		}
		h(w, r, v)
	}
}

// Can reports whether the page's user may see documents of kind.
func (v *view) Can(kind string) bool { return v.Shared == nil || v.Shared[workspace.Kind(kind)] }

// filterDocs keeps the documents the principal of ctx may read.
func (s *server) filterDocs(ctx context.Context, ds []workspace.Document) ([]workspace.Document, error) {
	m, err := s.sharedKinds(ctx)
	if err != nil || m == nil {
		return ds, err
	}
	out := []workspace.Document{}
	for _, d := range ds {
		if m[d.Kind] {
			out = append(out, d)
		}
	}
	return out, nil
}

// history returns the audit entries the principal of ctx may read: all
// of them for owners and editors, only those of shared kinds for a
// viewer (the store is asked for everything, then filtered and cut to
// limit).
func (s *server) history(ctx context.Context, kind workspace.Kind, name string, limit int) ([]workspace.AuditEntry, error) {
	m, err := s.sharedKinds(ctx)
	if err != nil {
		return nil, err
	}
	if m == nil {
		return s.store.History(ctx, kind, name, limit)
	}
	if kind != "" && !m[kind] {
		return nil, notShared(kind)
	}
	h, err := s.store.History(ctx, kind, name, 0)
	if err != nil {
		return nil, err
	}
	out := []workspace.AuditEntry{}
	for _, e := range h {
		if !m[e.Kind] {
			continue
		}
		out = append(out, e)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// SharingState is GET /api/sharing and the answer of PUT /api/sharing.
type SharingState struct {
	// Shared says, for every document kind and for "runs" (the training
	// runs), whether viewers may read it.
	Shared map[workspace.Kind]bool `json:"shared"`
	// Changes is the log of sharing changes, newest first (for the owner
	// only).
	Changes []workspace.SharingChange `json:"changes,omitempty"`
}

func (s *server) sharingState(ctx context.Context, withLog bool) (*SharingState, error) {
	m, err := s.store.Sharing(ctx)
	if err != nil {
		return nil, err
	}
	st := &SharingState{Shared: m}
	if withLog {
		if st.Changes, err = s.store.SharingLog(ctx, 100); err != nil {
			return nil, err
		}
	}
	return st, nil
}

func (s *server) apiSharing(w http.ResponseWriter, r *http.Request) {
	st, err := s.sharingState(r.Context(), who(r).User.Role == workspace.RoleOwner)
	s.reply(w, r, st, err)
}

// apiPutSharing changes the kinds named in the body ({"runway": true,
// "compute": false}); kinds not named keep their setting.
func (s *server) apiPutSharing(w http.ResponseWriter, r *http.Request) {
	var q map[string]bool
	if !readJSON(w, r, &q) {
		return
	}
	var errs []FieldDetail
	for k := range q {
		if _, err := workspace.ParseShareable(k); err != nil || k != strings.ToLower(strings.TrimSpace(k)) {
			errs = append(errs, FieldDetail{k, strconv.Quote(k) + " is neither a document kind nor runs"})
		}
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
		invalid(w, r, "the sharing is not valid", errs...)
		return
	}
	if err := s.setSharing(r.Context(), q, who(r).User.Name); err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.sharingState(r.Context(), true)
	s.reply(w, r, st, err)
}

// setSharing applies the changes in a fixed order (workspace.Shareable).
func (s *server) setSharing(ctx context.Context, q map[string]bool, actor string) error {
	for _, k := range workspace.Shareable() {
		if v, ok := q[string(k)]; ok {
			if err := s.store.SetSharing(ctx, k, v, actor); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- the /sharing page ----

type sharingRow struct {
	Kind   workspace.Kind
	Shared bool
}

type sharingData struct {
	Kinds   []sharingRow
	Changes []workspace.SharingChange
}

func (s *server) sharingPage(w http.ResponseWriter, r *http.Request, v *view) {
	s.sharingRender(w, r, v, http.StatusOK)
}

func (s *server) sharingRender(w http.ResponseWriter, r *http.Request, v *view, status int) {
	v.Title, v.Nav = "nav.sharing", "users"
	st, err := s.sharingState(r.Context(), true)
	if err != nil {
		s.log.Error("sharing", "err", err)
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	d := &sharingData{Changes: st.Changes}
	for _, k := range workspace.Shareable() {
		d.Kinds = append(d.Kinds, sharingRow{k, st.Shared[k]})
	}
	v.Data = d
	s.render(w, r, v, "sharing", status)
}

// sharingPost reads the form: one checkbox per kind and one for the runs
// (checked: shared).
func (s *server) sharingPost(w http.ResponseWriter, r *http.Request, v *view) {
	q := map[string]bool{}
	for _, k := range workspace.Shareable() {
		q[string(k)] = r.PostForm.Get("share_"+string(k)) != ""
	}
	if err := s.setSharing(r.Context(), q, v.User.Name); err != nil {
		s.log.Error("sharing", "err", err)
		s.renderError(w, r, v, http.StatusInternalServerError, v.T("error.internal"))
		return
	}
	http.Redirect(w, r, "/sharing", http.StatusSeeOther)
}
