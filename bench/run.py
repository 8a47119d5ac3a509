#!/usr/bin/env python3
"""Side-by-side benchmark runner: kaiwu vs PyTorch (Debian python3-torch on
OpenBLAS), same workload, same thread count, interleaved, best-of-N.

    python3 bench/run.py [--kaiwu ./kaiwu] [--threads 1,2] [--reps 3]
                         [--workloads gemm,mlp,cnn,fashion-cnn,lstm,gru,gpt]
                         [--markdown]

Workloads (each is `kaiwu bench <name>` against bench/pytorch/<name>.py, with
"-" in the name written "_" in the script's):

    gemm         C = A·B, n×n float32, for each of --sizes
    mlp          training step of an MLP 784-512-512-10, Adam, batch --batch
    cnn          training step of a LeNet CNN on 28×28, batch 128 (no optimizer)
    fashion-cnn  training step of the Fashion-MNIST recipe's CNN
                 (conv32-pool-conv64-pool-fc128) on 28×28, batch 64 (no optimizer)
    lstm         training step of an LSTM 2×256, sequence 64, batch 32, Adam
    gru          training step of a GRU 2×256, sequence 64, batch 32, Adam
    gpt          training step of a GPT-mini 4×256, 4 heads, context 128, batch 16,
                 vocabulary 5000, Adam (~1 s a step: --gpt-rounds rounds, default 1)

Each repetition runs kaiwu then PyTorch for one workload at one thread count,
so background noise hits both sides alike; the best figure of each side is
kept. Prints a table with both figures and the ratio (kaiwu / PyTorch for
GFLOP/s, PyTorch / kaiwu for ms, so > 1.00 always means kaiwu is faster),
and the machine's CPU model. --markdown prints the table for RESULTS.md.
"""
import argparse
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_PY = "/usr/bin/python3"  # Debian's interpreter, where python3-torch lives


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_json(cmd, env):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("command failed: %s\n%s" % (" ".join(cmd), p.stderr.strip()))
    return json.loads(p.stdout)


def env_for(threads):
    env = dict(os.environ)
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    env["OMP_NUM_THREADS"] = str(threads)
    env["KAIWU_NUM_THREADS"] = str(threads)
    return env


WORKLOADS = ("gemm", "mlp", "cnn", "fashion-cnn", "lstm", "gru", "gpt")


def commands(args, op, val):
    """The kaiwu and PyTorch command lines of one workload run."""
    script = os.path.join(HERE, "pytorch", op.replace("-", "_") + ".py")
    rounds = str(args.gpt_rounds if op == "gpt" else args.rounds)
    if op == "gemm":
        kc = [args.kaiwu, "bench", "gemm", "--sizes", val, "--rounds", rounds, "--json"]
        pc = [TORCH_PY, script, "--sizes", val, "--rounds", rounds]
    else:
        # mlp takes --batch; the other steps run their fixed shapes
        # (the defaults of both sides, which are the same).
        extra = ["--batch", val] if op == "mlp" else []
        kc = [args.kaiwu, "bench", op, "--rounds", rounds, "--json"] + extra
        pc = [TORCH_PY, script, "--rounds", rounds] + extra
    return kc, pc


