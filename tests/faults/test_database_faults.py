"""The database (a PostgreSQL server of this module's own) stopped mid-run and started again:
meanwhile the API answers JSON 503 with Retry-After, never a 500 or a traceback, and the run in
flight goes on over its socket; once the database is back the run is stored and new runs work."""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from contract import keys
from scripts.stack import free_port
from tests.faults.conftest import FaultStack, start_stack, stop_stack, until
from tests.faults.watch import Watch, answer_of, check_run, socket_close_code, ticker
from tests.live import LiveClient

pytestmark = pytest.mark.faults
OWNER = "postgres"  # PostgreSQL refuses to run as root


class Postgres:
    """A throwaway PostgreSQL cluster on a free port, trusting local connections."""

    def __init__(self, tmp: Path) -> None:
        self.dir = tmp  # owned by the server's user, which must reach it
        self.port = free_port()
        self.url = f"postgres://tfpg@127.0.0.1:{self.port}/postgres"
        self.proc: subprocess.Popen[bytes] | None = None

    def _as_owner(self, *command: str) -> list[str]:
        return ["runuser", "-u", OWNER, "--", *command]

    def create(self) -> None:
        shutil.chown(self.dir, OWNER)
        subprocess.run(self._as_owner(binary("initdb"), "-D", str(self.dir / "data"), "-A",
                                      "trust", "-U", "tfpg", "--no-sync", "-E", "UTF8"),
                       check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        log = open(self.dir / "log", "ab")  # noqa: SIM115 - the server keeps its own copy
        self.proc = subprocess.Popen(self._as_owner(
            binary("postgres"), "-D", str(self.dir / "data"), "-p", str(self.port), "-k",
            str(self.dir), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"),
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        until(self.answers, 30, what="PostgreSQL")

    def answers(self) -> bool:
        import psycopg

        try:
            with psycopg.connect(self.url, connect_timeout=2) as conn:
                return conn.execute("SELECT 1").fetchone() == (1,)
        except psycopg.OperationalError:
            return False

    def crash(self) -> None:
        """Stop at once, as a crash would: connections drop, nothing is shut down cleanly."""
        subprocess.run(self._as_owner(binary("pg_ctl"), "-D", str(self.dir / "data"), "stop",
                                      "-m", "immediate"), check=True, stdout=subprocess.DEVNULL)
        assert self.proc is not None
        self.proc.wait(10)


def binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/lib/postgresql/15/bin")
    if found is None:
        pytest.skip(f"PostgreSQL's {name} is not installed")
    return found


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    if os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("starting a PostgreSQL server of our own needs root and runuser")
    tmp = Path(tempfile.mkdtemp(prefix="tfpg-faults-pg-"))
    server = Postgres(tmp)
    server.create()
    server.start()
    try:
        yield server
    finally:
        if server.proc and server.proc.poll() is None:
            server.crash()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def stack(postgres: Postgres) -> Iterator[FaultStack]:
    tmp = Path(tempfile.mkdtemp(prefix="tfpg-faults-"))
    own = start_stack(tmp, database_url=postgres.url)
    try:
        yield own
    finally:
        stop_stack(own)
        shutil.rmtree(tmp, ignore_errors=True)


def streams_in(stack: FaultStack) -> set[bytes]:
    client = redis.Redis.from_url(stack.redis_url)
    return {key for key in client.scan_iter("run:*", _type="stream")}


@pytest.fixture(scope="module")
def database_down_mid_run(stack: FaultStack, postgres: Postgres) -> Iterator[dict[str, Any]]:
    client = LiveClient(stack.url)
    stored = client.run('print("before the outage")')
    until(lambda: stack.stored(stored["id"]) == ("succeeded", len(stored["events"])), 30,
          what="the first run stored")
    run = client.start(ticker(secrets.token_hex(6), 10))
    watch = Watch(client, run["id"])
    watch.start()
    until(lambda: watch.seen("stdout") >= 2, 60, what="2 lines of output")
    postgres.crash()
    streams_before = streams_in(stack)
    with httpx.Client(base_url=stack.url, timeout=30) as fresh:  # a browser new to the site
        probes = {
            "GET stored run": client.http.get(f"/api/runs/{stored['id']}"),
            "GET live run": client.http.get(f"/api/runs/{run['id']}"),
            "POST run": client.post("/api/runs", {"code": 'print("posted while down")'}),
            "POST share": client.post(f"/api/runs/{stored['id']}/share"),
            "GET concepts": client.http.get("/api/concepts"),
            "GET session (new browser)": fresh.get("/api/session"),
        }
    health = client.http.get("/healthz")
    # A run stored a while ago: its owner's key has left Redis, so the socket asks the database.
    redis.Redis.from_url(stack.redis_url).delete(keys.owner_key(stored["id"]))
    socket = socket_close_code(client, stored["id"])
    events = watch.finish(60)  # the run goes on, over Redis alone
    ended_while_down = postgres.proc is not None and postgres.proc.poll() is not None
    time.sleep(1.0)  # a run sent by the POST answered 503 would have started by now
    ran_anyway = streams_in(stack) - streams_before - {f"run:{run['id']}".encode()}
    postgres.start()
    back = time.monotonic()
    refused = []
    while (response := client.post("/api/runs", {"code": 'print("back")'})).status_code != 201:
        refused.append(answer_of(response))
        assert time.monotonic() - back < 30, refused
        time.sleep(0.2)
    yield {"client": client, "run": run["id"], "events": events, "ended_while_down":
           ended_while_down, "probes": {name: answer_of(r) for name, r in probes.items()},
           "health": (health.status_code, health.json()), "ran_anyway": ran_anyway,
           "socket": socket,
           "refused_after": refused, "after": response.json()["id"]}
    client.close()


def test_while_the_database_is_down_the_api_answers_json_503_never_a_500(
        stack: FaultStack, database_down_mid_run: dict[str, Any]) -> None:
    probes = database_down_mid_run["probes"]
    print(f"\nwhile the database was down: {probes}")
    for name, (status, code, retry_after) in probes.items():
        assert (status, code) == (503, "unavailable"), name
        assert retry_after and int(retry_after) > 0, name
    assert database_down_mid_run["socket"] == 4503
    status, health = database_down_mid_run["health"]
    assert status == 503 and health["database"] == "error" and health["redis"] == "ok"
    assert stack.answered_500() == []


def test_a_run_goes_on_while_the_database_is_down_and_is_stored_once_it_is_back(
        stack: FaultStack, database_down_mid_run: dict[str, Any]) -> None:
    events = database_down_mid_run["events"]
    assert check_run(events)["status"] == "succeeded"
    assert database_down_mid_run["ended_while_down"]
    until(lambda: stack.stored(database_down_mid_run["run"]) == ("succeeded", len(events)), 30,
          what="the run stored once the database is back")


def test_once_the_database_is_back_new_runs_work_and_nothing_answered_500(
        database_down_mid_run: dict[str, Any]) -> None:
    refused = database_down_mid_run["refused_after"]
    print(f"\nonce the database was back: {len(refused)} POSTs refused before the first 201: "
          f"{set(refused)}")
    assert {status for status, _code, _retry in refused} <= {503}
    client = database_down_mid_run["client"]
    assert check_run(client.follow(database_down_mid_run["after"]))["status"] == "succeeded"


def test_a_run_refused_for_the_database_does_not_run(
        database_down_mid_run: dict[str, Any]) -> None:
    assert database_down_mid_run["ran_anyway"] == set()
