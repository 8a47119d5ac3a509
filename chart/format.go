package chart

import (
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// Unit says how a number is written on a label.
type Unit int

// The units a chart axis, slice or bar value can carry.
const (
	// Plain is a compact count: 1,234 · 1.2万 / 1.2K · 3.5亿 / 350M.
	Plain Unit = iota
	// Percent is a fraction shown as a percentage: 0.253 is "25.3%".
	Percent
	// CNY is money in renminbi with the ¥ symbol: ¥3,500万 / ¥35M.
	CNY
	// USD is money in US dollars with the $ symbol: $1.2亿 / $120M.
	USD
	// Sci is scientific notation for physical magnitudes such as FLOPs: 6e23.
	Sci
)

// IsChinese reports whether lang (a BCP 47 tag such as "zh", "zh-CN",
// "zh-Hans") selects Chinese formatting; everything else is English.
func IsChinese(lang string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(lang)), "zh")
}

// Format writes v compactly for a chart label in the reader's language.
// Chinese groups by 万 (10⁴), 亿 (10⁸) and 万亿 (10¹²); English by K, M, B
// and T. About three significant digits are kept ("1.23亿", "3,500万",
// "12.5M"); money below a thousand keeps its cents ("$0.15"); the sign goes
// before the symbol ("-¥200万"). NaN is "–" and infinities "∞"/"-∞".
//
// Format goes through the same exact decimal path as FormatDecimal, so a
// float and its decimal twin always print alike.
func Format(v float64, unit Unit, lang string) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	}
	return FormatDecimal(decimal.NewFromFloat(v), unit, lang)
}

// FormatAmount is FormatDecimal for an amount held as text ("1234567.89",
// "1,234,567.89", "-3_500"), so money never passes through a float on its
// way to a label. It fails on anything that is not a plain decimal.
func FormatAmount(amount string, unit Unit, lang string) (string, error) {
	t := strings.NewReplacer(",", "", "_", "", " ", "").Replace(strings.TrimSpace(amount))
	if t == "" || strings.ContainsAny(t, "eE") {
		return "", &FormatError{Amount: amount}
	}
	d, err := decimal.NewFromString(t)
	if err != nil {
		return "", &FormatError{Amount: amount}
	}
	return FormatDecimal(d, unit, lang), nil
}

// FormatError reports an amount FormatAmount could not read.
type FormatError struct {
	Amount string // the text as given
}

// Error implements error.
func (e *FormatError) Error() string {
	return "chart: " + strconv.Quote(e.Amount) + " is not a decimal amount"
}

// FormatDecimal is Format for an exact decimal: the scaling by 万/亿 or
// K/M/B and the rounding (half away from zero) are done in decimal
// arithmetic.
func FormatDecimal(d decimal.Decimal, unit Unit, lang string) string {
	zh := IsChinese(lang)
	neg := d.Sign() < 0
	a := d.Abs()
	var s string
	switch unit {
	case Percent:
		s = trimNum(a.Shift(2), false) + "%"
	case Sci:
		s = sci(a)
	default:
		s = compact(a, zh, unit == CNY || unit == USD)
		switch unit {
		case CNY:
			s = "¥" + s
		case USD:
			s = "$" + s
		}
	}
	if neg && strings.ContainsAny(s, "123456789") {
		s = "-" + s
	}
	return s
}

// magnitude is one step of a language's number grouping.
type magnitude struct {
	exp    int32
	suffix string
}

var (
	zhMagnitudes = []magnitude{{0, ""}, {4, "万"}, {8, "亿"}, {12, "万亿"}}
	enMagnitudes = []magnitude{{0, ""}, {3, "K"}, {6, "M"}, {9, "B"}, {12, "T"}}
)

// compact scales a (non-negative) into the largest magnitude it reaches and
// rounds it; beyond the last magnitude it falls back to scientific notation.
func compact(a decimal.Decimal, zh, money bool) string {
	mags := enMagnitudes
	if zh {
		mags = zhMagnitudes
	}
	i := 0
	for i+1 < len(mags) && a.Cmp(decimal.New(1, mags[i+1].exp)) >= 0 {
		i++
	}
	last := mags[len(mags)-1]
	// Past the largest group by a whole group (1e15 in English, 1e16 in
	// Chinese), "1,000T" and "1万万亿" read worse than scientific notation.
	if a.Cmp(decimal.New(1, last.exp+mags[1].exp)) >= 0 {
		return sci(a)
	}
	for {
		s := a.Shift(-mags[i].exp)
		r := s.Round(places(s))
		// 9,999.6万 rounds to 10,000万: that is 1亿.
		if i+1 < len(mags) && r.Cmp(decimal.New(1, mags[i+1].exp-mags[i].exp)) >= 0 {
			i++
			continue
		}
		cents := money && i == 0 && !r.IsInteger() && a.Cmp(decimal.New(1, -2)) >= 0
		return trimNum(s, cents) + mags[i].suffix
	}
}

// places is how many decimals keep about three significant digits of s.
func places(s decimal.Decimal) int32 {
	f := s.InexactFloat64()
	switch {
	case f >= 100 || f == 0:
		return 0
	case f >= 10:
		return 1
	case f >= 1:
		return 2
	}
	p := int32(-math.Floor(math.Log10(f))) + 2
	return min(p, 12)
}

// trimNum rounds s to about three significant digits, drops trailing zeros
// (or keeps exactly two decimals when cents is set) and groups thousands.
func trimNum(s decimal.Decimal, cents bool) string {
	if cents {
		return group(s.StringFixed(2))
	}
	f := s.InexactFloat64()
	if f != 0 && f < 1e-9 {
		return sci(s)
	}
	t := s.StringFixed(places(s))
	if strings.Contains(t, ".") {
		t = strings.TrimRight(strings.TrimRight(t, "0"), ".")
	}
	return group(t)
}

// sci writes a non-negative decimal as "6.2e23" (three significant digits).
func sci(a decimal.Decimal) string {
	if a.IsZero() {
		return "0"
	}
	t := strconv.FormatFloat(a.InexactFloat64(), 'e', 2, 64)
	mant, exp, _ := strings.Cut(t, "e")
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	e, _ := strconv.Atoi(exp)
	if e == 0 {
		return mant
	}
	return mant + "e" + strconv.Itoa(e)
}

// group inserts thousands separators into the integer part of a plain
// decimal string ("3500.5" → "3,500.5").
func group(s string) string {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString(".")
		b.WriteString(frac)
	}
	return b.String()
}
