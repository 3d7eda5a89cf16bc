"""Validates runner events against the wire table, with the same rules as src/protocol/decode.ts.

Both sides are tested against test/fixtures/protocol/{valid,invalid}.jsonl, so the TypeScript
decoder and this runner cannot drift apart without a test failing.
"""
import json
import math

from .wire import EVENTS

# Mirrors STAGE_NAMES in src/protocol/events.ts (wire.json does not carry the stage names yet).
STAGES = frozenset(("data", "forward", "backward", "forwardBackward", "optimizer", "other"))
SAMPLE_STAGES = STAGES | {"startup", "none"}


def validate_line(line):
    """Returns None when the line is a valid event, else (reason, detail) with reason one of
    'malformed', 'unknown-type', 'invalid'."""
    try:
        value = json.loads(line, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        # Python's decoder recurses: arrays nested past the recursion limit raise RecursionError.
        return ("malformed", "not JSON")
    return validate_event(value)


def validate_event(value):
    if not isinstance(value, dict):
        return ("malformed", "not a JSON object")
    kind = value.get("type")
    if not isinstance(kind, str) or kind not in EVENTS:
        return ("unknown-type", str(kind))
    for name, spec in EVENTS[kind].items():
        optional = spec.endswith("?")
        field_kind = spec[:-1] if optional else spec
        field = value.get(name)
        if field is None:
            if optional:
                continue
            return ("invalid", "%s.%s is missing" % (kind, name))
        if not _has_kind(field, field_kind):
            return ("invalid", "%s.%s is not %s" % (kind, name, field_kind))
    if kind == "step":
        if not _is_stage_times(value["stages"]):
            return ("invalid", "step.stages must map stage names to ms")
        if value.get("device") is not None and not _is_stage_times(value["device"]):
            return ("invalid", "step.device must map stage names to ms")
    if kind == "lines" and not all(_is_line_entry(e) for e in value["entries"]):
        return ("invalid", "lines.entries has a bad entry")
    return None


def _reject_constant(name):
    # JavaScript's JSON.parse rejects NaN and Infinity; Python's json would accept them.
    raise ValueError(name)


def _is_number(value):
    # bool is an int subclass in Python; JSON true is not a number.
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        # A JSON integer past the float range is Infinity to JavaScript; to Python an int that
        # math.isfinite cannot convert (OverflowError).
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _is_int(value):
    # JSON has one number type: 3.0 is an integer to JavaScript's Number.isInteger.
    return _is_number(value) and float(value).is_integer()


def _has_kind(value, kind):
    if kind == "string":
        return isinstance(value, str)
    if kind == "number":
        return _is_number(value)
    if kind == "int":
        return _is_int(value)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "string[]":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return False


def _is_stage_times(value):
    return isinstance(value, dict) and all(
        k in STAGES and _is_number(v) and v >= 0 for k, v in value.items()
    )


def _is_line_entry(value):
    return (
        isinstance(value, dict)
        and isinstance(value.get("file"), str)
        and _is_int(value.get("line"))
        and isinstance(value.get("stage"), str)  # a list or dict is unhashable: `in` would raise
        and value.get("stage") in SAMPLE_STAGES
        and _is_int(value.get("count"))
        and ("ms" not in value or (_is_number(value["ms"]) and value["ms"] >= 0))
        and ("path" not in value or (isinstance(value["path"], list) and all(isinstance(p, str) for p in value["path"])))
    )
