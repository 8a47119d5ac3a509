"""Helpers shared by the PyTorch versions of kaiwu's recipes (engine/recipes).

Run each script with Debian's /usr/bin/python3 (python3-torch) and the
thread count set in the environment *before* torch is imported:

    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/recipes/fashion.py --model cnn

Each script prints one JSON object with the same fields as kaiwu's
recipes.Result (recipe, test_metric, test_loss, seconds, history, ...).
"""
import gzip
import json
import os
import struct
import sys

import numpy as np

FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def threads():
    return int(os.environ.get("OMP_NUM_THREADS", os.cpu_count()))


def read_idx(path):
    """Read an IDX file (optionally .gz) into a numpy array."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rb") as f:
        raw = f.read()
    zero, typ, ndim = struct.unpack(">HBB", raw[:4])
    assert zero == 0 and typ == 0x08, "only ubyte IDX files"
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion(d=FASHION_DIR):
    """Train and test images as float32 [N, 1, 28, 28] in [0, 1], labels int64."""
    out = []
    for split in ("train", "t10k"):
        x = read_idx(os.path.join(d, f"{split}-images-idx3-ubyte")).astype(np.float32) / 255
        y = read_idx(os.path.join(d, f"{split}-labels-idx1-ubyte")).astype(np.int64)
        out += [x[:, None, :, :], y]
    return out


def emit(result):
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
