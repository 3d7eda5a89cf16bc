"""Input-bound training whose input pipeline's cost is a per-sample pure-Python transform.

Ground truth: each sample is drawn with one torch call, pushed through a Python transform (the
line marked TRANSFORM LINE: a thousand values smoothed, clipped and rounded in a list
comprehension, about half a millisecond, far below the interpreter's 5 ms thread switch interval),
then turned back into a tensor with a second torch call. The transform takes most of the run's
time. The script times that line itself and prints its share of the training loop's wall time
(`transformShare`) and that wall time (`loopS`).

    python python_transform.py [--steps N]
"""
import argparse
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from _measure import StepClock

BATCH_SIZE = 16
FEATURES = 1024


class JitteredDataset(Dataset):
    def __init__(self, length):
        self.length = length
        self.transform_s = 0.0

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        raw = torch.randn(FEATURES).tolist()
        t0 = time.perf_counter()
        # Smooth, clip and quantise every value: an augmentation written in plain Python.
        values = [round(min(1.0, max(-1.0, (raw[i - 1] + 2.0 * v + raw[(i + 1) % FEATURES]) * 0.25)), 3) for i, v in enumerate(raw)]  # TRANSFORM LINE
        self.transform_s += time.perf_counter() - t0
        return torch.tensor(values), index % 10


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=150)
    args = parser.parse_args()

    torch.manual_seed(0)
    dataset = JitteredDataset(args.steps * BATCH_SIZE)
    loader = DataLoader(dataset, batch_size=BATCH_SIZE, num_workers=0)
    model = nn.Sequential(nn.Linear(FEATURES, 128), nn.ReLU(), nn.Linear(128, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    clock = StepClock()
    t0 = time.perf_counter()
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        clock.step_done()
    loop_s = time.perf_counter() - t0
    clock.report(transformShare=dataset.transform_s / loop_s, loopS=loop_s)


if __name__ == "__main__":
    main()
