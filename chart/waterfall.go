package chart

import (
	"math"
	"strings"
)

// WaterfallChart is one horizontal bar split into labelled segments: an
// exit value divided among share classes or holders.
type WaterfallChart struct {
	Options
	// Segments in the order they are paid (or any order that reads well).
	Segments []Slice
	// Unit formats the amounts.
	Unit Unit
	// TotalLabel, when set, prints "TotalLabel: total" above the bar
	// ("Exit value: $120M").
	TotalLabel string
}

// Waterfall renders the split bar. Segments with a NaN, infinite, zero or
// negative value are left out; with nothing left it renders "no data".
// Each segment is labelled inside when it is wide enough and always in the
// legend below with its amount and share.
func Waterfall(wc WaterfallChart) []byte {
	o := wc.Options
	lang := o.Lang
	const defW = 720
	var segs []Slice
	total := 0.0
	for _, s := range wc.Segments {
		if plottable(s.Value) && s.Value > 0 {
			segs = append(segs, s)
			total += s.Value
		}
	}
	if len(segs) == 0 || !plottable(total) {
		return placeholder("waterfall", o, defW, 160)
	}
	pct := percentages(segs, total)
	f := func(v float64) string { return Format(v, wc.Unit, lang) }
	items := make([]legendItem, len(segs))
	for i, s := range segs {
		items[i] = legendItem{label: s.Label + " · " + f(s.Value) + " · " + pct[i], color: Color(i), series: i}
	}
	w := float64(defW)
	if o.Width > 0 {
		w = float64(min(max(o.Width, 160), 4000))
	}
	_, _, rows := legendLayout(items, w-32)
	top := 12.0
	if o.Title != "" && !o.HideTitle {
		top = 40
	}
	const barH = 48
	head := 0.0
	if wc.TotalLabel != "" {
		head = 22
	}
	defH := int(top + head + barH + 20 + float64(rows)*18 + 8)
	c := newCanvas(o, defW, defH)
	c.title(o)
	if wc.TotalLabel != "" {
		c.text(16, top+12, wc.TotalLabel+sepColon(lang)+f(total), "start", "kw-total", `font-weight="600"`)
	}
	barT := top + head
	x0, x1 := 16.0, c.w-16
	x := x0
	c.f(`<g class="kw-segments">` + "\n")
	for i, s := range segs {
		sw := (x1 - x0) * s.Value / total
		col := Color(i)
		c.f(`<rect x="%s" y="%s" width="%s" height="%d" fill="%s" stroke="#FFFFFF" stroke-width="1" class="kw-segment kw-s%d"><title>%s</title></rect>`+"\n",
			n(x), n(barT), n(math.Max(sw, 0.5)), barH, col, i, esc(s.Label+": "+f(s.Value)+" ("+pct[i]+")"))
		if sw >= 30 {
			fill := `fill="` + textOn(col) + `"`
			name := ellipsize(s.Label, 11, sw-8)
			if textWidth(pct[i], 11) <= sw-6 && !strings.HasPrefix(name, "…") {
				c.text(x+sw/2, barT+barH/2-3, name, "middle", "kw-segment-label", `font-size="11"`, fill)
				c.text(x+sw/2, barT+barH/2+12, pct[i], "middle", "kw-segment-pct", `font-size="11"`, `font-weight="600"`, fill)
			} else if textWidth(pct[i], 11) <= sw-6 {
				c.text(x+sw/2, barT+barH/2+4, pct[i], "middle", "kw-segment-pct", `font-size="11"`, fill)
			}
		}
		x += sw
	}
	c.f("</g>\n")
	c.legend(items, 16, barT+barH+24, c.w-32)

	parts := make([]string, len(segs))
	for i, s := range segs {
		parts[i] = s.Label + " " + f(s.Value) + " (" + pct[i] + ")"
	}
	tl := wc.TotalLabel
	if tl == "" {
		tl = tr(lang, "total")
	}
	return c.document("waterfall", o, tl+sepColon(lang)+f(total)+stop(lang)+strings.Join(parts, sep(lang))+strings.TrimSpace(stop(lang)))
}
