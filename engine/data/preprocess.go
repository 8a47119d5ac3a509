package data

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
)

// Step is one fitted preprocessing transform of a Pipeline. Fit learns
// its parameters from a training table; Apply transforms a table in place
// with those parameters (so validation, test and serving data get the
// training set's statistics). Kind names the step in JSON.
//
// Every step with empty Columns picks them at Fit (all Number columns
// for numeric steps, all Category columns for encoders) and records
// them, so Apply touches the same columns later.
type Step interface {
	Kind() string
	Fit(t *Table) error
	Apply(t *Table) error
}

var stepKinds = map[string]func() Step{
	"drop_missing": func() Step { return &DropMissing{} },
	"impute":       func() Step { return &Impute{} },
	"clip":         func() Step { return &Clip{} },
	"scale":        func() Step { return &Scale{} },
	"one_hot":      func() Step { return &OneHot{} },
	"label_encode": func() Step { return &LabelEncode{} },
}

// ColumnSchema is a column's name and type as a Pipeline was fitted on.
type ColumnSchema struct {
	Name string     `json:"name"`
	Type ColumnType `json:"type"`
}

// Pipeline is a sequence of preprocessing steps fitted on training data
// and applied unchanged to other data. It marshals to JSON with its
// fitted parameters, so a model checkpoint can carry it and serving can
// apply the same transform:
//
//	{"version":1,"schema":[{"name":"age","type":"number"},…],
//	 "steps":[{"kind":"impute","params":{"strategy":"median",…}},…]}
type Pipeline struct {
	Steps []Step
	// Schema is the input columns seen at Fit. Apply coerces a table's
	// columns to these types first (serving may parse "3" as a number in
	// a column that was a category in training).
	Schema []ColumnSchema
	fitted bool
}

// NewPipeline returns a pipeline of steps.
func NewPipeline(steps ...Step) *Pipeline { return &Pipeline{Steps: steps} }

// Fit fits each step on the output of the steps before it (like
// scikit-learn's Pipeline.fit) and returns the transformed training table.
// t itself is not changed.
func (p *Pipeline) Fit(t *Table) (*Table, error) {
	p.Schema = p.Schema[:0]
	for _, c := range t.Columns {
		p.Schema = append(p.Schema, ColumnSchema{Name: c.Name, Type: c.Type})
	}
	out := t.Clone()
	for i, s := range p.Steps {
		if err := s.Fit(out); err != nil {
			return nil, fmt.Errorf("data: pipeline step %d (%s): fit: %w", i+1, s.Kind(), err)
		}
		if err := s.Apply(out); err != nil {
			return nil, fmt.Errorf("data: pipeline step %d (%s): %w", i+1, s.Kind(), err)
		}
	}
	p.fitted = true
	return out, nil
}

// Transform applies the fitted steps to a copy of t and returns it.
func (p *Pipeline) Transform(t *Table) (*Table, error) {
	if !p.fitted {
		return nil, fmt.Errorf("data: pipeline: Transform before Fit")
	}
	out := t.Clone()
	for _, s := range p.Schema {
		c := out.Column(s.Name)
		if c == nil {
			return nil, fmt.Errorf("data: pipeline: table %s has no column %q", t.Source, s.Name)
		}
		if err := c.Coerce(s.Type); err != nil {
			return nil, fmt.Errorf("data: pipeline: table %s: %w", t.Source, err)
		}
	}
	for i, s := range p.Steps {
		if err := s.Apply(out); err != nil {
			return nil, fmt.Errorf("data: pipeline step %d (%s): %w", i+1, s.Kind(), err)
		}
	}
	return out, nil
}

type pipelineJSON struct {
	Version int            `json:"version"`
	Schema  []ColumnSchema `json:"schema"`
	Steps   []stepJSON     `json:"steps"`
}

type stepJSON struct {
	Kind   string          `json:"kind"`
	Params json.RawMessage `json:"params"`
}

