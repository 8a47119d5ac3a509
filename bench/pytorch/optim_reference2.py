"""Reference trajectories and LR sequences for engine/optim (torch.optim,
PyTorch 1.13, float32 parameters).

- trajectories: the quadratic of optim_reference.py, sum(a*w^2 + b*w), for
  RMSprop and Adagrad (several option sets) and for optimizers driven by an
  LR scheduler; w after every step.
- schedules: lr (and momentum for OneCycleLR) after construction and after
  each of N scheduler steps, for StepLR, ExponentialLR, CosineAnnealingLR,
  LinearLR (warmup), SequentialLR (warmup then cosine), OneCycleLR (default,
  three-phase, linear) and ReduceLROnPlateau on scripted metric sequences.
- clip: clip_grad_norm_ (norm 2, 1, 3, inf) and clip_grad_value_ on fixed
  gradients: the returned total norm and the clipped gradients.

Run: /usr/bin/python3 bench/pytorch/optim_reference2.py
It writes engine/optim/testdata/optim_reference2.safetensors (read by
engine/optim/golden_test.go; layout: docs/formats/golden-fixtures.md), whose
cases group the tensors by family:
  quadratic     tensors a, b, w0 (F32): the loss and the starting point
  trajectories  <name>: w after each step, F32 [steps, 4]
  schedules     <name>/lr, <name>/momentum (F64 [steps+1]: after
                construction, then after each step) and, for
                ReduceLROnPlateau, <name>/metrics (F64 [steps])
  clip          grads/<i> (F32): the gradients before clipping;
                <name>/total (F32, 0-d; clip_grad_norm_ only) and
                <name>/grads/<i> (F32) after clipping; the parameters
                {<name>: {"max_norm", "norm_type"} or {"clip_value"}} in
                the metadata ("inf" for the infinity norm)
Everything is deterministic (fixed values; torch.manual_seed(5) for the
clipping gradients), so a rerun writes the same bytes.
"""
import os
import warnings

import torch

from st import Fixture

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "optim", "testdata", "optim_reference2.safetensors")

a = torch.tensor([1.0, 2.0, 0.5, 3.0])
b = torch.tensor([0.1, -0.3, 0.2, 0.0])
w0 = [0.5, -1.0, 2.0, 0.1]
S = torch.optim.lr_scheduler


def trajectory(make_opt, make_sched=None, steps=10):
    w = torch.tensor(w0, requires_grad=True)
    opt = make_opt([w])
    sched = make_sched(opt) if make_sched else None
    ws = []
    for _ in range(steps):
        opt.zero_grad()
        (a * w * w + b * w).sum().backward()
        opt.step()
        if sched:
            sched.step()
        ws.append(w.tolist())
    return ws


O = torch.optim
trajectories = {
    "rmsprop": trajectory(lambda p: O.RMSprop(p, lr=0.01)),
    "rmsprop_all": trajectory(lambda p: O.RMSprop(p, lr=0.05, alpha=0.9, eps=1e-6, weight_decay=0.1,
                                                   momentum=0.5, centered=True)),
    "rmsprop_centered": trajectory(lambda p: O.RMSprop(p, lr=0.02, centered=True)),
    "rmsprop_momentum": trajectory(lambda p: O.RMSprop(p, lr=0.02, momentum=0.9)),
    "adagrad": trajectory(lambda p: O.Adagrad(p, lr=0.1)),
    "adagrad_all": trajectory(lambda p: O.Adagrad(p, lr=0.2, lr_decay=0.05, weight_decay=0.1,
                                                   initial_accumulator_value=0.5, eps=1e-6)),
    "sgd_onecycle": trajectory(lambda p: O.SGD(p, lr=0.1, momentum=0.9),
                               lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=10)),
    "adam_cosine": trajectory(lambda p: O.Adam(p, lr=0.1), lambda o: S.CosineAnnealingLR(o, T_max=10)),
    "adam_onecycle": trajectory(lambda p: O.Adam(p, lr=0.1), lambda o: S.OneCycleLR(o, max_lr=0.3, total_steps=10)),
    "rmsprop_onecycle": trajectory(lambda p: O.RMSprop(p, lr=0.01),
                                   lambda o: S.OneCycleLR(o, max_lr=0.05, total_steps=10, three_phase=True)),
    "adagrad_step": trajectory(lambda p: O.Adagrad(p, lr=0.3), lambda o: S.StepLR(o, step_size=3, gamma=0.5)),
}


