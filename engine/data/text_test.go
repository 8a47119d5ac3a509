package data

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckUTF8(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"hello 你好 🙂", ""},
		{"ab\xffcd", "byte 2: invalid UTF-8 (0xff)"},
		{"你\xe5\xa5", "byte 3: invalid UTF-8 (0xe5)"},
		{"\xed\xa0\x80", "byte 0"}, // a UTF-16 surrogate is not UTF-8
	} {
		err := CheckUTF8([]byte(tc.in), "x.txt")
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckUTF8(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestReadTextAndDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("\ufeff床前明月光"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte("second"), 0o644)
	os.WriteFile(filepath.Join(dir, "c.bin"), []byte{0xff}, 0o644)
	s, err := ReadText(filepath.Join(dir, "a.txt"))
	if err != nil || s != "床前明月光" {
		t.Fatalf("ReadText = %q, %v", s, err)
	}
	docs, err := ReadTextDir(dir, ".txt")
	if err != nil || len(docs) != 2 || docs[1].Text != "second" {
		t.Fatalf("ReadTextDir = %v, %v", docs, err)
	}
	if _, err := ReadTextDir(dir); err == nil || !strings.Contains(err.Error(), "c.bin: byte 0") {
		t.Fatalf("invalid file in folder: %v", err)
	}
}

func TestTangPoemsFixture(t *testing.T) {
	poems, err := TangPoems("testdata/poems.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(poems) != 2 {
		t.Fatalf("%d poems, want 2", len(poems))
	}
	p := poems[1]
	if p.Title != "登鹳雀楼" || p.Author != "王之涣" || !slices.Equal(p.Lines, []string{"白日依山尽，黄河入海流。", "欲穷千里目，更上一层楼。"}) {
		t.Fatalf("poem 2 = %+v", p)
	}
	if got := poems[0].Text(); got != "《静夜思》\n李白\n床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n" {
		t.Fatalf("Text() = %q", got)
	}
	if _, err := ParseTangPoems("just a line\n%\n", "bad"); err == nil || !strings.Contains(err.Error(), "bad: line 1") {
		t.Fatalf("entry without title: %v", err)
	}
}

// TestTangPoemsDebian reads the 300 Tang poems of Debian's fortunes-zh
// when installed.
func TestTangPoemsDebian(t *testing.T) {
	const path = "/usr/share/games/fortunes/tang300"
	if _, err := os.Stat(path); err != nil {
		t.Skipf("fortunes-zh not installed (apt-get install fortunes-zh): %v", err)
	}
	poems, err := TangPoems(path)
	if err != nil {
		t.Fatal(err)
	}
	// The file holds 313 entries (some poems come in several parts).
	if len(poems) != 313 {
		t.Fatalf("%d poems, want 313", len(poems))
	}
	if p := poems[0]; p.Title != "感遇・其一" || p.Author != "张九龄" || len(p.Lines) != 4 {
		t.Fatalf("first poem %+v", p)
	}
	for i, p := range poems {
		if p.Author == "" || len(p.Lines) == 0 || strings.ContainsAny(p.Text(), "\x1b%") {
			t.Fatalf("poem %d (%s) is malformed: %+v", i+1, p.Title, p)
		}
	}
}
