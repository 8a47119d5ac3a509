package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// fakeStore is an in-memory workspace.Store for the web tests: documents
// are validated with workspace.Validate like the real stores, passwords
// are kept in clear (tests only).
type fakeStore struct {
	mu       sync.Mutex
	docs     map[string]workspace.Document
	audit    []workspace.AuditEntry
	users    []workspace.User
	pass     map[string]string
	sessions map[string]int64
	tokens   map[string]int64
	sharing  map[workspace.Kind]bool // kinds set explicitly; others take workspace.DefaultShared
	shareLog []workspace.SharingChange
	runs     []lifecycle.Run // index ID-1
	now      func() time.Time
}

func newFakeStore() *fakeStore {
	return &fakeStore{docs: map[string]workspace.Document{}, pass: map[string]string{}, sessions: map[string]int64{},
		tokens: map[string]int64{}, sharing: map[workspace.Kind]bool{}, now: time.Now}
}

var _ workspace.Store = (*fakeStore)(nil)

func key(k workspace.Kind, n string) string { return string(k) + "/" + n }

func (f *fakeStore) Get(_ context.Context, k workspace.Kind, n string) (workspace.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d, ok := f.docs[key(k, n)]
	if !ok {
		return d, workspace.ErrNotFound
	}
	return d, nil
}

func (f *fakeStore) List(_ context.Context, k workspace.Kind) ([]workspace.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []workspace.Document
	for _, d := range f.docs {
		if k == "" || d.Kind == k {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i].Kind, out[i].Name) < key(out[j].Kind, out[j].Name) })
	return out, nil
}

func (f *fakeStore) Put(_ context.Context, k workspace.Kind, n, body string, expect int64, actor string) (workspace.Document, error) {
	if err := workspace.Validate(k, n, body); err != nil {
		return workspace.Document{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, exists := f.docs[key(k, n)]
	if (exists && cur.Version != expect) || (!exists && expect != 0) {
		if !exists {
			return workspace.Document{}, workspace.ErrNotFound
		}
		return workspace.Document{}, &workspace.ConflictError{Current: cur}
	}
	d := workspace.Document{Kind: k, Name: n, Version: cur.Version + 1, Body: body, UpdatedAt: f.now(), UpdatedBy: actor}
	f.docs[key(k, n)] = d
	action := "create"
	if exists {
		action = "update"
	}
	f.audit = append(f.audit, workspace.AuditEntry{ID: int64(len(f.audit) + 1), At: d.UpdatedAt, Actor: actor, Action: action,
		Kind: k, Name: n, Version: d.Version, Before: cur.Body, After: body})
	return d, nil
}

func (f *fakeStore) Delete(_ context.Context, k workspace.Kind, n string, expect int64, actor string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.docs[key(k, n)]
	if !ok {
		return workspace.ErrNotFound
	}
	if cur.Version != expect {
		return &workspace.ConflictError{Current: cur}
	}
	delete(f.docs, key(k, n))
	f.audit = append(f.audit, workspace.AuditEntry{ID: int64(len(f.audit) + 1), At: f.now(), Actor: actor, Action: "delete",
		Kind: k, Name: n, Version: cur.Version, Before: cur.Body})
	return nil
}

func (f *fakeStore) History(_ context.Context, k workspace.Kind, n string, limit int) ([]workspace.AuditEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []workspace.AuditEntry
	for i := len(f.audit) - 1; i >= 0; i-- {
		e := f.audit[i]
		if k != "" && (e.Kind != k || e.Name != n) {
			continue
		}
		out = append(out, e)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

func (f *fakeStore) CreateUser(_ context.Context, name, password string, role workspace.Role) (workspace.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Name == name {
			return workspace.User{}, workspace.ErrExists
		}
	}
	u := workspace.User{ID: int64(len(f.users) + 1), Name: name, Role: role, Lang: "en", CreatedAt: f.now()}
	f.users = append(f.users, u)
	f.pass[name] = password
	return u, nil
}

func (f *fakeStore) Authenticate(_ context.Context, name, password string) (workspace.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Name == name && f.pass[name] == password {
			return u, nil
		}
	}
	return workspace.User{}, workspace.ErrNotFound
}

func (f *fakeStore) Users(context.Context) ([]workspace.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]workspace.User(nil), f.users...), nil
}

func (f *fakeStore) UserByID(_ context.Context, id int64) (workspace.User, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.ID == id {
			return u, nil
		}
	}
	return workspace.User{}, workspace.ErrNotFound
}

