package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/kaiwu-ai/kaiwu/workspace"
)

//go:embed openapi.json
var openAPIDocument []byte

// apiRoute is one API endpoint: its ServeMux pattern and handler.
type apiRoute struct {
	pattern string
	h       http.Handler
}

// apiRoutes is the API's route table; the OpenAPI document must describe
// exactly these (TestOpenAPIMatchesRoutes).
func (s *server) apiRoutes() []apiRoute {
	V, E, O := workspace.RoleViewer, workspace.RoleEditor, workspace.RoleOwner
	return append([]apiRoute{
		{"GET /api/openapi.json", http.HandlerFunc(s.apiOpenAPI)},
		{"GET /api/me", s.apiHandler(V, s.apiMe)},
		{"POST /api/tokens", s.apiHandler(V, s.apiCreateToken)},
		{"GET /api/users", s.apiHandler(O, s.apiUsers)},
		{"POST /api/users", s.apiHandler(O, s.apiCreateUser)},
		{"GET /api/documents", s.apiHandler(V, s.apiListDocuments)},
		{"GET /api/documents/{kind}/{name}", s.apiHandler(V, s.apiGetDocument)},
		{"PUT /api/documents/{kind}/{name}", s.apiHandler(E, s.apiPutDocument)},
		{"DELETE /api/documents/{kind}/{name}", s.apiHandler(E, s.apiDeleteDocument)},
		{"GET /api/history", s.apiHandler(V, s.apiHistory)},
		{"GET /api/sharing", s.apiHandler(V, s.apiSharing)},
		{"PUT /api/sharing", s.apiHandler(O, s.apiPutSharing)},
		{"GET /api/captable", s.apiHandler(V, s.apiKind(workspace.KindCompany, s.apiCaptable))},
		{"POST /api/round", s.apiHandler(V, s.apiKind(workspace.KindCompany, s.apiRound))},
		{"GET /api/waterfall", s.apiHandler(V, s.apiKind(workspace.KindCompany, s.apiWaterfall))},
		{"GET /api/exits", s.apiHandler(V, s.apiKind(workspace.KindCompany, s.apiExits))},
		{"GET /api/valuation/{method}", s.apiHandler(V, s.apiKind(workspace.KindValuation, s.apiValuation))},
		{"GET /api/runway", s.apiHandler(V, s.apiKind(workspace.KindRunway, s.apiRunway))},
		{"GET /api/compute/train", s.apiHandler(V, s.apiKind(workspace.KindCompute, s.apiComputeTrain))},
		{"GET /api/compute/memory", s.apiHandler(V, s.apiKind(workspace.KindCompute, s.apiComputeMemory))},
		{"GET /api/compute/serve", s.apiHandler(V, s.apiKind(workspace.KindCompute, s.apiComputeServe))},
		{"GET /api/channels", s.apiHandler(V, s.apiKind(workspace.KindChannels, s.apiChannels))},
	}, s.runRoutes()...) // web/runs.go
}

func (s *server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}

// fail answers with the problem that fits err.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *paramError
	var de *docError
	switch {
	case errors.As(err, &pe):
		// A joined error may hold several parameter errors.
		fd := fieldErrors(pe.Field, err)
		writeProblem(w, r, Problem{Type: problemType("bad-request"), Title: "Bad request", Status: http.StatusBadRequest,
			Detail: err.Error(), Errors: fd})
	case errors.As(err, &de):
		invalid(w, r, err.Error(), fieldErrors("body", de.Err)...)
	case errors.Is(err, context.Canceled):
		// The client went away.
	default:
		if !errors.Is(err, workspace.ErrNotFound) && !errors.Is(err, workspace.ErrConflict) && !errors.Is(err, workspace.ErrExists) {
			s.log.Error("api", "path", r.URL.Path, "err", err)
		}
		storeError(w, r, err)
	}
}

