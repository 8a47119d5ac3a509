"""Reference values for engine/nn's tests: a fixed MLP 3->4->2 (Linear, ReLU,
Linear) in float32, its logits, cross-entropy loss and parameter gradients.
Run: /usr/bin/python3 bench/pytorch/nn_reference.py
The printed values are pasted into engine/nn/nn_test.go.
"""
import torch
import torch.nn.functional as F

torch.set_printoptions(precision=8)
w1 = torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9], [0.05, -0.15, 0.25]], requires_grad=True)
b1 = torch.tensor([0.01, -0.02, 0.03, 0.5], requires_grad=True)
w2 = torch.tensor([[0.2, -0.1, 0.4, 0.3], [-0.3, 0.6, -0.5, 0.1]], requires_grad=True)
b2 = torch.tensor([0.05, -0.05], requires_grad=True)
x = torch.tensor([[1.0, 2.0, -1.0], [0.5, -0.5, 0.25], [-1.0, 0.0, 2.0]])
y = torch.tensor([1, 0, 1])
logits = F.linear(F.relu(F.linear(x, w1, b1)), w2, b2)
loss = F.cross_entropy(logits, y)
loss.backward()


def show(name, t):
    print("%s: %s" % (name, ", ".join("%.8g" % v for v in t.detach().flatten().tolist())))


show("logits", logits)
show("loss", loss)
for n, t in (("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)):
    show("grad " + n, t.grad)

# End-to-end: 20 Adam steps (lr 0.05) on 16 deterministic samples,
# x[i][j] = sin(3i + j), y[i] = i mod 2, from the same initial weights.
model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
with torch.no_grad():
    model[0].weight.copy_(w1)
    model[0].bias.copy_(b1)
    model[2].weight.copy_(w2)
    model[2].bias.copy_(b2)
xs = torch.tensor([[__import__("math").sin(3 * i + j) for j in range(3)] for i in range(16)], dtype=torch.float32)
ys = torch.tensor([i % 2 for i in range(16)])
opt = torch.optim.Adam(model.parameters(), lr=0.05)
curve = []
for _ in range(20):
    opt.zero_grad()
    loss = F.cross_entropy(model(xs), ys)
    loss.backward()
    opt.step()
    curve.append(loss.item())
print("adam loss curve: %s" % ", ".join("%.8g" % v for v in curve))
