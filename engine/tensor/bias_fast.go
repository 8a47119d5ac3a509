package tensor

import "github.com/kaiwu-ai/kaiwu/engine/kernels"

// The float32 bias gradient of Linear: gb[j] += Σ_r gm[r, j], the column
// sums of the [m, n] output gradient. Rows are added into gb one after
// another with the vectorised kernels.AddTo, so every column is summed in
// row order whatever the split: large gradients are cut into column
// stripes (whole cache lines) across the kernels' pool, and the result is
// bit-identical for any thread count (and to a plain row loop).

// biasGrain is the work (m·n) above which the column stripes run in
// parallel.
const biasGrain = 64 << 10

// biasStripe is the column granularity of the split: 16 floats, one cache
// line, so stripes never share a line of gb.
const biasStripe = 16

func biasGrad32(gb, gm []float32, m, n int) {
	gb = gb[:n]
	if m*n < biasGrain || kernels.Threads() < 2 || n < 2*biasStripe {
		biasCols32(gb, gm, m, n, 0, n)
		return
	}
	t := biasPool.Get()
	t.gb, t.gm, t.m, t.n = gb, gm, m, n
	kernels.Parallel((n+biasStripe-1)/biasStripe, t.run)
	*t = biasTask{run: t.run}
	biasPool.Put(t)
}

// biasCols32 adds the rows of gm's columns [j0, j1) into gb.
func biasCols32(gb, gm []float32, m, n, j0, j1 int) {
	acc := gb[j0:j1]
	for r := 0; r < m; r++ {
		kernels.AddTo(acc, gm[r*n+j0:r*n+j1])
	}
}

// biasTask carries a parallel bias gradient; run is its method bound once.
type biasTask struct {
	run    func(lo, hi int)
	gb, gm []float32
	m, n   int
}

var biasPool = freeList[biasTask]{init: func(t *biasTask) { t.run = t.stripes }}

func (t *biasTask) stripes(lo, hi int) {
	biasCols32(t.gb, t.gm, t.m, t.n, lo*biasStripe, min(hi*biasStripe, t.n))
}
