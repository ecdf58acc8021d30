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

from contract import keys


def detect_class(forced: str = "") -> str:
    """The best class this host can serve; `forced` (TRAINER_DEVICE) overrides the guess."""
    if forced:
        return forced
    if glob.glob("/dev/accel*") or os.path.exists("/dev/vfio/vfio") and os.environ.get("TPU_NAME"):
        return "tpu"
    if glob.glob("/dev/nvidia[0-9]*"):
        return "gpu"
    return "cpu"


class Heartbeat:
    """Writes this worker's presence and devices to Redis every few seconds; the web side
    takes a worker silent for `keys.HEARTBEAT_TTL` as gone, and the runs it held as lost."""

    def __init__(self, client: redis.Redis, device_class: str, info: dict[str, Any]) -> None:
        self.client = client
        self.field = keys.heartbeat_field(device_class, socket.gethostname(), os.getpid())
        self.info = {"class": device_class, "host": socket.gethostname(), **info}
        self.stopped = threading.Event()

    def beat(self) -> None:
        self.client.hset(keys.WORKERS_KEY, self.field,
                         json.dumps({**self.info, "seen": time.time()}))

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
