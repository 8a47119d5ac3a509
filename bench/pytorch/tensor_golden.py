"""Golden fixtures for engine/tensor: forward values and gradients from
PyTorch (float32) for the engine's ops, written to
engine/tensor/testdata/torch_golden.json.

Each case: named inputs (shape + values), the op, its output, and the
gradient of sum(out * w) w.r.t. every input, where w is a fixed random
weight tensor of the output's shape (also stored).
Run: /usr/bin/python3 bench/pytorch/tensor_golden.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "tensor", "testdata", "torch_golden.json")


def rn(*shape):
    return torch.randn(*shape)


def pos(*shape):
    return torch.rand(*shape) + 0.5


cases = []


def case(name, fn, **inputs):
    ins = {k: v.clone().requires_grad_(v.dtype.is_floating_point) for k, v in inputs.items()}
    out = fn(**ins)
    w = torch.randn(out.shape)
    (out * w).sum().backward()
    cases.append({
        "name": name,
        "inputs": {k: {"shape": list(v.shape), "data": v.detach().flatten().tolist()} for k, v in ins.items()},
        "weight": w.flatten().tolist(),
        "out": {"shape": list(out.shape), "data": out.detach().flatten().tolist()},
        "grads": {k: v.grad.flatten().tolist() for k, v in ins.items() if v.grad is not None},
    })


case("add_broadcast", lambda a, b: a + b, a=rn(3, 1, 4), b=rn(2, 1))
case("sub", lambda a, b: a - b, a=rn(2, 3), b=rn(3))
case("mul_broadcast", lambda a, b: a * b, a=rn(4, 3), b=rn(4, 1))
case("div", lambda a, b: a / b, a=rn(2, 3), b=pos(2, 3))
case("pow", lambda a, b: a ** b, a=pos(2, 3), b=rn(2, 3))
case("maximum", lambda a, b: torch.maximum(a, b), a=rn(3, 3), b=rn(3, 3))
case("exp", lambda a: a.exp(), a=rn(2, 4))
case("log", lambda a: a.log(), a=pos(2, 4))
case("sqrt", lambda a: a.sqrt(), a=pos(2, 4))
case("tanh", lambda a: a.tanh(), a=rn(2, 4))
case("sigmoid", lambda a: a.sigmoid(), a=rn(2, 4) * 4)
case("relu", lambda a: a.relu(), a=rn(3, 4))
case("gelu", lambda a: F.gelu(a), a=rn(3, 4))
case("leaky_relu", lambda a: F.leaky_relu(a, 0.1), a=rn(3, 4))
case("clamp", lambda a: a.clamp(-0.5, 0.7), a=rn(3, 4))
case("abs", lambda a: a.abs(), a=rn(3, 4))
case("softmax", lambda a: a.softmax(1), a=rn(3, 5) * 3)
case("log_softmax", lambda a: a.log_softmax(0), a=rn(4, 3) * 3)
case("sum_dim1_keep", lambda a: a.sum(1, keepdim=True), a=rn(2, 3, 4))
case("mean_dims02", lambda a: a.mean((0, 2)), a=rn(2, 3, 4))
case("max_dim1", lambda a: a.max(1).values, a=rn(3, 5))
case("var_dim0", lambda a: a.var(0), a=rn(5, 3))
case("matmul_2d", lambda a, b: a @ b, a=rn(4, 5), b=rn(5, 3))
case("matmul_batched_broadcast", lambda a, b: a @ b, a=rn(2, 3, 4), b=rn(4, 5))
case("matmul_vec", lambda a, b: a @ b, a=rn(3, 4), b=rn(4))
case("linear_bias", lambda x, w, b: F.linear(x, w, b), x=rn(5, 4), w=rn(3, 4), b=rn(3))
case("linear_relu", lambda x, w, b: F.relu(F.linear(x, w, b)), x=rn(5, 4), w=rn(3, 4), b=rn(3))
case("mse", lambda p, t: F.mse_loss(p, t), p=rn(3, 4), t=rn(3, 4))
case("transpose_mul", lambda a, b: a.t() * b, a=rn(3, 2), b=rn(2, 3))

# cross_entropy takes integer targets: stored separately.
logits = (rn(4, 5) * 2).requires_grad_(True)
targets = [3, 0, 4, 1]
loss = F.cross_entropy(logits, torch.tensor(targets))
loss.backward()
cases.append({"name": "cross_entropy", "inputs": {"logits": {"shape": [4, 5], "data": logits.detach().flatten().tolist()}},
              "targets": targets, "weight": [1.0], "out": {"shape": [], "data": [loss.item()]},
              "grads": {"logits": logits.grad.flatten().tolist()}})

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"source": "PyTorch %s, float32; bench/pytorch/tensor_golden.py" % torch.__version__, "cases": cases}, f)
print("wrote %d cases to %s" % (len(cases), os.path.normpath(OUT)))
