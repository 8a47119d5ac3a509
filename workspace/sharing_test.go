package workspace

import (
	"context"
	"testing"
)

func TestSharingDefaultsSetAndLog(t *testing.T) {
	each(t, func(t *testing.T, s *DB, dsn string) {
		ctx := context.Background()
		m, err := s.Sharing(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != len(Kinds())+1 || len(Shareable()) != len(Kinds())+1 {
			t.Fatalf("sharing has %d entries, want %d (the kinds and runs): %v", len(m), len(Kinds())+1, m)
		}
		if _, ok := m[KindRuns]; !ok {
			t.Fatalf("sharing lacks the runs: %v", m)
		}
		for k, v := range m {
			if v != (k == KindProfile) {
				t.Errorf("new workspace: %s shared = %v; only the profile is shared by default", k, v)
			}
		}
		if err := s.SetSharing(ctx, KindCompany, true, "olga"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSharing(ctx, KindCompany, true, "olga"); err != nil { // no change, no log
			t.Fatal(err)
		}
		if err := s.SetSharing(ctx, KindProfile, true, "olga"); err != nil { // the default: no log
			t.Fatal(err)
		}
		if err := s.SetSharing(ctx, KindProfile, false, "ed"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSharing(ctx, "nonsense", true, "olga"); err == nil {
			t.Error("an unknown kind was accepted")
		}
		if err := s.SetSharing(ctx, KindRunway, true, ""); err == nil {
			t.Error("a change without an actor was accepted")
		}
		s2 := openTest(t, dsn) // stored, not cached
		m, _ = s2.Sharing(ctx)
		if !m[KindCompany] || m[KindProfile] || m[KindRunway] {
			t.Fatalf("after changes: %v", m)
		}
		log, err := s2.SharingLog(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != 2 || log[0].Kind != KindProfile || log[0].Shared || log[0].Actor != "ed" ||
			log[1].Kind != KindCompany || !log[1].Shared || log[1].Actor != "olga" || log[1].At.IsZero() {
			t.Fatalf("sharing log %+v", log)
		}
		if l1, _ := s2.SharingLog(ctx, 1); len(l1) != 1 || l1[0].ID != log[0].ID {
			t.Fatalf("limit 1: %+v", l1)
		}
	})
}

// TestSharingMigrationOnV1 takes a workspace back to schema 1 (as an
// older kaiwu left it, with a document in it) and opens it: migration
// 0002 applies, the document stays, sharing has its defaults.
func TestSharingMigrationOnV1(t *testing.T) {
	each(t, func(t *testing.T, s *DB, dsn string) {
		ctx := context.Background()
		if _, err := s.Put(ctx, KindProfile, "main", minimalProfile, 0, "alice"); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"DROP TABLE runs", "DROP TABLE sharing_log", "DROP TABLE sharing", "DELETE FROM schema_migrations WHERE version >= 2"} {
			if _, err := s.exec(ctx, s.db, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if v, _ := s.SchemaVersion(ctx); v != 1 {
			t.Fatalf("set up a v1 database: version %d", v)
		}
		s.Close()
		s2 := openTest(t, dsn)
		if v, _ := s2.SchemaVersion(ctx); v != LatestSchema() || LatestSchema() < 2 {
			t.Fatalf("after Open: version %d, latest %d", v, LatestSchema())
		}
		if d, err := s2.Get(ctx, KindProfile, "main"); err != nil || d.Body != minimalProfile {
			t.Fatalf("the v1 document: %+v, %v", d, err)
		}
		m, err := s2.Sharing(ctx)
		if err != nil || !m[KindProfile] || m[KindCompany] {
			t.Fatalf("sharing after the migration: %v, %v", m, err)
		}
		if err := s2.SetSharing(ctx, KindRunway, true, "alice"); err != nil {
			t.Fatal(err)
		}
		if log, _ := s2.SharingLog(ctx, 0); len(log) != 1 {
			t.Fatalf("log %+v", log)
		}
	})
}
