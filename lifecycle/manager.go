package lifecycle

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
	"github.com/kaiwu-ai/kaiwu/engine/recipes"
)

// Store keeps runs. The workspace implements it (SQLite, PostgreSQL);
// every method is one transaction.
type Store interface {
	// CreateRun inserts r (ID is ignored) and sets r.ID.
	CreateRun(ctx context.Context, r *Run) error
	// UpdateRun writes r's status, error, times, metrics, curve and
	// report.
	UpdateRun(ctx context.Context, r Run) error
	// Run returns one run (an error wrapping the store's not-found error
	// when there is none).
	Run(ctx context.Context, id int64) (Run, error)
	// Runs lists runs, newest first, at most limit (0: all), without
	// their curves and reports.
	Runs(ctx context.Context, limit int) ([]Run, error)
	// RequestCancel marks a queued or running run for cancellation and
	// returns it; a finished run gives an error wrapping ErrNotLive.
	RequestCancel(ctx context.Context, id int64) (Run, error)
	// Heartbeat records at as the heartbeat of every queued or running
	// run of instance (Run.Instance), and returns how many it touched.
	Heartbeat(ctx context.Context, instance string, at time.Time) (int, error)
	// FailStaleRuns marks failed with msg, finished at at, every queued
	// or running run whose heartbeat is before staleBefore or missing
	// (runs recorded before heartbeats existed), and returns how many it
	// marked.
	FailStaleRuns(ctx context.Context, msg string, staleBefore, at time.Time) (int, error)
}

// Options configure a Manager. The zero value allows one run at a time
// and reads the recipes' data from Debian's packages.
type Options struct {
	// MaxRuns is the most live (queued or running) runs of this process
	// (default 1). Only one trains at a time — the engine's state is
	// process-wide — so the others wait, queued, in start order… roughly:
	// Go does not promise FIFO among waiting goroutines.
	MaxRuns int
	// Data are the recipes' data paths.
	Data DataPaths
	// Logger receives a line per run start and end; nil discards.
	Logger *slog.Logger
	// Throttle is the least time between two progress events sent to
	// subscribers (default 100 ms); the first and the last step are always
	// sent.
	Throttle time.Duration
	// CancelPoll is how often a running run asks the store whether another
	// process requested its cancellation (default 1 s).
	CancelPoll time.Duration
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// Instance identifies this process in the runs it trains
	// (Run.Instance); default: a random 16-digit hexadecimal id.
	Instance string
	// Heartbeat is how often the Manager records, while it has live runs,
	// that it still trains them (default DefaultHeartbeat). Another
	// process takes a live run for interrupted once its heartbeat is
	// older than three of these (StaleAfter); the processes sharing a
	// database must therefore use the same Heartbeat and keep their
	// clocks within a heartbeat of each other.
	Heartbeat time.Duration
}

// DefaultHeartbeat is Options.Heartbeat when it is not set.
const DefaultHeartbeat = 15 * time.Second

// Event is what a subscriber of a run receives: a progress report while
// the run trains, then one final event with the finished run.
type Event struct {
	// Type is "progress" or "end".
	Type     string    `json:"type"`
	Progress *Progress `json:"progress,omitempty"`
	// Run is the finished run (Type "end").
	Run *Run `json:"run,omitempty"`
}

// Manager starts, follows and cancels training runs. It is safe for
// concurrent use.
type Manager struct {
	store Store
	opts  Options
	log   *slog.Logger

	mu   sync.Mutex
	live map[int64]*liveRun
	wg   sync.WaitGroup

	// The heartbeat loop (beats): started by Recover or the first Start,
	// stopped by Close; sweeping is set by Recover (a server) and makes
	// each beat also mark other processes' stale runs interrupted.
	beating  bool          // guarded by mu
	closed   bool          // guarded by mu
	sweeping bool          // guarded by mu
	stop     chan struct{} // closed by Close
	beatWG   sync.WaitGroup
}

