"""The worker's handle on its zygote: starts it clean, asks it for warm spares, restarts it."""
from __future__ import annotations

import fcntl
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

from contract import zygote as messages
from contract.spares import WARM
from trainer import accelerators, protocol
from trainer.config import INSECURE_ENV, ROOT, WorkerSettings
from trainer.sandbox import cgroups, jail

log = logging.getLogger(__name__)
# After a take, the fetcher waits this long before asking the zygote for the next spare, so the
# zygote's hand-out and the cgroup reads do not share the CPUs with the run's first milliseconds.
FETCH_AFTER_TAKE = 0.01
UIDS_PER_WORKER = 64  # more than a worker's slots (spares, held, concurrency and 2)
MAX_WORKERS_PER_HOST = 64


APPARMOR_SWITCH = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
APPARMOR_PROFILE = ROOT / "deploy" / "apparmor" / "tf-playground-worker"


def sandbox_mode(settings: WorkerSettings) -> tuple[str, str]:
    """The sandbox this worker can build (`contract.zygote.SANDBOXES`), and why not a stronger
    one: the root jail as root, else the same jail inside a user namespace, else none."""
    if not Path("/proc/self/ns/pid").exists():
        return "none", "the kernel has no pid namespaces"
    if os.geteuid() == 0 and settings.sandbox in ("auto", "jail"):
        return "jail", ""
    if settings.sandbox == "jail":
        return "none", "the worker is not root, and TRAINER_SANDBOX=jail asks for the root jail"
    ok, why = user_namespaces_work()
    return ("rootless", "") if ok else ("none", why)


def user_namespaces_work() -> tuple[bool, str]:
    """Whether an unprivileged process here may make a user namespace and mount inside it, tried
    in a throwaway child; why not, with what to do, when it may not."""
    pid = os.fork()
    if pid == 0:
        try:
            if os.geteuid() == 0:  # try it as nobody would
                os.setgroups([])
                os.setresgid(65534, 65534, 65534)
                os.setresuid(65534, 65534, 65534)
            jail.probe_user_namespace()
            os._exit(0)
        except BaseException:  # noqa: BLE001 - any failure means no
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return True, ""
    if Path(APPARMOR_SWITCH).exists() and Path(APPARMOR_SWITCH).read_text().strip() == "1":
        return False, (f"AppArmor forbids unprivileged user namespaces here (Ubuntu 24.04 and "
                       f"later): install the profile {APPARMOR_PROFILE} as its first lines say, "
                       f"or run the worker as root")
    return False, ("the kernel refuses unprivileged user namespaces (see "
                   "/proc/sys/user/max_user_namespaces), so only root can build the jail")


@dataclass
class HeldSpare:
    """A child handed to the worker for one run: its pipes, its cgroup, its kind (warm, or cold:
    TensorFlow not started, contract.spares)."""

    slot: int
    child_pid: int  # killing it ends the run's pid namespace
    run_pid: int  # the process that runs the code, whose /proc the supervisor samples
    group: cgroups.Group | None
    runtime: dict[str, object]
    control: int
    stdout: int
    stderr: int
    events: int
    status: int
    # CPU and OOM kills of its cgroup before the job: the warm-up's, not the run's.
    cpu0: float = 0.0
    oom0: int = 0
    spare: str = WARM

    def alive(self) -> bool:
        """A held child that died (its zygote restarted, say) has written its wait status."""
        readable, _, _ = select.select([self.status], [], [], 0)
        return not readable

    def discard(self) -> None:
        for name in messages.SPARE_PIPES:
            fd = getattr(self, name)
            if fd >= 0:
                os.close(fd)
                setattr(self, name, -1)
        if self.group is not None:
            self.group.remove()


