package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// memStore is an in-memory Store.
type memStore struct {
	mu   sync.Mutex
	runs map[int64]Run
	next int64
}

var errMissing = errors.New("not found")

func newMemStore() *memStore { return &memStore{runs: map[int64]Run{}} }

func (s *memStore) CreateRun(_ context.Context, r *Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	r.ID = s.next
	s.runs[r.ID] = *r
	return nil
}

func (s *memStore) UpdateRun(_ context.Context, r Run) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.runs[r.ID]
	if !ok {
		return errMissing
	}
	r.CancelRequested = old.CancelRequested
	r.Progress = nil
	s.runs[r.ID] = r
	return nil
}

func (s *memStore) Run(_ context.Context, id int64) (Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[id]
	if !ok {
		return r, fmt.Errorf("run %d: %w", id, errMissing)
	}
	return r, nil
}

func (s *memStore) Runs(_ context.Context, limit int) ([]Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Run
	for _, r := range s.runs {
		r.Curve, r.Report = nil, nil
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID > out[j].ID })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (s *memStore) RequestCancel(_ context.Context, id int64) (Run, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.runs[id]
	if !ok {
		return r, errMissing
	}
	if r.Status.Final() {
		return r, ErrNotLive
	}
	r.CancelRequested = true
	s.runs[id] = r
	return r, nil
}

func (s *memStore) Heartbeat(_ context.Context, instance string, at time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, r := range s.runs {
		if !r.Status.Final() && r.Instance == instance {
			r.HeartbeatAt = &at
			s.runs[id] = r
			n++
		}
	}
	return n, nil
}

func (s *memStore) FailStaleRuns(_ context.Context, msg string, staleBefore, at time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, r := range s.runs {
		if !r.Status.Final() && (r.HeartbeatAt == nil || r.HeartbeatAt.Before(staleBefore)) {
			r.Status, r.Error, r.FinishedAt = StatusFailed, msg, &at
			s.runs[id] = r
			n++
		}
	}
	return n, nil
}

