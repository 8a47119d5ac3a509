package workspace

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// The storage suite runs against SQLite always, and against PostgreSQL
// too when KAIWU_TEST_POSTGRES holds a DSN (e.g.
// postgres://kaiwu:kaiwu@127.0.0.1:5432/kaiwu_test?sslmode=disable). Each
// PostgreSQL test gets a fresh schema of its own, dropped afterwards.
const postgresEnv = "KAIWU_TEST_POSTGRES"

type backend struct {
	name string
	open func(t *testing.T) (*DB, string) // a fresh, empty workspace and its DSN
}

func init() {
	// Tests create many accounts; hash with the minimum argon2id work
	// (the production parameters are tested in TestPasswordHashFormat).
	if os.Getenv("KAIWU_TEST_FULL_ARGON") == "" {
		argonParams.memory, argonParams.time = 64, 1
	}
}

func backends(t *testing.T) []backend {
	t.Helper()
	bs := []backend{{"sqlite", func(t *testing.T) (*DB, string) {
		dsn := filepath.Join(t.TempDir(), "workspace.db")
		return openTest(t, dsn), dsn
	}}}
	if dsn := os.Getenv(postgresEnv); dsn != "" {
		bs = append(bs, backend{"postgres", func(t *testing.T) (*DB, string) {
			d := postgresSchema(t, dsn)
			return openTest(t, d), d
		}})
	} else {
		postgresSkipOnce(t)
	}
	return bs
}

var postgresSkipped bool

func postgresSkipOnce(t *testing.T) {
	if !postgresSkipped {
		postgresSkipped = true
		t.Logf("PostgreSQL backend skipped: set %s to a DSN (postgres://user:pass@host/db?sslmode=disable) to run the storage suite against PostgreSQL too", postgresEnv)
	}
}

// postgresSchema creates a fresh schema and returns a DSN whose
// search_path selects it.
func postgresSchema(t *testing.T, dsn string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "kaiwu_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openTest(t *testing.T, dsn string) *DB {
	t.Helper()
	s, err := OpenDB(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open(%q): %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// each runs f once per backend, as a subtest.
func each(t *testing.T, f func(t *testing.T, s *DB, dsn string)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			s, dsn := b.open(t)
			f(t, s, dsn)
		})
	}
}

func demoBody(t *testing.T, k Kind) string {
	t.Helper()
	for _, d := range DemoDocuments() {
		if d.Kind == k {
			return d.Body
		}
	}
	t.Fatalf("no demo %s", k)
	return ""
}

const minimalProfile = "name: Acme\ncurrency: CNY\nstage: seed\n"
