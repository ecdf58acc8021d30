"""A `scripts/stack.py serve` for the tests that need the real supervisor or a real Daphne."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from scripts.stack import ROOT, free_port


class Served:
    """`scripts/stack.py serve` with no trainer worker (Daphne and the recorder), on a Redis
    database and an SQLite file of its own; its output goes to `log`."""

    def __init__(self, redis_url: str, folder: Path, content: bool = False,
                 env: dict[str, str] | None = None) -> None:
        env = {**os.environ, **(env or {}), "REDIS_URL": redis_url,
               "DATABASE_URL": f"sqlite:///{folder / 'serve.sqlite3'}"}
        commands = [["migrate", "--verbosity", "0"]] + ([["load_content"]] if content else [])
        for command in commands:
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                           check=True, stdout=subprocess.DEVNULL)
        self.log = folder / "serve.log"
        self.port = free_port()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "scripts/stack.py", "serve", "--port", str(self.port),
                 "--workers", "0"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log.read_text(errors="replace"))
            if found:
                return found
            assert self.process.poll() is None or "Stopped." in self.log.read_text(), \
                self.log.read_text()
            time.sleep(0.1)
        raise AssertionError(f"no line /{pattern}/ in:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)
