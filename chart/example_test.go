package chart_test

import (
	"fmt"
	"regexp"
	"time"

	"github.com/kaiwu-ai/kaiwu/chart"
	"github.com/shopspring/decimal"
)

// desc pulls the text summary out of a rendered chart.
var desc = regexp.MustCompile(`<desc id="[^"]+">([^<]*)</desc>`)

func ExampleFormat() {
	fmt.Println(chart.Format(1.2e8, chart.CNY, "zh"))
	fmt.Println(chart.Format(3.5e7, chart.CNY, "zh"))
	fmt.Println(chart.Format(3.5e7, chart.USD, "en"))
	fmt.Println(chart.Format(0.253, chart.Percent, "en"))
	fmt.Println(chart.Format(5.76e23, chart.Sci, "en"))
	// Output:
	// ¥1.2亿
	// ¥3,500万
	// $35M
	// 25.3%
	// 5.76e23
}

func ExampleFormatDecimal() {
	d := decimal.RequireFromString("123456789.50")
	fmt.Println(chart.FormatDecimal(d, chart.CNY, "zh-CN"))
	fmt.Println(chart.FormatDecimal(d, chart.USD, "en"))
	s, _ := chart.FormatAmount("-2,000,000", chart.CNY, "zh")
	fmt.Println(s)
	// Output:
	// ¥1.23亿
	// $123M
	// -¥200万
}

func ExampleNiceTicks() {
	fmt.Println(chart.NiceTicks(-3.7, 12.1, 5))
	fmt.Println(chart.NiceTicks(0, 1, 5))
	fmt.Println(chart.LogTicks(3e18, 2e24))
	// Output:
	// [-5 0 5 10 15]
	// [0 0.2 0.4 0.6 0.8 1]
	// [1e+18 1e+19 1e+20 1e+21 1e+22 1e+23 1e+24 1e+25]
}

func ExampleLine() {
	var cash []chart.Point
	for m, c := 0, 3e6; m < 12; m, c = m+1, c-3e5 {
		cash = append(cash, chart.Point{X: float64(m), Y: c})
	}
	svg := chart.Line(chart.LineChart{
		Options:  chart.Options{Title: "Cash", Lang: "en"},
		X:        chart.Axis{MonthsFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		Y:        chart.Axis{Unit: chart.USD},
		Series:   []chart.Series{{Name: "Cash", Points: cash}},
		Markers:  []chart.Marker{{X: 10, Label: "Out of cash", Alert: true}},
		ZeroLine: true,
	})
	fmt.Printf("%s\n", desc.FindSubmatch(svg)[1])
	// Output:
	// Cash: 12 points, from $3M at Jan 2026 to -$300K at Dec 2026, low -$300K, high $3M; marker “Out of cash” at Nov 2026.
}

func ExampleDonut() {
	svg := chart.Donut(chart.DonutChart{
		Options:   chart.Options{Title: "股权结构", Lang: "zh"},
		Slices:    []chart.Slice{{Label: "创始人", Value: 6.2e6}, {Label: "期权池", Value: 1.5e6}, {Label: "天使轮", Value: 1.3e6}, {Label: "顾问", Value: 1e6}},
		MaxSlices: 3,
		Center:    "1,000万股",
	})
	fmt.Printf("%s\n", desc.FindSubmatch(svg)[1])
	// Output:
	// 1,000万股：创始人 62.0%；期权池 15.0%；其他 23.0%。
}

func ExampleBars() {
	svg := chart.Bars(chart.BarChart{
		Options:    chart.Options{Title: "Ownership", Lang: "en"},
		Categories: []string{"Founders", "Investors"},
		Series:     []chart.BarSeries{{Name: "Before", Values: []float64{0.8, 0.2}}, {Name: "After", Values: []float64{0.64, 0.36}}},
		Y:          chart.Axis{Unit: chart.Percent},
	})
	fmt.Printf("%s\n", desc.FindSubmatch(svg)[1])
	// Output:
	// Before: Founders 80%, Investors 20%; After: Founders 64%, Investors 36%.
}

func ExampleRangeBars() {
	svg := chart.RangeBars(chart.RangeChart{
		Options: chart.Options{Title: "Valuation", Lang: "en"},
		Ranges:  []chart.Range{{Label: "VC method", Low: 18e6, Mid: 24e6, High: 30e6}, {Label: "Berkus", Low: 8e6, Mid: 10e6, High: 12e6}},
		Band:    &chart.Band{Low: 15e6, High: 25e6, Label: "Target"},
		Axis:    chart.Axis{Unit: chart.USD},
	})
	fmt.Printf("%s\n", desc.FindSubmatch(svg)[1])
	// Output:
	// VC method: $18M – $30M ($24M); Berkus: $8M – $12M ($10M); Target: $15M – $25M.
}

func ExampleWaterfall() {
	svg := chart.Waterfall(chart.WaterfallChart{
		Options:    chart.Options{Title: "Exit split", Lang: "en"},
		Segments:   []chart.Slice{{Label: "Series A", Value: 24e6}, {Label: "Founders", Value: 96e6}},
		Unit:       chart.USD,
		TotalLabel: "Exit value",
	})
	fmt.Printf("%s\n", desc.FindSubmatch(svg)[1])
	// Output:
	// Exit value: $120M. Series A $24M (20.0%); Founders $96M (80.0%).
}
