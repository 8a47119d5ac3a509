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

Time to accuracy (as `kaiwu demo fashion --target-accuracy A --eval-every N`):
with --target-accuracy the test accuracy is measured on the whole test set
every --eval-every optimizer steps instead of after every epoch; training
stops at the first measurement >= A (--epochs is then the limit) and the
JSON's "time_to_accuracy" reports the step, the epoch (step / steps per
epoch) and the training wall time to that point without the evaluations.

    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/recipes/fashion.py --model cnn
"""
import argparse
import sys
import time

from util import emit, load_fashion, threads

ap = argparse.ArgumentParser()
ap.add_argument("--model", choices=["mlp", "cnn"], default="cnn")
ap.add_argument("--epochs", type=int, default=0, help="default 10 (mlp) or 5 (cnn)")
ap.add_argument("--batch", type=int, default=0, help="default 128 (mlp) or 64 (cnn)")
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--dir", default="/usr/share/datasets/fashion-mnist")
ap.add_argument("--target-accuracy", type=float, default=0.0,
                help="stop at this test accuracy (a fraction, e.g. 0.90) and report the time to reach it")
ap.add_argument("--eval-every", type=int, default=100,
                help="with --target-accuracy: evaluate on the test set every N optimizer steps")
args = ap.parse_args()
if args.epochs < 0 or args.batch < 0:
    sys.exit("--epochs %d, --batch %d: want positive values (0: the recipe's default)" % (args.epochs, args.batch))
if not 0 <= args.target_accuracy <= 1:
    sys.exit("--target-accuracy %g: want a fraction in (0, 1]" % args.target_accuracy)
if args.eval_every < 1:
    sys.exit("--eval-every %d: want at least 1" % args.eval_every)
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


n = len(xtr)
per_epoch = (n + args.batch - 1) // args.batch
target = args.target_accuracy
tta = None
if target > 0:
    tta = {"target": target, "eval_every": args.eval_every, "reached": False, "step": 0, "epoch": 0.0,
           "accuracy": 0.0, "best_accuracy": 0.0, "seconds": 0.0, "ms_per_step": 0.0,
           "eval_seconds": 0.0, "evaluations": 0}
eval_time = 0.0


def measure(step, loss):
    """Evaluate after `step` steps for the time-to-accuracy run (its time
    is kept apart from the training time); True when at the target."""
    global eval_time
    trained = time.perf_counter() - start - eval_time
    began = time.perf_counter()
    tl, acc = evaluate()
    eval_time += time.perf_counter() - began
    history.append({"epoch": (step - 1) // per_epoch + 1, "step": step, "loss": loss, "test_loss": tl,
                    "test_metric": acc})
    tta.update({"step": step, "epoch": step / per_epoch, "accuracy": acc,
                "best_accuracy": max(tta["best_accuracy"], acc), "seconds": trained,
                "ms_per_step": 1e3 * trained / max(step, 1), "eval_seconds": eval_time,
                "evaluations": len(history)})
    print(f"step {step}: test accuracy {acc:.4f} ({trained:.1f} s training, {eval_time:.1f} s evaluating)",
          flush=True, file=sys.stderr)
    if acc >= target:
        tta["reached"] = True
    return tta["reached"]


history, first, step = [], None, 0
start = time.perf_counter()
done = False
for e in range(epochs):
    perm = torch.randperm(n)
    tot, seen = 0.0, 0
    for i in range(0, n, args.batch):
        idx = perm[i:i + args.batch]
        opt.zero_grad()
        loss = F.cross_entropy(model(xtr[idx]), ytr[idx])
        loss.backward()
        opt.step()
        step += 1
        tot += loss.item() * len(idx)
        seen += len(idx)
        if first is None:
            first = loss.item()
        if tta is not None and step % args.eval_every == 0 and measure(step, tot / seen):
            done = True
            break
    if done:
        break
    if tta is None:
        tl, acc = evaluate()
        history.append({"epoch": e + 1, "step": step, "loss": tot / n, "test_loss": tl, "test_metric": acc})
        print(f"epoch {e + 1}: loss {tot / n:.4f} test loss {tl:.4f} accuracy {acc:.4f} "
              f"({time.perf_counter() - start:.1f} s)", flush=True, file=sys.stderr)
if tta is not None and not tta["reached"] and (not history or history[-1]["step"] != step):
    measure(step, tot / seen)  # never reached: measure where training ended
secs = time.perf_counter() - start
last = history[-1]
result = {"recipe": "fashion-" + args.model, "framework": f"pytorch {torch.__version__}", "threads": threads(),
          "model": desc, "parameters": sum(p.numel() for p in model.parameters()), "optimizer": "adam",
          "lr": args.lr, "batch": args.batch, "epochs": epochs, "steps": step, "seed": args.seed,
          "history": history, "first_loss": first, "final_loss": last["loss"], "test_loss": last["test_loss"],
          "metric": "accuracy", "test_metric": last["test_metric"], "seconds": secs}
if tta is not None:
    result["time_to_accuracy"] = tta
emit(result)
