"""JSON Schemas of the API's bodies and answers, their enums taken from contract/ and the code."""
from __future__ import annotations

from typing import Any, get_args

from contract.events import (
    CHILD_EVENTS,
    ENVELOPE,
    EVENT_TYPES,
    LIVE_STATUSES,
    PASS_FIELD,
    PASSES,
    RUN_STATUSES,
    SUPERVISOR_EVENTS,
    TERMINAL_STATUSES,
    Types,
)
from contract.job import (
    DEFAULT_DEVICE,
    DEFAULT_MODE,
    DEVICE_CHOICES,
    DEVICE_CLASSES,
    MODES,
    SEED_RANGE,
)
from playground.api import Code
from playground.concepts.checks import KINDS, LANGUAGES
from playground.editing import ruff
from playground.ops import health
from playground.runs.api import CONCEPT_MAX
from playground.runs.api import SLUG as CONCEPT_SLUG

Schema = dict[str, Any]
# The `slug` path converter's pattern: run ids and share slugs are `secrets.token_urlsafe`.
SLUG = "^[-a-zA-Z0-9_]+$"
ERROR_CODES: tuple[Code, ...] = get_args(Code)
JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean", list: "array",
              dict: "object"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def enum(values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return {"type": "object", "required": list(required),
            "properties": {**required, **(optional or {})}}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


STRING: Schema = {"type": "string"}
NO_NUL: Schema = {"type": "string", "pattern": "^[^\\u0000]*$"}  # Python cannot compile a NUL
INTEGER: Schema = {"type": "integer"}
COUNT: Schema = {"type": "integer", "minimum": 0}
TIME: Schema = {"type": "string", "format": "date-time"}
TEXT = obj({lang: STRING for lang in LANGUAGES})  # human-readable text in every language


def error_schema(codes: list[Code]) -> Schema:
    """`{"error": {"code", "message", "field"?}}` with the codes one answer may carry."""
    return obj({"error": obj({"code": enum(list(codes)), "message": STRING},
                             {"field": STRING})})


def event_schema() -> Schema:
    """Every event: the envelope, and the fields contract.events declares for its type."""
    envelope = {"seq": {"type": "integer", "minimum": 1}, "t": {"type": "integer", "minimum": 0}}
    # Any event of a compare_eager run's second pass carries the supervisor's pass tag.
    tag = {PASS_FIELD: {**enum(PASSES), "description": "set by the supervisor: the event "
                        "belongs to that pass of a `compare_eager` run"}}
    kinds = [obj({**envelope, "type": {"const": kind}},
                 {**tag, **{name: {} for name in fields if name not in ENVELOPE}})
             for kind, fields in SUPERVISOR_EVENTS.items()]
    kinds += [obj({**envelope, "type": {"const": kind},
                   **{name: typed(expected) for name, expected in spec.required.items()}},
                  {**tag, **{name: {} for name in spec.optional}})
              for kind, spec in CHILD_EVENTS.items()]
    by_type = {"status": {"status": enum(LIVE_STATUSES)}, "done": {"status": enum(
        TERMINAL_STATUSES)}}
    for schema in kinds:
        schema["properties"].update(by_type.get(schema["properties"]["type"]["const"], {}))
    return {"type": "object", "required": [*ENVELOPE], "properties": {
        "type": enum(EVENT_TYPES)}, "oneOf": kinds}


def typed(expected: Types) -> Schema:
    options = expected if isinstance(expected, tuple) else (expected,)
    return {"type": [JSON_TYPES[t] for t in options]} if all(
        t in JSON_TYPES for t in options) else {}


RUN_RECORD = obj({
    "id": STRING, "status": enum(RUN_STATUSES), "code": STRING, "mode": enum(MODES),
    "device": enum(DEVICE_CLASSES), "concept": nullable(STRING), "seed": nullable(INTEGER),
    "created": TIME, "started": nullable(TIME), "finished": nullable(TIME),
    "duration_ms": nullable(INTEGER), "exit_code": nullable(INTEGER),
    "events": {"type": "array", "items": ref("Event")}, "runtime": {"type": "object"},
})
CHECK: Schema = {"type": "object", "required": ["kind"], "properties": {"kind": enum(
    list(KINDS))}}
CONCEPT_SUMMARY = obj({"slug": STRING, "order": INTEGER, "title": ref("Text"),
                       "summary": ref("Text"), "related": {"type": "array", "items": STRING}})
EXAMPLE = obj({"id": STRING, "title": ref("Text"), "code": STRING, "mode": enum(MODES),
               "compare_eager": {"type": "boolean"},
               "expect": {"type": "array", "items": ref("Check")}})
TOUR_SUMMARY = obj({"slug": STRING, "order": INTEGER, "title": ref("Text"),
                    "summary": ref("Text"), "concepts": {"type": "array", "items": STRING},
                    "step_count": {"type": "integer", "minimum": 0}})
STEP = obj({"n": INTEGER, "title": ref("Text"), "text": ref("Text"), "code": STRING,
            "mode": enum(MODES), "compare_eager": {"type": "boolean"},
            "hints": {"type": "array", "items": ref("Text")}},
           {"check": {"type": "array", "items": ref("Check")}, "solution": STRING})

LINE: Schema = {"type": "integer", "minimum": 1}
DIAGNOSTIC = obj({"line": LINE, "column": LINE, "end_line": LINE, "end_column": LINE,
                  "rule": {"type": "string", "description": "ruff's rule code (F821), or "
                           f"`{ruff.SYNTAX}` for a syntax error"},
                  "message": STRING, "severity": enum(sorted(set(ruff.RULES.values())))})

# compare_eager compares tf.function with eager execution: the run's mode must be TF2's, the
# default one (a TF1 graph run has no tf.function to compare; 400 `invalid` otherwise).
COMPARES_EAGER_ONLY: Schema = {
    "if": {"required": ["compare_eager"], "properties": {"compare_eager": {"const": True}}},
    "then": {"properties": {"mode": {"const": DEFAULT_MODE}}}}

COMPONENTS: dict[str, Schema] = {
    "Text": TEXT,
    "Event": event_schema(),
    "RunRequest": {**obj({"code": {**NO_NUL, "description": "The program to run: at most "
                                "RUN_MAX_CODE_BYTES of UTF-8, no lone surrogate."}}, {
        "mode": {**enum(MODES), "default": DEFAULT_MODE},
        "device": {**enum(DEVICE_CHOICES), "default": DEFAULT_DEVICE},
        "concept": nullable({
            "type": "string", "maxLength": CONCEPT_MAX, "pattern": f"^(?:{CONCEPT_SLUG.pattern})$",
            "description": "The slug of a concept of the catalogue (`GET /api/concepts`); "
                           "another is 400 `invalid`. Null or empty for none."}),
        "seed": nullable({"type": "integer", "minimum": SEED_RANGE[0],
                          "maximum": SEED_RANGE[1] - 1}),
        "keras_graphs": {"type": "boolean", "default": False},
        "compare_eager": {"type": "boolean", "default": False, "description": (
            "Run the snippet a second time in a fresh sandbox with tf.function running "
            "eagerly; that pass's events carry `pass: \"eager\"`. Mode eager only.")},
        "stdin": {**NO_NUL, "default": "", "description": (
            "What the program's standard input reads (`input()`, `sys.stdin`), then end of "
            "file: at most RUN_MAX_STDIN_BYTES of UTF-8; over it is 413 `too_large`.")},
    }), **COMPARES_EAGER_ONLY},
    "RunCreated": obj({"id": STRING, "status": enum(LIVE_STATUSES), "ws": STRING, "url": STRING}),
    "RunRecord": RUN_RECORD,
    "Cancelling": obj({"id": STRING, "status": {"const": "cancelling"}}),
    "Share": obj({"slug": STRING, "url": STRING}),
    "SharedRecord": {"allOf": [ref("RunRecord"), obj({"shared": TIME})]},
    "Devices": obj({"devices": {"type": "array", "items": obj({
        "class": enum(DEVICE_CLASSES), "workers": {"type": "integer", "minimum": 1},
        "tf_devices": {"type": "array", "items": STRING}, "runtime": {"type": "object"},
        "sandbox": nullable(STRING), "simulated": {"type": "boolean"},
        "slots": COUNT, "free_slots": COUNT, "warm_spares": nullable(COUNT), "queue_depth": COUNT,
        "wait_s": nullable({"type": "number", "minimum": 0}),
        "hosts": {"type": "array", "items": obj({
            "host": STRING, "slots": COUNT, "busy": COUNT, "spares": nullable(COUNT),
            "simulated": {"type": "boolean"}, "hardware": {"type": "object"}})}})}}),
    "Check": CHECK,
    "ConceptSummary": CONCEPT_SUMMARY,
    "Concept": {"allOf": [ref("ConceptSummary"), obj({
        "definition": ref("Text"), "explanation": ref("Text"), "uses": ref("Text"),
        "examples": {"type": "array", "items": EXAMPLE}})]},
    "TourSummary": TOUR_SUMMARY,
    "Tour": {"allOf": [ref("TourSummary"), obj({"steps": {"type": "array", "items": STEP}})]},
    "StepCheckRequest": obj({"run": {"type": "string", "minLength": 1}}),
    "StepCheckResult": obj({"passed": {"type": "boolean"}, "results": {
        "type": "array", "items": obj({"kind": enum(list(KINDS)), "passed": {"type": "boolean"},
                                       "message": ref("Text"), "detail": ref("Text")})}}),
    "CodeText": obj({"code": {**NO_NUL, "description": "The snippet: at most EDIT_MAX_BYTES of "
                              "UTF-8 (413 `too_large` over it), no lone surrogate."}}),
    "Diagnostic": DIAGNOSTIC,
    "Formatted": obj({"code": STRING, "changed": {"type": "boolean"},
                      "problem": nullable(ref("Diagnostic"))}),
    "Diagnostics": obj({"diagnostics": {"type": "array", "items": ref("Diagnostic")}}),
    "Health": obj({"redis": enum([health.OK, health.ERROR]),
                   "database": enum([health.OK, health.ERROR]),
                   "workers": {"type": "object", "propertyNames": enum(DEVICE_CLASSES),
                               "additionalProperties": {"type": "integer", "minimum": 1}}}),
}
