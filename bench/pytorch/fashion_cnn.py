"""PyTorch reference for `kaiwu bench fashion-cnn` and engine/nn's
BenchmarkFashionCNNStep, the Fashion-MNIST recipe's CNN step (the model of
bench/pytorch/recipes/fashion.py and engine/recipes NewFashionCNN):
Conv2d(1,32,3)-ReLU-MaxPool2 - Conv2d(32,64,3)-ReLU-MaxPool2 - Flatten -
Linear(1600,128)-ReLU - Linear(128,10), cross-entropy, on 28x28 inputs,
batch B: one training step = zero_grad + forward + loss + backward (no
optimizer update, as in the Go benchmark).

Set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the thread count before
running (torch.set_num_threads alone does not limit OpenBLAS)."""
from common import cnn_step_bench


def build(nn):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))


# multiply-adds of the forward pass per image (conv1 26x26x32x9,
# conv2 11x11x64x32x9, fc 1600x128 + 128x10)
cnn_step_bench("fashion-cnn", 64, build,
               26 * 26 * 32 * 9 + 11 * 11 * 64 * 32 * 9 + 1600 * 128 + 128 * 10)
