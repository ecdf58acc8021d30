"""The worker's handle on its zygote: starts it clean, asks it for warm spares, restarts it."""
from __future__ import annotations

import json
import logging
import os
import queue
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trainer import protocol
from trainer.limits import Limits
from trainer.sandbox import cgroups

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
INSECURE_ENV = "TRAINER_INSECURE_NO_SANDBOX"
# After a take, the fetcher waits this long before asking the zygote for the next spare: the
# zygote's hand-out and the cgroup reads would otherwise share the CPUs with the run's first
# milliseconds (single client, POST -> first stdout: p50 ~1 ms lower, 4 interleaved pairs).
FETCH_AFTER_TAKE = 0.01


def datasets_dir() -> str:
    return os.environ.get("TRAINER_DATASETS_DIR", str(ROOT / ".cache" / "datasets"))


def jail_possible() -> tuple[bool, str]:
    """Whether this host can build the full jail, and why not when it cannot."""
    if os.geteuid() != 0:
        return False, "the worker is not root, so it cannot create namespaces, cgroups or uids"
    if not Path("/proc/self/ns/pid").exists():
        return False, "the kernel has no pid namespaces"
    return True, ""


def insecure_opt_out() -> bool:
    return os.environ.get(INSECURE_ENV, "") == "1"


@dataclass
class Spare:
    """A warm child handed to one run: its pipes, its cgroup."""

    slot: int
    child_pid: int
    group: cgroups.Group | None
    runtime: dict[str, Any]
    control: int
    stdout: int
    stderr: int
    events: int
    status: int
    # CPU and OOM kills of its cgroup before the job: the warm-up's, not the run's.
    cpu0: float = 0.0
    oom0: int = 0

    def alive(self) -> bool:
        """A held child that died (its zygote restarted, say) has written its wait status."""
        readable, _, _ = select.select([self.status], [], [], 0)
        return not readable

    def discard(self) -> None:
        for fd in (self.control, self.stdout, self.stderr, self.events, self.status):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.group is not None:
            self.group.remove()