// Me is GET /api/me.
type Me struct {
	User workspace.User `json:"user"`
	// CSRFToken is what a cookie-authenticated client sends in the
	// X-CSRF-Token header of its writes.
	CSRFToken string `json:"csrf_token,omitempty"`
}

func (s *server) apiMe(w http.ResponseWriter, r *http.Request) {
	p := who(r)
	m := Me{User: p.User}
	if p.Session != "" {
		m.CSRFToken = s.sign("session:" + p.Session)
	}
	writeJSON(w, http.StatusOK, m)
}

// readJSON decodes a JSON body into v (unknown fields refused); false
// when it answered an error.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		problem(w, r, http.StatusUnsupportedMediaType, "media-type", "send Content-Type: application/json")
		return false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if tooLarge(w, r, err) {
			return false
		}
		badParam(w, r, "body", "not valid JSON for this endpoint: "+err.Error())
		return false
	}
	return true
}

// TokenRequest is the body of POST /api/tokens.
type TokenRequest struct {
	Label string `json:"label"`
}

// TokenResponse carries a new API token; it is shown only once.
type TokenResponse struct {
	Token string `json:"token"`
	Label string `json:"label"`
}

func (s *server) apiCreateToken(w http.ResponseWriter, r *http.Request) {
	var q TokenRequest
	if !readJSON(w, r, &q) {
		return
	}
	q.Label = strings.TrimSpace(q.Label)
	if q.Label == "" || len(q.Label) > 100 {
		badParam(w, r, "label", "required, at most 100 characters")
		return
	}
	tok, err := s.store.CreateToken(r.Context(), who(r).User.ID, q.Label)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, TokenResponse{Token: tok, Label: q.Label})
}

func (s *server) apiUsers(w http.ResponseWriter, r *http.Request) {
	us, err := s.store.Users(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, us)
}

// UserRequest is the body of POST /api/users.
type UserRequest struct {
	Name     string         `json:"name"`
	Password string         `json:"password"`
	Role     workspace.Role `json:"role"`
}

// check validates a new account, field by field.
func (q *UserRequest) check() []FieldDetail {
	var errs []FieldDetail
	q.Name = strings.TrimSpace(q.Name)
	if q.Name == "" || len(q.Name) > 64 || strings.ContainsAny(q.Name, " \t\r\n") {
		errs = append(errs, FieldDetail{"name", "1–64 characters without spaces"})
	}
	if len(q.Password) < 10 {
		errs = append(errs, FieldDetail{"password", "at least 10 characters"})
	} else if len(q.Password) > 256 {
		errs = append(errs, FieldDetail{"password", "at most 256 characters"})
	}
	if rank(q.Role) == 0 {
		errs = append(errs, FieldDetail{"role", "owner, editor or viewer"})
	}
	return errs
}

