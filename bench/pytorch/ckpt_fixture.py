"""Checkpoint interop fixtures between PyTorch and kaiwu (engine/ckpt).

The safetensors files are written and read by st.py (by hand: 8-byte
little-endian header length, JSON header, raw little-endian data), so that
the script needs only torch, not the safetensors package.

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
import os
import sys

import torch

from st import load, save


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
    sd = {k: v for k, v in load(model_path)[0].items() if not k.startswith("__")}
    model.load_state_dict(sd, strict=True)
    io, _ = load(io_path)
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
