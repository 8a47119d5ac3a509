package web

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/kaiwu-ai/kaiwu/chart"
	"github.com/kaiwu-ai/kaiwu/finance/runway"
)

// monthTime is the first day of a runway month.
func monthTime(m runway.Month) time.Time {
	return time.Date(m.Year(), time.Month(m.Num()), 1, 0, 0, 0, 0, time.UTC)
}

// rangeBar is one row of a football field: low, mid and high.
type rangeBar struct {
	Label          string
	Low, Mid, High float64
}

// rangeBars draws horizontal low–high bars with a tick at the mid, for the
// valuation football field. (package chart draws lines, bars and donuts;
// a range-bar chart is small enough to keep here.)
func rangeBars(title, lang string, unit chart.Unit, bars []rangeBar) []byte {
	const w, rowH, left, right, top = 720.0, 34.0, 190.0, 40.0, 44.0
	h := top + rowH*float64(len(bars)) + 36
	lo, hi := 0.0, 0.0
	for i, b := range bars {
		if i == 0 || b.Low < lo {
			lo = b.Low
		}
		if b.High > hi {
			hi = b.High
		}
	}
	lo = minf(lo, 0)
	if hi <= lo {
		hi = lo + 1
	}
	ticks := chart.NiceTicks(lo, hi, 5)
	if len(ticks) > 0 {
		lo, hi = minf(lo, ticks[0]), maxf(hi, ticks[len(ticks)-1])
	}
	x := func(v float64) float64 { return left + (v-lo)/(hi-lo)*(w-left-right) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s" class="kw-chart kw-range" font-size="12" fill="currentColor">`,
		w, h, html.EscapeString(title))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="16" y="24" font-size="16" font-weight="600">%s</text>`, html.EscapeString(title))
	for _, t := range ticks {
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="currentColor" stroke-opacity="0.15"/>`, x(t), x(t), top-6, h-30)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill-opacity="0.7">%s</text>`, x(t), h-12, html.EscapeString(chart.Format(t, unit, lang)))
	}
	for i, r := range bars {
		y := top + rowH*float64(i)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left-10, y+rowH/2+4, html.EscapeString(r.Label))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="3" fill="%s"><title>%s: %s – %s</title></rect>`,
			x(r.Low), y+7, maxf(x(r.High)-x(r.Low), 2), rowH-14, chart.Color(i), html.EscapeString(r.Label),
			html.EscapeString(chart.Format(r.Low, unit, lang)), html.EscapeString(chart.Format(r.High, unit, lang)))
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="currentColor" stroke-width="2"/>`, x(r.Mid), x(r.Mid), y+4, y+rowH-4)
	}
	b.WriteString(`</svg>`)
	return []byte(b.String())
}

func minf(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// diffLine is one line of a line diff: Op is ' ', '-' or '+'.
type diffLine struct {
	Op   string
	Text string
}

// lineDiff compares two texts line by line (longest common subsequence;
// documents are small). Beyond 2,000 lines a side it shows the old text
// removed and the new added.
func lineDiff(a, b string) []diffLine {
	as, bs := splitLines(a), splitLines(b)
	if len(as) > 2000 || len(bs) > 2000 {
		var out []diffLine
		for _, l := range as {
			out = append(out, diffLine{"-", l})
		}
		for _, l := range bs {
			out = append(out, diffLine{"+", l})
		}
		return out
	}
	n, m := len(as), len(bs)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if as[i] == bs[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []diffLine
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case as[i] == bs[j]:
			out = append(out, diffLine{" ", as[i]})
			i++
			j++
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, diffLine{"-", as[i]})
			i++
		default:
			out = append(out, diffLine{"+", bs[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, diffLine{"-", as[i]})
	}
	for ; j < m; j++ {
		out = append(out, diffLine{"+", bs[j]})
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// changed keeps the changed lines of a diff with context lines around
// them, so a long document's history stays readable.
func changed(d []diffLine, context int) []diffLine {
	keep := make([]bool, len(d))
	for i, l := range d {
		if l.Op != " " {
			for k := max(0, i-context); k <= min(len(d)-1, i+context); k++ {
				keep[k] = true
			}
		}
	}
	var out []diffLine
	gap := false
	for i, l := range d {
		if keep[i] {
			out = append(out, l)
			gap = false
		} else if !gap {
			out = append(out, diffLine{"…", ""})
			gap = true
		}
	}
	return out
}
