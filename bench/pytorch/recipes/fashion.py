"""PyTorch version of kaiwu's Fashion-MNIST recipes (engine/recipes
FashionMLP and FashionCNN): the same architecture, initialisation scheme
(PyTorch's defaults, which kaiwu copies), optimizer, learning rate, batch
size and number of epochs; only the random draws differ.

  mlp: Linear(784, 256), ReLU, Linear(256, 10); Adam lr 1e-3, batch 128, 10 epochs
  cnn: Conv2d(1,32,3), ReLU, MaxPool2d(2), Conv2d(32,64,3), ReLU, MaxPool2d(2),
       Flatten, Linear(1600,128), ReLU, Linear(128,10); Adam lr 1e-3, batch 64, 5 epochs

Pixels are scaled to [0, 1] (no mean/std normalisation), the training set
is reshuffled every epoch, the last short batch is kept, and the test
accuracy is measured after every epoch, as in kaiwu.

    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/recipes/fashion.py --model cnn
"""
import argparse
import time

from util import emit, load_fashion, threads

ap = argparse.ArgumentParser()
ap.add_argument("--model", choices=["mlp", "cnn"], default="cnn")
ap.add_argument("--epochs", type=int, default=0, help="default 10 (mlp) or 5 (cnn)")
ap.add_argument("--batch", type=int, default=0, help="default 128 (mlp) or 64 (cnn)")
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
args = ap.parse_args()
epochs = args.epochs or (10 if args.model == "mlp" else 5)
args.batch = args.batch or (128 if args.model == "mlp" else 64)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(threads())
torch.manual_seed(args.seed)
xtr, ytr, xte, yte = [torch.from_numpy(a) for a in load_fashion(args.dir)]
if args.model == "mlp":
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    desc = "mlp 784-256-10"
else:
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))
    desc = "cnn conv32-pool-conv64-pool-fc128"
opt = torch.optim.Adam(model.parameters(), lr=args.lr)


def evaluate():
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(xte), args.batch):
            out = model(xte[i:i + args.batch])
            y = yte[i:i + args.batch]
            loss += F.cross_entropy(out, y, reduction="sum").item()
            correct += (out.argmax(1) == y).sum().item()
    model.train()
    return loss / len(xte), correct / len(xte)


history, first, step = [], None, 0
start = time.perf_counter()
n = len(xtr)
for e in range(epochs):
    perm = torch.randperm(n)
    tot = 0.0
    for i in range(0, n, args.batch):
        idx = perm[i:i + args.batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
        step += 1
        tot += loss.item() * len(idx)
        if first is None:
            first = loss.item()
    tl, acc = evaluate()
    history.append({"epoch": e + 1, "step": step, "loss": tot / n, "test_loss": tl, "test_metric": acc})
    print(f"epoch {e + 1}: loss {tot / n:.4f} test loss {tl:.4f} accuracy {acc:.4f} "
          f"({time.perf_counter() - start:.1f} s)", flush=True, file=__import__("sys").stderr)
secs = time.perf_counter() - start
last = history[-1]
emit({"recipe": "fashion-" + args.model, "framework": f"pytorch {torch.__version__}", "threads": threads(),
      "model": desc, "parameters": sum(p.numel() for p in model.parameters()), "optimizer": "adam",
      "lr": args.lr, "batch": args.batch, "epochs": epochs, "steps": step, "seed": args.seed,
      "history": history, "first_loss": first, "final_loss": last["loss"], "test_loss": last["test_loss"],
      "metric": "accuracy", "test_metric": last["test_metric"], "seconds": secs})
