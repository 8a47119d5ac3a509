package web

import (
	"strings"
	"time"

	"github.com/kaiwu-ai/kaiwu/finance/runway"
)

// monthTime is the first day of a runway month.
func monthTime(m runway.Month) time.Time {
	return time.Date(m.Year(), time.Month(m.Num()), 1, 0, 0, 0, 0, time.UTC)
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
