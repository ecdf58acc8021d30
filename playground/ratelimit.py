"""Per-session rate limits: a counter per fixed window in Redis.

A limit is written `<count>/<period>`, the period `s`, `m`, `h` or `d` with an optional multiple
(`120/m`, `600/5m`). Counting is two commands that can ride in the pipeline of the request's
other Redis reads, so a limited endpoint pays no round trip of its own.
"""
from __future__ import annotations

import functools
import re
import time

import redis

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


@functools.cache
def parse(rate: str) -> tuple[int, int]:
    """`"120/m"` → (120, 60): the count allowed per window of so many seconds."""
    match = RATE.match(rate)
    if not match:
        raise ValueError(f"a rate is <count>/<period> such as 120/m, not {rate!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * PERIODS[unit]


def count(pipe: redis.client.Pipeline, group: str, key: str, rate: str) -> None:
    """Queue the hit on `pipe`; `exceeded` reads the pipeline's answer to it."""
    _, window = parse(rate)
    bucket = f"rl:{group}:{key}:{int(time.time()) // window}"
    pipe.incr(bucket)
    pipe.expire(bucket, window + 1)


def exceeded(hits: int, rate: str) -> bool:
    return hits > parse(rate)[0]


def hit(client: redis.Redis, group: str, key: str, rate: str) -> bool:
    """Count one hit; True when it goes over the limit."""
    pipe = client.pipeline(transaction=False)
    count(pipe, group, key, rate)
    hits, _ = pipe.execute()
    return exceeded(hits, rate)
