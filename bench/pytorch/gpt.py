"""PyTorch reference for `kaiwu bench gpt` and engine/nn's BenchmarkGPTMiniStep:
one training step (zero grad, forward, loss, backward, optimizer step) of a
GPT-mini (4 pre-norm layers, d_model 256, 4 heads, FFN 1024, GELU, no
dropout, context 128, batch 16, vocabulary 5000, untied head) on random
tokens, cross-entropy, Adam(lr=3e-4). The module layout is the one
nn.NewGPT names (tok_emb, pos_emb, blocks, ln_f, head).

Set OPENBLAS_NUM_THREADS and OMP_NUM_THREADS to the thread count before
running (torch.set_num_threads alone does not limit OpenBLAS)."""
import argparse

from common import check_blas, emit, threads_from_env, time_best

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--context", type=int, default=128)
ap.add_argument("--d-model", type=int, default=256)
ap.add_argument("--heads", type=int, default=4)
ap.add_argument("--layers", type=int, default=4)
ap.add_argument("--vocab", type=int, default=5000)
ap.add_argument("--rounds", type=int, default=3)
args = ap.parse_args()

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

threads = threads_from_env()
torch.set_num_threads(threads)
torch.manual_seed(0)
V, T, D, NH, L = args.vocab, args.context, args.d_model, args.heads, args.layers


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok_emb = nn.Embedding(V, D)
        self.pos_emb = nn.Embedding(T, D)
        self.blocks = nn.ModuleList([nn.TransformerEncoderLayer(D, NH, 4 * D, dropout=0.0, activation="gelu",
                                                                batch_first=True, norm_first=True) for _ in range(L)])
        self.ln_f = nn.LayerNorm(D)
        self.head = nn.Linear(D, V, bias=False)
        self.register_buffer("mask", torch.triu(torch.full((T, T), float("-inf")), diagonal=1))

    def forward(self, ids):
        x = self.tok_emb(ids) + self.pos_emb.weight[: ids.shape[1]]
        for b in self.blocks:
            x = b(x, src_mask=self.mask)
        return self.head(self.ln_f(x))


model = GPT()
opt = torch.optim.Adam(model.parameters(), lr=3e-4)
ids = torch.randint(0, V, (args.batch, T))
tgt = torch.randint(0, V, (args.batch, T))


def step():
    opt.zero_grad(set_to_none=False)
    F.cross_entropy(model(ids).reshape(-1, V), tgt.reshape(-1)).backward()
    opt.step()


check_blas(torch)
per = time_best(step, args.rounds)
tok = args.batch * T
flops = 3 * 2 * tok * (L * 12 * D * D + D * V) + 3 * L * 4 * tok * T * D
emit([{"op": "gpt", "batch": args.batch, "threads": threads, "gflops": flops / per / 1e9, "ms": per * 1e3}])
