"""Checkpoint interop fixtures between PyTorch and kaiwu (engine/ckpt).

The safetensors files are written and read by hand (8-byte little-endian
header length, JSON header, raw little-endian data), so that the script
needs only torch, not the safetensors package.

  make OUTDIR   write OUTDIR/torch_mlp.safetensors (an MLP's state_dict,
                exactly as safetensors.torch.save_file would name it),
                OUTDIR/torch_mlp_io.safetensors (a fixed input "x" and the
                model's output "y") and OUTDIR/dtypes.safetensors (the same
                values as F32, F64, F16, BF16, I64, I32, with torch's own
                conversions back to float32 for comparison)
  check MODEL IO SIZES...
                load kaiwu's MODEL into torch.nn.Sequential(Linear, ReLU, ...,
                Linear) of the given sizes with load_state_dict(strict=True),
                run IO's "x" and compare with IO's "y" (atol 1e-5, rtol 1e-4)

Run: /usr/bin/python3 bench/pytorch/ckpt_fixture.py make engine/ckpt/testdata
The Go tests in engine/ckpt use the committed fixtures, and run "check"
themselves when /usr/bin/python3 with torch is available.
"""
import json
import os
import struct
import sys

import torch

FORMATS = {  # safetensors dtype -> (torch dtype, struct code, view as)
    "F32": (torch.float32, "f", None),
    "F64": (torch.float64, "d", None),
    "F16": (torch.float16, "h", torch.int16),
    "BF16": (torch.bfloat16, "h", torch.int16),
    "I64": (torch.int64, "q", None),
    "I32": (torch.int32, "i", None),
}
DTYPE_OF = {v[0]: k for k, v in FORMATS.items()}


def save(path, tensors, metadata=None):
    header, chunks, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        dt = DTYPE_OF[t.dtype]
        _, code, view = FORMATS[dt]
        flat = (t.view(view) if view is not None else t).flatten().tolist()
        raw = struct.pack("<%d%s" % (len(flat), code), *flat)
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        chunks.append(raw)
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def load(path):
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n])
    data = b[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        tdt, code, view = FORMATS[e["dtype"]]
        lo, hi = e["data_offsets"]
        size = struct.calcsize("<" + code)
        vals = struct.unpack("<%d%s" % ((hi - lo) // size, code), data[lo:hi])
        t = torch.tensor(vals, dtype=view if view is not None else tdt)
        if view is not None:
            t = t.view(tdt)
        out[name] = t.reshape(e["shape"])
    return out


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 2 < len(sizes):
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def make(outdir):
    torch.manual_seed(1234)
    model = mlp([4, 8, 8, 3])
    x = torch.randn(5, 4)
    with torch.no_grad():
        y = model(x)
    save(os.path.join(outdir, "torch_mlp.safetensors"), model.state_dict(), {"format": "pt"})
    save(os.path.join(outdir, "torch_mlp_io.safetensors"), {"x": x, "y": y})
    v = torch.tensor([0.0, 1.0, -2.5, 3.14159265, 1e-3, -65504.0, 6.1e-5, 1e-7, 1.0 / 3.0, 300.0])
    save(os.path.join(outdir, "dtypes.safetensors"), {
        "f32": v,
        "f64": v.double(),
        "f16": v.half(),
        "f16_as_f32": v.half().float(),
        "bf16": v.bfloat16(),
        "bf16_as_f32": v.bfloat16().float(),
        "i64": torch.tensor([0, 1, -7, 1 << 40], dtype=torch.int64),
        "i32": torch.tensor([0, 1, -7, 1 << 30], dtype=torch.int32),
    })
    print("wrote fixtures to", outdir)


def check(model_path, io_path, sizes):
    model = mlp(sizes)
    sd = {k: v for k, v in load(model_path).items() if not k.startswith("__")}
    model.load_state_dict(sd, strict=True)
    io = load(io_path)
    with torch.no_grad():
        y = model(io["x"])
    diff = (y - io["y"]).abs().max().item()
    ok = torch.allclose(y, io["y"], atol=1e-5, rtol=1e-4)
    print("max abs diff %.3g: %s" % (diff, "OK" if ok else "MISMATCH"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) >= 5 and sys.argv[1] == "check":
        check(sys.argv[2], sys.argv[3], [int(s) for s in sys.argv[4:]])
    else:
        sys.exit(__doc__)