func (f *fakeStore) SetUserLang(_ context.Context, id int64, lang string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.users {
		if f.users[i].ID == id {
			f.users[i].Lang = lang
			return nil
		}
	}
	return workspace.ErrNotFound
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (f *fakeStore) CreateSession(_ context.Context, uid int64, _ time.Duration) (string, error) {
	t := randomToken()
	f.mu.Lock()
	f.sessions[t] = uid
	f.mu.Unlock()
	return t, nil
}

func (f *fakeStore) Session(ctx context.Context, t string) (workspace.User, error) {
	f.mu.Lock()
	id, ok := f.sessions[t]
	f.mu.Unlock()
	if !ok {
		return workspace.User{}, workspace.ErrNotFound
	}
	return f.UserByID(ctx, id)
}

func (f *fakeStore) DeleteSession(_ context.Context, t string) error {
	f.mu.Lock()
	delete(f.sessions, t)
	f.mu.Unlock()
	return nil
}

func (f *fakeStore) CreateToken(_ context.Context, uid int64, _ string) (string, error) {
	t := "kw_" + randomToken()
	f.mu.Lock()
	f.tokens[t] = uid
	f.mu.Unlock()
	return t, nil
}

func (f *fakeStore) TokenUser(ctx context.Context, t string) (workspace.User, error) {
	f.mu.Lock()
	id, ok := f.tokens[t]
	f.mu.Unlock()
	if !ok {
		return workspace.User{}, workspace.ErrNotFound
	}
	return f.UserByID(ctx, id)
}

func (f *fakeStore) Sharing(context.Context) (map[workspace.Kind]bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := map[workspace.Kind]bool{}
	for _, k := range workspace.Shareable() {
		v, ok := f.sharing[k]
		if !ok {
			v = workspace.DefaultShared(k)
		}
		m[k] = v
	}
	return m, nil
}

func (f *fakeStore) SetSharing(_ context.Context, k workspace.Kind, shared bool, actor string) error {
	if _, err := workspace.ParseShareable(string(k)); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.sharing[k]
	if !ok {
		cur = workspace.DefaultShared(k)
	}
	f.sharing[k] = shared
	if cur != shared {
		f.shareLog = append(f.shareLog, workspace.SharingChange{ID: int64(len(f.shareLog) + 1), At: f.now(), Actor: actor, Kind: k, Shared: shared})
	}
	return nil
}

func (f *fakeStore) SharingLog(_ context.Context, limit int) ([]workspace.SharingChange, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []workspace.SharingChange{}
	for i := len(f.shareLog) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		out = append(out, f.shareLog[i])
	}
	return out, nil
}

func (f *fakeStore) Export(context.Context, bool) ([]byte, error)       { return nil, nil }
func (f *fakeStore) Import(context.Context, []byte, bool, string) error { return nil }
func (f *fakeStore) Close() error                                       { return nil }

// seedFake fills a fake store with the CLI's test documents, a compute
// plan and a demo profile.
func seedFake(tb testing.TB, f *fakeStore) {
	tb.Helper()
	ctx := context.Background()
	files := []struct {
		kind workspace.Kind
		name string
		path string
	}{
		{workspace.KindCompany, "main", "../cli/testdata/captable-demo.yaml"},
		{workspace.KindRunway, "main", "../cli/testdata/runway-cn-llm.yaml"},
		{workspace.KindValuation, "main", "../cli/testdata/valuation-cny.yaml"},
		{workspace.KindCompute, "main", "testdata/compute.yaml"},
		{workspace.KindProfile, "main", "testdata/profile.yaml"},
	}
	for _, x := range files {
		b, err := os.ReadFile(x.path)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := f.Put(ctx, x.kind, x.name, string(b), 0, "seed"); err != nil {
			tb.Fatalf("%s: %v", x.path, err)
		}
	}
}

// ---- training runs (lifecycle.Store) ----

func (f *fakeStore) CreateRun(_ context.Context, r *lifecycle.Run) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.ID = int64(len(f.runs) + 1)
	f.runs = append(f.runs, *r)
	return nil
}

func (f *fakeStore) UpdateRun(_ context.Context, r lifecycle.Run) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.ID < 1 || int(r.ID) > len(f.runs) {
		return workspace.ErrNotFound
	}
	old := f.runs[r.ID-1]
	r.CancelRequested, r.Progress = old.CancelRequested, nil
	f.runs[r.ID-1] = r
	return nil
}

func (f *fakeStore) Run(_ context.Context, id int64) (lifecycle.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id < 1 || int(id) > len(f.runs) {
		return lifecycle.Run{}, fmt.Errorf("%w: run %d", workspace.ErrNotFound, id)
	}
	return f.runs[id-1], nil
}

func (f *fakeStore) Runs(_ context.Context, limit int) ([]lifecycle.Run, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []lifecycle.Run{}
	for i := len(f.runs) - 1; i >= 0 && (limit == 0 || len(out) < limit); i-- {
		r := f.runs[i]
		r.Curve, r.Report = nil, nil
		out = append(out, r)
	}
	return out, nil
}

func (f *fakeStore) RequestCancel(ctx context.Context, id int64) (lifecycle.Run, error) {
	r, err := f.Run(ctx, id)
	if err != nil {
		return r, err
	}
	if r.Status.Final() {
		return r, fmt.Errorf("%w: run %d has %s (%w)", lifecycle.ErrNotLive, id, r.Status, workspace.ErrConflict)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs[id-1].CancelRequested = true
	r.CancelRequested = true
	return r, nil
}

func (f *fakeStore) Heartbeat(_ context.Context, instance string, at time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for i, r := range f.runs {
		if !r.Status.Final() && r.Instance == instance {
			f.runs[i].HeartbeatAt = &at
			n++
		}
	}
	return n, nil
}

func (f *fakeStore) FailStaleRuns(_ context.Context, msg string, staleBefore, at time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for i, r := range f.runs {
		if !r.Status.Final() && (r.HeartbeatAt == nil || r.HeartbeatAt.Before(staleBefore)) {
			f.runs[i].Status, f.runs[i].Error, f.runs[i].FinishedAt = lifecycle.StatusFailed, msg, &at
			n++
		}
	}
	return n, nil
}
