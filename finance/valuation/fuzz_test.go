package valuation

import (
	"os"
	"testing"
)

// FuzzParse: any document is either rejected with an error or parsed, and
// then every method either values it or says why not; nothing panics.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"valuation-cny.yaml", "valuation-usd.yaml"} {
		if b, err := os.ReadFile("../../cli/testdata/" + name); err == nil {
			f.Add(b, false)
		}
	}
	f.Add([]byte(`{"currency":"USD","vc":{"exit_metric":"1,000,000","exit_multiple":"10x"}}`), true)
	f.Add([]byte("currency: CNY\ndcf: {discount_rate: 10%, terminal_growth: 12%}\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		d, err := Parse(data, isJSON)
		if err != nil {
			return
		}
		for _, m := range []string{"vc", "scorecard", "berkus", "risk-factor", "first-chicago", "dcf", "multiples", "football-field"} {
			_, _ = Run(d, m)
		}
	})
}
