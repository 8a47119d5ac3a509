package workspace

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/finance/captable"
	"github.com/kaiwu-ai/kaiwu/finance/ocf"
)

// ExportFormat is the format field of a workspace export.
const ExportFormat = "kaiwu-workspace/1"

// Snapshot is a whole workspace as Export writes it and Import reads it
// (docs/formats/workspace.md): documents with their versions, accounts
// without passwords, sessions or tokens, the audit log, the sharing and
// the finished training runs. Times are RFC
// 3339 UTC with nanoseconds. Export writes nothing that changes between
// two exports of the same workspace (no export time), so that an export
// is a diffable, reproducible file.
type Snapshot struct {
	Format    string             `yaml:"format" json:"format"`
	Schema    int                `yaml:"schema" json:"schema"`
	Documents []SnapshotDocument `yaml:"documents" json:"documents"`
	Users     []SnapshotUser     `yaml:"users" json:"users"`
	Audit     []SnapshotAudit    `yaml:"audit" json:"audit"`
	// Sharing is what the owner shares with viewers (kinds without an
	// entry take DefaultShared) and SharingLog every change to it.
	Sharing    []SnapshotSharing `yaml:"sharing,omitempty" json:"sharing,omitempty"`
	SharingLog []SnapshotSharing `yaml:"sharing_log,omitempty" json:"sharing_log,omitempty"`
	// Runs are the finished training runs, by id (live ones are left
	// out; see SnapshotRun).
	Runs []SnapshotRun `yaml:"runs,omitempty" json:"runs,omitempty"`
}

// SnapshotSharing is one sharing setting (At and Actor: when and by whom
// it was set) or one logged change (with its ID).
type SnapshotSharing struct {
	ID     int64  `yaml:"id,omitempty" json:"id,omitempty"`
	Kind   Kind   `yaml:"kind" json:"kind"`
	Shared bool   `yaml:"shared" json:"shared"`
	At     string `yaml:"at" json:"at"`
	Actor  string `yaml:"actor" json:"actor"`
}

// SnapshotDocument is one document of a Snapshot.
type SnapshotDocument struct {
	Kind      Kind   `yaml:"kind" json:"kind"`
	Name      string `yaml:"name" json:"name"`
	Version   int64  `yaml:"version" json:"version"`
	UpdatedAt string `yaml:"updated_at" json:"updated_at"`
	UpdatedBy string `yaml:"updated_by" json:"updated_by"`
	Body      string `yaml:"body" json:"body"`
}

// SnapshotUser is one account of a Snapshot; it has no password, so an
// imported account cannot log in until one is set (kaiwu user passwd).
type SnapshotUser struct {
	ID        int64  `yaml:"id" json:"id"`
	Name      string `yaml:"name" json:"name"`
	Role      Role   `yaml:"role" json:"role"`
	Lang      string `yaml:"lang" json:"lang"`
	CreatedAt string `yaml:"created_at" json:"created_at"`
}

// SnapshotAudit is one audit entry of a Snapshot.
type SnapshotAudit struct {
	ID      int64  `yaml:"id" json:"id"`
	At      string `yaml:"at" json:"at"`
	Actor   string `yaml:"actor" json:"actor"`
	Action  string `yaml:"action" json:"action"`
	Kind    Kind   `yaml:"kind" json:"kind"`
	Name    string `yaml:"name" json:"name"`
	Version int64  `yaml:"version" json:"version"`
	Before  string `yaml:"before,omitempty" json:"before,omitempty"`
	After   string `yaml:"after,omitempty" json:"after,omitempty"`
}

