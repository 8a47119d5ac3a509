package valuation

import (
	"fmt"
	"sort"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kaiwu-ai/kaiwu/finance/money"
)

// Comparable is one comparable company: its Multiple directly, or its
// Value (enterprise value) and Metric (revenue, EBITDA) so that the
// multiple is Value / Metric.
type Comparable struct {
	Name     string `yaml:"name" json:"name"`
	Multiple Number `yaml:"multiple" json:"multiple"`
	Value    Number `yaml:"value" json:"value"`
	Metric   Number `yaml:"metric" json:"metric"`
}

// MultiplesInput values the company at comparables' multiples of a metric:
// low = Q1, mid = median, high = Q3 multiple × the company's metric.
type MultiplesInput struct {
	// Metric names the metric for labels: "revenue" (default) or "ebitda".
	Metric        string       `yaml:"metric" json:"metric"`
	CompanyMetric Number       `yaml:"company_metric" json:"company_metric"`
	Comparables   []Comparable `yaml:"comparables" json:"comparables"`
	// NetDebt, if given, is subtracted: the multiples are then EV multiples
	// and the results equity values.
	NetDebt Number `yaml:"net_debt" json:"net_debt"`
}

// MultipleStats are summary statistics of the comparables' multiples.
// Quartiles interpolate linearly between order statistics (Excel's
// QUARTILE.INC, NumPy's default percentile).
type MultipleStats struct {
	Count  int             `json:"count"`
	Min    decimal.Decimal `json:"min"`
	Q1     decimal.Decimal `json:"q1"`
	Median decimal.Decimal `json:"median"`
	Mean   decimal.Decimal `json:"mean"`
	Q3     decimal.Decimal `json:"q3"`
	Max    decimal.Decimal `json:"max"`
}

// MultiplesResult is the comparables valuation.
type MultiplesResult struct {
	Metric        string          `json:"metric"`
	CompanyMetric money.Money     `json:"company_metric"`
	Multiples     []NamedMultiple `json:"multiples"`
	Stats         MultipleStats   `json:"stats"`
	NetDebt       money.Money     `json:"net_debt"`
	Low           money.Money     `json:"low"`
	Mid           money.Money     `json:"mid"`
	Mean          money.Money     `json:"mean"`
	High          money.Money     `json:"high"`
}

// NamedMultiple is one comparable's multiple.
type NamedMultiple struct {
	Name     string          `json:"name"`
	Multiple decimal.Decimal `json:"multiple"`
}

// Multiples runs the comparables valuation on the document's multiples section.
func Multiples(d *Document) (*MultiplesResult, error) {
	in := d.Multiples
	if in == nil {
		return nil, missing("multiples")
	}
	var errs errList
	metric := strings.ToLower(strings.TrimSpace(in.Metric))
	if metric == "" {
		metric = "revenue"
	}
	requirePositive(&errs, "multiples.company_metric", in.CompanyMetric)
	if len(in.Comparables) == 0 {
		errs.add("multiples.comparables", "none given: list comparable companies with their multiple (or value and metric)")
	}
	var xs []decimal.Decimal
	var named []NamedMultiple
	for i, cmp := range in.Comparables {
		path := fmt.Sprintf("multiples.comparables[%d] (%s)", i, cmp.Name)
		var x decimal.Decimal
		switch {
		case cmp.Multiple.Set && (cmp.Value.Set || cmp.Metric.Set):
			errs.add(path, "give multiple or value and metric, not both")
			continue
		case cmp.Multiple.Set:
			if cmp.Multiple.Sign() <= 0 {
				errs.add(path, "multiple %s must be positive", cmp.Multiple.String())
				continue
			}
			x = cmp.Multiple.Decimal
		default:
			if !cmp.Value.Set || !cmp.Metric.Set {
				errs.add(path, "multiple missing (or give value and metric)")
				continue
			}
			if cmp.Value.Sign() <= 0 || cmp.Metric.Sign() <= 0 {
				errs.add(path, "value %s and metric %s must be positive", cmp.Value.String(), cmp.Metric.String())
				continue
			}
			x = div(cmp.Value.Decimal, cmp.Metric.Decimal)
		}
		xs = append(xs, x)
		named = append(named, NamedMultiple{cmp.Name, ratio(x)})
	}
	if len(errs) > 0 {
		return nil, errs.err()
	}
	st := Stats(xs)
	c := d.Currency
	cm, nd := in.CompanyMetric.Decimal, in.NetDebt.Decimal
	val := func(x decimal.Decimal) money.Money { return m(cm.Mul(x).Sub(nd), c) }
	return &MultiplesResult{
		Metric: metric, CompanyMetric: m(cm, c), Multiples: named, Stats: st, NetDebt: m(nd, c),
		Low: val(st.Q1), Mid: val(st.Median), Mean: val(st.Mean), High: val(st.Q3),
	}, nil
}

// Stats summarises xs (which must not be empty): min, quartiles by linear
// interpolation (position p·(n−1) in the sorted list), mean and max.
func Stats(xs []decimal.Decimal) MultipleStats {
	s := append([]decimal.Decimal(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i].LessThan(s[j]) })
	n := len(s)
	q := func(p decimal.Decimal) decimal.Decimal {
		pos := p.Mul(decimal.NewFromInt(int64(n - 1)))
		lo := int(pos.IntPart())
		frac := pos.Sub(decimal.NewFromInt(int64(lo)))
		if lo+1 >= n {
			return s[n-1]
		}
		return s[lo].Add(s[lo+1].Sub(s[lo]).Mul(frac))
	}
	sum := zero
	for _, x := range s {
		sum = sum.Add(x)
	}
	return MultipleStats{
		Count: n, Min: ratio(s[0]), Max: ratio(s[n-1]),
		Q1: ratio(q(decimal.RequireFromString("0.25"))), Median: ratio(q(decimal.RequireFromString("0.5"))),
		Q3: ratio(q(decimal.RequireFromString("0.75"))), Mean: ratio(div(sum, decimal.NewFromInt(int64(n)))),
	}
}
