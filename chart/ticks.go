package chart

import (
	"math"
	"strconv"
	"time"
)

// NiceTicks returns "nice" tick values — 1, 2 or 5 times a power of ten
// apart — whose first and last ticks enclose [lo, hi], aiming at about n
// ticks. It is the loose labelling of Paul S. Heckbert, "Nice numbers for
// graph labels", Graphics Gems I (Academic Press, 1990), pp. 61–63, 657–659.
//
// A degenerate range (lo == hi) is widened around the value (to [0, 1] for
// zero). It returns nil when lo or hi is not finite or the range overflows.
// Ticks are rounded to the step's decimals, so 0.1+0.2 prints as 0.3.
func NiceTicks(lo, hi float64, n int) []float64 {
	if !finite(lo) || !finite(hi) {
		return nil
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	n = max(n, 2)
	if hi-lo <= 1e-9*math.Max(math.Abs(lo), math.Abs(hi)) {
		if lo == 0 && hi == 0 {
			lo, hi = 0, 1
		} else {
			m := (lo + hi) / 2
			d := math.Abs(m) * 0.1
			lo, hi = m-d, m+d
		}
	}
	if !finite(hi - lo) {
		return nil
	}
	rng := niceNum(hi-lo, false)
	d := niceNum(rng/float64(n-1), true)
	if d == 0 || !finite(d) {
		return nil
	}
	gmin := math.Floor(lo/d) * d
	gmax := math.Ceil(hi/d) * d
	k := int(math.Round((gmax - gmin) / d))
	if k < 1 || k > 1000 {
		return nil
	}
	frac := max(-int(math.Floor(math.Log10(d))), 0)
	ticks := make([]float64, 0, k+1)
	for i := 0; i <= k; i++ {
		ticks = append(ticks, roundTo(gmin+float64(i)*d, frac))
	}
	return ticks
}

// niceNum finds a 1-2-5 number near x: rounded to the nearest when round
// is set, otherwise the smallest not below x (Heckbert's nicenum).
func niceNum(x float64, round bool) float64 {
	if x <= 0 || !finite(x) {
		return 0
	}
	exp := math.Floor(math.Log10(x))
	p := math.Pow(10, exp)
	f := x / p
	var nf float64
	if round {
		switch {
		case f < 1.5:
			nf = 1
		case f < 3:
			nf = 2
		case f < 7:
			nf = 5
		default:
			nf = 10
		}
	} else {
		switch {
		case f <= 1:
			nf = 1
		case f <= 2:
			nf = 2
		case f <= 5:
			nf = 5
		default:
			nf = 10
		}
	}
	return nf * p
}

// roundTo rounds v to frac decimals through its decimal text, so tick
// values are the numbers people would type; it also turns -0 into 0.
func roundTo(v float64, frac int) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'f', min(frac, 300), 64), 64)
	if err != nil || r == 0 {
		return 0
	}
	return r
}

// LogTicks returns ticks for a base-10 logarithmic axis over [lo, hi]
// (both > 0): the enclosing powers of ten, every k-th decade when there are
// more than about eight, and 2× and 5× each power when the range spans at
// most two decades. It returns nil when lo or hi is not positive and finite.
func LogTicks(lo, hi float64) []float64 {
	if !(lo > 0) || !(hi > 0) || !finite(lo) || !finite(hi) {
		return nil
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	e0 := int(math.Floor(math.Log10(lo) + 1e-9))
	e1 := int(math.Ceil(math.Log10(hi) - 1e-9))
	if e1 <= e0 {
		e1 = e0 + 1
	}
	decades := e1 - e0
	step := (decades + 7) / 8
	e1 = e0 + (decades+step-1)/step*step
	var ticks []float64
	for e := e0; e <= e1; e += step {
		p := math.Pow(10, float64(e))
		ticks = append(ticks, p)
		if decades <= 2 && e < e1 {
			ticks = append(ticks, 2*p, 5*p)
		}
	}
	return ticks
}

// monthSteps are the label strides a month axis tries, smallest first.
var monthSteps = []int{1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200}

// monthTicks picks the month offsets in [lo, hi] (months after start) to
// label so that at most maxLabels are shown: every month, every 2nd, a
// quarter, half-year, year, … aligned to the calendar (quarters start in
// January, April, July, October; years at multiples of the stride).
func monthTicks(lo, hi int, start time.Time, maxLabels int) (ticks []int, step int) {
	base := absMonth(start)
	maxLabels = max(maxLabels, 2)
	for _, step = range monthSteps {
		ticks = ticks[:0]
		for k := lo; k <= hi; k++ {
			if mod(base+k, step) == 0 {
				ticks = append(ticks, k)
			}
		}
		if len(ticks) <= maxLabels {
			break
		}
	}
	if len(ticks) == 0 { // a range shorter than the stride: label its start
		ticks = []int{lo}
	}
	return ticks, step
}

// absMonth counts months since January of year 0.
func absMonth(t time.Time) int { return t.Year()*12 + int(t.Month()) - 1 }

// mod is the non-negative remainder.
func mod(a, b int) int { return ((a % b) + b) % b }

var (
	enMonths = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// monthLabel names the month k months after start: "Jan 2026" / "2026年1月",
// shortened to the month alone ("Apr" / "4月") when short is set and the
// month is not January, and to the year alone when the stride is a year or
// more.
func monthLabel(start time.Time, k int, lang string, short bool, step int) string {
	m := absMonth(start) + k
	y, mo := m/12, mod(m, 12)
	if m < 0 {
		y = (m - 11) / 12
	}
	ys := strconv.Itoa(y)
	if IsChinese(lang) {
		switch {
		case step >= 12:
			return ys + "年"
		case short && mo != 0:
			return strconv.Itoa(mo+1) + "月"
		}
		return ys + "年" + strconv.Itoa(mo+1) + "月"
	}
	switch {
	case step >= 12:
		return ys
	case short && mo != 0:
		return enMonths[mo]
	}
	return enMonths[mo] + " " + ys
}

// finite reports whether v is neither NaN nor an infinity.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
