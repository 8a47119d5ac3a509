package workspace

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sharing: owners and editors read every document; a viewer (an
// investor) reads only the kinds the owner shares. The setting is per
// kind and lives in the workspace (table sharing, migration 0002); every
// change is logged (table sharing_log) with who made it and when.

// KindRuns names the training runs (package lifecycle, table runs) in
// the sharing settings. It is not a document kind: no document has it,
// Kinds and ParseKind leave it out, and nothing else accepts it. But an
// owner shares or hides runs like a kind of documents: Shareable lists
// it, Sharing and SetSharing take it, and it is hidden by default.
const KindRuns Kind = "runs"

// Shareable lists what an owner can share with viewers: every document
// kind (Kinds), then KindRuns.
func Shareable() []Kind { return append(Kinds(), KindRuns) }

// ParseShareable reads the name of something an owner can share: a
// document kind ("company", "runway", …) or "runs".
func ParseShareable(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Shareable() {
		if k == known {
			return k, nil
		}
	}
	names := make([]string, 0, len(Shareable()))
	for _, known := range Shareable() {
		names = append(names, string(known))
	}
	return "", fmt.Errorf("workspace: %q cannot be shared (want one of %s)", s, strings.Join(names, ", "))
}

// DefaultShared reports whether kind (a document kind or KindRuns) is
// shared with viewers in a workspace whose owner never changed it: only
// the company profile.
func DefaultShared(kind Kind) bool { return kind == KindProfile }

// SharingChange is one change of what viewers may read.
type SharingChange struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Kind   Kind      `json:"kind"`
	Shared bool      `json:"shared"`
}

// defaultSharing is the sharing of every kind before any change.
func defaultSharing() map[Kind]bool {
	m := make(map[Kind]bool, len(Shareable()))
	for _, k := range Shareable() {
		m[k] = DefaultShared(k)
	}
	return m
}

// Sharing returns, for every document kind and for the runs
// (Shareable), whether viewers may read it.
func (s *DB) Sharing(ctx context.Context) (map[Kind]bool, error) {
	m := defaultSharing()
	rows, err := s.query(ctx, s.db, "SELECT kind, shared FROM sharing")
	if err != nil {
		return nil, s.dbErr("reading sharing", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, s.dbErr("reading sharing", err)
		}
		if _, known := m[Kind(k)]; known {
			m[Kind(k)] = v == 1
		}
	}
	return m, s.dbErr("reading sharing", rows.Err())
}

// SetSharing shares kind (one of Shareable) with viewers (or stops
// sharing it) and logs the change with actor, in one transaction. Setting what is already set
// changes nothing and logs nothing.
func (s *DB) SetSharing(ctx context.Context, kind Kind, shared bool, actor string) error {
	if _, err := ParseShareable(string(kind)); err != nil {
		return err
	}
	if err := checkActor(actor); err != nil {
		return err
	}
	v := boolInt(shared)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		cur := DefaultShared(kind)
		var stored int64
		err := s.queryRow(ctx, tx, "SELECT shared FROM sharing WHERE kind = ?"+s.dialect.forUpdate(), string(kind)).Scan(&stored)
		exists := err == nil
		switch {
		case exists:
			cur = stored == 1
		case !errors.Is(err, sql.ErrNoRows):
			return s.dbErr("reading sharing", err)
		}
		if exists && cur == shared {
			return nil
		}
		at := formatTime(now())
		if exists {
			_, err = s.exec(ctx, tx, "UPDATE sharing SET shared = ?, updated_at = ?, updated_by = ? WHERE kind = ?", v, at, actor, string(kind))
		} else {
			_, err = s.exec(ctx, tx, "INSERT INTO sharing (kind, shared, updated_at, updated_by) VALUES (?, ?, ?, ?)", string(kind), v, at, actor)
		}
		if err != nil {
			return s.dbErr("writing sharing", err)
		}
		if cur == shared { // first row, same as the default: record it, log nothing
			return nil
		}
		if _, err := s.exec(ctx, tx, "INSERT INTO sharing_log (at, actor, kind, shared) VALUES (?, ?, ?, ?)", at, actor, string(kind), v); err != nil {
			return s.dbErr("logging a sharing change", err)
		}
		return nil
	})
}

// SharingLog returns the changes of sharing, newest first, at most limit
// (0: all).
func (s *DB) SharingLog(ctx context.Context, limit int) ([]SharingChange, error) {
	q := "SELECT id, at, actor, kind, shared FROM sharing_log ORDER BY id DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.query(ctx, s.db, q)
	if err != nil {
		return nil, s.dbErr("reading the sharing log", err)
	}
	defer rows.Close()
	out := []SharingChange{}
	for rows.Next() {
		var c SharingChange
		var at, k string
		var v int64
		if err := rows.Scan(&c.ID, &at, &c.Actor, &k, &v); err != nil {
			return nil, s.dbErr("reading the sharing log", err)
		}
		t, err := parseTime(at)
		if err != nil {
			return nil, err
		}
		c.At, c.Kind, c.Shared = t, Kind(k), v == 1
		out = append(out, c)
	}
	return out, s.dbErr("reading the sharing log", rows.Err())
}

// boolInt is the 0/1 the sharing tables store for a boolean.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
