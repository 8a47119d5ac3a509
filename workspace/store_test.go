package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOpenIsIdempotentAndVersioned(t *testing.T) {
	each(t, func(t *testing.T, s *DB, dsn string) {
		ctx := context.Background()
		v, err := s.SchemaVersion(ctx)
		if err != nil || v != LatestSchema() {
			t.Fatalf("schema version %d, %v; want %d", v, err, LatestSchema())
		}
		s2 := openTest(t, dsn) // a second Open applies nothing
		if v, _ := s2.SchemaVersion(ctx); v != LatestSchema() {
			t.Fatalf("after reopening: version %d", v)
		}
		var n int
		if err := s.queryRow(ctx, s.db, "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != LatestSchema() {
			t.Fatalf("schema_migrations has %d rows (%v), want %d", n, err, LatestSchema())
		}
	})
}

func TestMigrationAppliesOnlyWhatIsMissing(t *testing.T) {
	each(t, func(t *testing.T, s *DB, dsn string) {
		ctx := context.Background()
		next := append(append([]migration(nil), migrations...),
			migration{version: len(migrations) + 1, name: "test", sql: "CREATE TABLE extra (id {{id}}, note TEXT NOT NULL);\n"})
		if err := s.migrate(ctx, next); err != nil {
			t.Fatal(err)
		}
		if _, err := s.exec(ctx, s.db, "INSERT INTO extra (note) VALUES (?)", "x"); err != nil {
			t.Fatalf("the new migration's table: %v", err)
		}
		if v, _ := s.SchemaVersion(ctx); v != len(next) {
			t.Fatalf("version %d, want %d", v, len(next))
		}
		if err := s.migrate(ctx, next); err != nil { // nothing left to do
			t.Fatal(err)
		}
	})
}

func TestSchemaNewerThanKnownIsRefused(t *testing.T) {
	each(t, func(t *testing.T, s *DB, dsn string) {
		ctx := context.Background()
		if _, err := s.exec(ctx, s.db, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			999, "from-the-future", formatTime(now())); err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, err := Open(ctx, dsn)
		if !errors.Is(err, ErrSchemaTooNew) || !strings.Contains(err.Error(), "999") || !strings.Contains(err.Error(), "upgrade kaiwu") {
			t.Fatalf("Open of a newer schema: %v; want ErrSchemaTooNew naming version 999", err)
		}
	})
}

func TestPutGetListDelete(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		for _, d := range DemoDocuments() {
			got, err := s.Put(ctx, d.Kind, "demo", d.Body, 0, "alice")
			if err != nil {
				t.Fatalf("%s: %v", d.Kind, err)
			}
			if got.Version != 1 || got.UpdatedBy != "alice" || got.Body != d.Body {
				t.Fatalf("%s: put returned %+v", d.Kind, got)
			}
			back, err := s.Get(ctx, d.Kind, "demo")
			if err != nil || back.Body != d.Body || !back.UpdatedAt.Equal(got.UpdatedAt) {
				t.Fatalf("%s: get %v, %v", d.Kind, back, err)
			}
		}
		all, err := s.List(ctx, "")
		if err != nil || len(all) != len(DemoDocuments()) {
			t.Fatalf("List: %d docs, %v", len(all), err)
		}
		for i := 1; i < len(all); i++ {
			if all[i-1].Kind > all[i].Kind {
				t.Fatalf("List not ordered by kind: %s before %s", all[i-1].Kind, all[i].Kind)
			}
		}
		if rs, _ := s.List(ctx, KindRunway); len(rs) != 1 || rs[0].Kind != KindRunway {
			t.Fatalf("List(runway): %v", rs)
		}
		if _, err := s.Get(ctx, KindRunway, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get missing: %v", err)
		}
		p2, err := s.Put(ctx, KindProfile, "demo", minimalProfile, 1, "bob")
		if err != nil || p2.Version != 2 {
			t.Fatalf("update: %v, %v", p2, err)
		}
		if err := s.Delete(ctx, KindProfile, "demo", 2, "bob"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, KindProfile, "demo"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.Delete(ctx, KindProfile, "demo", 3, "bob"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete of a deleted document: %v", err)
		}
		// Re-creating continues the version count (deletion was version 3).
		p4, err := s.Put(ctx, KindProfile, "demo", minimalProfile, 0, "carol")
		if err != nil || p4.Version != 4 {
			t.Fatalf("re-create: %+v, %v; want version 4", p4, err)
		}
		h, err := s.History(ctx, KindProfile, "demo", 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range h {
			got = append(got, fmt.Sprintf("%d:%s:%s:%t:%t", e.Version, e.Action, e.Actor, e.Before != "", e.After != ""))
		}
		want := "4:create:carol:false:true 3:delete:bob:true:false 2:update:bob:true:true 1:create:alice:false:true"
		if strings.Join(got, " ") != want {
			t.Fatalf("history\n got %s\nwant %s", strings.Join(got, " "), want)
		}
		if h[1].Before != minimalProfile || h[2].Before != demoBody(t, KindProfile) || h[2].After != minimalProfile {
			t.Fatal("history bodies do not match the writes")
		}
		if h, _ := s.History(ctx, "", "", 2); len(h) != 2 || h[0].Version != 4 {
			t.Fatalf("History limit 2: %v", h)
		}
		if h, _ := s.History(ctx, KindCompany, "", 0); len(h) != 1 {
			t.Fatalf("History(company): %d entries", len(h))
		}
	})
}