// Snapshot reads the whole workspace in one read transaction, so that the
// documents and the audit log agree.
func (s *DB) Snapshot(ctx context.Context) (*Snapshot, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: s.dialect == postgresDialect, Isolation: s.snapshotIsolation()})
	if err != nil {
		return nil, s.dbErr("export: begin", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	snap := &Snapshot{Format: ExportFormat, Schema: LatestSchema(),
		Documents: []SnapshotDocument{}, Users: []SnapshotUser{}, Audit: []SnapshotAudit{}}
	rows, err := s.query(ctx, tx, "SELECT "+docColumns+" FROM documents ORDER BY kind, name")
	if err != nil {
		return nil, s.dbErr("export", err)
	}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			rows.Close()
			return nil, s.dbErr("export", err)
		}
		snap.Documents = append(snap.Documents, SnapshotDocument{Kind: d.Kind, Name: d.Name, Version: d.Version,
			UpdatedAt: formatTime(d.UpdatedAt), UpdatedBy: d.UpdatedBy, Body: d.Body})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.dbErr("export", err)
	}
	rows, err = s.query(ctx, tx, "SELECT "+userColumns+" FROM users ORDER BY id")
	if err != nil {
		return nil, s.dbErr("export", err)
	}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, s.dbErr("export", err)
		}
		snap.Users = append(snap.Users, SnapshotUser{ID: u.ID, Name: u.Name, Role: u.Role, Lang: u.Lang, CreatedAt: formatTime(u.CreatedAt)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.dbErr("export", err)
	}
	rows, err = s.query(ctx, tx, "SELECT "+auditColumns+" FROM audit_log ORDER BY id")
	if err != nil {
		return nil, s.dbErr("export", err)
	}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			rows.Close()
			return nil, s.dbErr("export", err)
		}
		snap.Audit = append(snap.Audit, SnapshotAudit{ID: e.ID, At: formatTime(e.At), Actor: e.Actor, Action: e.Action,
			Kind: e.Kind, Name: e.Name, Version: e.Version, Before: e.Before, After: e.After})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.dbErr("export", err)
	}
	// Sharing: settings (ordered by kind) and the change log (by id). The
	// stored times are written back verbatim, like every other time here.
	for _, q := range []struct {
		sql string
		out *[]SnapshotSharing
	}{
		{"SELECT 0, kind, shared, updated_at, updated_by FROM sharing ORDER BY kind", &snap.Sharing},
		{"SELECT id, kind, shared, at, actor FROM sharing_log ORDER BY id", &snap.SharingLog},
	} {
		rows, err := s.query(ctx, tx, q.sql)
		if err != nil {
			return nil, s.dbErr("export", err)
		}
		for rows.Next() {
			var e SnapshotSharing
			var k string
			var v int64
			if err := rows.Scan(&e.ID, &k, &v, &e.At, &e.Actor); err != nil {
				rows.Close()
				return nil, s.dbErr("export", err)
			}
			e.Kind, e.Shared = Kind(k), v == 1
			*q.out = append(*q.out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, s.dbErr("export", err)
		}
	}
	if snap.Runs, err = s.snapshotRuns(ctx, tx); err != nil {
		return nil, err
	}
	return snap, nil
}

func (s *DB) snapshotIsolation() sql.IsolationLevel {
	if s.dialect == postgresDialect {
		return sql.LevelRepeatableRead
	}
	return sql.LevelDefault // one SQLite transaction is a snapshot already
}

// Export writes the whole workspace as one YAML document (JSON when json
// is true); see Snapshot.
func (s *DB) Export(ctx context.Context, json bool) ([]byte, error) {
	snap, err := s.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return snap.Encode(json)
}

// Encode writes the snapshot as YAML (two-space indent; multi-line bodies
// as literal blocks) or as indented JSON.
func (snap *Snapshot) Encode(asJSON bool) ([]byte, error) {
	var buf bytes.Buffer
	if asJSON {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(snap); err != nil {
			return nil, fmt.Errorf("workspace: export: %w", err)
		}
		return buf.Bytes(), nil
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(snap); err != nil {
		return nil, fmt.Errorf("workspace: export: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("workspace: export: %w", err)
	}
	return buf.Bytes(), nil
}

// DecodeSnapshot reads an export (YAML, or JSON when isJSON), refusing
// unknown fields and another format.
func DecodeSnapshot(data []byte, isJSON bool) (*Snapshot, error) {
	var snap Snapshot
	if isJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&snap); err != nil {
			return nil, fmt.Errorf("workspace: import: %w", err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&snap); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("workspace: import: %w", err)
		}
	}
	if snap.Format != ExportFormat {
		return nil, fmt.Errorf("workspace: import: format %q: want %q", snap.Format, ExportFormat)
	}
	if snap.Schema > LatestSchema() {
		return nil, fmt.Errorf("%w: the export is at schema %d, this kaiwu knows up to %d", ErrSchemaTooNew, snap.Schema, LatestSchema())
	}
	return &snap, nil
}

