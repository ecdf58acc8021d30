"""Shared fixtures: a live stack (real Redis, Celery workers, zygote, jail, Daphne)."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import pytest
import redis

from scripts.stack import ROOT, Stack, free_port, redis_answers
from tests.live import LiveClient

UNIT_REDIS_DB = 13
# Databases a live stack may claim; never the unit tests' one, which they flush.
LIVE_REDIS_DBS = [db for db in range(15, 5, -1) if db != UNIT_REDIS_DB]
LOCK_KEY = "tests:live-stack"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """The URL of a real Redis server: REDIS_URL's when one answers, else one started here."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if redis_answers(url):
        yield url
        return
    own = Stack(0, f"redis://127.0.0.1:{free_port()}/0")
    own.start_redis_if_needed()
    yield own.redis_url
    own.stop()


@pytest.fixture(scope="session", autouse=True)
def django_uses_the_test_redis(redis_server: str) -> Iterator[None]:
    """In-process Django (sessions, rate limits, streams) talks to the test Redis too, even on a
    machine where nothing answered at REDIS_URL before the suite started one."""
    from django.test import override_settings

    url = redis_db(redis_server, UNIT_REDIS_DB)
    caches = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url,
                          "KEY_PREFIX": "pg:cache"}}
    # VIEWS_ON_SHARED_THREADS off: a view runs in the test's thread, inside its transaction.
    with override_settings(REDIS_URL=url, CACHES=caches, VIEWS_ON_SHARED_THREADS=False,
                           SECRET_KEY="tests-only-secret-key-not-the-published-default"):
        from playground.runs import streams

        streams._sync = streams._async = None
        yield
        streams._sync = streams._async = None


def redis_db(server_url: str, db: int) -> str:
    """The same server, another database: each kind of test keeps to its own."""
    return urlunparse(urlparse(server_url)._replace(path=f"/{db}"))


def claim_redis_db(server_url: str) -> str:
    """A database no other test session's stack is using: their queues and heartbeats would
    otherwise mix with ours."""
    for db in LIVE_REDIS_DBS:
        url = redis_db(server_url, db)
        if redis.Redis.from_url(url).set(LOCK_KEY, os.getpid(), nx=True, ex=3 * 3600):
            return url
    raise RuntimeError("every Redis database for live stacks is taken by another session")


def _database_for_stack(tmp: Path, name: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        admin = urlunparse(urlparse(url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return urlunparse(urlparse(url)._replace(path=f"/{name}"))
    return f"sqlite:///{tmp / 'live.sqlite3'}"


def run_stack(redis_server: str, name: str, extra: dict[str, str]) -> Iterator[Stack]:
    """A whole stack of our own (its own Redis database and database), for a test session."""
    tmp = Path(tempfile.mkdtemp(prefix=f"tfpg-{name}-"))
    redis_url = claim_redis_db(redis_server)
    env = {
        "DATABASE_URL": _database_for_stack(tmp, f"tfpg_{name}_test"),
        "RUN_RATE_LIMIT": "100000/m",
        # Every test client is 127.0.0.1: the per-address cap would count them all as one.
        "RUN_MAX_IN_FLIGHT_PER_ADDRESS": "100000",
        "SHARE_RATE_LIMIT": "100000/h",
        "EDIT_RATE_LIMIT": "100000/m",
        "TRAINER_SPARES": os.environ.get("TRAINER_SPARES", "2"),
        # Shorter than the defaults so the cases that must time out do not hold the suite long.
        "RUN_WALL_SECONDS": "20",
        "RUN_CPU_SECONDS": "20",
        **extra,
    }
    stack = Stack(free_port(), redis_url, env=env, log_dir=tmp)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter():
        if key != LOCK_KEY.encode():
            client.delete(key)
    for command in (["migrate", "--verbosity", "0"], ["load_content"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True,
                       env={**stack.env}, stdout=subprocess.DEVNULL)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        client.flushdb()
        for log in sorted(tmp.glob("*.log")):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                sys.stderr.write(f"\n--- {log.name} (last lines) ---\n{text[-4000:]}\n")


@pytest.fixture(scope="session")
def live_stack(redis_server: str) -> Iterator[Stack]:
    """The stack most tests share: the sandbox this machine builds best (as root, the jail)."""
    yield from run_stack(redis_server, "live", {})


@pytest.fixture(scope="session")
def rootless_stack(redis_server: str) -> Iterator[Stack]:
    """A stack whose worker builds the jail without root (a root worker told to: each slot
    drops to its own uid before it makes its user namespace)."""
    yield from run_stack(redis_server, "rootless", {"TRAINER_SANDBOX": "rootless"})


@pytest.fixture(params=["jail", "rootless"])
def jail_client(request: pytest.FixtureRequest) -> Iterator[LiveClient]:
    """A client of the root jail's stack, then of the rootless jail's: attacks run on both."""
    stack = request.getfixturevalue("live_stack" if request.param == "jail" else
                                    "rootless_stack")
    client = LiveClient(stack.url)
    yield client
    client.close()


@pytest.fixture
def live_client(live_stack: Stack) -> Iterator[LiveClient]:
    client = LiveClient(live_stack.url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def run_snippet(live_stack: Stack) -> Iterator[Callable[..., dict[str, Any]]]:
    """Run code in the real sandbox through the public contract; returns the finished record."""
    client = LiveClient(live_stack.url)

    def run(code: str, mode: str = "eager", **options: Any) -> dict[str, Any]:
        return client.run(code, mode=mode, **options)

    yield run
    client.close()
