package data

import (
	"fmt"
	"math"
	"testing"
)

func TestTwoSpirals(t *testing.T) {
	d, err := TwoSpirals(100, 2, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 200 || len(d.X) != 400 {
		t.Fatalf("got %d samples, %d values; want 200, 400", d.Len(), len(d.X))
	}
	// Without noise class 1 is class 0 rotated by π: the point pairs are
	// exact negatives, and every radius lies in [0.05, 1].
	for i := 0; i < 200; i += 2 {
		if d.Y[i] != 0 || d.Y[i+1] != 1 {
			t.Fatalf("labels %d,%d at %d: want 0,1", d.Y[i], d.Y[i+1], i)
		}
		if d.X[2*i] != -d.X[2*i+2] || d.X[2*i+1] != -d.X[2*i+3] {
			t.Fatalf("sample %d is not the rotation of sample %d", i+1, i)
		}
		r := math.Hypot(float64(d.X[2*i]), float64(d.X[2*i+1]))
		if r < 0.05 || r > 1.0001 {
			t.Fatalf("radius %g outside [0.05, 1]", r)
		}
	}
	// Same seed, same data; different seed, different noise.
	a, _ := TwoSpirals(50, 1.5, 0.1, 3)
	b, _ := TwoSpirals(50, 1.5, 0.1, 3)
	c, _ := TwoSpirals(50, 1.5, 0.1, 4)
	if a.X[10] != b.X[10] || a.X[10] == c.X[10] {
		t.Fatalf("seeding: %v %v %v", a.X[10], b.X[10], c.X[10])
	}
}

func TestTwoSpiralsRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		n            int
		turns, noise float64
	}{{0, 1, 0}, {10, 0, 0}, {10, 1, -1}, {10, math.NaN(), 0}, {10, 1, math.NaN()}} {
		if _, err := TwoSpirals(tc.n, tc.turns, tc.noise, 1); err == nil {
			t.Errorf("TwoSpirals(%d, %g, %g) accepted bad input", tc.n, tc.turns, tc.noise)
		}
	}
}

func TestSplit(t *testing.T) {
	d, _ := TwoSpirals(50, 1, 0.05, 1)
	tr, te, err := d.Split(0.2, 9)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 80 || te.Len() != 20 {
		t.Fatalf("split sizes %d/%d, want 80/20", tr.Len(), te.Len())
	}
	if _, _, err := d.Split(1, 9); err == nil {
		t.Fatal("split at fraction 1 accepted")
	}
	x := make([]float32, 4)
	y := make([]int, 2)
	tr.Batch([]int{3, 5}, x, y)
	if x[0] != tr.X[6] || x[3] != tr.X[11] || y[1] != tr.Y[5] {
		t.Fatalf("batch copied the wrong samples: %v %v", x, y)
	}
}

func ExampleTwoSpirals() {
	d, _ := TwoSpirals(100, 1.5, 0.02, 1)
	train, test, _ := d.Split(0.2, 2)
	fmt.Println(d.Len(), d.Features, d.Classes, train.Len(), test.Len())
	// Output: 200 2 2 160 40
}
