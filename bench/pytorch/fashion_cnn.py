"""PyTorch reference for `kaiwu bench fashion-cnn` and engine/nn's
BenchmarkFashionCNNStep, the Fashion-MNIST recipe's CNN step (the model of
bench/pytorch/recipes/fashion.py and engine/recipes NewFashionCNN):
Conv2d(1,32,3)-ReLU-MaxPool2 - Conv2d(32,64,3)-ReLU-MaxPool2 - Flatten -
Linear(1600,128)-ReLU - Linear(128,10), cross-entropy, on 28x28 inputs,
batch B: one training step = zero_grad + forward + loss + backward (no
optimizer update, as in the Go benchmark).

Set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the thread count before
running (torch.set_num_threads alone does not limit OpenBLAS)."""
import argparse

from common import check_blas, emit, threads_from_env, time_best

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--rounds", type=int, default=5)
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

threads = threads_from_env()
torch.set_num_threads(threads)
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
x = torch.randn(args.batch, 1, 28, 28)
y = torch.randint(0, 10, (args.batch,))


def step():
    model.zero_grad(set_to_none=False)
    loss = F.cross_entropy(model(x), y)
    loss.backward()


check_blas(torch)
per = time_best(step, args.rounds)
b = args.batch
# multiply-adds of the forward pass (conv1 26x26x32x9, conv2 11x11x64x32x9,
# fc 1600x128 + 128x10 per image); a step (forward + backward) is ~3x
fwd = b * (26 * 26 * 32 * 9 + 11 * 11 * 64 * 32 * 9 + 1600 * 128 + 128 * 10)
flops = 3 * 2 * fwd
emit([{"op": "fashion-cnn", "batch": b, "threads": threads, "gflops": flops / per / 1e9, "ms": per * 1e3}])