func (s *server) apiCreateUser(w http.ResponseWriter, r *http.Request) {
	var q UserRequest
	if !readJSON(w, r, &q) {
		return
	}
	if errs := q.check(); len(errs) > 0 {
		invalid(w, r, "the account is not valid", errs...)
		return
	}
	u, err := s.store.CreateUser(r.Context(), q.Name, q.Password, q.Role)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (s *server) apiListDocuments(w http.ResponseWriter, r *http.Request) {
	k := r.URL.Query().Get("kind")
	if k != "" && !knownKind(k) {
		badParam(w, r, "kind", "unknown kind "+strconv.Quote(k))
		return
	}
	ds, err := s.store.List(r.Context(), workspace.Kind(k))
	if err == nil {
		ds, err = s.filterDocs(r.Context(), ds)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ds == nil {
		ds = []workspace.Document{}
	}
	writeJSON(w, http.StatusOK, ds)
}

// docPath reads and checks {kind} and {name}.
func docPath(w http.ResponseWriter, r *http.Request) (workspace.Kind, string, bool) {
	k, n := r.PathValue("kind"), r.PathValue("name")
	if !knownKind(k) {
		problem(w, r, http.StatusNotFound, "not-found", "unknown document kind "+strconv.Quote(k))
		return "", "", false
	}
	if !validName(n) {
		badParam(w, r, "name", "1–64 characters, each a-z, 0-9, '-' or '_'")
		return "", "", false
	}
	return workspace.Kind(k), n, true
}

func etag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// ifMatch reads the version from If-Match ("3", W/"3", 3); ok is false
// when there is no If-Match header.
func ifMatch(r *http.Request) (v int64, ok bool, err error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, false, nil
	}
	h = strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	v, err = strconv.ParseInt(h, 10, 64)
	if err != nil || v < 0 {
		return 0, true, errors.New("If-Match: want a version number such as \"3\"")
	}
	return v, true, nil
}

func (s *server) apiGetDocument(w http.ResponseWriter, r *http.Request) {
	k, n, ok := docPath(w, r)
	if !ok {
		return
	}
	if ok, err := s.canRead(r.Context(), k); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: %s/%s", workspace.ErrNotFound, k, n)
		}
		s.fail(w, r, err)
		return
	}
	d, err := s.store.Get(r.Context(), k, n)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(d.Version))
	writeJSON(w, http.StatusOK, d)
}

// PutDocument is the JSON body of PUT /api/documents/{kind}/{name}; a
// body of any other content type is the YAML text itself, with its
// version in If-Match.
type PutDocument struct {
	Body string `json:"body"`
	// Version is the version the writer read; 0 creates the document.
	Version int64 `json:"version"`
}

func (s *server) apiPutDocument(w http.ResponseWriter, r *http.Request) {
	k, n, ok := docPath(w, r)
	if !ok {
		return
	}
	var q PutDocument
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if !readJSON(w, r, &q) {
			return
		}
	} else {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			if !tooLarge(w, r, err) {
				badParam(w, r, "body", err.Error())
			}
			return
		}
		q.Body = string(b)
	}
	v, has, err := ifMatch(r)
	if err != nil {
		badParam(w, r, "If-Match", err.Error())
		return
	}
	if has {
		q.Version = v
	}
	if strings.TrimSpace(q.Body) == "" {
		invalid(w, r, "the document is empty", FieldDetail{"body", "required"})
		return
	}
	d, err := s.store.Put(r.Context(), k, n, q.Body, q.Version, who(r).User.Name)
	if err != nil {
		var be *workspace.BodyError
		if errors.As(err, &be) {
			invalid(w, r, err.Error(), fieldErrors("body", be.Err)...)
			return
		}
		s.fail(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(d.Version))
	status := http.StatusOK
	if d.Version == 1 {
		status = http.StatusCreated
	}
	writeJSON(w, status, d)
}

func (s *server) apiDeleteDocument(w http.ResponseWriter, r *http.Request) {
	k, n, ok := docPath(w, r)
	if !ok {
		return
	}
	v, has, err := ifMatch(r)
	if err != nil {
		badParam(w, r, "If-Match", err.Error())
		return
	}
	if !has {
		if qv := r.URL.Query().Get("version"); qv != "" {
			if v, err = strconv.ParseInt(qv, 10, 64); err != nil {
				badParam(w, r, "version", "not a number")
				return
			}
			has = true
		}
	}
	if !has {
		problem(w, r, http.StatusPreconditionRequired, "precondition", "send If-Match: \"VERSION\" (or ?version=) with the version you read")
		return
	}
	if err := s.store.Delete(r.Context(), k, n, v, who(r).User.Name); err != nil {
		s.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) apiHistory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	k, n := q.Get("kind"), q.Get("name")
	if k != "" && !knownKind(k) {
		badParam(w, r, "kind", "unknown kind "+strconv.Quote(k))
		return
	}
	if (k == "") != (n == "") {
		badParam(w, r, "name", "give kind and name together, or neither")
		return
	}
	limit := 100
	if l := q.Get("limit"); l != "" {
		var err error
		if limit, err = strconv.Atoi(l); err != nil || limit < 0 || limit > 10000 {
			badParam(w, r, "limit", "want 0..10000 (0: all)")
			return
		}
	}
	h, err := s.history(r.Context(), workspace.Kind(k), n, limit)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if h == nil {
		h = []workspace.AuditEntry{}
	}
	writeJSON(w, http.StatusOK, h)
}

