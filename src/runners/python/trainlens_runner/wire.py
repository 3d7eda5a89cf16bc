# Generated from src/protocol/wire.json by esbuild.js: do not edit by hand.
VERSION = 1
EVENTS = {
    "hello": {
        "v": "int",
        "token": "string",
        "runner": "string",
        "pid": "int",
        "runtime": "string",
        "script": "string",
        "argv": "string[]",
        "cwd": "string",
        "sampleHz": "number",
        "longRunSampleHz": "number?",
        "longRunAfterS": "number?",
        "timeOriginMs": "number",
        "rank": "int?",
        "worldSize": "int?",
        "localRank": "int?",
        "node": "string?",
        "job": "string?"
    },
    "framework": {
        "name": "string",
        "version": "string",
        "package": "string?",
        "device": "string",
        "stages": "string[]",
        "deviceTiming": "boolean?"
    },
    "loader": {
        "kind": "string",
        "file": "string",
        "line": "int",
        "batchSize": "int?",
        "numWorkers": "int?",
        "pinMemory": "boolean?",
        "persistentWorkers": "boolean?",
        "prefetchFactor": "int?"
    },
    "optimizer": {
        "kind": "string",
        "file": "string?",
        "line": "int?",
        "closure": "boolean?",
        "foreach": "boolean?"
    },
    "step": {
        "index": "int",
        "t": "number",
        "ms": "number",
        "samples": "int?",
        "stages": "object",
        "device": "object?",
        "tokens": "int?",
        "micro": "int?",
        "dataCpuMs": "number?",
        "commMs": "number?",
        "commExposedMs": "number?"
    },
    "anchor": {
        "anchor": "string",
        "detail": "string?"
    },
    "eval": {
        "t": "number",
        "ms": "number",
        "batches": "int",
        "samples": "int?"
    },
    "lines": {
        "t": "number",
        "periodMs": "number",
        "samples": "int",
        "entries": "array"
    },
    "log": {
        "level": "string",
        "message": "string"
    },
    "error": {
        "message": "string",
        "excType": "string",
        "file": "string?",
        "line": "int?"
    },
    "ceiling": {
        "kind": "string",
        "batchesPerSec": "number",
        "steps": "int"
    },
    "bye": {
        "exitCode": "int?",
        "reason": "string",
        "steps": "int"
    }
}
