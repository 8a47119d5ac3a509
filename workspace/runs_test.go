package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
)

func TestRunsRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		if rs, err := s.Runs(ctx, 0); err != nil || len(rs) != 0 {
			t.Fatalf("empty workspace: %v, %v", rs, err)
		}
		created := time.Date(2026, 11, 29, 10, 0, 0, 123, time.UTC)
		r := lifecycle.Run{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular", Epochs: 2, Batch: 32, LR: 1e-3, Seed: 1},
			Status: lifecycle.StatusQueued, CreatedBy: "alice", CreatedAt: created}
		if err := s.CreateRun(ctx, &r); err != nil {
			t.Fatal(err)
		}
		if r.ID == 0 {
			t.Fatal("CreateRun set no ID")
		}
		started, finished := created.Add(time.Second), created.Add(3*time.Second)
		r.Status, r.StartedAt, r.FinishedAt = lifecycle.StatusSucceeded, &started, &finished
		r.Metrics = &lifecycle.Metrics{Metric: "r2", Value: 0.9, HigherIsBetter: true, Steps: 100}
		r.Curve = []lifecycle.Point{{Step: 1, Loss: 1.5}, {Step: 100, Loss: 0.2}}
		r.Report = json.RawMessage(`{"recipe":"tabular-mlp"}`)
		if err := s.UpdateRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.Run(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != lifecycle.StatusSucceeded || got.Config != r.Config || got.CreatedBy != "alice" ||
			!got.CreatedAt.Equal(created) || !got.StartedAt.Equal(started) || !got.FinishedAt.Equal(finished) ||
			*got.Metrics != *r.Metrics || len(got.Curve) != 2 || got.Curve[1] != r.Curve[1] || string(got.Report) != string(r.Report) {
			t.Fatalf("read back %+v\nwant %+v", got, r)
		}
		r2 := lifecycle.Run{Recipe: "poetry-gpt", Config: lifecycle.Config{Recipe: "poetry-gpt", Steps: 5}, Status: lifecycle.StatusQueued, CreatedBy: "bob"}
		if err := s.CreateRun(ctx, &r2); err != nil {
			t.Fatal(err)
		}
		list, err := s.Runs(ctx, 0)
		if err != nil || len(list) != 2 || list[0].ID != r2.ID || list[1].ID != r.ID || list[1].Curve != nil || list[1].Metrics == nil {
			t.Fatalf("Runs: %+v, %v", list, err)
		}
		if one, _ := s.Runs(ctx, 1); len(one) != 1 {
			t.Fatalf("limit 1: %d runs", len(one))
		}
		if _, err := s.Run(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing run: %v", err)
		}
		if err := s.UpdateRun(ctx, lifecycle.Run{ID: 999, Status: lifecycle.StatusFailed}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("update of a missing run: %v", err)
		}
		if err := s.UpdateRun(ctx, lifecycle.Run{ID: r.ID, Status: "done"}); err == nil {
			t.Fatal("unknown status accepted")
		}
	})
}

