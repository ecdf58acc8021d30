"""What the recorder's CPU costs per stored run, in-process: runs that finish one at a time, then
ten at once, each a row and a stream as a trivial run leaves them (status, stdout, done).

The recorder reads its own group on a Redis database of its own (REDIS_URL, database 12 unless it
says; its keys are deleted afterwards) and a fresh SQLite database.

    .venv/bin/python bench/recorder_cost.py [--runs 200]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    tmp = tempfile.mkdtemp(prefix="tfpg-recorder-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
    os.environ["DJANGO_SETTINGS_MODULE"] = "playground.settings"
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def finish(client: object, run_ids: list[str]) -> None:
    """Rows and finished streams of `run_ids`, as the POST and the supervisor leave them."""
    from contract import keys
    from contract.events import encode_event
    from playground.runs.models import Run

    events: list[tuple[str, dict[str, Any]]] = [
        ("status", {"status": "running", "started_at": time.time(), "runtime": {}}),
        ("stdout", {"text": "hi\n"}),
        ("done", {"status": "succeeded", "duration_ms": 3, "exit_code": 0})]
    for run_id in run_ids:
        Run.objects.create(id=run_id, session_key="bench", code="print('hi')")
        pipe = client.pipeline()  # type: ignore[attr-defined]
        for seq, (kind, fields) in enumerate(events, 1):
            pipe.xadd(keys.stream_key(run_id), {keys.STREAM_FIELD: encode_event(
                seq, kind, seq, fields)}, id=keys.entry_id(seq))
        pipe.set(keys.owner_key(run_id), "bench")
        pipe.zadd(keys.in_flight_key("bench"), {run_id: time.time()})
        pipe.xadd(keys.FINISHED_STREAM, {"run": run_id})
        pipe.execute()


def cpu_per_run(runs: int, batch: int, made: list[str]) -> float:
    """Milliseconds of this process's CPU per run stored, `batch` runs finishing at once."""
    from playground.runs import recorder, streams

    rec = recorder.Recorder(streams.client(), "bench")
    spent = 0.0
    for _ in range(runs // batch):
        run_ids = [f"bench-{batch}-{len(made) + i}" for i in range(batch)]
        made += run_ids
        finish(streams.client(), run_ids)
        began, stored = time.process_time(), 0
        while stored < batch:
            stored += rec.step(block_ms=100)
        spent += time.process_time() - began
    return spent * 1000 / (runs // batch * batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    setup()
    from contract import keys
    from playground.runs import streams

    made: list[str] = []
    try:
        for batch in (1, 10):
            print(f"runs finishing {batch:>2} at a time: "
                  f"{cpu_per_run(args.runs, batch, made):.3f} ms of CPU per run stored")
    finally:
        client = streams.client()
        for run_id in made:
            client.delete(keys.stream_key(run_id), keys.owner_key(run_id))
        client.delete(keys.FINISHED_STREAM, keys.in_flight_key("bench"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
