"""PyTorch reference for `kaiwu bench cnn` and engine/nn's BenchmarkCNNStep,
the LeNet-style CNN step: Conv2d(1,6,5,pad 2)-ReLU-MaxPool2 -
Conv2d(6,16,5)-ReLU-MaxPool2 - Flatten - Linear(400,120)-ReLU -
Linear(120,84)-ReLU - Linear(84,10), cross-entropy, on 28x28 inputs,
batch B: one training step = zero_grad + forward + loss + backward (no
optimizer update, as in the Go benchmark).

Set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the thread count before
running (torch.set_num_threads alone does not limit OpenBLAS)."""
from common import cnn_step_bench


def build(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


# multiply-adds of the forward pass per image
cnn_step_bench("cnn", 128, build,
               28 * 28 * 6 * 25 + 10 * 10 * 16 * 6 * 25 + 400 * 120 + 120 * 84 + 84 * 10)
