package workspace

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/kaiwu-ai/kaiwu/lifecycle"
)

// Training runs in an export (docs/formats/workspace.md, "runs"). Export
// writes the finished runs (succeeded, failed, canceled) with their
// configuration, final metrics, loss curve and the recipe's report; it
// leaves out the runs still queued or running: they have no metrics or
// curve stored yet (a run writes them when it ends), they change from one
// export to the next (progress, heartbeat), and no process would train
// them after an import. Import restores the runs exactly, ids included,
// and refuses a live status.

// SnapshotRun is one finished training run of a Snapshot. Config,
// Metrics, Curve and Report are the JSON the API shows (GET
// /api/runs/{id}): kept verbatim in a JSON export, written as the
// equivalent YAML in a YAML one.
type SnapshotRun struct {
	ID     int64            `yaml:"id" json:"id"`
	Recipe string           `yaml:"recipe" json:"recipe"`
	Status lifecycle.Status `yaml:"status" json:"status"`
	Error  string           `yaml:"error,omitempty" json:"error,omitempty"`
	// CancelRequested: someone asked to cancel the run while it was live.
	CancelRequested bool         `yaml:"cancel_requested,omitempty" json:"cancel_requested,omitempty"`
	CreatedBy       string       `yaml:"created_by" json:"created_by"`
	CreatedAt       string       `yaml:"created_at" json:"created_at"`
	StartedAt       string       `yaml:"started_at,omitempty" json:"started_at,omitempty"`
	FinishedAt      string       `yaml:"finished_at,omitempty" json:"finished_at,omitempty"`
	Config          SnapshotJSON `yaml:"config" json:"config"`
	Metrics         SnapshotJSON `yaml:"metrics,omitempty" json:"metrics,omitempty"`
	Curve           SnapshotJSON `yaml:"curve,omitempty" json:"curve,omitempty"`
	Report          SnapshotJSON `yaml:"report,omitempty" json:"report,omitempty"`
}

// UnmarshalYAML reads one run, refusing unknown fields; an error names
// the run (its id and recipe, as far as they can be read) and the field.
func (r *SnapshotRun) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a run must be a mapping", n.Line)
	}
	known := map[string]bool{}
	rt := reflect.TypeOf(*r)
	for i := 0; i < rt.NumField(); i++ {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("yaml"), ",")
		known[name] = true
	}
	var id, recipe string
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "id":
			id = n.Content[i+1].Value
		case "recipe":
			recipe = n.Content[i+1].Value
		}
	}
	where := fmt.Sprintf("run #%s (%s), line %d", id, recipe, n.Line)
	rest := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		var dst *SnapshotJSON
		switch k {
		case "config":
			dst = &r.Config
		case "metrics":
			dst = &r.Metrics
		case "curve":
			dst = &r.Curve
		case "report":
			dst = &r.Report
		default:
			if !known[k] {
				return fmt.Errorf("%s: field %q is not a run field", where, k)
			}
			rest.Content = append(rest.Content, n.Content[i], v)
			continue
		}
		if v.ShortTag() == "!!null" {
			continue
		}
		if err := dst.UnmarshalYAML(v); err != nil {
			return fmt.Errorf("%s: %s: %w", where, k, err)
		}
	}
	type plain SnapshotRun // the same fields, without this method
	p := plain(*r)
	if err := rest.Decode(&p); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	*r = SnapshotRun(p)
	return nil
}

// UnmarshalJSON reads one run, refusing unknown fields; an error names
// the run (its id and recipe, as far as they can be read).
func (r *SnapshotRun) UnmarshalJSON(b []byte) error {
	var head struct {
		ID     json.RawMessage `json:"id"`
		Recipe json.RawMessage `json:"recipe"`
	}
	_ = json.Unmarshal(b, &head) // best effort, for the message
	recipe := string(head.Recipe)
	if s, err := strconv.Unquote(recipe); err == nil {
		recipe = s
	}
	type plain SnapshotRun // the same fields, without this method
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("run #%s (%s): %w", head.ID, recipe, err)
	}
	*r = SnapshotRun(p)
	return nil
}

// SnapshotJSON is a JSON value of an export. In JSON it is the value
// itself; in YAML the same structure (objects as mappings, in the same
// order, numbers as written), which reads back to the same JSON text.
type SnapshotJSON json.RawMessage