// liveRun is the in-memory state of a run this process trains.
type liveRun struct {
	run    Run // guarded by Manager.mu
	curve  curveBuf
	cancel context.CancelFunc
	subs   map[chan Event]struct{}
	done   chan struct{} // closed when the final state is stored
	last   time.Time     // when the last progress event went out
}

// NewManager returns a Manager over store.
func NewManager(store Store, opts Options) *Manager {
	if opts.MaxRuns <= 0 {
		opts.MaxRuns = 1
	}
	if opts.Throttle <= 0 {
		opts.Throttle = 100 * time.Millisecond
	}
	if opts.CancelPoll <= 0 {
		opts.CancelPoll = time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = DefaultHeartbeat
	}
	if opts.Instance == "" {
		var b [8]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
		opts.Instance = hex.EncodeToString(b[:])
	}
	return &Manager{store: store, opts: opts, log: opts.Logger, live: map[int64]*liveRun{}, stop: make(chan struct{})}
}

// Instance is the id this Manager records on the runs it trains.
func (m *Manager) Instance() string { return m.opts.Instance }

// StaleAfter is how old a live run's heartbeat may grow before the run
// is taken for interrupted: three heartbeats.
func (m *Manager) StaleAfter() time.Duration { return 3 * m.opts.Heartbeat }

// MaxRuns is the most live runs this Manager allows (Options.MaxRuns).
func (m *Manager) MaxRuns() int { return m.opts.MaxRuns }

// Recipes describes the built-in recipes and whether their data are here.
func (m *Manager) Recipes() []Recipe { return Recipes(m.opts.Data) }

// Recover marks as failed, with InterruptedError, the live runs whose
// process is gone: those whose heartbeat is older than StaleAfter (or
// that have none, from before heartbeats). Runs that other processes
// train over the same store keep beating and are left alone, so several
// servers may share one database. Call it at startup; from then on each
// heartbeat of this Manager repeats the sweep, so that the runs of a
// server that dies are marked while the others keep serving.
func (m *Manager) Recover(ctx context.Context) (int, error) {
	n, err := m.sweep(ctx)
	if err != nil {
		return 0, err
	}
	m.mu.Lock()
	m.sweeping = true
	m.startBeats()
	m.mu.Unlock()
	return n, nil
}

// sweep marks the stale live runs interrupted.
func (m *Manager) sweep(ctx context.Context) (int, error) {
	t := m.now()
	n, err := m.store.FailStaleRuns(ctx, InterruptedError, t.Add(-m.StaleAfter()), t)
	if err != nil {
		return 0, fmt.Errorf("lifecycle: marking interrupted runs: %w", err)
	}
	if n > 0 {
		m.log.Warn("runs whose process stopped (stale heartbeat) marked failed", "runs", n, "stale_after", m.StaleAfter())
	}
	return n, nil
}

// startBeats starts the heartbeat loop once (m.mu held).
func (m *Manager) startBeats() {
	if m.beating || m.closed {
		return
	}
	m.beating = true
	m.beatWG.Add(1)
	go m.beats()
}

// beats calls beat every Options.Heartbeat until Close.
func (m *Manager) beats() {
	defer m.beatWG.Done()
	t := time.NewTicker(m.opts.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-t.C:
			m.beat(context.Background())
		}
	}
}

// beat records the heartbeat of this process's live runs and, after
// Recover, marks other processes' stale runs interrupted. Errors are
// logged: the next beat tries again.
func (m *Manager) beat(ctx context.Context) {
	m.mu.Lock()
	live, sweeping := len(m.live), m.sweeping
	m.mu.Unlock()
	if live > 0 {
		if _, err := m.store.Heartbeat(ctx, m.opts.Instance, m.now()); err != nil {
			m.log.Error("recording the heartbeat of live runs", "instance", m.opts.Instance, "err", err)
		}
	}
	if sweeping {
		if _, err := m.sweep(ctx); err != nil {
			m.log.Error("sweeping stale runs", "err", err)
		}
	}
}

