package workspace

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// The schema is a list of versioned migrations, embedded SQL files named
// NNNN_what.sql and numbered from 0001 without gaps. One list serves both
// engines: a file is plain SQL that SQLite and PostgreSQL both accept,
// except for the placeholders the dialect fills in ({{id}}: the
// auto-incrementing primary key). Open applies the missing ones in order,
// all in one transaction, and records each in schema_migrations.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew is returned by Open for a database written by a newer
// kaiwu, whose schema this binary does not know.
var ErrSchemaTooNew = errors.New("workspace: the database schema is newer than this kaiwu")

// migration is one schema step.
type migration struct {
	version int
	name    string
	sql     string
}

var migrations = mustLoadMigrations(migrationFiles)

func mustLoadMigrations(fsys fs.FS) []migration {
	ms, err := loadMigrations(fsys)
	if err != nil {
		panic(err)
	}
	return ms
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for i, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "migrations/"), ".sql")
		num, what, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v != i+1 {
			return nil, fmt.Errorf("workspace: migration %s: want NNNN_name.sql numbered %04d", n, i+1)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: what, sql: string(b)})
	}
	return ms, nil
}

// LatestSchema is the newest schema version this binary knows.
func LatestSchema() int { return len(migrations) }

// statements splits a migration into statements for the dialect: comment
// lines dropped, placeholders filled in, split at semicolons that end a
// line.
func (d dialect) statements(src string) []string {
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "--") {
			continue
		}
		lines = append(lines, l)
	}
	src = strings.ReplaceAll(strings.Join(lines, "\n"), "{{id}}", d.autoID())
	var out []string
	for _, st := range strings.Split(src, ";\n") {
		st = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(st), ";"))
		if st != "" {
			out = append(out, st)
		}
	}
	return out
}

// migrationLock is the PostgreSQL advisory lock key that serialises
// concurrent Opens of one database (two servers starting at once).
const migrationLock = 0x6b616977 // "kaiw"

// migrate applies the migrations of ms that the database lacks, in one
// transaction.
func (s *DB) migrate(ctx context.Context, ms []migration) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect == postgresDialect {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
				return s.dbErr("migration lock", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    applied_at TEXT   NOT NULL
)`); err != nil {
			return s.dbErr("creating schema_migrations", err)
		}
		var cur int
		if err := s.queryRow(ctx, tx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
			return s.dbErr("reading the schema version", err)
		}
		if cur > len(ms) {
			return fmt.Errorf("%w: %s is at schema version %d, this kaiwu knows versions up to %d; upgrade kaiwu (or open a copy)",
				ErrSchemaTooNew, s.where, cur, len(ms))
		}
		at := formatTime(now())
		for _, m := range ms[cur:] {
			for _, st := range s.dialect.statements(m.sql) {
				if _, err := tx.ExecContext(ctx, st); err != nil {
					return fmt.Errorf("workspace: %s: migration %04d_%s: %w", s.where, m.version, m.name, err)
				}
			}
			if _, err := s.exec(ctx, tx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.version, m.name, at); err != nil {
				return s.dbErr("recording a migration", err)
			}
		}
		return nil
	})
}

// SchemaVersion is the schema version the database is at.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := s.queryRow(ctx, s.db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v); err != nil {
		return 0, s.dbErr("reading the schema version", err)
	}
	return v, nil
}
