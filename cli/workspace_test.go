package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// runWS runs the workspace and user commands under a root with the global
// --json and --lang flags, stdin as standard input.
func runWS(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	o := &Options{stdout: &out, stderr: &errb, Lang: LangEN}
	root := &cobra.Command{Use: "kaiwu", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().BoolVar(&o.JSON, "json", false, "")
	root.AddCommand(newWorkspaceCommand(o), newUserCommand(o))
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

func TestWorkspaceCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "ws.db")
	w := []string{"--workspace", db, "--actor", "tester"}
	cmd := func(args ...string) []string { return append(append([]string{}, args...), w...) }

	out, _, err := runWS(t, "", cmd("workspace", "init")...)
	if err != nil || !strings.Contains(out, db) || !strings.Contains(out, "sqlite") {
		t.Fatalf("init: %v\n%s", err, out)
	}
	if _, _, err := runWS(t, "", cmd("workspace", "seed-demo")...); err != nil {
		t.Fatal(err)
	}
	out, _, err = runWS(t, "", cmd("workspace", "ls")...)
	if err != nil || !strings.Contains(out, "runway") || !strings.Contains(out, "tester") {
		t.Fatalf("ls: %v\n%s", err, out)
	}
	out, _, err = runWS(t, "", cmd("workspace", "get", "profile", "main")...)
	if err != nil || !strings.Contains(out, "demo: true") {
		t.Fatalf("get: %v\n%s", err, out)
	}

	// put from standard input: the current version by default, --version to lock.
	body := "name: Acme AI\ncurrency: CNY\nstage: seed\n"
	out, _, err = runWS(t, body, cmd("workspace", "put", "profile", "main", "-f", "-", "--json")...)
	var d workspace.Document
	if err != nil || json.Unmarshal([]byte(out), &d) != nil || d.Version != 2 {
		t.Fatalf("put: %v\n%s", err, out)
	}
	_, _, err = runWS(t, body, cmd("workspace", "put", "profile", "main", "-f", "-", "--version", "1")...)
	if err == nil || !strings.Contains(err.Error(), "version 2") || !strings.Contains(err.Error(), "Acme AI") {
		t.Fatalf("stale put: %v", err)
	}
	_, _, err = runWS(t, "name: x\ncurrency: CNY\nstage: z\n", cmd("workspace", "put", "profile", "main", "-f", "-")...)
	if err == nil || !strings.Contains(err.Error(), "stage") {
		t.Fatalf("invalid put: %v", err)
	}
	for _, bad := range [][]string{
		{"workspace", "get", "memo", "main"},
		{"workspace", "get", "profile", "nope"},
		{"workspace", "ls", "nokind"},
	} {
		if _, _, err := runWS(t, "", cmd(bad...)...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}

	out, _, err = runWS(t, "", cmd("workspace", "history", "profile", "main", "--diff")...)
	if err != nil || !strings.Contains(out, "update") || !strings.Contains(out, "Acme AI") {
		t.Fatalf("history: %v\n%s", err, out)
	}
	out, _, err = runWS(t, "", cmd("workspace", "history", "--json", "--limit", "1")...)
	var h []workspace.AuditEntry
	if err != nil || json.Unmarshal([]byte(out), &h) != nil || len(h) != 1 {
		t.Fatalf("history --json: %v\n%s", err, out)
	}

	if _, _, err := runWS(t, "", cmd("workspace", "rm", "channels", "main")...); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runWS(t, "", cmd("workspace", "import-ocf", "../finance/ocf/testdata/acme", "--name", "acme")...); err != nil {
		t.Fatal(err)
	}

	// export → import into a new file → export: the same bytes.
	exp := filepath.Join(dir, "export.yaml")
	if _, _, err := runWS(t, "", cmd("workspace", "export", "-o", exp)...); err != nil {
		t.Fatal(err)
	}
	db2 := filepath.Join(dir, "copy.db")
	if _, _, err := runWS(t, "", "workspace", "import", exp, "--workspace", db2); err != nil {
		t.Fatal(err)
	}
	again, _, err := runWS(t, "", "workspace", "export", "--workspace", db2)
	first, _ := os.ReadFile(exp)
	if err != nil || again != string(first) {
		t.Fatalf("export of the imported copy differs (%v)", err)
	}
	if _, _, err := runWS(t, "", "workspace", "import", exp, "--workspace", db2); err == nil {
		t.Fatal("import into a non-empty workspace succeeded")
	}
	jout, _, err := runWS(t, "", cmd("workspace", "export", "--json")...)
	if err != nil || !json.Valid([]byte(jout)) {
		t.Fatalf("export --json: %v", err)
	}

	// Flags.
	if _, _, err := runWS(t, "", "workspace", "ls", "--workspace", db, "--database", "postgres://x"); err == nil {
		t.Error("--workspace with --database accepted")
	}
	if _, _, err := runWS(t, "", "workspace", "ls", "--database", "/tmp/x.db"); err == nil {
		t.Error("--database with a file path accepted")
	}
}

func TestWorkspaceUserCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	w := []string{"--workspace", db}
	cmd := func(args ...string) []string { return append(append([]string{}, args...), w...) }

	if _, _, err := runWS(t, "", cmd("user", "add", "alice", "--role", "owner")...); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty password: %v", err)
	}
	if _, _, err := runWS(t, "\n", cmd("user", "add", "alice")...); err == nil {
		t.Fatal("a blank line was accepted as a password")
	}
	if _, _, err := runWS(t, "pw\n", cmd("user", "add", "alice", "--role", "boss")...); err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("bad role: %v", err)
	}
	out, _, err := runWS(t, "s3cret\n", cmd("user", "add", "alice", "--role", "owner", "--json")...)
	var u workspace.User
	if err != nil || json.Unmarshal([]byte(out), &u) != nil || u.Role != workspace.RoleOwner {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if _, _, err := runWS(t, "x\n", cmd("user", "add", "alice")...); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("duplicate user: %v", err)
	}
	if _, _, err := runWS(t, "pw2\n", cmd("user", "add", "bob", "--role", "viewer")...); err != nil {
		t.Fatal(err)
	}
	out, _, err = runWS(t, "", cmd("user", "ls")...)
	if err != nil || !strings.Contains(out, "alice") || !strings.Contains(out, "viewer") {
		t.Fatalf("user ls: %v\n%s", err, out)
	}
	out, _, err = runWS(t, "", cmd("user", "token", "bob", "--label", "ci")...)
	tok := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(tok, workspace.APITokenPrefix) {
		t.Fatalf("user token: %v\n%s", err, out)
	}
	if _, _, err := runWS(t, "", cmd("user", "token", "nobody")...); err == nil {
		t.Fatal("token for an unknown user")
	}
	if _, _, err := runWS(t, "n3w\n", cmd("user", "passwd", "alice")...); err != nil {
		t.Fatal(err)
	}

	// What the commands stored works through the library.
	ws, err := workspace.OpenDB(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if u, err := ws.TokenUser(t.Context(), tok); err != nil || u.Name != "bob" {
		t.Fatalf("token: %+v, %v", u, err)
	}
	if _, err := ws.Authenticate(t.Context(), "alice", "n3w"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if _, err := ws.Authenticate(t.Context(), "alice", "s3cret"); err == nil {
		t.Fatal("old password still works")
	}
}

func TestWorkspaceMessagesAreTranslated(t *testing.T) {
	for k, m := range workspaceMessages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s: missing a language", k)
		}
	}
	var out, errb bytes.Buffer
	o := &Options{stdout: &out, stderr: &errb, Lang: LangZH}
	if c := newWorkspaceCommand(o); !strings.Contains(c.Short, "工作区") {
		t.Errorf("Chinese help: %q", c.Short)
	}
}

