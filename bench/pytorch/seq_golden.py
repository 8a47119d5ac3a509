"""Golden fixtures for kaiwu's sequence layers (engine/nn: RNN/LSTM/GRU,
MultiheadAttention, Transformer layers, RoPE) and an end-to-end run of a
tiny GPT trained with Adam.

Writes engine/nn/testdata/seq_golden.safetensors (read by
engine/nn/transformer_golden_test.go; layout: docs/formats/golden-fixtures.md).
Each case <c> holds the module's state_dict ("<c>/param/<k>"), its inputs
("<c>/in/<k>"), its outputs ("<c>/out/0", "<c>/out/1", ...), the weights
W_k of the scalar loss L = sum_k sum(out_k * W_k) ("<c>/wout/<k>"), and the
gradients of L with respect to the inputs ("<c>/grad/input.<k>") and the
parameters ("<c>/grad/<param>"); attention cases add the key padding mask
"<c>/pad" (I64, 1 = padded). The case "e2e_gpt" has the model config and
lr as metadata parameters and the tensors "param/<k>", "ids" and "targets"
(I64, batch x context) and "losses" (the loss before each of the Adam
steps). Float tensors are F32. Everything is seeded (torch.manual_seed(0),
one thread), so a rerun writes the same bytes. Run with Debian's python3
(torch 1.13):

    /usr/bin/python3 bench/pytorch/seq_golden.py
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from st import Fixture

torch.manual_seed(0)
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "engine", "nn", "testdata", "seq_golden.safetensors")


def finish(case, module, inputs, outs):
    """Backprop L = sum(out_k * W_k) and record everything in dict case
    (field name -> tensor)."""
    ws = [torch.randn_like(o) for o in outs]
    loss = sum((o * w).sum() for o, w in zip(outs, ws))
    loss.backward()
    if module is not None:
        for k, v in module.state_dict().items():
            case["param/" + k] = v
    for k, v in inputs.items():
        case["in/" + k] = v
    for i, (o, w) in enumerate(zip(outs, ws)):
        case["out/%d" % i] = o
        case["wout/%d" % i] = w
    for k, v in inputs.items():
        if v.grad is not None:
            case["grad/input." + k] = v.grad
    if module is not None:
        for k, p in module.named_parameters():
            case["grad/" + k] = p.grad
    return case


def rnn_case(kind):
    cls = {"rnn_tanh": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    m = cls(3, 4, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(2, 5, 3, requires_grad=True)
    h0 = torch.randn(4, 2, 4, requires_grad=True)
    inputs = {"x": x, "h0": h0}
    if kind == "lstm":
        c0 = torch.randn(4, 2, 4, requires_grad=True)
        inputs["c0"] = c0
        out, (hn, cn) = m(x, (h0, c0))
        outs = [out, hn, cn]
    else:
        out, hn = m(x, h0)
        outs = [out, hn]
    return finish({}, m, inputs, outs)


def causal(n):
    return torch.triu(torch.full((n, n), float("-inf")), diagonal=1)


def mha_case(cross):
    m = nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():  # non-zero biases so that they are tested
        m.in_proj_bias.normal_()
        m.out_proj.bias.normal_()
    q = torch.randn(2, 5, 8, requires_grad=True)
    pad = torch.zeros(2, 6 if cross else 5, dtype=torch.bool)
    pad[1, -2:] = True
    if cross:
        kv = torch.randn(2, 6, 8, requires_grad=True)
        out, _ = m(q, kv, kv, key_padding_mask=pad, need_weights=False)
        inputs = {"query": q, "kv": kv}
    else:
        out, _ = m(q, q, q, key_padding_mask=pad, attn_mask=causal(5), need_weights=False)
        inputs = {"query": q}
    case = finish({}, m, inputs, [out])
    case["pad"] = pad
    return case


def enc_case(norm_first, act):
    m = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=act, batch_first=True, norm_first=norm_first)
    with torch.no_grad():
        for n in ("norm1", "norm2"):
            getattr(m, n).weight.normal_(1, 0.1)
            getattr(m, n).bias.normal_(0, 0.1)
        m.self_attn.in_proj_bias.normal_()
    x = torch.randn(2, 5, 8, requires_grad=True)
    out = m(x, src_mask=causal(5))
    return finish({}, m, {"x": x}, [out])


def dec_case(norm_first):
    m = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
    with torch.no_grad():
        m.self_attn.in_proj_bias.normal_()
        m.multihead_attn.in_proj_bias.normal_()
    tgt = torch.randn(2, 4, 8, requires_grad=True)
    mem = torch.randn(2, 6, 8, requires_grad=True)
    pad = torch.zeros(2, 6, dtype=torch.bool)
    pad[0, -3:] = True
    out = m(tgt, mem, tgt_mask=causal(4), memory_key_padding_mask=pad)
    case = finish({}, m, {"tgt": tgt, "memory": mem}, [out])
    case["pad"] = pad
    return case


def rope_ref(x, base=10000.0, offset=0):
    """Rotate-half RoPE as in GPT-NeoX / LLaMA (HF rotate_half)."""
    d = x.shape[-1]
    t = x.shape[-2]
    inv = 1.0 / (base ** (torch.arange(0, d, 2).float() / d))
    pos = torch.arange(offset, offset + t).float()
    freqs = torch.outer(pos, inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    x1, x2 = x[..., : d // 2], x[..., d // 2:]
    rot = torch.cat([-x2, x1], dim=-1)
    return x * emb.cos() + rot * emb.sin()


def rope_case():
    x = torch.randn(2, 3, 5, 8, requires_grad=True)
    out = rope_ref(x, offset=2)
    return finish({}, None, {"x": x}, [out])


class GPT(nn.Module):
    def __init__(self, V, T, D, H, L, FFN):
        super().__init__()
        self.tok_emb = nn.Embedding(V, D)
        self.pos_emb = nn.Embedding(T, D)
        self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(D, H, FFN, dropout=0.0, activation="gelu",
                                                                batch_first=True, norm_first=True) for _ in range(L)])
        self.ln_f = nn.LayerNorm(D)
        self.head = nn.Linear(D, V, bias=False)

    def forward(self, ids):
        t = ids.shape[1]
        x = self.tok_emb(ids) + self.pos_emb.weight[:t]
        mask = causal(t)
        for b in self.blocks:
            x = b(x, src_mask=mask)
        return self.head(self.ln_f(x))


def e2e_case():
    V, T, D, H, L, FFN, B = 11, 8, 16, 2, 2, 32, 3
    m = GPT(V, T, D, H, L, FFN)
    with torch.no_grad():
        for b in m.blocks:
            b.self_attn.in_proj_bias.normal_(0, 0.1)
    case = {"param/" + k: v.clone() for k, v in m.state_dict().items()}
    ids = torch.randint(0, V, (B, T))
    tgt = torch.randint(0, V, (B, T))
    opt = torch.optim.Adam(m.parameters(), lr=1e-2)
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = F.cross_entropy(m(ids).reshape(B * T, V), tgt.reshape(-1))
        loss.backward()
        opt.step()
        losses.append(loss.detach().clone())
    case.update({"ids": ids, "targets": tgt, "losses": torch.stack(losses)})
    config = {"vocab": V, "context": T, "d_model": D, "heads": H, "layers": L, "ffn": FFN, "batch": B, "lr": 1e-2}
    return config, case


def main():
    cases = {}
    for k in ("rnn_tanh", "lstm", "gru"):
        cases[k] = ({}, rnn_case(k))
    cases["mha_self"] = ({}, mha_case(False))
    cases["mha_cross"] = ({}, mha_case(True))
    for nf in (False, True):
        cases["enc_" + ("pre" if nf else "post")] = ({}, enc_case(nf, "gelu" if nf else "relu"))
        cases["dec_" + ("pre" if nf else "post")] = ({}, dec_case(nf))
    cases["rope"] = ({}, rope_case())
    cases["e2e_gpt"] = e2e_case()
    fx = Fixture("bench/pytorch/seq_golden.py, float32")
    for name, (params, tensors) in cases.items():
        fx.case(name, **params)
        for field, t in tensors.items():
            fx.put(name, field, t)
    fx.write(OUT)


if __name__ == "__main__":
    main()
