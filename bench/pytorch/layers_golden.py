"""Golden fixtures for engine/nn layers: PyTorch (fp32) forward values,
input and parameter gradients, and buffers after the step, for each layer
in train and eval mode.

Run with Debian's python3 (torch 1.13):
    /usr/bin/python3 bench/pytorch/layers_golden.py
It writes engine/nn/testdata/layers_golden.safetensors (read by
engine/nn/layers_golden_test.go; layout: docs/formats/golden-fixtures.md).
The values are seeded (torch.manual_seed(0)) and the case order is fixed,
so a rerun writes the same bytes.

Each case <c> has the parameters {"kind", "config", "train"} (the layer and
its mode) in the metadata, and the tensors
  <c>/state/<k>        the state_dict before the step
  <c>/x                the input (I64 class indices for embeddings)
  <c>/out              the output
  <c>/gout             the seed gradient of the output
  <c>/grad/x, <c>/grad/<param>
                       the gradients of y.backward(gout)
  <c>/state_after/<k>  the state_dict after the forward pass (BatchNorm
                       running statistics)
Float tensors are F32; num_batches_tracked is I64, as in PyTorch.
"""
import os

import torch
import torch.nn as nn

from st import Fixture

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "nn", "testdata", "layers_golden.safetensors")


class RMSNorm(nn.Module):
    """torch.nn.RMSNorm of PyTorch >= 2.4 (torch 1.13 has none)."""

    def __init__(self, shape, eps):
        super().__init__()
        self.shape, self.eps = tuple(shape), eps
        self.weight = nn.Parameter(torch.ones(shape))

    def forward(self, x):
        dims = tuple(range(-len(self.shape), 0))
        return x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + self.eps) * self.weight


def build(kind, c):
    if kind == "conv2d":
        return nn.Conv2d(c["in"], c["out"], c["kernel"], stride=c["stride"], padding=c["padding"],
                         dilation=c["dilation"], groups=c["groups"], bias=c["bias"])
    if kind == "conv1d":
        return nn.Conv1d(c["in"], c["out"], c["kernel"], stride=c["stride"], padding=c["padding"],
                         dilation=c["dilation"], groups=c["groups"], bias=c["bias"])
    if kind == "maxpool2d":
        return nn.MaxPool2d(c["kernel"], stride=c["stride"], padding=c["padding"])
    if kind == "maxpool1d":
        return nn.MaxPool1d(c["kernel"], stride=c["stride"], padding=c["padding"])
    if kind == "avgpool2d":
        return nn.AvgPool2d(c["kernel"], stride=c["stride"], padding=c["padding"])
    if kind == "adaptiveavgpool2d":
        return nn.AdaptiveAvgPool2d(c["size"])
    if kind == "batchnorm1d":
        return nn.BatchNorm1d(c["c"], affine=c["affine"])
    if kind == "batchnorm2d":
        return nn.BatchNorm2d(c["c"], affine=c["affine"])
    if kind == "layernorm":
        return nn.LayerNorm(c["shape"], elementwise_affine=c["affine"])
    if kind == "rmsnorm":
        return RMSNorm(c["shape"], c["eps"])
    if kind == "embedding":
        return nn.Embedding(c["num"], c["dim"], padding_idx=c["padding_idx"])
    if kind == "dropout":
        return nn.Dropout(c["p"])
    return {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU(), "gelu": nn.GELU(),
            "silu": nn.SiLU(), "leaky_relu": nn.LeakyReLU(c.get("slope", 0.01)),
            "softmax": nn.Softmax(dim=c.get("dim", -1)), "flatten": nn.Flatten()}[kind]


def randomise(m):
    # non-trivial affine parameters and running statistics
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name in ("weight", "bias") and isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm, RMSNorm)):
                p.copy_(torch.randn_like(p) * 0.5 + (1.0 if name == "weight" else 0.0))
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            m.running_mean.copy_(torch.randn_like(m.running_mean) * 0.3)
            m.running_var.copy_(torch.rand_like(m.running_var) + 0.5)


fx = Fixture("bench/pytorch/layers_golden.py, float32")


