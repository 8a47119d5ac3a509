package tokenize

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var samples = []string{
	"",
	"hello world",
	"床前明月光，疑是地上霜。",
	"emoji 🙂👍🏽 and 👨‍👩‍👧 families",
	"mixed 中文 and English, numbers 12345!\n\ttabs  and   spaces  ",
	"don't we'll they've I'm",
}

func TestCharRoundTrip(t *testing.T) {
	c, err := BuildChar(samples, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		ids := c.Encode(s)
		if len(ids) != utf8.RuneCountInString(s) {
			t.Fatalf("%q: %d ids for %d code points", s, len(ids), utf8.RuneCountInString(s))
		}
		got, err := c.Decode(ids)
		if err != nil || got != s {
			t.Fatalf("round trip of %q = %q, %v", s, got, err)
		}
	}
	// Unknown characters become <unk>; specials decode to nothing.
	ids := c.Encode("月X")
	if ids[1] != UnkID {
		t.Fatalf("unknown X encoded as %d", ids[1])
	}
	if got, _ := c.Decode([]int{BOSID, ids[0], EOSID, PadID}); got != "月" {
		t.Fatalf("decode with specials = %q", got)
	}
	if _, err := c.Decode([]int{c.VocabSize()}); err == nil || !strings.Contains(err.Error(), "position 0") {
		t.Fatalf("out-of-range id: %v", err)
	}
	if c.Token(PadID) != "<pad>" || c.Token(ids[0]) != "月" {
		t.Fatalf("tokens %q %q", c.Token(PadID), c.Token(ids[0]))
	}
}

