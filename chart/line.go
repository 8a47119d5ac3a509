package chart

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// Point is one (x, y) observation of a line series.
type Point struct{ X, Y float64 }

// Series is one named line. Points are drawn in order; a point with a NaN,
// infinite or (on a log axis) non-positive coordinate is skipped and breaks
// the line, so gaps in the data show as gaps.
type Series struct {
	Name   string
	Points []Point
}

// Marker is a labelled vertical line at X: a breakpoint on a payout curve,
// the month the cash runs out.
type Marker struct {
	X     float64
	Label string
	// Alert draws the marker in the warning colour (Okabe–Ito vermillion),
	// for "out of cash" and the like.
	Alert bool
}

// Region is a labelled shaded band of X values, such as the months in
// which to raise.
type Region struct {
	From, To float64
	Label    string
}

// LineChart is a multi-series line chart over a numeric, logarithmic or
// month X axis.
type LineChart struct {
	Options
	X, Y    Axis
	Series  []Series
	Markers []Marker
	Regions []Region
	// ZeroLine keeps y = 0 in view and draws it stronger than the grid
	// (the line a cash curve must stay above).
	ZeroLine bool
	// Legend forces the legend on for a single series; with two or more
	// series it is always drawn.
	Legend bool
}

// maxMonths bounds a month axis to ten thousand years either side of its
// start, so month arithmetic stays in int range.
const maxMonths = 120000

// maxDots is the most points per series drawn as hoverable dots.
const maxDots = 40

