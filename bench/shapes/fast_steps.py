"""Bench shape: a loop of ~0.5 ms steps (Adam on a small MLP, batches made in the loop, no
DataLoader), the step rate of small-model and RL training. Runs for a fixed time so the plain and
the recorded run measure over the same span whatever their speed.

    python fast_steps.py [--seconds S]
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
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 8))
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
