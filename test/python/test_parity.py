"""The script cannot tell it runs under the runner: argv, __main__, sys.path, environment, exit
codes, tracebacks and spawned children are the same as under plain python. No torch needed."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (SCRIPTS, WARNING, Host, hot_lines, line_of, of_type, oldest_python,  # noqa: E402
                     python_without_torch, recorded_command, run_plain, run_recorded)

USER_PATH = os.path.join(SCRIPTS, "nonexistent-user-lib")
PROBE_CASES = [
    (["probe.py", "a", "b c"], SCRIPTS),
    (["scripts/probe.py", "--exit", "3"], os.path.dirname(SCRIPTS)),
    (["probe.py", "--exit-message", "bye now"], SCRIPTS),
    (["probe.py", "--raise"], SCRIPTS),
    (["probe.py", "--raise", "--hook"], SCRIPTS),
    (["probe.py", "--interrupt"], SCRIPTS),
]


class ProbeParity(unittest.TestCase):
    def assert_same_as_plain(self, argv, cwd, python):
        host = Host()
        try:
            plain = run_plain(argv, python=python, cwd=cwd, user_pythonpath=USER_PATH)
            recorded = run_recorded(argv, host.options(pythonPath=USER_PATH), python=python, cwd=cwd, user_pythonpath=USER_PATH)
            self.assertIn('"main_is_me": true', plain.stdout)
            self.assertEqual(recorded.stdout, plain.stdout)
            self.assertEqual(recorded.stderr, plain.stderr)
            self.assertEqual(recorded.returncode, plain.returncode)
            return host.events(), recorded
        finally:
            host.close()

    def test_probe_under_this_python(self):
        for argv, cwd in PROBE_CASES:
            with self.subTest(argv=argv):
                events, recorded = self.assert_same_as_plain(argv, cwd, sys.executable)
                bye = of_type(events, "bye")[-1]
                if "--raise" in argv:
                    error = of_type(events, "error")[0]
                    self.assertEqual((error["excType"], error["line"]), ("ValueError", line_of(os.path.join(SCRIPTS, "probe_helper.py"), "raise")))
                    self.assertEqual((bye["reason"], bye["exitCode"]), ("exception", 1))
                    self.assertNotIn("trainlens_runner", recorded.stderr)
                    self.assertNotIn("runpy", recorded.stderr)
                elif "--interrupt" in argv:
                    self.assertEqual(recorded.returncode, -signal.SIGINT)
                    self.assertEqual((bye["reason"], bye["exitCode"]), ("interrupt", None))
                    self.assertEqual(of_type(events, "error"), [])
                else:
                    self.assertEqual((bye["reason"], bye["exitCode"]), ("exit", recorded.returncode))

    def test_probe_under_other_interpreters(self):
        interpreters = [p for p in (python_without_torch(), oldest_python()) if p]
        if not interpreters:
            self.skipTest("no other interpreter on this machine")
        for python in interpreters:
            for argv, cwd in PROBE_CASES[:2]:
                with self.subTest(python=python, argv=argv):
                    self.assert_same_as_plain(argv, cwd, python)

    def test_symlinked_script(self):
        link = os.path.join(SCRIPTS, "..", "probe_link.py")
        os.symlink(os.path.join(SCRIPTS, "probe.py"), link)
        try:
            self.assert_same_as_plain(["probe_link.py"], os.path.dirname(link), sys.executable)
        finally:
            os.unlink(link)


class UninstrumentedRuns(unittest.TestCase):
    def test_unreachable_socket_prints_one_warning_and_runs_the_script(self):
        plain = run_plain(["busy.py", "0.1"], cwd=SCRIPTS)
        options = Host().options()
        options["socket"] = "/nonexistent/trainlens/ipc.sock"
        recorded = run_recorded(["busy.py", "0.1"], options, cwd=SCRIPTS)
        self.assertEqual(recorded.stdout, plain.stdout)
        self.assertEqual(recorded.returncode, 0)
        warning, = recorded.stderr.splitlines()
        self.assertTrue(warning.startswith(WARNING + "cannot reach /nonexistent/trainlens/ipc.sock"), warning)

    def test_missing_options_prints_one_warning(self):
        recorded = run_recorded(["probe.py", "--exit", "4"], None, cwd=SCRIPTS)
        self.assertEqual(recorded.returncode, 4)
        self.assertEqual(recorded.stderr.splitlines(), [WARNING + "TRAINLENS_OPTIONS is not set"])

    def test_host_hanging_up_switches_instrumentation_off_once(self):
        host = Host(hang_up=True)
        try:
            recorded = run_recorded(["busy.py", "0.8"], host.options(flushMs=50), cwd=SCRIPTS)
        finally:
            host.close()
        self.assertEqual((recorded.returncode, recorded.stdout), (0, "done\n"))
        warning, = recorded.stderr.splitlines()
        self.assertTrue(warning.startswith(WARNING + "sender failed"), warning)


class WithoutTorch(unittest.TestCase):
    def test_lines_but_no_steps_and_signal_exit(self):
        python = python_without_torch() or sys.executable
        host = Host()
        try:
            recorded = run_recorded(["busy.py", "0.5", "--term"], host.options(), python=python, cwd=SCRIPTS)
            events = host.events()
        finally:
            host.close()
        self.assertEqual((recorded.returncode, recorded.stdout), (-signal.SIGTERM, "done\n"))
        self.assertEqual(of_type(events, "step") + of_type(events, "framework"), [])
        (file, line), (count, stages) = hot_lines(events)[0]
        self.assertEqual((file, line), (os.path.join(SCRIPTS, "busy.py"), line_of(os.path.join(SCRIPTS, "busy.py"), "# BUSY LINE")))
        entries = [e for batch in of_type(events, "lines") for e in batch["entries"] if (e["file"], e["line"]) == (file, line)]
        if all("ms" in e for e in entries):
            # The signal sampler weighs each sample by the ticks it stands for: on a busy or pinned
            # core several ticks come due at once and make one sample, so the time is what counts.
            self.assertGreaterEqual(sum(e["ms"] for e in entries), 0.8 * 500)
        else:
            self.assertGreaterEqual(count, 20)  # the thread sampler: one sample per 10 ms period
        self.assertEqual(set(stages), {"startup"})  # no step ever started: all of it came before the first
        self.assertEqual(of_type(events, "bye"), [{"type": "bye", "exitCode": None, "reason": "signal", "steps": 0}])


class HostDeath(unittest.TestCase):
    def test_runner_exits_when_the_process_that_started_it_dies(self):
        host = Host()
        try:
            command, env = recorded_command(["busy.py", "30"], host.options())
            # A stand-in host that starts the runner, says its pid, and dies while the script runs.
            starter = ("import subprocess, os, time; p = subprocess.Popen(%r, cwd=%r, env=%r, stdout=subprocess.DEVNULL, "
                       "stderr=subprocess.DEVNULL); print(p.pid, flush=True); time.sleep(1); os._exit(0)") % (command, SCRIPTS, env)
            pid = int(subprocess.run([sys.executable, "-c", starter], capture_output=True, text=True, timeout=30).stdout)
            deadline = time.monotonic() + 5
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertFalse(_alive(pid), "runner still alive 5 s after its parent died")
            bye = json.loads(host.lines()[-1])
            self.assertEqual((bye["type"], bye["reason"]), ("bye", "signal"))
        finally:
            host.close()


def _alive(pid):
    """Whether pid runs (a zombie waiting for init to reap it has exited)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


if __name__ == "__main__":
    unittest.main()
