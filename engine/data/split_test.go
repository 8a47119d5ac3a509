package data

import (
	"fmt"
	"slices"
	"testing"
)

func TestStratifiedSplitKeepsProportions(t *testing.T) {
	// 100 samples: 60 of class 0, 30 of class 1, 10 of class 2.
	labels := make([]int, 100)
	for i := range labels {
		switch {
		case i < 60:
			labels[i] = 0
		case i < 90:
			labels[i] = 1
		default:
			labels[i] = 2
		}
	}
	for _, tc := range []struct {
		f                  Fractions
		wantTrain, wantVal []int // per class
		wantTest           []int
	}{
		{Fractions{Test: 0.2}, []int{48, 24, 8}, []int{0, 0, 0}, []int{12, 6, 2}},
		{Fractions{Val: 0.1, Test: 0.2}, []int{42, 21, 7}, []int{6, 3, 1}, []int{12, 6, 2}},
		// 0.25*30 = 7.5 and 0.25*10 = 2.5: 25 test samples in all, the
		// leftover one goes to the larger class (largest remainder).
		{Fractions{Test: 0.25}, []int{45, 22, 8}, []int{0, 0, 0}, []int{15, 8, 2}},
	} {
		t.Run(fmt.Sprint(tc.f), func(t *testing.T) {
			s, err := StratifiedSplit(labels, tc.f, 7)
			if err != nil {
				t.Fatal(err)
			}
			per := func(idx []int) []int {
				c := make([]int, 3)
				for _, i := range idx {
					c[labels[i]]++
				}
				return c
			}
			if got := per(s.Train); !slices.Equal(got, tc.wantTrain) {
				t.Errorf("train per class %v, want %v", got, tc.wantTrain)
			}
			if got := per(s.Val); !slices.Equal(got, tc.wantVal) {
				t.Errorf("val per class %v, want %v", got, tc.wantVal)
			}
			if got := per(s.Test); !slices.Equal(got, tc.wantTest) {
				t.Errorf("test per class %v, want %v", got, tc.wantTest)
			}
			all := slices.Concat(s.Train, s.Val, s.Test)
			slices.Sort(all)
			for i, v := range all {
				if v != i {
					t.Fatalf("parts are not a partition of 0..99")
				}
			}
		})
	}
	a, _ := StratifiedSplit(labels, Fractions{Test: 0.2}, 1)
	b, _ := StratifiedSplit(labels, Fractions{Test: 0.2}, 1)
	c, _ := StratifiedSplit(labels, Fractions{Test: 0.2}, 2)
	if !slices.Equal(a.Test, b.Test) || slices.Equal(a.Test, c.Test) {
		t.Fatal("seeding: same seed must repeat, another must differ")
	}
}

func TestRandomSplit(t *testing.T) {
	s, err := RandomSplit(50, Fractions{Val: 0.2, Test: 0.1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Train) != 35 || len(s.Val) != 10 || len(s.Test) != 5 {
		t.Fatalf("sizes %d/%d/%d, want 35/10/5", len(s.Train), len(s.Val), len(s.Test))
	}
	for _, f := range []Fractions{{Test: 0}, {Val: -0.1, Test: 0.2}, {Val: 0.5, Test: 0.5}} {
		if _, err := RandomSplit(50, f, 1); err == nil {
			t.Errorf("fractions %+v accepted", f)
		}
	}
	if _, err := RandomSplit(3, Fractions{Test: 0.01}, 1); err == nil {
		t.Error("an empty test part accepted")
	}
}

func ExampleClassification_StratifiedSplit() {
	d, _ := TwoSpirals(50, 1, 0.05, 1) // 50 samples per class
	train, val, test, _ := d.StratifiedSplit(Fractions{Val: 0.1, Test: 0.2}, 9)
	count := func(c *Classification) (n0, n1 int) {
		for _, y := range c.Y {
			if y == 0 {
				n0++
			} else {
				n1++
			}
		}
		return
	}
	fmt.Println(count(train))
	fmt.Println(count(val))
	fmt.Println(count(test))
	// Output:
	// 35 35
	// 5 5
	// 10 10
}
