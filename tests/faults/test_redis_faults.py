"""Redis restarted (SIGKILL, then started again empty on the same port), mid-run and while idle:
while it is away the API answers JSON 503 and sockets close 4503, never a 500; the run in flight
ends once, gapless from where the new Redis starts; the next run works."""
from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis

from contract import keys
from scripts.stack import free_port, redis_answers
from tests import aio
from tests.faults.conftest import FaultStack, until
from tests.faults.watch import Watch, answer_of, check_run, socket_close_code, ticker
from tests.live import LiveClient

pytestmark = pytest.mark.faults
OUTAGE_SECONDS = 2.0


def probe_while_down(stack: FaultStack, client: LiveClient, live: str, stored: str
                     ) -> dict[str, Any]:
    """What the API and the socket answer while Redis is away."""
    with httpx.Client(base_url=stack.url, timeout=30) as fresh:  # a browser new to the site
        probes = {
            "GET live run": client.http.get(f"/api/runs/{live}"),
            "GET stored run": client.http.get(f"/api/runs/{stored}"),
            "POST run": client.post("/api/runs", {"code": "print(1)"}),
            "POST cancel": client.post(f"/api/runs/{live}/cancel"),
            "GET devices": client.http.get("/api/devices"),
            "GET session (new browser)": fresh.get("/api/session"),
        }
    found: dict[str, Any] = {name: answer_of(response) for name, response in probes.items()}
    found["socket"] = socket_close_code(client, live)
    return found


@pytest.fixture(scope="module")
def redis_restarted_mid_run(stack: FaultStack) -> Iterator[dict[str, Any]]:
    client = LiveClient(stack.url)
    stored = client.run('print("before the outage")')
    until(lambda: stack.stored(stored["id"]) == ("succeeded", len(stored["events"])), 30,
          what="the first run stored")
    run = client.start(ticker(secrets.token_hex(6), 16))
    watch = Watch(client, run["id"])
    watch.start()
    until(lambda: watch.seen("stdout") >= 3, 60, what="3 lines of output")
    stack.kill("redis")
    down = time.monotonic()
    probes = probe_while_down(stack, client, run["id"], stored["id"])
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down)))
    stack.restart("redis")
    until(lambda: redis_answers(stack.redis_url), 10, what="redis-server")
    events = watch.finish(90)
    r = redis.Redis.from_url(stack.redis_url)
    stream = [_decode(fields) for _id, fields in r.xrange(keys.stream_key(run["id"]))]
    yield {"client": client, "run": run["id"], "events": events, "stream": stream,
           "probes": probes, "down_for": time.monotonic() - down}
    client.close()


def _decode(fields: dict[bytes, bytes]) -> dict[str, Any]:
    return dict(json.loads(fields[keys.STREAM_FIELD.encode()]))


def test_while_redis_is_down_the_api_answers_json_503_with_retry_after_never_a_500(
        redis_restarted_mid_run: dict[str, Any]) -> None:
    probes = dict(redis_restarted_mid_run["probes"])
    print(f"\nwhile Redis was down: {probes}")
    probes.pop("socket")
    for name, (status, code, retry_after) in probes.items():
        assert (status, code) == (503, "unavailable"), name
        assert retry_after and int(retry_after) > 0, name


def test_a_socket_opened_while_redis_is_down_closes_4503(
        redis_restarted_mid_run: dict[str, Any]) -> None:
    assert redis_restarted_mid_run["probes"]["socket"] == 4503


def test_a_run_through_a_redis_restart_ends_once_gapless_from_where_the_new_redis_starts(
        redis_restarted_mid_run: dict[str, Any]) -> None:
    events, stream = redis_restarted_mid_run["events"], redis_restarted_mid_run["stream"]
    # The new Redis holds what the supervisor wrote once it was back: gapless, one done.
    assert stream, "nothing written to the new Redis"
    done = check_run(stream, first=stream[0]["seq"])
    # The open socket saw no event twice and the end once; from the restart on, all of it.
    seqs = [event["seq"] for event in events]
    assert seqs == sorted(set(seqs))
    assert [e for e in events if e["seq"] >= stream[0]["seq"]] == stream
    before = [e for e in events if e["seq"] < stream[0]["seq"]]
    check_run(before + [{"seq": len(before) + 1, "type": "done"}])  # gapless up to the restart
    print(f"\nRedis restart mid-run: the socket saw seqs 1-{len(before)} from the old Redis "
          f"and {stream[0]['seq']}-{done['seq']} from the new one")


def test_a_run_through_a_redis_restart_carries_on_and_succeeds(
        redis_restarted_mid_run: dict[str, Any]) -> None:
    done = redis_restarted_mid_run["events"][-1]
    assert done["status"] == "succeeded", redis_restarted_mid_run["stream"]


def test_a_run_through_a_redis_restart_is_stored_by_the_recorder(
        stack: FaultStack, redis_restarted_mid_run: dict[str, Any]) -> None:
    stream = redis_restarted_mid_run["stream"]
    stored = (stream[-1]["status"], len(stream))  # what the new Redis holds, nothing before it
    until(lambda: stack.stored(redis_restarted_mid_run["run"]) == stored, 20,
          what="the stored run")


def test_after_an_idle_redis_restart_the_next_run_works_and_nothing_answers_500(
        stack: FaultStack, client: LiveClient) -> None:
    stack.restart_redis()
    back = time.monotonic()
    answers: list[tuple[int, str | None, str | None]] = []
    while True:
        response = client.post("/api/runs", {"code": 'print("after the restart")'})
        if response.status_code == 201:
            break
        answers.append(answer_of(response))
        assert time.monotonic() - back < 30, answers
        time.sleep(0.2)
    print(f"\nafter an idle Redis restart: {len(answers)} POSTs refused in the "
          f"{time.monotonic() - back:.1f} s before the first 201: {set(answers)}")
    assert {status for status, _code, _retry in answers} <= {503}
    events = client.follow(response.json()["id"])
    assert check_run(events)["status"] == "succeeded"
    assert stack.answered_500() == []


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of this test's own, and how to start it again on the same port."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no"]
    procs = [subprocess.Popen(command, stdout=subprocess.DEVNULL)]
    url = f"redis://127.0.0.1:{port}/0"
    until(lambda: redis_answers(url), 10, what="redis-server")

    def restart() -> None:
        procs[-1].kill()
        procs[-1].wait()
        procs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
        until(lambda: redis_answers(url), 10, what="redis-server")

    yield url, restart  # type: ignore[misc]
    for proc in procs:
        proc.kill()
        proc.wait()


def test_the_web_side_clients_reconnect_at_the_first_command_after_a_restart(
        settings: Any, own_redis: Any) -> None:
    from playground.runs import streams

    url, restart = own_redis
    settings.REDIS_URL = url
    streams._sync = streams._async = None
    try:
        sync, async_client = streams.client(), streams.async_client()

        async def ping() -> Any:
            return await async_client.ping()

        def on_one_loop() -> None:
            loop = asyncio.new_event_loop()
            assert sync.ping() and loop.run_until_complete(ping())  # both pool a connection
            restart()  # each pooled connection is now broken
            assert sync.set("after", "1") and sync.get("after") == b"1"
            assert loop.run_until_complete(ping())
            loop.run_until_complete(async_client.aclose())
            loop.close()

        aio.in_thread(on_one_loop)
    finally:
        streams._sync = streams._async = None