func TestPutRefusesInvalidDocuments(t *testing.T) {
	s := openTest(t, t.TempDir()+"/w.db")
	ctx := context.Background()
	for _, tc := range []struct {
		kind       Kind
		name, body string
		want       string
	}{
		{KindCompany, "main", "name: x\ncurrency: USD\nissuances:\n  - {id: i1, stakeholder: bob, class: common, shares: 10}\n", "bob"},
		{KindCompany, "main", "name: x\ncurrency: USD\nbogus: 1\n", "bogus"},
		{KindValuation, "main", "currency: USD\nvcc: {}\n", "vcc"},
		{KindOffers, "main", "currency: USD\noffers: [{name: a, pre_money: x}]\n", "line 2"},
		{KindRunway, "main", "currency: CNY\nstart: 2026-13\n", "start"},
		{KindRunway, "main", "currency: CNY\nstart: 2026-01\nopening_cash: 1\ncostz: {}\n", "costz"},
		{KindChannels, "main", "channels:\n  - {name: {en: x}}\n", "missing id"},
		{KindCompute, "main", "name: x\nmodel: {preset: gpt-9}\ntraining: {gpu: h800, gpus: 8}\n", "gpt-9"},
		{KindCompute, "main", "name: x\nmodel: {preset: llama-2-7b}\ntraining: {gpu: tpu-v9, gpus: 8}\n", "training.gpu"},
		{KindCompute, "main", "name: x\nmodel: {params: 7B}\nserving: {gpu: h20, prompt: 10, output: 10}\n", "attention shape"},
		{KindCompute, "main", "name: x\nmodel: {preset: llama-2-7b}\ntraining: {gpu: h800, gpus: 0}\n", "gpus"},
		{KindCompute, "main", "name: x\nmodel: {preset: llama-2-7b}\ntraining: {gpu: h800, gpus: 8, tokens: lots}\n", "count"},
		{KindProfile, "main", "name: x\ncurrency: CNY\nstage: series-z\n", "stage"},
		{KindProfile, "main", "currency: CNY\n", "name: missing"},
		{KindProfile, "main", "name: x\ncurrency: CNY\nfounded: 2024-02-40\n", "founded"},
		{KindProfile, "main", "", "empty"},
		{KindProfile, "main", "name: x\ncurrency: CNY\n---\nname: y\n", "more than one"},
		{KindProfile, "main", strings.Repeat("#", MaxBodyBytes+1), "bytes"},
		{KindProfile, "Main", minimalProfile, "character"},
		{KindProfile, strings.Repeat("a", 65), minimalProfile, "1 to 64"},
		{KindProfile, "", minimalProfile, "1 to 64"},
		{"memo", "main", minimalProfile, "unknown kind"},
	} {
		_, err := s.Put(ctx, tc.kind, tc.name, tc.body, 0, "alice")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s/%.20s %.40q: error %v, want one mentioning %q", tc.kind, tc.name, tc.body, err, tc.want)
		}
	}
	var be *BodyError
	if _, err := s.Put(ctx, KindProfile, "main", "name: x\n", 0, "a"); !errors.As(err, &be) || be.Kind != KindProfile {
		t.Errorf("want a *BodyError, got %T %v", err, err)
	}
	if _, err := s.Put(ctx, KindProfile, "main", minimalProfile, 0, " "); err == nil {
		t.Error("a write without an actor was accepted")
	}
	if docs, _ := s.List(ctx, ""); len(docs) != 0 {
		t.Fatalf("refused writes left %d documents", len(docs))
	}
}

