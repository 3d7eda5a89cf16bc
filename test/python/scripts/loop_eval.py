"""Training with evaluation passes, as pytorch/examples mnist and nanoGPT: forward-only batches
under model.eval() and torch.no_grad(). With --loader, training iterates a DataLoader for
--eval-every batches per epoch and a validation DataLoader is evaluated after each epoch; without,
batches are sliced in the loop and evaluation runs before every --eval-every-th step (step 0 too,
as nanoGPT does).

Ground truth: --steps optimizer steps; the evaluation passes it ran, each of --eval-batches
batches of EVAL_BATCH samples, with their own wall time (evalMs, from the pass's first batch to
its last); trainS, the loop's wall time less its passes. The script measures all of it itself.

    python loop_eval.py [--steps N] [--eval-every N] [--eval-batches N] [--loader]
"""
import argparse
import os
import sys
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "examples", "pytorch"))
from _measure import StepClock  # noqa: E402

BATCH, EVAL_BATCH, FEATURES = 16, 256, 256


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--eval-every", type=int, default=10)
    parser.add_argument("--eval-batches", type=int, default=12)
    parser.add_argument("--loader", action="store_true")
    args = parser.parse_args()

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(FEATURES, 512), nn.ReLU(), nn.Linear(512, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    train_x, train_y = torch.randn(args.steps * BATCH, FEATURES), torch.randint(0, 10, (args.steps * BATCH,))
    val_x, val_y = torch.randn(args.eval_batches * EVAL_BATCH, FEATURES), torch.randint(0, 10, (args.eval_batches * EVAL_BATCH,))
    eval_ms = []

    def evaluate(batches):
        model.eval()
        correct, t0 = 0, time.perf_counter()
        with torch.no_grad():
            for x, y in batches:
                correct += int((model(x).argmax(1) == y).sum())
        eval_ms.append((time.perf_counter() - t0) * 1000.0)
        model.train()
        return correct

    def train_step(x, y):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
        clock.step_done()

    clock, loop_t0 = StepClock(), time.perf_counter()
    if args.loader:
        val_loader = DataLoader(TensorDataset(val_x, val_y), batch_size=EVAL_BATCH)
        for epoch in range(args.steps // args.eval_every):
            part = slice(epoch * args.eval_every * BATCH, (epoch + 1) * args.eval_every * BATCH)
            for x, y in DataLoader(TensorDataset(train_x[part], train_y[part]), batch_size=BATCH):
                train_step(x, y)
            evaluate(val_loader)
    else:
        val_batches = [(val_x[i * EVAL_BATCH:(i + 1) * EVAL_BATCH], val_y[i * EVAL_BATCH:(i + 1) * EVAL_BATCH]) for i in range(args.eval_batches)]
        for step in range(args.steps):
            if step % args.eval_every == 0:
                evaluate(val_batches)
            train_step(train_x[step * BATCH:(step + 1) * BATCH], train_y[step * BATCH:(step + 1) * BATCH])
    loop_s = time.perf_counter() - loop_t0
    clock.report(evalMs=eval_ms, evalBatches=args.eval_batches, evalSamples=args.eval_batches * EVAL_BATCH,
                 trainS=loop_s - sum(eval_ms) / 1000.0)


if __name__ == "__main__":
    main()
