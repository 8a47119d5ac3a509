"""PyTorch reference for `kaiwu bench cnn` and engine/nn's BenchmarkCNNStep,
the LeNet-style CNN step: Conv2d(1,6,5,pad 2)-ReLU-MaxPool2 -
Conv2d(6,16,5)-ReLU-MaxPool2 - Flatten - Linear(400,120)-ReLU -
Linear(120,84)-ReLU - Linear(84,10), cross-entropy, on 28x28 inputs,
batch B: one training step = zero_grad + forward + loss + backward (no
optimizer update, as in the Go benchmark).

Set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the thread count before
running (torch.set_num_threads alone does not limit OpenBLAS)."""
import argparse

from common import check_blas, emit, threads_from_env, time_best

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--rounds", type=int, default=5)
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

threads = threads_from_env()
torch.set_num_threads(threads)
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
x = torch.randn(args.batch, 1, 28, 28)
y = torch.randint(0, 10, (args.batch,))


def step():
    model.zero_grad(set_to_none=False)
    loss = F.cross_entropy(model(x), y)
    loss.backward()


check_blas(torch)
per = time_best(step, args.rounds)
b = args.batch
# multiply-adds of the forward pass; a step (forward + backward) is ~3x
fwd = b * (28 * 28 * 6 * 25 + 10 * 10 * 16 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10)
flops = 3 * 2 * fwd
emit([{"op": "cnn", "batch": b, "threads": threads, "gflops": flops / per / 1e9, "ms": per * 1e3}])
