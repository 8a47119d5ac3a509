package chart

import (
	"math"
	"time"
)

// sample is one chart the golden, well-formedness and visual checks share.
type sample struct {
	name string
	svg  func() []byte
}

// cashCurve is 24 months of a burn plan: ¥5,000万 falling to below zero.
func cashCurve() []Point {
	var pts []Point
	cash := 5.0e7
	for m := 0; m < 24; m++ {
		pts = append(pts, Point{float64(m), cash})
		cash -= 2.4e6 + float64(m)*5e4
	}
	return pts
}

// payoutCurves are three holders' payouts against exit value: a 1×
// non-participating preference that converts above $60M.
func payoutCurves() []Series {
	var f, a, e []Point
	for x := 0.0; x <= 200e6; x += 5e6 {
		var pa float64
		switch {
		case x <= 20e6:
			pa = x
		case x < 100e6:
			pa = 20e6
		default:
			pa = 0.2 * x
		}
		rest := x - pa
		f = append(f, Point{x, rest * 0.85})
		e = append(e, Point{x, rest * 0.15})
		a = append(a, Point{x, pa})
	}
	return []Series{{"Founders", f}, {"Series A (1× pref)", a}, {"ESOP", e}}
}

var samples = []sample{
	{"line_cash_zh", func() []byte {
		return Line(LineChart{
			Options:  Options{Title: "现金余额（演示数据）", Lang: "zh-CN"},
			X:        Axis{Label: "月份", MonthsFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
			Y:        Axis{Label: "现金", Unit: CNY},
			Series:   []Series{{"现金", cashCurve()}},
			Markers:  []Marker{{X: 17, Label: "资金耗尽", Alert: true}},
			Regions:  []Region{{From: 8, To: 11, Label: "最迟融资窗口"}},
			ZeroLine: true,
		})
	}},
	{"line_payout_en", func() []byte {
		return Line(LineChart{
			Options: Options{Title: "Payout by holder", Lang: "en"},
			X:       Axis{Label: "Exit value", Unit: USD},
			Y:       Axis{Label: "Payout", Unit: USD},
			Series:  payoutCurves(),
			Markers: []Marker{{X: 20e6, Label: "A preference paid"}, {X: 25e6, Label: "Pool vests"}, {X: 100e6, Label: "A converts"}},
		})
	}},
	{"line_flops_log", func() []byte {
		var loss []Point
		for e := 18.0; e <= 25; e += 0.5 {
			c := math.Pow(10, e)
			loss = append(loss, Point{c, 1.69 + 1070*math.Pow(c, -0.154)})
		}
		return Line(LineChart{
			Options: Options{Title: "Loss vs training compute", Lang: "en"},
			X:       Axis{Label: "Training FLOPs", Unit: Sci, Log: true},
			Y:       Axis{Label: "Loss"},
			Series:  []Series{{"Chinchilla fit", loss}},
			Markers: []Marker{{X: 5.76e23, Label: "Chinchilla 70B"}},
		})
	}},
	{"donut_en", func() []byte {
		return Donut(DonutChart{
			Options:    Options{Title: "Ownership (fully diluted)", Lang: "en"},
			Slices:     []Slice{{"Founder A", 3.2e6}, {"Founder B", 2.8e6}, {"Seed fund", 1.5e6}, {"Series A", 1.8e6}, {"Option pool", 1.0e6}, {"Angel 1", 1.2e5}, {"Angel 2", 8e4}, {"Advisor", 5e4}},
			Center:     "10.55M",
			CenterSub:  "shares",
			ShowValues: true,
			Sorted:     true,
		})
	}},
	{"donut_zh", func() []byte {
		return Donut(DonutChart{
			Options:   Options{Title: "股权结构", Lang: "zh"},
			Slices:    []Slice{{"创始人", 0.62}, {"天使轮", 0.13}, {"期权池", 0.15}, {"A轮", 0.10}},
			Center:    "100%",
			CenterSub: "完全稀释",
			Unit:      Percent,
		})
	}},
	{"ranges_en", func() []byte {
		return RangeBars(RangeChart{
			Options: Options{Title: "Pre-money valuation", Lang: "en"},
			Ranges: []Range{
				{"VC method", 18e6, 24e6, 30e6},
				{"Scorecard", 15e6, 20e6, 26e6},
				{"Berkus", 8e6, 10e6, 12e6},
				{"DCF (scenario-weighted)", 12e6, 28e6, 55e6},
				{"Comparable multiples", 20e6, 32e6, 48e6},
			},
			Band: &Band{Low: 18e6, High: 28e6, Label: "Negotiation range"},
			Axis: Axis{Label: "Pre-money", Unit: USD},
		})
	}},
	{"bars_stacked_zh", func() []byte {
		months := []string{"1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月"}
		var people, compute, other []float64
		for m := range months {
			people = append(people, 80e4+float64(m)*4e4)
			compute = append(compute, 120e4+float64(m%4)*30e4)
			other = append(other, 20e4)
		}
		return Bars(BarChart{
			Options:     Options{Title: "每月成本（演示数据）", Lang: "zh"},
			Categories:  months,
			Series:      []BarSeries{{"人员", people}, {"算力", compute}, {"其他", other}},
			Stacked:     true,
			Y:           Axis{Unit: CNY},
			ValueLabels: true,
		})
	}},
	{"bars_grouped_en", func() []byte {
		return Bars(BarChart{
			Options:     Options{Title: "Dilution: before and after Series A", Lang: "en"},
			Categories:  []string{"Founder A", "Founder B", "Seed fund", "Option pool", "Series A"},
			Series:      []BarSeries{{"Before", []float64{0.40, 0.35, 0.15, 0.10, 0}}, {"After", []float64{0.32, 0.28, 0.12, 0.08, 0.20}}},
			Y:           Axis{Label: "Ownership", Unit: Percent},
			ValueLabels: true,
		})
	}},
	{"bars_tokens_en", func() []byte {
		return Bars(BarChart{
			Options:     Options{Title: "Serving cost per million tokens", Lang: "en"},
			Categories:  []string{"batch 1", "batch 4", "batch 16", "batch 64", "batch 256"},
			Series:      []BarSeries{{"Cost", []float64{4.8, 1.3, 0.36, 0.12, 0.07}}},
			X:           Axis{Label: "Decode batch size"},
			Y:           Axis{Label: "$ / 1M tokens", Unit: USD},
			ValueLabels: true,
		})
	}},
	{"waterfall_en", func() []byte {
		return Waterfall(WaterfallChart{
			Options:    Options{Title: "Exit at $120M: who gets what", Lang: "en"},
			Segments:   []Slice{{"Series A (1× pref)", 24e6}, {"Founders", 75e6}, {"Seed", 12e6}, {"ESOP", 8e6}, {"Advisors", 1e6}},
			Unit:       USD,
			TotalLabel: "Exit value",
		})
	}},
	{"waterfall_zh", func() []byte {
		return Waterfall(WaterfallChart{
			Options:    Options{Title: "退出分配", Lang: "zh"},
			Segments:   []Slice{{"A轮优先股", 2e8}, {"创始团队", 5.5e8}, {"期权池", 0.5e8}},
			Unit:       CNY,
			TotalLabel: "退出估值",
		})
	}},
	{"line_empty", func() []byte {
		return Line(LineChart{Options: Options{Title: "Cash", Lang: "en"}})
	}},
}
