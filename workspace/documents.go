package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Versions and deletion. A document's versions count every write to its
// kind and name, deletions included: creating it makes version 1, each
// update adds one, and deleting it records one more version in the audit
// log. Creating it again continues from there, so a stale writer that read
// version 1 of a deleted document can never overwrite a new document that
// happens to be at version 1 again, and the audit log of one name always
// holds the versions 1, 2, 3, … without gaps or repeats.

const docColumns = "kind, name, version, body, updated_at, updated_by"

func scanDocument(sc interface{ Scan(...any) error }) (Document, error) {
	var d Document
	var kind, at string
	if err := sc.Scan(&kind, &d.Name, &d.Version, &d.Body, &at, &d.UpdatedBy); err != nil {
		return Document{}, err
	}
	d.Kind = Kind(kind)
	t, err := parseTime(at)
	if err != nil {
		return Document{}, err
	}
	d.UpdatedAt = t
	return d, nil
}

// Get returns the document, or ErrNotFound.
func (s *DB) Get(ctx context.Context, kind Kind, name string) (Document, error) {
	d, err := s.get(ctx, s.db, kind, name, false)
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, fmt.Errorf("%w: %s/%s", ErrNotFound, kind, name)
	}
	return d, err
}

func (s *DB) get(ctx context.Context, q querier, kind Kind, name string, lock bool) (Document, error) {
	query := "SELECT " + docColumns + " FROM documents WHERE kind = ? AND name = ?"
	if lock {
		query += s.dialect.forUpdate()
	}
	d, err := scanDocument(s.queryRow(ctx, q, query, string(kind), name))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Document{}, s.dbErr("reading "+string(kind)+"/"+name, err)
	}
	return d, err
}

// List returns the documents of kind (all kinds when kind is ""), ordered
// by kind and name.
func (s *DB) List(ctx context.Context, kind Kind) ([]Document, error) {
	query := "SELECT " + docColumns + " FROM documents"
	var args []any
	if kind != "" {
		query += " WHERE kind = ?"
		args = append(args, string(kind))
	}
	rows, err := s.query(ctx, s.db, query+" ORDER BY kind, name", args...)
	if err != nil {
		return nil, s.dbErr("listing documents", err)
	}
	defer rows.Close()
	docs := []Document{}
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, s.dbErr("listing documents", err)
		}
		docs = append(docs, d)
	}
	return docs, s.dbErr("listing documents", rows.Err())
}

// checkActor refuses an empty or overlong actor: every change has an author.
func checkActor(actor string) error {
	if strings.TrimSpace(actor) == "" {
		return errors.New("workspace: no actor: every change records who made it")
	}
	if len(actor) > 200 {
		return errors.New("workspace: actor longer than 200 bytes")
	}
	return nil
}

// Put validates body for its kind (see Validate) and writes it as the
// next version, with its audit entry, in one transaction. expectVersion is
// the version the writer read; 0 means the document must not exist. A
// stale version returns a *ConflictError holding the stored document (its
// Version is 0 when the document has been deleted since).
func (s *DB) Put(ctx context.Context, kind Kind, name, body string, expectVersion int64, actor string) (Document, error) {
	return s.put(ctx, kind, name, body, expectVersion, actor, "")
}

// put is Put with an explicit audit action ("" picks create or update).
func (s *DB) put(ctx context.Context, kind Kind, name, body string, expectVersion int64, actor, action string) (Document, error) {
	if err := Validate(kind, name, body); err != nil {
		return Document{}, err
	}
	if err := checkActor(actor); err != nil {
		return Document{}, err
	}
	if expectVersion < 0 {
		return Document{}, fmt.Errorf("workspace: %s/%s: expected version %d is negative", kind, name, expectVersion)
	}
	var out Document
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.get(ctx, tx, kind, name, true)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if !exists && expectVersion != 0 {
			return &ConflictError{Current: Document{Kind: kind, Name: name}}
		}
		if exists && cur.Version != expectVersion {
			return &ConflictError{Current: cur}
		}
		at := now()
		d := Document{Kind: kind, Name: name, Body: body, UpdatedAt: at, UpdatedBy: actor}
		var before string
		if exists {
			d.Version = cur.Version + 1
			before = cur.Body
			res, err := s.exec(ctx, tx, "UPDATE documents SET version = ?, body = ?, updated_at = ?, updated_by = ? WHERE kind = ? AND name = ? AND version = ?",
				d.Version, body, formatTime(at), actor, string(kind), name, cur.Version)
			if err != nil {
				return s.dbErr("updating "+string(kind)+"/"+name, err)
			}
			if n, err := res.RowsAffected(); err == nil && n != 1 {
				return errRetryConflict
			}
			if action == "" {
				action = "update"
			}
		} else {
			last, err := s.lastVersion(ctx, tx, kind, name)
			if err != nil {
				return err
			}
			d.Version = last + 1
			if _, err := s.exec(ctx, tx, "INSERT INTO documents ("+docColumns+") VALUES (?, ?, ?, ?, ?, ?)",
				string(kind), name, d.Version, body, formatTime(at), actor); err != nil {
				if s.dialect.isUnique(err) {
					return errRetryConflict
				}
				return s.dbErr("creating "+string(kind)+"/"+name, err)
			}
			if action == "" {
				action = "create"
			}
		}
		if err := s.audit(ctx, tx, AuditEntry{At: at, Actor: actor, Action: action, Kind: kind, Name: name,
			Version: d.Version, Before: before, After: body}); err != nil {
			return err
		}
		out = d
		return nil
	})
	if errors.Is(err, errRetryConflict) {
		// A concurrent writer won between our read and our write (possible
		// on PostgreSQL for two creations of one name): report what it wrote.
		return Document{}, s.conflict(ctx, kind, name)
	}
	return out, err
}

