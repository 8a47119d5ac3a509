"""Shared timing helpers for the PyTorch reference benchmarks.

The thread count must be set through the environment *before* torch is
imported: Debian's torch calls OpenBLAS for matmul, and torch.set_num_threads
does not limit OpenBLAS's own pthread pool (measured: set_num_threads(1)
still ran 1024^3 SGEMM on both cores). bench/run.py sets
OPENBLAS_NUM_THREADS and OMP_NUM_THREADS for each run.
"""
import json
import os
import sys
import time


def threads_from_env():
    n = int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count()))
    return n


def time_best(fn, rounds, min_round=0.2):
    """Best mean time per call over `rounds` rounds of at least min_round s,
    after one warm-up call -- the same statistic as kaiwu's bench."""
    fn()
    best = float("inf")
    for _ in range(rounds):
        n = 0
        start = time.perf_counter()
        while True:
            fn()
            n += 1
            el = time.perf_counter() - start
            if el >= min_round:
                best = min(best, el / n)
                break
    return best


def emit(results):
    json.dump(results, sys.stdout)
    sys.stdout.write("\n")


def check_blas(torch):
    """Refuse to run on reference BLAS: the comparison would mean nothing."""
    maps = open("/proc/self/maps").read()
    if "openblas" not in maps.lower():
        sys.exit("pytorch reference: OpenBLAS is not loaded; install libopenblas0-pthread "
                 "(without it torch uses reference BLAS, ~13x slower)")


def rnn_step_bench(op, cell, gates):
    """Parse the recurrent benchmarks' flags, time one training step (zero
    grad, forward, MSE loss, backward, Adam step) of the torch.nn recurrent
    module named `cell` ("GRU", "LSTM") and emit one result row for `op`.
    `gates` is the number of gate blocks per layer (GRU 3, LSTM 4)."""
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seq", type=int, default=64)
    ap.add_argument("--input", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    threads = threads_from_env()
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    T, I, H, L = args.seq, args.input, args.hidden, args.layers
    model = getattr(nn, cell)(I, H, num_layers=L)
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
    flops = 3 * 2 * T * args.batch * sum(gates * H * ((I if l == 0 else H) + H) for l in range(L))
    emit([{"op": op, "batch": args.batch, "threads": threads, "gflops": flops / per / 1e9, "ms": per * 1e3}])


def cnn_step_bench(op, default_batch, build, fwd_macs_per_image):
    """Parse the CNN benchmarks' flags (--batch, default default_batch;
    --rounds), time one training step (zero_grad + forward + cross-entropy +
    backward, no optimizer update) of the model build(nn) returns on 28x28
    single-channel inputs, and emit one result row for `op`.
    fwd_macs_per_image is the forward pass's multiply-adds per image; a step
    (forward + backward) counts as ~3x."""
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=default_batch)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    threads = threads_from_env()
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(nn)
    x = torch.randn(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))

    def step():
        model.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x), y)
        loss.backward()

    check_blas(torch)
    per = time_best(step, args.rounds)
    b = args.batch
    flops = 3 * 2 * b * fwd_macs_per_image
    emit([{"op": op, "batch": b, "threads": threads, "gflops": flops / per / 1e9, "ms": per * 1e3}])