func TestWorkspaceShare(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	cmd := func(args ...string) []string {
		return append(append([]string{"workspace"}, args...), "--workspace", db)
	}
	out, _, err := runWS(t, "", cmd("share")...)
	if err != nil || !strings.Contains(out, "profile") || !strings.Contains(out, "on") {
		t.Fatalf("share (list): %v\n%s", err, out)
	}
	if _, _, err := runWS(t, "", cmd("share", "runway", "on")...); err != nil {
		t.Fatal(err)
	}
	out, _, err = runWS(t, "", cmd("share", "--json")...)
	var rows []struct {
		Kind   workspace.Kind `json:"kind"`
		Shared bool           `json:"shared"`
	}
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
		t.Fatalf("share --json: %v\n%s", err, out)
	}
	got := map[workspace.Kind]bool{}
	for _, r := range rows {
		got[r.Kind] = r.Shared
	}
	if !got[workspace.KindRunway] || !got[workspace.KindProfile] || got[workspace.KindCompany] || got[workspace.KindRuns] || len(got) != len(workspace.Shareable()) {
		t.Fatalf("after share runway on: %v", got)
	}
	if _, _, err := runWS(t, "", cmd("share", "runs", "on")...); err != nil {
		t.Fatalf("share runs on: %v", err)
	}
	for _, bad := range [][]string{{"share", "runway"}, {"share", "secrets", "on"}, {"share", "runway", "maybe"}} {
		if _, _, err := runWS(t, "", cmd(bad...)...); err == nil {
			t.Errorf("%v was accepted", bad)
		}
	}
	ws, err := workspace.OpenDB(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if log, _ := ws.SharingLog(context.Background(), 0); len(log) != 2 || log[0].Kind != workspace.KindRuns || log[1].Kind != workspace.KindRunway || log[1].Actor == "" {
		t.Fatalf("sharing log %+v", log)
	}
}