// MarshalJSON writes the value as it is.
func (j SnapshotJSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

// UnmarshalJSON keeps the value, compacted (an indented export reads
// back to the stored text).
func (j *SnapshotJSON) UnmarshalJSON(b []byte) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	*j = buf.Bytes()
	return nil
}

// MarshalYAML writes the JSON value as YAML: block style, except that a
// mapping of scalars inside a list (a curve point, an evaluation) stays
// on one line.
func (j SnapshotJSON) MarshalYAML() (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("not one JSON value")
	}
	n := doc.Content[0]
	restyle(n, false)
	return n, nil
}

// restyle clears the flow and quoting styles JSON parsed with, keeping
// flow style for a mapping of scalars in a list.
func restyle(n *yaml.Node, inList bool) {
	n.Style = 0
	if n.Kind == yaml.MappingNode && inList {
		flat := true
		for _, c := range n.Content {
			flat = flat && c.Kind == yaml.ScalarNode && !strings.Contains(c.Value, "\n")
		}
		if flat {
			n.Style = yaml.FlowStyle
		}
	}
	for _, c := range n.Content {
		restyle(c, n.Kind == yaml.SequenceNode)
	}
}

// UnmarshalYAML reads YAML back into JSON text, keeping the order of
// mappings and the digits of numbers.
func (j *SnapshotJSON) UnmarshalYAML(n *yaml.Node) error {
	var buf bytes.Buffer
	if err := yamlToJSON(&buf, n, 0); err != nil {
		return err
	}
	*j = buf.Bytes()
	return nil
}

// yamlToJSON writes node n as compact JSON; strings are written as
// json.Marshal writes them.
func yamlToJSON(buf *bytes.Buffer, n *yaml.Node, depth int) error {
	if depth > 64 {
		return fmt.Errorf("line %d: nested too deeply", n.Line)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return fmt.Errorf("line %d: want one value", n.Line)
		}
		return yamlToJSON(buf, n.Content[0], depth+1)
	case yaml.AliasNode:
		return yamlToJSON(buf, n.Alias, depth+1)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := yamlToJSON(buf, n.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := yamlToJSON(buf, c, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			buf.WriteString("null")
		case "!!bool":
			b, err := strconv.ParseBool(strings.ToLower(n.Value))
			if err != nil {
				return fmt.Errorf("line %d: %q is not a boolean", n.Line, n.Value)
			}
			buf.WriteString(strconv.FormatBool(b))
		case "!!int", "!!float":
			if !json.Valid([]byte(n.Value)) {
				return fmt.Errorf("line %d: %q is not a JSON number", n.Line, n.Value)
			}
			buf.WriteString(n.Value)
		default:
			s, _ := json.Marshal(n.Value)
			buf.Write(s)
		}
	default:
		return fmt.Errorf("line %d: unexpected YAML node", n.Line)
	}
	return nil
}

// snapshotRuns reads the finished runs, by id, through tx.
func (s *DB) snapshotRuns(ctx context.Context, tx *sql.Tx) ([]SnapshotRun, error) {
	rows, err := s.query(ctx, tx, "SELECT id, recipe, status, error, cancel_requested, created_by, created_at, started_at, finished_at, config, metrics, curve, report FROM runs WHERE status IN (?, ?, ?) ORDER BY id",
		string(lifecycle.StatusSucceeded), string(lifecycle.StatusFailed), string(lifecycle.StatusCanceled))
	if err != nil {
		return nil, s.dbErr("export: runs", err)
	}
	defer rows.Close()
	var out []SnapshotRun
	for rows.Next() {
		var r SnapshotRun
		var status, cfg, met, curve, report string
		var cancel int64
		if err := rows.Scan(&r.ID, &r.Recipe, &status, &r.Error, &cancel, &r.CreatedBy, &r.CreatedAt, &r.StartedAt, &r.FinishedAt,
			&cfg, &met, &curve, &report); err != nil {
			return nil, s.dbErr("export: runs", err)
		}
		r.Status, r.CancelRequested = lifecycle.Status(status), cancel == 1
		for _, f := range []struct {
			name string
			text string
			dst  *SnapshotJSON
		}{{"config", cfg, &r.Config}, {"metrics", met, &r.Metrics}, {"curve", curve, &r.Curve}, {"report", report, &r.Report}} {
			if f.text == "" {
				continue
			}
			if !json.Valid([]byte(f.text)) {
				return nil, fmt.Errorf("workspace: export: run %d: the stored %s is not valid JSON", r.ID, f.name)
			}
			*f.dst = SnapshotJSON(f.text)
		}
		out = append(out, r)
	}
	return out, s.dbErr("export: runs", rows.Err())
}

