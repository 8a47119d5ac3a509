package chart

import (
	"math"
	"sort"
	"strings"
)

// Slice is one part of a whole: a holder's shares, a class's payout.
type Slice struct {
	Label string
	Value float64
}

// DonutChart is a ring split into slices with a legend of labels and
// percentages, such as ownership of a company.
type DonutChart struct {
	Options
	Slices []Slice
	// MaxSlices is how many slices are drawn before the smallest are
	// grouped into one "other" slice (default 6, at least 2).
	MaxSlices int
	// OtherLabel names the grouped slice ("Other" / "其他" by default).
	OtherLabel string
	// Center is the large label in the hole (e.g. "10,000,000"), CenterSub
	// the small line under it (e.g. "fully diluted shares").
	Center, CenterSub string
	// Unit formats the slice values shown in the legend next to the
	// percentages; ShowValues turns them on.
	Unit       Unit
	ShowValues bool
	// Sorted orders slices largest first; otherwise the given order is kept
	// (the "other" slice always comes last).
	Sorted bool
}

// Donut renders a donut chart. Slices with a NaN, infinite, zero or
// negative value are left out; with nothing left it renders "no data".
func Donut(dc DonutChart) []byte {
	o := dc.Options
	const defW, defH = 560, 300
	slices, other := groupSlices(dc)
	if len(slices) == 0 {
		return placeholder("donut", o, defW, defH)
	}
	total := 0.0
	for _, s := range slices {
		total += s.Value
	}
	if !(total > 0) || !finite(total) {
		return placeholder("donut", o, defW, defH)
	}
	pct := percentages(slices, total)
	colors := make([]string, len(slices))
	for i := range slices {
		colors[i] = Color(i)
	}
	if other {
		colors[len(colors)-1] = otherColor
	}

	c := newCanvas(o, defW, defH)
	top := c.title(o)
	avail := c.h - top - 16
	r := math.Max(math.Min(avail/2, c.w*0.25), 30)
	ri := r * 0.6
	cx, cy := 20+r, top+avail/2

	c.f(`<g class="kw-slices">` + "\n")
	a0 := -math.Pi / 2
	for i, s := range slices {
		a1 := a0 + 2*math.Pi*s.Value/total
		tip := esc(s.Label + ": " + pct[i] + " (" + Format(s.Value, dc.Unit, o.Lang) + ")")
		cls := "kw-slice kw-s" + itoa(i)
		if other && i == len(slices)-1 {
			cls = "kw-slice kw-other"
		}
		if len(slices) == 1 || s.Value >= total*(1-1e-12) {
			c.f(`<circle cx="%s" cy="%s" r="%s" fill="none" stroke="%s" stroke-width="%s" class="%s"><title>%s</title></circle>`+"\n",
				n(cx), n(cy), n((r+ri)/2), colors[i], n(r-ri), cls, tip)
		} else {
			c.f(`<path d="%s" fill="%s" stroke="#FFFFFF" stroke-width="1" class="%s"><title>%s</title></path>`+"\n",
				arcPath(cx, cy, r, ri, a0, a1), colors[i], cls, tip)
		}
		// The percentage on the ring when the slice has room for it.
		if a1-a0 > 0.38 {
			m := (a0 + a1) / 2
			rm := (r + ri) / 2
			c.text(cx+rm*math.Cos(m), cy+rm*math.Sin(m)+4, pct[i], "middle", "kw-slice-label",
				`font-size="11"`, `fill="`+textOn(colors[i])+`"`)
		}
		a0 = a1
	}
	c.f("</g>\n")
	if dc.Center != "" {
		y := cy + 6
		if dc.CenterSub != "" {
			y = cy
		}
		c.text(cx, y, ellipsize(dc.Center, 16, 2*ri-8), "middle", "kw-center", `font-size="16"`, `font-weight="600"`)
	}
	if dc.CenterSub != "" {
		c.text(cx, cy+16, ellipsize(dc.CenterSub, 11, 2*ri-8), "middle", "kw-center-sub", `font-size="11"`, `fill-opacity="0.7"`)
	}

	// Legend: swatch, label, percentage (and value).
	lx := cx + r + 28
	rowH := math.Min(22, (c.h-top-10)/float64(len(slices)))
	ly := cy - rowH*float64(len(slices))/2 + rowH*0.7
	pw := maxWidth(pct, 12) * 1.15 // bold runs wider than the estimate
	c.f(`<g class="kw-legend">` + "\n")
	for i, s := range slices {
		y := ly + float64(i)*rowH
		c.f(`<rect x="%s" y="%s" width="12" height="12" rx="2" fill="%s"/>`, n(lx), n(y-10), colors[i])
		c.text(lx+20+pw, y, pct[i], "end", "kw-pct", `font-weight="600"`)
		label := s.Label
		if dc.ShowValues {
			label += " · " + Format(s.Value, dc.Unit, o.Lang)
		}
		c.text(lx+28+pw, y, ellipsize(label, 12, c.w-lx-36-pw), "start", "")
	}
	c.f("</g>\n")

	var parts []string
	for i, s := range slices {
		p := s.Label + " " + pct[i]
		if dc.ShowValues {
			p += " (" + Format(s.Value, dc.Unit, o.Lang) + ")"
		}
		parts = append(parts, p)
	}
	summary := strings.Join(parts, sep(o.Lang)) + strings.TrimSpace(stop(o.Lang))
	if dc.Center != "" {
		summary = strings.TrimSpace(dc.Center+" "+dc.CenterSub) + sepColon(o.Lang) + summary
	}
	return c.document("donut", o, summary)
}

