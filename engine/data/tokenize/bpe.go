package tokenize

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"
)

// BPE is a byte-level byte-pair-encoding tokenizer in the style of
// GPT-2 (Radford et al., 2019) after Sennrich, Haddow and Birch (2016),
// "Neural Machine Translation of Rare Words with Subword Units": ids
// 0–255 are the bytes themselves, and id 256+k is the k-th learned merge
// of two earlier ids. Any byte string, valid UTF-8 or not, encodes, and
// Decode(Encode(s)) == s exactly.
//
// Text is first split into chunks the way GPT-2's pattern does (an
// optional leading space with a run of letters, of digits or of other
// symbols; English contractions; runs of white space), and merges never
// cross a chunk boundary.
type BPE struct {
	merges [][2]int
	ranks  map[[2]int]int // pair → merge index
	vocab  [][]byte       // id → bytes
}

// Merges returns the learned merges in order; merge k made id 256+k.
func (t *BPE) Merges() [][2]int { return append([][2]int(nil), t.merges...) }

// VocabSize is 256 plus the number of merges.
func (t *BPE) VocabSize() int { return len(t.vocab) }

// Token returns the bytes of id, or nil outside the vocabulary.
func (t *BPE) Token(id int) []byte {
	if id < 0 || id >= len(t.vocab) {
		return nil
	}
	return t.vocab[id]
}

// NewBPE builds a tokenizer from merges (as Merges returns), checking
// that every merge joins ids that exist before it and is not repeated.
func NewBPE(merges [][2]int) (*BPE, error) {
	t := &BPE{ranks: make(map[[2]int]int, len(merges)), vocab: make([][]byte, 256, 256+len(merges))}
	for b := range 256 {
		t.vocab[b] = []byte{byte(b)}
	}
	for k, m := range merges {
		id := 256 + k
		if m[0] < 0 || m[1] < 0 || m[0] >= id || m[1] >= id {
			return nil, fmt.Errorf("tokenize: bpe: merge %d joins ids %v, not both below %d", k, m, id)
		}
		if _, dup := t.ranks[m]; dup {
			return nil, fmt.Errorf("tokenize: bpe: merge %d repeats the pair %v", k, m)
		}
		t.ranks[m] = k
		t.vocab = append(t.vocab, append(append([]byte(nil), t.vocab[m[0]]...), t.vocab[m[1]]...))
	}
	t.merges = append([][2]int(nil), merges...)
	return t, nil
}

// TrainBPE learns merges on texts until the vocabulary has vocabSize ids
// or no pair occurs at least minFreq times (minFreq < 2 counts as 2, so
// no merge is learned from a single occurrence). Each step merges the
// most frequent adjacent pair within chunks, counting each chunk as
// often as it occurs (Sennrich et al. 2016, Algorithm 1); ties go to the
// smallest pair (by first id, then second), so training is deterministic.
func TrainBPE(texts []string, vocabSize, minFreq int) (*BPE, error) {
	counts := map[string]int{}
	for _, s := range texts {
		for _, c := range Chunks(s) {
			counts[c]++
		}
	}
	return TrainBPEChunks(counts, vocabSize, minFreq)
}

