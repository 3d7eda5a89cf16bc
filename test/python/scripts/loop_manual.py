"""Updates by hand with no optimizer object and no DataLoader, as pytorch/examples
word_language_model: truncated backpropagation through a token stream shaped [T, B],
model.zero_grad(), backward, then `p.data.add_(p.grad, alpha=-lr)` for every parameter.

Ground truth: --steps backward calls, each one update; the script counts and times its own.

    python loop_manual.py [--steps N]
"""
import argparse
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "pytorch"))
from _measure import StepClock  # noqa: E402

VOCAB, BPTT, BATCH = 96, 20, 10


class TinyRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 32)
        self.rnn = nn.LSTM(32, 64)
        self.head = nn.Linear(64, VOCAB)

    def forward(self, data, hidden):
        output, hidden = self.rnn(self.embed(data), hidden)
        return self.head(output), hidden


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()

    torch.manual_seed(0)
    stream = torch.randint(0, VOCAB, ((args.steps + 1) * BPTT, BATCH))
    model, lr = TinyRNN(), 0.5
    hidden = (torch.zeros(1, BATCH, 64), torch.zeros(1, BATCH, 64))
    clock = StepClock()
    for i in range(args.steps):
        data, targets = stream[i * BPTT:(i + 1) * BPTT], stream[i * BPTT + 1:(i + 1) * BPTT + 1]
        hidden = tuple(h.detach() for h in hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        nn.functional.cross_entropy(output.view(-1, VOCAB), targets.reshape(-1)).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        clock.step_done()
    clock.report(T=BPTT, B=BATCH)


if __name__ == "__main__":
    main()
