"""PyTorch reference for `kaiwu bench mlp`: one training step of an MLP
784->512->512->10 (ReLU), cross-entropy, Adam(lr=1e-3), batch B."""
import argparse

from common import check_blas, emit, threads_from_env, time_best

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=256)
ap.add_argument("--rounds", type=int, default=5)
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

threads = threads_from_env()
torch.set_num_threads(threads)
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randn(args.batch, 784)
y = torch.randint(0, 10, (args.batch,))


def step():
    opt.zero_grad(set_to_none=False)
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()


check_blas(torch)
per = time_best(step, args.rounds)
flops = 3 * 2 * args.batch * (784 * 512 + 512 * 512 + 512 * 10)
emit([{"op": "mlp", "batch": args.batch, "threads": threads,
       "gflops": flops / per / 1e9, "ms": per * 1e3}])
