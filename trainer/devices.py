"""Which device class this host serves, and the heartbeat that tells the web side it is alive."""
from __future__ import annotations

import glob
import json
import os
import socket
import threading
import time
from typing import Any

import redis

CLASSES = ("tpu", "gpu", "cpu")  # best first: what `auto` picks
HEARTBEAT_SECONDS = 3
HEARTBEAT_TTL = 10
# One hash for every worker (field `<class>:<host>:<pid>`, value JSON with `seen`): readers take
# it in one HGETALL instead of scanning the keyspace, which holds a stream per run.
WORKERS_KEY = "workers"


def heartbeat_field(device_class: str, host: str, pid: int) -> str:
    return f"{device_class}:{host}:{pid}"


def detect_class() -> str:
    """The best class this host can serve; TRAINER_DEVICE overrides the guess."""
    forced = os.environ.get("TRAINER_DEVICE")
    if forced:
        if forced not in CLASSES:
            raise ValueError(f"TRAINER_DEVICE must be one of {CLASSES}, not {forced!r}")
        return forced
    if glob.glob("/dev/accel*") or os.path.exists("/dev/vfio/vfio") and os.environ.get("TPU_NAME"):
        return "tpu"
    if glob.glob("/dev/nvidia[0-9]*"):
        return "gpu"
    return "cpu"


class Heartbeat:
    """Writes this worker's presence and devices to Redis every few seconds, with a TTL."""

    def __init__(self, client: redis.Redis, device_class: str, info: dict[str, Any]) -> None:
        self.client = client
        self.field = heartbeat_field(device_class, socket.gethostname(), os.getpid())
        self.info = {"class": device_class, "host": socket.gethostname(), **info}
        self.stopped = threading.Event()

    def beat(self) -> None:
        self.client.hset(WORKERS_KEY, self.field, json.dumps({**self.info, "seen": time.time()}))

    def start(self) -> None:
        self.beat()
        threading.Thread(target=self._loop, name="heartbeat", daemon=True).start()

    def _loop(self) -> None:
        while not self.stopped.wait(HEARTBEAT_SECONDS):
            try:
                self.beat()
            except redis.RedisError:
                pass

    def stop(self) -> None:
        self.stopped.set()
        try:
            self.client.hdel(WORKERS_KEY, self.field)
        except redis.RedisError:
            pass