// strictJSON decodes a JSON value into v, refusing unknown fields.
func strictJSON(b SnapshotJSON, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	return nil
}

// checkRuns validates the runs of a snapshot: each error names the run
// (runs[i] (#id recipe)) and the field.
func (snap *Snapshot) checkRuns(bad func(string, ...any)) {
	ids := map[int64]bool{}
	for i, r := range snap.Runs {
		w := fmt.Sprintf("runs[%d] (#%d %s)", i, r.ID, r.Recipe)
		if r.ID < 0 || (r.ID > 0 && ids[r.ID]) {
			bad("%s: id: %d is repeated or negative", w, r.ID)
		}
		ids[r.ID] = r.ID > 0
		if strings.TrimSpace(r.Recipe) == "" {
			bad("%s: recipe: missing", w)
		}
		switch {
		case !r.Status.Valid():
			bad("%s: status: %q: want succeeded, failed or canceled", w, r.Status)
		case !r.Status.Final():
			bad("%s: status: %q: only finished runs (succeeded, failed, canceled) can be imported", w, r.Status)
		}
		if err := checkActor(r.CreatedBy); err != nil {
			bad("%s: created_by: %v", w, err)
		}
		if _, err := parseSnapshotTime(w+": created_at", r.CreatedAt); err != nil {
			bad("%v", err)
		}
		for _, t := range []struct{ name, v string }{{"started_at", r.StartedAt}, {"finished_at", r.FinishedAt}} {
			if t.v != "" {
				if _, err := parseSnapshotTime(w+": "+t.name, t.v); err != nil {
					bad("%v", err)
				}
			}
		}
		var cfg lifecycle.Config
		switch {
		case len(r.Config) == 0:
			bad("%s: config: missing", w)
		default:
			if err := strictJSON(r.Config, &cfg); err != nil {
				bad("%s: config: %v", w, err)
			} else if cfg.Recipe != r.Recipe {
				bad("%s: config.recipe: %q differs from the run's recipe %q", w, cfg.Recipe, r.Recipe)
			}
		}
		if len(r.Metrics) > 0 {
			if err := strictJSON(r.Metrics, &lifecycle.Metrics{}); err != nil {
				bad("%s: metrics: %v", w, err)
			}
		}
		if len(r.Curve) > 0 {
			var c []lifecycle.Point
			if err := strictJSON(r.Curve, &c); err != nil {
				bad("%s: curve: %v", w, err)
			} else if len(c) > lifecycle.MaxCurvePoints {
				bad("%s: curve: %d points, at most %d", w, len(c), lifecycle.MaxCurvePoints)
			}
		}
		if len(r.Report) > 0 && !json.Valid(r.Report) {
			bad("%s: report: not valid JSON", w)
		}
	}
}

// importRuns writes the snapshot's runs through tx (checked already).
func (s *DB) importRuns(ctx context.Context, tx *sql.Tx, runs []SnapshotRun) error {
	for _, r := range runs {
		created, _ := parseSnapshotTime("", r.CreatedAt)
		opt := func(v string) string {
			if v == "" {
				return ""
			}
			t, _ := parseSnapshotTime("", v)
			return formatTime(t)
		}
		text := func(j SnapshotJSON) string {
			if string(j) == "null" {
				return ""
			}
			return string(j)
		}
		cols := "recipe, config, status, error, cancel_requested, created_by, created_at, started_at, finished_at, metrics, curve, report"
		args := []any{r.Recipe, text(r.Config), string(r.Status), r.Error, boolInt(r.CancelRequested), r.CreatedBy, formatTime(created),
			opt(r.StartedAt), opt(r.FinishedAt), text(r.Metrics), text(r.Curve), text(r.Report)}
		q := "INSERT INTO runs (" + cols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
		if r.ID > 0 {
			q = "INSERT INTO runs (id, " + cols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
			args = append([]any{r.ID}, args...)
		}
		if _, err := s.exec(ctx, tx, q, args...); err != nil {
			return s.dbErr(fmt.Sprintf("import: run #%d (%s)", r.ID, r.Recipe), err)
		}
	}
	return nil
}