class UidRange:
    """The sandbox uids of one worker: UIDS_PER_WORKER from `base`, the first range no other
    worker on this host holds (a lock file each), so that RLIMIT_NPROC, which counts per uid,
    never counts another worker's runs."""

    LOCKS = Path("/tmp/tfpg-uid-ranges")  # noqa: S108 - lock files only, no data

    def __init__(self, base: int, handle: int) -> None:
        self.base = base
        self.handle = handle  # held open for the worker's life: the kernel drops the lock

    @classmethod
    def claim(cls, first: int) -> UidRange:
        if os.geteuid() != 0:
            return cls(first, -1)  # not root: the sandbox runs as the worker's own user
        cls.LOCKS.mkdir(mode=0o700, exist_ok=True)
        for index in range(MAX_WORKERS_PER_HOST):
            base = first + index * UIDS_PER_WORKER
            handle = os.open(cls.LOCKS / str(base), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(handle)
                continue
            return cls(base, handle)
        raise RuntimeError(f"{MAX_WORKERS_PER_HOST} workers already hold sandbox uids here")


def clean_environment(settings: WorkerSettings) -> dict[str, str]:
    """The zygote's whole environment: what TensorFlow needs, nothing of the server's."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": "/nonexistent",
        "KERAS_HOME": os.path.join(settings.datasets_dir, ".keras-home"),
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # oneDNN's rewrites are off unless the operator turns them on. TensorFlow's own default
        # turns them on for CPUs with AVX-512 VNNI and the like; there its layout pass scans the
        # whole kernel registry once per kind of op in each fresh process, and its other order
        # of float operations would change results' last digits from host to host.
        "TF_ENABLE_ONEDNN_OPTS": settings.onednn,
        # matplotlib draws with Agg and reads the font cache the zygote builds once, here;
        # tensorflow-datasets finds the datasets `datasets pull` prepared.
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": settings.matplotlib_dir,
        "TFDS_DATA_DIR": settings.tfds_dir,
    }
    if settings.device_class == "gpu":
        gpus = accelerators.gpu_indices(settings.cuda_visible_devices)
        if gpus:
            # Every GPU of the worker; each child keeps its slot's one (runner.configure_devices).
            env["CUDA_VISIBLE_DEVICES"] = ",".join(gpus)
            # CUDA's own order puts the fastest first; NVML's and nvidia-smi's is the PCI bus's.
            env["CUDA_DEVICE_ORDER"] = "PCI_BUS_ID"
    if settings.device_class == "tpu":
        # libtpu reads the TPU VM's topology from these (TPU_ACCELERATOR_TYPE, TPU_WORKER_ID...).
        env.update({k: v for k, v in os.environ.items() if k.startswith("TPU_")})
    return env


class Pool:
    """One zygote per worker process; thread-safe `take()` for the worker's run threads.

    A fetcher thread keeps `held_spares` spares already handed over by the zygote, their pipes
    and cgroup baselines in hand, so a run starts without a round trip to a zygote that may be
    busy forking the next spare.
    """

    def __init__(self, settings: WorkerSettings, device_class: str) -> None:
        self.settings = settings
        self.device_class = device_class
        self.limits = settings.limits
        self.uid_range = UidRange.claim(settings.uid_base)
        self.uid_base = self.uid_range.base
        self.ready: queue.Queue[HeldSpare | Exception] = queue.Queue()
        self.room = threading.Semaphore(settings.held_spares)  # spares held at once
        self.taken_at = -FETCH_AFTER_TAKE
        self.fetcher: threading.Thread | None = None
        self.stopping = False
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.environment = clean_environment(settings)
        self.gpus = self.environment.get("CUDA_VISIBLE_DEVICES", "")  # the slots' GPUs, in turn
        self.zygote_spares = 0  # warm spares in the zygote when last asked
        self.simulated = False  # the class was forced on a host without its hardware
        self.sandbox, why = sandbox_mode(settings)
        self.jailed = self.sandbox != "none"
        if not self.jailed and not settings.insecure:
            raise RuntimeError(
                f"refusing to run untrusted code: {why}. Run the worker as root, or on a "
                f"single-user machine set {INSECURE_ENV}=1 to run snippets WITHOUT a sandbox."
            )
        if not self.jailed:
            log.warning("!!! %s=1: snippets run WITHOUT a sandbox on this worker !!!",
                        INSECURE_ENV)
        elif self.sandbox == "rootless":
            log.warning("the jail is built without root: no cgroup limits (memory by "
                        "RLIMIT_DATA, processes by RLIMIT_NPROC, CPU by time only)")

    def zygote_config(self, sock_fd: int) -> messages.ZygoteConfig:
        s = self.settings
        return messages.ZygoteConfig(
            sock_fd=sock_fd, spares=s.spares, sandbox=self.sandbox, uid_base=self.uid_base,
            slots=s.spares + s.cold_spares + s.held_spares + s.concurrency + 2,
            device_class=self.device_class, cold_spares=s.cold_spares,
            logical_cpus=s.logical_cpus, readable=(*_interpreter_trees(), s.datasets_dir),
            datasets_dir=s.datasets_dir, cpu_cores=s.cpu_cores, warm_function=s.warm_function,
            limits=self.limits, instrumentation=s.instrumentation,
            devices=accelerators.device_nodes(self.device_class, s.cuda_visible_devices),
        )

    def start(self) -> None:
        if self.sandbox == "jail" and (v := cgroups.version()):
            cgroups.remove_orphans(v)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        os.makedirs(os.path.join(self.settings.datasets_dir, ".keras-home"), exist_ok=True)
        os.makedirs(self.settings.matplotlib_dir, exist_ok=True)
        config = self.zygote_config(theirs.fileno())
        python = shutil.which("python3", path=os.path.dirname(sys.executable)) or sys.executable
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [python, "-s", "-m", "trainer.sandbox.zygote", config.to_json()],
            env=self.environment, cwd=str(ROOT), close_fds=True,
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.sock = ours

    def info(self, timeout: float = 60.0) -> messages.Runtime:
        """The runtime of the spares (TF version, devices) once the first one is warm."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                assert self.sock is not None
                protocol.send_with_fds(self.sock, messages.Info(), [])
                answer, _ = protocol.recv_with_fds(self.sock, messages.PAIRS[messages.Info])
            assert isinstance(answer, messages.Runtime)
            if answer.runtime or time.monotonic() > deadline:
                return answer
            time.sleep(0.1)

    def warm_spares(self) -> int:
        """Warm spares ready now: those held here and those the zygote holds. The zygote is asked
        only when nobody else is talking to it; otherwise its last answer stands."""
        if self.lock.acquire(blocking=False):
            try:
                if self.sock is not None and self.process is not None \
                        and self.process.poll() is None:
                    protocol.send_with_fds(self.sock, messages.Info(), [])
                    answer, _ = protocol.recv_with_fds(self.sock, messages.PAIRS[messages.Info])
                    if isinstance(answer, messages.Runtime):
                        self.zygote_spares = answer.ready
            except (EOFError, OSError):
                pass
            finally:
                self.lock.release()
        return self.zygote_spares + self.ready.qsize()

    def take(self, spare: str = WARM) -> HeldSpare:
        """A live spare: a warm one, the held one when there is one, else the zygote's next; or
        a cold one (contract.spares), asked of the zygote now (one run in a few takes one)."""
        if spare != WARM:
            return self._take_now(spare)
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

    def _take_now(self, spare: str) -> HeldSpare:
        while True:
            try:
                held = self._fetch(spare)
            except (EOFError, OSError) as exc:
                raise RuntimeError(f"lost the zygote ({exc})") from None
            if held.alive():
                return held
            held.discard()

    def hold_spares(self) -> None:
        """Start keeping `held_spares` spares in hand (once)."""
        with self.lock:
            if self.fetcher is None:
                self.fetcher = threading.Thread(target=self._fetch_forever, daemon=True,
                                                name="spare-fetcher")
                self.fetcher.start()

    def _fetch_forever(self) -> None:
        while not self.stopping:
            self.room.acquire()  # waits while `held_spares` spares wait for a run
            pause = self.taken_at + FETCH_AFTER_TAKE - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                item: HeldSpare | Exception = self._fetch()
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

    def _fetch(self, kind: str = WARM) -> HeldSpare:
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                if self.process is not None:
                    log.error("zygote is gone; starting a new one")
                self.start()
            assert self.sock is not None
            protocol.send_with_fds(self.sock, messages.Take(spare=kind), [])
            answer, fds = protocol.recv_with_fds(self.sock, messages.PAIRS[messages.Take])
        if isinstance(answer, messages.Refusal):
            raise RuntimeError(answer.error or "the sandbox refused")
        assert isinstance(answer, messages.Handout)
        named = dict(zip(answer.pipes, fds, strict=True))
        group = cgroups.Group(answer.group, answer.cgroup) if answer.cgroup else None
        spare = HeldSpare(slot=answer.slot, child_pid=answer.pid, run_pid=answer.run_pid,
                          group=group, runtime=answer.runtime, spare=answer.spare, **named)
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
            if self.sandbox == "jail" and (v := cgroups.version()):
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