// wait waits for run id to finish (at most a minute) and returns it.
func wait(t *testing.T, m *Manager, id int64) Run {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Wait(ctx, id); err != nil {
		t.Fatalf("run %d: %v", id, err)
	}
	r, err := m.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStartRunsToTheEnd(t *testing.T) {
	st := newMemStore()
	m := NewManager(st, Options{})
	defer m.Close()
	// Hold the engine until subscribed, so that no event is missed.
	engine <- struct{}{}
	r, err := m.Start(context.Background(), Config{Recipe: "tabular", Epochs: 2}, "alice")
	if err != nil {
		<-engine
		t.Fatal(err)
	}
	if r.ID == 0 || r.Status != StatusQueued || r.Config.Batch != 32 || r.Config.LR != 1e-3 {
		t.Fatalf("Start returned %+v", r)
	}
	_, events, stop, err := m.Subscribe(context.Background(), r.ID)
	<-engine
	if err != nil || events == nil {
		t.Fatalf("Subscribe: %v, %v", events, err)
	}
	defer stop()
	var last *Progress
	n := 0
	for ev := range events { // closed when the run ends
		if ev.Type != "progress" || ev.Progress == nil {
			t.Fatalf("event %+v", ev)
		}
		if last != nil && ev.Progress.Step < last.Step {
			t.Fatalf("progress went back: %d after %d", ev.Progress.Step, last.Step)
		}
		last = ev.Progress
		n++
	}
	got := wait(t, m, r.ID)
	if got.Status != StatusSucceeded || got.Error != "" || got.StartedAt == nil || got.FinishedAt == nil {
		t.Fatalf("finished run %+v", got)
	}
	if got.Metrics == nil || got.Metrics.Metric != "r2" || got.Metrics.Steps != 100 || len(got.Report) == 0 {
		t.Fatalf("metrics %+v, report %d bytes", got.Metrics, len(got.Report))
	}
	if len(got.Curve) != 100 || got.Curve[0].Step != 1 || got.Curve[99].Step != 100 {
		t.Fatalf("curve: %d points", len(got.Curve))
	}
	stored, _ := st.Run(context.Background(), r.ID)
	if stored.Status != StatusSucceeded || len(stored.Curve) != 100 {
		t.Fatalf("stored %+v", stored)
	}
	// Subscribed before the first step: at least the first event came
	// (the last one too unless the subscriber was slow).
	if n == 0 || last.Step < 1 || last.Total != 100 || last.Epochs != 2 || last.LR != 1e-3 {
		t.Fatalf("%d events, last %+v", n, last)
	}
	// A finished run: Subscribe gives its state and no channel.
	cur, ch, stop2, err := m.Subscribe(context.Background(), r.ID)
	stop2()
	if err != nil || ch != nil || cur.Status != StatusSucceeded {
		t.Fatalf("Subscribe after the end: %+v, %v, %v", cur.Status, ch, err)
	}
}

// startLong starts a tabular run long enough to cancel (it is canceled
// at its first progress report, so it never runs long).
func startLong(t *testing.T, m *Manager) (Run, <-chan Event, func()) {
	t.Helper()
	r, err := m.Start(context.Background(), Config{Recipe: "tabular", Epochs: MaxEpochs}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	_, ch, stop, err := m.Subscribe(context.Background(), r.ID)
	if err != nil || ch == nil {
		t.Fatalf("Subscribe: %v, %v (the run ended before it)", ch, err)
	}
	return r, ch, stop
}

func TestCancelAndOneAtATime(t *testing.T) {
	st := newMemStore()
	m := NewManager(st, Options{})
	defer m.Close()
	r, ch, stop := startLong(t, m)
	defer stop()
	_, err := m.Start(context.Background(), Config{Recipe: "tabular", Epochs: 1}, "bob")
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), fmt.Sprintf("#%d", r.ID)) {
		t.Fatalf("second Start: %v", err)
	}
	if ev, ok := <-ch; !ok || ev.Type != "progress" {
		t.Fatalf("first event %+v, %v", ev, ok)
	}
	c, err := m.Cancel(context.Background(), r.ID)
	if err != nil || !c.CancelRequested {
		t.Fatalf("Cancel: %+v, %v", c, err)
	}
	got := wait(t, m, r.ID)
	if got.Status != StatusCanceled || got.Metrics != nil || len(got.Curve) == 0 || got.FinishedAt == nil {
		t.Fatalf("canceled run %+v", got)
	}
	if !strings.Contains(got.Error, "canceled at step ") {
		t.Errorf("canceled run's error %q does not say where it stopped", got.Error)
	}
	if _, err := m.Cancel(context.Background(), r.ID); !errors.Is(err, ErrNotLive) {
		t.Fatalf("second Cancel: %v", err)
	}
	// The slot is free again.
	r2, err := m.Start(context.Background(), Config{Recipe: "tabular", Epochs: 1}, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if got := wait(t, m, r2.ID); got.Status != StatusSucceeded {
		t.Fatalf("run after the cancel: %+v", got)
	}
}

// TestCancelFromAnotherProcess: a cancellation requested in the store
// (by another process) stops the run at its next poll.
func TestCancelFromAnotherProcess(t *testing.T) {
	st := newMemStore()
	m := NewManager(st, Options{CancelPoll: time.Nanosecond})
	defer m.Close()
	r, ch, stop := startLong(t, m)
	defer stop()
	<-ch
	if _, err := st.RequestCancel(context.Background(), r.ID); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, m, r.ID); got.Status != StatusCanceled {
		t.Fatalf("run %+v", got)
	}
}

func TestMaxRuns(t *testing.T) {
	m := NewManager(newMemStore(), Options{MaxRuns: 2})
	defer m.Close()
	a, cha, stopa := startLong(t, m)
	defer stopa()
	b, chb, stopb := startLong(t, m)
	defer stopb()
	if _, err := m.Start(context.Background(), Config{Recipe: "tabular"}, "c"); !errors.Is(err, ErrBusy) {
		t.Fatalf("third run: %v", err)
	}
	// One trains at a time (whichever took the engine first); the other
	// waits, queued, and can be canceled while it waits.
	running, waiting := a, b
	select {
	case <-cha:
	case <-chb:
		running, waiting = b, a
	}
	if got, _ := m.Get(context.Background(), waiting.ID); got.Status != StatusQueued {
		t.Fatalf("second run while the first trains: %s", got.Status)
	}
	for _, id := range []int64{waiting.ID, running.ID} {
		if _, err := m.Cancel(context.Background(), id); err != nil {
			t.Fatalf("cancel run %d: %v", id, err)
		}
		if got := wait(t, m, id); got.Status != StatusCanceled {
			t.Fatalf("run %d: %s", id, got.Status)
		}
	}
}

