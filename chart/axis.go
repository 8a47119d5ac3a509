package chart

import (
	"math"
	"time"
)

// Axis describes one axis of a Line or Bars chart.
type Axis struct {
	// Label is the axis title ("Month", "Cash", "Exit value").
	Label string
	// Unit formats the tick labels (money, percent, plain, scientific).
	Unit Unit
	// Log makes the axis base-10 logarithmic (for FLOP budgets and other
	// quantities spanning decades); non-positive values are then skipped.
	// Bars ignore it: a bar's length on a log axis misleads.
	Log bool
	// MonthsFrom, when set on a Line's X axis, makes it a month axis: X
	// values count months after this month (0 is MonthsFrom's month) and
	// ticks are calendar months, thinned to quarters, half-years or years
	// as space requires. Offsets beyond ±120,000 months are skipped.
	MonthsFrom time.Time
}

// scale maps a data interval onto a pixel interval, linearly or in log10.
type scale struct {
	d0, d1, r0, r1 float64
	log            bool
}

func newScale(d0, d1, r0, r1 float64, log bool) scale {
	if log {
		d0, d1 = math.Log10(d0), math.Log10(d1)
	}
	return scale{d0, d1, r0, r1, log}
}

// at is the pixel position of v.
func (s scale) at(v float64) float64 {
	if s.log {
		v = math.Log10(v)
	}
	if s.d1 == s.d0 {
		return (s.r0 + s.r1) / 2
	}
	return s.r0 + (v-s.d0)/(s.d1-s.d0)*(s.r1-s.r0)
}

// clamp keeps a pixel position inside the scale's range.
func (s scale) clamp(p float64) float64 {
	lo, hi := math.Min(s.r0, s.r1), math.Max(s.r0, s.r1)
	return math.Min(math.Max(p, lo), hi)
}

// valueTicks picks ticks for a value axis over [lo, hi] with about n ticks.
func valueTicks(lo, hi float64, n int, log bool) []float64 {
	if log {
		return LogTicks(lo, hi)
	}
	return NiceTicks(lo, hi, n)
}

// labels formats ticks in a unit and language.
func labels(ticks []float64, u Unit, lang string) []string {
	out := make([]string, len(ticks))
	for i, t := range ticks {
		out[i] = Format(t, u, lang)
	}
	return out
}

// maxWidth is the widest of the strings at a font size.
func maxWidth(ss []string, size float64) float64 {
	w := 0.0
	for _, s := range ss {
		w = math.Max(w, textWidth(s, size))
	}
	return w
}

const tickFont = 11

// yGrid draws horizontal grid lines with their labels left of x0.
func (c *canvas) yGrid(ticks []float64, lbls []string, ys scale, x0, x1 float64) {
	c.f(`<g class="kw-grid" stroke="currentColor" stroke-opacity="0.12">` + "\n")
	for _, t := range ticks {
		y := ys.at(t)
		c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s"/>`+"\n", n(x0), n(y), n(x1), n(y))
	}
	c.f("</g>\n")
	c.f(`<g class="kw-ticks kw-yticks" font-size="11" fill-opacity="0.75">` + "\n")
	for i, t := range ticks {
		c.text(x0-6, ys.at(t)+4, lbls[i], "end", "")
	}
	c.f("</g>\n")
}

// axisTitles draws the x title centred under the plot and the y title
// rotated along the left edge.
func (c *canvas) axisTitles(x, y Axis, plotL, plotR, plotT, plotB, xTitleY float64) {
	if x.Label != "" {
		c.text((plotL+plotR)/2, xTitleY, ellipsize(x.Label, 12, plotR-plotL), "middle", "kw-axis-title", `fill-opacity="0.85"`)
	}
	if y.Label != "" {
		cy := (plotT + plotB) / 2
		c.f(`<text transform="translate(16 %s) rotate(-90)" text-anchor="middle" class="kw-axis-title" fill-opacity="0.85">%s</text>`+"\n",
			n(cy), esc(ellipsize(y.Label, 12, plotB-plotT)))
	}
}
