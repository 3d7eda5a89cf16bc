"""What the runner tests share: a stand-in for the host's socket, and ways to start a script
plainly or under the runner exactly as the host does."""
import glob
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNNER_DIR = os.path.join(ROOT, "src", "runners", "python")
EXAMPLES = os.path.join(ROOT, "examples", "pytorch")
SCRIPTS = os.path.join(ROOT, "test", "python", "scripts")
TORCH_PYTHON = "/usr/bin/python3"
WARNING = "trainlens: instrumentation disabled: "
TIMEOUT_S = 120

sys.path.insert(0, RUNNER_DIR)
from trainlens_runner.validate import validate_line  # noqa: E402


class Host:
    """The host's side of a run: a listener in a private temp directory that keeps every
    connection's bytes. `hang_up=True` closes each connection after its first line."""

    def __init__(self, hang_up=False):
        self.dir = tempfile.mkdtemp(prefix="trainlens-test-")
        self.path = os.path.join(self.dir, "ipc.sock")
        self.token = secrets.token_hex(16)
        self.connections = []
        self._hang_up = hang_up
        self._readers = []
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(8)
        threading.Thread(target=self._accept, daemon=True).start()

    def options(self, **overrides):
        options = {"v": 1, "socket": self.path, "token": self.token, "sampleHz": 100, "flushMs": 250, "pythonPath": None}
        options.update(overrides)
        return options

    def lines(self):
        """Every line of the one connection a run must make (after the run ended)."""
        for reader in self._readers:
            reader.join(10)
        assert len(self.connections) == 1, "expected one connection, got %d" % len(self.connections)
        return bytes(self.connections[0]).decode("utf-8").splitlines()

    def events(self):
        """The run's events, after checking the handshake and that every line validates."""
        lines = self.lines()
        bad = [(line, validate_line(line)) for line in lines if validate_line(line) is not None]
        assert not bad, "invalid lines: %r" % bad[:3]
        events = [json.loads(line) for line in lines]
        assert events[0]["type"] == "hello" and events[0]["token"] == self.token, events[0]
        return events

    def close(self):
        self._server.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _accept(self):
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            received = bytearray()
            self.connections.append(received)
            reader = threading.Thread(target=self._read, args=(conn, received), daemon=True)
            self._readers.append(reader)
            reader.start()

    def _read(self, conn, received):
        with conn:
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                received.extend(chunk)
                if self._hang_up and b"\n" in received:
                    return


def _env(user_pythonpath):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TRAINLENS_OPTIONS")}
    if user_pythonpath is not None:
        env["PYTHONPATH"] = user_pythonpath
    return env


def run_plain(argv, python=TORCH_PYTHON, cwd=EXAMPLES, user_pythonpath=None):
    return subprocess.run([python] + argv, cwd=cwd, env=_env(user_pythonpath), capture_output=True, text=True,
                          timeout=TIMEOUT_S)


def recorded_command(argv, options, python=TORCH_PYTHON, user_pythonpath=None):
    """(command, environment) as the host starts a run: -m on a PYTHONPATH with our folder
    first, options in one variable (`options=None`: the variable is missing)."""
    env = _env(user_pythonpath)
    env["PYTHONPATH"] = RUNNER_DIR + (os.pathsep + user_pythonpath if user_pythonpath else "")
    if options is not None:
        env["TRAINLENS_OPTIONS"] = json.dumps(options)
    return [python, "-m", "trainlens_runner"] + argv, env


def run_recorded(argv, options, python=TORCH_PYTHON, cwd=EXAMPLES, user_pythonpath=None):
    command, env = recorded_command(argv, options, python, user_pythonpath)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)


def script_result(stdout):
    """The figure an example measured itself: its last line, `SCRIPT_RESULT {...}`."""
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("SCRIPT_RESULT "), last
    return json.loads(last[len("SCRIPT_RESULT "):])


def of_type(events, kind):
    return [e for e in events if e["type"] == kind]


def recorded_rate(steps):
    """Batches/s over the steps after the first two, as the examples measure themselves."""
    steady = steps[2:]
    return len(steady) / sum(s["ms"] for s in steady) * 1000.0


def stage_shares(steps):
    total = sum(s["ms"] for s in steps)
    return {k: sum(s["stages"][k] for s in steps) / total for k in steps[0]["stages"]}


def hot_lines(events):
    """(file, line) -> (samples, {stage: samples}) over every `lines` batch."""
    counts = {}
    for batch in of_type(events, "lines"):
        for entry in batch["entries"]:
            line = counts.setdefault((entry["file"], entry["line"]), [0, {}])
            line[0] += entry["count"]
            line[1][entry["stage"]] = line[1].get(entry["stage"], 0) + entry["count"]
    return sorted(counts.items(), key=lambda item: -item[1][0])


def line_of(path, marker):
    with open(path, encoding="utf-8") as f:
        return next(i for i, line in enumerate(f, 1) if marker in line)


def python_without_torch():
    """The `python3` first on PATH when it lacks torch (so the runner's no-torch path is real)."""
    python = shutil.which("python3")
    if python and subprocess.run([python, "-c", "import torch"], capture_output=True).returncode != 0:
        return python
    return None


def oldest_python():
    """A Python 3.8 if this machine has one: the oldest version the runner supports."""
    candidates = [shutil.which("python3.8")] + sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.8*/bin/python3.8")))
    for python in candidates:
        if python and subprocess.run([python, "-c", "pass"], capture_output=True).returncode == 0:
            return python
    return None