// MarshalJSON writes the schema and the fitted steps.
func (p *Pipeline) MarshalJSON() ([]byte, error) {
	if !p.fitted {
		return nil, fmt.Errorf("data: pipeline: marshal before Fit")
	}
	out := pipelineJSON{Version: 1, Schema: p.Schema}
	for _, s := range p.Steps {
		b, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		out.Steps = append(out.Steps, stepJSON{Kind: s.Kind(), Params: b})
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON wrote; the pipeline is then
// fitted. Unknown step kinds and versions are errors.
func (p *Pipeline) UnmarshalJSON(b []byte) error {
	var in pipelineJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("data: pipeline json: %w", err)
	}
	if in.Version != 1 {
		return fmt.Errorf("data: pipeline json: unsupported version %d", in.Version)
	}
	steps := make([]Step, 0, len(in.Steps))
	for i, sj := range in.Steps {
		mk, ok := stepKinds[sj.Kind]
		if !ok {
			return fmt.Errorf("data: pipeline json: step %d: unknown kind %q", i+1, sj.Kind)
		}
		s := mk()
		if err := json.Unmarshal(sj.Params, s); err != nil {
			return fmt.Errorf("data: pipeline json: step %d (%s): %w", i+1, sj.Kind, err)
		}
		steps = append(steps, s)
	}
	p.Steps, p.Schema, p.fitted = steps, in.Schema, true
	return nil
}

// Coerce converts the column to typ: strings to numbers by parsing
// (failing on the first that is not one, naming its row), numbers to
// strings by strconv's shortest 'g' format.
func (c *Column) Coerce(typ ColumnType) error {
	switch {
	case c.Type == typ, c.Type != Number && typ != Number:
		c.Type = typ
	case typ == Number:
		num := make([]float64, len(c.Str))
		for i, s := range c.Str {
			if c.Missing[i] {
				num[i] = math.NaN()
				continue
			}
			v, ok := parseNumber(s)
			if !ok {
				return fmt.Errorf("column %q, row %d: %q is not a number", c.Name, i+1, s)
			}
			num[i] = v
		}
		c.Type, c.Num, c.Str = Number, num, nil
	default:
		str := make([]string, len(c.Num))
		for i, v := range c.Num {
			if !c.Missing[i] {
				str[i] = strconv.FormatFloat(v, 'g', -1, 64)
			}
		}
		c.Type, c.Num, c.Str = typ, nil, str
	}
	return nil
}

// pickColumns resolves a step's column list at Fit.
func pickColumns(t *Table, cols []string, want ColumnType, kind string) ([]string, error) {
	if len(cols) == 0 {
		for _, c := range t.Columns {
			if c.Type == want {
				cols = append(cols, c.Name)
			}
		}
	}
	for _, n := range cols {
		c := t.Column(n)
		if c == nil {
			return nil, fmt.Errorf("no column %q", n)
		}
		if want == Number && c.Type != Number {
			return nil, fmt.Errorf("%s needs a number column; %q is %v", kind, n, c.Type)
		}
		if want == Category && c.Type == Number {
			return nil, fmt.Errorf("%s needs a category or text column; %q is a number (coerce it first)", kind, n)
		}
	}
	return slices.Clone(cols), nil
}

func column(t *Table, name string) (*Column, error) {
	c := t.Column(name)
	if c == nil {
		return nil, fmt.Errorf("table %s has no column %q", t.Source, name)
	}
	return c, nil
}

// present returns the non-missing numbers of c.
func present(c *Column) []float64 {
	out := make([]float64, 0, len(c.Num))
	for i, v := range c.Num {
		if !c.Missing[i] && !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

// quantile is NumPy's default (method "linear") quantile of sorted xs:
// the value at position (n-1)*q, interpolated between neighbours.
func quantile(sorted []float64, q float64) float64 {
	pos := float64(len(sorted)-1) * q
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	f := pos - float64(lo)
	return sorted[lo] + f*(sorted[hi]-sorted[lo])
}

// meanStd returns the mean and the population standard deviation
// (ddof = 0, as scikit-learn's StandardScaler and NumPy's std use).
func meanStd(xs []float64) (mean, std float64) {
	for _, v := range xs {
		mean += v
	}
	mean /= float64(len(xs))
	for _, v := range xs {
		std += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(std / float64(len(xs)))
}

// DropMissing removes every row with a missing value in Columns (all
// columns when empty). It learns nothing at Fit.
type DropMissing struct {
	Columns []string `json:"columns,omitempty"`
}

// Kind is "drop_missing".
func (*DropMissing) Kind() string { return "drop_missing" }

// Fit checks the columns exist.
func (s *DropMissing) Fit(t *Table) error {
	for _, n := range s.Columns {
		if _, err := column(t, n); err != nil {
			return err
		}
	}
	return nil
}

// Apply drops the rows.
func (s *DropMissing) Apply(t *Table) error {
	cols := t.Columns
	if len(s.Columns) > 0 {
		cols = nil
		for _, n := range s.Columns {
			c, err := column(t, n)
			if err != nil {
				return err
			}
			cols = append(cols, c)
		}
	}
	keep := make([]int, 0, t.Rows())
	for i := range t.Rows() {
		ok := true
		for _, c := range cols {
			if c.Missing[i] {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, i)
		}
	}
	for _, c := range t.Columns {
		m := make([]bool, len(keep))
		if c.Num != nil {
			num := make([]float64, len(keep))
			for k, i := range keep {
				num[k], m[k] = c.Num[i], c.Missing[i]
			}
			c.Num = num
		}
		if c.Str != nil {
			str := make([]string, len(keep))
			for k, i := range keep {
				str[k], m[k] = c.Str[i], c.Missing[i]
			}
			c.Str = str
		}
		c.Missing = m
	}
	return nil
}

// Imputation strategies, as scikit-learn's SimpleImputer names them.
const (
	Mean         = "mean"
	Median       = "median"
	MostFrequent = "most_frequent"
)

// Impute fills missing values per column with a statistic of the
// training column's present values, like scikit-learn's SimpleImputer:
// Strategy "mean", "median" (NumPy's median: the mean of the two middle
// values for even counts) or "most_frequent" (the mode; ties go to the
// smallest value, as in scikit-learn; works on category columns too).
type Impute struct {
	Columns  []string `json:"columns,omitempty"`
	Strategy string   `json:"strategy"`
	// Fitted fill values by column: a number, or a string for
	// category/text columns.
	Numbers map[string]float64 `json:"numbers,omitempty"`
	Strings map[string]string  `json:"strings,omitempty"`
}

// Kind is "impute".
func (*Impute) Kind() string { return "impute" }

// Fit computes the fill values.
func (s *Impute) Fit(t *Table) error {
	want := Number
	if s.Strategy == MostFrequent && len(s.Columns) > 0 {
		want = -1 // any type
	}
	if s.Strategy != Mean && s.Strategy != Median && s.Strategy != MostFrequent {
		return fmt.Errorf("unknown strategy %q (want mean, median or most_frequent)", s.Strategy)
	}
	var err error
	if want == Number {
		if s.Columns, err = pickColumns(t, s.Columns, Number, "impute "+s.Strategy); err != nil {
			return err
		}
	}
	s.Numbers, s.Strings = map[string]float64{}, map[string]string{}
	for _, n := range s.Columns {
		c, err := column(t, n)
		if err != nil {
			return err
		}
		if c.Type != Number {
			counts := map[string]int{}
			for i, v := range c.Str {
				if !c.Missing[i] {
					counts[v]++
				}
			}
			best, bestN := "", 0
			for v, k := range counts {
				if k > bestN || (k == bestN && v < best) {
					best, bestN = v, k
				}
			}
			if bestN == 0 {
				return fmt.Errorf("column %q has no values to impute from", n)
			}
			s.Strings[n] = best
			continue
		}
		xs := present(c)
		if len(xs) == 0 {
			return fmt.Errorf("column %q has no values to impute from", n)
		}
		sort.Float64s(xs)
		switch s.Strategy {
		case Mean:
			s.Numbers[n], _ = meanStd(xs)
		case Median:
			s.Numbers[n] = quantile(xs, 0.5)
		default:
			best, bestN := xs[0], 0
			for i := 0; i < len(xs); {
				j := i
				for j < len(xs) && xs[j] == xs[i] {
					j++
				}
				if j-i > bestN { // sorted ascending: ties keep the smallest
					best, bestN = xs[i], j-i
				}
				i = j
			}
			s.Numbers[n] = best
		}
	}
	return nil
}

// Apply fills the missing values.
func (s *Impute) Apply(t *Table) error {
	for _, n := range s.Columns {
		c, err := column(t, n)
		if err != nil {
			return err
		}
		if v, ok := s.Numbers[n]; ok {
			if c.Type != Number {
				return fmt.Errorf("column %q is %v; impute was fitted on a number", n, c.Type)
			}
			for i := range c.Num {
				if c.Missing[i] || math.IsNaN(c.Num[i]) {
					c.Num[i], c.Missing[i] = v, false
				}
			}
			continue
		}
		v, ok := s.Strings[n]
		if !ok || c.Type == Number {
			return fmt.Errorf("column %q: impute has no fitted value of its type", n)
		}
		for i := range c.Str {
			if c.Missing[i] {
				c.Str[i], c.Missing[i] = v, false
			}
		}
	}
	return nil
}

// Clip methods.
const (
	IQR    = "iqr"
	ZScore = "zscore"
)

// Clip limits outliers per number column to bounds learned at Fit:
// Method "iqr" uses Tukey's fences [Q1 - K·IQR, Q3 + K·IQR] (K default
// 1.5; quartiles as NumPy's linear percentile), "zscore" uses
// [mean - K·std, mean + K·std] (K default 3, population std). Missing
// values stay missing.
type Clip struct {
	Columns []string `json:"columns,omitempty"`
	Method  string   `json:"method"`
	K       float64  `json:"k,omitempty"`
	// Bounds by column: [low, high].
	Bounds map[string][2]float64 `json:"bounds,omitempty"`
}

// Kind is "clip".
func (*Clip) Kind() string { return "clip" }

// Fit learns the bounds.
func (s *Clip) Fit(t *Table) error {
	k := s.K
	switch s.Method {
	case IQR:
		if k == 0 {
			k = 1.5
		}
	case ZScore:
		if k == 0 {
			k = 3
		}
	default:
		return fmt.Errorf("unknown clip method %q (want iqr or zscore)", s.Method)
	}
	if !(k > 0) || math.IsInf(k, 0) {
		return fmt.Errorf("clip factor %g must be positive", k)
	}
	s.K = k
	var err error
	if s.Columns, err = pickColumns(t, s.Columns, Number, "clip"); err != nil {
		return err
	}
	s.Bounds = map[string][2]float64{}
	for _, n := range s.Columns {
		xs := present(t.Column(n))
		if len(xs) == 0 {
			return fmt.Errorf("column %q has no values", n)
		}
		sort.Float64s(xs)
		if s.Method == IQR {
			q1, q3 := quantile(xs, 0.25), quantile(xs, 0.75)
			s.Bounds[n] = [2]float64{q1 - k*(q3-q1), q3 + k*(q3-q1)}
		} else {
			m, sd := meanStd(xs)
			s.Bounds[n] = [2]float64{m - k*sd, m + k*sd}
		}
	}
	return nil
}

// Apply clips.
func (s *Clip) Apply(t *Table) error {
	return mapFitted(t, s.Columns, s.Bounds, "clip", func(v float64, b [2]float64) float64 {
		return min(max(v, b[0]), b[1])
	})
}

// mapFitted replaces every present value v of each numeric column in
// cols by f(v, p), where p is the parameter pair fitted on that column;
// a column missing from params, or not numeric, is an error naming it
// and the step.
func mapFitted(t *Table, cols []string, params map[string][2]float64, step string, f func(v float64, p [2]float64) float64) error {
	for _, n := range cols {
		c, err := column(t, n)
		if err != nil {
			return err
		}
		p, ok := params[n]
		if !ok || c.Type != Number {
			return fmt.Errorf("column %q: %s was not fitted on it as a number", n, step)
		}
		for i, v := range c.Num {
			if !c.Missing[i] {
				c.Num[i] = f(v, p)
			}
		}
	}
	return nil
}

// Scale methods.
const (
	MinMax = "minmax"
	// ZScore (shared with Clip) standardises to zero mean, unit variance.
)

// Scale normalises number columns with parameters learned at Fit:
// Method "minmax" maps [min, max] to [0, 1] (scikit-learn's MinMaxScaler;
// a constant column maps to 0), "zscore" computes (x - mean) / std with
// the population standard deviation, ddof = 0 (scikit-learn's
// StandardScaler; a constant column is only centred). Missing values
// stay missing and are ignored at Fit.
type Scale struct {
	Columns []string `json:"columns,omitempty"`
	Method  string   `json:"method"`
	// Params by column: [offset, scale]; Apply computes (x - offset) / scale.
	Params map[string][2]float64 `json:"params,omitempty"`
}

// Kind is "scale".
func (*Scale) Kind() string { return "scale" }

// Fit learns offset and scale per column.
func (s *Scale) Fit(t *Table) error {
	if s.Method != MinMax && s.Method != ZScore {
		return fmt.Errorf("unknown scale method %q (want minmax or zscore)", s.Method)
	}
	var err error
	if s.Columns, err = pickColumns(t, s.Columns, Number, "scale"); err != nil {
		return err
	}
	s.Params = map[string][2]float64{}
	for _, n := range s.Columns {
		xs := present(t.Column(n))
		if len(xs) == 0 {
			return fmt.Errorf("column %q has no values", n)
		}
		var off, sc float64
		if s.Method == MinMax {
			off, sc = slices.Min(xs), slices.Max(xs)-slices.Min(xs)
		} else {
			off, sc = meanStd(xs)
		}
		if sc == 0 {
			sc = 1
		}
		s.Params[n] = [2]float64{off, sc}
	}
	return nil
}

// Apply scales.
func (s *Scale) Apply(t *Table) error {
	return mapFitted(t, s.Columns, s.Params, "scale", func(v float64, p [2]float64) float64 {
		return (v - p[0]) / p[1]
	})
}

// Policies for categories not seen at Fit (and for missing values).
const (
	// UnknownError fails, naming the column, row and value.
	UnknownError = "error"
	// UnknownIgnore encodes an unknown value as all zeros (one-hot only;
	// scikit-learn's handle_unknown="ignore").
	UnknownIgnore = "ignore"
	// UnknownBucket maps unknown values to an extra "<unknown>" category.
	UnknownBucket = "bucket"
)

// UnknownCategory is the name of the bucket for unseen categories.
const UnknownCategory = "<unknown>"

func fitCategories(t *Table, cols []string, unknown, kind string) ([]string, map[string][]string, error) {
	switch unknown {
	case "":
		unknown = UnknownError
	case UnknownError, UnknownIgnore, UnknownBucket:
	default:
		return nil, nil, fmt.Errorf("unknown-category policy %q (want error, ignore or bucket)", unknown)
	}
	cols, err := pickColumns(t, cols, Category, kind)
	if err != nil {
		return nil, nil, err
	}
	cats := map[string][]string{}
	for _, n := range cols {
		c := t.Column(n)
		seen := map[string]bool{}
		for i, v := range c.Str {
			if !c.Missing[i] && !seen[v] {
				seen[v] = true
				cats[n] = append(cats[n], v)
			}
		}
		slices.Sort(cats[n]) // scikit-learn sorts categories
		if unknown == UnknownBucket {
			cats[n] = append(cats[n], UnknownCategory)
		}
	}
	return cols, cats, nil
}

// codeOf finds v among the fitted categories; -1 if unknown.
func codeOf(cats []string, v string, bucket bool) int {
	n := len(cats)
	if bucket {
		n--
	}
	i, ok := slices.BinarySearch(cats[:n], v)
	if ok {
		return i
	}
	if bucket {
		return n
	}
	return -1
}

// OneHot replaces each category column c with one number column per
// category seen at Fit, named "c=value", in sorted order, holding 1 for
// the row's category and 0 otherwise (scikit-learn's OneHotEncoder with
// sparse_output=False). Unknown says what an unseen (or missing) value
// becomes: an error (default), all zeros ("ignore"), or 1 in an extra
// "c=<unknown>" column ("bucket").
type OneHot struct {
	Columns    []string            `json:"columns,omitempty"`
	Unknown    string              `json:"unknown,omitempty"`
	Categories map[string][]string `json:"categories,omitempty"`
}

// Kind is "one_hot".
func (*OneHot) Kind() string { return "one_hot" }

// Fit collects the categories.
func (s *OneHot) Fit(t *Table) error {
	var err error
	s.Columns, s.Categories, err = fitCategories(t, s.Columns, s.Unknown, "one-hot")
	return err
}

// Apply expands the columns.
func (s *OneHot) Apply(t *Table) error {
	bucket := s.Unknown == UnknownBucket
	for _, n := range s.Columns {
		c, err := column(t, n)
		if err != nil {
			return err
		}
		cats, ok := s.Categories[n]
		if !ok || c.Type == Number {
			return fmt.Errorf("column %q: one-hot was not fitted on it as a category", n)
		}
		out := make([]*Column, len(cats))
		for k, v := range cats {
			out[k] = &Column{Name: n + "=" + v, Type: Number, Num: make([]float64, c.Len()), Missing: make([]bool, c.Len())}
		}
		for i, v := range c.Str {
			code := -1
			if !c.Missing[i] || bucket {
				code = codeOf(cats, v, bucket)
			}
			if code < 0 {
				if s.Unknown == UnknownIgnore {
					continue
				}
				return unknownErr(t, n, i, v, c.Missing[i])
			}
			out[code].Num[i] = 1
		}
		pos := slices.Index(t.Columns, c)
		t.Columns = slices.Replace(t.Columns, pos, pos+1, out...)
	}
	return nil
}

func unknownErr(t *Table, col string, row int, v string, missing bool) error {
	if missing {
		return fmt.Errorf("table %s: column %q, row %d: missing value; impute it first or use the bucket policy", t.Source, col, row+1)
	}
	return fmt.Errorf("table %s: column %q, row %d: category %q was not seen at fit", t.Source, col, row+1, v)
}

// LabelEncode replaces each category column with a number column of
// codes 0…k-1 in sorted category order (scikit-learn's LabelEncoder /
// OrdinalEncoder). Unknown is "error" (default) or "bucket" (code k, the
// "<unknown>" category).
type LabelEncode struct {
	Columns    []string            `json:"columns,omitempty"`
	Unknown    string              `json:"unknown,omitempty"`
	Categories map[string][]string `json:"categories,omitempty"`
}

// Kind is "label_encode".
func (*LabelEncode) Kind() string { return "label_encode" }

// Fit collects the categories.
func (s *LabelEncode) Fit(t *Table) error {
	if s.Unknown == UnknownIgnore {
		return fmt.Errorf("label encoding cannot ignore unknown categories; use error or bucket")
	}
	var err error
	s.Columns, s.Categories, err = fitCategories(t, s.Columns, s.Unknown, "label encoding")
	return err
}

// Apply encodes.
func (s *LabelEncode) Apply(t *Table) error {
	bucket := s.Unknown == UnknownBucket
	for _, n := range s.Columns {
		c, err := column(t, n)
		if err != nil {
			return err
		}
		cats, ok := s.Categories[n]
		if !ok || c.Type == Number {
			return fmt.Errorf("column %q: label encoding was not fitted on it as a category", n)
		}
		num := make([]float64, c.Len())
		for i, v := range c.Str {
			code := -1
			if !c.Missing[i] || bucket {
				code = codeOf(cats, v, bucket)
			}
			if code < 0 {
				return unknownErr(t, n, i, v, c.Missing[i])
			}
			num[i] = float64(code)
			c.Missing[i] = false
		}
		c.Type, c.Num, c.Str = Number, num, nil
	}
	return nil
}

// Ints returns a Number column of whole numbers as ints (class labels
// after LabelEncode), naming the row of a missing or fractional value.
func (t *Table) Ints(name string) ([]int, error) {
	c := t.Column(name)
	if c == nil || c.Type != Number {
		return nil, fmt.Errorf("data: table %s: no number column %q", t.Source, name)
	}
	out := make([]int, len(c.Num))
	for i, v := range c.Num {
		if c.Missing[i] || v != math.Trunc(v) || math.Abs(v) > 1<<52 {
			return nil, fmt.Errorf("data: table %s: column %q, row %d: %v is not a whole number", t.Source, name, i+1, v)
		}
		out[i] = int(v)
	}
	return out, nil
}