def lr_sequence(make_sched, steps=30, lr=0.1, momentum=0.9, metrics=None):
    w = torch.zeros(1, requires_grad=True)
    opt = O.SGD([w], lr=lr, momentum=momentum)
    sched = make_sched(opt)
    lrs = [opt.param_groups[0]["lr"]]
    moms = [opt.param_groups[0]["momentum"]]
    for i in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(opt.param_groups[0]["momentum"])
    return {"lr": lrs, "momentum": moms}


metrics1 = [1.0, 0.9, 0.85, 0.85, 0.86, 0.84, 0.849, 0.85, 0.85, 0.85, 0.7, 0.7, 0.7, 0.7, 0.7,
            0.69995, 0.7, 0.7, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
metrics2 = [0.1, 0.2, 0.25, 0.25, 0.26, 0.25, 0.3, 0.3, 0.3, 0.3, 0.3, 0.5, 0.5, 0.5, 0.5,
            0.5, 0.5, 0.5, 0.5, 0.5]
schedules = {
    "step": lr_sequence(lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
    "exponential": lr_sequence(lambda o: S.ExponentialLR(o, gamma=0.9)),
    "cosine": lr_sequence(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    "linear": lr_sequence(lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5)),
    "linear_decay": lr_sequence(lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=20)),
    "warmup_cosine": lr_sequence(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.01, total_iters=5),
                                                              S.CosineAnnealingLR(o, T_max=25)], milestones=[5])),
    "onecycle": lr_sequence(lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=30)),
    "onecycle_three_phase_linear": lr_sequence(lambda o: S.OneCycleLR(
        o, max_lr=0.5, total_steps=30, three_phase=True, anneal_strategy="linear", pct_start=0.25,
        div_factor=10, final_div_factor=100, base_momentum=0.8, max_momentum=0.9)),
    "plateau": lr_sequence(lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.01, cooldown=1,
                                                         min_lr=0.004), metrics=metrics1),
    "plateau_default": lr_sequence(lambda o: S.ReduceLROnPlateau(o), metrics=metrics1),
    "plateau_max_abs": lr_sequence(lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.2, patience=1,
                                                                 threshold=0.02, threshold_mode="abs"),
                                   steps=20, metrics=metrics2),
}
schedules["plateau"]["metrics"] = metrics1
schedules["plateau_default"]["metrics"] = metrics1
schedules["plateau_max_abs"]["metrics"] = metrics2

# clipping
torch.manual_seed(5)
grads = [torch.randn(3, 4), torch.randn(5), torch.randn(2, 2) * 3]
clip = {}
for name, max_norm, nt in [("norm2", 1.0, 2.0), ("norm1", 2.5, 1.0), ("norm3", 0.5, 3.0), ("inf", 0.7, float("inf")),
                           ("norm2_no_clip", 100.0, 2.0)]:
    ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=nt)
    clip[name] = {"max_norm": max_norm, "norm_type": "inf" if nt == float("inf") else nt,
                  "total": total.detach().clone(), "grads": [p.grad.clone() for p in ps]}
ps = [torch.zeros_like(g, requires_grad=True) for g in grads]
for p, g in zip(ps, grads):
    p.grad = g.clone()
torch.nn.utils.clip_grad_value_(ps, 0.8)
clip["value"] = {"clip_value": 0.8, "grads": [p.grad.clone() for p in ps]}

fx = Fixture("bench/pytorch/optim_reference2.py, float32 parameters")
fx.case("quadratic")
fx.put("quadratic", "a", a)
fx.put("quadratic", "b", b)
fx.put("quadratic", "w0", torch.tensor(w0))
fx.case("trajectories")
for name, ws in trajectories.items():
    fx.put("trajectories", name, torch.tensor(ws, dtype=torch.float32))
fx.case("schedules")
for name, sc in schedules.items():
    for k in ("lr", "momentum", "metrics"):
        if k in sc:
            fx.put("schedules", name + "/" + k, torch.tensor(sc[k], dtype=torch.float64))
fx.case("clip", **{name: {k: v for k, v in c.items() if k not in ("total", "grads")} for name, c in clip.items()})
for i, g in enumerate(grads):
    fx.put("clip", "grads/%d" % i, g)
for name, c in clip.items():
    if "total" in c:
        fx.put("clip", name + "/total", c["total"])
    for i, g in enumerate(c["grads"]):
        fx.put("clip", "%s/grads/%d" % (name, i), g)
fx.write(OUT)
