"""A playground spread over hosts: network namespaces joined by a bridge on a subnet of the test's
own. The broker host runs Redis; the web host two Daphne behind HAProxy (deploy/haproxy/), the
recorder and the database; two worker hosts each run `python -m trainer worker` with nothing but
the Redis URL, their own dataset cache and their class: `cpu`, and `gpu` forced without a GPU
(simulated)."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

from scripts.stack import ROOT, WEBSOCKET_MAX_MESSAGE
from tests.hosts import netns

BIN = Path(sys.executable).parent
HAPROXY_CONFIG = ROOT / "deploy" / "haproxy" / "haproxy.cfg"
DAPHNE_PORTS = (8001, 8002)
BALANCER_PORT = 8080
REDIS_PORT = 6379
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# Uids of the sandbox slots, apart from every other worker on this machine: RLIMIT_NPROC counts
# per uid across hosts that share a kernel.
UID_BASES = {"cpu": 64000, "gpu": 64100}
WEB_SECRETS = ("DATABASE_URL", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")


@dataclass
class Cluster:
    net: netns.Network
    tmp: Path
    web_env: dict[str, str]
    worker_env: dict[str, dict[str, str]]
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)  # id(process) -> its name in the logs
    killed: set[str] = field(default_factory=set)  # processes a test killed on purpose

    @property
    def url(self) -> str:
        return f"http://{self.net.hosts['web'].address}:{BALANCER_PORT}"

    def daphne_url(self, index: int) -> str:
        return f"http://{self.net.hosts['web'].address}:{DAPHNE_PORTS[index]}"

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.url + path, timeout=5) as answer:  # noqa: S310
            return json.load(answer)

    def live_classes(self) -> dict[str, dict]:
        try:
            return {d["class"]: d for d in self.get("/api/devices")["devices"]}
        except (urllib.error.URLError, OSError, ValueError):
            return {}

    def wait_for(self, what: str, check, timeout: float = 60.0):  # noqa: ANN001
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs():
                if proc.poll() is not None and name not in self.killed:
                    raise RuntimeError(f"{name} exited with {proc.returncode}: "
                                       f"{self.log_tail(name)}")
            found = check()
            if found:
                return found
            time.sleep(0.2)
        raise TimeoutError(f"waited {timeout:.0f} s for {what}")

    def procs(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        return [(self.names[id(p)], p) for h in self.net.hosts.values() for p in h.procs]

    def start(self, role: str, name: str, argv: list[str], env: dict[str, str]
              ) -> subprocess.Popen[bytes]:
        proc = self.net.start(self.net.hosts[role], argv, env, self.tmp / f"{name}.log", ROOT)
        self.names[id(proc)] = name
        return proc

    def log_tail(self, name: str, size: int = 3000) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def start_worker(self, device: str) -> subprocess.Popen[bytes]:
        # -X importtime writes every module the worker imports to its log: the test reads there
        # that Django never is.
        proc = self.start(f"worker-{device}", f"worker-{device}",
                          [str(BIN / "python"), "-X", "importtime", "-m", "trainer", "worker",
                           "--loglevel=INFO"], self.worker_env[device])
        self.workers[device] = proc
        self.killed.discard(f"worker-{device}")
        return proc


def _database(tmp: Path) -> str:
    """SQLite on the web host; or, where DATABASE_URL names a PostgreSQL server of this machine,
    a fresh database there, reached through its Unix socket (the web host has no route to the
    machine's own 127.0.0.1)."""
    url = os.environ.get("DATABASE_URL", "")
    socket_dir = Path("/var/run/postgresql")
    port = urlparse(url).port or 5432
    if not url.startswith("postgres") or not (socket_dir / f".s.PGSQL.{port}").exists():
        return f"sqlite:///{tmp / 'web.sqlite3'}"
    import psycopg

    name = f"tfpg_hosts_{os.getpid()}"
    admin = urlunparse(urlparse(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    user = urlparse(url).username or "postgres"
    return f"postgres://{user}@{str(socket_dir).replace('/', '%2F')}:{port}/{name}"


def _drop_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    admin = urlunparse(urlparse(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _worker_env(device: str, redis_url: str, datasets: Path) -> dict[str, str]:
    """A worker host's whole environment: the Redis URL, its cache and class, and the limits the
    tests need; nothing of the web side."""
    env = {"PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", "REDIS_URL": redis_url,
           "TRAINER_DATASETS_DIR": str(datasets), "TRAINER_UID_BASE": str(UID_BASES[device]),
           "TRAINER_CONCURRENCY": "2", "TRAINER_SPARES": "1", "RUN_WALL_SECONDS": "30"}
    if device == "gpu":
        env["TRAINER_DEVICE"] = "gpu"  # no GPU here: the worker says it is simulated
    return env


@pytest.fixture(scope="session")
def hosts_possible() -> None:
    why = netns.cannot_make_namespaces()
    if why:
        pytest.skip(f"the multi-host test needs network namespaces: {why}")
    for program in ("haproxy", "redis-server"):
        if shutil.which(program) is None:
            pytest.fail(f"{program} is not installed: run scripts/system-packages.sh --browser")


@pytest.fixture(scope="module")
def cluster(hosts_possible: None) -> Iterator[Cluster]:
    netns.remove_leftovers()
    tmp = Path(tempfile.mkdtemp(prefix="tfpg-hosts-"))
    caches = ROOT / ".cache" / f"hosts-{os.getpid()}"
    net = netns.Network()
    database = ""
    try:
        broker, web = net.add_host("broker"), net.add_host("web")
        for device in ("cpu", "gpu"):
            net.add_host(f"worker-{device}")
            (caches / device).mkdir(parents=True, exist_ok=True)
        caches.chmod(0o755)
        redis_url = f"redis://{broker.address}:{REDIS_PORT}/0"
        database = _database(tmp)
        web_env = {
            "PATH": PATH, "HOME": "/root", "LANG": "C.UTF-8", "REDIS_URL": redis_url,
            "DATABASE_URL": database, "SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_SETTINGS_MODULE": "playground.settings",
            "ALLOWED_HOSTS": f"{web.address},localhost", "RUN_RATE_LIMIT": "100000/m",
            "RUN_MAX_IN_FLIGHT_PER_ADDRESS": "1000", "RUN_WALL_SECONDS": "30",
        }
        cluster = Cluster(net, tmp, web_env, {d: _worker_env(d, redis_url, caches / d)
                                              for d in ("cpu", "gpu")})
        cluster.start("broker", "redis", [
            "redis-server", "--bind", broker.address, "--port", str(REDIS_PORT),
            "--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", str(tmp)],
            {"PATH": PATH})
        for command in (["migrate", "--verbosity", "0"], ["load_content"]):
            subprocess.run([str(BIN / "python"), "manage.py", *command], cwd=ROOT, check=True,
                           env=web_env, stdout=subprocess.DEVNULL, timeout=300)
        for device in ("cpu", "gpu"):
            cluster.start_worker(device)
        for index, port in enumerate(DAPHNE_PORTS):
            cluster.start("web", f"daphne-{index + 1}", [
                str(BIN / "daphne"), "-b", web.address, "-p", str(port), "--proxy-headers",
                "--access-log", str(tmp / f"access-{index + 1}.log"),
                "--websocket-max-message-size", str(WEBSOCKET_MAX_MESSAGE),
                "--websocket-max-frame-size", str(WEBSOCKET_MAX_MESSAGE),
                "playground.asgi:application"], web_env)
        cluster.start("web", "recorder", [str(BIN / "python"), "manage.py", "record_runs"],
                      web_env)
        cluster.start("web", "haproxy", ["haproxy", "-db", "-f", str(HAPROXY_CONFIG)], {
            "PATH": PATH, "TFPG_LISTEN": f"{web.address}:{BALANCER_PORT}",
            "TFPG_WEB1": f"{web.address}:{DAPHNE_PORTS[0]}",
            "TFPG_WEB2": f"{web.address}:{DAPHNE_PORTS[1]}", "TFPG_HOST": web.address})
        cluster.wait_for("both worker classes live behind the balancer",
                         lambda: {"cpu", "gpu"} <= set(cluster.live_classes()), timeout=120)
        yield cluster
    finally:
        net.close()
        _drop_database(database)
        shutil.rmtree(caches, ignore_errors=True)
        for log in sorted(tmp.glob("*.log")):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                sys.stderr.write(f"\n--- {log.name} (last lines) ---\n{text[-3000:]}\n")
        shutil.rmtree(tmp, ignore_errors=True)
