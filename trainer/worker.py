"""The state of one worker process: its zygote pool, its Redis client, its heartbeat."""
from __future__ import annotations

import logging
import os
import threading
from typing import Any

import redis

from trainer import devices
from trainer.events import EventStream, cancel_key, stream_key
from trainer.pool import Pool
from trainer.supervisor import Supervisor

log = logging.getLogger(__name__)


class _State:
    lock = threading.Lock()
    pool: Pool | None = None
    client: redis.Redis | None = None
    heartbeat: devices.Heartbeat | None = None
    device_class: str = "cpu"


state = _State()


def redis_client() -> redis.Redis:
    if state.client is None:
        state.client = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return state.client


def start() -> None:
    """Start the zygote, wait for its first warm spare, then announce this worker (once)."""
    with state.lock:
        if state.pool is None:
            _start()


def _start() -> None:
    state.device_class = devices.detect_class()
    concurrency = int(os.environ.get("TRAINER_CONCURRENCY", 2))
    state.pool = Pool(state.device_class, concurrency)
    state.pool.start()
    info = state.pool.info()
    state.pool.hold_spares()
    runtime = info.get("runtime") or {}
    state.heartbeat = devices.Heartbeat(redis_client(), state.device_class, {
        "tf_devices": runtime.get("devices", []), "runtime": runtime,
        "slots": concurrency, "sandbox": state.pool.sandbox,
    })
    state.heartbeat.start()


def stop() -> None:
    if state.heartbeat:
        state.heartbeat.stop()
    if state.pool:
        state.pool.stop()


def execute(run_id: str, code: str, options: dict[str, Any]) -> None:
    """Run one snippet from start to `done`, whatever happens to it."""
    client = redis_client()
    # One round trip: was this run started before (a redelivery), and was it cancelled already?
    pipe = client.pipeline(transaction=False)
    pipe.xrevrange(stream_key(run_id), count=1)
    pipe.exists(cancel_key(run_id))
    last, cancelled_early = pipe.execute()
    stream = EventStream(client, run_id, last=last)
    if stream.started_before:
        # A redelivered task whose first attempt died with its worker: never run code twice.
        stream.add("done", status="worker-lost", duration_ms=0, exit_code=-1)
        stream.flush()
    elif cancelled_early:
        stream.add("done", status="cancelled", duration_ms=0, exit_code=-1)
        stream.flush()
    else:
        start()
        assert state.pool is not None
        supervisor = Supervisor(stream, state.pool, state.pool.limits,
                                cancelled=lambda: bool(client.exists(cancel_key(run_id))),
                                device=state.device_class)
        job = {"code": code, "mode": options.get("mode", "eager"), "seed": options.get("seed"),
               "keras_graphs": bool(options.get("keras_graphs"))}
        try:
            supervisor.run(job)
        except Exception as exc:  # noqa: BLE001 - the run must end with `done`, whatever broke
            log.exception("run %s failed in the supervisor", run_id)
            stream.add("stderr", text=f"The worker could not run this snippet: {exc}\n")
            stream.add("done", status="killed", duration_ms=stream.elapsed_ms(), exit_code=-1)
            stream.flush()
    from trainer.celery import app

    app.send_task("playground.finalize_run", args=[run_id], queue="web")
