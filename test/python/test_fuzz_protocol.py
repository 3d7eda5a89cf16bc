"""The runner's validator (validate.py, the wire table in wire.py) and its options reader, fuzzed
with Hypothesis (Debian's python3-hypothesis): whatever it is given, a verdict comes back, never an
exception. Seeded and a few hundred cases each by default; TRAINLENS_FUZZ_RUNS sets how many
(the reliability benchmark runs 10,000)."""
import json
import os
import time
import unittest

from harness import ROOT  # noqa: F401  (puts the runner on sys.path)
from hypothesis import HealthCheck, given, settings, strategies as st
from trainlens_runner import launch, wire
from trainlens_runner.validate import STAGES, validate_event, validate_line

RUNS = int(os.environ.get("TRAINLENS_FUZZ_RUNS") or 300)
FUZZ = settings(max_examples=RUNS, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
REASONS = {"malformed", "unknown-type", "invalid"}
# Far above any one case (microseconds), far below a loop that runs away with its input.
MAX_S_PER_INPUT = 2.0
HOSTILE_KEYS = ["__class__", "__dict__", "type", "stage", "file", "line", "count", "ms", "path", "stages", "device", "entries"]
FIELD_NAMES = sorted({name for fields in wire.EVENTS.values() for name in fields})

# JSON numbers as Python's json gives them back: ints of any size (a 400-digit one too), floats.
numbers = st.one_of(st.integers(), st.integers(min_value=10 ** 300, max_value=10 ** 320), st.floats(allow_nan=False, allow_infinity=False))
keys = st.one_of(st.sampled_from(HOSTILE_KEYS + FIELD_NAMES), st.text(max_size=6))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=12)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=5)),
    max_leaves=20,
)


def valid_field(kind):
    kind = kind.rstrip("?")
    return {
        "string": st.text(max_size=12),
        "number": st.floats(allow_nan=False, allow_infinity=False, width=32),
        "int": st.integers(min_value=-(2 ** 53), max_value=2 ** 53),
        "boolean": st.booleans(),
        "string[]": st.lists(st.text(max_size=6), max_size=3),
        "object": st.dictionaries(st.text(max_size=6), st.integers(), max_size=3),
        "array": st.lists(st.integers(), max_size=3),
    }[kind]


stage_times = st.dictionaries(st.sampled_from(sorted(STAGES)), st.floats(min_value=0, max_value=1e6), max_size=6)
line_entries = st.lists(st.fixed_dictionaries(
    {"file": st.text(max_size=10), "line": st.integers(0, 10 ** 6), "stage": st.sampled_from(sorted(STAGES) + ["none", "startup"]), "count": st.integers(0, 1000)},
    optional={"ms": st.floats(min_value=0, max_value=1e6), "path": st.lists(st.text(max_size=5), max_size=3)},
), max_size=3)


def valid_event(kind):
    fields = {}
    optional = {}
    for name, spec in wire.EVENTS[kind].items():
        value = stage_times if kind == "step" and name in ("stages", "device") else line_entries if kind == "lines" and name == "entries" else valid_field(spec)
        if spec.endswith("?"):
            optional[name] = st.one_of(st.none(), value)
        else:
            fields[name] = value
    return st.fixed_dictionaries(fields, optional=optional).map(lambda event: dict(event, type=kind))


valid_events = st.sampled_from(sorted(wire.EVENTS)).flatmap(valid_event)


def nearly_valid(event, key, value):
    """`event` with one field set to any JSON value (a new field, or one of its own broken)."""
    return dict(event, **{key: value})


broken_events = st.builds(nearly_valid, valid_events, keys, json_values)
# A `lines` event whose one entry has one field replaced: the nested check's own mistakes.
broken_entries = st.builds(
    lambda event, entry, key, value: dict(event, entries=[nearly_valid(entry, key, value)]),
    valid_event("lines"), line_entries.filter(bool).map(lambda entries: entries[0]),
    st.sampled_from(["file", "line", "stage", "count", "ms", "path"]), json_values,
)
# Lines a runner could put on the wire cut short, with bytes changed, or nested past the recursion limit.
mangled_lines = st.one_of(
    st.text(max_size=200),
    st.builds(lambda event, cut: json.dumps(event)[:cut], valid_events, st.integers(0, 300)),
    st.builds(lambda event, at, ch: (lambda s: s[: at % (len(s) + 1)] + ch + s[at % (len(s) + 1) + 1:])(json.dumps(event)), valid_events, st.integers(0, 300), st.characters()),
    st.integers(1, 100_000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(1, 100_000).map(lambda depth: '{"a":' * depth + "1" + "}" * depth),
    st.builds(lambda digits: '{"type":"step","index":1,"t":0,"ms":' + "9" * digits + ',"stages":{}}', st.integers(300, 5000)),
)


def verdict_of(fn, value):
    started = time.monotonic()
    result = fn(value)
    elapsed = time.monotonic() - started
    assert elapsed < MAX_S_PER_INPUT, "%s took %.1f s on one input" % (fn.__name__, elapsed)
    if result is not None:
        reason, detail = result
        assert reason in REASONS, result
        assert isinstance(detail, str), result
    return result


class FuzzValidator(unittest.TestCase):
    @FUZZ
    @given(valid_events)
    def test_every_valid_event_validates(self, event):
        self.assertIsNone(verdict_of(validate_line, json.dumps(event)))
        self.assertIsNone(verdict_of(validate_event, event))

    @FUZZ
    @given(st.one_of(mangled_lines, json_values.map(json.dumps), broken_events.map(json.dumps), broken_entries.map(json.dumps)))
    def test_any_line_gets_a_verdict_never_an_exception(self, line):
        verdict_of(validate_line, line)

    @FUZZ
    @given(st.one_of(json_values, broken_events, broken_entries, json_values.map(lambda v: {"type": v})))
    def test_any_value_gets_a_verdict_never_an_exception(self, value):
        verdict_of(validate_event, value)


class FuzzOptions(unittest.TestCase):
    @FUZZ
    @given(st.one_of(mangled_lines, json_values.map(json.dumps), valid_event("hello").map(json.dumps)))
    def test_any_options_text_is_read_or_refused_with_a_reason(self, raw):
        environ = {launch.OPTIONS_ENV: raw, "PYTHONPATH": "/x"}
        started = time.monotonic()
        options, problem = launch.read_options(environ)
        self.assertLess(time.monotonic() - started, MAX_S_PER_INPUT)
        self.assertTrue((options is None) != (problem is None), (options, problem))
        self.assertNotIn(launch.OPTIONS_ENV, environ)


if __name__ == "__main__":
    unittest.main()
