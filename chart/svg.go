package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Options are the settings every chart shares.
type Options struct {
	// Title names the chart: drawn at the top and used as the SVG <title>
	// that screen readers announce. Empty gives a generic name ("Line chart").
	Title string
	// HideTitle keeps the title for screen readers but does not draw it,
	// for pages that show their own heading.
	HideTitle bool
	// Desc is prepended to the generated text summary of the data in <desc>.
	Desc string
	// Lang selects label language and number format: "zh…" is Chinese,
	// anything else English.
	Lang string
	// Width and Height set the viewBox in user units; zero picks a default
	// for the chart type. The SVG is drawn at width 100% and scales with it.
	Width, Height int
	// ID prefixes the element ids (aria-labelledby must point at ids unique
	// on the page). Empty derives one from a hash of the chart's content, so
	// output stays deterministic and different charts get different ids.
	ID string
}

// Okabe–Ito colour-blind-safe palette: M. Okabe and K. Ito, "Color
// Universal Design (CUD): How to make figures and presentations that are
// friendly to colorblind people" (2002, 2008), https://jfly.uni-koeln.de/color/.
// Black is left out (it vanishes on a dark theme) and yellow comes last
// (weak on white as a line).
var palette = [...]string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442"}

// darkOn says which palette fills need dark text on top (the light ones).
var darkOn = map[string]bool{"#E69F00": true, "#56B4E9": true, "#F0E442": true, otherColor: true}

// otherColor fills the "other" group of a donut: neutral grey, not a series colour.
const otherColor = "#999999"

// dashes tell lines apart without colour (greyscale print, colour blindness).
var dashes = [...]string{"", "8 4", "2 3", "10 3 2 3", "4 2", "1 3", "14 4 4 4"}

// Color is the fill or stroke of the i-th series: the Okabe–Ito palette in
// a fixed order, repeating after seven.
func Color(i int) string { return palette[mod(i, len(palette))] }

// Dash is the stroke-dasharray of the i-th line series ("" is solid).
// Series that share a colour (i and i+7) get different dashes.
func Dash(i int) string {
	i = max(i, 0)
	return dashes[(i+i/len(palette))%len(dashes)]
}

// textOn is the text colour readable on a fill.
func textOn(fill string) string {
	if darkOn[fill] {
		return "#000000"
	}
	return "#FFFFFF"
}

// fontFamily is a system sans-serif stack with CJK fallbacks.
const fontFamily = `system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif`

// canvas accumulates the body of one SVG document.
type canvas struct {
	b    bytes.Buffer
	w, h float64
	lang string
}

func newCanvas(o Options, defW, defH int) *canvas {
	w, h := o.Width, o.Height
	if w <= 0 {
		w = defW
	}
	if h <= 0 {
		h = defH
	}
	w, h = min(max(w, 160), 4000), min(max(h, 100), 4000)
	return &canvas{w: float64(w), h: float64(h), lang: o.Lang}
}

// f writes formatted output; user text must go through esc first.
func (c *canvas) f(format string, a ...any) { fmt.Fprintf(&c.b, format, a...) }

// text writes a <text> element with escaped content.
func (c *canvas) text(x, y float64, s, anchor, class string, attrs ...string) {
	c.f(`<text x="%s" y="%s"`, n(x), n(y))
	if anchor != "" && anchor != "start" {
		c.f(` text-anchor="%s"`, anchor)
	}
	if class != "" {
		c.f(` class="%s"`, class)
	}
	for _, a := range attrs {
		c.b.WriteByte(' ')
		c.b.WriteString(a)
	}
	c.f(`>%s</text>`+"\n", esc(s))
}

// title writes the visible chart title and returns the y where content may start.
func (c *canvas) title(o Options) float64 {
	if o.Title == "" || o.HideTitle {
		return 12
	}
	// Bold runs about an eighth wider than textWidth's regular estimate.
	c.text(16, 24, ellipsize(o.Title, 18, c.w-32), "start", "kw-title", `font-size="16"`, `font-weight="600"`)
	return 40
}

