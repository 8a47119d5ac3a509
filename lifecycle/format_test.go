package lifecycle

import "testing"

func TestFormatMetric(t *testing.T) {
	for _, c := range []struct {
		metric string
		v      float64
		want   string
	}{
		{"accuracy", 0.9071, "90.71%"},
		{"solved", 0.8, "80.00%"},
		{"perplexity", 5468.04, "5468.0"},
		{"r2", 0.94601, "0.9460"},
		{"mse", 0.00149, "0.0015"},
	} {
		if got := FormatMetric(c.metric, c.v); got != c.want {
			t.Errorf("FormatMetric(%q, %v) = %q, want %q", c.metric, c.v, got, c.want)
		}
	}
}