// TrainBPEChunks is TrainBPE on chunks already counted, e.g. a word
// frequency table.
func TrainBPEChunks(counts map[string]int, vocabSize, minFreq int) (*BPE, error) {
	if vocabSize < 256 || vocabSize > 1<<20 {
		return nil, fmt.Errorf("tokenize: bpe: vocabulary size %d is outside [256, %d]", vocabSize, 1<<20)
	}
	minFreq = max(minFreq, 2)
	// Words in a fixed order, so that training is deterministic.
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	words := make([][]int, len(keys))
	freq := make([]int, len(keys))
	pairs := map[[2]int]int{}
	where := map[[2]int]map[int]struct{}{}
	h := &pairHeap{}
	addWord := func(w, sign int) {
		syms := words[w]
		for i := 0; i+1 < len(syms); i++ {
			p := [2]int{syms[i], syms[i+1]}
			pairs[p] += sign * freq[w]
			if sign > 0 {
				if where[p] == nil {
					where[p] = map[int]struct{}{}
				}
				where[p][w] = struct{}{}
			}
		}
	}
	for w, k := range keys {
		if counts[k] <= 0 {
			continue
		}
		freq[w] = counts[k]
		words[w] = make([]int, len(k))
		for i := range len(k) {
			words[w][i] = int(k[i])
		}
		addWord(w, 1)
	}
	for p, c := range pairs {
		heap.Push(h, pairCount{p, c})
	}
	var merges [][2]int
	for 256+len(merges) < vocabSize && h.Len() > 0 {
		top := heap.Pop(h).(pairCount)
		if pairs[top.pair] != top.count || top.count <= 0 {
			continue // stale entry
		}
		if top.count < minFreq {
			break
		}
		p, id := top.pair, 256+len(merges)
		merges = append(merges, p)
		touched := map[[2]int]struct{}{}
		for w := range where[p] {
			syms := words[w]
			if !containsPair(syms, p) {
				continue
			}
			for i := 0; i+1 < len(syms); i++ {
				touched[[2]int{syms[i], syms[i+1]}] = struct{}{}
			}
			addWord(w, -1)
			out := syms[:0]
			for i := 0; i < len(syms); i++ {
				if i+1 < len(syms) && syms[i] == p[0] && syms[i+1] == p[1] {
					out = append(out, id)
					i++
				} else {
					out = append(out, syms[i])
				}
			}
			words[w] = out
			addWord(w, 1)
			for i := 0; i+1 < len(out); i++ {
				touched[[2]int{out[i], out[i+1]}] = struct{}{}
			}
		}
		delete(where, p)
		for q := range touched {
			if c := pairs[q]; c > 0 {
				heap.Push(h, pairCount{q, c})
			} else {
				delete(pairs, q)
			}
		}
	}
	return NewBPE(merges)
}

func containsPair(syms []int, p [2]int) bool {
	for i := 0; i+1 < len(syms); i++ {
		if syms[i] == p[0] && syms[i+1] == p[1] {
			return true
		}
	}
	return false
}

type pairCount struct {
	pair  [2]int
	count int
}

// pairHeap pops the largest count first, then the smallest pair.
type pairHeap []pairCount