// groupSlices drops invalid slices and folds the smallest beyond MaxSlices
// into one "other" slice; other reports whether it did.
func groupSlices(dc DonutChart) (out []Slice, other bool) {
	for _, s := range dc.Slices {
		if plottable(s.Value) && s.Value > 0 {
			out = append(out, s)
		}
	}
	maxN := dc.MaxSlices
	if maxN == 0 {
		maxN = 6
	}
	maxN = max(maxN, 2)
	if dc.Sorted || len(out) > maxN {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Value > out[j].Value })
	}
	if len(out) <= maxN {
		if !dc.Sorted {
			return keepOrder(dc.Slices, out), false
		}
		return out, false
	}
	keep := out[:maxN-1]
	rest := 0.0
	for _, s := range out[maxN-1:] {
		rest += s.Value
	}
	if !dc.Sorted {
		keep = keepOrder(dc.Slices, keep)
	}
	label := dc.OtherLabel
	if label == "" {
		label = tr(dc.Lang, "other")
	}
	return append(keep, Slice{label, rest}), true
}

// keepOrder returns the valid slices of sel in the order they had in orig.
func keepOrder(orig, sel []Slice) []Slice {
	used := make([]bool, len(sel))
	var out []Slice
	for _, o := range orig {
		for j, s := range sel {
			if !used[j] && s == o {
				used[j] = true
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// percentages writes each slice's share with one decimal, rounded by the
// largest-remainder method so the shown figures add up to exactly 100.0%.
func percentages(slices []Slice, total float64) []string {
	tenths := make([]int, len(slices))
	rem := make([]float64, len(slices))
	sum := 0
	for i, s := range slices {
		x := s.Value / total * 1000
		tenths[i] = int(math.Floor(x))
		rem[i] = x - math.Floor(x)
		sum += tenths[i]
	}
	idx := make([]int, len(slices))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return rem[idx[a]] > rem[idx[b]] })
	for k := 0; sum < 1000 && k < len(idx); k++ {
		tenths[idx[k]]++
		sum++
	}
	out := make([]string, len(slices))
	for i, t := range tenths {
		out[i] = itoa(t/10) + "." + itoa(t%10) + "%"
	}
	return out
}

// arcPath is the outline of a ring sector between angles a0 and a1.
func arcPath(cx, cy, r, ri, a0, a1 float64) string {
	large := "0"
	if a1-a0 > math.Pi {
		large = "1"
	}
	p := func(rad, a float64) string { return n(cx+rad*math.Cos(a)) + " " + n(cy+rad*math.Sin(a)) }
	return "M" + p(r, a0) + "A" + n(r) + " " + n(r) + " 0 " + large + " 1 " + p(r, a1) +
		"L" + p(ri, a1) + "A" + n(ri) + " " + n(ri) + " 0 " + large + " 0 " + p(ri, a0) + "Z"
}

// sepColon introduces a list after a heading.
func sepColon(lang string) string {
	if IsChinese(lang) {
		return "："
	}
	return ": "
}
