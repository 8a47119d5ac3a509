package data

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ColumnType is the kind of values a Table column holds.
type ColumnType int

// Column types. Number columns hold float64 values; Category columns hold
// a small set of repeated strings (candidates for one-hot or label
// encoding); Text columns hold free strings.
const (
	Number ColumnType = iota
	Category
	Text
)

var columnTypeNames = [...]string{"number", "category", "text"}

// String names the type ("number", "category", "text").
func (t ColumnType) String() string {
	if t >= 0 && int(t) < len(columnTypeNames) {
		return columnTypeNames[t]
	}
	return fmt.Sprintf("ColumnType(%d)", int(t))
}

// MarshalText writes the name.
func (t ColumnType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a name that String writes.
func (t *ColumnType) UnmarshalText(b []byte) error {
	i := slices.Index(columnTypeNames[:], string(b))
	if i < 0 {
		return fmt.Errorf("data: unknown column type %q", b)
	}
	*t = ColumnType(i)
	return nil
}

// Column is one named column of a Table. Exactly one of Num (Number) and
// Str (Category, Text) holds the values; Missing marks the rows whose
// value was absent. A missing Number is NaN, a missing string is "".
type Column struct {
	Name    string
	Type    ColumnType
	Num     []float64
	Str     []string
	Missing []bool
}

// Len reports the number of rows.
func (c *Column) Len() int { return len(c.Missing) }

// Clone returns a deep copy.
func (c *Column) Clone() *Column {
	return &Column{Name: c.Name, Type: c.Type, Num: slices.Clone(c.Num), Str: slices.Clone(c.Str), Missing: slices.Clone(c.Missing)}
}

// Table is a column-oriented table, as read from a CSV file.
type Table struct {
	// Source names where the table came from (a file name), for errors.
	Source  string
	Columns []*Column
}

// Rows reports the number of rows.
func (t *Table) Rows() int {
	if len(t.Columns) == 0 {
		return 0
	}
	return t.Columns[0].Len()
}

// Column returns the column called name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Clone returns a deep copy.
func (t *Table) Clone() *Table {
	out := &Table{Source: t.Source, Columns: make([]*Column, len(t.Columns))}
	for i, c := range t.Columns {
		out.Columns[i] = c.Clone()
	}
	return out
}

// Matrix returns the named Number columns as a row-major float32 matrix
// (rows × len(names)). It fails on a missing value, a non-number column
// or an unknown name, naming the column and row.
func (t *Table) Matrix(names ...string) ([]float32, error) {
	rows := t.Rows()
	out := make([]float32, rows*len(names))
	for j, name := range names {
		c := t.Column(name)
		if c == nil {
			return nil, fmt.Errorf("data: table %s: no column %q", t.Source, name)
		}
		if c.Type != Number {
			return nil, fmt.Errorf("data: table %s: column %q is %v, not number; encode it first", t.Source, name, c.Type)
		}
		for i, v := range c.Num {
			if c.Missing[i] || math.IsNaN(v) {
				return nil, fmt.Errorf("data: table %s: column %q, row %d: missing value; drop or impute it first", t.Source, name, i+1)
			}
			out[i*len(names)+j] = float32(v)
		}
	}
	return out, nil
}

// NumberNames lists the names of the Number columns, except those in skip.
func (t *Table) NumberNames(skip ...string) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Type == Number && !slices.Contains(skip, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

// Header says whether the first CSV record names the columns.
type Header int

// Header modes.
const (
	HeaderAuto Header = iota // guess (see CSVOptions)
	HeaderYes
	HeaderNo // columns are named col1, col2, …
)

// CSVOptions configure ReadCSV. The zero value reads comma-separated
// UTF-8 with header detection, the default missing markers, type
// inference and the default limits.
type CSVOptions struct {
	// Comma is the field delimiter (default ',').
	Comma rune
	// Header: HeaderAuto takes the first record as a header when all its
	// fields are present, distinct and not numbers, and either some
	// column holds only numbers below it or none of its fields recurs in
	// its column. (A file of text only, without a header, is then
	// misread: say HeaderNo.)
	Header Header
	// Missing lists the markers of a missing value, compared after
	// trimming spaces and ignoring case. Nil means "", "NA", "N/A",
	// "NaN", "null", "None" and "?".
	Missing []string
	// Types forces column types by name, overriding inference. A value
	// that does not parse as a forced Number is an error naming it.
	Types map[string]ColumnType
	// MaxCategories is the most distinct values a non-numeric column may
	// have to be inferred a Category (default 64); with more, or when
	// every value of 20 or more is distinct, or values are longer than 64
	// bytes on average, it is Text.
	MaxCategories int
	// Limits: bytes read (default 1 GiB), records (default 10 million),
	// columns (default 10,000). Exceeding one is an error, never a silent
	// truncation.
	MaxBytes   int64
	MaxRecords int
	MaxColumns int
}

var defaultMissing = []string{"", "na", "n/a", "nan", "null", "none", "?"}

// ReadCSV reads the CSV file at path into a Table (see ParseCSV).
func ReadCSV(path string, opt CSVOptions) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: csv: %w", err)
	}
	defer f.Close()
	return ParseCSV(f, path, opt)
}