// document wraps the body in the <svg> root with its title and summary.
func (c *canvas) document(kind string, o Options, summary string) []byte {
	title := o.Title
	if title == "" {
		title = tr(o.Lang, kind)
	}
	desc := strings.TrimSpace(strings.TrimSpace(o.Desc) + " " + summary)
	id := cleanID(o.ID)
	if id == "" {
		h := fnv.New32a()
		h.Write([]byte(kind + "\x00" + title + "\x00" + desc + "\x00"))
		h.Write(c.b.Bytes())
		id = fmt.Sprintf("kw-%08x", h.Sum32())
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="%s-title %s-desc" class="kw-chart kw-%s" font-family="%s" font-size="12" fill="currentColor">`+"\n",
		n(c.w), n(c.h), id, id, kind, fontFamily)
	fmt.Fprintf(&out, `<title id="%s-title">%s</title>`+"\n", id, esc(title))
	fmt.Fprintf(&out, `<desc id="%s-desc">%s</desc>`+"\n", id, esc(desc))
	out.Write(c.b.Bytes())
	out.WriteString("</svg>\n")
	return out.Bytes()
}

// placeholder renders the "no data" chart: the frame, the title and a
// centred note, so a page never shows a broken image.
func placeholder(kind string, o Options, defW, defH int) []byte {
	c := newCanvas(o, defW, defH)
	c.title(o)
	c.f(`<rect x="8" y="8" width="%s" height="%s" rx="6" fill="none" stroke="currentColor" stroke-opacity="0.25" stroke-dasharray="4 4" class="kw-frame"/>`+"\n", n(c.w-16), n(c.h-16))
	msg := tr(o.Lang, "nodata")
	c.text(c.w/2, c.h/2+5, msg, "middle", "kw-nodata", `font-size="14"`, `fill-opacity="0.6"`)
	return c.document(kind, o, msg+".")
}

// n prints a coordinate with at most two decimals; NaN and infinities
// (which valid input never produces) print as 0 rather than break the SVG.
func n(v float64) string {
	if !finite(v) {
		return "0"
	}
	v = math.Round(v*100) / 100
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// esc escapes text for XML character data and attribute values, and drops
// characters XML 1.0 cannot carry.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(strings.ToValidUTF8(s, "\uFFFD")))
	return b.String()
}

// cleanID keeps the characters safe in an XML id and an aria reference.
func cleanID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && (r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		}
	}
	id := b.String()
	if id != "" && (id[0] == '-' || id[0] >= '0' && id[0] <= '9') {
		id = "c" + id
	}
	return id
}

// textWidth estimates the rendered width of s at a font size: CJK and other
// wide characters take a full em, Latin about 0.6 em. It is an estimate for
// layout (there is no font metrics in a pure function), erring wide.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x1100 && (r <= 0x115F || r >= 0x2E80 && r <= 0xA4CF || r >= 0xAC00 && r <= 0xD7A3 ||
			r >= 0xF900 && r <= 0xFAFF || r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFF60 ||
			r >= 0xFFE0 && r <= 0xFFE6 || r >= 0x1F300 && r <= 0x1FAFF || r >= 0x20000):
			w += 1.0
		case r == 'm' || r == 'w' || r == 'M' || r == 'W' || r == '@' || r == '%':
			w += 0.85
		case r == 'i' || r == 'l' || r == 'j' || r == '.' || r == ',' || r == '\'' || r == '|' || r == ' ' || r == ':' || r == '!':
			w += 0.3
		case r >= 'A' && r <= 'Z':
			w += 0.68
		default:
			w += 0.58
		}
	}
	return w * size
}

// ellipsize shortens s with "…" until it fits in width at the font size.
func ellipsize(s string, size, width float64) string {
	if textWidth(s, size) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && textWidth(string(r)+"…", size) > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// messages holds the few words the charts draw themselves, English and Chinese.
var messages = map[string][2]string{
	"line":      {"Line chart", "折线图"},
	"donut":     {"Donut chart", "环形图"},
	"bars":      {"Bar chart", "柱状图"},
	"ranges":    {"Range chart", "区间图"},
	"waterfall": {"Split bar", "分配条形图"},
	"nodata":    {"No data", "无数据"},
	"other":     {"Other", "其他"},
	"series":    {"series", "个系列"},
	"points":    {"points", "个点"},
	"total":     {"Total", "合计"},
}

// tr looks a message up in the chart's language.
func tr(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if IsChinese(lang) {
		return m[1]
	}
	return m[0]
}

// sep joins summary parts: "; " in English, "；" in Chinese.
func sep(lang string) string {
	if IsChinese(lang) {
		return "；"
	}
	return "; "
}

// stop ends a summary sentence.
func stop(lang string) string {
	if IsChinese(lang) {
		return "。"
	}
	return ". "
}

// plottable is the value range charts draw: finite and far from overflow,
// so that differences and scales stay finite.
func plottable(v float64) bool { return finite(v) && math.Abs(v) <= 1e200 }

// legendItem is one entry of a legend row.
type legendItem struct {
	label  string
	color  string
	dash   string
	line   bool // a line sample rather than a swatch
	series int
}

// legendLayout places items in rows no wider than width; it returns each
// item's x offset and row, and the number of rows.
func legendLayout(items []legendItem, width float64) (xs []float64, rows []int, nrows int) {
	x, row := 0.0, 0
	for _, it := range items {
		w := legendItemWidth(it)
		if x > 0 && x+w > width {
			x, row = 0, row+1
		}
		xs = append(xs, x)
		rows = append(rows, row)
		x += w
	}
	if len(items) > 0 {
		nrows = row + 1
	}
	return xs, rows, nrows
}

const legendFont = 12

func legendItemWidth(it legendItem) float64 {
	return legendSample(it) + 6 + textWidth(legendLabel(it), legendFont) + 18
}

func legendSample(it legendItem) float64 {
	if it.line {
		return 26
	}
	return 12
}

func legendLabel(it legendItem) string { return ellipsize(it.label, legendFont, 260) }

// legend draws the items from (x0, y0), rows 18 apart.
func (c *canvas) legend(items []legendItem, x0, y0, width float64) {
	xs, rows, _ := legendLayout(items, width)
	c.f(`<g class="kw-legend">` + "\n")
	for i, it := range items {
		x, y := x0+xs[i], y0+float64(rows[i])*18
		if it.line {
			c.f(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2.5"%s class="kw-s%d"/>`,
				n(x), n(y-4), n(x+26), n(y-4), it.color, dashAttr(it.dash), it.series)
		} else {
			c.f(`<rect x="%s" y="%s" width="12" height="12" rx="2" fill="%s" class="kw-s%d"/>`, n(x), n(y-10), it.color, it.series)
		}
		c.text(x+legendSample(it)+6, y, legendLabel(it), "start", "")
	}
	c.f("</g>\n")
}

func dashAttr(d string) string {
	if d == "" {
		return ""
	}
	return ` stroke-dasharray="` + d + `"`
}

// itoa is strconv.Itoa, short for the many labels built here.
func itoa(i int) string { return strconv.Itoa(i) }
