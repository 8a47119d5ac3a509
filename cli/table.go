package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rivo/uniseg"
)

// Table is a human-readable table: a header row and data rows. Columns are
// aligned by display width, so Chinese (double-width) text lines up.
type Table struct {
	Header []string
	Rows   [][]string
	// Right marks columns to right-align (numbers).
	Right map[int]bool
}

// Write renders the table with two spaces between columns.
func (t Table) Write(w io.Writer) error {
	ncol := len(t.Header)
	for _, r := range t.Rows {
		if len(r) > ncol {
			ncol = len(r)
		}
	}
	width := make([]int, ncol)
	measure := func(r []string) {
		for i, c := range r {
			if n := uniseg.StringWidth(c); n > width[i] {
				width[i] = n
			}
		}
	}
	measure(t.Header)
	for _, r := range t.Rows {
		measure(r)
	}
	var b strings.Builder
	line := func(r []string) {
		for i := 0; i < ncol; i++ {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			pad := strings.Repeat(" ", width[i]-uniseg.StringWidth(c))
			if t.Right[i] {
				b.WriteString(pad + c)
			} else if i < ncol-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
			if i < ncol-1 {
				b.WriteString("  ")
			}
		}
		b.WriteByte('\n')
	}
	if len(t.Header) > 0 {
		line(t.Header)
		sep := make([]string, ncol)
		for i := range sep {
			sep[i] = strings.Repeat("-", width[i])
		}
		line(sep)
	}
	for _, r := range t.Rows {
		line(r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding JSON output: %w", err)
	}
	return nil
}
