"""Golden fixtures for engine/loss (torch.nn.functional losses, float32).

Each case records the inputs, the loss (every reduction), and the gradients
of sum(loss * G) for a fixed random G of the loss's shape (G = 1 for the
scalar reductions) with respect to every input that requires grad.

Run: /usr/bin/python3 bench/pytorch/loss_reference.py
It writes engine/loss/testdata/torch_losses.safetensors (read by
loss_test.go; layout: docs/formats/golden-fixtures.md). Each case <c> (one
per loss and option set) has the metadata parameters {"reductions": [...],
and the loss's options: delta, beta, ignore_index, label_smoothing,
log_target} and the tensors
  <c>/in/<k>               the inputs (the same for every reduction)
  <c>/targets              class-index targets (I64, flattened), if any
  <c>/<red>/output         the loss with reduction <red> (0-d when reduced)
  <c>/<red>/out_grad       G
  <c>/<red>/grad/<k>       d sum(loss * G) / d input k
Float tensors are F32; non-finite values (PyTorch's NaN gradient of kl_div
at target 0) are stored as they are. Everything is seeded
(torch.manual_seed(1234)), so a rerun writes the same bytes.
PyTorch does not differentiate weight or pos_weight; kaiwu does (pos_weight
through the fused op), and those gradients are checked by finite differences.
"""
import os

import torch
import torch.nn.functional as F

from st import Fixture

torch.manual_seed(1234)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "loss", "testdata", "torch_losses.safetensors")
REDUCTIONS = ["mean", "sum", "none"]


fx = Fixture("bench/pytorch/loss_reference.py, float32")


def run(name, fn, tensors, grad_of, ints=None, params=None):
    """fn(reduction, **tensors) -> loss; grad_of: names of tensors that get gradients."""
    params = dict(params or {})
    reductions = params.pop("_reductions", REDUCTIONS)
    fx.case(name, reductions=reductions, **params)
    for k, v in tensors.items():
        fx.put(name, "in/" + k, v)
    if ints:
        fx.put(name, "targets", torch.tensor(ints, dtype=torch.long))
    for red in reductions:
        ts = {k: v.detach().clone().requires_grad_(k in grad_of) for k, v in tensors.items()}
        out = fn(red, **ts)
        g = torch.randn(out.shape) if out.dim() > 0 else torch.ones(())
        (out * g).sum().backward()
        fx.put(name, red + "/output", out)
        fx.put(name, red + "/out_grad", g)
        for k in grad_of:
            fx.put(name, red + "/grad/" + k, ts[k].grad)


x = torch.randn(3, 4)
y = torch.randn(3, 4)
x[0, 0] = y[0, 0] + 0.3  # inside Huber's / smooth L1's quadratic zone
x[1, 1] = y[1, 1] - 0.2
run("mse", lambda r, input, target: F.mse_loss(input, target, reduction=r), {"input": x, "target": y}, ["input", "target"])
run("l1", lambda r, input, target: F.l1_loss(input, target, reduction=r), {"input": x, "target": y}, ["input", "target"])
run("huber", lambda r, input, target: F.huber_loss(input, target, reduction=r, delta=0.7),
    {"input": x, "target": y}, ["input", "target"], params={"delta": 0.7})
run("smooth_l1", lambda r, input, target: F.smooth_l1_loss(input, target, reduction=r, beta=0.5),
    {"input": x, "target": y}, ["input", "target"], params={"beta": 0.5})
run("smooth_l1_beta0", lambda r, input, target: F.smooth_l1_loss(input, target, reduction=r, beta=0.0),
    {"input": x, "target": y}, ["input", "target"], params={"beta": 0.0})

# binary
p = torch.sigmoid(torch.randn(3, 4) * 2)
yb = torch.rand(3, 4)
yb[0] = torch.tensor([0.0, 1.0, 1.0, 0.0])
wb = torch.rand(4) + 0.5
run("bce", lambda r, input, target: F.binary_cross_entropy(input, target, reduction=r),
    {"input": p, "target": yb}, ["input", "target"])
run("bce_weight", lambda r, input, target, weight: F.binary_cross_entropy(input, target, weight=weight, reduction=r),
    {"input": p, "target": yb, "weight": wb}, ["input", "target"])
z = torch.randn(3, 4) * 3
z[0, 0], z[0, 1], z[1, 2] = 40.0, -40.0, 0.0  # large logits: stable formula
pw = torch.rand(4) * 3 + 0.2
wz = torch.rand(3, 1) + 0.5
run("bce_logits", lambda r, input, target: F.binary_cross_entropy_with_logits(input, target, reduction=r),
    {"input": z, "target": yb}, ["input", "target"])
