"""A closure optimizer's loop, as pytorch/examples time_sequence_prediction: each
optimizer.step(closure) runs the closure (zero_grad, forward, backward) several times.

Ground truth: --steps optimizer steps; the script times its own closures and its whole steps and
prints the closures' share of the steps' time (closureShare, over the steps after the first two,
as the step clock's figures): the rest is LBFGS's own update and the loop.

    python loop_lbfgs.py [--steps N]
"""
import argparse
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "pytorch"))
from _measure import StepClock  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=15)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(32, 256), nn.Tanh(), nn.Linear(256, 1))
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=8)  # OPTIMIZER LINE
    inputs, targets = torch.randn(512, 32), torch.randn(512, 1)
    closure_s = []

    def closure():
        t0 = time.perf_counter()
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        closure_s[-1] += time.perf_counter() - t0
        return loss

    clock, step_s = StepClock(), []
    for _ in range(args.steps):
        closure_s.append(0.0)
        t0 = time.perf_counter()
        optimizer.step(closure)
        step_s.append(time.perf_counter() - t0)
        clock.step_done()
    clock.report(closureShare=sum(closure_s[2:]) / sum(step_s[2:]))


if __name__ == "__main__":
    main()
