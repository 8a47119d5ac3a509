package chart

import (
	"math"
	"strings"
)

// Range is one horizontal bar from Low to High with an optional Mid mark:
// one valuation method's range in a football field.
type Range struct {
	Label          string
	Low, Mid, High float64
}

// Band is the shaded overall range drawn across all bars (the valuation
// the founders settle on).
type Band struct {
	Low, High float64
	Label     string
}

// RangeChart is a "football field": horizontal low–high bars, one per
// row, on a shared value axis, with an optional overall band.
type RangeChart struct {
	Options
	Ranges []Range
	// Band, when set, shades its interval across all rows.
	Band *Band
	// Axis titles and formats the value axis (Log is ignored).
	Axis Axis
}

// RangeBars renders a range chart. A range whose Low or High is not finite
// is left out (Low > High is swapped); Mid is drawn only when it is finite
// and within [Low, High] (use math.NaN() for none). With no valid range it
// renders "no data". The default height grows with the number of rows.
func RangeBars(rc RangeChart) []byte {
	o := rc.Options
	lang := o.Lang
	var rows []Range
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range rc.Ranges {
		if !plottable(r.Low) || !plottable(r.High) {
			continue
		}
		if r.Low > r.High {
			r.Low, r.High = r.High, r.Low
		}
		rows = append(rows, r)
		lo, hi = math.Min(lo, r.Low), math.Max(hi, r.High)
		if len(rows) == 200 {
			break
		}
	}
	band := rc.Band
	if band != nil && (!plottable(band.Low) || !plottable(band.High)) {
		band = nil
	}
	if band != nil {
		b := *band
		if b.Low > b.High {
			b.Low, b.High = b.High, b.Low
		}
		band = &b
	}
	const defW = 720
	rowH := 40.0
	headH := 0.0
	if band != nil && band.Label != "" {
		headH = 20
	}
	defH := 40 + int(headH) + len(rows)*int(rowH) + 40
	if rc.Axis.Label != "" {
		defH += 18
	}
	if len(rows) == 0 {
		return placeholder("ranges", o, defW, 200)
	}
	if band != nil {
		lo, hi = math.Min(lo, band.Low), math.Max(hi, band.High)
	}
	c := newCanvas(o, defW, defH)
	top := c.title(o)

	lbls := make([]string, len(rows))
	for i, r := range rows {
		lbls[i] = r.Label
	}
	lw := math.Min(maxWidth(lbls, 12), c.w*0.3)
	plotL, plotR := 16+lw+14, c.w-24
	plotT := top + headH + 4
	bottom := 34.0
	if rc.Axis.Label != "" {
		bottom += 18
	}
	plotB := math.Max(c.h-bottom, plotT+30)
	rowH = (plotB - plotT) / float64(len(rows))

	var xt []float64
	var xl []string
	for k := clampInt(int((plotR-plotL)/80), 2, 10); k >= 2; k-- {
		xt = NiceTicks(lo, hi, k)
		xl = labels(xt, rc.Axis.Unit, lang)
		if len(xt) > 0 && (maxWidth(xl, tickFont)+14)*float64(len(xl)) <= plotR-plotL {
			break
		}
	}
	if len(xt) < 2 {
		return placeholder("ranges", o, defW, defH)
	}
	xs := newScale(xt[0], xt[len(xt)-1], plotL, plotR, false)
	f := func(v float64) string { return Format(v, rc.Axis.Unit, lang) }

	if band != nil {
		a, b := xs.at(band.Low), xs.at(band.High)
		c.f(`<g class="kw-band"><rect x="%s" y="%s" width="%s" height="%s" fill="#009E73" fill-opacity="0.14"/>`, n(a), n(plotT), n(math.Max(b-a, 1)), n(plotB-plotT))
		c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#009E73" stroke-dasharray="4 3"/>`, n(a), n(plotT), n(a), n(plotB))
		c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#009E73" stroke-dasharray="4 3"/>`+"\n", n(b), n(plotT), n(b), n(plotB))
		if band.Label != "" {
			t := ellipsize(band.Label+sepColon(lang)+f(band.Low)+" – "+f(band.High), 11, c.w-32)
			w := textWidth(t, 11)
			x := math.Min(math.Max((a+b)/2, 16+w/2), c.w-16-w/2)
			c.text(x, plotT-8, t, "middle", "kw-band-label", `font-size="11"`, `font-weight="600"`)
		}
		c.f("</g>\n")
	}
	// Vertical grid and value axis.
	c.f(`<g class="kw-grid" stroke="currentColor" stroke-opacity="0.12">` + "\n")
	for _, t := range xt {
		x := xs.at(t)
		c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", n(x), n(plotT), n(x), n(plotB))
	}
	c.f("</g>\n")
	c.f(`<g class="kw-ticks kw-xticks" font-size="11" fill-opacity="0.75">` + "\n")
	for i, t := range xt {
		c.text(xs.at(t), plotB+16, xl[i], "middle", "")
	}
	c.f("</g>\n")
	c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity="0.45" class="kw-axis"/>`+"\n", n(plotL), n(plotB), n(plotR), n(plotB))

	barH := math.Min(16, rowH*0.4)
	var parts []string
	for i, r := range rows {
		cy := plotT + (float64(i)+0.5)*rowH
		a, b := xs.at(r.Low), xs.at(r.High)
		col := Color(0)
		c.f(`<g class="kw-range kw-s%d">`, i)
		c.text(16, cy+4, ellipsize(r.Label, 12, lw), "start", "kw-range-label")
		rng := f(r.Low) + " – " + f(r.High)
		hasMid := plottable(r.Mid) && r.Mid >= r.Low && r.Mid <= r.High
		tip := r.Label + ": " + rng
		if hasMid {
			tip += " (" + f(r.Mid) + ")"
		}
		c.f(`<rect x="%s" y="%s" width="%s" height="%s" rx="2" fill="%s" fill-opacity="0.45" stroke="%s"><title>%s</title></rect>`,
			n(a), n(cy-barH/2), n(math.Max(b-a, 2)), n(barH), col, col, esc(tip))
		if hasMid {
			m := xs.at(r.Mid)
			c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-width="3" class="kw-mid"/>`,
				n(m), n(cy-barH/2-3), n(m), n(cy+barH/2+3))
		}
		// The range's figures: right of the bar, else left of it, else below.
		tw := textWidth(rng, 10)
		switch {
		case b+6+tw <= c.w-6:
			c.text(b+6, cy+3.5, rng, "start", "kw-value", `font-size="10"`)
		case a-6-tw >= plotL:
			c.text(a-6, cy+3.5, rng, "end", "kw-value", `font-size="10"`)
		default:
			c.text((a+b)/2, cy+barH/2+11, rng, "middle", "kw-value", `font-size="10"`)
		}
		c.f("</g>\n")
		parts = append(parts, tip)
	}
	c.axisTitles(rc.Axis, Axis{}, plotL, plotR, plotT, plotB, plotB+34)
	summary := strings.Join(parts, sep(lang))
	if band != nil {
		bl := band.Label
		if bl == "" {
			bl = tr(lang, "total")
		}
		summary += sep(lang) + bl + sepColon(lang) + f(band.Low) + " – " + f(band.High)
	}
	return c.document("ranges", o, summary+strings.TrimSpace(stop(lang)))
}
