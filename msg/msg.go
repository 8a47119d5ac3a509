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
	"errors"
	"fmt"
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
	rest := scan(tmpl, func(before, name string) {
		b.WriteString(before)
		if v, ok := args[name]; ok && validName(name) {
			b.WriteString(v)
		} else {
			b.WriteString("{" + name + "}")
		}
	})
	b.WriteString(rest)
	return b.String()
}

// scan calls f, in order, for each "{…}" in tmpl with the text before it
// (since the previous one) and the text inside the braces, and returns
// the text after the last: an unclosed "{" stays in that rest.
func scan(tmpl string, f func(before, inside string)) (rest string) {
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			return tmpl
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			return tmpl
		}
		f(tmpl[:i], tmpl[i+1:i+j])
		tmpl = tmpl[i+j+1:]
	}
}

// Placeholders lists the distinct placeholder names in tmpl, sorted
// (for tests that check a translation mentions what the original does).
func Placeholders(tmpl string) []string {
	var out []string
	scan(tmpl, func(_, name string) {
		if validName(name) {
			out = append(out, name)
		}
	})
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

// Check reports whether n is one of the catalogue's codes whose English
// template, filled from n's Args, is n's Text, with Args naming exactly
// the template's placeholders; the error says what differs.
func (c Catalogue) Check(n Note) error {
	tmpl, ok := c[n.Code]
	if !ok {
		return fmt.Errorf("%q: not in the catalogue", n.Code)
	}
	args := make([]string, 0, len(n.Args))
	for k := range n.Args {
		args = append(args, k)
	}
	slices.Sort(args)
	var errs []error
	if want := Placeholders(tmpl); !slices.Equal(args, want) {
		errs = append(errs, fmt.Errorf("%s: args %v, template names %v", n.Code, args, want))
	}
	if got := Format(tmpl, n.Args); got != n.Text {
		errs = append(errs, fmt.Errorf("%s: text %q, template gives %q", n.Code, n.Text, got))
	}
	return errors.Join(errs...)
}

// CheckTranslations checks an edge's catalogue against the domain
// catalogues it translates. domains maps a key prefix ("note.exit.") to
// a domain's Catalogue; keys lists the edge catalogue's keys and lookup
// returns a key's English and Chinese texts (ok false when it has none).
// Every domain code must have a key (prefix + code) whose English is the
// domain's template and whose Chinese is there, differs from the English
// and names the same placeholders; every key under a prefix must name a
// code of that domain. It returns one error per problem, in the order of
// the sorted prefixes and codes, then of keys.
func CheckTranslations(domains map[string]Catalogue, keys []string, lookup func(key string) (en, zh string, ok bool)) []error {
	prefixes := make([]string, 0, len(domains))
	for p := range domains {
		prefixes = append(prefixes, p)
	}
	slices.Sort(prefixes)
	var errs []error
	for _, prefix := range prefixes {
		domain := domains[prefix]
		for _, code := range domain.Codes() {
			key := prefix + code
			en, zh, ok := lookup(key)
			if !ok {
				errs = append(errs, fmt.Errorf("%s: not in the catalogue", key))
				continue
			}
			if en != domain[code] {
				errs = append(errs, fmt.Errorf("%s: English %q differs from the domain's %q", key, en, domain[code]))
			}
			if zh == "" || zh == en {
				errs = append(errs, fmt.Errorf("%s: no Chinese", key))
			}
			if a, b := Placeholders(en), Placeholders(zh); !slices.Equal(a, b) {
				errs = append(errs, fmt.Errorf("%s: Chinese names %v, English %v", key, b, a))
			}
		}
	}
	for _, k := range keys {
		for _, prefix := range prefixes {
			if code, ok := strings.CutPrefix(k, prefix); ok && domains[prefix][code] == "" {
				errs = append(errs, fmt.Errorf("%s: no such code in the domain's catalogue", k))
			}
		}
	}
	return errs
}