// TestWorkspaceExportRuns: `workspace export` carries the finished runs
// (configuration, metrics, curve, report) and `import` restores them; a
// bad run in the file is refused naming the run and the field.
func TestWorkspaceExportRuns(t *testing.T) {
	dir := t.TempDir()
	db, db2 := filepath.Join(dir, "ws.db"), filepath.Join(dir, "copy.db")
	if _, stderr, err := runRuns(t, "runs", "start", "tabular", "--epochs", "2", "--workspace", db); err != nil {
		t.Fatalf("runs start: %v\n%s", err, stderr)
	}
	exp := filepath.Join(dir, "export.json")
	if _, _, err := runWS(t, "", "workspace", "export", "-o", exp, "--workspace", db); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(exp)
	var snap struct {
		Runs []struct {
			ID     int64           `json:"id"`
			Status string          `json:"status"`
			Curve  json.RawMessage `json:"curve"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b, &snap); err != nil || len(snap.Runs) != 1 || snap.Runs[0].Status != "succeeded" || len(snap.Runs[0].Curve) < 100 {
		t.Fatalf("export: %v\n%.400s", err, b)
	}
	if _, _, err := runWS(t, "", "workspace", "import", exp, "--workspace", db2); err != nil {
		t.Fatal(err)
	}
	orig, _, err1 := runRuns(t, "runs", "show", "1", "--json", "--workspace", db)
	copied, _, err2 := runRuns(t, "runs", "show", "1", "--json", "--workspace", db2)
	var a, c lifecycle.Run
	if err1 != nil || err2 != nil || json.Unmarshal([]byte(orig), &a) != nil || json.Unmarshal([]byte(copied), &c) != nil {
		t.Fatalf("runs show: %v, %v", err1, err2)
	}
	// Which process trained the run, and its last heartbeat, stay behind.
	a.Instance, a.HeartbeatAt = "", nil
	if !reflect.DeepEqual(a, c) || a.Metrics == nil {
		t.Fatalf("the imported run differs:\n%+v\n%+v", a, c)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("format: kaiwu-workspace/1\nruns:\n  - {id: 7, recipe: tabular, status: running, created_by: a, config: {recipe: tabular}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := runWS(t, "", "workspace", "import", bad, "--workspace", filepath.Join(dir, "third.db"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml") || !strings.Contains(err.Error(), `runs[0] (#7 tabular): status: "running"`) {
		t.Fatalf("import of a live run: %v", err)
	}
}
