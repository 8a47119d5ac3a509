package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Fractions are the shares of a train/validation/test split. Train is
// whatever Val and Test leave; Val may be zero.
type Fractions struct {
	Val, Test float64
}

func (f Fractions) check() error {
	if !(f.Val >= 0 && f.Test > 0 && f.Val+f.Test < 1) {
		return fmt.Errorf("data: split: fractions val %g, test %g must be >= 0, > 0 and sum below 1", f.Val, f.Test)
	}
	return nil
}

// SplitIndices are the sample indices of a three-way split.
type SplitIndices struct {
	Train, Val, Test []int
}

// RandomSplit shuffles 0..n-1 with seed and cuts it into train, val and
// test parts of round(n*Val) and round(n*Test) samples. Each part is
// returned in shuffled order.
func RandomSplit(n int, f Fractions, seed uint64) (SplitIndices, error) {
	if err := f.check(); err != nil {
		return SplitIndices{}, err
	}
	nTest := int(math.Round(f.Test * float64(n)))
	nVal := int(math.Round(f.Val * float64(n)))
	if nTest < 1 || (f.Val > 0 && nVal < 1) || nTest+nVal >= n {
		return SplitIndices{}, fmt.Errorf("data: split: %d samples cannot give non-empty parts at val %g, test %g", n, f.Val, f.Test)
	}
	perm := rand.New(rand.NewPCG(seed, 2)).Perm(n)
	return SplitIndices{Train: perm[nTest+nVal:], Val: perm[nTest : nTest+nVal], Test: perm[:nTest]}, nil
}

// StratifiedSplit splits the samples so that every class keeps its share
// in each part, like scikit-learn's train_test_split(stratify=labels):
// the part sizes are round(n*Val) and round(n*Test) overall, and each
// class gets floor(n_c*frac) samples of a part plus, for the leftover
// quota, one more in the classes with the largest remainders (ties go to
// the larger class, then the smaller label). Within a class the samples
// are chosen at random from seed, and each part is returned in random
// order.
func StratifiedSplit(labels []int, f Fractions, seed uint64) (SplitIndices, error) {
	if err := f.check(); err != nil {
		return SplitIndices{}, err
	}
	n := len(labels)
	byClass := map[int][]int{}
	for i, y := range labels {
		byClass[y] = append(byClass[y], i)
	}
	classes := make([]int, 0, len(byClass))
	for c := range byClass {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	rng := rand.New(rand.NewPCG(seed, 3))
	for _, c := range classes {
		idx := byClass[c]
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	counts := make([]int, len(classes))
	for k, c := range classes {
		counts[k] = len(byClass[c])
	}
	nTest := int(math.Round(f.Test * float64(n)))
	nVal := int(math.Round(f.Val * float64(n)))
	if nTest < 1 || (f.Val > 0 && nVal < 1) || nTest+nVal >= n {
		return SplitIndices{}, fmt.Errorf("data: stratified split: %d samples cannot give non-empty parts at val %g, test %g", n, f.Val, f.Test)
	}
	testPer := apportion(counts, nTest)
	rest := make([]int, len(counts))
	for k := range counts {
		rest[k] = counts[k] - testPer[k]
	}
	valPer := make([]int, len(counts))
	if nVal > 0 {
		// Apportion validation over what the test part left, keeping the
		// original shares: quotas from the full counts, capped by rest.
		valPer = apportion(counts, nVal)
		for k := range valPer {
			valPer[k] = min(valPer[k], rest[k])
		}
	}
	var out SplitIndices
	for k, c := range classes {
		idx := byClass[c]
		out.Test = append(out.Test, idx[:testPer[k]]...)
		out.Val = append(out.Val, idx[testPer[k]:testPer[k]+valPer[k]]...)
		out.Train = append(out.Train, idx[testPer[k]+valPer[k]:]...)
	}
	for _, p := range [][]int{out.Train, out.Val, out.Test} {
		rng.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
	}
	if len(out.Train) == 0 {
		return SplitIndices{}, fmt.Errorf("data: stratified split: no training samples left at val %g, test %g", f.Val, f.Test)
	}
	return out, nil
}

// apportion divides total among classes in proportion to counts by the
// largest-remainder method, never giving a class more than its count.
func apportion(counts []int, total int) []int {
	n := 0
	for _, c := range counts {
		n += c
	}
	out := make([]int, len(counts))
	rem := make([]float64, len(counts))
	given := 0
	for k, c := range counts {
		q := float64(c) * float64(total) / float64(n)
		out[k] = int(math.Floor(q))
		rem[k] = q - float64(out[k])
		given += out[k]
	}
	order := make([]int, len(counts))
	for k := range order {
		order[k] = k
	}
	sort.SliceStable(order, func(a, b int) bool {
		ka, kb := order[a], order[b]
		if rem[ka] != rem[kb] {
			return rem[ka] > rem[kb]
		}
		return counts[ka] > counts[kb]
	})
	for i := 0; given < total && i < len(order); i++ {
		k := order[i]
		if out[k] < counts[k] {
			out[k]++
			given++
		}
	}
	return out
}

// Subset copies the samples idx into a new Classification.
func (d *Classification) Subset(idx []int) *Classification {
	out := &Classification{X: make([]float32, len(idx)*d.Features), Y: make([]int, len(idx)),
		Features: d.Features, Classes: d.Classes}
	d.Batch(idx, out.X, out.Y)
	return out
}

// StratifiedSplit splits d into train, val and test sets that keep each
// class's share (see the package function StratifiedSplit). val is an
// empty dataset when f.Val is zero.
func (d *Classification) StratifiedSplit(f Fractions, seed uint64) (train, val, test *Classification, err error) {
	s, err := StratifiedSplit(d.Y, f, seed)
	if err != nil {
		return nil, nil, nil, err
	}
	return d.Subset(s.Train), d.Subset(s.Val), d.Subset(s.Test), nil
}
