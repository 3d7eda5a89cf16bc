"""A GAN's loop, as pytorch/examples dcgan: every batch steps the discriminator's optimizer, then
the generator's.

Ground truth: --steps batches, each one training step of two optimizer steps (optD.step, then
optG.step) on BATCH real samples, from a DataLoader (--loader) or sliced in the loop; the script
counts and times its own batches. optD is built with foreach=False, optG with the default.

    python loop_gan.py [--steps N] [--loader]
"""
import argparse
import os
import sys

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "pytorch"))
from _measure import StepClock  # noqa: E402

BATCH, NOISE, FEATURES = 32, 16, 64


def real_batches(steps, loader):
    real = torch.randn(steps * BATCH, FEATURES)
    if loader:
        for (batch,) in DataLoader(TensorDataset(real), batch_size=BATCH):
            yield batch
    else:
        for i in range(steps):
            yield real[i * BATCH:(i + 1) * BATCH]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--loader", action="store_true")
    args = parser.parse_args()

    torch.manual_seed(0)
    net_d = nn.Sequential(nn.Linear(FEATURES, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
    net_g = nn.Sequential(nn.Linear(NOISE, 128), nn.ReLU(), nn.Linear(128, FEATURES))
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, foreach=False)
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4)
    criterion = nn.BCEWithLogitsLoss()
    real_label, fake_label = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)
    clock = StepClock()
    for real in real_batches(args.steps, args.loader):
        net_d.zero_grad()
        criterion(net_d(real), real_label).backward()
        fake = net_g(torch.randn(BATCH, NOISE))
        criterion(net_d(fake.detach()), fake_label).backward()
        opt_d.step()
        net_g.zero_grad()
        criterion(net_d(fake), real_label).backward()
        opt_g.step()
        clock.step_done()
    clock.report(batch=BATCH)


if __name__ == "__main__":
    main()