func TestBadConfigNamesTheField(t *testing.T) {
	m := NewManager(newMemStore(), Options{})
	defer m.Close()
	cases := []struct {
		cfg   Config
		field string
	}{
		{Config{Recipe: "resnet"}, "recipe"},
		{Config{Recipe: "tabular", Epochs: -1}, "epochs"},
		{Config{Recipe: "tabular", Epochs: MaxEpochs + 1}, "epochs"},
		{Config{Recipe: "tabular", Steps: -5}, "steps"},
		{Config{Recipe: "tabular", Batch: MaxBatch + 1}, "batch"},
		{Config{Recipe: "tabular", LR: 2}, "lr"},
		{Config{Recipe: "tabular", LR: -0.1}, "lr"},
		{Config{Recipe: "tabular", Threads: -1}, "threads"},
		{Config{Recipe: "tabular", Seed: MaxSeed + 1}, "seed"},
		{Config{Recipe: "tabular", TrainLimit: 10}, "train_limit"},
		{Config{Recipe: "fashion-mlp", TestLimit: -1}, "test_limit"},
		{Config{Recipe: "poetry-gpt", Epochs: 3}, "epochs"},
		{Config{Recipe: "poetry-gpt", Steps: MaxSteps + 1}, "steps"},
	}
	for _, c := range cases {
		_, err := m.Start(context.Background(), c.cfg, "alice")
		var ce *ConfigError
		var fe *FieldError
		if !errors.As(err, &ce) || !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(err.Error(), c.field+": ") {
			t.Errorf("%+v: error %v, want one naming %s", c.cfg, err, c.field)
		}
	}
	if rs, _ := m.List(context.Background(), 0); len(rs) != 0 {
		t.Fatalf("invalid configurations made runs: %+v", rs)
	}
}

func TestMissingData(t *testing.T) {
	dir := t.TempDir()
	m := NewManager(newMemStore(), Options{Data: DataPaths{FashionDir: dir, TangPath: filepath.Join(dir, "tang300")}})
	defer m.Close()
	for _, rec := range []string{"fashion-mlp", "fashion-cnn", "poetry-gpt"} {
		_, err := m.Start(context.Background(), Config{Recipe: rec}, "alice")
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), dir) {
			t.Errorf("%s without data: %v", rec, err)
		}
	}
	avail := map[string]bool{}
	for _, r := range m.Recipes() {
		avail[r.Name] = r.Available
		if !r.Available && !strings.HasPrefix(r.Missing, dir) {
			t.Errorf("%s: missing %q", r.Name, r.Missing)
		}
	}
	if !avail["tabular"] || !avail["adding-lstm"] || avail["fashion-mlp"] || avail["poetry-gpt"] {
		t.Fatalf("availability %v", avail)
	}
}

// TestRecoverMarksInterruptedRuns: with an injected clock, Recover marks
// failed only the live runs whose heartbeat is older than three beats
// (or missing): a peer's fresh run and the finished ones stay.
func TestRecoverMarksInterruptedRuns(t *testing.T) {
	st := newMemStore()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	at := func(ago time.Duration) *time.Time { t := now.Add(-ago); return &t }
	runs := []struct {
		status Status
		beat   *time.Time
		want   Status
	}{
		{StatusQueued, nil, StatusFailed},                    // before heartbeats
		{StatusRunning, at(time.Hour), StatusFailed},         // its server died an hour ago
		{StatusRunning, at(31 * time.Second), StatusFailed},  // just past 3×10 s
		{StatusRunning, at(29 * time.Second), StatusRunning}, // a peer two beats late
		{StatusQueued, at(time.Second), StatusQueued},        // a peer's queued run
		{StatusSucceeded, at(time.Hour), StatusSucceeded},    // finished: never touched
		{StatusCanceled, nil, StatusCanceled},
	}
	for _, x := range runs {
		r := Run{Recipe: "tabular", Status: x.status, CreatedBy: "alice", Instance: "peer", HeartbeatAt: x.beat}
		if err := st.CreateRun(context.Background(), &r); err != nil {
			t.Fatal(err)
		}
	}
	m := NewManager(st, Options{Now: func() time.Time { return now }, Heartbeat: 10 * time.Second, Instance: "me"})
	defer m.Close()
	if m.StaleAfter() != 30*time.Second || m.Instance() != "me" {
		t.Fatalf("StaleAfter %v, Instance %q", m.StaleAfter(), m.Instance())
	}
	n, err := m.Recover(context.Background())
	if err != nil || n != 3 {
		t.Fatalf("Recover: %d, %v; want 3", n, err)
	}
	for i, x := range runs {
		r, _ := st.Run(context.Background(), int64(i+1))
		if r.Status != x.want || (x.want == StatusFailed && (r.Error != InterruptedError || !r.FinishedAt.Equal(now))) {
			t.Errorf("run %d (heartbeat %v): %s %q, want %s", r.ID, x.beat, r.Status, r.Error, x.want)
		}
	}
	// The peer stops beating: a later sweep (a later clock) marks its runs.
	now = now.Add(time.Minute)
	if n, err := m.sweep(context.Background()); err != nil || n != 2 {
		t.Fatalf("sweep a minute later: %d, %v; want 2", n, err)
	}
}

