"""Bench shape: a model of many small modules, so each step makes many nested module calls, as a
transformer does (--blocks 100: 200 calls of Linear and ReLU per forward; --blocks 500: 1,000).
Runs for a fixed time so the plain and the recorded run measure over the same span.

    python module_calls.py --blocks N [--seconds S]
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

WIDTH = 16
BATCH_SIZE = 16


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    layers = []
    for _ in range(args.blocks):
        layers += [nn.Linear(WIDTH, WIDTH), nn.ReLU()]
    model = nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    inputs = torch.randn(BATCH_SIZE, WIDTH)
    clock = StepClock()
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        optimizer.zero_grad()
        loss = model(inputs).square().mean()
        loss.backward()
        optimizer.step()
        clock.step_done()
    clock.report()


if __name__ == "__main__":
    main()