// reply writes v or the problem of err.
func (s *server) reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *server) apiCaptable(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, _, err := s.capTable(r.Context(), q.Get("name"), q.Get("as_of"))
	s.reply(w, r, t, err)
}

func (s *server) apiRound(w http.ResponseWriter, r *http.Request) {
	var q RoundRequest
	if !readJSON(w, r, &q) {
		return
	}
	res, sr, err := s.applyRound(r.Context(), &q)
	if sr != nil {
		s.reply(w, r, sr, err)
		return
	}
	s.reply(w, r, res, err)
}

func (s *server) apiWaterfall(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	out, err := s.waterfallAt(r.Context(), q.Get("name"), q.Get("as_of"), q.Get("exit"))
	s.reply(w, r, out, err)
}

func (s *server) apiExits(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	points := 11
	if p := q.Get("points"); p != "" {
		var err error
		if points, err = strconv.Atoi(p); err != nil {
			badParam(w, r, "points", "not a whole number")
			return
		}
	}
	out, err := s.exitCurve(r.Context(), q.Get("name"), q.Get("as_of"), q.Get("from"), q.Get("to"), points)
	s.reply(w, r, out, err)
}

func (s *server) apiValuation(w http.ResponseWriter, r *http.Request) {
	out, err := s.valuate(r.Context(), r.URL.Query().Get("name"), r.PathValue("method"))
	s.reply(w, r, out, err)
}

func (s *server) apiRunway(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	rm := 0
	if v := q.Get("raise_months"); v != "" {
		var err error
		if rm, err = strconv.Atoi(v); err != nil || rm < 1 {
			badParam(w, r, "raise_months", "want 1 to 36")
			return
		}
	}
	out, err := s.runwayProject(r.Context(), q.Get("name"), q.Get("scenario"), rm)
	s.reply(w, r, out, err)
}

func (s *server) apiComputeTrain(w http.ResponseWriter, r *http.Request) {
	out, err := s.computeTrain(r.Context(), r.URL.Query().Get("name"))
	s.reply(w, r, out, err)
}

func (s *server) apiComputeMemory(w http.ResponseWriter, r *http.Request) {
	out, err := s.computeMemory(r.Context(), r.URL.Query().Get("name"))
	s.reply(w, r, out, err)
}

func (s *server) apiComputeServe(w http.ResponseWriter, r *http.Request) {
	out, err := s.computeServe(r.Context(), r.URL.Query().Get("name"))
	s.reply(w, r, out, err)
}

// boolParam reads a boolean query parameter ("", "0", "false", "off" are
// false); set reports whether it was present.
func boolParam(v string) (val, set bool) {
	if v == "" {
		return false, false
	}
	switch strings.ToLower(v) {
	case "0", "false", "off", "no":
		return false, true
	}
	return true, true
}

func channelsQuery(get func(string) string) ChannelsQuery {
	q := ChannelsQuery{Stage: get("stage"), Amount: get("amount"), Priority: get("priority")}
	q.HasRevenue, _ = boolParam(get("has_revenue"))
	q.HasCollateral, _ = boolParam(get("has_collateral"))
	q.China, _ = boolParam(get("china"))
	q.US, q.USSet = boolParam(get("us"))
	return q
}

func (s *server) apiChannels(w http.ResponseWriter, r *http.Request) {
	out, err := s.channels(r.Context(), channelsQuery(r.URL.Query().Get))
	s.reply(w, r, out, err)
}
