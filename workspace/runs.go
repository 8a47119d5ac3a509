package workspace

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
)

// Training runs (package lifecycle) live in table runs (migrations 0003
// and 0004): the configuration, metrics, curve and report as JSON text,
// and for a live run the instance that trains it and its last
// heartbeat. *DB implements lifecycle.Store; every write is one
// transaction.

var _ lifecycle.Store = (*DB)(nil)

// runColumns are the columns Run and Runs read, in scanRun's order.
const runColumns = "id, recipe, config, status, error, cancel_requested, created_by, created_at, started_at, finished_at, metrics, instance, heartbeat_at"

// CreateRun inserts r (with its Instance and HeartbeatAt) and sets r.ID.
func (s *DB) CreateRun(ctx context.Context, r *lifecycle.Run) error {
	if !r.Status.Valid() {
		return fmt.Errorf("workspace: run: unknown status %q", r.Status)
	}
	if err := checkActor(r.CreatedBy); err != nil {
		return err
	}
	cfg, err := json.Marshal(r.Config)
	if err != nil {
		return fmt.Errorf("workspace: run: encoding the configuration: %w", err)
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		err := s.queryRow(ctx, tx, "INSERT INTO runs (recipe, config, status, error, created_by, created_at, instance, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			r.Recipe, string(cfg), string(r.Status), r.Error, r.CreatedBy, formatTime(r.CreatedAt), r.Instance, optTime(r.HeartbeatAt)).Scan(&r.ID)
		return s.dbErr("creating a run", err)
	})
}

// UpdateRun writes r's status, error, start and finish times, metrics,
// curve and report. A canceled request stays recorded.
func (s *DB) UpdateRun(ctx context.Context, r lifecycle.Run) error {
	if !r.Status.Valid() {
		return fmt.Errorf("workspace: run %d: unknown status %q", r.ID, r.Status)
	}
	met, curve := "", ""
	if r.Metrics != nil {
		b, err := json.Marshal(r.Metrics)
		if err != nil {
			return fmt.Errorf("workspace: run %d: encoding the metrics: %w", r.ID, err)
		}
		met = string(b)
	}
	if len(r.Curve) > 0 {
		b, err := json.Marshal(r.Curve)
		if err != nil {
			return fmt.Errorf("workspace: run %d: encoding the curve: %w", r.ID, err)
		}
		curve = string(b)
	}
	if len(r.Report) > 0 && !json.Valid(r.Report) {
		return fmt.Errorf("workspace: run %d: the report is not valid JSON", r.ID)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "UPDATE runs SET status = ?, error = ?, started_at = ?, finished_at = ?, metrics = ?, curve = ?, report = ? WHERE id = ?",
			string(r.Status), r.Error, optTime(r.StartedAt), optTime(r.FinishedAt), met, curve, string(r.Report), r.ID)
		if err != nil {
			return s.dbErr("updating a run", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return fmt.Errorf("%w: run %d", ErrNotFound, r.ID)
		}
		return nil
	})
}

// Run returns one run with its curve and report (ErrNotFound when there
// is none).
func (s *DB) Run(ctx context.Context, id int64) (lifecycle.Run, error) {
	return s.runTx(ctx, s.db, id, "")
}

// runTx reads run id through q (lock: a row-lock suffix or "").
func (s *DB) runTx(ctx context.Context, q querier, id int64, lock string) (lifecycle.Run, error) {
	var curve, report string
	row := s.queryRow(ctx, q, "SELECT "+runColumns+", curve, report FROM runs WHERE id = ?"+lock, id)
	r, err := s.scanRun(row.Scan, &curve, &report)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%w: run %d", ErrNotFound, id)
	}
	if err != nil {
		return r, err
	}
	if curve != "" {
		if err := json.Unmarshal([]byte(curve), &r.Curve); err != nil {
			return r, fmt.Errorf("workspace: run %d: stored curve: %w", id, err)
		}
	}
	if report != "" {
		r.Report = json.RawMessage(report)
	}
	return r, nil
}

