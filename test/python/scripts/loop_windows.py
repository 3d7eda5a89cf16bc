"""A fast loop (a small MLP, sub-millisecond steps), long enough that the runner times the stages
of a sample of its steps only (stage_windows.py), with an evaluation pass every --eval-every
steps (model.eval() and no_grad, as nanoGPT and pytorch/examples do). Without --loader, batches
are sliced in the loop and evaluation runs before every --eval-every-th step; with it, training
iterates a DataLoader of --eval-every batches per epoch and a validation DataLoader is evaluated
after each epoch.

Ground truth, measured by the script itself: its optimizer steps; each stage's time in each step
(stepMs: its own perf_counter around zero_grad and step, the model call, backward), so a test
compares the steps the runner timed with the script's own timing of those same steps; the
evaluation passes with their batches; trainS, the loop's wall time less its passes.

    python loop_windows.py [--steps N] [--eval-every N] [--loader]
"""
import argparse
import json
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

BATCH, EVAL_BATCH, EVAL_BATCHES, FEATURES = 32, 256, 4, 64


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=6000)
    parser.add_argument("--eval-every", type=int, default=1500)
    parser.add_argument("--loader", action="store_true")
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = nn.Sequential(nn.Linear(FEATURES, 256), nn.ReLU(), nn.Linear(256, 8))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train_x, train_y = torch.randn(args.eval_every * BATCH, FEATURES), torch.randint(0, 8, (args.eval_every * BATCH,))
    val = [(torch.randn(EVAL_BATCH, FEATURES), torch.randint(0, 8, (EVAL_BATCH,))) for _ in range(EVAL_BATCHES)]
    own = {"forward": [], "backward": [], "optimizer": []}
    evals, steps = [], 0

    def evaluate(batches):
        t0 = time.perf_counter()
        model.eval()
        with torch.no_grad():
            count = sum(1 for x, _ in batches if model(x) is not None)
        model.train()
        evals.append((count, time.perf_counter() - t0))

    def train_step(x, y):
        nonlocal steps
        t0 = time.perf_counter()
        optimizer.zero_grad()
        t1 = time.perf_counter()
        loss = nn.functional.cross_entropy(model(x), y)  # FORWARD LINE
        t2 = time.perf_counter()
        loss.backward()  # BACKWARD LINE
        t3 = time.perf_counter()
        optimizer.step()
        t4 = time.perf_counter()
        own["optimizer"].append((t1 - t0) + (t4 - t3))
        own["forward"].append(t2 - t1)
        own["backward"].append(t3 - t2)
        steps += 1

    loop_t0 = time.perf_counter()
    if args.loader:
        val_loader = DataLoader(TensorDataset(torch.cat([x for x, _ in val]), torch.cat([y for _, y in val])), batch_size=EVAL_BATCH)
        for _ in range(args.steps // args.eval_every):
            for x, y in DataLoader(TensorDataset(train_x, train_y), batch_size=BATCH):
                train_step(x, y)
            evaluate(val_loader)
    else:
        for step in range(args.steps):
            if step % args.eval_every == 0:
                evaluate(val)
            i = step % args.eval_every
            train_step(train_x[i * BATCH:(i + 1) * BATCH], train_y[i * BATCH:(i + 1) * BATCH])
    train_s = time.perf_counter() - loop_t0 - sum(s for _, s in evals)
    print("SCRIPT_RESULT " + json.dumps({"steps": steps, "batch": BATCH, "trainS": train_s,
                                         "stepMs": {k: [round(t * 1000.0, 4) for t in v] for k, v in own.items()},
                                         "evalBatches": [n for n, _ in evals]}), flush=True)


if __name__ == "__main__":
    main()
