"""Training without a DataLoader: batches are made in the loop, a step ends at optimizer.step.

Ground truth: --steps optimizer steps of 32 samples each; making the random batch is `other`,
the model's forward, backward and optimizer stages take the rest.

    python no_dataloader.py [--steps N]
"""
import argparse

import torch
from torch import nn

from _measure import StepClock

BATCH_SIZE = 32


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    clock = StepClock()
    for _ in range(args.steps):
        inputs, targets = torch.randn(BATCH_SIZE, 256), torch.randint(0, 10, (BATCH_SIZE,))
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        clock.step_done()
    clock.report()


if __name__ == "__main__":
    main()
