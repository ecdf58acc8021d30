"""Start the whole playground on this machine and stop everything it started.

Redis (only when none answers at REDIS_URL), the recorder (stores finished runs, declares lost
ones), a trainer worker with its zygote, and Daphne. `python scripts/stack.py serve` runs until
Ctrl-C and restarts any of them that dies (scripts/supervise.py); the test suite uses `Stack`
directly.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python scripts/stack.py` imports scripts.supervise too

from contract.limits import Limits  # noqa: E402
from scripts.supervise import Supervisor  # noqa: E402

BIN = Path(sys.executable).parent
REDIS_MAXMEMORY = "2gb"
WEBSOCKET_MAX_MESSAGE = 8 * 1024 * 1024
STOP_SECONDS = 10  # what a stopped process gets to exit before SIGKILL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        address = (parsed.hostname or "127.0.0.1", parsed.port or 6379)
        with socket.create_connection(address, 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def local_secret_key() -> str:
    """This checkout's own SECRET_KEY, made once and kept in .run/secret_key (mode 0600), so
    sessions outlive a restart of `make run`."""
    path = ROOT / ".run" / "secret_key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


class Stack:
    def __init__(self, port: int, redis_url: str, env: dict[str, str] | None = None,
                 log_dir: Path | None = None, workers: int = 1) -> None:
        self.port = port
        self.redis_url = redis_url
        self.env = {**os.environ, **(env or {}), "REDIS_URL": redis_url,
                    "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                             "playground.settings")}
        self.env.setdefault("SECRET_KEY", local_secret_key())
        self.log_dir = log_dir
        self.workers = workers
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.commands: dict[str, tuple[list[str], dict[str, str]]] = {}
        self.redis_dir: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        """Start a process of the stack, in a process group of its own, under `name`."""
        self.commands[name] = (args, env or self.env)
        self.procs.append((name, self._popen(name)))

    def respawn(self, name: str) -> subprocess.Popen[bytes]:
        """Start `name` again with the command it was first started with (the old one is gone)."""
        proc = self._popen(name)
        self.procs = [(n, proc if n == name else p) for n, p in self.procs]
        return proc

    def _popen(self, name: str) -> subprocess.Popen[bytes]:
        args, env = self.commands[name]
        out = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else None  # noqa: SIM115
        try:
            return subprocess.Popen(  # noqa: S603 - our own fixed commands
                args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT if out else None,
                start_new_session=True)
        finally:
            if out:
                out.close()  # the child has its own copy

    def start_redis_if_needed(self) -> None:
        if redis_answers(self.redis_url):
            return
        server = shutil.which("redis-server")
        if server is None:
            raise SystemExit(f"Nothing answers at {self.redis_url} and redis-server is not "
                             "installed: run `make setup` (it installs it) or set REDIS_URL.")
        parsed = urlparse(self.redis_url)
        self.redis_dir = tempfile.mkdtemp(prefix="tfpg-redis-")
        # Bound where REDIS_URL points: 127.0.0.1 by default, or an address of a private link
        # that other hosts reach (a worker in a network namespace, docs/deploy.md); Redis then
        # needs its protected mode off, which refuses every client but loopback ones.
        host = parsed.hostname or "127.0.0.1"
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        self.spawn("redis", [server, "--port", str(parsed.port or 6379), "--bind", host,
                             "--protected-mode", "yes" if loopback else "no",
                             "--save", "", "--appendonly", "no", "--dir", self.redis_dir,
                             # Evict what expires soonest first (stored runs' streams, then
                             # sessions' caches), never a live run's stream or a queue.
                             "--maxmemory", REDIS_MAXMEMORY, "--maxmemory-policy", "volatile-ttl"])
        for _ in range(100):
            if redis_answers(self.redis_url):
                return
            time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def start(self, wait: bool = True) -> None:
        self.start_redis_if_needed()
        python = str(BIN / "python")
        self.spawn("recorder", [python, "manage.py", "record_runs"])
        for i in range(self.workers):
            self.spawn(f"trainer-{i}", [python, "-m", "trainer", "worker", "--loglevel=INFO"])
        self.spawn("daphne", [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port),
                              # A graph event may reach 2 MiB of JSON: above Daphne's default.
                              "--websocket-max-message-size", str(WEBSOCKET_MAX_MESSAGE),
                              "--websocket-max-frame-size", str(WEBSOCKET_MAX_MESSAGE),
                              "playground.asgi:application"])
        if wait:
            self.wait_ready()

    def ready(self) -> bool:
        """Whether Daphne answers `/healthz` with Redis and the database up and at least as many
        live workers as this stack started."""
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:  # noqa: S310
                health = json.load(answer)
        except (urllib.error.URLError, OSError, ValueError):  # HTTPError (503) included
            return False
        return sum(health["workers"].values()) >= self.workers

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}")
            if self.ready():
                return
            time.sleep(0.2)
        raise TimeoutError("the stack did not become ready")

    def stop(self) -> None:
        """SIGTERM to every process group, then SIGKILL to any still running after its time: a
        trainer worker drains (finishes the runs it holds, up to the wall limit), others 10 s."""
        began = time.monotonic()
        drain = Limits.from_env(self.env).wall_seconds + STOP_SECONDS
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for name, proc in reversed(self.procs):
            grace = drain if name.startswith("trainer") else STOP_SECONDS
            try:
                proc.wait(timeout=max(0.0, began + grace - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()
        if self.redis_dir:
            shutil.rmtree(self.redis_dir, ignore_errors=True)


def serve(port: int, workers: int = 1) -> int:
    """Run the stack until Ctrl-C (or SIGTERM), restarting whatever dies; then stop it all."""
    stack = Stack(port, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), workers=workers)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        began = time.monotonic()
        stack.start(wait=False)
        for name, proc in stack.procs:
            print(f"{name} started (pid {proc.pid})", flush=True)
        supervisor = Supervisor(stack)
        ready = False
        while not stopping:
            refused = supervisor.check()
            if refused:
                print(f"{refused}; stopping.", flush=True)
                break
            if not ready and stack.ready():
                ready = True
                print(f"The playground is serving at {stack.url} (ready in "
                      f"{time.monotonic() - began:.1f} s). Ctrl-C stops everything.", flush=True)
            time.sleep(0.2)
    finally:
        stack.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--workers", type=int, default=1, help="trainer workers to start")
    arguments = parser.parse_args()
    sys.exit(serve(arguments.port, arguments.workers))