def case(name, kind, config, x_shape, train=True, index_input=None):
    m = build(kind, config)
    randomise(m)
    m.train(train)
    state = {k: v.clone() for k, v in m.state_dict().items()}
    if index_input is not None:
        x = torch.tensor(index_input[0], dtype=torch.long).reshape(index_input[1])
        xin = x
    else:
        x = torch.randn(*x_shape)
        xin = x.clone().requires_grad_(True)
    y = m(xin)
    gout = torch.randn_like(y)
    y.backward(gout)
    fx.case(name, kind=kind, config=config, train=train)
    for k, v in state.items():
        fx.put(name, "state/" + k, v)
    fx.put(name, "x", x)
    fx.put(name, "out", y)
    fx.put(name, "gout", gout)
    if index_input is None:
        fx.put(name, "grad/x", xin.grad)
    for k, p in m.named_parameters():
        fx.put(name, "grad/" + k, p.grad)
    for k, v in m.state_dict().items():
        fx.put(name, "state_after/" + k, v)


conv = dict(stride=1, padding=0, dilation=1, groups=1, bias=True)
case("conv2d_basic", "conv2d", dict(conv, **{"in": 3, "out": 4, "kernel": [3, 3]}), [2, 3, 7, 6])
case("conv2d_stride_pad_dil", "conv2d", dict(conv, **{"in": 2, "out": 3, "kernel": [3, 2], "stride": [2, 1],
                                                       "padding": [1, 2], "dilation": [1, 2]}), [2, 2, 8, 7])
case("conv2d_groups_nobias", "conv2d", dict(conv, **{"in": 4, "out": 6, "kernel": [2, 2], "groups": 2,
                                                      "bias": False, "stride": [1, 1], "padding": [1, 1]}), [2, 4, 5, 5])
case("conv2d_depthwise", "conv2d", dict(conv, **{"in": 3, "out": 3, "kernel": [3, 3], "groups": 3,
                                                  "padding": [1, 1]}), [2, 3, 5, 4])
case("conv1d", "conv1d", dict(conv, **{"in": 3, "out": 5, "kernel": 3, "stride": 2, "padding": 1,
                                       "dilation": 1}), [2, 3, 11])
case("conv1d_groups_dil", "conv1d", dict(conv, **{"in": 4, "out": 4, "kernel": 2, "groups": 2,
                                                  "dilation": 3}), [3, 4, 9])
case("maxpool2d", "maxpool2d", {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0]}, [2, 3, 6, 5])
case("maxpool2d_pad_overlap", "maxpool2d", {"kernel": [3, 3], "stride": [2, 1], "padding": [1, 1]}, [2, 2, 5, 6])
case("maxpool1d", "maxpool1d", {"kernel": 3, "stride": 2, "padding": 1}, [2, 3, 10])
case("avgpool2d", "avgpool2d", {"kernel": [3, 2], "stride": [2, 2], "padding": [1, 1]}, [2, 2, 7, 6])
case("adaptiveavgpool2d", "adaptiveavgpool2d", {"size": [3, 2]}, [2, 3, 7, 5])
case("adaptiveavgpool2d_global", "adaptiveavgpool2d", {"size": [1, 1]}, [2, 3, 4, 4])
for train in (True, False):
    mode = "train" if train else "eval"
    case("batchnorm1d_" + mode, "batchnorm1d", {"c": 4, "affine": True}, [6, 4], train)
    case("batchnorm1d_seq_" + mode, "batchnorm1d", {"c": 3, "affine": True}, [4, 3, 5], train)
    case("batchnorm2d_" + mode, "batchnorm2d", {"c": 3, "affine": True}, [4, 3, 5, 4], train)
    case("dropout_" + mode, "dropout", {"p": 0.0 if train else 0.5}, [3, 4], train)
case("batchnorm2d_noaffine_train", "batchnorm2d", {"c": 2, "affine": False}, [3, 2, 3, 3], True)
case("layernorm", "layernorm", {"shape": [6], "affine": True}, [3, 4, 6])
case("layernorm_2d_noaffine", "layernorm", {"shape": [3, 4], "affine": False}, [2, 3, 4])
case("rmsnorm", "rmsnorm", {"shape": [8], "eps": 1e-6}, [3, 5, 8])
case("embedding", "embedding", {"num": 7, "dim": 4, "padding_idx": None}, None,
     index_input=([[1, 3, 3, 0], [6, 2, 1, 1]], [2, 4]))
case("embedding_padding", "embedding", {"num": 5, "dim": 3, "padding_idx": 2}, None,
     index_input=([2, 4, 2, 0, 1], [5]))
for act in ("sigmoid", "tanh", "relu", "gelu", "silu"):
    case(act, act, {}, [3, 5])
case("leaky_relu", "leaky_relu", {"slope": 0.2}, [3, 5])
case("softmax", "softmax", {"dim": 1}, [2, 4, 3])
case("flatten", "flatten", {}, [2, 3, 2, 2])

fx.write(OUT)
