package msg

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
)

func TestFormat(t *testing.T) {
	args := map[string]string{"safe": "angel-2", "cap": "8,000,000"}
	for _, tc := range []struct{ tmpl, want string }{
		{"no placeholders", "no placeholders"},
		{"{safe} at {cap}", "angel-2 at 8,000,000"},
		{"{safe}{safe}", "angel-2angel-2"},
		{"{missing} stays", "{missing} stays"},
		{"{Not A Name} and {", "{Not A Name} and {"},
		{"unclosed {safe", "unclosed {safe"},
		{"中文 {safe}：上限 {cap}", "中文 angel-2：上限 8,000,000"},
	} {
		if got := Format(tc.tmpl, args); got != tc.want {
			t.Errorf("Format(%q) = %q, want %q", tc.tmpl, got, tc.want)
		}
	}
}

func TestPlaceholders(t *testing.T) {
	got := Placeholders("{b} {a} {b} {Bad} {c_1} {")
	if want := []string{"a", "b", "c_1"}; !slices.Equal(got, want) {
		t.Errorf("Placeholders = %v, want %v", got, want)
	}
}

func TestNewAndJSON(t *testing.T) {
	c := Catalogue{"x-y": "{a} then {b}"}
	n := c.Make("x-y", "a", "1", "b", "2", "dangling")
	if n.Text != "1 then 2" || n.String() != n.Text || len(n.Args) != 2 {
		t.Fatalf("note %+v", n)
	}
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"code":"x-y","args":{"a":"1","b":"2"},"text":"1 then 2"}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
	if b, _ := json.Marshal(New("bare", "plain")); string(b) != `{"code":"bare","text":"plain"}` {
		t.Errorf("JSON without args %s", b)
	}
	if got := c.Codes(); !slices.Equal(got, []string{"x-y"}) {
		t.Errorf("Codes = %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Make with an unknown code did not panic")
		}
	}()
	c.Make("nope")
}

func TestTexts(t *testing.T) {
	if Texts(nil) != nil {
		t.Error("Texts(nil) is not nil")
	}
	c := Catalogue{"a": "one {n}", "b": "two"}
	got := Texts([]Note{c.Make("a", "n", "1"), c.Make("b")})
	if want := []string{"one 1", "two"}; !slices.Equal(got, want) {
		t.Errorf("Texts = %q, want %q", got, want)
	}
}

func TestCatalogueCheck(t *testing.T) {
	c := Catalogue{"x-y": "{a} then {b}", "plain": "no args"}
	for _, tc := range []struct {
		n    Note
		want string // "" for no error
	}{
		{c.Make("x-y", "a", "1", "b", "2"), ""},
		{c.Make("plain"), ""},
		{Note{Code: "nope", Text: "t"}, `"nope": not in the catalogue`},
		{Note{Code: "x-y", Args: map[string]string{"a": "1"}, Text: "1 then {b}"}, "x-y: args [a], template names [a b]"},
		{Note{Code: "x-y", Args: map[string]string{"a": "1", "b": "2"}, Text: "stale"}, `x-y: text "stale", template gives "1 then 2"`},
		{Note{Code: "plain", Args: map[string]string{"z": "9"}, Text: "other"},
			"plain: args [z], template names []\n" + `plain: text "other", template gives "no args"`},
	} {
		err := c.Check(tc.n)
		if got := fmt.Sprint(err); (err == nil) != (tc.want == "") || err != nil && got != tc.want {
			t.Errorf("Check(%+v) = %v, want %q", tc.n, err, tc.want)
		}
	}
}

func TestCheckTranslations(t *testing.T) {
	domains := map[string]Catalogue{
		"note.a.": {"one": "{x} one", "two": "two"},
		"note.b.": {"three": "three {y}"},
	}
	edge := map[string][2]string{
		"note.a.one":   {"{x} one", "{x} 一"},
		"note.a.two":   {"two (old)", "二"},     // English differs
		"note.b.three": {"three {y}", "三 {z}"}, // placeholders differ
		"note.b.gone":  {"gone", "无"},          // no such code
		"other.key":    {"other", "其他"},        // outside the prefixes
	}
	keys := []string{"note.a.one", "note.a.two", "note.b.three", "note.b.gone", "other.key"}
	lookup := func(key string) (string, string, bool) { m, ok := edge[key]; return m[0], m[1], ok }
	var got []string
	for _, err := range CheckTranslations(domains, keys, lookup) {
		got = append(got, err.Error())
	}
	want := []string{
		`note.a.two: English "two (old)" differs from the domain's "two"`,
		"note.b.three: Chinese names [z], English [y]",
		"note.b.gone: no such code in the domain's catalogue",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors\n%q\nwant\n%q", got, want)
	}
	// A missing key and a missing or untranslated Chinese text.
	edge = map[string][2]string{"note.a.one": {"{x} one", "{x} one"}, "note.a.two": {"two", ""}}
	got = nil
	for _, err := range CheckTranslations(domains, nil, lookup) {
		got = append(got, err.Error())
	}
	want = []string{"note.a.one: no Chinese", "note.a.two: no Chinese",
		"note.b.three: not in the catalogue"}
	if !slices.Equal(got, want) {
		t.Errorf("errors\n%q\nwant\n%q", got, want)
	}
}
