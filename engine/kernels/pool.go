package kernels

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The worker pool.
//
// A multi-threaded call is a job split into independent parts. The calling
// goroutine posts up to Threads()-1 invitations to the pool and then works on
// the parts itself; pool workers that pick up an invitation in time claim
// parts from the same atomic counter. When the caller runs out of parts it
// revokes the invitations that have not been accepted and waits only for
// helpers that are actually running. A job therefore always completes even if
// every pool worker is busy (including nested calls from inside Parallel),
// and a late helper never blocks anyone.
//
// Idle workers and waiting callers spin briefly before parking (spinTime).
//
// Each pool worker owns a workspace (its packing buffers) for its lifetime;
// callers borrow one from a free list, so steady-state calls do not allocate.

var numThreads atomic.Int32

var pool struct {
	mu      sync.Mutex
	workers int
	tasks   chan *job
}

func init() {
	n := 0
	if s := os.Getenv("KAIWU_NUM_THREADS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	pool.tasks = make(chan *job, 256)
	SetThreads(n)
}

// SetThreads sets the number of threads (the calling goroutine plus pool
// workers) that Sgemm, SgemmBias and Parallel use; n <= 0 means
// runtime.NumCPU(). The initial value comes from the KAIWU_NUM_THREADS
// environment variable, or runtime.NumCPU() when it is unset. With one
// thread every call runs on the calling goroutine with no hand-off.
func SetThreads(n int) {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	pool.mu.Lock()
	for pool.workers < n-1 {
		pool.workers++
		go worker(newWorkspace())
	}
	pool.mu.Unlock()
	numThreads.Store(int32(n))
}

// Threads reports the number of threads the kernels use (see SetThreads).
func Threads() int { return int(numThreads.Load()) }

const (
	jobGemm = iota
	jobParallel
)

// spinTime is how long an idle pool worker keeps polling for work before it
// parks, and how long a caller polls for its helpers before it blocks. Waking
// a parked thread costs tens of microseconds (more on a virtual CPU), which
// would dominate mid-sized GEMMs issued back to back (an MLP training step);
// OpenMP runtimes and OpenBLAS spin for the same reason. The spin does not
// yield: a spinning goroutine that called runtime.Gosched can end up sharing
// one P with the caller while the other P sleeps.
const spinTime = 200 * time.Microsecond

// job is one multi-threaded call. Jobs are recycled through jobFree, so a
// late helper may find a job that already finished or has been reused; the
// slots/active protocol below makes that harmless.
type job struct {
	slots  atomic.Int32 // invitations still open; the caller revokes with Swap(0)
	active atomic.Int32 // helpers that may be touching the job
	next   atomic.Int64 // next unclaimed part
	nparts int

	mu   sync.Mutex
	cond sync.Cond // signalled when active drops to 0 while the caller waits
	wait bool      // the caller is blocked on cond (guarded by mu)

	kind int
	g    gemmCall         // jobGemm
	fn   func(lo, hi int) // jobParallel
	n    int              // jobParallel: range [0,n)

	ws *workspace // the caller's packing buffers
}

func (j *job) runPart(ws *workspace, p int) {
	switch j.kind {
	case jobGemm:
		j.g.runPart(ws, p)
	case jobParallel:
		lo := j.n * p / j.nparts
		hi := j.n * (p + 1) / j.nparts
		if lo < hi {
			j.fn(lo, hi)
		}
	}
}

// work claims and runs parts until none are left.
func (j *job) work(ws *workspace) {
	for {
		p := int(j.next.Add(1)) - 1
		if p >= j.nparts {
			return
		}
		j.runPart(ws, p)
	}
}

// run executes the job's nparts parts on up to t threads and returns when all
// parts are done.
func (j *job) run(nparts, t int) {
	j.nparts = nparts
	j.next.Store(0)
	h := min(t, nparts) - 1
	if h > 0 {
		j.slots.Store(int32(h)) // publishes the fields above to helpers
	post:
		for i := 0; i < h; i++ {
			select {
			case pool.tasks <- j:
			default:
				break post
			}
		}
	}
	j.work(j.ws)
	if h == 0 {
		return
	}
	j.slots.Store(0)
	if j.active.Load() == 0 {
		return
	}
	deadline := time.Now().Add(spinTime)
	for i := 0; j.active.Load() > 0; i++ {
		if i%64 == 63 && time.Now().After(deadline) {
			j.mu.Lock()
			for j.active.Load() > 0 {
				j.wait = true
				j.cond.Wait()
			}
			j.wait = false
			j.mu.Unlock()
			return
		}
	}
}

// help runs on a pool worker that received an invitation to j.
func (j *job) help(ws *workspace) {
	// Announce first, then claim a slot: once the caller has revoked the
	// slots it waits for active to drop to zero, so it cannot miss us.
	j.active.Add(1)
	for {
		s := j.slots.Load()
		if s <= 0 {
			break
		}
		if j.slots.CompareAndSwap(s, s-1) {
			j.work(ws)
			break
		}
	}
	if j.active.Add(-1) == 0 {
		j.mu.Lock()
		if j.wait {
			j.cond.Signal()
		}
		j.mu.Unlock()
	}
}

// worker is a pool goroutine: it polls for invitations for spinTime after
// each job, then parks on the channel.
func worker(ws *workspace) {
	for {
		var j *job
		deadline := time.Now().Add(spinTime)
	spin:
		for {
			select {
			case j = <-pool.tasks:
				break spin
			default:
			}
			if time.Now().After(deadline) {
				j = <-pool.tasks
				break
			}
			for i := 0; i < 64 && len(pool.tasks) == 0; i++ {
			}
		}
		j.help(ws)
	}
}

// Free lists. They only grow to the peak number of concurrent callers.
var (
	freeMu  sync.Mutex
	jobFree []*job
	wsFree  []*workspace
)

func getJob() *job {
	freeMu.Lock()
	if n := len(jobFree); n > 0 {
		j := jobFree[n-1]
		jobFree = jobFree[:n-1]
		freeMu.Unlock()
		return j
	}
	freeMu.Unlock()
	j := &job{ws: newWorkspace()}
	j.cond.L = &j.mu
	return j
}

func putJob(j *job) {
	j.g = gemmCall{} // drop references to the caller's slices
	j.fn = nil
	freeMu.Lock()
	jobFree = append(jobFree, j)
	freeMu.Unlock()
}

func getWorkspace() *workspace {
	freeMu.Lock()
	if n := len(wsFree); n > 0 {
		w := wsFree[n-1]
		wsFree = wsFree[:n-1]
		freeMu.Unlock()
		return w
	}
	freeMu.Unlock()
	return newWorkspace()
}

func putWorkspace(w *workspace) {
	freeMu.Lock()
	wsFree = append(wsFree, w)
	freeMu.Unlock()
}

// Parallel calls fn on disjoint sub-ranges [lo,hi) that together cover
// [0,n), using up to Threads() threads of the kernels' worker pool (the
// calling goroutine included). It returns when every call has returned.
// Small n or a single thread run fn(0, n) directly on the caller.
//
// fn may be called concurrently and must be safe for that. Passing a
// closure allocates it on each call; callers that care about allocations
// should build fn once and reuse it.
func Parallel(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	t := Threads()
	if t <= 1 || n < 2 {
		fn(0, n)
		return
	}
	j := getJob()
	j.kind = jobParallel
	j.fn = fn
	j.n = n
	j.run(min(t, n), t)
	putJob(j)
}