run("bce_logits_pos_weight", lambda r, input, target, pos_weight: F.binary_cross_entropy_with_logits(
    input, target, pos_weight=pos_weight, reduction=r), {"input": z, "target": yb, "pos_weight": pw},
    ["input", "target"])
run("bce_logits_weight_pos_weight", lambda r, input, target, weight, pos_weight: F.binary_cross_entropy_with_logits(
    input, target, weight=weight, pos_weight=pos_weight, reduction=r),
    {"input": z, "target": yb, "weight": wz, "pos_weight": pw}, ["input", "target"])

# multi-class, class indices
logits = torch.randn(6, 5) * 2
tg = [0, 4, 2, 2, 1, 3]
tg_ign = [0, 4, -100, 2, 1, -100]
tg_pad = [0, 4, 0, 2, 1, 3]  # ignore_index=0: padding class
wc = torch.rand(5) + 0.25


def ce(targets, **kw):
    t = torch.tensor(targets)
    return lambda r, input, **ex: F.cross_entropy(input, t, reduction=r, **{**kw, **ex})


run("ce", ce(tg), {"input": logits}, ["input"], ints=tg)
run("ce_weight", ce(tg), {"input": logits, "weight": wc}, ["input"], ints=tg)
run("ce_ignore", ce(tg_ign), {"input": logits}, ["input"], ints=tg_ign, params={"ignore_index": -100})
run("ce_ignore_pad", ce(tg_pad, ignore_index=0), {"input": logits, "weight": wc}, ["input"], ints=tg_pad,
    params={"ignore_index": 0})
run("ce_smooth", ce(tg, label_smoothing=0.1), {"input": logits}, ["input"], ints=tg, params={"label_smoothing": 0.1})
run("ce_smooth_weight_ignore", ce(tg_ign, label_smoothing=0.2), {"input": logits, "weight": wc}, ["input"],
    ints=tg_ign, params={"label_smoothing": 0.2, "ignore_index": -100})
logits3 = torch.randn(2, 3, 4)
tg3 = [[0, 2, 1, 1], [2, -100, 0, 1]]
run("ce_kdim", ce(tg3, label_smoothing=0.1), {"input": logits3}, ["input"], ints=sum(tg3, []),
    params={"label_smoothing": 0.1, "ignore_index": -100})
run("ce_unbatched", ce(3), {"input": torch.randn(5)}, ["input"], ints=[3])

# multi-class, probability targets
soft = torch.softmax(torch.randn(6, 5), 1)
soft[0] = torch.tensor([0.0, 1.0, 0.0, 0.0, 0.0])


def cep(**kw):
    return lambda r, input, target, **ex: F.cross_entropy(input, target, reduction=r, **{**kw, **ex})


run("ce_probs", cep(), {"input": logits, "target": soft}, ["input", "target"])
run("ce_probs_smooth_weight", cep(label_smoothing=0.15), {"input": logits, "target": soft, "weight": wc},
    ["input", "target"], params={"label_smoothing": 0.15})
soft3 = torch.softmax(torch.randn(2, 3, 4), 1)
run("ce_probs_kdim", cep(), {"input": logits3, "target": soft3}, ["input", "target"])

# NLL on log-probabilities
lp = torch.log_softmax(torch.randn(6, 5), 1)
run("nll", lambda r, input: F.nll_loss(input, torch.tensor(tg), reduction=r), {"input": lp}, ["input"], ints=tg)
run("nll_weight_ignore", lambda r, input, weight: F.nll_loss(input, torch.tensor(tg_ign), weight=weight, reduction=r),
    {"input": lp, "weight": wc}, ["input"], ints=tg_ign, params={"ignore_index": -100})

# KL divergence
tp = torch.softmax(torch.randn(6, 5), 1)
tp[1, 2] = 0.0
run("kl_div", lambda r, input, target: F.kl_div(input, target, reduction=r), {"input": lp, "target": tp},
    ["input", "target"], params={"_reductions": ["mean", "sum", "none", "batchmean"]})
ltp = torch.log_softmax(torch.randn(6, 5), 1)
run("kl_div_log_target", lambda r, input, target: F.kl_div(input, target, reduction=r, log_target=True),
    {"input": lp, "target": ltp}, ["input", "target"], params={"_reductions": ["mean", "sum", "none", "batchmean"],
                                                              "log_target": True})

fx.write(OUT)