// Line renders a line chart as SVG. It never fails: with no plottable
// point it renders a "no data" placeholder.
func Line(lc LineChart) []byte {
	o := lc.Options
	const defW, defH = 720, 360
	lang := o.Lang
	month := !lc.X.MonthsFrom.IsZero()
	xlog, ylog := lc.X.Log && !month, lc.Y.Log
	validX := func(x float64) bool {
		return plottable(x) && (!xlog || x > 0) && (!month || math.Abs(x) <= maxMonths)
	}
	validY := func(y float64) bool { return plottable(y) && (!ylog || y > 0) }

	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range lc.Series {
		for _, p := range s.Points {
			if validX(p.X) && validY(p.Y) {
				xmin, xmax = math.Min(xmin, p.X), math.Max(xmax, p.X)
				ymin, ymax = math.Min(ymin, p.Y), math.Max(ymax, p.Y)
			}
		}
	}
	if xmin > xmax {
		return placeholder("line", o, defW, defH)
	}
	if lc.ZeroLine && !ylog {
		ymin, ymax = math.Min(ymin, 0), math.Max(ymax, 0)
	}
	var markers []Marker
	for _, m := range lc.Markers {
		if validX(m.X) {
			markers = append(markers, m)
			xmin, xmax = math.Min(xmin, m.X), math.Max(xmax, m.X)
		}
	}
	var regions []Region
	for _, r := range lc.Regions {
		if validX(r.From) && validX(r.To) {
			if r.From > r.To {
				r.From, r.To = r.To, r.From
			}
			regions = append(regions, r)
			xmin, xmax = math.Min(xmin, r.From), math.Max(xmax, r.To)
		}
	}

	c := newCanvas(o, defW, defH)
	top := c.title(o)

	// Legend and the bottom band: tick labels, axis title, legend rows.
	var items []legendItem
	if len(lc.Series) > 1 || lc.Legend {
		for i, s := range lc.Series {
			items = append(items, legendItem{label: s.Name, color: Color(i), dash: Dash(i), line: true, series: i})
		}
	}
	_, _, legendRows := legendLayout(items, c.w-32)
	bottom := 30.0
	if lc.X.Label != "" {
		bottom += 18
	}
	if legendRows > 0 {
		bottom += 8 + float64(legendRows)*18
	}
	flagged := len(markers) > 0 || len(regions) > 0
	estTop := top
	if flagged {
		estTop += 30
	}

	// Y ticks decide the left margin.
	yt := valueTicks(ymin, ymax, clampInt(int((c.h-estTop-bottom)/50)+1, 3, 8), ylog)
	if len(yt) < 2 {
		return placeholder("line", o, defW, defH)
	}
	yl := labels(yt, lc.Y.Unit, lang)
	left := 14 + maxWidth(yl, tickFont) + 8
	if lc.Y.Label != "" {
		left += 18
	}
	right := 28.0
	plotL, plotR := left, c.w-right
	plotW := plotR - plotL

	// X ticks.
	var xt []float64
	var xl []string
	var x0, x1 float64
	switch {
	case month:
		lo, hi := int(math.Floor(xmin)), int(math.Ceil(xmax))
		widest := textWidth(monthLabel(lc.X.MonthsFrom, 8, lang, false, 1), tickFont) + 14
		ks, step := monthTicks(lo, hi, lc.X.MonthsFrom, int(plotW/widest))
		for i, k := range ks {
			xt = append(xt, float64(k))
			xl = append(xl, monthLabel(lc.X.MonthsFrom, k, lang, i > 0, step))
		}
		x0, x1 = xmin, xmax
		if x0 == x1 {
			x0, x1 = x0-1, x1+1
		}
	case xlog:
		xt = LogTicks(xmin, xmax)
		xl = labels(xt, lc.X.Unit, lang)
		for len(xl) > 2 && textWidth(strings.Join(xl, "   "), tickFont) > plotW*0.9 {
			xt, xl = everyOther(xt), everyOther(xl)
		}
	default:
		for k := clampInt(int(plotW/70), 2, 12); k >= 2; k-- {
			xt = NiceTicks(xmin, xmax, k)
			xl = labels(xt, lc.X.Unit, lang)
			if len(xt) > 0 && (maxWidth(xl, tickFont)+14)*float64(len(xl)) <= plotW {
				break
			}
		}
	}
	if len(xt) == 0 {
		return placeholder("line", o, defW, defH)
	}
	if !month {
		x0, x1 = xt[0], xt[len(xt)-1]
		if xlog {
			x0, x1 = math.Min(x0, xmin), math.Max(x1, xmax)
		}
	}
	xs := newScale(x0, x1, plotL, plotR, xlog)

	// Marker and region labels above the plot, staggered into rows.
	var flags []flagLabel
	for _, r := range regions {
		if r.Label != "" {
			flags = append(flags, flagLabel{x: xs.at(r.From), text: r.Label, class: "kw-region-label"})
		}
	}
	for _, m := range markers {
		if m.Label != "" {
			cl := "kw-marker-label"
			if m.Alert {
				cl += " kw-alert"
			}
			flags = append(flags, flagLabel{x: xs.at(m.X), text: m.Label, class: cl, alert: m.Alert})
		}
	}
	nrows := placeFlags(flags, plotL, c.w-6)
	plotT := top + 6
	if nrows > 0 {
		plotT = top + float64(nrows)*14 + 6
	}
	plotB := c.h - bottom
	if plotB-plotT < 40 {
		plotB = plotT + 40
	}
	ys := newScale(yt[0], yt[len(yt)-1], plotB, plotT, ylog)
	if ylog {
		ys = newScale(math.Min(yt[0], ymin), math.Max(yt[len(yt)-1], ymax), plotB, plotT, true)
	}

	// Regions behind everything.
	if len(regions) > 0 {
		c.f(`<g class="kw-regions" fill="#56B4E9" fill-opacity="0.18">` + "\n")
		for _, r := range regions {
			a, b := xs.clamp(xs.at(r.From)), xs.clamp(xs.at(r.To))
			c.f(`<rect x="%s" y="%s" width="%s" height="%s" class="kw-region"><title>%s</title></rect>`+"\n",
				n(a), n(plotT), n(math.Max(b-a, 2)), n(plotB-plotT), esc(r.Label))
		}
		c.f("</g>\n")
	}
	c.yGrid(yt, yl, ys, plotL, plotR)

	// X ticks and labels.
	c.f(`<g class="kw-ticks kw-xticks" font-size="11" fill-opacity="0.75">` + "\n")
	for i, t := range xt {
		px := xs.at(t)
		if px < plotL-0.5 || px > plotR+0.5 {
			continue
		}
		c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity="0.4"/>`, n(px), n(plotB), n(px), n(plotB+4))
		c.text(px, plotB+17, xl[i], "middle", "")
	}
	c.f("</g>\n")
	c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity="0.45" class="kw-axis"/>`+"\n", n(plotL), n(plotB), n(plotR), n(plotB))
	if lc.ZeroLine && !ylog && yt[0] < 0 && yt[len(yt)-1] > 0 {
		y := ys.at(0)
		c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity="0.7" stroke-width="1.3" class="kw-zero"/>`+"\n", n(plotL), n(y), n(plotR), n(y))
	}

	// Series.
	xfmt := func(x float64) string {
		if month {
			return monthLabel(lc.X.MonthsFrom, int(math.Round(x)), lang, false, 1)
		}
		return Format(x, lc.X.Unit, lang)
	}
	for i, s := range lc.Series {
		var d strings.Builder
		var dots []Point
		valid := 0
		run := 0
		var last Point
		for _, p := range s.Points {
			if !validX(p.X) || !validY(p.Y) {
				if run == 1 {
					dots = append(dots, last)
				}
				run = 0
				continue
			}
			valid++
			if run == 0 {
				d.WriteString("M")
			} else {
				d.WriteString("L")
			}
			d.WriteString(n(xs.at(p.X)) + " " + n(ys.at(p.Y)))
			run++
			last = p
		}
		if run == 1 {
			dots = append(dots, last)
		}
		if valid == 0 {
			continue
		}
		c.f(`<g class="kw-series kw-s%d"><title>%s</title>`+"\n", i, esc(s.Name))
		c.f(`<path d="%s" fill="none" stroke="%s" stroke-width="2.2" stroke-linejoin="round" stroke-linecap="round"%s/>`+"\n", d.String(), Color(i), dashAttr(Dash(i)))
		if valid <= maxDots {
			dots = dots[:0]
			for _, p := range s.Points {
				if validX(p.X) && validY(p.Y) {
					dots = append(dots, p)
				}
			}
		}
		for _, p := range dots {
			c.f(`<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s</title></circle>`+"\n",
				n(xs.at(p.X)), n(ys.at(p.Y)), Color(i), esc(s.Name+" · "+xfmt(p.X)+": "+Format(p.Y, lc.Y.Unit, lang)))
		}
		c.f("</g>\n")
	}

	// Markers in front of the lines, labels above the plot.
	for _, m := range markers {
		px := xs.at(m.X)
		stroke, cl := "currentColor", "kw-marker"
		if m.Alert {
			stroke, cl = "#D55E00", "kw-marker kw-alert"
		}
		c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="5 3" class="%s"><title>%s</title></line>`+"\n",
			n(px), n(plotT), n(px), n(plotB), stroke, cl, esc(m.Label+" · "+xfmt(m.X)))
	}
	for _, fl := range flags {
		y := plotT - 6 - float64(nrows-1-fl.row)*14
		attrs := []string{`font-size="11"`}
		if fl.alert {
			attrs = append(attrs, `fill="#D55E00"`, `font-weight="600"`)
		}
		c.text(fl.tx, y, fl.shown, fl.anchor, fl.class, attrs...)
	}

	c.axisTitles(lc.X, lc.Y, plotL, plotR, plotT, plotB, plotB+36)
	if len(items) > 0 {
		ly := plotB + 36
		if lc.X.Label != "" {
			ly += 18
		}
		c.legend(items, 16, ly, c.w-32)
	}
	return c.document("line", o, lineSummary(lc, xfmt, validX, validY))
}