// parseSnapshotTime reads a time of an export; "" is now.
func parseSnapshotTime(where, s string) (time.Time, error) {
	if s == "" {
		return now(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("workspace: import: %s: %q is not an RFC 3339 time", where, s)
	}
	return t.UTC(), nil
}

// check validates a snapshot before anything is written: every document
// valid for its kind, names and roles valid, ids unique, and each
// document's version agreeing with its newest audit entry.
func (snap *Snapshot) check() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	type key struct {
		kind Kind
		name string
	}
	docs := map[key]int{}
	for i, d := range snap.Documents {
		w := fmt.Sprintf("documents[%d] (%s/%s)", i, d.Kind, d.Name)
		if err := Validate(d.Kind, d.Name, d.Body); err != nil {
			bad("%s: %v", w, err)
		}
		if _, dup := docs[key{d.Kind, d.Name}]; dup {
			bad("%s: listed twice", w)
		}
		docs[key{d.Kind, d.Name}] = i
		if d.Version < 0 {
			bad("%s: version %d is negative", w, d.Version)
		}
		if _, err := parseSnapshotTime(w+".updated_at", d.UpdatedAt); err != nil {
			bad("%v", err)
		}
	}
	ids, names := map[int64]bool{}, map[string]bool{}
	for i, u := range snap.Users {
		w := fmt.Sprintf("users[%d] (%s)", i, u.Name)
		if err := ValidName(u.Name); err != nil {
			bad("%s: %v", w, err)
		}
		if _, err := ParseRole(string(u.Role)); err != nil {
			bad("%s: %v", w, err)
		}
		if u.Lang != "zh" && u.Lang != "en" && u.Lang != "" {
			bad("%s: lang %q: want zh or en", w, u.Lang)
		}
		if u.ID < 0 || (u.ID > 0 && ids[u.ID]) || names[u.Name] {
			bad("%s: id or name repeated or negative", w)
		}
		ids[u.ID], names[u.Name] = u.ID > 0, true
		if _, err := parseSnapshotTime(w+".created_at", u.CreatedAt); err != nil {
			bad("%v", err)
		}
	}
	aids := map[int64]bool{}
	type kv struct {
		key
		v int64
	}
	versions := map[kv]bool{}
	newest := map[key]SnapshotAudit{}
	for i, e := range snap.Audit {
		w := fmt.Sprintf("audit[%d] (%s/%s v%d)", i, e.Kind, e.Name, e.Version)
		if _, err := ParseKind(string(e.Kind)); err != nil {
			bad("%s: %v", w, err)
		}
		switch e.Action {
		case "create", "update", "delete", "import":
		default:
			bad("%s: action %q: want create, update, delete or import", w, e.Action)
		}
		if e.ID < 0 || (e.ID > 0 && aids[e.ID]) {
			bad("%s: id %d repeated or negative", w, e.ID)
		}
		aids[e.ID] = e.ID > 0
		if e.Version < 1 || versions[kv{key{e.Kind, e.Name}, e.Version}] {
			bad("%s: version repeated or below 1", w)
		}
		versions[kv{key{e.Kind, e.Name}, e.Version}] = true
		if n, ok := newest[key{e.Kind, e.Name}]; !ok || e.Version > n.Version {
			newest[key{e.Kind, e.Name}] = e
		}
		if _, err := parseSnapshotTime(w+".at", e.At); err != nil {
			bad("%v", err)
		}
	}
	for i, e := range append(append([]SnapshotSharing(nil), snap.Sharing...), snap.SharingLog...) {
		w := fmt.Sprintf("sharing[%d] (%s)", i, e.Kind)
		if i >= len(snap.Sharing) {
			w = fmt.Sprintf("sharing_log[%d] (%s)", i-len(snap.Sharing), e.Kind)
		}
		if _, err := ParseShareable(string(e.Kind)); err != nil {
			bad("%s: %v", w, err)
		}
		if e.Actor == "" {
			bad("%s: actor missing", w)
		}
		if _, err := parseSnapshotTime(w+".at", e.At); err != nil {
			bad("%v", err)
		}
	}
	snap.checkRuns(bad)
	for k, e := range newest {
		i, live := docs[k]
		switch {
		case live && (e.Version != max(snap.Documents[i].Version, 1) || e.After != snap.Documents[i].Body || e.Action == "delete"):
			bad("documents[%d] (%s/%s): version %d disagrees with the audit log's newest entry (version %d, %s)",
				i, k.kind, k.name, snap.Documents[i].Version, e.Version, e.Action)
		case !live && e.Action != "delete":
			bad("audit (%s/%s): the newest entry (version %d) is a %s, but the document is missing", k.kind, k.name, e.Version, e.Action)
		}
	}
	return errors.Join(errs...)
}

