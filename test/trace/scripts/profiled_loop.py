"""A small training loop with a DataLoader whose loading waits (a sleep per sample) and a model that
computes, for comparing `trainlens import` of its torch.profiler trace with a TrainLens recording.

    profiled_loop.py                 train plainly (to be recorded by `trainlens record`)
    profiled_loop.py --trace FILE    train under torch.profiler, every step but the first two
                                     active, and write its trace to FILE (export_chrome_trace)
Prints SCRIPT_RESULT with the steps and the loop's own data share (time waiting for batches).
"""
import json
import sys
import time

import torch
from torch.utils.data import DataLoader, Dataset

STEPS = 60
BATCH = 16
SAMPLE_SLEEP_S = 0.0012


class Waiting(Dataset):
    def __len__(self):
        return STEPS * BATCH

    def __getitem__(self, i):
        time.sleep(SAMPLE_SLEEP_S)
        return torch.randn(512), torch.randn(1)


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = torch.nn.Sequential(torch.nn.Linear(512, 2048), torch.nn.ReLU(), torch.nn.Linear(2048, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    loader = DataLoader(Waiting(), batch_size=BATCH)
    trace = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--trace" else None
    profiler = None
    if trace:
        profiler = torch.profiler.profile(
            activities=[torch.profiler.ProfilerActivity.CPU],
            schedule=torch.profiler.schedule(wait=1, warmup=1, active=STEPS - 2, repeat=1),
            on_trace_ready=lambda p: p.export_chrome_trace(trace),
        )
        profiler.start()
    data_s = step_s = 0.0
    steps = 0
    t = time.perf_counter()
    for x, y in loader:
        got = time.perf_counter()
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if profiler:
            profiler.step()
        end = time.perf_counter()
        if steps >= 2:  # the profiler's active steps
            data_s += got - t
            step_s += end - t
        steps += 1
        t = end
    if profiler:
        profiler.stop()
    print("SCRIPT_RESULT " + json.dumps({"steps": steps, "dataShare": data_s / step_s, "batchesPerSec": (steps - 2) / step_s}))


if __name__ == "__main__":
    main()