// flagLabel is a text label hung above the plot at pixel x.
type flagLabel struct {
	x           float64
	text, class string
	alert       bool
	shown       string  // the text, shortened to fit
	tx          float64 // anchor point
	anchor      string
	row         int
}

// placeFlags lays the labels left to right into up to three rows so that
// none overlap; a label that would run off the right edge is drawn to the
// left of its line. It returns the number of rows used.
func placeFlags(fl []flagLabel, minX, maxX float64) int {
	sort.SliceStable(fl, func(i, j int) bool { return fl[i].x < fl[j].x })
	const maxRows, gap = 3, 8
	var ends []float64
	for i := range fl {
		f := &fl[i]
		f.shown = ellipsize(f.text, 11, 220)
		w := textWidth(f.shown, 11)
		f.anchor, f.tx = "start", f.x+3
		start, end := f.tx, f.tx+w
		if end > maxX {
			f.anchor, f.tx = "end", f.x-3
			start, end = f.tx-w, f.tx
		}
		if start < minX-40 {
			start = minX - 40
		}
		row := -1
		for r, e := range ends {
			if e+gap <= start {
				row = r
				break
			}
		}
		if row < 0 && len(ends) < maxRows {
			ends = append(ends, 0)
			row = len(ends) - 1
		}
		if row < 0 { // all rows taken: the row that frees up first
			row = 0
			for r, e := range ends {
				if e < ends[row] {
					row = r
				}
			}
		}
		ends[row] = math.Max(ends[row], end)
		f.row = row
	}
	return len(ends)
}

