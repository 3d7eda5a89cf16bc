"""Unbuffered stdout under the sampler's signal: every byte of a large print reaches a slow pipe.

The script counts what it printed; the test reads the pipe only after a pause (so the pipe fills
and the writes block) and compares. A 1 kHz SIGALRM with a handler stands in for the sampler's
SIGPROF: what matters is a signal landing on the main thread while it is blocked in write(2).
"""
import os
import subprocess
import sys
import time
import unittest

from harness import RUNNER_DIR as RUNNER


SCRIPT = r"""
import signal, sys
sys.path.insert(0, sys.argv[1])
from trainlens_runner import signal_safe_streams
signal.signal(signal.SIGALRM, lambda signo, frame: None)
signal_safe_streams.protect(signal.SIGALRM)
signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)
line = "y" * (4 * 1024 * 1024)
for _ in range(5):
    print(line)
sys.stdout.buffer.write(b"z" * (4 * 1024 * 1024))
sys.stdout.flush()
signal.setitimer(signal.ITIMER_REAL, 0, 0)
print("printed", 5 * (len(line) + 1) + 4 * 1024 * 1024, file=sys.stderr)
"""


class SignalSafeStreamsTest(unittest.TestCase):
    def test_unbuffered_prints_reach_a_slow_pipe_whole(self):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        child = subprocess.Popen([sys.executable, "-c", SCRIPT, RUNNER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        time.sleep(0.5)  # the pipe fills; the writes block under the signal
        out, err = child.communicate(timeout=60)
        self.assertEqual(child.returncode, 0, err.decode(errors="replace"))
        printed = int(err.decode().split()[-1])
        self.assertEqual(len(out), printed)
        self.assertEqual(out.count(b"\n"), 5)

    def test_leaves_buffered_streams_and_replacements_alone(self):
        script = ("import io, signal, sys; sys.path.insert(0, sys.argv[1]); from trainlens_runner import signal_safe_streams as s; "
                  "before = sys.stdout; s.protect(signal.SIGALRM); print(sys.stdout is before)")
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        out = subprocess.run([sys.executable, "-c", script, RUNNER], capture_output=True, text=True, env=env, timeout=60).stdout
        self.assertEqual(out.strip(), "True")


if __name__ == "__main__":
    unittest.main()