// Import reads an export (see Snapshot) into this workspace, which must be
// empty (no documents, accounts, audit entries, sharing or runs), in one
// transaction. Documents, accounts (without passwords), the audit log,
// the sharing and the finished runs are restored exactly, ids included,
// so exporting again gives the same bytes. A
// document that the file lists without any audit entry (a hand-written
// file) gets one, action "import" by actor, so that nothing in the
// workspace lacks a history.
func (s *DB) Import(ctx context.Context, data []byte, isJSON bool, actor string) error {
	snap, err := DecodeSnapshot(data, isJSON)
	if err != nil {
		return err
	}
	return s.ImportSnapshot(ctx, snap, actor)
}

// ImportSnapshot is Import of a decoded snapshot.
func (s *DB) ImportSnapshot(ctx context.Context, snap *Snapshot, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if err := snap.check(); err != nil {
		return fmt.Errorf("workspace: import: %w", err)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int64
		if err := s.queryRow(ctx, tx, "SELECT (SELECT COUNT(*) FROM documents) + (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM audit_log) + (SELECT COUNT(*) FROM sharing) + (SELECT COUNT(*) FROM sharing_log) + (SELECT COUNT(*) FROM runs)").Scan(&n); err != nil {
			return s.dbErr("import", err)
		}
		if n > 0 {
			return fmt.Errorf("%w: import needs an empty workspace; %s already holds documents, accounts, history or runs", ErrExists, s.where)
		}
		for _, u := range snap.Users {
			at, _ := parseSnapshotTime("", u.CreatedAt)
			lang := u.Lang
			if lang == "" {
				lang = DefaultLang
			}
			var err error
			if u.ID > 0 {
				_, err = s.exec(ctx, tx, "INSERT INTO users (id, name, role, lang, password_hash, created_at) VALUES (?, ?, ?, ?, '', ?)",
					u.ID, u.Name, string(u.Role), lang, formatTime(at))
			} else {
				_, err = s.exec(ctx, tx, "INSERT INTO users (name, role, lang, password_hash, created_at) VALUES (?, ?, ?, '', ?)",
					u.Name, string(u.Role), lang, formatTime(at))
			}
			if err != nil {
				return s.dbErr("import: user "+u.Name, err)
			}
		}
		type key struct {
			kind Kind
			name string
		}
		history := map[key]bool{}
		for _, e := range snap.Audit {
			history[key{e.Kind, e.Name}] = true
			at, _ := parseSnapshotTime("", e.At)
			cols, args := "at, actor, action, kind, name, version, before_body, after_body", []any{formatTime(at), e.Actor, e.Action, string(e.Kind), e.Name, e.Version, e.Before, e.After}
			q := "INSERT INTO audit_log (" + cols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
			if e.ID > 0 {
				q = "INSERT INTO audit_log (id, " + cols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
				args = append([]any{e.ID}, args...)
			}
			if _, err := s.exec(ctx, tx, q, args...); err != nil {
				return s.dbErr("import: audit entry", err)
			}
		}
		for _, e := range snap.Sharing {
			if _, err := s.exec(ctx, tx, "INSERT INTO sharing (kind, shared, updated_at, updated_by) VALUES (?, ?, ?, ?)",
				string(e.Kind), boolInt(e.Shared), e.At, e.Actor); err != nil {
				return s.dbErr("import: sharing "+string(e.Kind), err)
			}
		}
		for _, e := range snap.SharingLog {
			q, args := "INSERT INTO sharing_log (at, actor, kind, shared) VALUES (?, ?, ?, ?)", []any{e.At, e.Actor, string(e.Kind), boolInt(e.Shared)}
			if e.ID > 0 {
				q, args = "INSERT INTO sharing_log (id, at, actor, kind, shared) VALUES (?, ?, ?, ?, ?)", append([]any{e.ID}, args...)
			}
			if _, err := s.exec(ctx, tx, q, args...); err != nil {
				return s.dbErr("import: sharing log", err)
			}
		}
		if err := s.importRuns(ctx, tx, snap.Runs); err != nil {
			return err
		}
		if err := s.resetSequences(ctx, tx); err != nil {
			return err
		}
		for _, d := range snap.Documents {
			at, _ := parseSnapshotTime("", d.UpdatedAt)
			v := max(d.Version, 1)
			by := d.UpdatedBy
			if by == "" {
				by = actor
			}
			if _, err := s.exec(ctx, tx, "INSERT INTO documents ("+docColumns+") VALUES (?, ?, ?, ?, ?, ?)",
				string(d.Kind), d.Name, v, d.Body, formatTime(at), by); err != nil {
				return s.dbErr("import: document "+string(d.Kind)+"/"+d.Name, err)
			}
			if !history[key{d.Kind, d.Name}] {
				if err := s.audit(ctx, tx, AuditEntry{At: at, Actor: actor, Action: "import", Kind: d.Kind, Name: d.Name,
					Version: v, After: d.Body}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// resetSequences moves PostgreSQL's identity sequences past the ids an
// import wrote explicitly (SQLite's AUTOINCREMENT follows by itself).
func (s *DB) resetSequences(ctx context.Context, tx *sql.Tx) error {
	if s.dialect != postgresDialect {
		return nil
	}
	for _, t := range []string{"users", "audit_log", "sharing_log", "runs"} {
		if _, err := tx.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM "+t+"), false)"); err != nil {
			return s.dbErr("import: resetting the "+t+" sequence", err)
		}
	}
	return nil
}

// CompanyDocument is the name ImportOCF writes the company document under
// when the caller gives none, and the one the dashboard reads first.
const CompanyDocument = "main"

// ImportOCF reads an Open Cap Table Format package (a folder, or a zip
// opened as an fs.FS) with finance/ocf.Import, encodes it as a company
// document (finance/captable.Encode) and creates or updates the company
// document CompanyDocument as actor; see ImportOCFAs.
func ImportOCF(ctx context.Context, st Store, fsys fs.FS, actor string) (Document, []ocf.Warning, error) {
	return ImportOCFAs(ctx, st, fsys, CompanyDocument, actor)
}

// ImportOCFAs is ImportOCF into the company document name. An existing
// document is replaced whatever its version (the import is the newer
// truth); its old body stays in the audit log, and the change is recorded
// with the action "import" (by a *DB; another Store records an update).
// OCF objects kaiwu does not model come back as warnings.
func ImportOCFAs(ctx context.Context, st Store, fsys fs.FS, name, actor string) (Document, []ocf.Warning, error) {
	c, warns, err := ocf.Import(fsys)
	if err != nil {
		return Document{}, warns, err
	}
	body, err := captable.Encode(c)
	if err != nil {
		return Document{}, warns, err
	}
	var expect int64
	cur, err := st.Get(ctx, KindCompany, name)
	switch {
	case err == nil:
		expect = cur.Version
	case !errors.Is(err, ErrNotFound):
		return Document{}, warns, err
	}
	if db, ok := st.(*DB); ok {
		d, err := db.put(ctx, KindCompany, name, string(body), expect, actor, "import")
		return d, warns, err
	}
	d, err := st.Put(ctx, KindCompany, name, string(body), expect, actor)
	return d, warns, err
}