// errRetryConflict marks a write that lost a race detected by the database
// rather than by the version check.
var errRetryConflict = errors.New("workspace: concurrent write")

// conflict builds the *ConflictError for the document as stored now.
func (s *DB) conflict(ctx context.Context, kind Kind, name string) error {
	cur, err := s.Get(ctx, kind, name)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	if errors.Is(err, ErrNotFound) {
		cur = Document{Kind: kind, Name: name}
	}
	return &ConflictError{Current: cur}
}

// lastVersion is the newest version the audit log holds for a name (0 if
// none): a re-created document continues from it.
func (s *DB) lastVersion(ctx context.Context, q querier, kind Kind, name string) (int64, error) {
	var v int64
	if err := s.queryRow(ctx, q, "SELECT COALESCE(MAX(version), 0) FROM audit_log WHERE kind = ? AND name = ?",
		string(kind), name).Scan(&v); err != nil {
		return 0, s.dbErr("reading the history of "+string(kind)+"/"+name, err)
	}
	return v, nil
}

func (s *DB) audit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	if _, err := s.exec(ctx, tx, "INSERT INTO audit_log (at, actor, action, kind, name, version, before_body, after_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		formatTime(e.At), e.Actor, e.Action, string(e.Kind), e.Name, e.Version, e.Before, e.After); err != nil {
		if s.dialect.isUnique(err) {
			return errRetryConflict
		}
		return s.dbErr("writing the audit log", err)
	}
	return nil
}

// Delete removes the document if it is still at expectVersion, recording
// the deletion (the next version, with the last body as Before) in the
// audit log in the same transaction.
func (s *DB) Delete(ctx context.Context, kind Kind, name string, expectVersion int64, actor string) error {
	if _, err := ParseKind(string(kind)); err != nil {
		return err
	}
	if err := checkActor(actor); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.get(ctx, tx, kind, name, true)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: %s/%s", ErrNotFound, kind, name)
		}
		if err != nil {
			return err
		}
		if cur.Version != expectVersion {
			return &ConflictError{Current: cur}
		}
		res, err := s.exec(ctx, tx, "DELETE FROM documents WHERE kind = ? AND name = ? AND version = ?", string(kind), name, cur.Version)
		if err != nil {
			return s.dbErr("deleting "+string(kind)+"/"+name, err)
		}
		if n, err := res.RowsAffected(); err == nil && n != 1 {
			return errRetryConflict
		}
		return s.audit(ctx, tx, AuditEntry{At: now(), Actor: actor, Action: "delete", Kind: kind, Name: name,
			Version: cur.Version + 1, Before: cur.Body})
	})
	if errors.Is(err, errRetryConflict) {
		return s.conflict(ctx, kind, name)
	}
	return err
}

const auditColumns = "id, at, actor, action, kind, name, version, before_body, after_body"

func scanAudit(sc interface{ Scan(...any) error }) (AuditEntry, error) {
	var e AuditEntry
	var at, kind string
	if err := sc.Scan(&e.ID, &at, &e.Actor, &e.Action, &kind, &e.Name, &e.Version, &e.Before, &e.After); err != nil {
		return AuditEntry{}, err
	}
	e.Kind = Kind(kind)
	t, err := parseTime(at)
	if err != nil {
		return AuditEntry{}, err
	}
	e.At = t
	return e, nil
}

// History returns the audit entries of one document (kind and name set),
// of one kind (name empty) or of the whole workspace (both empty), newest
// first, at most limit (0: all).
func (s *DB) History(ctx context.Context, kind Kind, name string, limit int) ([]AuditEntry, error) {
	if name != "" && kind == "" {
		return nil, errors.New("workspace: history of a name needs its kind")
	}
	if limit < 0 {
		return nil, fmt.Errorf("workspace: history limit %d is negative", limit)
	}
	query := "SELECT " + auditColumns + " FROM audit_log"
	var args []any
	switch {
	case name != "":
		query += " WHERE kind = ? AND name = ?"
		args = append(args, string(kind), name)
	case kind != "":
		query += " WHERE kind = ?"
		args = append(args, string(kind))
	}
	query += " ORDER BY id DESC"
	if limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", limit)
	}
	return s.auditRows(ctx, query, args...)
}

func (s *DB) auditRows(ctx context.Context, query string, args ...any) ([]AuditEntry, error) {
	rows, err := s.query(ctx, s.db, query, args...)
	if err != nil {
		return nil, s.dbErr("reading the audit log", err)
	}
	defer rows.Close()
	out := []AuditEntry{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, s.dbErr("reading the audit log", err)
		}
		out = append(out, e)
	}
	return out, s.dbErr("reading the audit log", rows.Err())
}
