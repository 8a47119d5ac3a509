"""PyTorch version of kaiwu's AddingLSTM recipe (engine/recipes/adding.go):
the adding problem (Hochreiter & Schmidhuber 1997, experiment 4; in the
form of Le, Jaitly & Hinton 2015) with sequences of length 50: each step
carries (value ~ U(0,1), marker), two markers (one per half) are 1, the
target is the sum of the two marked values.

Model: nn.LSTM(2, 64, batch_first=True) and nn.Linear(64, 1) on the last
step's output; MSE, Adam lr 3e-3, batch 64, 12 epochs over 10,000 training
sequences, evaluated on 1,000 test sequences. "solved" is the fraction of
test answers within 0.04 of the truth (Hochreiter & Schmidhuber's
criterion); predicting the mean (1.0) gives MSE ≈ 0.167. The data are
drawn with numpy, not with kaiwu's generator, so the sequences differ.

    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/recipes/adding.py
"""
import argparse
import sys
import time

import numpy as np

from util import emit, threads

ap = argparse.ArgumentParser()
ap.add_argument("--length", type=int, default=50)
ap.add_argument("--train", type=int, default=10000)
ap.add_argument("--test", type=int, default=1000)
ap.add_argument("--hidden", type=int, default=64)
ap.add_argument("--epochs", type=int, default=12)
ap.add_argument("--batch", type=int, default=64)
ap.add_argument("--lr", type=float, default=3e-3)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(threads())
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)


def adding(n, t):
    x = np.zeros((n, t, 2), dtype=np.float32)
    x[:, :, 0] = rng.random((n, t))
    a = rng.integers(0, t // 2, n)
    b = t // 2 + rng.integers(0, t - t // 2, n)
    x[np.arange(n), a, 1] = 1
    x[np.arange(n), b, 1] = 1
    y = x[np.arange(n), a, 0] + x[np.arange(n), b, 0]
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.float32))[:, None]


xtr, ytr = adding(args.train, args.length)
xte, yte = adding(args.test, args.length)


class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(2, args.hidden, batch_first=True)
        self.head = nn.Linear(args.hidden, 1)

    def forward(self, x):
        return self.head(self.lstm(x)[0][:, -1])


model = M()
opt = torch.optim.Adam(model.parameters(), lr=args.lr)


def evaluate():
    with torch.no_grad():
        out = model(xte)
    return F.mse_loss(out, yte).item(), ((out - yte).abs() < 0.04).float().mean().item()


history, first, step = [], None, 0
start = time.perf_counter()
n = len(xtr)
for e in range(args.epochs):
    perm = torch.randperm(n)
    tot = 0.0
    for i in range(0, n, args.batch):
        idx = perm[i:i + args.batch]
        opt.zero_grad()
        loss = F.mse_loss(model(xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
        step += 1
        first = loss.item() if first is None else first
        tot += loss.item() * len(idx)
    tl, solved = evaluate()
    history.append({"epoch": e + 1, "step": step, "loss": tot / n, "test_loss": tl, "test_metric": solved})
    print(f"epoch {e + 1}: loss {tot / n:.4f} test mse {tl:.4f} solved {solved:.3f} "
          f"({time.perf_counter() - start:.0f} s)", file=sys.stderr, flush=True)
secs = time.perf_counter() - start
last = history[-1]
emit({"recipe": "adding-lstm", "framework": f"pytorch {torch.__version__}", "threads": threads(),
      "model": f"lstm 2-{args.hidden}, linear {args.hidden}-1 on the last step",
      "parameters": sum(p.numel() for p in model.parameters()), "optimizer": "adam", "lr": args.lr,
      "batch": args.batch, "epochs": args.epochs, "steps": step, "seed": args.seed, "history": history,
      "first_loss": first, "final_loss": last["loss"], "test_loss": last["test_loss"], "metric": "solved",
      "test_metric": last["test_metric"], "baseline": float(((yte - 1) ** 2).mean()), "seconds": secs})
