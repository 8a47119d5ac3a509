package msg

import (
	"encoding/json"
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
