"""The runner's validator against the golden fixtures the TypeScript decoder is tested with."""
import json
import os
import unittest

from harness import ROOT  # also puts the runner on sys.path
from trainlens_runner import channel, wire
from trainlens_runner.validate import validate_event, validate_line

FIXTURES = os.path.join(ROOT, "test", "fixtures", "protocol")


def fixture_lines(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


class GoldenFixtures(unittest.TestCase):
    def test_every_valid_line_validates(self):
        lines = fixture_lines("valid.jsonl")
        self.assertGreater(len(lines), 5)
        for line in lines:
            with self.subTest(line=line):
                self.assertIsNone(validate_line(line))

    def test_every_invalid_line_is_rejected_for_its_reason(self):
        cases = [json.loads(line) for line in fixture_lines("invalid.jsonl")]
        self.assertGreater(len(cases), 5)
        for case in cases:
            with self.subTest(line=case["line"]):
                result = validate_line(case["line"])
                self.assertIsNotNone(result)
                self.assertEqual(result[0], case["reason"])

    def test_fixtures_cover_every_event_type(self):
        types = {json.loads(line)["type"] for line in fixture_lines("valid.jsonl")}
        self.assertEqual(types, set(wire.EVENTS))


class ValidatorRules(unittest.TestCase):
    """Rules of src/protocol/decode.ts that the fixtures do not pin down."""

    def test_javascript_json_rules(self):
        self.assertEqual(validate_line('{"type":"log","level":"info","message":NaN}')[0], "malformed")
        self.assertEqual(validate_line('{"type":"bye","reason":"exit","steps":true}')[0], "invalid")
        self.assertIsNone(validate_line('{"type":"bye","reason":"exit","steps":3.0}'))

    def test_nullable_fields_may_be_null_or_absent(self):
        self.assertIsNone(validate_event({"type": "bye", "reason": "exit", "steps": 0, "exitCode": None}))
        self.assertIsNone(validate_event({"type": "bye", "reason": "exit", "steps": 0}))
        self.assertEqual(validate_event({"type": "bye", "exitCode": 0, "steps": 0})[0], "invalid")

    def test_nested_shapes(self):
        step = {"type": "step", "index": 0, "t": 0, "ms": 1, "stages": {"data": 1}}
        self.assertIsNone(validate_event(step))
        self.assertEqual(validate_event(dict(step, stages={"data": -1}))[0], "invalid")
        self.assertEqual(validate_event(dict(step, device={"data": "x"}))[0], "invalid")
        lines = {"type": "lines", "t": 0, "periodMs": 1, "samples": 1}
        entry = {"file": "/a.py", "line": 1, "stage": "none", "count": 1}
        self.assertIsNone(validate_event(dict(lines, entries=[entry])))
        self.assertEqual(validate_event(dict(lines, entries=[dict(entry, stage="warp")]))[0], "invalid")
        self.assertEqual(validate_event(dict(lines, entries=[dict(entry, path=[1])]))[0], "invalid")


class Encoding(unittest.TestCase):
    def test_step_records_become_valid_step_events_whose_stages_add_up(self):
        record = (3, 1000.0, 40.0, 64, 20.0, 8.0, 9.0, 2.0, {"forward": 3.5}, 4096, 4, 1.25)
        line = channel.encode(record)
        self.assertTrue(line.endswith("\n"))
        self.assertIsNone(validate_line(line))
        event = json.loads(line)
        self.assertAlmostEqual(sum(event["stages"].values()), event["ms"], places=6)
        self.assertEqual(event["device"], {"forward": 3.5})
        self.assertEqual((event["tokens"], event["micro"], event["dataCpuMs"]), (4096, 4, 1.25))

    def test_rounding_never_makes_other_negative(self):
        event = json.loads(channel.encode((0, 0.0, 1.0, None, 0.5, 0.5000001, 0.0, 0.0, None, None, None, None)))
        self.assertGreaterEqual(event["stages"]["other"], 0)
        self.assertFalse({"device", "tokens", "micro", "dataCpuMs"} & set(event))


if __name__ == "__main__":
    unittest.main()
