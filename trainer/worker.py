"""The state of one worker process: its settings, zygote pool, Redis client and heartbeat."""
from __future__ import annotations

import logging
import threading

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from contract import keys
from contract.job import Job
from trainer import accelerators, devices
from trainer.config import WorkerSettings
from trainer.events import EventStream
from trainer.pool import Pool
from trainer.supervisor import Supervisor, end_unstarted

log = logging.getLogger(__name__)


class _State:
    lock = threading.Lock()
    settings: WorkerSettings | None = None
    pool: Pool | None = None
    client: redis.Redis | None = None
    heartbeat: devices.Heartbeat | None = None
    device_class: str = "cpu"
    busy = 0  # runs in hand: being supervised, or about to be


state = _State()


def settings() -> WorkerSettings:
    if state.settings is None:
        state.settings = WorkerSettings.from_env()
    return state.settings


def redis_client() -> redis.Redis:
    if state.client is None:
        # Fail fast when Redis is away (the supervisor keeps the events and tries again), and
        # retry once at once, which replaces a pooled connection that a Redis restart broke.
        state.client = redis.Redis.from_url(
            settings().redis_url, socket_connect_timeout=1, socket_timeout=10,
            health_check_interval=15, retry=Retry(NoBackoff(), 1))
    return state.client


def start() -> None:
    """Start the zygote, wait for its first warm spare, then announce this worker (once)."""
    with state.lock:
        if state.pool is None:
            _start()


def _start() -> None:
    config = settings()
    state.device_class = devices.detect_class(config.device_class)
    state.pool = Pool(config, state.device_class)
    state.pool.start()
    runtime = state.pool.info().runtime or {}
    state.pool.hold_spares()
    simulated = devices.simulated(state.device_class, config.device_class)
    if simulated:
        log.warning("!!! class %s forced by TRAINER_DEVICE on a host without its hardware: runs "
                    "use the CPU, and this worker says it is simulated !!!", state.device_class)
    state.pool.simulated = simulated
    state.heartbeat = devices.Heartbeat(redis_client(), state.device_class, {
        "tf_devices": runtime.get("devices", []), "runtime": runtime,
        "slots": config.concurrency, "sandbox": state.pool.sandbox, "simulated": simulated,
        "hardware": accelerators.hardware(),
    }, capacity=capacity)
    state.heartbeat.start()


def capacity() -> dict[str, int]:
    """What the heartbeat says of this worker's load at each beat."""
    return {"busy": state.busy, "spares": state.pool.warm_spares() if state.pool else 0}


def drain() -> None:
    if state.heartbeat:
        state.heartbeat.drain()


def stop() -> None:
    if state.heartbeat:
        state.heartbeat.stop()
    if state.pool:
        state.pool.stop()


def execute(run_id: str, job: Job) -> None:
    """Run one snippet from start to `done`, unless it must not run at all."""
    client = redis_client()
    # One round trip: was this run started before (a redelivery), and was it cancelled already?
    pipe = client.pipeline(transaction=False)
    pipe.xrevrange(keys.stream_key(run_id), count=1)
    pipe.exists(keys.cancel_key(run_id))
    last, cancelled_early = pipe.execute()
    stream = EventStream(client, run_id, last=last)
    if stream.started_before:
        # A redelivered task whose first attempt died with its worker: never run code twice.
        # The heartbeat watcher ends it, as it ends every run of a lost worker.
        log.warning("run %s was started before; not running it again", run_id)
        return
    if cancelled_early:
        end_unstarted(stream, "cancelled")
        return
    start()
    assert state.pool is not None and state.heartbeat is not None
    supervisor = Supervisor(stream, state.pool, worker=state.heartbeat.field,
                            cancelled=lambda: cancel_asked(client, run_id))
    with state.lock:
        state.busy += 1
    try:
        supervisor.run(job)
    finally:
        with state.lock:
            state.busy -= 1


def cancel_asked(client: redis.Redis, run_id: str) -> bool:
    """Whether the run's cancel key is set; while Redis is away, nobody could have set it."""
    try:
        return bool(client.exists(keys.cancel_key(run_id)))
    except redis.RedisError:
        return False