func (m *Manager) now() time.Time { return m.opts.Now().UTC() }

// Start validates cfg, records a new run by user and trains it in the
// background. Errors: a *ConfigError naming the invalid fields,
// ErrUnavailable (wrapped, naming the missing path) when the recipe's
// data are missing, ErrBusy when MaxRuns runs are live.
func (m *Manager) Start(ctx context.Context, cfg Config, user string) (Run, error) {
	cfg, err := cfg.Validate()
	if err != nil {
		return Run{}, err
	}
	rec, _ := LookupRecipe(cfg.Recipe, m.opts.Data)
	if !rec.Available {
		return Run{}, fmt.Errorf("%w: %s needs %s, which is missing (install Debian's %s)", ErrUnavailable, cfg.Recipe, rec.Missing, dataPackage(cfg.Recipe))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.live) >= m.opts.MaxRuns {
		ids := ""
		for id := range m.live {
			ids += fmt.Sprintf(" #%d", id)
		}
		return Run{}, fmt.Errorf("%w (run%s; at most %d at a time): wait for it to finish or cancel it", ErrBusy, ids, m.opts.MaxRuns)
	}
	created := m.now()
	r := Run{Recipe: cfg.Recipe, Config: cfg, Status: StatusQueued, CreatedBy: user, CreatedAt: created,
		Instance: m.opts.Instance, HeartbeatAt: &created}
	if err := m.store.CreateRun(ctx, &r); err != nil {
		return Run{}, err
	}
	m.startBeats()
	rctx, cancel := context.WithCancel(context.Background())
	l := &liveRun{run: r, cancel: cancel, subs: map[chan Event]struct{}{}, done: make(chan struct{})}
	m.live[r.ID] = l
	m.wg.Add(1)
	go m.train(rctx, l)
	return r, nil
}

func dataPackage(recipe string) string {
	if recipe == "poetry-gpt" {
		return "fortunes-zh"
	}
	return "dataset-fashion-mnist"
}

// engine is held by the run that trains: the engine keeps process-wide
// state (the tensor arena, the grad mode, the kernel thread count), so
// two recipes must not train at once in one process. Runs beyond the
// first wait for it, queued.
var engine = make(chan struct{}, 1)

// train waits for the engine, runs l's recipe and stores the outcome.
func (m *Manager) train(ctx context.Context, l *liveRun) {
	defer m.wg.Done()
	defer l.cancel()
	select {
	case engine <- struct{}{}:
		defer func() { <-engine }()
	case <-ctx.Done():
		m.finish(l, nil, nil, context.Canceled)
		return
	}
	m.mu.Lock()
	started := m.now()
	l.run.Status, l.run.StartedAt = StatusRunning, &started
	r := l.run
	m.mu.Unlock()
	if err := m.store.UpdateRun(context.Background(), r); err != nil {
		m.finish(l, nil, nil, fmt.Errorf("recording the start: %w", err))
		return
	}
	m.log.Info("run started", "run", r.ID, "recipe", r.Recipe)
	if r.Config.Threads > 0 {
		prev := kernels.Threads()
		kernels.SetThreads(r.Config.Threads)
		defer kernels.SetThreads(prev)
	}
	// A cancellation requested through the store (by another process)
	// cancels ctx; the recipe checks ctx before every step and returns an
	// error wrapping context.Canceled.
	lastPoll := m.now()
	progress := func(u recipes.Update) {
		if t := m.now(); t.Sub(lastPoll) >= m.opts.CancelPoll {
			lastPoll = t
			if s, err := m.store.Run(context.Background(), r.ID); err == nil && s.CancelRequested {
				l.cancel()
			}
		}
		m.progress(l, u)
	}
	res, report, err := func() (res recipes.Result, report []byte, err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("the recipe panicked: %v", v)
			}
		}()
		return trainContext(ctx, r.Config, m.opts.Data, progress)
	}()
	if err != nil {
		m.finish(l, nil, nil, err)
		return
	}
	m.finish(l, metricsOf(res), report, nil)
}

