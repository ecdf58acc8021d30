"""Start the whole playground on this machine and stop everything it started.

Redis (only when none answers at REDIS_URL), the recorder (stores finished runs, declares lost
ones), a trainer worker with its zygote, and Daphne. `python scripts/stack.py serve` runs until
Ctrl-C; the test suite uses `Stack` directly.
"""
from __future__ import annotations

import argparse
import os
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
BIN = Path(sys.executable).parent
WEBSOCKET_MAX_MESSAGE = 8 * 1024 * 1024


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


class Stack:
    def __init__(self, port: int, redis_url: str, env: dict[str, str] | None = None,
                 log_dir: Path | None = None, workers: int = 1) -> None:
        self.port = port
        self.redis_url = redis_url
        self.env = {**os.environ, **(env or {}), "REDIS_URL": redis_url,
                    "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE",
                                                             "playground.settings")}
        self.log_dir = log_dir
        self.workers = workers
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.redis_dir: str | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        out = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else None  # noqa: SIM115
        proc = subprocess.Popen(  # noqa: S603 - our own fixed commands
            args, cwd=ROOT, env=env or self.env, stdout=out, stderr=subprocess.STDOUT if out
            else None, start_new_session=True)
        self.procs.append((name, proc))

    def start_redis_if_needed(self) -> None:
        if redis_answers(self.redis_url):
            return
        server = shutil.which("redis-server")
        if server is None:
            raise SystemExit(f"Nothing answers at {self.redis_url} and redis-server is not "
                             "installed: run `make setup` (it installs it) or set REDIS_URL.")
        parsed = urlparse(self.redis_url)
        self.redis_dir = tempfile.mkdtemp(prefix="tfpg-redis-")
        self._spawn("redis", [server, "--port", str(parsed.port or 6379), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", self.redis_dir])
        for _ in range(100):
            if redis_answers(self.redis_url):
                return
            time.sleep(0.05)
        raise SystemExit("redis-server did not start")

    def start(self, wait: bool = True) -> None:
        self.start_redis_if_needed()
        python = str(BIN / "python")
        self._spawn("recorder", [python, "manage.py", "record_runs"])
        for i in range(self.workers):
            self._spawn(f"trainer-{i}", [python, "-m", "trainer", "worker", "--loglevel=INFO"])
        self._spawn("daphne", [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(self.port),
                               # A graph event may reach 2 MiB of JSON: above Daphne's default.
                               "--websocket-max-message-size", str(WEBSOCKET_MAX_MESSAGE),
                               "--websocket-max-frame-size", str(WEBSOCKET_MAX_MESSAGE),
                               "playground.asgi:application"])
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs:
                if proc.poll() is not None:
                    raise RuntimeError(f"{name} exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/api/devices", timeout=2) as answer:  # noqa: S310
                    if b'"cpu"' in answer.read():
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise TimeoutError("the stack did not become ready")

    def stop(self) -> None:
        for _name, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()
        if self.redis_dir:
            shutil.rmtree(self.redis_dir, ignore_errors=True)


def serve(port: int) -> int:
    stack = Stack(port, os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start(wait=False)
        began = time.monotonic()
        stack.wait_ready()
        print(f"The playground is serving at {stack.url} (ready in "
              f"{time.monotonic() - began:.1f} s). Ctrl-C stops everything.", flush=True)
        while not stopping:
            for name, proc in stack.procs:
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping.", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        stack.stop()
        print("Stopped.", flush=True)
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    sys.exit(serve(parser.parse_args().port))
