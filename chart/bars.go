package chart

import (
	"math"
	"strings"
)

// BarSeries is one named set of bar values, one per category.
type BarSeries struct {
	Name   string
	Values []float64
}

// BarChart is a vertical bar chart with one bar per series in each
// category, side by side (grouped) or on top of each other (stacked).
type BarChart struct {
	Options
	// Categories name the groups along the x axis (months, holders,
	// batches). Missing names are blank; extra values make extra groups.
	Categories []string
	Series     []BarSeries
	// Stacked piles the series of a category on one bar (positive values
	// up from zero, negative down) instead of placing them side by side.
	Stacked bool
	// X titles the category axis (its Unit and Log are unused); Y is the
	// value axis (Log is ignored: bars always start at zero).
	X, Y Axis
	// ValueLabels prints each bar's value on or above it where it fits,
	// and a stack's total above it.
	ValueLabels bool
}

// Bars renders a bar chart. Invalid values (NaN, ±Inf) are left out; with
// none valid it renders "no data".
func Bars(bc BarChart) []byte {
	o := bc.Options
	const defW, defH = 720, 360
	lang := o.Lang
	ncat := len(bc.Categories)
	for _, s := range bc.Series {
		ncat = max(ncat, len(s.Values))
	}
	ncat = min(ncat, 2000)
	val := func(s BarSeries, k int) (float64, bool) {
		if k >= len(s.Values) || !plottable(s.Values[k]) {
			return 0, false
		}
		return s.Values[k], true
	}
	cat := func(k int) string {
		if k < len(bc.Categories) {
			return bc.Categories[k]
		}
		return ""
	}
	lo, hi, any := 0.0, 0.0, false
	for k := 0; k < ncat; k++ {
		pos, neg := 0.0, 0.0
		for _, s := range bc.Series {
			v, ok := val(s, k)
			if !ok {
				continue
			}
			any = true
			if bc.Stacked {
				if v > 0 {
					pos += v
				} else {
					neg += v
				}
			} else {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		lo, hi = math.Min(lo, neg), math.Max(hi, pos)
	}
	if !any || !plottable(hi-lo) {
		return placeholder("bars", o, defW, defH)
	}

	c := newCanvas(o, defW, defH)
	top := c.title(o)
	var items []legendItem
	if len(bc.Series) > 1 {
		for i, s := range bc.Series {
			items = append(items, legendItem{label: s.Name, color: Color(i), series: i})
		}
	}
	_, _, legendRows := legendLayout(items, c.w-32)

	yt := NiceTicks(lo, hi, clampInt(int((c.h-top-80)/50)+1, 3, 8))
	if len(yt) < 2 {
		return placeholder("bars", o, defW, defH)
	}
	yl := labels(yt, bc.Y.Unit, lang)
	left := 14 + maxWidth(yl, tickFont) + 8
	if bc.Y.Label != "" {
		left += 18
	}
	plotL, plotR := left, c.w-20
	band := (plotR - plotL) / float64(ncat)

	// Category labels: horizontal if they fit, else slanted, thinned when
	// even slanted ones would collide.
	cats := make([]string, ncat)
	for k := range cats {
		cats[k] = cat(k)
	}
	catW := maxWidth(cats, tickFont)
	slant := catW > band-6
	thin := 1
	labelH := 20.0
	if slant {
		for k := range cats {
			cats[k] = ellipsize(cats[k], tickFont, 110)
		}
		catW = maxWidth(cats, tickFont)
		labelH = catW*0.574 + 20
		// Slanted labels sit band·sin 35° apart; keep them a line apart.
		thin = max(int(math.Ceil(13/(band*0.574))), 1)
		// The first label leans left past the plot: make room for it.
		if need := catW*0.82 - band/2 + 10; need > plotL {
			plotL = need
			band = (plotR - plotL) / float64(ncat)
			thin = max(int(math.Ceil(13/(band*0.574))), 1)
		}
	}
	bottom := 10 + labelH
	if bc.X.Label != "" {
		bottom += 18
	}
	if legendRows > 0 {
		bottom += 6 + float64(legendRows)*18
	}
	plotT := top + 10
	if bc.ValueLabels {
		plotT += 6
	}
	plotB := math.Max(c.h-bottom, plotT+40)
	ys := newScale(yt[0], yt[len(yt)-1], plotB, plotT, false)
	c.yGrid(yt, yl, ys, plotL, plotR)

	nser := max(len(bc.Series), 1)
	groupW := band * 0.8
	bw := groupW
	if !bc.Stacked {
		bw = groupW / float64(nser)
	}
	valueFont := 10.0
	for i, s := range bc.Series {
		c.f(`<g class="kw-series kw-s%d" fill="%s"><title>%s</title>`+"\n", i, Color(i), esc(s.Name))
		for k := 0; k < ncat; k++ {
			v, ok := val(s, k)
			if !ok {
				continue
			}
			x := plotL + float64(k)*band + band*0.1
			var y0, y1 float64 // data values of the bar's ends
			if bc.Stacked {
				y0 = stackBase(bc.Series[:i], k, v >= 0, val)
				y1 = y0 + v
			} else {
				x += float64(i) * bw
				y1 = v
			}
			pa, pb := ys.at(y0), ys.at(y1)
			yTop, h := math.Min(pa, pb), math.Abs(pa-pb)
			c.f(`<rect x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`+"\n",
				n(x+0.5), n(yTop), n(math.Max(bw-1, 0.5)), n(h), esc(s.Name+" · "+cat(k)+": "+Format(v, bc.Y.Unit, lang)))
			if !bc.ValueLabels {
				continue
			}
			lbl := Format(v, bc.Y.Unit, lang)
			lw := textWidth(lbl, valueFont)
			switch {
			case bc.Stacked && h >= 14 && lw <= bw-2:
				c.text(x+bw/2, yTop+h/2+3.5, lbl, "middle", "kw-value", `font-size="10"`, `fill="`+textOn(Color(i))+`"`)
			case !bc.Stacked && lw <= bw+band*0.1:
				ty := yTop - 3
				if v < 0 {
					ty = yTop + h + 11
				}
				c.text(x+bw/2, ty, lbl, "middle", "kw-value", `font-size="10"`, `fill="currentColor"`)
			}
		}
		c.f("</g>\n")
	}
	if bc.Stacked && bc.ValueLabels && len(bc.Series) > 1 {
		c.f(`<g class="kw-totals" font-size="10" font-weight="600">` + "\n")
		for k := 0; k < ncat; k++ {
			pos, neg, ok := 0.0, 0.0, false
			for _, s := range bc.Series {
				if v, good := val(s, k); good {
					ok = true
					if v >= 0 {
						pos += v
					} else {
						neg += v
					}
				}
			}
			lbl := Format(pos+neg, bc.Y.Unit, lang)
			if ok && textWidth(lbl, valueFont) <= band-2 {
				c.text(plotL+float64(k)*band+band/2, ys.at(pos)-3, lbl, "middle", "kw-total")
			}
		}
		c.f("</g>\n")
	}

	// Zero line and category labels.
	zy := ys.at(0)
	c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="currentColor" stroke-opacity="0.6" class="kw-axis kw-zero"/>`+"\n", n(plotL), n(zy), n(plotR), n(zy))
	c.f(`<g class="kw-ticks kw-xticks" font-size="11" fill-opacity="0.8">` + "\n")
	for k := 0; k < ncat; k += thin {
		cx := plotL + float64(k)*band + band/2
		if slant {
			c.f(`<text transform="translate(%s %s) rotate(-35)" text-anchor="end">%s</text>`+"\n", n(cx+3), n(plotB+14), esc(cats[k]))
		} else {
			c.text(cx, plotB+17, cats[k], "middle", "")
		}
	}
	c.f("</g>\n")
	xTitleY := plotB + labelH + 12
	c.axisTitles(bc.X, bc.Y, plotL, plotR, plotT, plotB, xTitleY)
	if len(items) > 0 {
		ly := xTitleY + 4
		if bc.X.Label != "" {
			ly += 18
		}
		c.legend(items, 16, ly, c.w-32)
	}

	var parts []string
	for _, s := range bc.Series {
		var vs []string
		for k := 0; k < ncat; k++ {
			if len(vs) == 24 {
				vs = append(vs, "…")
				break
			}
			if v, ok := val(s, k); ok {
				vs = append(vs, cat(k)+" "+Format(v, bc.Y.Unit, lang))
			}
		}
		parts = append(parts, s.Name+sepColon(lang)+strings.Join(vs, listSep(lang)))
	}
	return c.document("bars", o, strings.Join(parts, sep(lang))+strings.TrimSpace(stop(lang)))
}

// stackBase is where series i's bar starts in category k: the sum of the
// earlier series' values of the same sign.
func stackBase(before []BarSeries, k int, positive bool, val func(BarSeries, int) (float64, bool)) float64 {
	b := 0.0
	for _, s := range before {
		if v, ok := val(s, k); ok && (v >= 0) == positive {
			b += v
		}
	}
	return b
}

// listSep separates items inside one summary part.
func listSep(lang string) string {
	if IsChinese(lang) {
		return "、"
	}
	return ", "
}
