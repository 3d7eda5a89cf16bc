"""Input-bound training: the DataLoader is the bottleneck.

Ground truth: with num_workers=0, the main process loads each batch of 8 samples, each "decoded" by
a sleep (SAMPLE_LOAD_S), while forward + backward + optimizer of the small MLP compute for a fraction
of that: the data stage is most of every step, and the main thread sleeps through it (its CPU time in
the data stage is near zero: loading waits rather than computes). The loop clocks both itself: the
last line, SCRIPT_RESULT, carries its throughput, `dataShare` (the wait for each batch over the
step) and `dataCpuShare` (the main thread's CPU time in that wait over its wall time). TrainLens's
`dataloader-workers` fix raises num_workers so loading overlaps training; the re-measured run is
then faster and its data share drops.

    python input_bound.py [--steps N]
"""
import argparse
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from _measure import StepClock

BATCH_SIZE = 8
SAMPLE_LOAD_S = 0.0025


class SlowDataset(Dataset):
    def __init__(self, length):
        self.length = length

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        time.sleep(SAMPLE_LOAD_S)  # stands in for reading and decoding a sample
        return torch.full((64,), float(index % 7)), index % 10


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()

    loader = DataLoader(SlowDataset(args.steps * BATCH_SIZE), batch_size=BATCH_SIZE, num_workers=0)
    train(loader)


def train(loader):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    clock = StepClock(data_cpu=True)
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
