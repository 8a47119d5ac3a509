// Package tensor provides N-d tensors with reverse-mode automatic
// differentiation for the kaiwu engine.
//
// # Tensors
//
// A *Tensor is storage (float32 or float64) plus a strided layout (shape,
// strides, offset) plus the autograd record of the op that made it.
// Float32 is the default and the fast path (GEMM via engine/kernels);
// Float64 exists for gradient checks and reference computations. Mixing
// dtypes in one op is an error (wrapping ErrDType); convert with To.
//
// # Ops
//
// Every op returns (*Tensor, error); bad input is an error, never a panic:
// shape problems are a *ShapeError naming the op and the shapes, bad
// indices wrap ErrIndex, nil tensors ErrNil. Must unwraps for tests and
// examples. Ops on one tensor are methods (x.Exp(), x.Sum(dims, keepdim),
// x.Reshape(2, 3), x.Softmax(-1)); ops on several are functions (Add(a, b),
// MatMul(a, b), Where(c, a, b), Concat(ts, dim), Linear(x, w, b, act),
// CrossEntropy(logits, targets), MSE(p, q)); the common one-tensor ops also
// have function forms (ReLU(x), SumAll(x), Softmax(x, dim), ...), like
// torch.relu(x) beside x.relu(). Elementwise binary ops
// broadcast like NumPy/PyTorch. Views (Reshape of a contiguous tensor,
// View, Transpose, T, Permute, Slice, Narrow, Squeeze, Unsqueeze, Expand,
// Split, Chunk, Detach) share storage; other ops return new contiguous
// tensors. There are no in-place ops. Masks and conditions (Where,
// MaskedFill) are tensors read as booleans (nonzero is true); integer
// indices for Gather are tensors of whole numbers, for IndexSelect and
// CrossEntropy plain []int. GELU is the exact erf form.
//
// # Autograd
//
// Graphs are recorded define-by-run when grad mode is on and an input
// requires grad (SetRequiresGrad on leaves). Each op stores an op code and
// its parents; its backward rule is a plain function next to its forward,
// dispatched through a table (no closures, so recording allocates nothing).
// t.Backward() (one-element t) or t.BackwardWithGrad(g) sorts the graph
// topologically and runs the rules in reverse, accumulating into Grad()
// across calls until ZeroGrad. Only leaves keep Grad (RetainGrad keeps a
// non-leaf's). Unlike PyTorch the graph is kept after Backward, so a second
// Backward over the same graph is allowed (and accumulates). Broadcast inputs receive gradients summed back to their
// shape, views pass gradients to their base. NoGrad(f) / SetGradEnabled
// switch recording off.
//
// # Arena and threads
//
// An Arena (NewArena, UseArena, Reset) recycles every tensor ops create,
// so a training step — forward, backward, ZeroGrad, an optimizer update
// through Data() — runs with zero allocations once warm. Create parameters
// before UseArena (or with no arena in use): a tensor made from an arena
// dies at its Reset. The grad mode and
// the arena in use are process-wide (Go has no goroutine-local state):
// drive a model from one goroutine at a time; the kernels underneath may
// use many threads.
package tensor
