"""PyTorch reference for `kaiwu bench gru` and engine/nn's BenchmarkGRUStep:
one training step (zero grad, forward, loss, backward, optimizer step) of a
GRU (2 layers, hidden 256, sequence 64, batch 32, input 64; sequence-first
input), MSE on the output sequence against random targets, Adam(lr=1e-3).

Set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the thread count before
running (torch.set_num_threads alone does not limit OpenBLAS)."""
import argparse

from common import check_blas, emit, threads_from_env, time_best

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--seq", type=int, default=64)
ap.add_argument("--input", type=int, default=64)
ap.add_argument("--hidden", type=int, default=256)
ap.add_argument("--layers", type=int, default=2)
ap.add_argument("--rounds", type=int, default=5)
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

threads = threads_from_env()
torch.set_num_threads(threads)
torch.manual_seed(0)
T, I, H, L = args.seq, args.input, args.hidden, args.layers
model = nn.GRU(I, H, num_layers=L)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(T, args.batch, I)
y = torch.randn(T, args.batch, H)


def step():
    opt.zero_grad(set_to_none=False)
    out, _ = model(x)
    F.mse_loss(out, y).backward()
    opt.step()


check_blas(torch)
per = time_best(step, args.rounds)
# 3 passes (fwd, 2x bwd) of the input and recurrent GEMMs of every layer
flops = 3 * 2 * T * args.batch * sum(3 * H * ((I if l == 0 else H) + H) for l in range(L))
emit([{"op": "gru", "batch": args.batch, "threads": threads, "gflops": flops / per / 1e9, "ms": per * 1e3}])
