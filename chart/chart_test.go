package chart

import (
	"bytes"
	"encoding/binary"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

const nasty = `<script>alert("x")</script> & Co's "]]>`

// allCharts renders every chart type with the same hostile text in every
// user-supplied string.
func allCharts(s string) map[string][]byte {
	return map[string][]byte{
		"line": Line(LineChart{
			Options: Options{Title: s, Desc: s, ID: s},
			X:       Axis{Label: s}, Y: Axis{Label: s},
			Series:  []Series{{s, []Point{{0, 1}, {1, 2}}}, {s, []Point{{0, 2}, {1, 1}}}},
			Markers: []Marker{{X: 0.5, Label: s, Alert: true}},
			Regions: []Region{{From: 0, To: 0.2, Label: s}},
		}),
		"donut": Donut(DonutChart{Options: Options{Title: s}, Slices: []Slice{{s, 1}, {s, 2}, {"b", 3}}, MaxSlices: 2, OtherLabel: s, Center: s, CenterSub: s, ShowValues: true}),
		"bars": Bars(BarChart{Options: Options{Title: s}, Categories: []string{s, s}, Series: []BarSeries{{s, []float64{1, 2}}, {s, []float64{2, 1}}},
			X: Axis{Label: s}, Y: Axis{Label: s}, ValueLabels: true, Stacked: true}),
		"ranges":    RangeBars(RangeChart{Options: Options{Title: s}, Ranges: []Range{{s, 1, 2, 3}}, Band: &Band{1, 2, s}, Axis: Axis{Label: s}}),
		"waterfall": Waterfall(WaterfallChart{Options: Options{Title: s}, Segments: []Slice{{s, 1}, {s, 2}}, TotalLabel: s}),
		"empty":     Line(LineChart{Options: Options{Title: s, Desc: s}}),
	}
}

func TestEscaping(t *testing.T) {
	for name, svg := range allCharts(nasty) {
		wellFormed(t, svg)
		if bytes.Contains(svg, []byte("<script")) || bytes.Contains(svg, []byte("]]>")) {
			t.Errorf("%s: user text reached the SVG unescaped", name)
		}
		if !bytes.Contains(svg, []byte("&lt;script&gt;")) || !bytes.Contains(svg, []byte("&amp; Co")) {
			t.Errorf("%s: escaped text missing", name)
		}
	}
	// Invalid UTF-8 and control characters are not allowed in XML 1.0.
	for name, svg := range allCharts("a\xff\x00\x1b b") {
		wellFormed(t, svg)
		_ = name
	}
}

func TestIDs(t *testing.T) {
	idRe := regexp.MustCompile(`aria-labelledby="([^" ]+)-title`)
	id := func(svg []byte) string {
		m := idRe.FindSubmatch(svg)
		if m == nil {
			t.Fatalf("no aria-labelledby in %s", svg)
		}
		return string(m[1])
	}
	a := Line(LineChart{Series: []Series{{"a", []Point{{0, 1}, {1, 2}}}}})
	b := Line(LineChart{Series: []Series{{"a", []Point{{0, 1}, {1, 3}}}}})
	if id(a) == id(b) {
		t.Errorf("different charts share the id %s", id(a))
	}
	if c := Line(LineChart{Options: Options{ID: "9 cash<chart>"}, Series: []Series{{"a", []Point{{0, 1}}}}}); id(c) != "c9cashchart" {
		t.Errorf("ID not cleaned: %s", id(c))
	}
}

func TestEdgeCases(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	jan := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name        string
		svg         []byte
		placeholder bool
	}{
		{"line nil", Line(LineChart{}), true},
		{"line empty series", Line(LineChart{Series: []Series{{Name: "x"}}}), true},
		{"line all NaN", Line(LineChart{Series: []Series{{"x", []Point{{nan, 1}, {1, inf}, {-inf, nan}}}}}), true},
		{"line single point", Line(LineChart{Series: []Series{{"x", []Point{{3, 7}}}}}), false},
		{"line single month", Line(LineChart{X: Axis{MonthsFrom: jan}, Series: []Series{{"x", []Point{{0, 7}}}}}), false},
		{"line all zero", Line(LineChart{Series: []Series{{"x", []Point{{0, 0}, {1, 0}, {2, 0}}}}, ZeroLine: true}), false},
		{"line negative", Line(LineChart{Y: Axis{Unit: CNY}, Series: []Series{{"x", []Point{{0, -5e6}, {1, -1e7}}}}, ZeroLine: true}), false},
		{"line gaps", Line(LineChart{Series: []Series{{"x", []Point{{0, 1}, {1, nan}, {2, 3}, {3, inf}, {4, 2}, {5, 1}}}}}), false},
		{"line huge", Line(LineChart{Series: []Series{{"x", []Point{{0, 1e200}, {1, -1e200}, {2, 1e300}}}}}), false},
		{"line log nonpositive", Line(LineChart{Y: Axis{Log: true}, Series: []Series{{"x", []Point{{0, 0}, {1, -1}}}}}), true},
		{"line log x", Line(LineChart{X: Axis{Log: true}, Series: []Series{{"x", []Point{{0, 1}, {10, 2}, {1e6, 3}}}}}), false},
		{"line marker only NaN", Line(LineChart{Series: []Series{{"x", []Point{{0, 1}, {1, 2}}}}, Markers: []Marker{{X: nan, Label: "m"}}, Regions: []Region{{inf, 1, "r"}}}), false},
		{"line tiny range", Line(LineChart{Series: []Series{{"x", []Point{{0, 1}, {1, 1 + 1e-15}}}}}), false},
		{"line many series", Line(LineChart{Series: manySeries(20)}), false},
		{"donut nil", Donut(DonutChart{}), true},
		{"donut zero", Donut(DonutChart{Slices: []Slice{{"a", 0}, {"b", 0}}}), true},
		{"donut negative", Donut(DonutChart{Slices: []Slice{{"a", -1}, {"b", nan}, {"c", inf}}}), true},
		{"donut one", Donut(DonutChart{Slices: []Slice{{"a", 5}, {"b", -1}}}), false},
		{"donut many", Donut(DonutChart{Slices: manySlices(30), MaxSlices: 1}), false},
		{"bars nil", Bars(BarChart{}), true},
		{"bars NaN", Bars(BarChart{Series: []BarSeries{{"a", []float64{nan, inf}}}}), true},
		{"bars zero", Bars(BarChart{Series: []BarSeries{{"a", []float64{0, 0}}}}), false},
		{"bars negative stacked", Bars(BarChart{Stacked: true, ValueLabels: true, Series: []BarSeries{{"a", []float64{-1, 2}}, {"b", []float64{3, -4}}}}), false},
		{"bars many", Bars(BarChart{Categories: manyNames(300), Series: []BarSeries{{"a", make([]float64, 300)}}}), false},
		{"bars ragged", Bars(BarChart{Categories: []string{"a"}, Series: []BarSeries{{"a", []float64{1, 2, 3}}, {"b", nil}}}), false},
		{"ranges nil", RangeBars(RangeChart{}), true},
		{"ranges NaN", RangeBars(RangeChart{Ranges: []Range{{"a", nan, 1, 2}}, Band: &Band{nan, 1, "b"}}), true},
		{"ranges point", RangeBars(RangeChart{Ranges: []Range{{"a", 5, 5, 5}}}), false},
		{"ranges swapped", RangeBars(RangeChart{Ranges: []Range{{"a", 9, nan, -3}}}), false},
		{"waterfall nil", Waterfall(WaterfallChart{}), true},
		{"waterfall zero", Waterfall(WaterfallChart{Segments: []Slice{{"a", 0}}}), true},
		{"waterfall tiny", Waterfall(WaterfallChart{Segments: []Slice{{"a", 1e-300}, {"b", 1}}}), false},
		{"tiny canvas", Line(LineChart{Options: Options{Width: 1, Height: 1}, Series: []Series{{"x", []Point{{0, 1}, {1, 2}}}}}), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wellFormed(t, c.svg)
			hasNoData := bytes.Contains(c.svg, []byte(`class="kw-nodata"`))
			if hasNoData != c.placeholder {
				t.Errorf("placeholder = %v, want %v", hasNoData, c.placeholder)
			}
		})
	}
}

