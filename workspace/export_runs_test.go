package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
)

// seedRuns records a succeeded, a failed, a canceled, a running and a
// queued run; it returns the three finished ones.
func seedRuns(t *testing.T, s *DB) []lifecycle.Run {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 29, 9, 0, 0, 123456789, time.UTC)
	at := func(sec int) *time.Time { x := t0.Add(time.Duration(sec) * time.Second); return &x }
	runs := []lifecycle.Run{
		{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular", Epochs: 60, Batch: 32, LR: 1e-5, Seed: 1<<63 + 7, Threads: 2},
			Status: lifecycle.StatusSucceeded, CreatedBy: "alice", StartedAt: at(1), FinishedAt: at(9),
			Metrics: &lifecycle.Metrics{Metric: "r2", Value: 0.8954123456789, HigherIsBetter: true, Baseline: 1.25, FirstLoss: 2.5,
				FinalLoss: 0.1, TestLoss: 0.2, Steps: 1000, Seconds: 8.5, Parameters: 4321, Model: "mlp 13→64→1"},
			Curve:  []lifecycle.Point{{Step: 1, Loss: 2.5}, {Step: 500, Loss: 0.30000000000000004}, {Step: 1000, Loss: 1e-7}},
			Report: json.RawMessage(`{"recipe":"tabular-mlp","samples":["床前明月光\n疑是地上霜","a \u003cb\u003e \u0026 \"c\""],"history":[{"step":500,"loss":0.3,"test_loss":0.4}],"null":null,"ok":true}`)},
		{Recipe: "fashion-mlp", Config: lifecycle.Config{Recipe: "fashion-mlp", Epochs: 1, Batch: 64, LR: 0.01, TrainLimit: 100, TestLimit: 10},
			Status: lifecycle.StatusFailed, Error: "the recipe panicked: out of memory\nat step 3", CreatedBy: "bob", StartedAt: at(2), FinishedAt: at(3),
			Curve: []lifecycle.Point{{Step: 1, Loss: 2.3}}},
		{Recipe: "poetry-gpt", Config: lifecycle.Config{Recipe: "poetry-gpt", Steps: 50, Batch: 8, LR: 3e-4},
			Status: lifecycle.StatusCanceled, Error: "canceled", CreatedBy: "alice", FinishedAt: at(4)},
		{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular"}, Status: lifecycle.StatusRunning, CreatedBy: "alice",
			Instance: "other", HeartbeatAt: at(5), StartedAt: at(5)},
		{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular"}, Status: lifecycle.StatusQueued, CreatedBy: "alice"},
	}
	var done []lifecycle.Run
	for i := range runs {
		r := runs[i]
		r.CreatedAt = t0.Add(time.Duration(i) * time.Second)
		final := r
		r.Status = lifecycle.StatusQueued
		if err := s.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		final.ID, final.CreatedAt = r.ID, r.CreatedAt
		if final.Status == lifecycle.StatusCanceled {
			if _, err := s.RequestCancel(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			final.CancelRequested = true
		}
		if err := s.UpdateRun(ctx, final); err != nil {
			t.Fatal(err)
		}
		if final.Status.Final() {
			done = append(done, final)
		}
	}
	return done
}

// TestExportImportRuns: the finished runs go through export and import
// exactly (configuration, metrics, curve, report, times, ids), in YAML
// and JSON, on every backend; live runs are left out; new runs after an
// import take the next ids.
func TestExportImportRuns(t *testing.T) {
	ctx := context.Background()
	for _, b := range backends(t) {
		for _, asJSON := range []bool{false, true} {
			t.Run(b.name+map[bool]string{false: "/yaml", true: "/json"}[asJSON], func(t *testing.T) {
				s, _ := b.open(t)
				want := seedRuns(t, s)
				first, err := s.Export(ctx, asJSON)
				if err != nil {
					t.Fatal(err)
				}
				snap, err := DecodeSnapshot(first, asJSON)
				if err != nil {
					t.Fatal(err)
				}
				if len(snap.Runs) != 3 || snap.Runs[0].ID != want[0].ID || snap.Runs[2].ID != want[2].ID {
					t.Fatalf("exported runs: %+v; want the 3 finished ones", snap.Runs)
				}
				if !asJSON && !bytes.Contains(first, []byte("- {step: 1, loss: 2.5}")) {
					t.Errorf("YAML curve points are not one per line:\n%s", first)
				}
				fresh, _ := b.open(t)
				if err := fresh.Import(ctx, first, asJSON, "importer"); err != nil {
					t.Fatal(err)
				}
				for _, w := range want {
					got, err := fresh.Run(ctx, w.ID)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(got, w) {
						t.Errorf("run %d after import:\n%+v\nwant\n%+v", w.ID, got, w)
					}
					if string(got.Report) != string(w.Report) {
						t.Errorf("run %d report %s, want %s", w.ID, got.Report, w.Report)
					}
				}
				second, err := fresh.Export(ctx, asJSON)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(first, second) {
					t.Fatalf("export → import → export differs:\n%s\n----\n%s", first, second)
				}
				r := lifecycle.Run{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular"}, Status: lifecycle.StatusQueued, CreatedBy: "x"}
				if err := fresh.CreateRun(ctx, &r); err != nil || r.ID <= want[2].ID {
					t.Fatalf("a new run after the import: id %d, %v", r.ID, err)
				}
				if err := s.Import(ctx, first, asJSON, "x"); err == nil {
					t.Fatal("import into a workspace with runs was accepted")
				}
			})
		}
	}
}

// TestImportChecksRuns: a bad run in an import names the run and the
// field, and nothing is written.
func TestImportChecksRuns(t *testing.T) {
	ctx := context.Background()
	const head = "format: kaiwu-workspace/1\nruns:\n"
	good := "  - id: 3\n    recipe: tabular\n    status: succeeded\n    created_by: alice\n    created_at: '2026-11-29T09:00:00Z'\n    finished_at: '2026-11-29T09:01:00Z'\n    config: {recipe: tabular, epochs: 2}\n"
	for _, tc := range []struct{ name, runs, want string }{
		{"unknown field", good + "    owner: me\n", "run #3 (tabular), line 3: field \"owner\" is not a run field"},
		{"id type", strings.Replace(good, "id: 3", "id: three", 1), "run #three (tabular), line 3: yaml: unmarshal errors"},
		{"live", strings.Replace(good, "succeeded", "running", 1), "runs[0] (#3 tabular): status: \"running\": only finished runs"},
		{"unknown status", strings.Replace(good, "succeeded", "done", 1), "runs[0] (#3 tabular): status: \"done\""},
		{"config field", strings.Replace(good, "epochs: 2", "epoch: 2", 1), "runs[0] (#3 tabular): config: json: unknown field \"epoch\""},
		{"config type", strings.Replace(good, "epochs: 2", "epochs: many", 1), "runs[0] (#3 tabular): config: json: cannot unmarshal"},
		{"config recipe", strings.Replace(good, "{recipe: tabular,", "{recipe: poetry-gpt,", 1), "runs[0] (#3 tabular): config.recipe"},
		{"no config", strings.Replace(good, "    config: {recipe: tabular, epochs: 2}\n", "", 1), "runs[0] (#3 tabular): config: missing"},
		{"metrics", good + "    metrics: {metric: r2, value: high}\n", "runs[0] (#3 tabular): metrics: json: cannot unmarshal"},
		{"curve", good + "    curve: [{step: 1, los: 2}]\n", "runs[0] (#3 tabular): curve: json: unknown field \"los\""},
		{"number", good + "    curve: [{step: 1, loss: .inf}]\n", "run #3 (tabular), line 3: curve: line 10: \".inf\" is not a JSON number"},
		{"actor", strings.Replace(good, "created_by: alice", "created_by: ''", 1), "runs[0] (#3 tabular): created_by"},
		{"time", strings.Replace(good, "'2026-11-29T09:01:00Z'", "yesterday", 1), "runs[0] (#3 tabular): finished_at: \"yesterday\""},
		{"repeated id", good + strings.Replace(good, "tabular", "tabular", 2), "runs[1] (#3 tabular): id: 3 is repeated"},
		{"no recipe", strings.Replace(good, "recipe: tabular\n", "recipe: ''\n", 1), "runs[0] (#3 ): recipe: missing"},
	} {
		s := openTest(t, t.TempDir()+"/w.db")
		err := s.Import(ctx, []byte(head+tc.runs), false, "x")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v\nwant an error containing %q", tc.name, err, tc.want)
		}
		if rs, _ := s.Runs(ctx, 0); len(rs) != 0 {
			t.Errorf("%s: a refused import wrote runs", tc.name)
		}
	}
	// JSON: the same checks, and decoding errors name the run too.
	for _, tc := range []struct{ name, runs, want string }{
		{"unknown field", `{"id":4,"recipe":"tabular","owner":"me"}`, `run #4 (tabular): json: unknown field "owner"`},
		{"type", `{"id":4,"recipe":"tabular","created_at":5}`, `run #4 (tabular): json: cannot unmarshal number into Go struct field`},
		{"live", `{"id":4,"recipe":"tabular","status":"queued","created_by":"a","config":{"recipe":"tabular"}}`, `runs[0] (#4 tabular): status: "queued"`},
		{"config", `{"id":4,"recipe":"tabular","status":"failed","created_by":"a","config":{"recipe":"tabular","lr":"fast"}}`, `runs[0] (#4 tabular): config: json: cannot unmarshal string`},
	} {
		s := openTest(t, t.TempDir()+"/w.db")
		err := s.Import(ctx, []byte(`{"format":"kaiwu-workspace/1","runs":[`+tc.runs+`]}`), true, "x")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("json %s: %v\nwant an error containing %q", tc.name, err, tc.want)
		}
	}
	// The good run alone imports.
	s := openTest(t, t.TempDir()+"/w.db")
	if err := s.Import(ctx, []byte(head+good), false, "x"); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Run(ctx, 3); err != nil || r.Config.Epochs != 2 || r.Status != lifecycle.StatusSucceeded {
		t.Fatalf("imported run: %+v, %v", r, err)
	}
}
