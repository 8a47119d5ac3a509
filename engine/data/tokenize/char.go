// Package tokenize turns text into token ids and back: a character-level
// tokenizer over Unicode code points (suited to Chinese, where a
// character is a word-like unit) and a byte-level BPE tokenizer in the
// style of GPT-2.
package tokenize

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Special tokens of the character tokenizer, always ids 0–3.
const (
	Pad = "<pad>"
	Unk = "<unk>"
	BOS = "<bos>"
	EOS = "<eos>"
)

// Ids of the special tokens.
const (
	PadID = iota
	UnkID
	BOSID
	EOSID
	numSpecial
)

// Char is a character-level tokenizer: one id per Unicode code point of
// the vocabulary, after the four specials. Code points not in the
// vocabulary encode as <unk>.
type Char struct {
	runes []rune       // id - numSpecial → rune
	ids   map[rune]int // rune → id
}

// BuildChar builds a vocabulary from texts: every code point occurring
// at least minFreq times (minFreq < 1 counts as 1), ordered by falling
// frequency and then by code point, so the same corpus always gives the
// same ids. Invalid UTF-8 is an error naming the text and byte offset.
func BuildChar(texts []string, minFreq int) (*Char, error) {
	counts := map[rune]int{}
	for k, s := range texts {
		for off, r := range s {
			if r == utf8.RuneError {
				if _, n := utf8.DecodeRuneInString(s[off:]); n <= 1 {
					return nil, fmt.Errorf("tokenize: text %d: byte %d: invalid UTF-8", k, off)
				}
			}
			counts[r]++
		}
	}
	var runes []rune
	for r, n := range counts {
		if n >= max(minFreq, 1) {
			runes = append(runes, r)
		}
	}
	slices.SortFunc(runes, func(a, b rune) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return int(a - b)
	})
	return newChar(runes)
}

func newChar(runes []rune) (*Char, error) {
	c := &Char{runes: runes, ids: make(map[rune]int, len(runes))}
	for i, r := range runes {
		if !utf8.ValidRune(r) {
			return nil, fmt.Errorf("tokenize: char vocab: entry %d (%U) is not a valid code point", i, r)
		}
		if _, dup := c.ids[r]; dup {
			return nil, fmt.Errorf("tokenize: char vocab: %q appears twice", r)
		}
		c.ids[r] = i + numSpecial
	}
	return c, nil
}

// VocabSize is the number of ids, specials included.
func (c *Char) VocabSize() int { return len(c.runes) + numSpecial }

// Encode returns the ids of s's code points (invalid UTF-8 bytes become
// <unk>, as do unknown characters).
func (c *Char) Encode(s string) []int { return c.AppendEncode(make([]int, 0, len(s)), s) }

// AppendEncode appends the ids of s to dst, so a caller can reuse a
// buffer.
func (c *Char) AppendEncode(dst []int, s string) []int {
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		id, ok := c.ids[r]
		if !ok || (r == utf8.RuneError && n == 1) {
			id = UnkID
		}
		dst = append(dst, id)
	}
	return dst
}

// Decode turns ids back into text. <pad>, <bos> and <eos> decode to
// nothing, <unk> to U+FFFD; an id outside the vocabulary is an error.
// Decode(Encode(s)) == s whenever every character of s is in the
// vocabulary.
func (c *Char) Decode(ids []int) (string, error) {
	var b strings.Builder
	b.Grow(len(ids))
	for k, id := range ids {
		switch {
		case id == UnkID:
			b.WriteRune(utf8.RuneError)
		case id >= numSpecial && id < c.VocabSize():
			b.WriteRune(c.runes[id-numSpecial])
		case id >= 0 && id < numSpecial:
		default:
			return "", fmt.Errorf("tokenize: decode: position %d: id %d outside the vocabulary of %d", k, id, c.VocabSize())
		}
	}
	return b.String(), nil
}

// Token returns the text of one id ("<pad>" etc. for specials).
func (c *Char) Token(id int) string {
	switch {
	case id >= numSpecial && id < c.VocabSize():
		return string(c.runes[id-numSpecial])
	case id >= 0 && id < numSpecial:
		return [...]string{Pad, Unk, BOS, EOS}[id]
	}
	return ""
}

type charJSON struct {
	Type     string   `json:"type"`
	Specials []string `json:"specials"`
	Chars    []string `json:"chars"`
}

// MarshalJSON writes {"type":"char","specials":[…],"chars":[…]} with
// the characters in id order.
func (c *Char) MarshalJSON() ([]byte, error) {
	out := charJSON{Type: "char", Specials: []string{Pad, Unk, BOS, EOS}, Chars: make([]string, len(c.runes))}
	for i, r := range c.runes {
		out.Chars[i] = string(r)
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads what MarshalJSON wrote, checking that every entry
// is exactly one code point and appears once.
func (c *Char) UnmarshalJSON(b []byte) error {
	var in charJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("tokenize: char json: %w", err)
	}
	if in.Type != "char" || !slices.Equal(in.Specials, []string{Pad, Unk, BOS, EOS}) {
		return fmt.Errorf("tokenize: char json: type %q with specials %q is not a char vocabulary", in.Type, in.Specials)
	}
	runes := make([]rune, len(in.Chars))
	for i, s := range in.Chars {
		r, n := utf8.DecodeRuneInString(s)
		if n != len(s) || n == 0 || (r == utf8.RuneError && n == 1) {
			return fmt.Errorf("tokenize: char json: entry %d %q is not one character", i, s)
		}
		runes[i] = r
	}
	nc, err := newChar(runes)
	if err != nil {
		return err
	}
	*c = *nc
	return nil
}
