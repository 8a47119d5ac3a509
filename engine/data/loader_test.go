package data

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// seqDataset has sample i = features [i, -i] and label i%3.
func seqDataset(n int) *Memory {
	x := make([]float32, 2*n)
	y := make([]int, n)
	for i := range n {
		x[2*i], x[2*i+1] = float32(i), float32(-i)
		y[i] = i % 3
	}
	m, err := NewMemory(n, x, []int{2}, nil, 0, y, 1)
	if err != nil {
		panic(err)
	}
	return m
}

// addNoise is a Transform that depends on its generator.
type addNoise struct{}

func (addNoise) Apply(s Sample, rng *rand.Rand, scratch []float32) error {
	for i := range s.X {
		s.X[i] += float32(rng.NormFloat64())
	}
	return nil
}

func collect(t *testing.T, l *DataLoader, epoch int) (idx []int, x []float32, sizes []int) {
	t.Helper()
	l.Start(epoch)
	defer l.Close()
	for l.Next() {
		b := l.Batch()
		if b.Epoch != epoch || b.Step != len(sizes) {
			t.Fatalf("batch says epoch %d step %d, want %d %d", b.Epoch, b.Step, epoch, len(sizes))
		}
		idx = append(idx, b.Indices...)
		x = append(x, b.X...)
		sizes = append(sizes, b.N)
		for k, i := range b.Indices {
			if b.Labels[k] != i%3 {
				t.Fatalf("label of sample %d is %d", i, b.Labels[k])
			}
		}
	}
	if err := l.Err(); err != nil {
		t.Fatal(err)
	}
	return idx, x, sizes
}

