"""Nothing assumes one host: runs cross from one Daphne to the other, land on the worker host of
their class, survive a worker host's lost link to Redis and end `worker-lost` when a worker host
dies; the workers hold nothing of the web side. Hosts are network namespaces (conftest.py)."""
from __future__ import annotations

import json
import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from tests.hosts.conftest import WEB_SECRETS, Cluster
from tests.live import LiveClient

pytestmark = pytest.mark.sandbox
TICKS = "import time\nfor i in range(3):\n    print('tick', i, flush=True)\n    time.sleep(0.3)\n"


@pytest.fixture
def client(cluster: Cluster):
    live = LiveClient(cluster.url)
    yield live
    live.close()


def cookies(client: LiveClient, server: str) -> str:
    """The browser session's cookies, and TFPG_WEB, which pins the request to one Daphne."""
    return "; ".join([*(f"{k}={v}" for k, v in client.http.cookies.items()),
                      f"TFPG_WEB={server}"])


def post_run(client: LiveClient, code: str, device: str, through: str = "web1"
             ) -> tuple[str, str]:
    """POST /api/runs through the balancer to one Daphne; the run's id and who answered."""
    headers = {"X-CSRFToken": client.csrf, "Cookie": cookies(client, through),
               "Content-Type": "application/json", "Referer": client.base_url + "/"}
    answer = client.http.post("/api/runs", headers=headers,
                              content=json.dumps({"code": code, "device": device}))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], answer.headers["X-Served-By"]


