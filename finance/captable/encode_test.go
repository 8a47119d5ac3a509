package captable

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestEncodeParsesBack: Encode writes a document that Parse reads back to
// the same company (compared through its JSON form).
func TestEncodeParsesBack(t *testing.T) {
	raw, err := os.ReadFile("../../cli/testdata/captable-demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(raw, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Encode(c); err == nil || !strings.Contains(err.Error(), "scenarios") {
		t.Fatalf("a company with scenarios must be refused, got %v", err)
	}
	c.Scenarios = nil
	doc, err := Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(doc, false)
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	a, _ := json.Marshal(c)
	b, _ := json.Marshal(back)
	if string(a) != string(b) {
		t.Fatalf("round trip differs:\n%s\n%s", a, b)
	}
}
