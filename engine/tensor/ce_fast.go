package tensor

import (
	"math"

	"github.com/kaiwu-ai/kaiwu/engine/kernels"
)

// The float32 fused cross-entropy. The forward takes two passes over each
// row of logits, both vectorised (kernels.Max, then kernels.ExpShiftSum
// without storing the exponentials), and keeps per row only the shift m_i
// (the row maximum) and 1/Σ_j e**(x_ij - m_i). The backward recomputes the
// softmax from the logits in one pass, scaled by the loss gradient:
//
//	dx_ij = g/B · e**(x_ij - m_i) / Σ_i  -  g/B · [j = target_i]
//
// which is cheaper than storing [B, C] probabilities in the forward and
// reading them back (the GPT head has 2048 rows of 5000 classes). Rows run
// on the kernels' pool; each row's result does not depend on the split,
// and the loss is summed over rows in order, so results are bit-identical
// for any thread count.

// ceGrain is the work (rows × classes) above which the rows are split
// across threads.
const ceGrain = 16 << 10

// ceFwd32 returns the mean loss over the rows of x [len(targets), c]; when
// st is not nil it stores st[2i] = m_i and st[2i+1] = 1/Σ_i.
func ceFwd32(x []float32, targets []int, c int, st []float32) float64 {
	n := len(targets)
	if n == 0 {
		return math.NaN()
	}
	t := ce32Pool.Get()
	t.x, t.tg, t.c, t.st = x, targets, c, st
	t.loss = allocF64(curArena, n, false)
	if n*c >= ceGrain {
		kernels.Parallel(n, t.fwd)
	} else {
		t.fwdRows(0, n)
	}
	var total float64
	for _, l := range t.loss {
		total += l
	}
	*t = ce32Task{fwd: t.fwd, bwd: t.bwd}
	ce32Pool.Put(t)
	return total / float64(n)
}

// ceGrad32 sets (set) or adds to gx the gradient of the mean loss times g.
func ceGrad32(gx, x, st []float32, targets []int, c int, g float32, set bool) {
	n := len(targets)
	if n == 0 {
		if set {
			clear(gx)
		}
		return
	}
	t := ce32Pool.Get()
	t.x, t.tg, t.c, t.st = x, targets, c, st
	t.gx, t.s, t.set = gx, g/float32(n), set
	if n*c >= ceGrain {
		kernels.Parallel(n, t.bwd)
	} else {
		t.bwdRows(0, n)
	}
	*t = ce32Task{fwd: t.fwd, bwd: t.bwd}
	ce32Pool.Put(t)
}

// ce32Task carries a float32 cross-entropy forward or backward; fwd and
// bwd are its methods bound once, so a call allocates nothing.
type ce32Task struct {
	fwd, bwd func(lo, hi int)
	x, st    []float32
	tg       []int
	c        int
	loss     []float64
	gx       []float32
	s        float32
	set      bool
}

var ce32Pool = freeList[ce32Task]{init: func(t *ce32Task) { t.fwd, t.bwd = t.fwdRows, t.bwdRows }}

func (t *ce32Task) fwdRows(lo, hi int) {
	c := t.c
	for i := lo; i < hi; i++ {
		row := t.x[i*c : i*c+c]
		mx := kernels.Max(row)
		sum := kernels.ExpShiftSum(nil, row, mx)
		if t.st != nil {
			t.st[2*i], t.st[2*i+1] = mx, float32(1/sum)
		}
		t.loss[i] = float64(mx) + math.Log(sum) - float64(row[t.tg[i]])
	}
}

func (t *ce32Task) bwdRows(lo, hi int) {
	c := t.c
	var buf [512]float32
	for i := lo; i < hi; i++ {
		row := t.x[i*c : i*c+c]
		g := t.gx[i*c : i*c+c]
		mx, scale := t.st[2*i], t.s*t.st[2*i+1]
		if t.set {
			kernels.ExpShiftScale(g, row, mx, scale)
		} else {
			for j := 0; j < c; j += len(buf) {
				b := buf[:min(len(buf), c-j)]
				kernels.ExpShiftScale(b, row[j:j+len(b)], mx, scale)
				for k, v := range b {
					g[j+k] += v
				}
			}
		}
		g[t.tg[i]] -= t.s
	}
}
