package data

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
)

// Transform changes one sample in place, e.g. image augmentation. The
// DataLoader calls it after Get with a generator seeded from (Seed, epoch,
// position in the epoch), so the result does not depend on which worker
// ran it, and with a scratch buffer of the sample's XSize that the
// transform may use freely. Apply must not retain s, rng or scratch.
type Transform interface {
	Apply(s Sample, rng *rand.Rand, scratch []float32) error
}

// LoaderConfig configures a DataLoader.
type LoaderConfig struct {
	// BatchSize is the number of samples per batch (>= 1).
	BatchSize int
	// Shuffle permutes the samples every epoch; the permutation depends
	// only on Seed and the epoch number.
	Shuffle bool
	// Seed drives shuffling and the Transform's generator.
	Seed uint64
	// DropLast drops the final batch when it is shorter than BatchSize.
	DropLast bool
	// Workers is the number of goroutines that fill batches ahead of the
	// consumer; 0 fills each batch synchronously inside Next.
	Workers int
	// Prefetch bounds the batches in flight (filled or being filled) when
	// Workers > 0; it defaults to 2*Workers and is at least Workers.
	Prefetch int
	// Transform, if set, is applied to every sample after Get.
	Transform Transform
}

// Batch is one mini-batch, stored sample-major. Its slices are views of
// buffers that the DataLoader reuses: a Batch is valid until the next
// call to Next (or Close). The backing array of X (and of the other
// parts) of a given *Batch never changes, so a trainer may wrap
// X[:cap] once in a tensor and reuse it; N tells how many rows are live.
type Batch struct {
	// N is the number of samples, BatchSize except perhaps for the last.
	N int
	// Epoch and Step (0-based index within the epoch) locate the batch.
	Epoch, Step int
	// Indices are the dataset indices of the samples.
	Indices []int
	X       []float32 // N*Spec.XSize()
	Y       []float32 // N*Spec.Y
	Labels  []int     // N*Spec.Labels
	Tokens  []int     // N*Spec.Tokens
}

// DataLoader serves a Dataset as mini-batches, epoch after epoch. The
// order of the samples, and of the generators given to the Transform,
// depends only on the configuration and the epoch, never on Workers.
//
// In the synchronous path (Workers == 0) neither Start nor Next
// allocates. With Workers > 0, each call to Start allocates the
// goroutines (Workers + 1 dispatcher), their channels (2 per prefetch
// slot + 2) and a sync.WaitGroup — 21 allocations for Workers 2,
// Prefetch 4 — whatever the number of batches; the batch buffers are
// allocated once by NewDataLoader and reused, and each batch moves
// through channels without allocating.
//
// A DataLoader is used by one consumer goroutine at a time.
type DataLoader struct {
	ds   Dataset
	cfg  LoaderConfig
	spec Spec
	n    int

	perm    []int
	pcg     *rand.PCG
	shuffle *rand.Rand

	// slots hold the reusable batches: one when synchronous, Prefetch
	// otherwise.
	slots   []*slot
	workers []*worker

	// per-epoch state
	epoch, step, nb int
	cur             *slot
	err             error
	running         bool
	stop            chan struct{}
	jobs            chan int
	wg              *sync.WaitGroup
}

type slot struct {
	b     Batch
	x     []float32
	y     []float32
	lab   []int
	tok   []int
	idx   []int
	free  chan struct{}
	ready chan error
}

type worker struct {
	pcg     *rand.PCG
	rng     *rand.Rand
	scratch []float32
}

// NewDataLoader checks cfg and allocates the batch buffers.
func NewDataLoader(ds Dataset, cfg LoaderConfig) (*DataLoader, error) {
	if ds == nil {
		return nil, errors.New("data: loader: nil dataset")
	}
	if cfg.BatchSize < 1 {
		return nil, fmt.Errorf("data: loader: batch size %d must be at least 1", cfg.BatchSize)
	}
	if cfg.Workers < 0 || cfg.Workers > 1024 {
		return nil, fmt.Errorf("data: loader: %d workers is outside [0, 1024]", cfg.Workers)
	}
	if cfg.Prefetch < 0 {
		return nil, fmt.Errorf("data: loader: negative prefetch %d", cfg.Prefetch)
	}
	if cfg.Workers > 0 {
		if cfg.Prefetch == 0 {
			cfg.Prefetch = 2 * cfg.Workers
		}
		cfg.Prefetch = max(cfg.Prefetch, cfg.Workers)
	}
	l := &DataLoader{ds: ds, cfg: cfg, spec: ds.Spec(), n: ds.Len()}
	l.spec.X = append([]int(nil), l.spec.X...)
	l.perm = make([]int, l.n)
	l.pcg = rand.NewPCG(cfg.Seed, 0)
	l.shuffle = rand.New(l.pcg)
	nslots := max(1, cfg.Prefetch)
	if cfg.Workers == 0 {
		nslots = 1
	}
	bs := min(cfg.BatchSize, max(l.n, 1))
	xs := l.spec.XSize()
	for range nslots {
		s := &slot{
			x:   make([]float32, bs*xs),
			y:   make([]float32, bs*l.spec.Y),
			lab: make([]int, bs*l.spec.Labels),
			tok: make([]int, bs*l.spec.Tokens),
			idx: make([]int, bs),
		}
		l.slots = append(l.slots, s)
	}
	for range max(1, cfg.Workers) {
		p := rand.NewPCG(0, 0)
		l.workers = append(l.workers, &worker{pcg: p, rng: rand.New(p), scratch: make([]float32, xs)})
	}
	return l, nil
}

