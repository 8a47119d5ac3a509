"""Reference trajectories for engine/optim's tests (torch.optim, float32).

Loss: sum(a*w^2 + b*w) with the constants below; 5 steps per optimizer.
Run: /usr/bin/python3 bench/pytorch/optim_reference.py
The printed values are pasted into engine/optim/optim_test.go.
"""
import torch

a = torch.tensor([1.0, 2.0, 0.5, 3.0])
b = torch.tensor([0.1, -0.3, 0.2, 0.0])
w0 = [0.5, -1.0, 2.0, 0.1]

cases = {
    "sgd": lambda p: torch.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
    "sgd_nesterov_wd": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    "sgd_dampening": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.3),
    "adam": lambda p: torch.optim.Adam(p, lr=0.1),
    "adam_wd": lambda p: torch.optim.Adam(p, lr=0.1, weight_decay=0.1, betas=(0.8, 0.99), eps=1e-6),
    "adamw": lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1),
}
for name, mk in cases.items():
    w = torch.tensor(w0, requires_grad=True)
    opt = mk([w])
    for _ in range(5):
        opt.zero_grad()
        (a * w * w + b * w).sum().backward()
        opt.step()
    print('"%s": {%s},' % (name, ", ".join("%.8g" % x for x in w.tolist())))
