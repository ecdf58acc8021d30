"""A child that abuses its event pipe and its output, through the public contract: whatever it
writes, the supervisor keeps its caps, the run ends with one `done` and the child is gone."""
from __future__ import annotations

import json
from typing import Any

import pytest

from contract.limits import Limits
from tests.live import LiveClient
from tests.trainer.test_jail_attacks import attack, done, stdout  # noqa: F401 - the fixture

pytestmark = pytest.mark.sandbox
LIMITS = Limits.from_env()


def of_type(record: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e for e in record["events"] if e["type"] == kind]


def assert_one_done_and_gapless(record: dict[str, Any]) -> None:
    seqs = [e["seq"] for e in record["events"]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [e["type"] for e in record["events"]].count("done") == 1


@pytest.mark.parametrize("forged", ["type_", "self", "seq", "t", "kind", "fields", "status"])
def test_fields_a_child_forges_on_its_events_are_dropped(attack, forged):  # noqa: F811
    line = json.dumps({"type": "trace", "function": "f", "count": 1, forged: "x"})
    record = attack(f"import os\nos.write(3, {line.encode()!r} + b'\\n')\nprint('after')\n")
    assert done(record)["status"] == "succeeded"
    (trace,) = of_type(record, "trace")
    assert forged not in trace or trace[forged] != "x"
    assert stdout(record) == "after\n"
    assert_one_done_and_gapless(record)


def test_a_forged_memory_error_does_not_make_the_run_oom(attack):  # noqa: F811
    line = json.dumps({"type": "error", "exc_type": "MemoryError", "message": "forged",
                       "traceback": [1, {}], "line": "x"})
    record = attack(f"import os\nos.write(3, {line.encode()!r} + b'\\n')\n")
    assert done(record)["status"] == "succeeded"
    code = f"import os, sys\nos.write(3, {line.encode()!r} + b'\\n')\nsys.exit(3)\n"
    assert done(attack(code))["status"] == "failed"


def test_every_byte_on_the_event_pipe_counts_toward_its_cap(attack):  # noqa: F811
    """Invalid lines and a line without end cost the child its budget, not the worker's CPU."""
    code = """
import os
junk = b"x" * 65536
for _ in range(200):
    os.write(3, b"not an event\\n" * 100 + junk)
print("done writing")
"""
    record = attack(code)
    assert done(record)["status"] == "succeeded" and stdout(record) == "done writing\n"
    (note,) = [e for e in of_type(record, "truncated") if e["stream"] == "events"]
    written = 200 * (13 * 100 + 65536)
    assert note["dropped_bytes"] >= written - LIMITS.event_bytes
    assert_one_done_and_gapless(record)


def test_alternating_tiny_writes_become_a_few_events_per_interval(attack):  # noqa: F811
    code = """
import os, time
end = time.monotonic() + 1.0
n = 0
while time.monotonic() < end:
    os.write(1, b"o"); os.write(2, b"e"); n += 1
print("", n)
"""
    record = attack(code)
    outputs = of_type(record, "stdout") + of_type(record, "stderr")
    writes = int(stdout(record).split()[-1])
    # At most one event per stream per 20 ms batch, whatever the number of writes.
    assert len(outputs) <= 2 * (done(record)["duration_ms"] // 20 + 2)
    assert writes > len(outputs)
    assert stdout(record).count("o") == writes


def test_what_one_run_stores_is_capped(live_client: LiveClient):
    code = """
import os, json
print("x" * (6 * 1024 * 1024))
event = json.dumps({"type": "autograph", "function": "f", "code": "y" * 1_000_000})
for _ in range(8):
    os.write(3, event.encode() + b"\\n")
"""
    record = live_client.run(code)
    size = len(json.dumps(record["events"]))
    assert size <= LIMITS.output_bytes + LIMITS.event_bytes + 64 * 1024
    dropped = {e["stream"] for e in of_type(record, "truncated")}
    assert dropped == {"stdout", "events"}
    assert_one_done_and_gapless(record)


def test_a_finished_run_reports_its_peak_memory_and_cpu(live_client: LiveClient):
    record = live_client.run("print(sum(range(10)))")
    final = done(record)
    assert final["peak_mb"] > 0 and final["cpu_s"] >= 0
    assert of_type(record, "resources"), "a short run still reports its resources"
