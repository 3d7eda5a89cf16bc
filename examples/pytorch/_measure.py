"""The examples' own clock: the ground truth a recorded run is checked against.

A step ends where the training loop's body ends. A loop that marks `batch_ready()` as the first
line of its body also splits each step into the wait for the batch (from the previous step's end
to the batch in hand: the data stage) and the rest (compute). Every figure covers the steps after
the first two (warm-up), so it compares with the recorded steps from index 2 on.

The result line also goes to the file named by SCRIPT_RESULT_FILE, when set: a run started in the
editor writes its output to a terminal, and a test reads the script's own clock of that very run
from the file."""
import json
import os
import resource
import time


class StepClock:
    def __init__(self, data_cpu=False):
        """`data_cpu`: also measure the main thread's CPU time in the data stage. Reading a thread's
        CPU clock is a system call at which a busy CPU tends to switch to another task, so the
        reads stay outside the data stage's wall-clock interval, and only a loop that needs the
        figure makes them."""
        self._data_cpu = data_cpu
        self._ends = []
        self._readies = []
        self._end_cpus = []
        self._ready_cpus = []
        self._process_cpu_at_step_1 = None

    def batch_ready(self):
        self._readies.append(time.perf_counter())
        if self._data_cpu:
            self._ready_cpus.append(time.thread_time())

    def step_done(self):
        if self._data_cpu:
            self._end_cpus.append(time.thread_time())
        self._ends.append(time.perf_counter())
        if len(self._ends) == 2:
            self._process_cpu_at_step_1 = time.process_time()

    def report(self, **figures):
        """Prints the last line the tests read: SCRIPT_RESULT {"batchesPerSec": ..., "steps": ...,
        "stepMs": [wall ms of each step from index 1 on, to take a rate over any later steps]},
        with "dataShare" (the data stage's share of the steps' wall time) when the loop marked its
        batches, "dataCpuShare" (the main thread's CPU time in the data stage over its wall time:
        near 0 when loading waits, near 1 when it computes) when it measured that too, plus any
        other figure the script measured itself. Always: "processCpuPct" (all of this process's threads
        over those steps, % of one core) and "maxRssBytes" (its peak resident memory)."""
        ends = self._ends
        process_cpu_s = time.process_time() - (self._process_cpu_at_step_1 or 0.0)
        rate = (len(ends) - 2) / (ends[-1] - ends[1]) if len(ends) > 2 else None
        figures.update(batchesPerSec=rate, steps=len(ends), stepMs=[round((b - a) * 1000, 3) for a, b in zip(ends, ends[1:])])
        # Linux reports ru_maxrss in KiB.
        figures["maxRssBytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        if len(ends) > 2:
            figures["processCpuPct"] = 100 * process_cpu_s / (time.perf_counter() - ends[1])
        if len(self._readies) == len(ends) > 2:
            data_s = _waits(ends, self._readies)
            figures["dataShare"] = data_s / (ends[-1] - ends[1])
            if self._data_cpu:
                figures["dataCpuShare"] = _waits(self._end_cpus, self._ready_cpus) / data_s
        line = "SCRIPT_RESULT " + json.dumps(figures)
        print(line, flush=True)
        result_file = os.environ.get("SCRIPT_RESULT_FILE")
        if result_file:
            with open(result_file, "a", encoding="utf-8") as out:
                out.write(line + "\n")


def _waits(ends, readies):
    """Time from each step's end to the next batch in hand, summed over the steps from index 2."""
    return sum(ready - end for end, ready in zip(ends[1:-1], readies[2:]))
