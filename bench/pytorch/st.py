"""A minimal safetensors writer and reader, and the golden-fixture layout of
docs/formats/golden-fixtures.md, for the scripts in bench/pytorch/.

Debian's python3 has torch but not the `safetensors` package, so the format
is written by hand: an 8-byte little-endian header length, a JSON header
{name: {"dtype", "shape", "data_offsets"}, "__metadata__": {str: str}}
padded with spaces to a multiple of 8 bytes, then the raw little-endian
data of each tensor, in header order, without gaps.

Golden fixtures (class Fixture) name each tensor "<case>/<field>", where
<case> holds no "/" and <field> may (e.g. "grad/x", "state/running_mean"),
and keep in __metadata__:
  "source"  the script and the torch version that wrote the file
  "cases"   a JSON array of the case names, in order
  <case>    a JSON object of the case's non-tensor parameters (may be {})
The output is a pure function of the tensors and parameters: writing the
same values twice gives the same bytes.
"""
import json
import os
import struct

import torch

FORMATS = {  # safetensors dtype -> (torch dtype, struct code, view as)
    "F32": (torch.float32, "f", None),
    "F64": (torch.float64, "d", None),
    "F16": (torch.float16, "h", torch.int16),  # packed as raw 16-bit words
    "BF16": (torch.bfloat16, "h", torch.int16),
    "I64": (torch.int64, "q", None),
    "I32": (torch.int32, "i", None),
}
DTYPE_OF = {v[0]: k for k, v in FORMATS.items()}


def save(path, tensors, metadata=None):
    """Write tensors (name -> torch tensor of a dtype in FORMATS) and the
    str -> str metadata to path, atomically."""
    header, chunks, off = {}, [], 0
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("metadata must map str to str: %r: %r" % (k, v))
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
    """Read a file written by save: (tensors, metadata)."""
    with open(path, "rb") as f:
        b = f.read()
    (n,) = struct.unpack("<Q", b[:8])
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = b[8 + n:]
    out = {}
    for name, e in header.items():
        tdt, code, view = FORMATS[e["dtype"]]
        lo, hi = e["data_offsets"]
        vals = struct.unpack("<%d%s" % ((hi - lo) // struct.calcsize("<" + code), code), data[lo:hi])
        t = torch.tensor(vals, dtype=view if view is not None else tdt)
        if view is not None:
            t = t.view(tdt)
        out[name] = t.reshape(e["shape"])
    return out, meta


class Fixture:
    """Collects the cases of one golden-fixture file."""

    def __init__(self, source):
        self.tensors = {}
        self.meta = {"source": "%s, torch %s" % (source, torch.__version__)}
        self.cases = []

    def case(self, name, **params):
        """Start case `name` with the given JSON-able parameters."""
        if "/" in name or name in ("source", "cases") or name in self.cases:
            raise ValueError("bad or repeated case name %r" % name)
        self.cases.append(name)
        self.meta[name] = json.dumps(params, separators=(",", ":"))

    def put(self, case, field, t, dtype=None):
        """Store tensor t (converted to dtype if given; bool becomes I64)
        as "<case>/<field>"."""
        if case not in self.cases:
            raise ValueError("unknown case %r" % case)
        name = case + "/" + field
        if name in self.tensors:
            raise ValueError("tensor %r stored twice" % name)
        if not isinstance(t, torch.Tensor):
            t = torch.tensor(t)
        t = t.detach()
        if t.dtype == torch.bool:
            t = t.long()
        if dtype is not None:
            t = t.to(dtype)
        self.tensors[name] = t

    def write(self, path):
        meta = dict(self.meta)
        meta["cases"] = json.dumps(self.cases, separators=(",", ":"))
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        save(path, self.tensors, meta)
        print("wrote %d cases, %d tensors, %d bytes to %s" % (
            len(self.cases), len(self.tensors), os.path.getsize(path), os.path.normpath(path)))
