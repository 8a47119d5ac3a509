#!/usr/bin/env python3
"""Time to accuracy on Fashion-MNIST: kaiwu vs PyTorch, same recipe, same
thread count.

    python3 bench/time_to_accuracy.py [--kaiwu ./kaiwu] [--model cnn] [--target 0.90]
        [--eval-every 100] [--epochs 10] [--threads 2] [--reps 1] [--seed 1] [--json]

Runs `kaiwu demo fashion --target-accuracy T --eval-every N` and
bench/pytorch/recipes/fashion.py with the same options: the CNN recipe
(conv32-pool-conv64-pool-fc128, Adam 1e-3, batch 64; --model mlp for the
MLP), the test accuracy measured on the whole test set every N optimizer
steps, training stopped at the first measurement >= T. Each side reports the
training wall time to that point *without* the evaluations; the ratio is
PyTorch's time / kaiwu's (> 1.00: kaiwu is faster). With --reps R the two
sides run interleaved (kaiwu, PyTorch, kaiwu, ...) and the fastest run of
each side that reached the target is kept.

The step at which the target is reached depends on the random draws
(initial weights, shuffling), which differ between the two frameworks even
with the same --seed, so the time ratio mixes speed per step (ms/step,
printed too) with luck; --epochs is the limit when the target is never
reached (reported as such).

Takes minutes: the full CNN recipe to 90% is about 4 epochs of 938 steps on
each side. For a quick check use e.g. --target 0.80.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_PY = "/usr/bin/python3"  # Debian's interpreter, where python3-torch lives
FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def env_for(threads):
    env = dict(os.environ)
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    env["OMP_NUM_THREADS"] = str(threads)
    env["KAIWU_NUM_THREADS"] = str(threads)
    return env


def run_json(cmd, env, quiet):
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE if quiet else None, text=True)
    if p.returncode != 0:
        sys.exit("command failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), (p.stderr or "").strip()))
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        sys.exit("command printed no JSON (%s): %s\n%s" % (e, " ".join(cmd), p.stdout[:500]))


def better(a, b):
    """The better of two time-to-accuracy reports: reached beats not
    reached, then the shorter training time."""
    if a is None:
        return b
    if a["reached"] != b["reached"]:
        return a if a["reached"] else b
    if not a["reached"]:
        return a if a["best_accuracy"] >= b["best_accuracy"] else b
    return a if a["seconds"] <= b["seconds"] else b


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kaiwu", default=os.path.join(HERE, "..", "kaiwu"), help="path to the kaiwu binary")
    ap.add_argument("--model", choices=["cnn", "mlp"], default="cnn")
    ap.add_argument("--target", type=float, default=0.90, help="target test accuracy, a fraction")
    ap.add_argument("--eval-every", type=int, default=100, help="evaluate every N optimizer steps")
    ap.add_argument("--epochs", type=int, default=10, help="give up after this many epochs")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for both sides")
    ap.add_argument("--reps", type=int, default=1, help="interleaved runs per side (best kept)")
    ap.add_argument("--seed", type=int, default=1, help="seed of both sides (their random draws still differ)")
    ap.add_argument("--data", default=FASHION_DIR, help="directory of the Fashion-MNIST IDX files")
    ap.add_argument("--quiet", action="store_true", help="hide the two sides' progress output")
    ap.add_argument("--json", action="store_true", help="print the two reports and the ratio as JSON")
    args = ap.parse_args()
    if not 0 < args.target <= 1:
        sys.exit("--target %g: want a fraction in (0, 1], e.g. 0.90" % args.target)
    if min(args.eval_every, args.epochs, args.threads, args.reps, args.seed) < 1:
        sys.exit("--eval-every, --epochs, --threads, --reps and --seed must be at least 1")
    if not os.path.exists(args.kaiwu):
        sys.exit("no kaiwu binary at %s: run `go build -o kaiwu ./cmd/kaiwu` first" % args.kaiwu)
    if subprocess.run([TORCH_PY, "-c", "import torch"], capture_output=True).returncode != 0:
        sys.exit("PyTorch not found for %s: apt-get install python3-torch libopenblas0-pthread" % TORCH_PY)

    common = ["--model", args.model, "--target-accuracy", str(args.target), "--eval-every", str(args.eval_every),
              "--epochs", str(args.epochs), "--seed", str(args.seed)]
    cmds = {
        "kaiwu": [args.kaiwu, "--threads", str(args.threads), "demo", "fashion", "--data", args.data, "--json"] + common,
        "pytorch": [TORCH_PY, os.path.join(HERE, "pytorch", "recipes", "fashion.py"), "--dir", args.data] + common,
    }
    env = env_for(args.threads)
    best = {"kaiwu": None, "pytorch": None}
    runs = {"kaiwu": [], "pytorch": []}
    for rep in range(args.reps):
        for side in ("kaiwu", "pytorch"):
            if not args.quiet:
                print("== %s, run %d/%d" % (side, rep + 1, args.reps), file=sys.stderr, flush=True)
            r = run_json(cmds[side], env, args.quiet)
            x = r.get("time_to_accuracy")
            if x is None:
                sys.exit("%s reported no time_to_accuracy: %s" % (side, " ".join(cmds[side])))
            runs[side].append(x)
            best[side] = better(best[side], x)

    k, p = best["kaiwu"], best["pytorch"]
    ratio = p["seconds"] / k["seconds"] if k["reached"] and p["reached"] and k["seconds"] > 0 else None
    step_ratio = p["ms_per_step"] / k["ms_per_step"] if k["ms_per_step"] > 0 else None
    if args.json:
        json.dump({"model": args.model, "target": args.target, "eval_every": args.eval_every,
                   "threads": args.threads, "reps": args.reps, "kaiwu": k, "pytorch": p,
                   "runs": runs, "ratio": ratio, "ms_per_step_ratio": step_ratio}, sys.stdout, indent=2)
        print()
        return
    print("Fashion-MNIST %s to %.2f%% test accuracy, %d threads, evaluated every %d steps, best of %d"
          % (args.model, 100 * args.target, args.threads, args.eval_every, args.reps))
    head = ("side", "reached", "step", "epoch", "accuracy", "train s", "ms/step", "eval s")
    print("%-8s %8s %6s %6s %9s %8s %8s %7s" % head)
    for name, x in (("kaiwu", k), ("PyTorch", p)):
        print("%-8s %8s %6d %6.2f %8.2f%% %8.1f %8.1f %7.1f" % (
            name, "yes" if x["reached"] else "no", x["step"], x["epoch"], 100 * x["accuracy"],
            x["seconds"], x["ms_per_step"], x["eval_seconds"]))
    if ratio is None:
        missed = [n for n, x in (("kaiwu", k), ("PyTorch", p)) if not x["reached"]]
        print("\nno ratio: %s did not reach %.2f%% within %d epochs (best %s)" % (
            " and ".join(missed), 100 * args.target, args.epochs,
            ", ".join("%s %.2f%%" % (n, 100 * x["best_accuracy"]) for n, x in (("kaiwu", k), ("PyTorch", p)))))
    else:
        print("\ntime to %.2f%%: kaiwu %.1f s, PyTorch %.1f s, ratio %.2fx (PyTorch / kaiwu; > 1.00: kaiwu faster)"
              % (100 * args.target, k["seconds"], p["seconds"], ratio))
    if step_ratio is not None:
        print("training speed: kaiwu %.1f ms/step, PyTorch %.1f ms/step, ratio %.2fx; steps to target: kaiwu %d, PyTorch %d"
              % (k["ms_per_step"], p["ms_per_step"], step_ratio, k["step"], p["step"]))


if __name__ == "__main__":
    main()
