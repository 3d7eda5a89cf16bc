"""Tuning overrides (overrides.py): settings applied without editing the script, and the `loader`
event reporting the values that took effect."""
import json
import os
import shutil
import tempfile
import types
import unittest

from harness import Host, TORCH_PYTHON, of_type, run_recorded  # noqa: F401 - harness puts the runner on sys.path
from trainlens_runner.overrides import THREAD_ENV, Overrides

# Prints what the script itself sees, so the test compares with torch's own attributes.
SCRIPT = """
import json, os, sys
import torch
from torch.utils.data import DataLoader, TensorDataset

def main():
    kwargs = json.loads(sys.argv[1])
    data = TensorDataset(torch.randn(64, 4), torch.zeros(64))
    loader = DataLoader(data, 8, False, **kwargs)
    batches = sum(1 for _ in loader)
    print("SEEN " + json.dumps({"workers": loader.num_workers, "persistent": loader.persistent_workers,
                               "prefetch": loader.prefetch_factor, "threads": torch.get_num_threads(), "batches": batches,
                               "env": [os.environ.get(name) for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")]}))

if __name__ == "__main__":
    main()
"""


class ApplyToTest(unittest.TestCase):
    def test_settings_replace_the_scripts_arguments(self):
        args = {"dataset": "d", "num_workers": 0, "pin_memory": True}
        Overrides({"numWorkers": 2, "prefetchFactor": 4, "persistentWorkers": True, "pinMemory": False}).apply_to(args)
        self.assertEqual(args, {"dataset": "d", "num_workers": 2, "pin_memory": False, "prefetch_factor": 4, "persistent_workers": True})

    def test_without_workers_the_worker_only_arguments_go(self):
        args = {"num_workers": 4, "persistent_workers": True, "prefetch_factor": 8, "multiprocessing_context": "spawn"}
        Overrides({"numWorkers": 0, "persistentWorkers": True}).apply_to(args)
        self.assertEqual(args, {"num_workers": 0})

    def test_values_of_the_wrong_type_are_ignored(self):
        overrides = Overrides({"numWorkers": "2", "pinMemory": 1, "numThreads": 0, "prefetchFactor": True, "cudnnBenchmark": "yes"})
        self.assertEqual((overrides.loader, overrides.threads, overrides.cudnn_benchmark), ({}, None, None))
        self.assertIsNone(Overrides.from_options({"overrides": {}}))
        self.assertIsNone(Overrides.from_options({}))


class AtTorchImportTest(unittest.TestCase):
    """No GPU here: a stand-in torch shows which calls are made with and without CUDA."""

    def torch(self, cuda):
        calls = []
        cudnn = types.SimpleNamespace(benchmark=False)
        torch = types.SimpleNamespace(set_num_threads=calls.append, cuda=types.SimpleNamespace(is_available=lambda: cuda),
                                      backends=types.SimpleNamespace(cudnn=cudnn))
        return torch, calls

    def test_threads_always_cudnn_only_where_cuda_is_available(self):
        overrides = Overrides({"numThreads": 3, "cudnnBenchmark": True})
        torch, calls = self.torch(cuda=False)
        overrides.at_torch_import(torch)
        self.assertEqual((calls, torch.backends.cudnn.benchmark), ([3], False))
        torch, calls = self.torch(cuda=True)
        overrides.at_torch_import(torch)
        self.assertEqual((calls, torch.backends.cudnn.benchmark), ([3], True))


class AtStartTest(unittest.TestCase):
    def test_threads_size_every_pool_in_the_environment(self):
        environ = {"OMP_NUM_THREADS": "8", "PATH": "/bin"}
        Overrides({"numThreads": 2}).at_start(environ)
        self.assertEqual(environ, {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "PATH": "/bin"})
        untouched = {"PATH": "/bin"}
        Overrides({"numWorkers": 2}).at_start(untouched)
        self.assertEqual(untouched, {"PATH": "/bin"})


class RecordedOverridesTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="trainlens-overrides-")
        with open(os.path.join(self.dir, "loader.py"), "w") as f:
            f.write(SCRIPT)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_with(self, script_kwargs, overrides):
        host = Host()
        try:
            result = run_recorded(["loader.py", json.dumps(script_kwargs)], host.options(overrides=overrides), cwd=self.dir)
            self.assertEqual(result.returncode, 0, result.stderr)
            seen = json.loads(next(l for l in result.stdout.splitlines() if l.startswith("SEEN "))[5:])
            return seen, of_type(host.events(), "loader")
        finally:
            host.close()

    def test_workers_threads_and_prefetch_take_effect_and_are_reported(self):
        seen, loaders = self.run_with({"num_workers": 0}, {"numWorkers": 2, "prefetchFactor": 4, "persistentWorkers": True, "numThreads": 1})
        self.assertEqual(seen, {"workers": 2, "persistent": True, "prefetch": 4, "threads": 1, "batches": 8, "env": ["1", "1", "1"]})
        self.assertEqual(len(loaders), 1)
        self.assertEqual((loaders[0]["numWorkers"], loaders[0]["persistentWorkers"], loaders[0]["prefetchFactor"]), (2, True, 4))

    def test_no_workers_where_the_script_asked_for_persistent_ones(self):
        # torch rejects persistent_workers and prefetch_factor without workers: the override drops them.
        seen, loaders = self.run_with({"num_workers": 2, "persistent_workers": True, "prefetch_factor": 4}, {"numWorkers": 0})
        self.assertEqual((seen["workers"], seen["persistent"], seen["batches"]), (0, False, 8))
        self.assertEqual((loaders[0]["numWorkers"], loaders[0]["persistentWorkers"]), (0, False))

    def test_without_overrides_the_script_keeps_its_own_values(self):
        seen, loaders = self.run_with({"num_workers": 1}, None)
        self.assertEqual(seen["workers"], 1)
        self.assertEqual(seen["env"], [os.environ.get(name) for name in THREAD_ENV])
        self.assertEqual(loaders[0]["numWorkers"], 1)


if __name__ == "__main__":
    unittest.main()