// errTooBig marks that a limitReader passed its limit.
var errTooBig = errors.New("size limit exceeded")

type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Probe for one more byte: at the limit exactly is fine.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errTooBig
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// ParseCSV reads CSV from r; name is used in errors ("file.csv: line 3,
// column 2: …"). Fields may be quoted (RFC 4180); every record must have
// as many fields as the first; the input must be valid UTF-8.
func ParseCSV(r io.Reader, name string, opt CSVOptions) (*Table, error) {
	if opt.Comma == 0 {
		opt.Comma = ','
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 1 << 30
	}
	if opt.MaxRecords <= 0 {
		opt.MaxRecords = 10_000_000
	}
	if opt.MaxColumns <= 0 {
		opt.MaxColumns = 10_000
	}
	if opt.MaxCategories <= 0 {
		opt.MaxCategories = 64
	}
	if opt.Comma == '"' || opt.Comma == '\r' || opt.Comma == '\n' || !utf8.ValidRune(opt.Comma) || opt.Comma == utf8.RuneError {
		return nil, fmt.Errorf("data: csv %s: invalid delimiter %q", name, opt.Comma)
	}
	lr := &limitReader{r: r, left: opt.MaxBytes}
	cr := csv.NewReader(bufio.NewReader(lr))
	cr.Comma = opt.Comma
	cr.ReuseRecord = false
	var records [][]string
	var lines []int // line of each record, for errors
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if errors.Is(err, errTooBig) {
				return nil, fmt.Errorf("data: csv %s: larger than the %d-byte limit", name, opt.MaxBytes)
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("data: csv %s: line %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("data: csv %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(records) == 0 && len(rec) > opt.MaxColumns {
			return nil, fmt.Errorf("data: csv %s: line %d: %d columns exceed the limit of %d", name, line, len(rec), opt.MaxColumns)
		}
		if len(records) >= opt.MaxRecords {
			return nil, fmt.Errorf("data: csv %s: line %d: more than the limit of %d records", name, line, opt.MaxRecords)
		}
		for j, f := range rec {
			if !utf8.ValidString(f) {
				l, c := cr.FieldPos(j)
				return nil, fmt.Errorf("data: csv %s: line %d, column %d: invalid UTF-8", name, l, c)
			}
		}
		records = append(records, rec)
		lines = append(lines, line)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("data: csv %s: no records", name)
	}
	missing := opt.Missing
	if missing == nil {
		missing = defaultMissing
	}
	isMissing := func(s string) bool {
		s = strings.TrimSpace(s)
		for _, m := range missing {
			if strings.EqualFold(s, strings.TrimSpace(m)) {
				return true
			}
		}
		return false
	}
	var names []string
	header := opt.Header
	if header == HeaderAuto {
		header = HeaderNo
		if detectHeader(records, isMissing) {
			header = HeaderYes
		}
	}
	if header == HeaderYes {
		names = records[0]
		records, lines = records[1:], lines[1:]
		seen := map[string]bool{}
		for j, n := range names {
			if seen[n] {
				return nil, fmt.Errorf("data: csv %s: line %d, column %d: duplicate column name %q", name, 1, j+1, n)
			}
			seen[n] = true
		}
	} else {
		names = make([]string, len(records[0]))
		for j := range names {
			names[j] = "col" + strconv.Itoa(j+1)
		}
	}
	for n := range opt.Types {
		if !slices.Contains(names, n) {
			return nil, fmt.Errorf("data: csv %s: a type is forced for column %q, which the file does not have", name, n)
		}
	}
	t := &Table{Source: name}
	for j, cname := range names {
		col := &Column{Name: cname, Missing: make([]bool, len(records))}
		vals := make([]string, len(records))
		for i, rec := range records {
			vals[i] = rec[j]
			col.Missing[i] = isMissing(rec[j])
		}
		typ, forced := opt.Types[cname]
		if !forced {
			typ = inferType(vals, col.Missing, opt.MaxCategories)
		}
		if err := col.set(typ, vals); err != nil {
			var bad *badNumber
			if errors.As(err, &bad) {
				return nil, fmt.Errorf("data: csv %s: line %d, column %d (%q): %q is not a number", name, lines[bad.row], j+1, cname, vals[bad.row])
			}
			return nil, err
		}
		t.Columns = append(t.Columns, col)
	}
	return t, nil
}

type badNumber struct{ row int }

func (b *badNumber) Error() string { return fmt.Sprintf("row %d is not a number", b.row+1) }

// parseNumber parses a trimmed decimal or float value.
func parseNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// set fills the column's values as type typ from the raw strings.
func (c *Column) set(typ ColumnType, vals []string) error {
	c.Type = typ
	if typ == Number {
		c.Num = make([]float64, len(vals))
		for i, s := range vals {
			if c.Missing[i] {
				c.Num[i] = math.NaN()
				continue
			}
			v, ok := parseNumber(s)
			if !ok {
				return &badNumber{row: i}
			}
			c.Num[i] = v
		}
		return nil
	}
	c.Str = make([]string, len(vals))
	for i, s := range vals {
		if !c.Missing[i] {
			c.Str[i] = strings.TrimSpace(s)
		}
	}
	return nil
}

func inferType(vals []string, missing []bool, maxCat int) ColumnType {
	distinct := map[string]struct{}{}
	numeric, present, length := true, 0, 0
	for i, s := range vals {
		if missing[i] {
			continue
		}
		present++
		s = strings.TrimSpace(s)
		length += len(s)
		if numeric {
			if _, ok := parseNumber(s); !ok {
				numeric = false
			}
		}
		if len(distinct) <= maxCat {
			distinct[s] = struct{}{}
		}
	}
	switch {
	case numeric:
		return Number
	case len(distinct) > maxCat, present >= 20 && len(distinct) == present, length > 64*present:
		return Text
	}
	return Category
}

func detectHeader(records [][]string, isMissing func(string) bool) bool {
	first := records[0]
	seen := map[string]bool{}
	for _, f := range first {
		if isMissing(f) || seen[f] {
			return false
		}
		if _, ok := parseNumber(f); ok {
			return false
		}
		seen[f] = true
	}
	if len(records) == 1 {
		return true
	}
	// A column of numbers under a non-number is strong evidence.
	for j := range first {
		numeric, any := true, false
		for _, rec := range records[1:] {
			if isMissing(rec[j]) {
				continue
			}
			any = true
			if _, ok := parseNumber(rec[j]); !ok {
				numeric = false
				break
			}
		}
		if numeric && any {
			return true
		}
	}
	// Otherwise a header's names should not recur below them.
	for j, f := range first {
		for _, rec := range records[1:] {
			if rec[j] == f {
				return false
			}
		}
	}
	return true
}