def clean_environment(device_class: str) -> dict[str, str]:
    """The zygote's whole environment: what TensorFlow needs, nothing of the server's."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/nonexistent",
        "KERAS_HOME": os.path.join(datasets_dir(), ".keras-home"),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # oneDNN's rewrites are off unless the operator turns them on. TensorFlow's own default
        # turns them on for CPUs with AVX-512 VNNI and the like; there its layout pass scans the
        # whole kernel registry once per kind of op in each fresh process, ~4 ms of every spare's
        # CPU, and its other order of float operations would change results' last digits from
        # host to host.
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "0"),
    }
    if device_class == "gpu" and "CUDA_VISIBLE_DEVICES" in os.environ:
        env["CUDA_VISIBLE_DEVICES"] = os.environ["CUDA_VISIBLE_DEVICES"]
    return env


class Pool:
    """One zygote per worker process; thread-safe `take()` for the worker's run threads.

    A fetcher thread keeps `held` spares already handed over by the zygote, their pipes and
    cgroup baselines in hand, so a run starts without a round trip to a zygote that may be busy
    forking the next spare.
    """

    def __init__(self, device_class: str, concurrency: int, spares: int | None = None,
                 held: int | None = None) -> None:
        self.device_class = device_class
        self.concurrency = concurrency
        self.spares = spares if spares is not None else int(os.environ.get("TRAINER_SPARES", 2))
        self.held = max(1, held if held is not None
                        else int(os.environ.get("TRAINER_HELD_SPARES", 1)))
        self.ready: queue.Queue[Spare | Exception] = queue.Queue()
        self.room = threading.Semaphore(self.held)  # spares the fetcher may hold at once
        self.taken_at = -FETCH_AFTER_TAKE
        self.fetcher: threading.Thread | None = None
        self.stopping = False
        self.limits = Limits.from_env()
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        ok, why = jail_possible()
        self.jailed = ok
        if not ok and not insecure_opt_out():
            raise RuntimeError(
                f"refusing to run untrusted code: {why}. Run the worker as root, or on a "
                f"single-user machine set {INSECURE_ENV}=1 to run snippets WITHOUT a sandbox."
            )
        if not ok:
            log.warning("!!! %s=1: snippets run WITHOUT a sandbox on this worker !!!",
                        INSECURE_ENV)

    @property
    def sandbox(self) -> str:
        return "jail" if self.jailed else "none"

    def start(self) -> None:
        if self.jailed and (v := cgroups.version()):
            cgroups.remove_orphans(v)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        os.makedirs(os.path.join(datasets_dir(), ".keras-home"), exist_ok=True)
        logical = int(os.environ.get("TRAINER_LOGICAL_CPUS", 2))
        config = {
            "sock_fd": theirs.fileno(),
            "spares": self.spares,
            "jailed": self.jailed,
            "uid_base": int(os.environ.get("TRAINER_UID_BASE", 61000)),
            "slots": self.spares + self.held + self.concurrency + 2,
            "device_class": self.device_class,
            "logical_cpus": logical,
            "readable": [*_interpreter_trees(), datasets_dir()],
            "datasets_dir": datasets_dir(),
            "cpu_cores": float(os.environ.get("TRAINER_CPU_CORES", 1.5)),
            "warm_function": os.environ.get("TRAINER_WARM_FUNCTION", "0") == "1",
            "limits": self.limits.as_dict(),
            "instrument": {"graph_max_bytes": self.limits.graph_event_bytes},
        }
        python = shutil.which("python3", path=os.path.dirname(sys.executable)) or sys.executable
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [python, "-s", "-m", "trainer.sandbox.zygote", json.dumps(config)],
            env=clean_environment(self.device_class), cwd=str(ROOT), close_fds=True,
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.sock = ours

    def _request(self, message: dict[str, Any]) -> tuple[dict[str, Any], list[int]]:
        assert self.sock is not None
        protocol.send_with_fds(self.sock, message, [])
        return protocol.recv_with_fds(self.sock, 8)

    def info(self, timeout: float = 60.0) -> dict[str, Any]:
        """The runtime of the spares (TF version, devices) once the first one is warm."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                answer, _ = self._request({"op": "info"})
            if answer.get("runtime") or time.monotonic() > deadline:
                return answer
            time.sleep(0.1)

    def take(self) -> Spare:
        """A live warm spare: the held one when there is one, else the zygote's next."""
        self.hold_spares()
        while True:
            item = self.ready.get()
            self.taken_at = time.monotonic()
            self.room.release()  # the fetcher fetches the next one, FETCH_AFTER_TAKE from now
            if isinstance(item, Exception):
                raise item
            if item.alive():
                return item
            item.discard()

    def hold_spares(self) -> None:
        """Start keeping `held` spares in hand (once)."""
        with self.lock:
            if self.fetcher is None:
                self.fetcher = threading.Thread(target=self._fetch_forever, daemon=True,
                                                name="spare-fetcher")
                self.fetcher.start()

    def _fetch_forever(self) -> None:
        while not self.stopping:
            self.room.acquire()  # waits while `held` spares wait for a run
            pause = self.taken_at + FETCH_AFTER_TAKE - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                item: Spare | Exception = self._fetch()
            except (EOFError, OSError) as exc:
                self.room.release()
                if self.stopping:
                    return
                log.error("lost the zygote (%s); starting a new one", exc)
                time.sleep(0.1)
                continue
            except RuntimeError as exc:
                item = exc
            self.ready.put(item)

    def _fetch(self) -> Spare:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                if self.process is not None:
                    log.error("zygote is gone; starting a new one")
                self.start()
            answer, fds = self._request({"op": "take"})
        if not answer.get("ok"):
            raise RuntimeError(answer.get("error", "the sandbox refused"))
        named = dict(zip(answer["fds"], fds, strict=True))
        group = cgroups.Group(answer["group"], answer["cgroup"]) if answer["cgroup"] else None
        spare = Spare(slot=answer["slot"], child_pid=answer["pid"], group=group,
                      runtime=answer["runtime"], **named)
        if group is not None:
            spare.cpu0, spare.oom0 = group.cpu_seconds(), group.oom_kills()
        return spare

    def stop(self) -> None:
        self.stopping = True
        if self.sock is not None:
            self.sock.close()
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            if self.jailed and (v := cgroups.version()):
                cgroups.remove_orphans(v, zygote_pid=self.process.pid)


def _interpreter_trees() -> list[str]:
    """The interpreter and its package folders, none inside another: every spare binds each."""
    trees = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    for entry in sys.path:
        real = os.path.realpath(entry) if entry else ""
        if "-packages" in real and os.path.isdir(real):
            trees.add(real)
    outermost: list[str] = []
    for tree in sorted(trees):
        if not any(tree.startswith(kept + os.sep) for kept in outermost):
            outermost.append(tree)
    return outermost