// lineSummary is the text alternative of a line chart.
func lineSummary(lc LineChart, xfmt func(float64) string, validX, validY func(float64) bool) string {
	lang := lc.Lang
	zh := IsChinese(lang)
	var parts []string
	for i, s := range lc.Series {
		if i == 12 {
			parts = append(parts, "…")
			break
		}
		var pts []Point
		for _, p := range s.Points {
			if validX(p.X) && validY(p.Y) {
				pts = append(pts, p)
			}
		}
		if len(pts) == 0 {
			continue
		}
		lo, hi := pts[0].Y, pts[0].Y
		for _, p := range pts {
			lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
		}
		f := func(v float64) string { return Format(v, lc.Y.Unit, lang) }
		a, b := pts[0], pts[len(pts)-1]
		if zh {
			parts = append(parts, s.Name+"："+strconv.Itoa(len(pts))+"个点，从"+xfmt(a.X)+"的"+f(a.Y)+"到"+xfmt(b.X)+"的"+f(b.Y)+
				"，最低"+f(lo)+"，最高"+f(hi))
		} else {
			parts = append(parts, s.Name+": "+strconv.Itoa(len(pts))+" points, from "+f(a.Y)+" at "+xfmt(a.X)+" to "+f(b.Y)+" at "+xfmt(b.X)+
				", low "+f(lo)+", high "+f(hi))
		}
	}
	for _, m := range lc.Markers {
		if validX(m.X) && m.Label != "" {
			if zh {
				parts = append(parts, "标记「"+m.Label+"」位于"+xfmt(m.X))
			} else {
				parts = append(parts, "marker “"+m.Label+"” at "+xfmt(m.X))
			}
		}
	}
	for _, r := range lc.Regions {
		if validX(r.From) && validX(r.To) && r.Label != "" {
			if zh {
				parts = append(parts, "区间「"+r.Label+"」从"+xfmt(r.From)+"到"+xfmt(r.To))
			} else {
				parts = append(parts, "shaded “"+r.Label+"” from "+xfmt(r.From)+" to "+xfmt(r.To))
			}
		}
	}
	return strings.Join(parts, sep(lang)) + strings.TrimSpace(stop(lang))
}

func clampInt(v, lo, hi int) int { return min(max(v, lo), hi) }

// everyOther keeps the 1st, 3rd, 5th … element.
func everyOther[T any](s []T) []T {
	var out []T
	for i := 0; i < len(s); i += 2 {
		out = append(out, s[i])
	}
	return out
}
