"""The examples' own throughput figure: the ground truth a recorded run is checked against.

A step ends where the training loop's body ends; the figure covers the steps after the first
two (warm-up), so it compares with the recorded steps from index 2 on."""
import json
import time


class StepClock:
    def __init__(self):
        self._ends = []

    def step_done(self):
        self._ends.append(time.perf_counter())

    def report(self):
        """Prints the last line the tests read: SCRIPT_RESULT {"batchesPerSec": ..., "steps": ...}."""
        ends = self._ends
        rate = (len(ends) - 2) / (ends[-1] - ends[1]) if len(ends) > 2 else None
        print("SCRIPT_RESULT " + json.dumps({"batchesPerSec": rate, "steps": len(ends)}), flush=True)