func TestRunsCancelAndRecover(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		mk := func(st lifecycle.Status) lifecycle.Run {
			r := lifecycle.Run{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular"}, Status: st, CreatedBy: "alice"}
			if err := s.CreateRun(ctx, &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		queued, running, done := mk(lifecycle.StatusQueued), mk(lifecycle.StatusRunning), mk(lifecycle.StatusSucceeded)
		c, err := s.RequestCancel(ctx, running.ID)
		if err != nil || !c.CancelRequested {
			t.Fatalf("RequestCancel: %+v, %v", c, err)
		}
		if got, _ := s.Run(ctx, running.ID); !got.CancelRequested || got.Status != lifecycle.StatusRunning {
			t.Fatalf("after RequestCancel: %+v", got)
		}
		if _, err := s.RequestCancel(ctx, done.ID); !errors.Is(err, lifecycle.ErrNotLive) || !errors.Is(err, ErrConflict) {
			t.Fatalf("cancel of a finished run: %v", err)
		}
		if _, err := s.RequestCancel(ctx, 12345); !errors.Is(err, ErrNotFound) {
			t.Fatalf("cancel of a missing run: %v", err)
		}
		at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
		n, err := s.FailStaleRuns(ctx, lifecycle.InterruptedError, at.Add(-time.Minute), at)
		if err != nil || n != 2 {
			t.Fatalf("FailStaleRuns: %d, %v (runs without a heartbeat are stale)", n, err)
		}
		for _, id := range []int64{queued.ID, running.ID} {
			r, _ := s.Run(ctx, id)
			if r.Status != lifecycle.StatusFailed || r.Error != lifecycle.InterruptedError || r.FinishedAt == nil || !r.FinishedAt.Equal(at) {
				t.Fatalf("run %d after FailStaleRuns: %+v", id, r)
			}
		}
		if r, _ := s.Run(ctx, done.ID); r.Status != lifecycle.StatusSucceeded {
			t.Fatalf("a finished run changed: %+v", r)
		}
		if n, _ := s.FailStaleRuns(ctx, lifecycle.InterruptedError, at, at); n != 0 {
			t.Fatalf("second FailStaleRuns marked %d", n)
		}
	})
}

// TestRunsHeartbeat: two servers over one database. Each live run
// records its instance and heartbeat; Heartbeat refreshes only the
// instance's live runs; FailStaleRuns marks only the runs whose
// heartbeat is older than the cut-off, so a peer's fresh run survives
// another server's startup.
func TestRunsHeartbeat(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
		mk := func(instance string, st lifecycle.Status) lifecycle.Run {
			r := lifecycle.Run{Recipe: "tabular", Config: lifecycle.Config{Recipe: "tabular"}, Status: st, CreatedBy: "alice",
				CreatedAt: t0, Instance: instance, HeartbeatAt: &t0}
			if err := s.CreateRun(ctx, &r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		a, b, bDone := mk("a", lifecycle.StatusRunning), mk("b", lifecycle.StatusQueued), mk("b", lifecycle.StatusSucceeded)
		if got, _ := s.Run(ctx, a.ID); got.Instance != "a" || got.HeartbeatAt == nil || !got.HeartbeatAt.Equal(t0) {
			t.Fatalf("stored instance %q, heartbeat %v", got.Instance, got.HeartbeatAt)
		}
		t1 := t0.Add(40 * time.Second)
		if n, err := s.Heartbeat(ctx, "b", t1); err != nil || n != 1 {
			t.Fatalf("Heartbeat b: %d, %v; want 1 (its finished run is not live)", n, err)
		}
		if _, err := s.Heartbeat(ctx, "", t1); err == nil {
			t.Fatal("an empty instance was accepted")
		}
		// A third server starts at t1 with a 30 s cut-off: a (silent for
		// 40 s) is interrupted, b (beat at t1) is not.
		n, err := s.FailStaleRuns(ctx, lifecycle.InterruptedError, t1.Add(-30*time.Second), t1)
		if err != nil || n != 1 {
			t.Fatalf("FailStaleRuns: %d, %v; want 1", n, err)
		}
		want := map[int64]lifecycle.Status{a.ID: lifecycle.StatusFailed, b.ID: lifecycle.StatusQueued, bDone.ID: lifecycle.StatusSucceeded}
		for id, st := range want {
			if r, _ := s.Run(ctx, id); r.Status != st {
				t.Errorf("run %d: %s, want %s", id, r.Status, st)
			}
		}
		if r, _ := s.Run(ctx, b.ID); r.HeartbeatAt == nil || !r.HeartbeatAt.Equal(t1) {
			t.Errorf("b's heartbeat %v, want %v", r.HeartbeatAt, t1)
		}
	})
}

// TestSeedDemoRun: the demo workspace has one finished run with a real
// curve, and seeding again adds none.
func TestSeedDemoRun(t *testing.T) {
	each(t, func(t *testing.T, s *DB, _ string) {
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			if err := SeedDemo(ctx, s, "demo"); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := s.Runs(ctx, 0)
		if err != nil || len(rs) != 1 {
			t.Fatalf("runs after seeding twice: %+v, %v", rs, err)
		}
		r, err := s.Run(ctx, rs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != lifecycle.StatusSucceeded || r.Recipe != "tabular" || r.Metrics == nil || r.Metrics.Steps != 1000 ||
			len(r.Curve) < 100 || len(r.Curve) > lifecycle.MaxCurvePoints || r.Curve[len(r.Curve)-1].Step != 1000 {
			t.Fatalf("demo run %+v (%d curve points)", r.Metrics, len(r.Curve))
		}
		// A real fit: the held-out R² of the recipe is well above 0.
		if r.Metrics.Value < 0.5 {
			t.Fatalf("demo run R² %g", r.Metrics.Value)
		}
	})
}