// Runs lists runs, newest first, at most limit (0: all), without their
// curves and reports.
func (s *DB) Runs(ctx context.Context, limit int) ([]lifecycle.Run, error) {
	q := "SELECT " + runColumns + " FROM runs ORDER BY id DESC"
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.query(ctx, s.db, q)
	if err != nil {
		return nil, s.dbErr("listing runs", err)
	}
	defer rows.Close()
	out := []lifecycle.Run{}
	for rows.Next() {
		r, err := s.scanRun(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, s.dbErr("listing runs", rows.Err())
}

// scanRun reads the runColumns (and extra destinations after them).
func (s *DB) scanRun(scan func(...any) error, extra ...any) (lifecycle.Run, error) {
	var (
		r                             lifecycle.Run
		cfg, status, created, st, fin string
		met, beat                     string
		cancel                        int64
	)
	dest := append([]any{&r.ID, &r.Recipe, &cfg, &status, &r.Error, &cancel, &r.CreatedBy, &created, &st, &fin, &met, &r.Instance, &beat}, extra...)
	if err := scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
		return r, s.dbErr("reading a run", err)
	}
	r.Status, r.CancelRequested = lifecycle.Status(status), cancel == 1
	if err := json.Unmarshal([]byte(cfg), &r.Config); err != nil {
		return r, fmt.Errorf("workspace: run %d: stored configuration: %w", r.ID, err)
	}
	var err error
	if r.CreatedAt, err = parseTime(created); err != nil {
		return r, err
	}
	if r.StartedAt, err = parseOptTime(st); err != nil {
		return r, err
	}
	if r.FinishedAt, err = parseOptTime(fin); err != nil {
		return r, err
	}
	if r.HeartbeatAt, err = parseOptTime(beat); err != nil {
		return r, err
	}
	if met != "" {
		r.Metrics = &lifecycle.Metrics{}
		if err := json.Unmarshal([]byte(met), r.Metrics); err != nil {
			return r, fmt.Errorf("workspace: run %d: stored metrics: %w", r.ID, err)
		}
	}
	return r, nil
}

// RequestCancel marks a queued or running run for cancellation; a
// finished run gives an error wrapping lifecycle.ErrNotLive (and
// ErrConflict).
func (s *DB) RequestCancel(ctx context.Context, id int64) (lifecycle.Run, error) {
	var out lifecycle.Run
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := s.runTx(ctx, tx, id, s.dialect.forUpdate())
		if err != nil {
			return err
		}
		if r.Status.Final() {
			return fmt.Errorf("%w: run %d has %s (%w)", lifecycle.ErrNotLive, id, r.Status, ErrConflict)
		}
		if _, err := s.exec(ctx, tx, "UPDATE runs SET cancel_requested = 1 WHERE id = ?", id); err != nil {
			return s.dbErr("requesting a run's cancellation", err)
		}
		r.CancelRequested = true
		out = r
		return nil
	})
	return out, err
}

// Heartbeat sets heartbeat_at to at on every queued or running run of
// instance, and returns how many runs it touched.
func (s *DB) Heartbeat(ctx context.Context, instance string, at time.Time) (int, error) {
	if instance == "" {
		return 0, fmt.Errorf("workspace: run heartbeat: the instance id is empty")
	}
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "UPDATE runs SET heartbeat_at = ? WHERE instance = ? AND status IN (?, ?)",
			formatTime(at), instance, string(lifecycle.StatusQueued), string(lifecycle.StatusRunning))
		if err != nil {
			return s.dbErr("recording the heartbeat of runs", err)
		}
		n, err = res.RowsAffected()
		return s.dbErr("recording the heartbeat of runs", err)
	})
	return int(n), err
}

// FailStaleRuns marks failed with msg, finished at at, every queued or
// running run whose heartbeat is before staleBefore or missing (”),
// and returns how many it marked. The stored times are fixed-width UTC
// text, so comparing them as text compares the times.
func (s *DB) FailStaleRuns(ctx context.Context, msg string, staleBefore, at time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := s.exec(ctx, tx, "UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE status IN (?, ?) AND heartbeat_at < ?",
			string(lifecycle.StatusFailed), msg, formatTime(at), string(lifecycle.StatusQueued), string(lifecycle.StatusRunning), formatTime(staleBefore))
		if err != nil {
			return s.dbErr("marking interrupted runs", err)
		}
		n, err = res.RowsAffected()
		return s.dbErr("marking interrupted runs", err)
	})
	return int(n), err
}

func optTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return formatTime(*t)
}

func parseOptTime(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := parseTime(s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