def parse_workloads(s):
    ws = [w.strip() for w in s.split(",") if w.strip()]
    bad = [w for w in ws if w not in WORKLOADS]
    if bad or not ws:
        sys.exit("--workloads %r: want a comma-separated subset of %s" % (s, ",".join(WORKLOADS)))
    return [w for w in WORKLOADS if w in ws]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kaiwu", default=os.path.join(HERE, "..", "kaiwu"), help="path to the kaiwu binary")
    ap.add_argument("--threads", default="1,%d" % os.cpu_count())
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help="comma-separated subset of %s (default: all)" % ",".join(WORKLOADS))
    ap.add_argument("--sizes", default="256,512,1024,2048", help="gemm sizes")
    ap.add_argument("--batch", type=int, default=256, help="mlp batch size")
    ap.add_argument("--reps", type=int, default=3, help="interleaved repetitions per side")
    ap.add_argument("--rounds", type=int, default=3, help="timing rounds (of >= 200 ms) inside each run")
    ap.add_argument("--gpt-rounds", type=int, default=1,
                    help="timing rounds inside each gpt run (a step takes ~1 s; default 1)")
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    workloads = parse_workloads(args.workloads)
    if min(args.reps, args.rounds, args.gpt_rounds) < 1:
        sys.exit("--reps, --rounds and --gpt-rounds must be at least 1")

    if not os.path.exists(args.kaiwu):
        sys.exit("no kaiwu binary at %s: run `go build -o kaiwu ./cmd/kaiwu` first" % args.kaiwu)
    if subprocess.run([TORCH_PY, "-c", "import torch"], capture_output=True).returncode != 0:
        sys.exit("PyTorch not found for %s: apt-get install python3-torch libopenblas0-pthread" % TORCH_PY)

    threads = sorted({int(t) for t in args.threads.split(",")})
    rows = []
    for t in threads:
        env = env_for(t)
        work = []
        for op in workloads:
            if op == "gemm":
                work += [("gemm", "size", n.strip()) for n in args.sizes.split(",")]
            elif op == "mlp":
                work.append(("mlp", "batch", str(args.batch)))
            else:
                work.append((op, "batch", None))
        for op, key, val in work:
            kc, pc = commands(args, op, val)
            best = {"kaiwu": None, "pytorch": None}
            for _ in range(args.reps):
                for side, cmd in (("kaiwu", kc), ("pytorch", pc)):
                    r = run_json(cmd, env)[0]
                    if r["threads"] != t:
                        sys.exit("%s ran with %s threads, wanted %d" % (side, r["threads"], t))
                    if best[side] is None or r["ms"] < best[side]["ms"]:
                        best[side] = r
            k, p = best["kaiwu"], best["pytorch"]
            if k.get(key) != p.get(key):
                sys.exit("%s: kaiwu measured %s=%s, PyTorch %s=%s" % (op, key, k.get(key), key, p.get(key)))
            rows.append({"op": op, key: k[key], "threads": t,
                         "kaiwu_gflops": k["gflops"], "pytorch_gflops": p["gflops"],
                         "kaiwu_ms": k["ms"], "pytorch_ms": p["ms"],
                         "ratio": p["ms"] / k["ms"],
                         "kaiwu_allocs_per_step": k.get("allocs_per_step")})
            print_row(rows[-1], args.markdown, first=len(rows) == 1)
    if not args.markdown:
        print("\nCPU: %s, %d logical cores; ratio > 1.00 means kaiwu is faster" % (cpu_model(), os.cpu_count()))
    else:
        print("\nCPU: %s, %d logical cores. Ratio = PyTorch time / kaiwu time (> 1.00: kaiwu faster)." % (cpu_model(), os.cpu_count()))


def print_row(r, md, first):
    what = "gemm n=%d" % r["size"] if r["op"] == "gemm" else "%s step batch=%d" % (r["op"], r["batch"])
    cols = [what, str(r["threads"]), "%.1f" % r["kaiwu_gflops"], "%.1f" % r["pytorch_gflops"],
            "%.3f" % r["kaiwu_ms"], "%.3f" % r["pytorch_ms"], "%.2fx" % r["ratio"]]
    head = ["workload", "threads", "kaiwu GFLOP/s", "PyTorch GFLOP/s", "kaiwu ms", "PyTorch ms", "ratio"]
    if md:
        if first:
            print("| " + " | ".join(head) + " |")
            print("|" + "---|" * len(head))
        print("| " + " | ".join(cols) + " |", flush=True)
    else:
        if first:
            print("%-26s %7s %14s %16s %10s %11s %7s" % tuple(head))
        print("%-26s %7s %14s %16s %10s %11s %7s" % tuple(cols), flush=True)


if __name__ == "__main__":
    main()
