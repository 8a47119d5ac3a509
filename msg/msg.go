// Package msg holds the structured, translatable messages that kaiwu's
// domains (finance, compute, …) return for people to read: a note about an
// approximation, a label on a chart marker, the reasons for a choice. It
// is a small neutral package that every domain may import, so domains
// share this type instead of importing each other (docs: DESIGN.md,
// "share through small types, not imports"); it imports nothing of kaiwu.
//
// A Note carries a stable Code and its Args, so an edge (CLI, dashboard,
// report) can render it in the user's language from its own catalogue,
// and the English Text, so callers and JSON consumers that only want a
// sentence keep one.
//
// The domain owns the English template of each code ("{name}"
// placeholders, filled from Args with Format); a catalogue at the edge
// holds the same template and its translations, keyed by code, and tests
// there check that every code has both.
package msg

import (
	"slices"
	"strings"
)

// Note is one message: a stable code, its parameters and the English
// sentence they make.
type Note struct {
	// Code names the kind of message ("safe-premoney-approx"); it never
	// changes once published, so scripts and catalogues can key on it.
	Code string `json:"code"`
	// Args are the values the message mentions, by placeholder name
	// ("safe": "angel-2"); numbers are already formatted.
	Args map[string]string `json:"args,omitempty"`
	// Text is the message in English.
	Text string `json:"text"`
}

// String returns the English text.
func (n Note) String() string { return n.Text }

// New makes a Note from an English template and alternating
// placeholder/value pairs: New("c", "{safe} converts", "safe", "A").
// A dangling name without a value is ignored.
func New(code, english string, kv ...string) Note {
	n := Note{Code: code}
	if len(kv) >= 2 {
		n.Args = make(map[string]string, len(kv)/2)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Args[kv[i]] = kv[i+1]
	}
	n.Text = Format(english, n.Args)
	return n
}

// Format replaces each "{name}" in tmpl by args[name]. A placeholder
// without an argument is left as it is, so a missing value shows rather
// than vanishes.
func Format(tmpl string, args map[string]string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		name := tmpl[i+1 : i+j]
		b.WriteString(tmpl[:i])
		if v, ok := args[name]; ok && validName(name) {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[i : i+j+1])
		}
		tmpl = tmpl[i+j+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

// Placeholders lists the distinct placeholder names in tmpl, sorted
// (for tests that check a translation mentions what the original does).
func Placeholders(tmpl string) []string {
	var out []string
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		if name := tmpl[i+1 : i+j]; validName(name) {
			out = append(out, name)
		}
		tmpl = tmpl[i+j+1:]
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// validName reports whether s is a placeholder name: lower-case letters,
// digits and underscores, not empty.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Catalogue is the English templates of a domain's codes.
type Catalogue map[string]string

// Codes lists the catalogue's codes, sorted.
func (c Catalogue) Codes() []string {
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Make makes a Note with code from the catalogue's English template; it
// panics on an unknown code (a programming error every test reaches).
func (c Catalogue) Make(code string, kv ...string) Note {
	t, ok := c[code]
	if !ok {
		panic("msg: unknown code " + code)
	}
	return New(code, t, kv...)
}

// Texts returns the notes' English texts, in order (nil for none): the
// plain "notes" list of a JSON output whose "note_details" holds the
// notes themselves.
func Texts(notes []Note) []string {
	if len(notes) == 0 {
		return nil
	}
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = n.Text
	}
	return out
}
