"""Gradient accumulation over a language model's token batches, as nanoGPT's train.py: each
optimizer step follows --accum forward+backward micro-batches of integer tokens shaped [B, T],
drawn by a hand-rolled get_batch, or (--loader) taken from a DataLoader of token sequences.

Ground truth: --steps optimizer steps, each of accum×B samples and accum×B×T tokens; the script
counts and times its own optimizer steps and prints B, T and accum.

    python loop_accumulation.py [--steps N] [--accum K] [--loader]
"""
import argparse
import os
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "pytorch"))
from _measure import StepClock  # noqa: E402

VOCAB, B, T = 96, 8, 32


class TinyLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 64)
        self.head = nn.Linear(64, VOCAB)

    def forward(self, idx, targets):
        logits = self.head(torch.tanh(self.embed(idx)))
        return logits, nn.functional.cross_entropy(logits.view(-1, VOCAB), targets.view(-1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--accum", type=int, default=4)
    parser.add_argument("--loader", action="store_true")
    args = parser.parse_args()

    torch.manual_seed(0)
    tokens = torch.randint(0, VOCAB, (20000,))
    model = TinyLM()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    clock = StepClock()
    if args.loader:
        starts = torch.randint(len(tokens) - T - 1, (args.steps * args.accum * B,))
        sequences = torch.stack([tokens[i:i + T + 1] for i in starts])
        loader = DataLoader(TensorDataset(sequences[:, :-1], sequences[:, 1:]), batch_size=B)
        for i, (x, y) in enumerate(loader):
            _, loss = model(x, y)
            (loss / args.accum).backward()
            if (i + 1) % args.accum == 0:
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                clock.step_done()
    else:
        def get_batch():
            ix = torch.randint(len(tokens) - T - 1, (B,))
            return torch.stack([tokens[i:i + T] for i in ix]), torch.stack([tokens[i + 1:i + T + 1] for i in ix])

        x, y = get_batch()
        for _ in range(args.steps):
            for _ in range(args.accum):
                _, loss = model(x, y)
                x, y = get_batch()  # the next batch while this one's graph waits, as nanoGPT does
                (loss / args.accum).backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            clock.step_done()
    clock.report(B=B, T=T, accum=args.accum)


if __name__ == "__main__":
    main()
