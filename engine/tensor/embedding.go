package tensor

import (
	"fmt"
	"math"
)

var opEmbedding = registerOp("embedding", embeddingBackward)

// Embedding is torch.nn.functional.embedding: it looks up the rows of
// weight [V, D] named by indices (a tensor of any shape holding integer
// values, as float) and returns [indices..., D]. The backward pass
// scatter-adds the output gradient into the rows of weight, skipping
// paddingIdx (negative: none; like PyTorch, that row gets no gradient).
func Embedding(weight, indices *Tensor, paddingIdx int) (*Tensor, error) {
	if weight == nil || indices == nil {
		return nil, nilErr("embedding")
	}
	if len(weight.shape) != 2 {
		return nil, shapeErr("embedding", "need weight [num_embeddings, dim]", weight.shape, indices.shape)
	}
	if len(indices.shape)+1 > MaxDims {
		return nil, shapeErr("embedding", "indices have too many dims", weight.shape, indices.shape)
	}
	v, d := weight.shape[0], weight.shape[1]
	if paddingIdx >= v {
		return nil, fmt.Errorf("tensor: embedding: padding index %d for %d embeddings", paddingIdx, v)
	}
	w, err := weight.Contiguous()
	if err != nil {
		return nil, err
	}
	a := curArena
	n := indices.Numel()
	idx := allocInts(a, n)
	var it rowIter
	it.init(indices.shape, 1, [4][]int{indices.strides}, [4]int{indices.offset})
	k := 0
	for it.next() {
		o, s := it.off[0], it.inner[0]
		for i := 0; i < it.n; i++ {
			f := indices.get(o + i*s)
			j := int(f)
			if float64(j) != f || math.IsNaN(f) || j < 0 || j >= v {
				return nil, indexErr("embedding", j, v)
			}
			idx[k] = j
			k++
		}
	}
	var sh [MaxDims]int
	copy(sh[:], indices.shape)
	sh[len(indices.shape)] = d
	out := newTensor(w.dtype, sh[:len(indices.shape)+1], false)
	if w.dtype == Float64 {
		gatherRows(out.f64, w.f64[w.offset:], idx, d)
	} else {
		gatherRows(out.f32, w.f32[w.offset:], idx, d)
	}
	if record(out, opEmbedding, w, nil, nil) {
		out.ints = idx
		out.iarg[0] = paddingIdx
	}
	return out, nil
}

func gatherRows[T float](out, w []T, idx []int, d int) {
	for i, j := range idx {
		copy(out[i*d:i*d+d], w[j*d:j*d+d])
	}
}

func embeddingBackward(t *Tensor) {
	w := t.parents[0]
	ensureGrad(w)
	d := w.shape[1]
	if t.dtype == Float64 {
		scatterRows(w.grad.f64, t.grad.f64, t.ints, d, t.iarg[0])
	} else {
		scatterRows(w.grad.f32, t.grad.f32, t.ints, d, t.iarg[0])
	}
}

func scatterRows[T float](gw, g []T, idx []int, d, pad int) {
	for i, j := range idx {
		if j == pad {
			continue
		}
		dst := gw[j*d : j*d+d]
		for k, v := range g[i*d : i*d+d] {
			dst[k] += v
		}
	}
}
