"""What a comparison needs of a run record, and no more: the code, the outcome and runtime,
the output as plain text, the metrics, the last model and the data pipelines' throughput."""
from __future__ import annotations

import re
from typing import Any

OUTPUT_MAX = 200_000  # characters of output compared
METRICS_MAX = 5000
# Terminal control sequences (CSI and OSC) that Keras and others write even off a terminal.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")


def _line(line: str) -> str:
    """A line as a terminal leaves it: escapes gone, the text after the last \\r, \\b erasing."""
    line = _ESCAPES.sub("", line).rsplit("\r", 1)[-1]
    shown: list[str] = []
    for char in line:
        if char == "\b":
            if shown:
                shown.pop()
        elif char.isprintable() or char == "\t":
            shown.append(char)
    return "".join(shown).rstrip()


def plain_output(events: list[dict[str, Any]]) -> str:
    """stdout and stderr in the order they came, as plain lines (the first pass only)."""
    text = "".join(str(e.get("text", "")) for e in events
                   if e.get("type") in ("stdout", "stderr") and not e.get("pass"))
    return "\n".join(_line(line) for line in text[:OUTPUT_MAX].split("\n")).rstrip("\n")


def _runtime(record: dict[str, Any]) -> dict[str, Any]:
    runtime = dict(record.get("runtime") or {})
    status = next((e for e in record.get("events") or [] if e.get("type") == "status"
                   and isinstance(e.get("runtime"), dict)), None)
    if status is not None:
        runtime = {**status["runtime"], **runtime}
    return {key: runtime.get(key) for key in ("tensorflow", "keras", "python", "device", "host",
                                              "sandbox") if runtime.get(key) is not None}


def summarize(record: dict[str, Any], *, ref: str, shared: bool, url: str) -> dict[str, Any]:
    events = [e for e in record.get("events") or [] if isinstance(e, dict) and not e.get("pass")]
    metrics = [{k: e.get(k) for k in ("phase", "scope", "epoch", "step", "logs")}
               for e in events if e.get("type") == "metrics"][:METRICS_MAX]
    models = [e for e in events if e.get("type") == "model"]
    errors = [e for e in events if e.get("type") == "error"]
    throughput = [{k: e.get(k) for k in ("id", "consumer", "iteration", "elements", "examples",
                                         "per_second", "examples_per_second", "ms_per_element")}
                  for e in events if e.get("type") == "dataset_stats" and e.get("final")]
    return {
        "ref": ref, "shared": shared, "url": url,
        "status": record.get("status"), "code": str(record.get("code") or ""),
        "mode": record.get("mode"), "device": record.get("device"),
        "seed": record.get("seed"), "concept": record.get("concept"),
        "duration_ms": record.get("duration_ms"), "created": record.get("created"),
        "runtime": _runtime(record), "output": plain_output(events), "metrics": metrics,
        "model": models[-1] if models else None,
        "error": {k: errors[-1].get(k) for k in ("exc_type", "message", "line")}
        if errors else None,
        "throughput": throughput,
    }
