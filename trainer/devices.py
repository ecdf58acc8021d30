"""Which device class this host serves, and the heartbeat that tells the web side it is alive."""
from __future__ import annotations

import glob
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import redis

from contract import keys
from trainer import accelerators

log = logging.getLogger(__name__)


def detect_class(forced: str = "") -> str:
    """The best class this host can serve; `forced` (TRAINER_DEVICE) overrides the guess."""
    if forced:
        return forced
    if glob.glob("/dev/accel*") or os.path.exists("/dev/vfio/vfio") and os.environ.get("TPU_NAME"):
        return "tpu"
    if glob.glob("/dev/nvidia[0-9]*"):
        return "gpu"
    return "cpu"


def simulated(device_class: str, forced: str) -> bool:
    """Whether the class was forced (TRAINER_DEVICE) on a host without its hardware: such a
    worker serves the class's queue with the CPU, and says so wherever it shows."""
    return bool(forced) and not accelerators.has_hardware(device_class)


class Heartbeat:
    """Writes this worker's presence, devices and capacity to Redis every few seconds; the web
    side takes a worker silent for `keys.HEARTBEAT_TTL` as gone, and the runs it held as lost.

    `info` is what does not change (devices, runtime, hardware, slots); `capacity`, called at
    each beat, what does: the runs in hand (`busy`) and the warm spares (`spares`)."""

    def __init__(self, client: redis.Redis, device_class: str, info: dict[str, Any],
                 capacity: Callable[[], dict[str, Any]] | None = None) -> None:
        self.client = client
        self.field = keys.heartbeat_field(device_class, socket.gethostname(), os.getpid())
        self.info = {"class": device_class, "host": socket.gethostname(), **info}
        self.capacity = capacity or dict
        self.stopped = threading.Event()

    def beat(self) -> None:
        try:
            now = self.capacity()
        except Exception:  # noqa: BLE001 - a heartbeat goes out even when a count fails
            log.exception("heartbeat: capacity unknown")
            now = {}
        self.client.hset(keys.WORKERS_KEY, self.field,
                         json.dumps({**self.info, **now, "seen": time.time()}))

    def drain(self) -> None:
        """From now on, say that this worker takes no new run (it still holds its own)."""
        self.info[keys.DRAINING_FIELD] = True
        try:
            self.beat()
        except redis.RedisError:
            pass

    def start(self) -> None:
        self.beat()
        threading.Thread(target=self._loop, name="heartbeat", daemon=True).start()

    def _loop(self) -> None:
        while not self.stopped.wait(keys.HEARTBEAT_SECONDS):
            try:
                self.beat()
            except redis.RedisError:
                pass

    def stop(self) -> None:
        self.stopped.set()
        try:
            self.client.hdel(keys.WORKERS_KEY, self.field)
        except redis.RedisError:
            pass
