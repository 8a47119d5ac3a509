"""PyTorch version of kaiwu's PoetryGPT recipe (engine/recipes/poetry.go):
a character-level GPT on the 300 Tang poems of Debian's fortunes-zh.

Same data handling (every tenth poem held out; each poem rendered as its
lines joined by newlines plus a blank line, without title and author;
random windows of the training text),
same model (token + learned position embeddings, pre-norm
TransformerEncoderLayers with GELU, dropout 0.1 and a causal mask, final LayerNorm,
untied head without bias; N(0, 0.02) weights, zero biases), same
optimisation (600 steps of 32 windows of 64 characters, Adam lr 2e-3, linear warmup over 5% of the steps, cosine
decay to lr/10, gradients clipped to norm 1) and the same sampling
(temperature 0.8, top-k 20, no special tokens). Only the random draws
differ.

    OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 /usr/bin/python3 bench/pytorch/recipes/poetry.py
"""
import argparse
import math
import re
import sys
import time
from collections import Counter

from util import emit, threads

ap = argparse.ArgumentParser()
ap.add_argument("--path", default="/usr/share/games/fortunes/tang300")
ap.add_argument("--steps", type=int, default=600)
ap.add_argument("--dropout", type=float, default=0.1)
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--context", type=int, default=64)
ap.add_argument("--d-model", type=int, default=192)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--layers", type=int, default=3)
ap.add_argument("--lr", type=float, default=2e-3)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--sample-chars", type=int, default=48)
ap.add_argument("--prompts", default="春眠,明月,白日,秋风")
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(threads())
torch.manual_seed(args.seed)


def tang_poems(path):
    text = open(path, encoding="utf-8").read().replace("\r\n", "\n")
    poems, cur = [], []

    def flush():
        if not cur:
            return
        title = cur[0]
        assert title.startswith("《") and title.endswith("》"), title
        body, author = cur[1:], ""
        if body and body[0].startswith("作者："):
            author, body = body[0][len("作者："):].strip(), body[1:]
        poems.append((title[1:-1], author, list(body)))
        cur.clear()

    for line in text.split("\n"):
        line = re.sub(r"\x1b\[[\x20-\x3f]*[\x40-\x7e]", "", line).strip()
        if line == "%":
            flush()
        elif line:
            cur.append(line)
    flush()
    return poems


def render(p):
    lines = p[2]
    return "\n".join(lines) + "\n\n" if lines else ""


poems = tang_poems(args.path)
tr_text = "".join(render(p) for i, p in enumerate(poems) if i % 10 != 9)
te_text = "".join(render(p) for i, p in enumerate(poems) if i % 10 == 9)
counts = Counter(tr_text + te_text)
chars = sorted(counts, key=lambda c: (-counts[c], ord(c)))
SPECIAL = 4
stoi = {c: i + SPECIAL for i, c in enumerate(chars)}
itos = {i: c for c, i in stoi.items()}
V = len(chars) + SPECIAL
tr = torch.tensor([stoi[c] for c in tr_text])
te = torch.tensor([stoi[c] for c in te_text])
T, D = args.context, args.d_model


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb = nn.Embedding(V, D)
        self.pos_emb = nn.Embedding(T, D)
        self.drop = nn.Dropout(args.dropout)
        self.blocks = nn.ModuleList(nn.TransformerEncoderLayer(
            D, args.heads, 4 * D, args.dropout, activation="gelu", batch_first=True, norm_first=True)
            for _ in range(args.layers))
        self.ln_f = nn.LayerNorm(D)
        self.head = nn.Linear(D, V, bias=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                nn.init.normal_(p, 0, 0.02)
            elif name.endswith("weight"):  # LayerNorm weights (norm1, norm2, ln_f)
                nn.init.ones_(p)
            else:
                nn.init.zeros_(p)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.drop(self.tok_emb(idx) + self.pos_emb(torch.arange(t)))
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        for b in self.blocks:
            x = b(x, src_mask=mask)
        return self.head(self.ln_f(x))


model = GPT()
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
warm = max(1, args.steps // 20)


def lr_at(s):
    if s < warm:
        return args.lr * (s + 1) / warm
    p = min((s - warm) / max(1, args.steps - warm), 1.0)
    return args.lr / 10 + (args.lr - args.lr / 10) * 0.5 * (1 + math.cos(math.pi * p))


def held_out_loss():
    model.eval()
    tot, n, lo = 0.0, 0, 0
    with torch.no_grad():
        while lo + 1 < len(te):
            w = min(T, len(te) - 1 - lo)
            k = min(args.batch, (len(te) - 1 - lo) // T) if w == T else 1
            x = torch.stack([te[lo + i * w: lo + (i + 1) * w] for i in range(k)])
            y = torch.stack([te[lo + i * w + 1: lo + (i + 1) * w + 1] for i in range(k)])
            tot += F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1)).item() * k * w
            n += k * w
            lo += k * w
    model.train()
    return tot / n


def sample(prompt, n, temperature=0.8, top_k=20):
    model.eval()
    ids, lines = [stoi[c] for c in prompt if c in stoi], 0
    with torch.no_grad():
        for _ in range(n):
            logits = model(torch.tensor([ids[-T:]]))[0, -1]
            logits[:SPECIAL] = float("-inf")
            v, i = torch.topk(logits, top_k)
            nxt = i[torch.multinomial(F.softmax(v / temperature, -1), 1)].item()
            if itos[nxt] == "\n" and itos.get(ids[-1]) == "\n":
                break
            ids.append(nxt)
            if itos[nxt] == "\n":
                lines += 1
                if lines == 4:
                    break
    model.train()
    return "".join(itos[i] for i in ids).strip()


def poem_shape(s):
    good = total = 0
    for run in re.findall(r"[\u4e00-\u9fff]+", s):
        if len(run) > 2:
            total += 1
            good += len(run) in (5, 7)
    return good / total if total else 0.0


history, every, first = [], max(1, args.steps // 6), None
tot = n = 0
start = time.perf_counter()
for step in range(1, args.steps + 1):
    for g in opt.param_groups:
        g["lr"] = lr_at(step - 1)
    off = torch.randint(len(tr) - T, (args.batch,))
    x = torch.stack([tr[o:o + T] for o in off])
    y = torch.stack([tr[o + 1:o + 1 + T] for o in off])
    loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    first = loss.item() if first is None else first
    tot += loss.item()
    n += 1
    if step % every == 0 or step == args.steps:
        vl = held_out_loss()
        history.append({"epoch": len(history) + 1, "step": step, "loss": tot / n, "test_loss": vl,
                        "test_metric": math.exp(vl)})
        print(f"step {step}: loss {tot / n:.4f} held-out {vl:.4f} ({time.perf_counter() - start:.0f} s)",
              file=sys.stderr, flush=True)
        tot = n = 0
samples = [sample(p, args.sample_chars) for p in args.prompts.split(",")]
secs = time.perf_counter() - start
last = history[-1]
emit({"recipe": "poetry-gpt", "framework": f"pytorch {torch.__version__}", "threads": threads(),
      "model": f"gpt {args.layers} layers, d_model {D}, {args.heads} heads, context {T}, dropout {args.dropout}, vocab {V}",
      "parameters": sum(p.numel() for p in model.parameters()), "optimizer": "adam", "lr": args.lr,
      "batch": args.batch, "steps": args.steps, "seed": args.seed, "history": history, "first_loss": first,
      "final_loss": last["loss"], "test_loss": last["test_loss"], "metric": "perplexity",
      "test_metric": last["test_metric"], "seconds": secs, "samples": samples,
      "poem_shape": poem_shape("\n".join(samples))})
