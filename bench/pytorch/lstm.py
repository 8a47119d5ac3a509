"""PyTorch reference for `kaiwu bench lstm` and engine/nn's BenchmarkLSTMStep:
one training step (zero grad, forward, loss, backward, optimizer step) of an
LSTM (2 layers, hidden 256, sequence 64, batch 32, input 64; sequence-first
input), MSE on the output sequence against random targets, Adam(lr=1e-3).

Set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the thread count before
running (torch.set_num_threads alone does not limit OpenBLAS)."""
from common import rnn_step_bench

rnn_step_bench("lstm", "LSTM", gates=4)
