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