func TestOptimisticLocking(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		d, err := s.Put(ctx, KindProfile, "main", minimalProfile, 0, "alice")
		if err != nil {
			t.Fatal(err)
		}
		// Two editors read version 1; the first to save wins.
		first := strings.Replace(minimalProfile, "Acme", "Acme One", 1)
		second := strings.Replace(minimalProfile, "Acme", "Acme Two", 1)
		if _, err := s.Put(ctx, KindProfile, "main", first, d.Version, "alice"); err != nil {
			t.Fatal(err)
		}
		_, err = s.Put(ctx, KindProfile, "main", second, d.Version, "bob")
		var ce *ConflictError
		if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
			t.Fatalf("second writer: %v, want a *ConflictError", err)
		}
		if ce.Current.Version != 2 || ce.Current.Body != first || ce.Current.UpdatedBy != "alice" {
			t.Fatalf("conflict shows %+v, want alice's version 2", ce.Current)
		}
		for _, tc := range []struct {
			name   string
			expect int64
			f      func(int64) error
		}{
			{"create over an existing document", 0, func(v int64) error {
				_, err := s.Put(ctx, KindProfile, "main", second, v, "bob")
				return err
			}},
			{"update from the future", 7, func(v int64) error {
				_, err := s.Put(ctx, KindProfile, "main", second, v, "bob")
				return err
			}},
			{"update of a missing document", 3, func(v int64) error {
				_, err := s.Put(ctx, KindProfile, "other", second, v, "bob")
				return err
			}},
			{"stale delete", 1, func(v int64) error { return s.Delete(ctx, KindProfile, "main", v, "bob") }},
		} {
			if err := tc.f(tc.expect); !errors.Is(err, ErrConflict) {
				t.Errorf("%s: %v, want a conflict", tc.name, err)
			}
		}
		if cur, _ := s.Get(ctx, KindProfile, "main"); cur.Version != 2 || cur.Body != first {
			t.Fatalf("a refused write changed the document: %+v", cur)
		}
		if h, _ := s.History(ctx, KindProfile, "main", 0); len(h) != 2 {
			t.Fatalf("refused writes left audit entries: %d", len(h))
		}
	})
}

