package tensor

import (
	"math"
	"testing"
)

// ulpErr32 is |got-want| in units of want's float32 ulp.
func ulpErr32(got, want float64) float64 {
	w := float32(want)
	g := float32(got)
	if w == g {
		return 0
	}
	if math.IsInf(float64(w), 0) || math.IsNaN(float64(w)) {
		return math.Inf(1)
	}
	ulp := float64(math.Nextafter32(float32(math.Abs(float64(w))), float32(math.Inf(1)))) - math.Abs(float64(w))
	return math.Abs(float64(g)-want) / ulp
}

func TestFexpAccuracy(t *testing.T) {
	worst, at := 0.0, 0.0
	for i := 0; i <= 400000; i++ {
		x := float64(float32(-103 + (88.7+103)*float64(i)/400000))
		if e := ulpErr32(fexp(expClamp(x)), math.Exp(x)); e > worst {
			worst, at = e, x
		}
	}
	if worst > 1 {
		t.Errorf("fexp: max error %.3g ulp (float32) at x=%g", worst, at)
	}
	for _, x := range []float64{math.Inf(1), math.Inf(-1), 0, 1000, -1000} {
		if g, w := float32(fexp(expClamp(x))), float32(math.Exp(x)); g != w && math.Abs(float64(g-w)) > 1e-37 {
			t.Errorf("fexp(%g) = %g, want %g", x, g, w)
		}
	}
	if v := fexp(expClamp(math.NaN())); !math.IsNaN(v) {
		t.Errorf("fexp(NaN) = %g", v)
	}
}

func TestExpShiftSum32(t *testing.T) {
	row := make([]float32, 5003)
	for i := range row {
		row[i] = float32(math.Sin(float64(i))) * 7
	}
	want := make([]float64, len(row))
	var ws float64
	for i, v := range row {
		want[i] = math.Exp(float64(v - 7))
		ws += want[i]
	}
	s := expShiftSum32(row, 7)
	if math.Abs(s-ws) > 1e-7*ws {
		t.Errorf("sum %g, want %g", s, ws)
	}
	for i, v := range row {
		if e := ulpErr32(float64(v), want[i]); e > 2 {
			t.Fatalf("row[%d] = %g, want %g (%.2f ulp)", i, v, want[i], e)
		}
	}
}
