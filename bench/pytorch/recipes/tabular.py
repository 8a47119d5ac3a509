"""PyTorch version of kaiwu's TabularRegression recipe
(engine/recipes/tabular.go) on the same file,
engine/recipes/testdata/housing.csv (synthetic flats with missing values
and outliers; see recipes.GenerateHousing for the formula).

Every fifth data row is the test split. Cleaning is fitted on the
training rows, in kaiwu's order: median imputation of the numbers,
most-frequent imputation of the district (ties to the smallest), clipping
of the numbers to Tukey's fences [Q1 - 1.5 IQR, Q3 + 1.5 IQR] (numpy's
linear percentiles), one-hot district (sorted categories), z-scores of
the numbers (population std); the target is z-scored with the training
mean and std. Model: Linear(8,64), ReLU, Linear(64,64), ReLU,
Linear(64,1); MSE, Adam lr 1e-3, batch 32, 60 epochs; R² on the test rows.

    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/recipes/tabular.py
"""
import argparse
import csv
import os
import time

import numpy as np

from util import emit, threads

here = os.path.dirname(os.path.abspath(__file__))
ap = argparse.ArgumentParser()
ap.add_argument("--path", default=os.path.join(here, "../../../engine/recipes/testdata/housing.csv"))
ap.add_argument("--hidden", type=int, default=64)
ap.add_argument("--epochs", type=int, default=60)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--seed", type=int, default=1)
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(threads())
torch.manual_seed(args.seed)
NUMBERS = ["area_m2", "rooms", "age_years", "distance_km"]
MISSING = {"", "na", "n/a", "nan", "null", "none", "?"}

rows = list(csv.DictReader(open(args.path, encoding="utf-8")))
tr_rows = [r for i, r in enumerate(rows) if i % 5 != 4]
te_rows = [r for i, r in enumerate(rows) if i % 5 == 4]


def num(rs, c):
    return np.array([np.nan if r[c].strip().lower() in MISSING else float(r[c]) for r in rs])


def cat(rs):
    return [None if r["district"].strip().lower() in MISSING else r["district"] for r in rs]


# Fit the cleaning on the training rows.
fill, bounds, scale = {}, {}, {}
for c in NUMBERS:
    v = num(tr_rows, c)
    fill[c] = np.median(v[~np.isnan(v)])
    v = np.where(np.isnan(v), fill[c], v)
    q1, q3 = np.percentile(v, [25, 75])
    bounds[c] = (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1))
    v = np.clip(v, *bounds[c])
    scale[c] = (v.mean(), v.std())
d = [x for x in cat(tr_rows) if x is not None]
counts = {k: d.count(k) for k in set(d)}
mode = min(counts, key=lambda k: (-counts[k], k))
cats = sorted(set(d))


def features(rs):
    cols = []
    for c in NUMBERS:
        v = num(rs, c)
        v = np.clip(np.where(np.isnan(v), fill[c], v), *bounds[c])
        cols.append((v - scale[c][0]) / scale[c][1])
    dist = [x if x is not None else mode for x in cat(rs)]
    for k in cats:
        cols.append(np.array([1.0 if x == k else 0.0 for x in dist]))
    return torch.tensor(np.stack(cols, 1), dtype=torch.float32)


xtr, xte = features(tr_rows), features(te_rows)
ytr, yte = num(tr_rows, "price_k"), num(te_rows, "price_k")
mu, sd = ytr.mean(), ytr.std()
ytr = torch.tensor((ytr - mu) / sd, dtype=torch.float32)[:, None]
yte = torch.tensor((yte - mu) / sd, dtype=torch.float32)[:, None]
h = args.hidden
model = nn.Sequential(nn.Linear(xtr.shape[1], h), nn.ReLU(), nn.Linear(h, h), nn.ReLU(), nn.Linear(h, 1))
opt = torch.optim.Adam(model.parameters(), lr=args.lr)


def evaluate():
    with torch.no_grad():
        out = model(xte)
    mse = F.mse_loss(out, yte).item()
    return mse, 1 - ((out - yte) ** 2).sum().item() / ((yte - yte.mean()) ** 2).sum().item()


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
    tl, r2 = evaluate()
    history.append({"epoch": e + 1, "step": step, "loss": tot / n, "test_loss": tl, "test_metric": r2})
secs = time.perf_counter() - start
last = history[-1]
emit({"recipe": "tabular-mlp", "framework": f"pytorch {torch.__version__}", "threads": threads(),
      "model": f"mlp {xtr.shape[1]}-{h}-{h}-1", "parameters": sum(p.numel() for p in model.parameters()),
      "optimizer": "adam", "lr": args.lr, "batch": args.batch, "epochs": args.epochs, "steps": step,
      "seed": args.seed, "history": history, "first_loss": first, "final_loss": last["loss"],
      "test_loss": last["test_loss"], "metric": "r2", "test_metric": last["test_metric"],
      "baseline": float((yte ** 2).mean()), "seconds": secs})