// TestHeartbeat: a live run records its instance and, every beat, a
// fresh heartbeat, so that a peer's Recover leaves it alone; the
// heartbeat stops with Close.
func TestHeartbeat(t *testing.T) {
	st := newMemStore()
	var mu sync.Mutex
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	m := NewManager(st, Options{Now: clock, Heartbeat: 5 * time.Millisecond, Instance: "a"})
	r, err := m.Start(context.Background(), Config{Recipe: "tabular", Epochs: 1000}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if r.Instance != "a" || r.HeartbeatAt == nil || !r.HeartbeatAt.Equal(now) {
		t.Fatalf("started run: instance %q, heartbeat %v", r.Instance, r.HeartbeatAt)
	}
	mu.Lock()
	now = now.Add(time.Hour) // the clock moves on; the beats follow it
	mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, _ := st.Run(context.Background(), r.ID)
		if s.HeartbeatAt != nil && s.HeartbeatAt.Equal(clock()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no heartbeat after the clock moved: %v", s.HeartbeatAt)
		}
		time.Sleep(time.Millisecond)
	}
	// A second server over the same store, starting now, leaves the run.
	peer := NewManager(st, Options{Now: clock, Heartbeat: 5 * time.Millisecond, Instance: "b"})
	if n, err := peer.Recover(context.Background()); err != nil || n != 0 {
		t.Fatalf("peer's Recover marked %d runs (%v); the run is alive", n, err)
	}
	peer.Close()
	if _, err := m.Cancel(context.Background(), r.ID); err != nil {
		t.Fatal(err)
	}
	if got := wait(t, m, r.ID); got.Status != StatusCanceled {
		t.Fatalf("after cancel: %s", got.Status)
	}
	m.Close()
	m.Close() // twice: nothing more
}

func TestDownsampleAndCurveBuf(t *testing.T) {
	var c []Point
	for i := 1; i <= 1234; i++ {
		c = append(c, Point{Step: i, Loss: float64(i)})
	}
	d := Downsample(c, MaxCurvePoints)
	if len(d) != MaxCurvePoints || d[0].Step != 1 || d[len(d)-1].Step != 1234 {
		t.Fatalf("Downsample: %d points, %v … %v", len(d), d[0], d[len(d)-1])
	}
	if got := Downsample(c[:10], MaxCurvePoints); len(got) != 10 {
		t.Fatalf("short curve: %d", len(got))
	}
	var b curveBuf
	for _, p := range c {
		b.add(p)
	}
	pts := b.points()
	if len(pts) > 2*MaxCurvePoints || pts[0].Step != 1 || pts[len(pts)-1].Step != 1234 {
		t.Fatalf("curveBuf: %d points ending %v", len(pts), pts[len(pts)-1])
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Step <= pts[i-1].Step {
			t.Fatalf("curveBuf out of order at %d", i)
		}
	}
}

// TestOtherRecipes trains fashion-mlp (when Debian's data set is
// installed) and adding-lstm for a few steps each, through the Manager.
func TestOtherRecipes(t *testing.T) {
	m := NewManager(newMemStore(), Options{})
	defer m.Close()
	cases := []struct {
		cfg    Config
		metric string
		steps  int
	}{
		{Config{Recipe: "fashion-mlp", Steps: 3, TrainLimit: 256, TestLimit: 64}, "accuracy", 3},
		{Config{Recipe: "adding-lstm", Epochs: 1, Batch: 32, TrainLimit: 64, TestLimit: 16}, "solved", 2},
	}
	for _, c := range cases {
		if rec, _ := LookupRecipe(c.cfg.Recipe, DataPaths{}); !rec.Available {
			t.Logf("%s skipped: %s is missing", c.cfg.Recipe, rec.Missing)
			continue
		}
		r, err := m.Start(context.Background(), c.cfg, "alice")
		if err != nil {
			t.Fatal(err)
		}
		got := wait(t, m, r.ID)
		if got.Status != StatusSucceeded || got.Metrics.Metric != c.metric || got.Metrics.Steps != c.steps || len(got.Curve) != c.steps {
			t.Errorf("%s: %s %q, metrics %+v, %d curve points", c.cfg.Recipe, got.Status, got.Error, got.Metrics, len(got.Curve))
		}
	}
}