def follow(client: LiveClient, run_id: str, through: str = "web2", until: str = "done",
           timeout: float = 60) -> tuple[list[dict[str, Any]], str]:
    """Read the run's socket through the balancer, pinned to one Daphne, from the start to the
    first event that contains `until`; the events and who served the socket."""
    url = client.base_url.replace("http", "ws", 1) + f"/ws/runs/{run_id}?after=0"
    seen: list[dict[str, Any]] = []
    with connect(url, additional_headers={"Cookie": cookies(client, through)},
                 origin=client.base_url, open_timeout=10) as ws:
        served_by = ws.response.headers["X-Served-By"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen.append(json.loads(ws.recv(timeout=deadline - time.monotonic())))
            if seen[-1]["type"] == "done" or until in json.dumps(seen[-1]):
                break
    return seen, served_by


def run_to_end(client: LiveClient, code: str, device: str) -> list[dict[str, Any]]:
    run_id, _ = post_run(client, code, device)
    events = client.follow(run_id, timeout=60)
    assert events[-1]["type"] == "done", events[-3:]
    return events


def status_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    return next(e for e in events if e["type"] == "status")


def test_a_run_posted_through_one_daphne_is_followed_on_a_socket_of_the_other(
        cluster: Cluster, client: LiveClient) -> None:
    run_id, posted_by = post_run(client, TICKS, "cpu", through="web1")
    events, followed_by = follow(client, run_id, through="web2")
    assert (posted_by, followed_by) == ("web1", "web2")
    printed = [e["text"] for e in events if e["type"] == "stdout"]
    assert "".join(printed) == "tick 0\ntick 1\ntick 2\n" and len(printed) == 3  # live, one by one
    assert events[-1]["type"] == "done" and events[-1]["status"] == "succeeded"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    # Each Daphne's own access log says the same.
    time.sleep(0.5)
    first = (cluster.tmp / "access-1.log").read_text()
    second = (cluster.tmp / "access-2.log").read_text()
    assert re.search(r'"POST /api/runs"', first) and "POST /api/runs" not in second
    assert f"WSCONNECT /ws/runs/{run_id}" in second
    assert f"WSCONNECT /ws/runs/{run_id}" not in first
    # The recorder on the web host stored it, and either Daphne answers the record.
    record = cluster.wait_for("the run stored", lambda: (
        r := client.record(run_id))["status"] == "succeeded" and r["events"] and r)
    assert record["runtime"]["host"] == cluster.net.hosts["worker-cpu"].name


def test_each_class_runs_only_on_its_own_host_and_auto_takes_the_best(
        cluster: Cluster, client: LiveClient) -> None:
    hosts = {d: cluster.net.hosts[f"worker-{d}"].name for d in ("cpu", "gpu")}
    for device in ("gpu", "cpu", "gpu", "cpu", "auto"):
        status = status_of(run_to_end(client, "print('hi')", device))
        landed = "gpu" if device == "auto" else device
        assert (status["host"], status["device"]) == (hosts[landed], landed), device
        assert status["runtime"]["host"] == hosts[landed]
        assert status["runtime"].get("simulated", False) is (landed == "gpu")
    devices = cluster.live_classes()
    assert devices["gpu"]["simulated"] is True and devices["cpu"]["simulated"] is False
    assert [h["host"] for h in devices["gpu"]["hosts"]] == [hosts["gpu"]]
    assert devices["cpu"]["slots"] == 2 and devices["cpu"]["hosts"][0]["hardware"]["cpu"]["cores"]


def test_workers_hold_no_web_secret_and_never_import_django(cluster: Cluster) -> None:
    for device, proc in cluster.workers.items():
        environ = Path(f"/proc/{proc.pid}/environ").read_bytes().split(b"\0")
        names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
        assert "REDIS_URL" in names and not set(WEB_SECRETS) & names, (device, names)
        maps = Path(f"/proc/{proc.pid}/maps").read_text()
        assert "django" not in maps and "psycopg" not in maps, device
        imports = cluster.log_tail(f"worker-{device}", size=10**8)
        assert re.search(r"\|\s+celery$", imports, re.M), "no import record to read"
        # A package's own line means it was loaded; an attempt that failed (kombu tries
        # django.utils.functional) leaves lines of its submodules only.
        assert not re.search(r"\|\s+(django|psycopg|channels|playground)$", imports, re.M)


def test_a_worker_host_cut_off_from_redis_serves_again_once_back(
        cluster: Cluster, client: LiveClient) -> None:
    host = cluster.net.hosts["worker-cpu"]
    cluster.net.link(host, up=False)
    try:
        cluster.wait_for("the web side to see the cpu host gone",
                         lambda: "cpu" not in cluster.live_classes(), timeout=20)
    finally:
        cluster.net.link(host, up=True)
    cluster.wait_for("the cpu host back", lambda: "cpu" in cluster.live_classes(), timeout=60)
    status = status_of(run_to_end(client, "print('back')", "cpu"))
    assert status["host"] == host.name


def test_a_dead_gpu_host_s_run_ends_worker_lost_and_cpu_runs_go_on(
        cluster: Cluster, client: LiveClient) -> None:
    run_id, _ = post_run(client, "import time\nprint('started', flush=True)\ntime.sleep(60)\n",
                         "gpu")
    events, _ = follow(client, run_id, until="started")
    assert status_of(events)["host"] == cluster.net.hosts["worker-gpu"].name
    worker = cluster.workers["gpu"]
    cluster.killed.add("worker-gpu")
    os.killpg(worker.pid, signal.SIGKILL)  # the host's worker and all it started
    killed_at = time.monotonic()
    rest = client.follow(run_id, after=events[-1]["seq"], timeout=30)
    assert rest[-1]["type"] == "done" and rest[-1]["status"] == "worker-lost", rest[-3:]
    assert time.monotonic() - killed_at < 15
    cluster.wait_for("gpu gone from /api/devices", lambda: "gpu" not in cluster.live_classes(),
                     timeout=15)
    status = status_of(run_to_end(client, "print('still here')", "cpu"))
    assert status["host"] == cluster.net.hosts["worker-cpu"].name
    refused = client.post("/api/runs", {"code": "print(1)", "device": "gpu"})
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "no_worker"
    assert status_of(run_to_end(client, "print(1)", "auto"))["device"] == "cpu"
