"""Everything that changes a run: create, cancel, finalize, declare lost. The only writer of Run."""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

from celery import Celery
from django.conf import settings
from django.utils import timezone

from playground import ratelimit
from playground.runs import streams
from playground.runs.models import TERMINAL, Run

DEVICE_ORDER = ("tpu", "gpu", "cpu")
QUEUED_TOO_LONG = dt.timedelta(minutes=15)
IN_FLIGHT_AT_MOST = dt.timedelta(minutes=5)

_celery: Celery | None = None


class NoWorker(Exception):
    """No live worker serves the device class asked for."""


class NotStoredYet(Exception):
    """A finished run whose row is not written (yet)."""


class RateLimited(Exception):
    """The session started more runs than RUN_RATE_LIMIT allows."""


def celery() -> Celery:
    global _celery
    if _celery is None:
        _celery = Celery("playground", broker=settings.CELERY_BROKER_URL)
        _celery.conf.update(task_ignore_result=True, broker_connection_retry_on_startup=True,
                            broker_transport=settings.CELERY_BROKER_TRANSPORT)
    return _celery


def admit(run_id: str, session_key: str, device: str) -> str:
    """Count the run against its session's rate limit and runs in flight, pick the device class
    that will run it from the live heartbeats and record its owner beside its stream: one Redis
    round trip. A refused run leaves nothing behind."""
    now = time.time()
    in_flight = streams.in_flight_key(session_key)
    pipe = streams.client().pipeline(transaction=False)
    ratelimit.count(pipe, "runs", session_key, settings.RUN_RATE_LIMIT)
    pipe.hgetall(streams.WORKERS_KEY)
    pipe.set(streams.owner_key(run_id), session_key, ex=settings.STREAM_TTL_SECONDS)
    # A run never stored as finished (its worker and the web side both lost) stops counting.
    pipe.zremrangebyscore(in_flight, "-inf", now - IN_FLIGHT_AT_MOST.total_seconds())
    pipe.zadd(in_flight, {run_id: now})
    pipe.zcard(in_flight)
    pipe.expire(in_flight, int(IN_FLIGHT_AT_MOST.total_seconds()))
    hits, _, heartbeats, _, _, _, flying, _ = pipe.execute()
    try:
        if ratelimit.exceeded(hits, settings.RUN_RATE_LIMIT):
            raise RateLimited("Too many runs in a short time: wait a moment and run again.")
        if flying > settings.RUN_MAX_IN_FLIGHT:
            raise RateLimited(f"This browser already has {flying - 1} runs queued or running: "
                              f"wait for one to finish.")
        return resolve_device(device, streams.live_classes(heartbeats))
    except (RateLimited, NoWorker):
        forget = streams.client().pipeline(transaction=False)
        forget.delete(streams.owner_key(run_id))
        forget.zrem(in_flight, run_id)
        forget.execute()
        raise


def resolve_device(requested: str, live: dict[str, list[dict[str, Any]]]) -> str:
    if requested == "auto":
        for name in DEVICE_ORDER:
            if live.get(name):
                return name
        raise NoWorker("No worker is online right now, so nothing can run. Try again shortly.")
    if not live.get(requested):
        raise NoWorker(f"No {requested.upper()} worker is online right now. "
                       f"Pick another device or 'auto'.")
    return requested


def create_run(session_key: str, *, code: str, mode: str, device: str, concept: str,
               seed: int | None, keras_graphs: bool = False) -> Run:
    """Enqueue the run on its device's queue, then store it.

    The worker needs nothing from the row, so it starts while the row is written; the socket
    learns the owner from Redis, and the row is read only once the run is done."""
    run = Run(session_key=session_key, code=code, mode=mode, concept=concept, seed=seed)
    run.device = device_class = admit(run.id, session_key, device)
    options = {"mode": mode, "seed": seed, "keras_graphs": keras_graphs}
    celery().send_task("trainer.execute_run", args=[run.id, code, options], queue=device_class)
    run.save(force_insert=True)
    return run


def get_owned(run_id: str, session_key: str | None) -> Run | None:
    if not session_key:
        return None
    return Run.objects.filter(id=run_id, session_key=session_key).first()