func TestDataLoaderCoversEpoch(t *testing.T) {
	ds := seqDataset(10)
	for _, tc := range []struct {
		bs       int
		drop     bool
		shuffle  bool
		workers  int
		wantSize []int
	}{
		{3, false, false, 0, []int{3, 3, 3, 1}},
		{3, true, false, 0, []int{3, 3, 3}},
		{3, false, true, 2, []int{3, 3, 3, 1}},
		{4, true, true, 3, []int{4, 4}},
		{10, false, true, 1, []int{10}},
		{32, false, false, 2, []int{10}},
	} {
		name := fmt.Sprintf("bs%d_drop%v_shuffle%v_w%d", tc.bs, tc.drop, tc.shuffle, tc.workers)
		t.Run(name, func(t *testing.T) {
			l, err := NewDataLoader(ds, LoaderConfig{BatchSize: tc.bs, DropLast: tc.drop, Shuffle: tc.shuffle, Workers: tc.workers, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			if l.Len() != len(tc.wantSize) {
				t.Fatalf("Len %d, want %d", l.Len(), len(tc.wantSize))
			}
			idx, x, sizes := collect(t, l, 0)
			if !slices.Equal(sizes, tc.wantSize) {
				t.Fatalf("batch sizes %v, want %v", sizes, tc.wantSize)
			}
			for k, i := range idx {
				if x[2*k] != float32(i) || x[2*k+1] != float32(-i) {
					t.Fatalf("sample %d has features %v", i, x[2*k:2*k+2])
				}
			}
			sorted := slices.Clone(idx)
			slices.Sort(sorted)
			if len(slices.Compact(sorted)) != len(idx) {
				t.Fatalf("an index repeats: %v", idx)
			}
			if !tc.shuffle && !slices.IsSorted(idx) {
				t.Fatalf("unshuffled order %v", idx)
			}
			if tc.shuffle && slices.IsSorted(idx) && len(idx) > 3 {
				t.Fatalf("shuffled order is sorted: %v", idx)
			}
		})
	}
}

func TestDataLoaderDeterministicAcrossWorkers(t *testing.T) {
	ds := seqDataset(37)
	var refIdx []int
	var refX []float32
	for _, workers := range []int{0, 1, 2, 4} {
		l, err := NewDataLoader(ds, LoaderConfig{BatchSize: 5, Shuffle: true, Seed: 11, Workers: workers, Prefetch: 2 * workers, Transform: addNoise{}})
		if err != nil {
			t.Fatal(err)
		}
		idx, x, _ := collect(t, l, 3)
		if workers == 0 {
			refIdx, refX = idx, x
			// Another epoch gives another order.
			idx2, _, _ := collect(t, l, 4)
			if slices.Equal(idx, idx2) {
				t.Fatal("epochs 3 and 4 have the same order")
			}
			continue
		}
		if !slices.Equal(idx, refIdx) || !slices.Equal(x, refX) {
			t.Fatalf("%d workers: order or transform differs from the synchronous loader", workers)
		}
	}
}

func TestDataLoaderSynchronousAllocatesNothing(t *testing.T) {
	ds := seqDataset(100)
	l, err := NewDataLoader(ds, LoaderConfig{BatchSize: 8, Shuffle: true, Seed: 1, Transform: addNoise{}})
	if err != nil {
		t.Fatal(err)
	}
	epoch := 0
	allocs := testing.AllocsPerRun(allocRuns, func() {
		l.Start(epoch)
		for l.Next() {
			_ = l.Batch()
		}
		epoch++
	})
	if allocs != 0 {
		t.Fatalf("a synchronous epoch allocated %v times, want 0", allocs)
	}
}

func TestDataLoaderPrefetchAllocatesPerEpochOnly(t *testing.T) {
	// The prefetch path allocates its goroutines and channels once per
	// epoch; the batches themselves cost nothing, so an epoch of 64
	// batches allocates as often as one of 8.
	perEpoch := func(bs int) float64 {
		l, err := NewDataLoader(seqDataset(64), LoaderConfig{BatchSize: bs, Shuffle: true, Seed: 1, Workers: 2, Prefetch: 4})
		if err != nil {
			t.Fatal(err)
		}
		return testing.AllocsPerRun(allocRuns, func() {
			l.Start(0)
			for l.Next() {
			}
		})
	}
	many, few := perEpoch(1), perEpoch(8)
	t.Logf("allocations per epoch: %v with 64 batches, %v with 8", many, few)
	if many > few+1 {
		t.Fatalf("64 batches allocated %v times, 8 batches %v: batches allocate", many, few)
	}
}

func TestDataLoaderEarlyCloseStopsWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	ds := seqDataset(200)
	l, err := NewDataLoader(ds, LoaderConfig{BatchSize: 2, Workers: 4, Prefetch: 4})
	if err != nil {
		t.Fatal(err)
	}
	for e := range 5 {
		l.Start(e)
		for range 3 {
			if !l.Next() {
				t.Fatal("epoch ended early")
			}
		}
		l.Close()
	}
	l.Close()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > before {
		t.Fatalf("%d goroutines left running (had %d)", g, before)
	}
}

type failing struct{ *Memory }

func (f failing) Get(i int, s Sample) error {
	if i == 7 {
		return errors.New("disk on fire")
	}
	return f.Memory.Get(i, s)
}

func TestDataLoaderReportsErrors(t *testing.T) {
	for _, workers := range []int{0, 3} {
		l, err := NewDataLoader(failing{seqDataset(20)}, LoaderConfig{BatchSize: 4, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		l.Start(0)
		n := 0
		for l.Next() {
			n++
		}
		if l.Err() == nil || n != 1 {
			t.Fatalf("workers %d: %d batches then err %v; want 1 then an error", workers, n, l.Err())
		}
		t.Logf("workers %d: %v", workers, l.Err())
	}
	for _, cfg := range []LoaderConfig{{BatchSize: 0}, {BatchSize: 1, Workers: -1}, {BatchSize: 1, Prefetch: -1}} {
		if _, err := NewDataLoader(seqDataset(3), cfg); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

func TestTokenWindows(t *testing.T) {
	w := &TokenWindows{Stream: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Context: 4}
	if w.Len() != 2 {
		t.Fatalf("Len %d, want 2", w.Len())
	}
	s := Sample{Tokens: make([]int, 4), Labels: make([]int, 4)}
	if err := w.Get(1, s); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Tokens, []int{4, 5, 6, 7}) || !slices.Equal(s.Labels, []int{5, 6, 7, 8}) {
		t.Fatalf("window 1 = %v → %v", s.Tokens, s.Labels)
	}
	w.Stride = 1
	if w.Len() != 6 {
		t.Fatalf("stride 1: Len %d, want 6", w.Len())
	}
	if err := w.Get(6, s); err == nil {
		t.Fatal("window 6 of 6 accepted")
	}
}

func TestNewMemoryChecksSizes(t *testing.T) {
	if _, err := NewMemory(3, make([]float32, 5), []int{2}, nil, 0, nil, 0); err == nil {
		t.Fatal("5 values for 3 samples of 2 accepted")
	}
	if _, err := NewMemory(2, make([]float32, 4), []int{2}, make([]float32, 2), 1, []int{1}, 1); err == nil {
		t.Fatal("1 label for 2 samples accepted")
	}
}

func ExampleDataLoader() {
	d, _ := TwoSpirals(10, 1, 0, 1) // 20 samples of 2 features
	l, _ := NewDataLoader(d, LoaderConfig{BatchSize: 8, Shuffle: true, Seed: 42, Workers: 2})
	for epoch := range 2 {
		l.Start(epoch)
		for l.Next() {
			b := l.Batch() // reused: valid until the next Next
			fmt.Println(epoch, b.Step, b.N, len(b.X), len(b.Labels))
		}
		if err := l.Err(); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// 0 0 8 16 8
	// 0 1 8 16 8
	// 0 2 4 8 4
	// 1 0 8 16 8
	// 1 1 8 16 8
	// 1 2 4 8 4
}