func TestPlaceholderLanguage(t *testing.T) {
	if svg := Donut(DonutChart{Options: Options{Lang: "zh"}}); !bytes.Contains(svg, []byte("无数据")) {
		t.Errorf("Chinese placeholder missing: %s", svg)
	}
}

func TestDonutGroupsOther(t *testing.T) {
	svg := string(Donut(DonutChart{Slices: manySlices(10), MaxSlices: 4, Sorted: true}))
	// 10 slices valued 1..10 (sum 55): keep 10, 9, 8; other = 28.
	for _, want := range []string{"s10 18.2%", "s9 16.4%", "s8 14.5%", "Other 50.9%"} {
		if !strings.Contains(svg, want) {
			t.Errorf("summary lacks %q:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "s7 ") {
		t.Errorf("s7 should be inside other")
	}
}

func TestPercentagesAddUp(t *testing.T) {
	got := percentages([]Slice{{"a", 1}, {"b", 1}, {"c", 1}}, 3)
	if strings.Join(got, " ") != "33.4% 33.3% 33.3%" {
		t.Errorf("got %v", got)
	}
	got = percentages([]Slice{{"a", 2}, {"b", 1}, {"c", 1e-9}}, 3+1e-9)
	if strings.Join(got, " ") != "66.7% 33.3% 0.0%" {
		t.Errorf("got %v", got)
	}
}

func TestFlagsDoNotOverlap(t *testing.T) {
	fl := []flagLabel{{x: 100, text: "A preference paid"}, {x: 110, text: "Pool vests"}, {x: 300, text: "A converts"}, {x: 695, text: "Out of cash"}}
	rows := placeFlags(fl, 50, 700)
	if rows != 2 {
		t.Errorf("rows = %d, want 2", rows)
	}
	for i := range fl {
		for j := i + 1; j < len(fl); j++ {
			if fl[i].row != fl[j].row {
				continue
			}
			a0, a1 := span(fl[i])
			b0, b1 := span(fl[j])
			if a0 < b1 && b0 < a1 {
				t.Errorf("%q and %q overlap in row %d", fl[i].text, fl[j].text, fl[i].row)
			}
		}
		if _, end := span(fl[i]); end > 700 {
			t.Errorf("%q runs past the right edge", fl[i].text)
		}
	}
}

func span(f flagLabel) (float64, float64) {
	w := textWidth(f.shown, 11)
	if f.anchor == "end" {
		return f.tx - w, f.tx
	}
	return f.tx, f.tx + w
}

func TestPaletteAndDashes(t *testing.T) {
	seen := map[string]bool{}
	for i := range 40 {
		k := Color(i) + "|" + Dash(i)
		if seen[k] {
			t.Errorf("series %d repeats colour and dash %s", i, k)
		}
		seen[k] = true
	}
	if Color(-1) == "" || Dash(-3) != Dash(0) {
		t.Errorf("negative indexes must not panic or mislead")
	}
}

func TestSummaryDescribesData(t *testing.T) {
	svg := string(Line(LineChart{
		Options: Options{Lang: "en"},
		X:       Axis{MonthsFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		Y:       Axis{Unit: USD},
		Series:  []Series{{"Cash", []Point{{0, 5e6}, {11, -2e5}}}},
		Markers: []Marker{{X: 10, Label: "Out of cash"}},
	}))
	want := "Cash: 2 points, from $5M at Jan 2025 to -$200K at Dec 2025, low -$200K, high $5M; marker “Out of cash” at Nov 2025."
	if !strings.Contains(svg, want) {
		t.Errorf("desc lacks %q:\n%s", want, svg)
	}
}

// FuzzLine feeds arbitrary float64 bit patterns (NaN, ±Inf, subnormals,
// huge values) as series points, with the axis kinds chosen by the first
// byte; Line must never panic and must always return well-formed SVG with
// no NaN or Inf in an attribute.
func FuzzLine(f *testing.F) {
	seed := func(vs ...float64) []byte {
		b := []byte{0}
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	f.Add(seed(0, 1, 1, 2, 2, 3))
	f.Add(seed(math.NaN(), 1, math.Inf(1), 2, 0, math.Inf(-1)))
	f.Add(seed(1e308, -1e308, 5e-324, 1))
	f.Add(append([]byte{7}, seed(1, 1e30, 10, 1e-30)[1:]...))
	f.Add([]byte{})
	f.Fuzz(fuzzBody)
}

// fuzzBody is FuzzLine's check for one input.
func fuzzBody(t *testing.T, data []byte) {
	{
		var mode byte
		if len(data) > 0 {
			mode, data = data[0], data[1:]
		}
		var vals []float64
		for len(data) >= 8 && len(vals) < 400 {
			vals = append(vals, math.Float64frombits(binary.LittleEndian.Uint64(data)))
			data = data[8:]
		}
		var series []Series
		for s := 0; s < 1+int(mode>>4)%3; s++ {
			var pts []Point
			for i := s * 2; i+1 < len(vals); i += 2 * (1 + int(mode>>4)%3) {
				pts = append(pts, Point{vals[i], vals[i+1]})
			}
			series = append(series, Series{Name: "s", Points: pts})
		}
		lc := LineChart{
			X:        Axis{Log: mode&1 != 0, Unit: USD},
			Y:        Axis{Log: mode&2 != 0, Unit: CNY},
			Series:   series,
			ZeroLine: mode&4 != 0,
			Options:  Options{Lang: map[bool]string{true: "zh", false: "en"}[mode&8 != 0]},
		}
		if len(vals) > 0 {
			lc.Markers = []Marker{{X: vals[0], Label: "m"}}
		}
		if len(vals) > 2 {
			lc.Regions = []Region{{From: vals[1], To: vals[2], Label: "r"}}
		}
		if mode&16 != 0 {
			lc.X = Axis{MonthsFrom: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
		}
		wellFormed(t, Line(lc))
	}
}

func manySeries(k int) []Series {
	var out []Series
	for i := range k {
		out = append(out, Series{Name: "series " + itoa(i), Points: []Point{{0, float64(i)}, {1, float64(2 * i)}}})
	}
	return out
}

func manySlices(k int) []Slice {
	var out []Slice
	for i := range k {
		out = append(out, Slice{"s" + itoa(i+1), float64(i + 1)})
	}
	return out
}

func manyNames(k int) []string {
	var out []string
	for i := range k {
		out = append(out, "category "+itoa(i))
	}
	return out
}

func BenchmarkLineCash(b *testing.B) {
	s := samples[0].svg
	for b.Loop() {
		s()
	}
}

func BenchmarkDonut(b *testing.B) {
	s := samples[3].svg
	for b.Loop() {
		s()
	}
}