// progress records u and sends it to the subscribers (throttled). An
// Update with Eval (an evaluation on the held-out split, after the step
// it names) adds its measures to the progress's Eval and no point to the
// loss curve.
func (m *Manager) progress(l *liveRun, u recipes.Update) {
	p := &Progress{Step: u.Step, Total: u.Steps, Epoch: u.Epoch, Epochs: u.Epochs, Loss: u.Loss,
		ElapsedSeconds: u.Elapsed.Seconds(), ETASeconds: u.ETA.Seconds(), LR: u.LR}
	m.mu.Lock()
	defer m.mu.Unlock()
	if u.Eval != nil {
		if prev := l.run.Progress; prev != nil {
			cp := *prev
			p = &cp
		}
		p.Eval = map[string]float64{"test_loss": u.Eval.TestLoss}
		if u.Metric != "" {
			p.Eval[u.Metric] = u.Eval.TestMetric
		}
	} else {
		if prev := l.run.Progress; prev != nil {
			p.Eval = prev.Eval // the latest evaluation stays shown
		}
		l.curve.add(Point{Step: u.Step, Loss: u.Loss})
	}
	l.run.Progress = p
	t := m.now()
	if u.Step > 1 && u.Step < u.Steps && t.Sub(l.last) < m.opts.Throttle {
		return
	}
	l.last = t
	for ch := range l.subs {
		select {
		case ch <- Event{Type: "progress", Progress: p}:
		default: // a slow subscriber misses this one
		}
	}
}

// finish stores the final state of l and ends its subscriptions.
func (m *Manager) finish(l *liveRun, met *Metrics, report []byte, err error) {
	m.mu.Lock()
	t := m.now()
	r := l.run
	r.FinishedAt = &t
	r.Curve = Downsample(l.curve.points(), MaxCurvePoints)
	switch {
	case err == nil:
		r.Status, r.Metrics, r.Report = StatusSucceeded, met, report
	case errors.Is(err, context.Canceled):
		// The recipe's error says where it stopped ("… canceled at
		// step 1200 of 4690 (epoch 2 of 5): context canceled").
		r.Status, r.Error = StatusCanceled, err.Error()
	default:
		r.Status, r.Error = StatusFailed, err.Error()
	}
	if r.Status != StatusSucceeded {
		// Keep the last progress report, so that a canceled run shows
		// where it stopped.
		r.Metrics = nil
	}
	prog := r.Progress
	r.Progress = nil
	l.run = r
	m.mu.Unlock()
	if werr := m.store.UpdateRun(context.Background(), r); werr != nil {
		m.log.Error("storing a finished run", "run", r.ID, "err", werr)
	}
	m.log.Info("run finished", "run", r.ID, "recipe", r.Recipe, "status", r.Status, "err", r.Error)
	m.mu.Lock()
	delete(m.live, r.ID)
	r.Progress = prog
	l.run = r
	for ch := range l.subs {
		delete(l.subs, ch)
		close(ch)
	}
	close(l.done)
	m.mu.Unlock()
}

// Get returns a run: the live state (with its progress and the curve so
// far) when this process trains it, otherwise the stored one.
func (m *Manager) Get(ctx context.Context, id int64) (Run, error) {
	m.mu.Lock()
	if l, ok := m.live[id]; ok {
		r := l.snapshot()
		m.mu.Unlock()
		return r, nil
	}
	m.mu.Unlock()
	return m.store.Run(ctx, id)
}

