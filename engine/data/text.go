package data

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// MaxTextBytes bounds what ReadText and ReadTextDir read (256 MiB in all).
const MaxTextBytes = 256 << 20

// CheckUTF8 returns an error naming the byte offset of the first invalid
// UTF-8 sequence in b, or nil.
func CheckUTF8(b []byte, name string) error {
	for off := 0; off < len(b); {
		if b[off] < utf8.RuneSelf {
			off++
			continue
		}
		r, n := utf8.DecodeRune(b[off:])
		if r == utf8.RuneError && n <= 1 {
			return fmt.Errorf("data: text %s: byte %d: invalid UTF-8 (0x%02x)", name, off, b[off])
		}
		off += n
	}
	return nil
}

// ReadText reads a UTF-8 text file. A leading byte-order mark is
// dropped; invalid UTF-8 is an error naming the byte offset.
func ReadText(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("data: text: %w", err)
	}
	if info.Size() > MaxTextBytes {
		return "", fmt.Errorf("data: text %s: %d bytes exceed the limit of %d", path, info.Size(), MaxTextBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("data: text: %w", err)
	}
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	if err := CheckUTF8(b, path); err != nil {
		return "", err
	}
	return string(b), nil
}

// Document is one text file of a folder.
type Document struct {
	Path string
	Text string
}

// ReadTextDir reads every regular file under dir whose name ends in one
// of exts (e.g. ".txt"; all files when exts is empty), recursively and
// in lexical path order, with ReadText's checks and MaxTextBytes in all.
func ReadTextDir(dir string, exts ...string) ([]Document, error) {
	var docs []Document
	total := int64(0)
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.Type().IsRegular() {
			return nil
		}
		if len(exts) > 0 {
			ok := false
			for _, x := range exts {
				ok = ok || strings.HasSuffix(e.Name(), x)
			}
			if !ok {
				return nil
			}
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if total += info.Size(); total > MaxTextBytes {
			return fmt.Errorf("data: text %s: the folder's files exceed the limit of %d bytes", dir, MaxTextBytes)
		}
		s, err := ReadText(path)
		if err != nil {
			return err
		}
		docs = append(docs, Document{Path: path, Text: s})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("data: text folder: %w", err)
	}
	return docs, nil
}

// Poem is one poem of a fortune file such as fortunes-zh's tang300.
type Poem struct {
	Title  string   // e.g. 静夜思 (without the 《》)
	Author string   // e.g. 李白 (without the 作者： label)
	Lines  []string // the body, one line per line of the file
}

// Text renders the poem as a char-level model should see it: the title
// line, the author line and the body, newline-terminated.
func (p Poem) Text() string {
	var b strings.Builder
	b.WriteString("《" + p.Title + "》\n")
	if p.Author != "" {
		b.WriteString(p.Author + "\n")
	}
	for _, l := range p.Lines {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// TangPoems reads a fortune file of poems, such as the 300 Tang poems
// (唐诗三百首) that Debian's fortunes-zh installs as
// /usr/share/games/fortunes/tang300: entries separated by lines holding
// only "%", each a title line 《…》, an author line 作者：…, then the
// body. ANSI colour escapes are removed and blank lines dropped. An entry
// without a 《title》 line is an error naming its line.
func TangPoems(path string) ([]Poem, error) {
	s, err := ReadText(path)
	if err != nil {
		return nil, err
	}
	return ParseTangPoems(s, path)
}

// ParseTangPoems splits fortune-file text s into poems (see TangPoems);
// name is used in errors.
func ParseTangPoems(s, name string) ([]Poem, error) {
	var poems []Poem
	var cur []string
	start := 1
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		t := cur[0]
		if !strings.HasPrefix(t, "《") || !strings.HasSuffix(t, "》") {
			return fmt.Errorf("data: poems %s: line %d: entry starts with %q, not a 《title》 line", name, start, t)
		}
		p := Poem{Title: strings.TrimSuffix(strings.TrimPrefix(t, "《"), "》")}
		body := cur[1:]
		if len(body) > 0 {
			if a, ok := strings.CutPrefix(body[0], "作者："); ok {
				p.Author, body = strings.TrimSpace(a), body[1:]
			}
		}
		p.Lines = append([]string(nil), body...)
		poems = append(poems, p)
		cur = cur[:0]
		return nil
	}
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range lines {
		l = strings.TrimSpace(stripANSI(l))
		if l == "%" {
			if err := flush(); err != nil {
				return nil, err
			}
			start = i + 2
			continue
		}
		if l == "" {
			if len(cur) == 0 {
				start = i + 2
			}
			continue
		}
		cur = append(cur, l)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return poems, nil
}

// stripANSI removes CSI escape sequences (ESC [ … final byte).
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
