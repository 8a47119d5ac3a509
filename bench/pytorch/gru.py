"""PyTorch reference for kaiwu's BenchmarkGRUStep: one training step of a
GRU (2 layers, hidden 256, sequence 64, batch 32, input 64), MSE on the
output sequence, Adam(lr=1e-3)."""
import argparse

from common import check_blas, emit, threads_from_env, time_best

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--rounds", type=int, default=5)
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

threads = threads_from_env()
torch.set_num_threads(threads)
torch.manual_seed(0)
T, I, H, L = 64, 64, 256, 2
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
