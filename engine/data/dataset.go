package data

import (
	"fmt"
)

// Spec describes the shape of one sample of a Dataset. A sample may carry
// float features (X), float targets (Y, for regression), integer targets
// (Labels: one class index, or one next-token id per position) and
// integer inputs (Tokens, for sequence models). A zero size means the
// sample has no such part.
type Spec struct {
	// X is the shape of the float features of one sample, e.g. [4] for a
	// tabular row or [1, 28, 28] for a grayscale image (CHW). Nil or
	// empty when the sample has no float features.
	X []int
	// Y is the number of float targets per sample.
	Y int
	// Labels is the number of integer targets per sample.
	Labels int
	// Tokens is the number of integer inputs per sample.
	Tokens int
}

// XSize is the number of float feature values per sample: the product of X.
func (s Spec) XSize() int {
	if len(s.X) == 0 {
		return 0
	}
	n := 1
	for _, d := range s.X {
		n *= d
	}
	return n
}

// Sample is the caller-provided storage for one sample. Each slice has
// exactly the length that the dataset's Spec gives (X has XSize values);
// parts the Spec does not use are nil.
type Sample struct {
	X      []float32
	Y      []float32
	Labels []int
	Tokens []int
}

// Dataset is a random-access collection of samples of one fixed shape.
//
// Get writes sample i (0 <= i < Len()) into s, which it must not retain.
// Implementations must be safe for concurrent Get calls with distinct s,
// since a DataLoader with Workers > 0 calls Get from several goroutines.
// Get should not allocate: the DataLoader's steady state relies on it.
type Dataset interface {
	Len() int
	Spec() Spec
	Get(i int, s Sample) error
}

// checkIndex is the bounds check every Get shares.
func checkIndex(name string, i, n int) error {
	if i < 0 || i >= n {
		return fmt.Errorf("data: %s: sample %d out of range [0, %d)", name, i, n)
	}
	return nil
}

// Spec reports one sample of d: Features floats and one class label.
func (d *Classification) Spec() Spec { return Spec{X: []int{d.Features}, Labels: 1} }

// Get copies sample i into s (s.X has Features values, s.Labels one).
func (d *Classification) Get(i int, s Sample) error {
	if err := checkIndex("classification", i, d.Len()); err != nil {
		return err
	}
	f := d.Features
	copy(s.X, d.X[i*f:(i+1)*f])
	s.Labels[0] = d.Y[i]
	return nil
}

// Memory is an in-memory dataset of N samples stored sample-major:
// X holds N*XSize feature values, Y holds N*YSize float targets, Labels
// holds N*LabelSize integer targets. Unused parts are nil. Use NewMemory
// to build a checked one.
type Memory struct {
	X         []float32
	XShape    []int
	Y         []float32
	YSize     int
	Labels    []int
	LabelSize int
	n         int
}

// NewMemory checks that the parts agree on the number of samples n and
// returns the dataset. xShape is the shape of one sample's features.
func NewMemory(n int, x []float32, xShape []int, y []float32, ySize int, labels []int, labelSize int) (*Memory, error) {
	m := &Memory{X: x, XShape: append([]int(nil), xShape...), Y: y, YSize: ySize, Labels: labels, LabelSize: labelSize, n: n}
	if n < 0 {
		return nil, fmt.Errorf("data: memory dataset: negative sample count %d", n)
	}
	for _, d := range xShape {
		if d < 1 {
			return nil, fmt.Errorf("data: memory dataset: feature shape %v has a non-positive dimension", xShape)
		}
	}
	xs := m.Spec().XSize()
	for _, p := range []struct {
		name      string
		have, per int
	}{{"features", len(x), xs}, {"float targets", len(y), ySize}, {"labels", len(labels), labelSize}} {
		if p.per < 0 || p.have != n*p.per {
			return nil, fmt.Errorf("data: memory dataset: %s have %d values, want %d samples × %d", p.name, p.have, n, p.per)
		}
	}
	return m, nil
}

// Len reports the number of samples.
func (m *Memory) Len() int { return m.n }

// Spec reports the shape of one sample.
func (m *Memory) Spec() Spec { return Spec{X: m.XShape, Y: m.YSize, Labels: m.LabelSize} }

// Get copies sample i into s.
func (m *Memory) Get(i int, s Sample) error {
	if err := checkIndex("memory dataset", i, m.n); err != nil {
		return err
	}
	xs := len(s.X)
	copy(s.X, m.X[i*xs:(i+1)*xs])
	copy(s.Y, m.Y[i*m.YSize:(i+1)*m.YSize])
	copy(s.Labels, m.Labels[i*m.LabelSize:(i+1)*m.LabelSize])
	return nil
}

// Subset is the view of Base restricted to Indices, in that order. Split
// functions return index lists; Subset turns them into datasets without
// copying samples.
type Subset struct {
	Base    Dataset
	Indices []int
}

// Len reports the number of indices.
func (s *Subset) Len() int { return len(s.Indices) }

// Spec is Base's.
func (s *Subset) Spec() Spec { return s.Base.Spec() }

// Get reads Base's sample Indices[i].
func (s *Subset) Get(i int, smp Sample) error {
	if err := checkIndex("subset", i, len(s.Indices)); err != nil {
		return err
	}
	return s.Base.Get(s.Indices[i], smp)
}

// TokenWindows turns one long token stream into language-model samples:
// sample i has Tokens = stream[i*Stride : i*Stride+Context] and Labels =
// the same window shifted by one (the next token at every position), as a
// char-level GPT trains on. Stride defaults to Context (non-overlapping
// windows) when zero.
type TokenWindows struct {
	Stream  []int
	Context int
	Stride  int
}

func (w *TokenWindows) stride() int {
	if w.Stride > 0 {
		return w.Stride
	}
	return w.Context
}

// Len reports how many full windows (with their next token) fit.
func (w *TokenWindows) Len() int {
	if w.Context < 1 || len(w.Stream) < w.Context+1 {
		return 0
	}
	return (len(w.Stream)-w.Context-1)/w.stride() + 1
}

// Spec reports Context token inputs and Context labels.
func (w *TokenWindows) Spec() Spec { return Spec{Tokens: w.Context, Labels: w.Context} }

// Get copies window i into s.Tokens and its shifted targets into s.Labels.
func (w *TokenWindows) Get(i int, s Sample) error {
	if err := checkIndex("token windows", i, w.Len()); err != nil {
		return err
	}
	lo := i * w.stride()
	copy(s.Tokens, w.Stream[lo:lo+w.Context])
	copy(s.Labels, w.Stream[lo+1:lo+1+w.Context])
	return nil
}