func TestConcurrentWritersNeverLoseAnUpdate(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		if _, err := s.Put(ctx, KindProfile, "main", minimalProfile, 0, "init"); err != nil {
			t.Fatal(err)
		}
		const writers, each = 4, 5
		var wg sync.WaitGroup
		var mu sync.Mutex
		var wins, conflicts int
		errs := make(chan error, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; {
					cur, err := s.Get(ctx, KindProfile, "main")
					if err != nil {
						errs <- err
						return
					}
					body := fmt.Sprintf("name: w%d-%d\ncurrency: CNY\n", w, i)
					_, err = s.Put(ctx, KindProfile, "main", body, cur.Version, fmt.Sprintf("w%d", w))
					mu.Lock()
					switch {
					case err == nil:
						wins++
						i++
					case errors.Is(err, ErrConflict):
						conflicts++
					default:
						mu.Unlock()
						errs <- err
						return
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		cur, _ := s.Get(ctx, KindProfile, "main")
		if wins != writers*each || cur.Version != int64(1+wins) {
			t.Fatalf("%d wins, version %d; want %d wins and version %d", wins, cur.Version, writers*each, 1+writers*each)
		}
		checkConsistent(t, s)
		t.Logf("%d writes, %d conflicts retried", wins, conflicts)
	})
}

// checkConsistent asserts the invariants a workspace keeps: every
// document valid, and each name's audit versions 1…n without gaps, the
// newest matching the document.
func checkConsistent(t *testing.T, s *DB) {
	t.Helper()
	ctx := context.Background()
	docs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	live := map[string]Document{}
	for _, d := range docs {
		if err := Validate(d.Kind, d.Name, d.Body); err != nil {
			t.Errorf("stored document invalid: %v", err)
		}
		live[string(d.Kind)+"/"+d.Name] = d
	}
	h, err := s.History(ctx, "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string][]AuditEntry{}
	for i := len(h) - 1; i >= 0; i-- { // oldest first
		k := string(h[i].Kind) + "/" + h[i].Name
		byName[k] = append(byName[k], h[i])
	}
	for k, es := range byName {
		for i, e := range es {
			if e.Version != int64(i+1) {
				t.Fatalf("%s: audit versions not contiguous at %d: %d", k, i, e.Version)
			}
			if i > 0 && e.Before != es[i-1].After {
				t.Fatalf("%s v%d: before does not match the previous after", k, e.Version)
			}
		}
		last := es[len(es)-1]
		d, ok := live[k]
		if ok != (last.Action != "delete") || ok && (d.Version != last.Version || d.Body != last.After) {
			t.Fatalf("%s: document (v%d, live %t) disagrees with the newest audit entry %+v", k, d.Version, ok, last)
		}
	}
	for k := range live {
		if len(byName[k]) == 0 {
			t.Fatalf("%s has no history", k)
		}
	}
}

func TestExportImportRoundTrip(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		t.Run(map[bool]string{false: "yaml", true: "json"}[asJSON], func(t *testing.T) { testRoundTrip(t, asJSON) })
	}
}

func testRoundTrip(t *testing.T, asJSON bool) {
	{
		each(t, func(t *testing.T, s *DB, _ string) {
			ctx := context.Background()
			if err := SeedDemo(ctx, s, "seed"); err != nil {
				t.Fatal(err)
			}
			p, _ := s.Get(ctx, KindProfile, DemoName)
			if _, err := s.Put(ctx, KindProfile, DemoName, p.Body+"# edited: trailing  \n#\ttab\n", p.Version, "alice"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Put(ctx, KindProfile, "gone", minimalProfile, 0, "bob"); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, KindProfile, "gone", 1, "bob"); err != nil {
				t.Fatal(err)
			}
			u, err := s.CreateUser(ctx, "alice", "correct horse", RoleOwner)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.SetUserLang(ctx, u.ID, "en"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateUser(ctx, "investor", "pw", RoleViewer); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CreateToken(ctx, u.ID, "ci"); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				kind   Kind
				shared bool
			}{{KindCompany, true}, {KindRunway, true}, {KindRunway, false}} {
				if err := s.SetSharing(ctx, c.kind, c.shared, "alice"); err != nil {
					t.Fatal(err)
				}
			}
			first, err := s.Export(ctx, asJSON)
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{"argon2id", "correct horse", "token_hash"} {
				if bytes.Contains(first, []byte(secret)) {
					t.Fatalf("the export contains %q", secret)
				}
			}
			fresh, err := OpenDB(ctx, t.TempDir()+"/fresh.db")
			if err != nil {
				t.Fatal(err)
			}
			defer fresh.Close()
			if err := fresh.Import(ctx, first, asJSON, "importer"); err != nil {
				t.Fatal(err)
			}
			second, err := fresh.Export(ctx, asJSON)
			if err != nil {
				t.Fatal(err)
			}
			if sh, err := fresh.Sharing(ctx); err != nil || !sh[KindCompany] || sh[KindRunway] {
				t.Fatalf("sharing after import: %v, %v", sh, err)
			}
			if log, err := fresh.SharingLog(ctx, 0); err != nil || len(log) != 3 {
				t.Fatalf("sharing log after import: %d entries, %v", len(log), err)
			}
			if !bytes.Equal(first, second) {
				t.Fatalf("export → import → export differs (json=%t):\n%s\n----\n%s", asJSON, first, second)
			}
			checkConsistent(t, fresh)
			// The restored workspace keeps working: new ids follow the old.
			d, err := fresh.Put(ctx, KindProfile, "gone", minimalProfile, 0, "carol")
			if err != nil || d.Version != 3 {
				t.Fatalf("re-create after import: %+v, %v", d, err)
			}
			nu, err := fresh.CreateUser(ctx, "carol", "pw", RoleEditor)
			if err != nil || nu.ID <= u.ID+1 {
				t.Fatalf("new user after import: %+v, %v", nu, err)
			}
			// Imported accounts have no password until one is set.
			if _, err := fresh.Authenticate(ctx, "alice", "correct horse"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("imported account logged in without a password: %v", err)
			}
			if err := fresh.SetPassword(ctx, u.ID, "new pw"); err != nil {
				t.Fatal(err)
			}
			if _, err := fresh.Authenticate(ctx, "alice", "new pw"); err != nil {
				t.Fatal(err)
			}
			// Import into a workspace that is not empty is refused.
			if err := s.Import(ctx, first, asJSON, "x"); !errors.Is(err, ErrExists) {
				t.Fatalf("import into a non-empty workspace: %v", err)
			}
		})
	}
}

func TestImportChecksTheFile(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, data, want string }{
		{"format", "format: other\n", "format"},
		{"unknown field", "format: kaiwu-workspace/1\nextra: 1\n", "extra"},
		{"newer schema", "format: kaiwu-workspace/1\nschema: 99\n", "schema 99"},
		{"invalid body", "format: kaiwu-workspace/1\ndocuments:\n  - {kind: profile, name: p, version: 1, body: 'currency: CNY'}\n", "name: missing"},
		{"audit disagrees", "format: kaiwu-workspace/1\ndocuments:\n  - {kind: profile, name: p, version: 2, body: \"name: a\\ncurrency: CNY\\n\"}\naudit:\n  - {id: 1, at: '2026-01-01T00:00:00Z', actor: a, action: create, kind: profile, name: p, version: 1, after: \"name: a\\ncurrency: CNY\\n\"}\n", "disagrees"},
		{"bad role", "format: kaiwu-workspace/1\nusers:\n  - {id: 1, name: a, role: god, lang: zh}\n", "role"},
	} {
		s := openTest(t, t.TempDir()+"/w.db")
		if err := s.Import(ctx, []byte(tc.data), false, "x"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error mentioning %q", tc.name, err, tc.want)
		}
		if docs, _ := s.List(ctx, ""); len(docs) != 0 {
			t.Errorf("%s: a refused import wrote documents", tc.name)
		}
	}
	// A hand-written file without history gets an "import" entry.
	s := openTest(t, t.TempDir()+"/w.db")
	hand := "format: kaiwu-workspace/1\ndocuments:\n  - kind: profile\n    name: p\n    body: |\n      name: Acme\n      currency: CNY\n"
	if err := s.Import(ctx, []byte(hand), false, "founder"); err != nil {
		t.Fatal(err)
	}
	h, _ := s.History(ctx, KindProfile, "p", 0)
	if len(h) != 1 || h[0].Action != "import" || h[0].Actor != "founder" || h[0].Version != 1 {
		t.Fatalf("history of a hand-written import: %+v", h)
	}
	checkConsistent(t, s)
}

