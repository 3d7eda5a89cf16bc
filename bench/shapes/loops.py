"""The bench's training loops, shared by the shape scripts run as processes (fast_steps.py,
module_calls.py) and by runner_cost.py, which runs them in segments of one process. Each loop is
built in two parts: what lasts the whole run (model, data), and, in `start()`, what TrainLens's
hooks must see built as in a script started under the runner (the optimizer, the DataLoader's
iterator); `start()` returns one training step as a function.
"""
import os
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "pytorch"))
import input_bound  # noqa: E402  (its dataset)


class FastSteps:
    """Adam on a small MLP, no DataLoader, the batch made once: the step rate of small-model and RL
    training (~0.2 ms a step with the default hidden width on a 2-core Xeon VM, ~0.5 ms with 768).
    `loader`: the same batches come from a DataLoader over an in-memory dataset instead."""
    BATCH_SIZE = 32
    LOADER_BATCHES = 1000  # an epoch: the loader runs out every few hundred ms, as short epochs do

    def __init__(self, hidden=128, loader=False):
        self.model = nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 8))
        self.inputs, self.targets = torch.randn(self.BATCH_SIZE, 64), torch.randint(0, 8, (self.BATCH_SIZE,))
        self.loader = None
        if loader:
            dataset = TensorDataset(self.inputs.repeat(self.LOADER_BATCHES, 1), self.targets.repeat(self.LOADER_BATCHES))
            self.loader = DataLoader(dataset, batch_size=self.BATCH_SIZE)

    def start(self):
        model, optimizer = self.model, torch.optim.Adam(self.model.parameters(), lr=1e-3)
        batches = _endless(self.loader) if self.loader is not None else None
        inputs, targets = self.inputs, self.targets

        def step():
            x, y = next(batches) if batches is not None else (inputs, targets)
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
        return step


class ModuleCalls:
    """A model of many small modules, so each step makes many nested module calls, as a transformer
    does (100 blocks: 200 calls of Linear and ReLU a forward; 500: 1,000)."""
    WIDTH = 16
    BATCH_SIZE = 16

    def __init__(self, blocks=100):
        self.model = nn.Sequential(*[layer for _ in range(blocks) for layer in (nn.Linear(self.WIDTH, self.WIDTH), nn.ReLU())])
        self.inputs = torch.randn(self.BATCH_SIZE, self.WIDTH)

    def start(self):
        model, inputs = self.model, self.inputs
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)

        def step():
            optimizer.zero_grad()
            loss = model(inputs).square().mean()
            loss.backward()
            optimizer.step()
        return step


class InputBound:
    """examples/pytorch/input_bound.py's loop: its DataLoader (no workers) waits for each sample
    (a sleep standing in for decoding), then its MLP trains for a fraction of that."""
    EPOCH_BATCHES = 100

    def __init__(self):
        self.model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
        self.loader = DataLoader(input_bound.SlowDataset(self.EPOCH_BATCHES * input_bound.BATCH_SIZE), batch_size=input_bound.BATCH_SIZE)

    def start(self):
        model, loss_fn = self.model, nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        batches = _endless(self.loader)

        def step():
            inputs, targets = next(batches)
            optimizer.zero_grad()
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
        return step


def _endless(loader):
    """The loader's batches, epoch after epoch, each epoch's iterator made as a `for` loop makes it."""
    while True:
        yield from loader
