package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden SVG files in testdata")

// TestGolden compares each sample chart with testdata/NAME.svg; run
// `go test ./chart/ -run TestGolden -update` after an intended change and
// look at the diff (and the pictures) before committing.
func TestGolden(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			got := s.svg()
			wellFormed(t, got)
			path := filepath.Join("testdata", s.name+".svg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; run with -update and review the diff", path)
			}
			if again := s.svg(); !bytes.Equal(got, again) {
				t.Errorf("two renders differ: output is not deterministic")
			}
		})
	}
}

// wellFormed decodes every token of an SVG document with encoding/xml and
// checks the accessibility frame: an <svg role="img"> root whose
// aria-labelledby ids exist, a <title> and a <desc>.
func wellFormed(t testing.TB, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	ids := map[string]bool{}
	var root *xml.StartElement
	depth, titles, descs := 0, 0, 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, svg)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				el := e.Copy()
				root = &el
			}
			if depth == 1 && e.Name.Local == "title" {
				titles++
			}
			if depth == 1 && e.Name.Local == "desc" {
				descs++
			}
			for _, a := range e.Attr {
				if a.Name.Local == "id" {
					ids[a.Value] = true
				}
				if bytes.Contains([]byte(a.Value), []byte("NaN")) || bytes.Contains([]byte(a.Value), []byte("Inf")) {
					t.Errorf("attribute %s=%q holds a non-number", a.Name.Local, a.Value)
				}
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if root == nil || root.Name.Local != "svg" || root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root is not an SVG element")
	}
	attr := map[string]string{}
	for _, a := range root.Attr {
		attr[a.Name.Local] = a.Value
	}
	if attr["role"] != "img" || attr["width"] != "100%" || attr["viewBox"] == "" {
		t.Errorf("root attributes: %v", attr)
	}
	for _, id := range bytes.Fields([]byte(attr["aria-labelledby"])) {
		if !ids[string(id)] {
			t.Errorf("aria-labelledby names %q, which no element has", id)
		}
	}
	if titles != 1 || descs != 1 {
		t.Errorf("want one <title> and one <desc> under <svg>, got %d and %d", titles, descs)
	}
}
