"""A training run that crashes at a known step.

Ground truth: steps 0 .. N-1 complete, then the batch of step N (--crash-at N) fails the check
in `check_batch`, on the line marked CRASH LINE: N steps are recorded, the error points at that
line, and the exit code is 1, exactly as under plain python.

    python crash_at_step.py [--crash-at N]
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def check_batch(inputs, step, crash_at):
    if step == crash_at:
        raise ValueError("bad batch at step %d" % step)  # CRASH LINE
    return inputs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--crash-at", type=int, default=5)
    args = parser.parse_args()

    torch.manual_seed(0)
    dataset = TensorDataset(torch.randn(640, 32), torch.randint(0, 10, (640,)))
    loader = DataLoader(dataset, batch_size=16)
    model = nn.Linear(32, 10)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step, (inputs, targets) in enumerate(loader):
        inputs = check_batch(inputs, step, args.crash_at)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(inputs), targets).backward()
        optimizer.step()


if __name__ == "__main__":
    main()
