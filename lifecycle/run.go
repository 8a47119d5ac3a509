// Package lifecycle is the model loop around the engine: it starts
// training runs of the built-in recipes (engine/recipes) in the
// background, follows their progress, lets a person cancel them, and
// keeps what each run produced (final metrics, a loss curve, the
// recipe's report) through a Store.
//
// The package knows nothing of HTTP or SQL: the dashboard, the API and
// the CLI drive a Manager; the workspace stores Runs.
package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is where a run is in its life.
type Status string

// The statuses of a run. Queued and Running are live; the others are
// final.
const (
	StatusQueued    Status = "queued"
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusCanceled  Status = "canceled"
)

// Final reports whether s is a final status (succeeded, failed, canceled).
func (s Status) Final() bool {
	return s == StatusSucceeded || s == StatusFailed || s == StatusCanceled
}

// Valid reports whether s is one of the five statuses.
func (s Status) Valid() bool {
	return s == StatusQueued || s == StatusRunning || s.Final()
}

// InterruptedError is the error recorded on runs that were live when
// the process training them stopped: their heartbeat went stale (see
// Manager.Recover).
const InterruptedError = "interrupted by restart"

// Run is one training run: what was asked (Config), where it stands
// (Status, Progress), and what it produced (Metrics, Curve, Report).
type Run struct {
	ID        int64  `json:"id"`
	Recipe    string `json:"recipe"`
	Config    Config `json:"config"`
	Status    Status `json:"status"`
	Error     string `json:"error,omitempty"`
	CreatedBy string `json:"created_by"`
	// CancelRequested is set when someone asked to cancel a live run; the
	// process that trains it stops at its next progress report.
	CancelRequested bool       `json:"cancel_requested,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	StartedAt       *time.Time `json:"started_at,omitempty"`
	FinishedAt      *time.Time `json:"finished_at,omitempty"`
	// Instance identifies the process that trains the run
	// (Options.Instance of its Manager); HeartbeatAt is when that process
	// last recorded that it still does (every Options.Heartbeat while the
	// run is live). A live run whose heartbeat is older than
	// Manager.StaleAfter is taken for interrupted (Manager.Recover).
	Instance    string     `json:"instance,omitempty"`
	HeartbeatAt *time.Time `json:"heartbeat_at,omitempty"`
	// Progress is the latest progress report of a live run (not stored).
	Progress *Progress `json:"progress,omitempty"`
	// Metrics are the final metrics of a succeeded run.
	Metrics *Metrics `json:"metrics,omitempty"`
	// Curve is the training loss by step, at most MaxCurvePoints points.
	Curve []Point `json:"curve,omitempty"`
	// Report is the recipe's full result (engine/recipes.Result or
	// FashionResult) as JSON.
	Report json.RawMessage `json:"report,omitempty"`
}

// Duration is how long the run trained: until it finished, or until now
// for a live run (0 before it started).
func (r Run) Duration(now time.Time) time.Duration {
	if r.StartedAt == nil {
		return 0
	}
	end := now
	if r.FinishedAt != nil {
		end = *r.FinishedAt
	}
	return end.Sub(*r.StartedAt)
}

// Progress is one progress report of a live run.
type Progress struct {
	Step  int `json:"step"`
	Total int `json:"total"`
	// Epoch and Epochs are 0 for recipes that train by steps.
	Epoch  int `json:"epoch"`
	Epochs int `json:"epochs"`
	// Loss is the mean training loss of the current epoch so far (of the
	// steps since the last evaluation, for step-based recipes).
	Loss float64 `json:"loss"`
	// LR is the learning rate of the current step.
	LR float64 `json:"lr"`
	// Eval holds the latest evaluation on the held-out split ("test_loss"
	// and the recipe's metric, e.g. "accuracy"); empty before the first.
	Eval           map[string]float64 `json:"eval,omitempty"`
	ElapsedSeconds float64            `json:"elapsed_seconds"`
	// ETASeconds is the estimated time left (0: unknown).
	ETASeconds float64 `json:"eta_seconds"`
}

// Fraction is Step/Total in [0, 1].
func (p Progress) Fraction() float64 {
	if p.Total <= 0 {
		return 0
	}
	return min(1, max(0, float64(p.Step)/float64(p.Total)))
}

// Metrics are the final measurements of a run.
type Metrics struct {
	// Metric names Value: "accuracy", "r2", "solved" or "perplexity".
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
	// HigherIsBetter is false for perplexity.
	HigherIsBetter bool `json:"higher_is_better"`
	// Baseline is what a trivial predictor scores (see recipes.Result).
	Baseline  float64 `json:"baseline"`
	FirstLoss float64 `json:"first_loss"`
	FinalLoss float64 `json:"final_loss"`
	TestLoss  float64 `json:"test_loss"`
	Steps     int     `json:"steps"`
	Seconds   float64 `json:"seconds"`
	// Parameters is the model's parameter count.
	Parameters int    `json:"parameters"`
	Model      string `json:"model"`
}

// Point is one point of a loss curve.
type Point struct {
	Step int     `json:"step"`
	Loss float64 `json:"loss"`
}

// MaxCurvePoints is the most points a stored curve has.
const MaxCurvePoints = 500

// Downsample returns at most n points of c: the first, the last, and
// evenly spaced ones between (c itself when it is short enough).
func Downsample(c []Point, n int) []Point {
	if len(c) <= n || n < 2 {
		return c
	}
	out := make([]Point, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, c[i*(len(c)-1)/(n-1)])
	}
	return out
}

// ErrBusy is returned by Start when the most runs allowed are live.
var ErrBusy = errors.New("lifecycle: a training run is already in progress")

// ErrNotLive is returned by Cancel for a run that has already finished.
var ErrNotLive = errors.New("lifecycle: the run is not queued or running")

// ErrUnavailable is returned by Start when a recipe's data are missing.
var ErrUnavailable = errors.New("lifecycle: the recipe's data are missing")

// FieldError is a configuration value that is not valid: Field names the
// JSON field ("epochs", "lr"), Detail says what is wanted.
type FieldError struct {
	Field  string
	Detail string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Detail }

// ConfigError lists every invalid field of a Config.
type ConfigError struct {
	Fields []FieldError
}

func (e *ConfigError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Error()
	}
	return "lifecycle: invalid run configuration: " + strings.Join(parts, "; ")
}

// Unwrap returns the field errors, so errors.As finds a *FieldError.
func (e *ConfigError) Unwrap() []error {
	out := make([]error, len(e.Fields))
	for i := range e.Fields {
		out[i] = &e.Fields[i]
	}
	return out
}

func fieldErr(field, format string, args ...any) FieldError {
	return FieldError{Field: field, Detail: fmt.Sprintf(format, args...)}
}

// FormatMetric formats a recipe's headline metric for people: accuracy
// and the adding problem's solved share as percentages with two
// decimals, perplexity with one, anything else (R², MSE) with four.
func FormatMetric(metric string, v float64) string {
	switch metric {
	case "accuracy", "solved":
		return strconv.FormatFloat(100*v, 'f', 2, 64) + "%"
	case "perplexity":
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}
