package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
	"github.com/kaiwu-ai/kaiwu/workspace"
)

// runRuns runs `kaiwu runs …` under a root with the global flags.
func runRuns(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	o := &Options{stdout: &out, stderr: &errb, Lang: LangEN}
	root := &cobra.Command{Use: "kaiwu", SilenceUsage: true, SilenceErrors: true}
	root.PersistentFlags().BoolVar(&o.JSON, "json", false, "")
	root.PersistentFlags().IntVar(&o.Threads, "threads", 0, "")
	root.AddCommand(newRunsCommand(o))
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

func TestRunsCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	w := []string{"--workspace", db, "--actor", "tester"}
	cmd := func(args ...string) []string { return append(append([]string{"runs"}, args...), w...) }

	out, _, err := runRuns(t, cmd("list")...)
	if err != nil || !strings.Contains(out, "no runs yet") {
		t.Fatalf("empty list: %v %q", err, out)
	}
	out, stderr, err := runRuns(t, cmd("start", "tabular", "--epochs", "2", "--seed", "4")...)
	if err != nil {
		t.Fatalf("start: %v\n%s", err, stderr)
	}
	for _, want := range []string{"tabular", "succeeded", "epochs 2, steps 0, batch 32, lr 0.001, seed 4", "tester", "test R²"} {
		if !strings.Contains(out, want) {
			t.Errorf("start output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runRuns(t, cmd("list")...)
	if err != nil || !strings.Contains(out, "succeeded") || !strings.Contains(out, "r2 0.") {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, _, err = runRuns(t, cmd("show", "1", "--json")...)
	var r lifecycle.Run
	if err != nil || json.Unmarshal([]byte(out), &r) != nil || r.Status != lifecycle.StatusSucceeded || len(r.Curve) != 100 {
		t.Fatalf("show --json: %v\n%.300s", err, out)
	}
	out, _, err = runRuns(t, cmd("list", "--json")...)
	var rs []lifecycle.Run
	if err != nil || json.Unmarshal([]byte(out), &rs) != nil || len(rs) != 1 {
		t.Fatalf("list --json: %v\n%s", err, out)
	}

	// Errors say what and where.
	for _, c := range []struct {
		args []string
		want string
	}{
		{cmd("start", "tabular", "--epochs", "5000"), "--epochs: 5000: want 1..1000"},
		{cmd("start", "tabular", "--lr", "3"), "--lr: 3: want a learning rate"},
		{cmd("start", "resnet"), "unknown recipe \"resnet\""},
		{cmd("start", "poetry-gpt", "--train-limit", "5"), "--train-limit: poetry-gpt has no sample limit"},
		{cmd("show", "x"), "run \"x\": want a run number"},
		{cmd("show", "9"), "run 9"},
		{cmd("cancel", "1"), "succeeded"},
		{cmd("list", "--limit", "-1"), "--limit -1"},
	} {
		_, _, err := runRuns(t, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}

	// cancel marks a live run (another process trains it) for cancellation.
	ws, err := workspace.OpenDB(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	live := lifecycle.Run{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular"}, Status: lifecycle.StatusRunning, CreatedBy: "server"}
	if err := ws.CreateRun(context.Background(), &live); err != nil {
		t.Fatal(err)
	}
	ws.Close()
	out, _, err = runRuns(t, cmd("cancel", "2")...)
	if err != nil || !strings.Contains(out, "run 2: cancellation requested") {
		t.Fatalf("cancel: %v %q", err, out)
	}
}

// TestServeMarksInterruptedRuns: a run left running by a server that
// stopped is marked failed when kaiwu serve starts again.
func TestServeMarksInterruptedRuns(t *testing.T) {
	db := filepath.Join(t.TempDir(), "w.db")
	ws, err := workspace.OpenDB(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	r := lifecycle.Run{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular"}, Status: lifecycle.StatusRunning, CreatedBy: "old-server"}
	if err := ws.CreateRun(context.Background(), &r); err != nil {
		t.Fatal(err)
	}
	ws.Close()
	var out, errb syncBuffer
	o := &Options{stdout: &out, stderr: &errb}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, o, serveConfig{Addr: "127.0.0.1:0", Workspace: db, ready: func(a string) { ready <- a }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out2, _, err := runRuns(t, "runs", "show", "1", "--json", "--workspace", db)
	var got lifecycle.Run
	if err != nil || json.Unmarshal([]byte(out2), &got) != nil || got.Status != lifecycle.StatusFailed || got.Error != lifecycle.InterruptedError {
		t.Fatalf("after a restart: %v %s", err, out2)
	}
}

// TestRunsStartInterrupted cancels `runs start` when its progress bar first
// shows (as Ctrl-C does): the run is stored as canceled with the recipe's
// message saying where it stopped, and the command exits 130.
func TestRunsStartInterrupted(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ws.db")
	args := []string{"runs", "start", "tabular", "--epochs", "1000", "--workspace", db, "--actor", "tester"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errw := &cancelingWriter{mark: "/", cancel: cancel}
	var out bytes.Buffer
	root := NewRootCommand(&out, errw, args)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "canceled at step ") {
		t.Fatalf("error %v, want a wrapped context.Canceled saying where the run stopped", err)
	}
	if code := exitCode(err); code != ExitInterrupted {
		t.Fatalf("exit code %d, want %d", code, ExitInterrupted)
	}
	got, _, err := runRuns(t, "runs", "show", "1", "--json", "--workspace", db)
	var r lifecycle.Run
	if err != nil || json.Unmarshal([]byte(got), &r) != nil || r.Status != lifecycle.StatusCanceled {
		t.Fatalf("stored run: %v\n%.300s", err, got)
	}
}
