"""Golden fixtures for engine/tensor: forward values and gradients from
PyTorch (float32) for the engine's ops, written to
engine/tensor/testdata/torch_golden.safetensors (read by
engine/tensor/golden_test.go; layout: docs/formats/golden-fixtures.md).

Each case <c> (no parameters in the metadata: the op is known by name):
  <c>/in/<k>    input k
  <c>/weight    a fixed random weight tensor w of the output's shape
  <c>/out       the op's output
  <c>/grad/<k>  the gradient of sum(out * w) w.r.t. input k
  <c>/targets   (cross_entropy only) the integer class targets, I64
All float tensors are F32. The values are seeded (torch.manual_seed(1234))
and the case order is fixed, so a rerun writes the same bytes.
Run: /usr/bin/python3 bench/pytorch/tensor_golden.py
"""
import os

import torch
import torch.nn.functional as F

from st import Fixture

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "tensor", "testdata", "torch_golden.safetensors")


def rn(*shape):
    return torch.randn(*shape)


def pos(*shape):
    return torch.rand(*shape) + 0.5


fx = Fixture("bench/pytorch/tensor_golden.py, float32")


def case(name, fn, **inputs):
    ins = {k: v.clone().requires_grad_(v.dtype.is_floating_point) for k, v in inputs.items()}
    out = fn(**ins)
    w = torch.randn(out.shape)
    (out * w).sum().backward()
    fx.case(name)
    for k, v in ins.items():
        fx.put(name, "in/" + k, v)
    fx.put(name, "weight", w)
    fx.put(name, "out", out)
    for k, v in ins.items():
        if v.grad is not None:
            fx.put(name, "grad/" + k, v.grad)


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
fx.case("cross_entropy")
fx.put("cross_entropy", "in/logits", logits)
fx.put("cross_entropy", "targets", torch.tensor(targets))
fx.put("cross_entropy", "weight", torch.ones(()))
fx.put("cross_entropy", "out", loss)
fx.put("cross_entropy", "grad/logits", logits.grad)

fx.write(OUT)
