"""Everything that changes a run on the web side: create, cancel, store. The only writer of Run."""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any

from celery import Celery
from django.conf import settings
from django.db import transaction

from contract import keys
from contract.events import TERMINAL_STATUSES
from contract.job import DEVICE_CLASSES, EXECUTE_TASK, Job, queue_priority
from playground import ratelimit
from playground.runs import streams
from playground.runs.models import Run

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


@dataclass(frozen=True)
class Admission:
    device_class: str
    priority: int  # the run's place in its queue, from its session's runs in flight


def admit(run_id: str, session_key: str, address: str, device: str) -> Admission:
    """Count the run against its session's rate limit and against the runs in flight of its
    session and of its client address, pick the device class that will run it from the live
    heartbeats, and record its owner, address and place among the queued runs: one Redis round
    trip. A refused run leaves nothing behind."""
    now = time.time()
    pipe = streams.client().pipeline(transaction=False)
    ratelimit.count(pipe, "runs", session_key, settings.RUN_RATE_LIMIT)
    pipe.hgetall(keys.WORKERS_KEY)
    pipe.set(keys.owner_key(run_id), session_key, ex=keys.STREAM_TTL_SECONDS)
    pipe.set(keys.address_key(run_id), address, ex=keys.STREAM_TTL_SECONDS)
    pipe.hset(keys.QUEUED_KEY, run_id, json.dumps({"device": device, "at": now}))
    by_session = _count_in_flight(pipe, keys.in_flight_key(session_key), run_id, now)
    by_address = _count_in_flight(pipe, keys.address_in_flight_key(address), run_id, now)
    answers = pipe.execute()
    hits, heartbeats = answers[0], answers[2]
    flying, from_address = answers[by_session], answers[by_address]
    try:
        if ratelimit.exceeded(hits, settings.RUN_RATE_LIMIT):
            raise RateLimited("Too many runs in a short time: wait a moment and run again.")
        if flying > settings.RUN_MAX_IN_FLIGHT:
            raise RateLimited(f"This browser already has {flying - 1} runs queued or running: "
                              f"wait for one to finish.")
        if from_address > settings.RUN_MAX_IN_FLIGHT_PER_ADDRESS:
            raise RateLimited("Too many runs from this network address are queued or running: "
                              "wait for one to finish.")
        device_class = resolve_device(device, streams.live_classes(heartbeats))
    except (RateLimited, NoWorker):
        _forget(run_id, session_key, address)
        raise
    return Admission(device_class, queue_priority(flying))


def _count_in_flight(pipe: Any, key: str, run_id: str, now: float) -> int:
    """Queue on `pipe`: forget runs never stored as finished (their worker and the web side
    both lost), add this one, count, keep the set a while. Returns where the count's answer
    will be among the pipeline's answers."""
    pipe.zremrangebyscore(key, "-inf", now - IN_FLIGHT_AT_MOST.total_seconds())
    pipe.zadd(key, {run_id: now})
    pipe.zcard(key)
    at = len(pipe) - 1
    pipe.expire(key, int(IN_FLIGHT_AT_MOST.total_seconds()))
    return at


def _forget(run_id: str, session_key: str, address: str) -> None:
    forget = streams.client().pipeline(transaction=False)
    forget.delete(keys.owner_key(run_id), keys.address_key(run_id))
    forget.zrem(keys.in_flight_key(session_key), run_id)
    forget.zrem(keys.address_in_flight_key(address), run_id)
    forget.hdel(keys.QUEUED_KEY, run_id)
    forget.execute()


def resolve_device(requested: str, live: dict[str, list[dict[str, Any]]]) -> str:
    if requested == "auto":
        for name in DEVICE_CLASSES:
            if live.get(name):
                return name
        raise NoWorker("No worker is online right now, so nothing can run. Try again shortly.")
    if not live.get(requested):
        raise NoWorker(f"No {requested.upper()} worker is online right now. "
                       f"Pick another device or 'auto'.")
    return requested


def create_run(session_key: str, job: Job, *, device: str, concept: str,
               address: str = "") -> Run:
    """Store the run, then enqueue it on its device's queue: a run whose row could not be
    written never runs, and one that could not be sent leaves no row behind."""
    run = Run(session_key=session_key, code=job.code, mode=job.mode, concept=concept,
              seed=job.seed)
    admission = admit(run.id, session_key, address, device)
    run.device = admission.device_class
    try:
        run.save(force_insert=True)
    except Exception:
        _forget(run.id, session_key, address)
        raise
    try:
        celery().send_task(EXECUTE_TASK, args=[run.id, job.code, job.options()],
                           queue=admission.device_class, priority=admission.priority)
    except Exception:
        Run.objects.filter(id=run.id).delete()
        _forget(run.id, session_key, address)
        raise
    return run


def get_owned(run_id: str, session_key: str | None) -> Run | None:
    if not session_key:
        return None
    return Run.objects.filter(id=run_id, session_key=session_key).first()


def cancel_run(run: Run) -> None:
    streams.client().set(keys.cancel_key(run.id), "1", ex=keys.STREAM_TTL_SECONDS)


