package chart

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func TestNiceTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0, 10, 5, []float64{0, 2, 4, 6, 8, 10}},
		{0, 1, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},
		{-3.7, 12.1, 5, []float64{-5, 0, 5, 10, 15}},
		{0.1, 0.3, 3, []float64{0.1, 0.2, 0.3}},
		{0, 1e6, 5, []float64{0, 2e5, 4e5, 6e5, 8e5, 1e6}},
		{12, 0, 4, []float64{0, 5, 10, 15}},                   // swapped bounds
		{0, 0, 5, []float64{0, 0.2, 0.4, 0.6, 0.8, 1}},        // all zero
		{5, 5, 5, []float64{4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6}}, // one value
		{-2e6, 5e7, 6, []float64{-2e7, 0, 2e7, 4e7, 6e7}},     // a cash curve below zero
		{3, 97, 1, []float64{0, 100}},                         // n < 2 is 2
		{math.NaN(), 1, 5, nil},
		{0, math.Inf(1), 5, nil},
		{-1e308, 1e308, 5, nil}, // the range overflows
	}
	for _, tt := range tests {
		if got := NiceTicks(tt.lo, tt.hi, tt.n); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("NiceTicks(%v, %v, %d) = %v, want %v", tt.lo, tt.hi, tt.n, got, tt.want)
		}
	}
}

func TestNiceTicksCoverAndAreEven(t *testing.T) {
	for _, r := range [][2]float64{{0.0013, 0.0172}, {-7, -3}, {1e-9, 3e-9}, {123456, 123999}, {1e150, 7e150}} {
		for n := 2; n <= 10; n++ {
			ts := NiceTicks(r[0], r[1], n)
			if len(ts) < 2 || ts[0] > r[0] || ts[len(ts)-1] < r[1] {
				t.Fatalf("NiceTicks(%v, %d) = %v does not enclose the range", r, n, ts)
			}
			step := ts[1] - ts[0]
			for i := 2; i < len(ts); i++ {
				if d := ts[i] - ts[i-1]; math.Abs(d-step) > 1e-9*math.Abs(step) {
					t.Fatalf("NiceTicks(%v, %d) = %v: uneven steps", r, n, ts)
				}
			}
		}
	}
}

func TestLogTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		want   []float64
	}{
		{1, 1000, []float64{1, 10, 100, 1000}},
		{3, 40, []float64{1, 2, 5, 10, 20, 50, 100}},
		{5, 5, []float64{1, 2, 5, 10}},
		{1e18, 1e25, []float64{1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25}},
		{1, 1e20, []float64{1, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18, 1e21}},
		{0, 10, nil},
		{-1, 10, nil},
		{1, math.Inf(1), nil},
	}
	for _, tt := range tests {
		got := LogTicks(tt.lo, tt.hi)
		if len(got) != len(tt.want) {
			t.Errorf("LogTicks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
			continue
		}
		for i := range got {
			if math.Abs(got[i]-tt.want[i]) > 1e-9*tt.want[i] {
				t.Errorf("LogTicks(%v, %v) = %v, want %v", tt.lo, tt.hi, got, tt.want)
				break
			}
		}
	}
}

func TestMonthTicks(t *testing.T) {
	jan := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	feb := time.Date(2025, 2, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		start     time.Time
		lo, hi, n int
		want      []int
		step      int
	}{
		{jan, 0, 11, 12, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 1},
		{jan, 0, 23, 8, []int{0, 3, 6, 9, 12, 15, 18, 21}, 3},
		{jan, 0, 23, 4, []int{0, 6, 12, 18}, 6},
		{feb, 0, 23, 8, []int{2, 5, 8, 11, 14, 17, 20, 23}, 3}, // quarters start in April
		{jan, 0, 119, 6, []int{12, 36, 60, 84, 108}, 24},       // even years
		{jan, 3, 4, 1, []int{3, 4}, 1},                         // at least two labels
	}
	for _, tt := range tests {
		got, step := monthTicks(tt.lo, tt.hi, tt.start, tt.n)
		if !reflect.DeepEqual(got, tt.want) || step != tt.step {
			t.Errorf("monthTicks(%d, %d, %v, %d) = %v step %d, want %v step %d", tt.lo, tt.hi, tt.start.Format("2006-01"), tt.n, got, step, tt.want, tt.step)
		}
	}
}

func TestMonthLabel(t *testing.T) {
	jan := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		k     int
		lang  string
		short bool
		step  int
		want  string
	}{
		{0, "en", false, 1, "Jan 2025"},
		{3, "en", true, 3, "Apr"},
		{12, "en", true, 3, "Jan 2026"}, // January always carries its year
		{14, "zh", false, 1, "2026年3月"},
		{14, "zh", true, 1, "3月"},
		{24, "zh", true, 12, "2027年"},
		{24, "en", true, 12, "2027"},
		{-1, "en", false, 1, "Dec 2024"},
	}
	for _, tt := range tests {
		if got := monthLabel(jan, tt.k, tt.lang, tt.short, tt.step); got != tt.want {
			t.Errorf("monthLabel(%d, %q, %v, %d) = %q, want %q", tt.k, tt.lang, tt.short, tt.step, got, tt.want)
		}
	}
}
