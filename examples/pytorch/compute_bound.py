"""Compute-bound training: the model is the bottleneck.

Ground truth: the data are in-memory tensors, so getting a batch is indexing and collating 32 rows,
while each step runs forward + backward + optimizer of a 256-512-512-10 MLP: the data stage is a
small part of every step and forward + backward take most of it. How small depends on the CPU
(fast matrix units shrink the compute, not the indexing), so the loop clocks it itself: the last
line, SCRIPT_RESULT, carries its throughput and `dataShare`, the wait for each batch over the step.

    python compute_bound.py [--steps N]
"""
import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from _measure import StepClock

BATCH_SIZE = 32


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()

    torch.manual_seed(0)
    dataset = TensorDataset(torch.randn(args.steps * BATCH_SIZE, 256), torch.randint(0, 10, (args.steps * BATCH_SIZE,)))
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, shuffle=True)
    model = nn.Sequential(nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    clock = StepClock()
    for inputs, targets in loader:
        clock.batch_ready()
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        clock.step_done()
    clock.report()


if __name__ == "__main__":
    main()
