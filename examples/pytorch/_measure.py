"""The examples' own clock: the ground truth a recorded run is checked against.

A step ends where the training loop's body ends. A loop that marks `batch_ready()` as the first
line of its body also splits each step into the wait for the batch (from the previous step's end
to the batch in hand: the data stage) and the rest (compute). Every figure covers the steps after
the first two (warm-up), so it compares with the recorded steps from index 2 on."""
import json
import time


class StepClock:
    def __init__(self):
        self._ends = []
        self._readies = []

    def batch_ready(self):
        self._readies.append((time.perf_counter(), time.thread_time()))

    def step_done(self):
        self._ends.append((time.perf_counter(), time.thread_time()))

    def report(self, **figures):
        """Prints the last line the tests read: SCRIPT_RESULT {"batchesPerSec": ..., "steps": ...},
        with "dataShare" (the data stage's share of the steps' wall time) and "dataCpuShare" (the
        main thread's CPU time in the data stage over its wall time: near 0 when loading waits,
        near 1 when it computes) when the loop marked its batches, plus any other figure the script
        measured itself."""
        ends = [wall for wall, _ in self._ends]
        rate = (len(ends) - 2) / (ends[-1] - ends[1]) if len(ends) > 2 else None
        figures.update(batchesPerSec=rate, steps=len(ends))
        if len(self._readies) == len(ends) > 2:
            figures.update(self._data_figures())
        print("SCRIPT_RESULT " + json.dumps(figures), flush=True)

    def _data_figures(self):
        waits = [(ready[0] - end[0], ready[1] - end[1]) for end, ready in zip(self._ends[1:-1], self._readies[2:])]
        wall = sum(w for w, _ in waits)
        return {"dataShare": wall / (self._ends[-1][0] - self._ends[1][0]),
                "dataCpuShare": sum(c for _, c in waits) / wall}
