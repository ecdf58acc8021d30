"""The adaptations of playground/fastpath whose gain is below bench/fastpath_ab.py's noise, timed
in-process: this process's CPU per call, ours and stock in alternating rounds.

- kombu: one `send_task` (the POST's publish), our transport and kombu's.
- django_redis: a request's cache object and one GET (the POST's session read).
- autobahn: the debug dump of a socket's options, deferred and formatted.

Redis database 12 unless REDIS_URL says (one queue key, deleted afterwards).

    .venv/bin/python bench/fastpath_micro.py [--rounds 6] [--calls 300]
"""
from __future__ import annotations

import argparse
import os
import pprint
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUEUE = "bench-fastpath-micro"


def send_task(transport: str) -> Callable[[], None]:
    from celery import Celery

    app = Celery("bench", broker=os.environ["REDIS_URL"])
    app.conf.update(task_ignore_result=True, broker_transport=transport,
                    broker_connection_retry_on_startup=True)

    def send() -> None:
        app.send_task("trainer.execute_run", args=["r", "print(1)", {}], queue=QUEUE)
    return send


def session_read(factory: str) -> Callable[[], None]:
    from django.core.cache import CacheHandler

    config = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"], "KEY_PREFIX": "pg:cache",
                          "OPTIONS": {"CONNECTION_FACTORY": factory}}}

    def read() -> None:
        CacheHandler(config).create_connection("default").get("bench-session")
    return read


def options_dump(format_: Callable[[object], object]) -> Callable[[], None]:
    from autobahn.twisted.websocket import WebSocketServerFactory, WebSocketServerProtocol

    factory = WebSocketServerFactory()
    options = [(name, getattr(factory, name), "WebSocketServerFactory")
               for name in WebSocketServerProtocol.CONFIG_ATTRS]

    def dump() -> None:
        format_(options)
    return dump


def cases() -> dict[str, tuple[Callable[[], None], Callable[[], None]]]:
    from playground.fastpath.autobahn import FormattedWhenLogged

    return {
        "kombu send_task": (send_task("playground.fastpath.kombu:Transport"),
                            send_task("redis")),
        "django_redis session read": (
            session_read("playground.fastpath.django_redis.ConnectionFactory"),
            session_read("django_redis.pool.ConnectionFactory")),
        "autobahn options dump": (options_dump(FormattedWhenLogged), options_dump(pprint.pformat)),
    }


def cpu_ms(call: Callable[[], None], calls: int) -> float:
    began = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - began) * 1000 / calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
    os.environ["DJANGO_SETTINGS_MODULE"] = "playground.settings"
    import django
    import redis

    django.setup()
    try:
        for name, (ours, stock) in cases().items():
            ours(), stock()  # connections and imports made before the clock runs
            times: dict[str, list[float]] = {"ours": [], "stock": []}
            for _ in range(args.rounds):
                times["ours"].append(cpu_ms(ours, args.calls))
                times["stock"].append(cpu_ms(stock, args.calls))
            ours_ms, stock_ms = (statistics.median(times[k]) for k in ("ours", "stock"))
            print(f"{name:<27} ours {ours_ms:.4f} ms, stock {stock_ms:.4f} ms of CPU per call "
                  f"(saves {stock_ms - ours_ms:.4f}); ranges ours "
                  f"{min(times['ours']):.4f}-{max(times['ours']):.4f}, stock "
                  f"{min(times['stock']):.4f}-{max(times['stock']):.4f}")
    finally:
        redis.Redis.from_url(os.environ["REDIS_URL"]).delete(QUEUE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