func (h pairHeap) Len() int { return len(h) }
func (h pairHeap) Less(i, j int) bool {
	if h[i].count != h[j].count {
		return h[i].count > h[j].count
	}
	if h[i].pair[0] != h[j].pair[0] {
		return h[i].pair[0] < h[j].pair[0]
	}
	return h[i].pair[1] < h[j].pair[1]
}
func (h pairHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *pairHeap) Push(x any)   { *h = append(*h, x.(pairCount)) }
func (h *pairHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Encode returns the ids of s.
func (t *BPE) Encode(s string) []int { return t.AppendEncode(make([]int, 0, len(s)/2+1), s) }

// AppendEncode appends the ids of s to dst. Within each chunk it
// repeatedly merges the adjacent pair with the earliest merge rank, as
// GPT-2's encoder does, so encoding reproduces training's segmentation.
func (t *BPE) AppendEncode(dst []int, s string) []int {
	for len(s) > 0 {
		n := nextChunk(s)
		chunk := s[:n]
		s = s[n:]
		start := len(dst)
		for i := range len(chunk) {
			dst = append(dst, int(chunk[i]))
		}
		syms := dst[start:]
		for len(syms) > 1 {
			best, bestRank := -1, len(t.merges)
			for i := 0; i+1 < len(syms); i++ {
				if r, ok := t.ranks[[2]int{syms[i], syms[i+1]}]; ok && r < bestRank {
					best, bestRank = i, r
				}
			}
			if best < 0 {
				break
			}
			p, id := t.merges[bestRank], 256+bestRank
			out := syms[:0]
			for i := 0; i < len(syms); i++ {
				if i+1 < len(syms) && syms[i] == p[0] && syms[i+1] == p[1] {
					out = append(out, id)
					i++
				} else {
					out = append(out, syms[i])
				}
			}
			syms = out
		}
		dst = dst[:start+len(syms)]
	}
	return dst
}

// Decode returns the bytes of ids as a string (not necessarily valid
// UTF-8 if ids is a partial sequence). An id outside the vocabulary is
// an error naming its position.
func (t *BPE) Decode(ids []int) (string, error) {
	n := 0
	for k, id := range ids {
		if id < 0 || id >= len(t.vocab) {
			return "", fmt.Errorf("tokenize: bpe decode: position %d: id %d outside the vocabulary of %d", k, id, len(t.vocab))
		}
		n += len(t.vocab[id])
	}
	b := make([]byte, 0, n)
	for _, id := range ids {
		b = append(b, t.vocab[id]...)
	}
	return string(b), nil
}

type bpeJSON struct {
	Type    string   `json:"type"`
	Version int      `json:"version"`
	Merges  [][2]int `json:"merges"`
}

// MarshalJSON writes {"type":"byte_bpe","version":1,"merges":[[a,b],…]}.
func (t *BPE) MarshalJSON() ([]byte, error) {
	m := t.merges
	if m == nil {
		m = [][2]int{}
	}
	return json.Marshal(bpeJSON{Type: "byte_bpe", Version: 1, Merges: m})
}

// UnmarshalJSON reads what MarshalJSON wrote, with NewBPE's checks.
func (t *BPE) UnmarshalJSON(b []byte) error {
	var in bpeJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("tokenize: bpe json: %w", err)
	}
	if in.Type != "byte_bpe" || in.Version != 1 {
		return fmt.Errorf("tokenize: bpe json: type %q version %d is not byte_bpe version 1", in.Type, in.Version)
	}
	nt, err := NewBPE(in.Merges)
	if err != nil {
		return err
	}
	*t = *nt
	return nil
}

// Chunks splits s into the pieces BPE merges within (see BPE). The
// chunks concatenate to s exactly.
func Chunks(s string) []string {
	var out []string
	for len(s) > 0 {
		n := nextChunk(s)
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

type class int

const (
	clsSpace class = iota
	clsLetter
	clsNumber
	clsOther
)

func classOf(r rune) class {
	switch {
	case unicode.IsSpace(r):
		return clsSpace
	case unicode.IsLetter(r):
		return clsLetter
	case unicode.IsNumber(r):
		return clsNumber
	}
	return clsOther
}

var contractions = []string{"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"}

// nextChunk returns the byte length (> 0) of the chunk at the start of
// s, following GPT-2's pattern
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func nextChunk(s string) int {
	for _, c := range contractions {
		if len(s) >= len(c) && s[:len(c)] == c {
			return len(c)
		}
	}
	r, _ := utf8.DecodeRuneInString(s)
	cls := classOf(r)
	i := 0
	if r == ' ' && len(s) > 1 {
		r2, _ := utf8.DecodeRuneInString(s[1:])
		if c2 := classOf(r2); c2 != clsSpace {
			cls, i = c2, 1
		}
	}
	if cls != clsSpace {
		// A run of one class after the optional space.
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if classOf(r) != cls {
				break
			}
			i += n
		}
		return i
	}
	// White space: the whole run, but leave its last character to the
	// next chunk when a non-space follows (\s+(?!\S)), unless the run is
	// a single character.
	j, last := 0, 0
	for j < len(s) {
		r, m := utf8.DecodeRuneInString(s[j:])
		if classOf(r) != clsSpace {
			break
		}
		last = j
		j += m
	}
	if j < len(s) && last > 0 {
		return last
	}
	return j
}