func TestImportOCF(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		d, warns, err := ImportOCF(ctx, s, os.DirFS("../finance/ocf/testdata/acme"), "alice")
		if err != nil {
			t.Fatal(err)
		}
		if d.Kind != KindCompany || d.Name != CompanyDocument || d.Version != 1 || !strings.Contains(d.Body, "Acme AI") {
			t.Fatalf("imported %+v", d)
		}
		_ = warns
		// Importing again replaces it as the next version.
		d2, _, err := ImportOCF(ctx, s, os.DirFS("../finance/ocf/testdata/acme"), "bob")
		if err != nil || d2.Version != 2 {
			t.Fatalf("second import: %+v, %v", d2, err)
		}
		h, _ := s.History(ctx, KindCompany, CompanyDocument, 0)
		if len(h) != 2 || h[0].Action != "import" || h[0].Actor != "bob" {
			t.Fatalf("history: %+v", h)
		}
	})
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/data/home")
	if p, err := DefaultPath(); err != nil || p != "/data/home/kaiwu/workspace.db" {
		t.Fatalf("with XDG_DATA_HOME: %q, %v", p, err)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "/cfg")
	if p, err := DefaultPath(); err != nil || !strings.HasSuffix(p, "kaiwu/workspace.db") {
		t.Fatalf("without XDG_DATA_HOME: %q, %v", p, err)
	}
	// Open("") uses it and creates the directory.
	dir := t.TempDir()
	t.Setenv("XDG_DATA_HOME", dir)
	s, err := Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(dir + "/kaiwu/workspace.db"); err != nil {
		t.Fatal(err)
	}
}

func TestDialect(t *testing.T) {
	for _, tc := range []struct {
		d       dialect
		in, out string
	}{
		{sqliteDialect, "a = ? AND b = ?", "a = ? AND b = ?"},
		{postgresDialect, "a = ? AND b = ?", "a = $1 AND b = $2"},
		{postgresDialect, "no params", "no params"},
	} {
		if got := tc.d.rebind(tc.in); got != tc.out {
			t.Errorf("%s rebind(%q) = %q, want %q", tc.d, tc.in, got, tc.out)
		}
	}
	for _, d := range []dialect{sqliteDialect, postgresDialect} {
		st := d.statements(migrations[0].sql)
		if len(st) < 5 || strings.Contains(strings.Join(st, ""), "{{") {
			t.Errorf("%s: migration 1 split into %d statements", d, len(st))
		}
	}
	if !IsPostgres("postgres://x") || !IsPostgres("postgresql://x") || IsPostgres("/tmp/postgres.db") {
		t.Error("IsPostgres")
	}
}

func TestTimesRoundTrip(t *testing.T) {
	tm := time.Date(2026, 3, 1, 9, 30, 0, 123456789, time.FixedZone("CST", 8*3600))
	back, err := parseTime(formatTime(tm))
	if err != nil || !back.Equal(tm) {
		t.Fatalf("%v → %q → %v, %v", tm, formatTime(tm), back, err)
	}
}
