package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/kaiwu-ai/kaiwu/workspace"
)

// Problem is an RFC 9457 problem details object, the body of every API
// error (Content-Type application/problem+json).
type Problem struct {
	Type     string        `json:"type"`
	Title    string        `json:"title"`
	Status   int           `json:"status"`
	Detail   string        `json:"detail,omitempty"`
	Instance string        `json:"instance,omitempty"`
	Errors   []FieldDetail `json:"errors,omitempty"`
	// Current is the stored document when a write conflicts (409).
	Current *workspace.Document `json:"current,omitempty"`
}

// FieldDetail is one field-level error in a Problem: which input field is
// wrong and why.
type FieldDetail struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// problemType builds the problem type URI from a short slug; they resolve
// to the sections of docs/api.md.
func problemType(slug string) string {
	return "https://github.com/kaiwu-ai/kaiwu/blob/main/docs/api.md#" + slug
}

// writeProblem writes p as application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	if r != nil && p.Instance == "" {
		p.Instance = r.URL.Path
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(p)
}

// problem is a shorthand for a problem without field details.
func problem(w http.ResponseWriter, r *http.Request, status int, slug, detail string) {
	writeProblem(w, r, Problem{Type: problemType(slug), Status: status, Detail: detail})
}

// invalid answers 422 with field-level details.
func invalid(w http.ResponseWriter, r *http.Request, detail string, errs ...FieldDetail) {
	writeProblem(w, r, Problem{Type: problemType("validation"), Title: "Invalid input",
		Status: http.StatusUnprocessableEntity, Detail: detail, Errors: errs})
}

// badParam answers 400 for one bad query or body parameter.
func badParam(w http.ResponseWriter, r *http.Request, field, detail string) {
	writeProblem(w, r, Problem{Type: problemType("bad-request"), Title: "Bad request",
		Status: http.StatusBadRequest, Detail: field + ": " + detail,
		Errors: []FieldDetail{{Field: field, Detail: detail}}})
}

// fieldErrors splits a domain error into field details: a joined error
// gives one detail per part, and a message that starts with "name: "
// names its field (the domain parsers' "what and where" convention).
func fieldErrors(defaultField string, err error) []FieldDetail {
	var list []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		list = j.Unwrap()
	} else {
		list = []error{err}
	}
	var out []FieldDetail
	for _, e := range list {
		for _, line := range strings.Split(e.Error(), "\n") {
			line = strings.TrimSpace(line)
			if line == "" {
				continue
			}
			out = append(out, splitField(defaultField, line))
		}
	}
	return out
}

// splitField reads "field: detail" when the prefix looks like a field
// path (no spaces), and otherwise files the line under def.
func splitField(def, line string) FieldDetail {
	k, v, ok := strings.Cut(line, ": ")
	if ok && k != "" && !strings.ContainsAny(k, " \t") && len(k) < 80 {
		return FieldDetail{Field: k, Detail: v}
	}
	return FieldDetail{Field: def, Detail: line}
}

// storeError maps a workspace error to a problem.
func storeError(w http.ResponseWriter, r *http.Request, err error) {
	var ce *workspace.ConflictError
	switch {
	case errors.As(err, &ce):
		cur := ce.Current
		writeProblem(w, r, Problem{Type: problemType("conflict"), Title: "Conflict", Status: http.StatusConflict,
			Detail: err.Error(), Current: &cur})
	case errors.Is(err, workspace.ErrConflict):
		problem(w, r, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, workspace.ErrNotFound):
		problem(w, r, http.StatusNotFound, "not-found", err.Error())
	case errors.Is(err, workspace.ErrExists):
		problem(w, r, http.StatusConflict, "exists", err.Error())
	default:
		problem(w, r, http.StatusInternalServerError, "internal", "internal error")
	}
}

// writeJSON writes v as indented JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
