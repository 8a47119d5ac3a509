package termsheet

import (
	"os"
	"testing"

	"github.com/shopspring/decimal"
)

// FuzzParseOffers: offer documents are parsed or rejected, and parsed ones
// compared or rejected, without panics.
func FuzzParseOffers(f *testing.F) {
	for _, name := range []string{"valuation-offers-cny.yaml", "valuation-offers-usd.yaml"} {
		if b, err := os.ReadFile("../../cli/testdata/" + name); err == nil {
			f.Add(b, false)
		}
	}
	f.Add([]byte(`{"currency":"USD","offers":[{"name":"a","pre_money":"-1"}]}`), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		d, err := ParseOffers(data, isJSON)
		if err != nil {
			return
		}
		_, _ = CompareOffers(d, []decimal.Decimal{decimal.NewFromInt(0), decimal.NewFromInt(50_000_000)})
	})
}