// Len reports the number of batches per epoch.
func (l *DataLoader) Len() int {
	if l.cfg.DropLast {
		return l.n / l.cfg.BatchSize
	}
	return (l.n + l.cfg.BatchSize - 1) / l.cfg.BatchSize
}

// Dataset returns the dataset being served.
func (l *DataLoader) Dataset() Dataset { return l.ds }

// Start begins epoch (0-based): it fixes the order of the samples and,
// with Workers > 0, starts filling batches. A Start while an epoch is
// running closes that epoch first.
func (l *DataLoader) Start(epoch int) {
	l.Close()
	l.epoch, l.step, l.nb, l.err, l.cur = epoch, 0, l.Len(), nil, nil
	for i := range l.perm {
		l.perm[i] = i
	}
	if l.cfg.Shuffle {
		l.pcg.Seed(l.cfg.Seed, uint64(epoch)+0x5851f42d4c957f2d)
		l.shuffle.Shuffle(l.n, func(i, j int) { l.perm[i], l.perm[j] = l.perm[j], l.perm[i] })
	}
	l.running = true
	if l.cfg.Workers == 0 || l.nb == 0 {
		return
	}
	l.stop = make(chan struct{})
	l.jobs = make(chan int)
	l.wg = new(sync.WaitGroup)
	for _, s := range l.slots {
		s.free = make(chan struct{}, 1)
		s.ready = make(chan error, 1)
		s.free <- struct{}{}
	}
	// The dispatcher hands batch j to a worker only once slot j%K is
	// free, so slot j%K always holds batch j when the consumer reads it.
	l.wg.Add(1 + len(l.workers))
	go func(stop <-chan struct{}, jobs chan<- int, nb int) {
		defer l.wg.Done()
		defer close(jobs)
		for j := range nb {
			s := l.slots[j%len(l.slots)]
			select {
			case <-s.free:
			case <-stop:
				return
			}
			select {
			case jobs <- j:
			case <-stop:
				return
			}
		}
	}(l.stop, l.jobs, l.nb)
	for _, w := range l.workers {
		go func(w *worker, jobs <-chan int) {
			defer l.wg.Done()
			for j := range jobs {
				s := l.slots[j%len(l.slots)]
				s.ready <- l.fill(s, j, w)
			}
		}(w, l.jobs)
	}
}

// Next advances to the next batch and reports whether there is one. It
// returns false at the end of the epoch or on the first error, which Err
// then reports.
func (l *DataLoader) Next() bool {
	if !l.running || l.err != nil || l.step >= l.nb {
		return false
	}
	j := l.step
	if l.cfg.Workers == 0 {
		s := l.slots[0]
		if err := l.fill(s, j, l.workers[0]); err != nil {
			l.err = err
			return false
		}
		l.cur = s
	} else {
		if l.cur != nil {
			l.cur.free <- struct{}{}
			l.cur = nil
		}
		s := l.slots[j%len(l.slots)]
		if err := <-s.ready; err != nil {
			l.err = err
			l.Close()
			return false
		}
		l.cur = s
	}
	l.step++
	return true
}

// Batch returns the current batch; it is valid until the next Next.
func (l *DataLoader) Batch() *Batch {
	if l.cur == nil {
		return nil
	}
	return &l.cur.b
}

// Err reports the error that ended the epoch, if any.
func (l *DataLoader) Err() error { return l.err }

// Close stops the epoch's workers, if any, and waits for them. It is safe
// to call at any time, also more than once; call it when abandoning an
// epoch early.
func (l *DataLoader) Close() {
	if l.stop != nil {
		// Workers never block on a slot's ready channel (capacity one,
		// one batch per slot at a time) and the dispatcher selects on
		// stop, so closing stop lets every goroutine finish.
		close(l.stop)
		l.wg.Wait()
		l.stop = nil
	}
	l.running = false
	l.cur = nil
}

// fill builds batch j into slot s.
func (l *DataLoader) fill(s *slot, j int, w *worker) error {
	bs := l.cfg.BatchSize
	lo := j * bs
	hi := min(lo+bs, l.n)
	n := hi - lo
	xs, ys, ls, ts := l.spec.XSize(), l.spec.Y, l.spec.Labels, l.spec.Tokens
	s.b = Batch{N: n, Epoch: l.epoch, Step: j,
		Indices: s.idx[:n], X: s.x[:n*xs], Y: s.y[:n*ys], Labels: s.lab[:n*ls], Tokens: s.tok[:n*ts]}
	for k := range n {
		i := l.perm[lo+k]
		s.idx[k] = i
		smp := Sample{X: s.x[k*xs : (k+1)*xs], Y: s.y[k*ys : (k+1)*ys], Labels: s.lab[k*ls : (k+1)*ls], Tokens: s.tok[k*ts : (k+1)*ts]}
		if xs == 0 {
			smp.X = nil
		}
		if ys == 0 {
			smp.Y = nil
		}
		if ls == 0 {
			smp.Labels = nil
		}
		if ts == 0 {
			smp.Tokens = nil
		}
		if err := l.ds.Get(i, smp); err != nil {
			return fmt.Errorf("data: loader: epoch %d, batch %d, sample %d: %w", l.epoch, j, i, err)
		}
		if l.cfg.Transform != nil {
			w.pcg.Seed(l.cfg.Seed^0x9e3779b97f4a7c15, uint64(l.epoch)<<40^uint64(lo+k))
			if err := l.cfg.Transform.Apply(smp, w.rng, w.scratch); err != nil {
				return fmt.Errorf("data: loader: epoch %d, batch %d, sample %d: transform: %w", l.epoch, j, i, err)
			}
		}
	}
	return nil
}
