// Package data holds datasets and the helpers that feed them to models.
package data

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Classification is an in-memory classification dataset: N samples of
// Features float32 values each (row-major in X) and integer labels in Y.
type Classification struct {
	X        []float32
	Y        []int
	Features int
	Classes  int
}

// Len reports the number of samples.
func (d *Classification) Len() int { return len(d.Y) }

// TwoSpirals generates the two-spirals benchmark (Lang & Witbrock, 1988):
// n points per class on two interleaved spirals of the given number of
// turns, with Gaussian noise of standard deviation noise added to each
// coordinate. Class 1 is class 0 rotated by π. Coordinates lie roughly in
// [-1, 1]. The same seed always gives the same dataset.
func TwoSpirals(n int, turns, noise float64, seed uint64) (*Classification, error) {
	if n < 1 || n > 1<<22 {
		return nil, fmt.Errorf("data: two spirals: %d points per class is outside [1, %d]", n, 1<<22)
	}
	if !(turns > 0) || turns > 100 || noise < 0 || math.IsNaN(noise) {
		return nil, fmt.Errorf("data: two spirals: turns %g must be in (0, 100] and noise %g >= 0", turns, noise)
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	d := &Classification{X: make([]float32, 0, 4*n), Y: make([]int, 0, 2*n), Features: 2, Classes: 2}
	for i := 0; i < n; i++ {
		// Radius grows linearly with the angle; start a little off the
		// centre so the two classes do not coincide at the origin.
		frac := (float64(i) + 0.5) / float64(n)
		t := frac * turns * 2 * math.Pi
		r := 0.05 + 0.95*frac
		x, y := r*math.Cos(t), r*math.Sin(t)
		for c := 0; c < 2; c++ {
			sx, sy := x, y
			if c == 1 {
				sx, sy = -x, -y
			}
			d.X = append(d.X, float32(sx+noise*rng.NormFloat64()), float32(sy+noise*rng.NormFloat64()))
			d.Y = append(d.Y, c)
		}
	}
	return d, nil
}

// Split shuffles the samples with seed and returns the first (1-testFrac)
// as the training set and the rest as the test set.
func (d *Classification) Split(testFrac float64, seed uint64) (train, test *Classification, err error) {
	if !(testFrac > 0 && testFrac < 1) {
		return nil, nil, fmt.Errorf("data: split: test fraction %g must be in (0, 1)", testFrac)
	}
	nTest := int(math.Round(testFrac * float64(d.Len())))
	if nTest < 1 || nTest >= d.Len() {
		return nil, nil, fmt.Errorf("data: split: %d samples cannot give a non-empty train and test set at fraction %g", d.Len(), testFrac)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	perm := rng.Perm(d.Len())
	pick := func(idx []int) *Classification {
		out := &Classification{X: make([]float32, 0, len(idx)*d.Features), Y: make([]int, 0, len(idx)),
			Features: d.Features, Classes: d.Classes}
		for _, i := range idx {
			out.X = append(out.X, d.X[i*d.Features:(i+1)*d.Features]...)
			out.Y = append(out.Y, d.Y[i])
		}
		return out
	}
	return pick(perm[nTest:]), pick(perm[:nTest]), nil
}

// Batch copies the samples idx[lo:hi] into x (row-major) and y, which must
// have room for hi-lo samples, so that a training loop can reuse its
// buffers without allocating.
func (d *Classification) Batch(idx []int, x []float32, y []int) {
	f := d.Features
	for k, i := range idx {
		copy(x[k*f:(k+1)*f], d.X[i*f:(i+1)*f])
		y[k] = d.Y[i]
	}
}
