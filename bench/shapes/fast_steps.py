"""Bench shape: a loop of fast steps (Adam on a small MLP, batches made in the loop, no
DataLoader), the step rate of small-model and RL training: ~0.2 ms a step with the default hidden
width on a 2-core Xeon VM, ~0.5 ms with --hidden 768. Runs for a fixed time so the plain and the
recorded run measure over the same span whatever their speed.

    python fast_steps.py [--seconds S] [--hidden N]
"""
import argparse
import os
import sys
import time

import torch
from torch import nn

# The examples' own clock: the bench's throughput is measured exactly as the examples' is.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "pytorch"))
from _measure import StepClock  # noqa: E402

BATCH_SIZE = 32


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--hidden", type=int, default=128)
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(64, args.hidden), nn.ReLU(), nn.Linear(args.hidden, 8))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    inputs, targets = torch.randn(BATCH_SIZE, 64), torch.randint(0, 8, (BATCH_SIZE,))
    clock = StepClock()
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        clock.step_done()
    clock.report()


if __name__ == "__main__":
    main()
