"""PyTorch reference for `kaiwu bench gemm`: C = A @ B, float32, n x n."""
import argparse

from common import check_blas, emit, threads_from_env, time_best

ap = argparse.ArgumentParser()
ap.add_argument("--sizes", default="256,512,1024,2048")
ap.add_argument("--rounds", type=int, default=5)
args = ap.parse_args()

import torch  # noqa: E402  (after the environment is set)

threads = threads_from_env()
torch.set_num_threads(threads)
torch.manual_seed(0)
out = []
for n in [int(s) for s in args.sizes.split(",")]:
    a = torch.rand(n, n) * 2 - 1
    b = torch.rand(n, n) * 2 - 1
    c = torch.empty(n, n)
    check_blas(torch)
    per = time_best(lambda: torch.matmul(a, b, out=c), args.rounds)
    out.append({"op": "gemm", "size": n, "threads": threads,
                "gflops": 2 * n ** 3 / per / 1e9, "ms": per * 1e3})
emit(out)