func TestCharMinFrequencyAndOrder(t *testing.T) {
	c, err := BuildChar([]string{"明月明月光", "月"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	// 月 ×3, 明 ×2; 光 ×1 is dropped. Most frequent first.
	if c.VocabSize() != 6 || c.Token(4) != "月" || c.Token(5) != "明" {
		t.Fatalf("vocab %d: %q %q", c.VocabSize(), c.Token(4), c.Token(5))
	}
	if _, err := BuildChar([]string{"ok", "bad\xff"}, 1); err == nil || !strings.Contains(err.Error(), "text 1: byte 3") {
		t.Fatalf("invalid UTF-8: %v", err)
	}
}

func TestCharJSON(t *testing.T) {
	c, _ := BuildChar(samples, 1)
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var d Char
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		if !slices.Equal(c.Encode(s), d.Encode(s)) {
			t.Fatalf("loaded vocabulary encodes %q differently", s)
		}
	}
	for _, bad := range []string{`{"type":"char","specials":["<pad>","<unk>","<bos>","<eos>"],"chars":["ab"]}`,
		`{"type":"char","specials":["<pad>","<unk>","<bos>","<eos>"],"chars":["a","a"]}`,
		`{"type":"bpe"}`, `[`} {
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// TestBPEHandWorked checks training against an example worked by hand
// on the word counts of Sennrich, Haddow and Birch (2016), "Neural
// Machine Translation of Rare Words with Subword Units", §3.2:
// {low: 5, lower: 2, newest: 6, widest: 3}. Byte-level BPE has no
// end-of-word symbol, so the paper's merge "est </w>" has no counterpart;
// the others come in the paper's order (e s → es, es t → est, l o → lo,
// lo w → low). Pair counts at each step:
//
//  1. e s 9, s t 9 (tie → smaller pair): es
//  2. es t 9: est
//  3. l o 7, o w 7 (tie): lo
//  4. lo w 7: low
//  5. n e 6, e w 6, w est 6 (tie → (e, w) has the smallest first id): ew
//  6. n ew 6, ew est 6 (tie → 'n' < 260): new
//  7. new est 6: newest
//
// after which only pairs seen at most 3 times remain (w i, i d, d est 3).
func TestBPEHandWorked(t *testing.T) {
	bpe, err := TrainBPEChunks(map[string]int{"low": 5, "lower": 2, "newest": 6, "widest": 3}, 256+7, 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for id := 256; id < bpe.VocabSize(); id++ {
		got = append(got, string(bpe.Token(id)))
	}
	want := []string{"es", "est", "lo", "low", "ew", "new", "newest"}
	if !slices.Equal(got, want) {
		t.Fatalf("merges %q, want %q", got, want)
	}
	// "lowest", unseen in training, segments as low + est (the paper's
	// example of generalising to an unseen word).
	if ids := bpe.Encode("lowest"); !slices.Equal(ids, []int{259, 257}) {
		t.Fatalf("lowest = %v, want [259 257] (low, est)", ids)
	}
	// Two more merges: (d, est) 3 versus (i, d) 3 and (w, i) 3 → 'd' < 'i' < 'w'.
	bpe, _ = TrainBPEChunks(map[string]int{"low": 5, "lower": 2, "newest": 6, "widest": 3}, 256+8, 2)
	if s := string(bpe.Token(263)); s != "dest" {
		t.Fatalf("merge 8 = %q, want dest", s)
	}
	// minFreq stops training early: nothing occurs 10 times.
	bpe, _ = TrainBPEChunks(map[string]int{"low": 5, "lower": 2, "newest": 6, "widest": 3}, 1000, 10)
	if bpe.VocabSize() != 256 {
		t.Fatalf("minFreq 10 learned %d merges", bpe.VocabSize()-256)
	}
}

func TestChunksFollowGPT2(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Hello world  it's 2024!", []string{"Hello", " world", " ", " it", "'s", " 2024", "!"}},
		{"床前明月光，疑是", []string{"床前明月光", "，", "疑是"}},
		{"a\n\nb ", []string{"a", "\n", "\n", "b", " "}},
		{"x  \ny", []string{"x", "  ", "\n", "y"}},
	} {
		got := Chunks(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Chunks(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestBPERoundTripAndJSON(t *testing.T) {
	bpe, err := TrainBPE(samples, 400, 2)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(bpe)
	if err != nil {
		t.Fatal(err)
	}
	var loaded BPE
	if err := json.Unmarshal(b, &loaded); err != nil {
		t.Fatal(err)
	}
	for _, s := range append(samples, "unseen 文字 🚀 and bytes \xff\xfe\x00 ok") {
		ids := bpe.Encode(s)
		got, err := loaded.Decode(ids)
		if err != nil || got != s {
			t.Fatalf("round trip of %q = %q, %v", s, got, err)
		}
		if !slices.Equal(ids, loaded.Encode(s)) {
			t.Fatalf("loaded tokenizer encodes %q differently", s)
		}
	}
	if _, err := bpe.Decode([]int{-1}); err == nil {
		t.Fatal("id -1 decoded")
	}
	for _, bad := range []string{`{"type":"byte_bpe","version":1,"merges":[[0,256]]}`,
		`{"type":"byte_bpe","version":1,"merges":[[1,2],[1,2]]}`,
		`{"type":"byte_bpe","version":2,"merges":[]}`} {
		if err := json.Unmarshal([]byte(bad), &loaded); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	if _, err := TrainBPE(samples, 100, 2); err == nil {
		t.Fatal("vocabulary below 256 accepted")
	}
}

// TestBPEOnTangPoems trains on the 300 Tang poems when fortunes-zh is
// installed; the char-GPT of the engine trains on the same text.
func TestBPEOnTangPoems(t *testing.T) {
	b, err := os.ReadFile("/usr/share/games/fortunes/tang300")
	if err != nil {
		t.Skipf("fortunes-zh not installed (apt-get install fortunes-zh): %v", err)
	}
	text := string(b)
	bpe, err := TrainBPE([]string{text}, 1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	ids := bpe.Encode(text)
	got, _ := bpe.Decode(ids)
	if got != text {
		t.Fatal("Tang poems do not round-trip")
	}
	// Each Chinese character is 3 bytes; 768 merges should at least
	// join the bytes of the common characters.
	if ratio := float64(len(b)) / float64(len(ids)); ratio < 2 {
		t.Fatalf("compression %.2f bytes per token, want > 2", ratio)
	}
	c, err := BuildChar([]string{text}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tang300: %d bytes → %d BPE tokens (vocab %d); %d distinct characters", len(b), len(ids), bpe.VocabSize(), c.VocabSize()-4)
}

func FuzzCharRoundTrip(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := BuildChar([]string{s}, 1)
		if !utf8.ValidString(s) {
			if err == nil {
				t.Fatal("invalid UTF-8 accepted")
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decode(c.Encode(s))
		if err != nil || got != s {
			t.Fatalf("round trip of %q = %q, %v", s, got, err)
		}
	})
}

func FuzzBPERoundTrip(f *testing.F) {
	f.Add("the cat sat on the mat", "the hat")
	f.Add("床前明月光床前明月光", "明月🙂\xff")
	f.Fuzz(func(t *testing.T, corpus, s string) {
		bpe, err := TrainBPE([]string{corpus}, 300, 2)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(Chunks(s), "") != s {
			t.Fatalf("chunks of %q do not concatenate back", s)
		}
		got, err := bpe.Decode(bpe.Encode(s))
		if err != nil || got != s {
			t.Fatalf("round trip of %q = %q, %v", s, got, err)
		}
	})
}

func FuzzBPEJSON(f *testing.F) {
	f.Add([]byte(`{"type":"byte_bpe","version":1,"merges":[[104,105],[256,33]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var bpe BPE
		if err := json.Unmarshal(b, &bpe); err != nil {
			return
		}
		s := "hi! 你好"
		if got, err := bpe.Decode(bpe.Encode(s)); err != nil || got != s {
			t.Fatalf("loaded tokenizer breaks the round trip: %q, %v", got, err)
		}
	})
}

func ExampleBPE() {
	bpe, _ := TrainBPE([]string{"low lower newest widest newest newest"}, 260, 2)
	ids := bpe.Encode("lowest")
	s, _ := bpe.Decode(ids)
	fmt.Println(len(ids) < len("lowest"), s)
	// Output: true lowest
}

func ExampleChar() {
	c, _ := BuildChar([]string{"床前明月光", "疑是地上霜"}, 1)
	ids := c.Encode("明月")
	s, _ := c.Decode(ids)
	fmt.Println(c.VocabSize(), len(ids), s)
	// Output: 14 2 明月
}