def cancel_run(run: Run) -> None:
    streams.client().set(streams.cancel_key(run.id), "1", ex=settings.STREAM_TTL_SECONDS)


def finalize_run(run_id: str, events: list[dict[str, Any]] | None = None,
                 run: Run | None = None) -> bool:
    """Persist the stream of a finished run into its row, once: one UPDATE of an unfinished row.
    True when this call stored it. `events` when the caller has just read the stream, so it is
    not read twice; `run`, the caller's copy of the row, is brought up to date."""
    if events is None:
        events = streams.read_all(run_id)
    if not events or events[-1]["type"] != "done":
        return False
    done = events[-1]
    status_event = next((e for e in events if e["type"] == "status"), None)
    finished = timezone.now()
    fields = {
        "status": done["status"], "events": events, "duration_ms": done.get("duration_ms"),
        "exit_code": done.get("exit_code"), "runtime": (status_event or {}).get("runtime", {}),
        "finished": finished,
        "started": finished - dt.timedelta(milliseconds=done.get("duration_ms") or 0),
    }
    unfinished = Run.objects.filter(id=run_id).exclude(status__in=TERMINAL)
    if unfinished.update(**fields):
        owner = streams.client().get(streams.owner_key(run_id))
        if owner is not None:
            streams.client().zrem(streams.in_flight_key(owner.decode()), run_id)
        if run is not None:
            for name, value in fields.items():
                setattr(run, name, value)
        return True
    if not Run.objects.filter(id=run_id).exists():
        # The task is sent before the row is written: a run can end before its row exists.
        raise NotStoredYet(run_id)
    if run is not None:
        run.refresh_from_db()  # another finalizer stored it first
    return False


def declare_lost_if_stale(run: Run, events: list[dict[str, Any]]) -> bool:
    """End a run whose worker went silent: a `done` with status worker-lost, if nobody wrote one."""
    if events and events[-1]["type"] == "done":
        return False
    now = timezone.now()
    if events:
        started_at = events[0].get("started_at") or run.created.timestamp()
        silent_for = now.timestamp() - started_at - events[-1]["t"] / 1000
        # Resource samples arrive every second while a run is alive.
        if silent_for < settings.RUN_STALE_SECONDS:
            return False
    elif now - run.created < QUEUED_TOO_LONG:
        return False
    seq = events[-1]["seq"] + 1 if events else 1
    t = events[-1]["t"] if events else 0
    return streams.append_terminal(run.id, seq, {
        "type": "done", "t": t, "status": "worker-lost", "duration_ms": t, "exit_code": -1,
    })


def record(run: Run) -> dict[str, Any]:
    """The run as `GET /api/runs/<id>` shows it, live or finished."""
    if run.is_finished:
        events = run.events
        status = run.status
    else:
        events = streams.read_all(run.id)
        if declare_lost_if_stale(run, events):
            events = streams.read_all(run.id)
        if events and events[-1]["type"] == "done":
            finalize_run(run.id, events, run)
        status = run.status if run.is_finished else ("running" if events else "queued")
    status_event = next((e for e in events if e["type"] == "status"), None)
    return {
        "id": run.id,
        "status": status,
        "code": run.code,
        "mode": run.mode,
        "device": run.device,
        "concept": run.concept or None,
        "seed": run.seed,
        "created": run.created.isoformat(),
        "started": run.started.isoformat() if run.started else None,
        "finished": run.finished.isoformat() if run.finished else None,
        "duration_ms": run.duration_ms,
        "exit_code": run.exit_code,
        "events": events,
        "runtime": run.runtime or (status_event or {}).get("runtime", {}),
    }


def run_record(run_id: str, session_key: str | None) -> dict[str, Any] | None:
    """The record of a run this session owns, or None (unknown run or someone else's)."""
    run = get_owned(run_id, session_key)
    return record(run) if run else None


__all__ = ["TERMINAL", "NoWorker", "NotStoredYet", "RateLimited", "cancel_run", "create_run",
           "finalize_run", "get_owned", "record", "run_record"]