def outcome(events: list[dict[str, Any]], created: dt.datetime) -> dict[str, Any]:
    """What a run's events say of it: status, times, duration, exit code and runtime."""
    status_event = next((e for e in events if e["type"] == "status"), None)
    done = events[-1] if events and events[-1]["type"] == "done" else None
    started = None
    if status_event and isinstance(status_event.get("started_at"), (int, float)):
        started = dt.datetime.fromtimestamp(status_event["started_at"], tz=dt.UTC)
    fields: dict[str, Any] = {
        "status": "running" if events else "queued", "started": started, "finished": None,
        "duration_ms": None, "exit_code": None,
        "runtime": (status_event or {}).get("runtime", {}),
    }
    if done is not None:
        duration = done.get("duration_ms") or 0
        fields.update(status=done["status"], duration_ms=done.get("duration_ms"),
                      exit_code=done.get("exit_code"))
        fields["finished"] = (started or created) + dt.timedelta(milliseconds=duration)
    return fields


def finalize_run(run_id: str, events: list[dict[str, Any]] | None = None) -> bool:
    """Persist the stream of a finished run into its row, once: one UPDATE of an unfinished row.
    True when this call stored it; NotStoredYet when the row is not written yet."""
    stored = finalize_runs([run_id], {run_id: events} if events is not None else None)[run_id]
    if stored is None:
        # The task is sent before the row is written: a run can end before its row exists.
        raise NotStoredYet(run_id)
    return stored


def finalize_runs(run_ids: list[str], known: dict[str, list[dict[str, Any]]] | None = None,
                  release: Any = None) -> dict[str, bool | None]:
    """Persist finished runs into their rows, each once: one Redis round trip reads their streams
    (but those in `known`) and owners, one query finds their rows, one UPDATE per unfinished row,
    one round trip releases them (or `release`, a pipeline the caller sends with more). Per run:
    True when this call stored it, False when there is nothing to store (not ended, or stored
    already), None when its row is not written yet."""
    ids = list(dict.fromkeys(run_ids))
    read = streams.client().pipeline(transaction=False)
    for run_id in ids:
        if known is None or run_id not in known:
            read.xrange(keys.stream_key(run_id))
        read.mget(keys.owner_key(run_id), keys.address_key(run_id))
    answers = iter(read.execute())
    ended: dict[str, tuple[list[dict[str, Any]], list[bytes | None]]] = {}
    for run_id in ids:
        events = known[run_id] if known and run_id in known else streams.decode(next(answers))
        owners = next(answers)
        if events and events[-1]["type"] == "done":
            ended[run_id] = events, owners
    created = dict(Run.objects.filter(id__in=list(ended)).values_list("id", "created"))
    results: dict[str, bool | None] = {run_id: False for run_id in ids}
    # A single UPDATE commits alone; several share one commit.
    with transaction.atomic() if len(ended) > 1 else contextlib.nullcontext():
        for run_id, (events, _owners) in ended.items():
            results[run_id] = None if run_id not in created else _store(
                run_id, events, created[run_id])
    pipe = release if release is not None else streams.client().pipeline(transaction=False)
    _release(pipe, {run_id: owners for run_id, (_e, owners) in ended.items() if run_id in created})
    if release is None and len(pipe):
        pipe.execute()
    return results


def _store(run_id: str, events: list[dict[str, Any]], created: dt.datetime) -> bool:
    """One UPDATE of the run's row unless it is finished already; True when it wrote."""
    fields = {**outcome(events, created), "events": events}
    fields["started"] = fields["started"] or created
    return bool(Run.objects.filter(id=run_id).exclude(status__in=TERMINAL_STATUSES)
                .update(**fields))


def _release(release: Any, owners: dict[str, list[bytes | None]]) -> None:
    """Queue on `release`: stored runs stop counting in flight, their keys leave Redis soon."""
    for run_id, (owner, address) in owners.items():
        if owner is not None:
            release.zrem(keys.in_flight_key(owner.decode()), run_id)
        if address is not None:
            release.zrem(keys.address_in_flight_key(address.decode()), run_id)
        for key in (keys.stream_key(run_id), keys.owner_key(run_id), keys.address_key(run_id),
                    keys.cancel_key(run_id)):
            release.expire(key, keys.STORED_STREAM_TTL_SECONDS)


def forget_old_runs(now: dt.datetime | None = None) -> int:
    """Delete runs older than RUN_RETENTION_DAYS (0 keeps them all); their shares stay, frozen.
    Returns how many were deleted."""
    if settings.RUN_RETENTION_DAYS <= 0:
        return 0
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=settings.RUN_RETENTION_DAYS)
    deleted, _ = Run.objects.filter(created__lt=cutoff).delete()
    return deleted


def record(run: Run) -> dict[str, Any]:
    """The run as `GET /api/runs/<id>` shows it, live or finished: from the row once it is
    stored, else from the stream. Reading never writes."""
    if run.is_finished:
        events = run.events
        facts = {"status": run.status, "started": run.started, "finished": run.finished,
                 "duration_ms": run.duration_ms, "exit_code": run.exit_code,
                 "runtime": run.runtime}
    else:
        events = streams.read_all(run.id)
        facts = outcome(events, run.created)
    return {
        "id": run.id,
        "status": facts["status"],
        "code": run.code,
        "mode": run.mode,
        "device": run.device,
        "concept": run.concept or None,
        "seed": run.seed,
        "created": run.created.isoformat(),
        "started": facts["started"].isoformat() if facts["started"] else None,
        "finished": facts["finished"].isoformat() if facts["finished"] else None,
        "duration_ms": facts["duration_ms"],
        "exit_code": facts["exit_code"],
        "events": events,
        "runtime": facts["runtime"] or {},
    }


def run_record(run_id: str, session_key: str | None) -> dict[str, Any] | None:
    """The record of a run this session owns, or None (unknown run or someone else's)."""
    run = get_owned(run_id, session_key)
    return record(run) if run else None