// snapshot copies the live run with its curve so far (m.mu held).
func (l *liveRun) snapshot() Run {
	r := l.run
	r.Curve = Downsample(l.curve.points(), MaxCurvePoints)
	if r.Progress != nil {
		p := *r.Progress
		r.Progress = &p
	}
	return r
}

// List returns the runs, newest first, at most limit (0: all); the live
// ones carry their progress.
func (m *Manager) List(ctx context.Context, limit int) ([]Run, error) {
	rs, err := m.store.Runs(ctx, limit)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, r := range rs {
		if l, ok := m.live[r.ID]; ok {
			rs[i] = l.run
			if p := l.run.Progress; p != nil {
				cp := *p
				rs[i].Progress = &cp
			}
		}
	}
	return rs, nil
}

// Cancel asks a run to stop. A run this process trains stops at its next
// progress report; a run another process trains stops when that process
// next polls the store (Options.CancelPoll). A finished run gives an error
// wrapping ErrNotLive.
func (m *Manager) Cancel(ctx context.Context, id int64) (Run, error) {
	r, err := m.store.RequestCancel(ctx, id)
	if err != nil {
		return Run{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.live[id]; ok {
		l.cancel()
		l.run.CancelRequested = true
		return l.snapshot(), nil
	}
	return r, nil
}

// Subscribe follows a run: it returns the run's current state and, when
// this process trains it, a channel of progress events that is closed
// when the run ends (then Get returns the final state). For a run that
// is not live here the channel is nil. Call stop when done listening.
func (m *Manager) Subscribe(ctx context.Context, id int64) (cur Run, events <-chan Event, stop func(), err error) {
	m.mu.Lock()
	if l, ok := m.live[id]; ok {
		ch := make(chan Event, 64)
		l.subs[ch] = struct{}{}
		r := l.snapshot()
		m.mu.Unlock()
		return r, ch, func() {
			m.mu.Lock()
			defer m.mu.Unlock()
			if _, ok := l.subs[ch]; ok {
				delete(l.subs, ch)
				close(ch)
			}
		}, nil
	}
	m.mu.Unlock()
	r, err := m.store.Run(ctx, id)
	return r, nil, func() {}, err
}

// Wait blocks until the run id, if this process trains it, has finished
// and been stored, or until ctx is done.
func (m *Manager) Wait(ctx context.Context, id int64) error {
	m.mu.Lock()
	l, ok := m.live[id]
	m.mu.Unlock()
	if !ok {
		return nil
	}
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close cancels every live run, waits for them to be stored, and stops
// the heartbeat. Calling it again does nothing more.
func (m *Manager) Close() {
	m.mu.Lock()
	for _, l := range m.live {
		l.cancel()
	}
	m.mu.Unlock()
	m.wg.Wait()
	m.mu.Lock()
	if !m.closed {
		m.closed = true
		close(m.stop)
	}
	m.mu.Unlock()
	m.beatWG.Wait()
}

// curveBuf keeps a loss curve of bounded size: when it holds 2·MaxCurve
// points it drops every other one and from then on keeps every second
// step (then every fourth…), so a long run's curve stays evenly spaced.
type curveBuf struct {
	pts    []Point
	last   Point
	stride int
	n      int
}

func (c *curveBuf) add(p Point) {
	if c.stride == 0 {
		c.stride = 1
	}
	c.n++
	c.last = p
	if (c.n-1)%c.stride != 0 {
		return
	}
	c.pts = append(c.pts, p)
	if len(c.pts) >= 2*MaxCurvePoints {
		half := c.pts[:0]
		for i := 0; i < len(c.pts); i += 2 {
			half = append(half, c.pts[i])
		}
		c.pts = half
		c.stride *= 2
	}
}

// points returns the curve (a copy), ending with the latest point.
func (c *curveBuf) points() []Point {
	out := append([]Point(nil), c.pts...)
	if c.n > 0 && out[len(out)-1] != c.last {
		out = append(out, c.last)
	}
	return out
}
