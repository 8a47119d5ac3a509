package captable

import (
	"os"
	"testing"
)

// FuzzParse: any document either parses into a company whose tables can
// be computed, or is rejected with an error; it never panics.
func FuzzParse(f *testing.F) {
	if demo, err := os.ReadFile("../../cli/testdata/captable-demo.yaml"); err == nil {
		f.Add(demo, false)
	}
	f.Add([]byte("name: x\ncurrency: USD\nstakeholders: [{id: a, name: A, kind: founder}]\nshare_classes: [{id: common, name: C, kind: common}]\nissuances: [{stakeholder: a, class: common, shares: 100}]\n"), false)
	f.Add([]byte(`{"name":"x","currency":"CNY","stakeholders":[],"share_classes":[]}`), true)
	f.Add([]byte("currency: USD\nissuances: [{stakeholder: nobody, class: none, shares: -1}]"), false)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		c, err := Parse(data, isJSON)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if _, err := c.Compute(Options{}); err != nil && err.Error() == "" {
			t.Fatal("empty error message")
		}
	})
}
