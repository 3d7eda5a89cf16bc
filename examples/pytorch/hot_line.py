"""A training loop whose cost is one slow line of pure Python.

Ground truth: `slow_metric` walks the output values again and again in a Python loop on the line
marked HOT LINE, taking several times longer than the small model's forward + backward +
optimizer: that line is the top hot line, in the `other` stage.

    python hot_line.py [--steps N]
"""
import argparse

import torch
from torch import nn

from _measure import StepClock


def slow_metric(values, passes=1000):
    total = 0.0
    for _ in range(passes):
        for value in values: total += value * value  # HOT LINE  # noqa: E701
    return total


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    clock = StepClock()
    for _ in range(args.steps):
        inputs = torch.randn(32, 64)
        optimizer.zero_grad()
        outputs = model(inputs)
        outputs.square().mean().backward()
        optimizer.step()
        slow_metric(outputs.detach().flatten().tolist())
        clock.step_done()
    clock.report()


if __name__ == "__main__":
    main()
