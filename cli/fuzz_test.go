package cli

import (
	"strings"
	"testing"
)

// FuzzParseSizes: any --sizes string either parses to sizes in range or
// is rejected with an error that quotes --sizes; it never panics.
func FuzzParseSizes(f *testing.F) {
	for _, s := range []string{"256,512", "", ",", "1,,2", "-1", "99999999999999999999", " 7 , 33 ", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ns, err := parseSizes(s)
		if err != nil {
			if !strings.Contains(err.Error(), "--sizes") {
				t.Fatalf("error %q does not name the flag", err)
			}
			return
		}
		if len(ns) == 0 {
			t.Fatal("no sizes and no error")
		}
		for _, n := range ns {
			if n < 1 || n > 16384 {
				t.Fatalf("size %d out of range accepted", n)
			}
		}
	})
}

// FuzzLangFromArgs: scanning arbitrary arguments for --lang never panics
// and only ever yields a supported language.
func FuzzLangFromArgs(f *testing.F) {
	f.Add("--lang", "zh")
	f.Add("--lang=en", "x")
	f.Add("--lang", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		if l, ok := langFromArgs([]string{a, b}); ok && l != LangZH && l != LangEN {
			t.Fatalf("unsupported language %q", l)
		}
	})
}
