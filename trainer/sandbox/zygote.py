"""The zygote: a clean interpreter with TensorFlow imported that keeps jailed, warm spares ready.

Started by exec with an empty environment, it imports TensorFlow, Keras and NumPy and never runs
a TF op. It forks spares: each goes through the jail, warms TensorFlow up and waits for one job;
a cold spare (contract.spares), for a snippet that sets devices up itself, skips the warm-up.
The supervisor asks for a spare of either kind over a unix socket and receives its pipes.

Process tree of one spare:  zygote -> child (pid 1 of its own pid namespace: joins its cgroup,
jail, warm-up, the learner's code). The zygote hands the child's pid out with its pipes and
writes its wait status on the status pipe when it exits.
"""
from __future__ import annotations

import ctypes
import fcntl
import gc
import os
import select
import signal
import socket
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any

from contract import zygote as messages
from contract.spares import COLD, SPARE_KINDS, WARM
from contract.zygote import SPARE_PIPES, ZygoteConfig
from trainer import protocol
from trainer.sandbox import cgroups, jail, priming, seccomp

PR_SET_PDEATHSIG = 1
MADV_COLLAPSE = 25
HUGE_PAGE = 2 * 1024 * 1024
REFILL_DELAY = 0.05  # seconds a refill may wait after a hand-out while another spare is ready
IDLE_WAKE = 0.2
READY_FD = 5  # the child's end of its ready pipe, after the stdio, event and control pipes


@dataclass
class Child:
    """A child this zygote forked, from its fork until it is handed out."""

    pid: int
    slot: int
    group: str
    fds: dict[str, int]
    ready_fd: int
    born: float
    runtime: dict[str, Any] | None = None
    kind: str = WARM  # or COLD: jailed, TensorFlow not started (contract.spares)


_LIBC = ctypes.CDLL(None)  # made before any fork: a child would make its own at every call


def _pdeathsig() -> None:
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Zygote:
    def __init__(self, config: ZygoteConfig, stash: dict[str, str] | None = None) -> None:
        self.config = config
        self.jailed = config.sandbox != "none"
        self.rootless = config.sandbox == "rootless"
        self.stash = stash or {}  # trees a rootless child binds from where the zygote put them
        self.root_files = jail.root_files() if self.jailed else None
        if self.jailed and seccomp.supported():
            seccomp.prepare()
        # The root jail's children each have a uid and a cgroup of their own; rootless ones run
        # as the worker's user, so their process limit counts that user's other tasks too.
        self.processes = rootless_process_limit(config) if self.rootless else 0
        self.sock = socket.socket(fileno=config.sock_fd)
        self.cgroup_v = cgroups.version() if config.sandbox == "jail" else 0
        self.spares: list[Child] = []  # warming or ready, oldest first
        self.busy_slots: dict[int, int] = {}  # child pid -> slot, until reaped
        self.status_fds: dict[int, int] = {}  # child pid -> write end of its status pipe
        self.exit_fds: dict[int, int] = {}  # pidfd -> child pid: readable once the child exits
        self.own_pid_ns = jail.own_pid_namespace() if config.sandbox == "jail" else -1
        self.own_net_ns = -1
        self.slot_net_ns: dict[int, int] = {}  # slot -> its network namespace (the root jail)
        self.waiting: list[str] = []  # the kinds of the take requests not yet answered, in order
        self.counter = 0
        self.last_runtime: dict[str, Any] | None = None
        self.failures = 0
        self.refill_due: float | None = None  # when the refill deferred by a hand-out must start

    # --- spares -------------------------------------------------------------------------
    def _free_slot(self) -> int:
        used = set(self.busy_slots.values()) | {s.slot for s in self.spares}
        for slot in range(self.config.slots):
            if slot not in used:
                return slot
        raise RuntimeError("no free sandbox slot")

    def spawn(self, spare: str = WARM) -> None:
        slot = self._free_slot()
        self.counter += 1
        group_name = f"{os.getpid()}-{self.counter}"
        limits = self.config.limits
        if self.cgroup_v:
            cgroups.Group(group_name, self.cgroup_v).create(
                limits.memory_bytes, limits.max_tasks, self.config.cpu_cores)
        pipes = {name: os.pipe() for name in ("control", "stdout", "stderr", "events", "status",
                                               "ready")}
        net_ns = self._net_namespace(slot)
        if self.config.sandbox == "jail":
            pid = jail.fork_into_pid_namespace(self.own_pid_ns)
        else:
            pid = os.fork()
        if pid == 0:
            try:
                if self.rootless:
                    self._rootless_child(slot, group_name, pipes)
                self._child(slot, group_name, pipes, spare, net_ns)
            except BaseException:  # noqa: BLE001 - the child must never return into the zygote
                traceback.print_exc()
            os._exit(71)
        parent_ends = {"control": pipes["control"][1], "stdout": pipes["stdout"][0],
                       "stderr": pipes["stderr"][0], "events": pipes["events"][0],
                       "status": pipes["status"][0]}
        for name, (r, w) in pipes.items():
            if name != "status":
                os.close(w if name != "control" else r)
        self.status_fds[pid] = pipes["status"][1]
        self.exit_fds[os.pidfd_open(pid)] = pid
        self.spares.append(Child(pid, slot, group_name, parent_ends, pipes["ready"][0],
                                 time.monotonic(), kind=spare))

    def _rootless_child(self, slot: int, group_name: str,
                        pipes: dict[str, tuple[int, int]]) -> None:
        """Without root: a user namespace of the child's own, then its child as pid 1 of a new
        pid namespace runs `_child`; this process only waits for it and dies with its status
        (and kills it by dying first: the grandchild's death signal)."""
        try:
            _pdeathsig()
            if os.geteuid() == 0:  # a root worker told to jail without root: a uid per slot
                uid = self.config.uid_base + slot
                os.setgroups([])
                os.setresgid(uid, uid, uid)
                os.setresuid(uid, uid, uid)
            jail.enter_user_namespace()
            pid = jail.fork_as_pid_one()
        except BaseException as exc:  # noqa: BLE001 - reported to the zygote, never hidden
            protocol.write_message(pipes["ready"][1], messages.Refusal(
                f"rootless jail: {exc!r}\n" + traceback.format_exc()).to_wire())
            os._exit(72)
        if pid == 0:
            return  # the grandchild goes on to `_child`
        jail.close_fds_except(set())
        _pid, status = os.waitpid(pid, 0)
        _exit_like(status)

    def _net_namespace(self, slot: int) -> int:
        """The root jail's network namespace for `slot`, made at its first spare; -1 elsewhere
        (a rootless child makes its own, in its own user namespace)."""
        if self.config.sandbox != "jail":
            return -1
        if slot not in self.slot_net_ns:
            try:
                if self.own_net_ns < 0:
                    self.own_net_ns = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
                self.slot_net_ns[slot] = jail.new_network_namespace(self.own_net_ns)
            except OSError as exc:  # the slot's children make their own, as rootless ones do
                print(f"zygote: no network namespace for slot {slot}: {exc}", file=sys.stderr,
                      flush=True)
                self.slot_net_ns[slot] = -1
        return self.slot_net_ns[slot]

    def _child(self, slot: int, group_name: str, pipes: dict[str, tuple[int, int]],
               spare: str, net_ns: int = -1) -> None:
        """In the forked child: jail it, then warm up (unless cold) and serve one run. Never
        returns."""
        ready_w = pipes["ready"][1]
        try:
            _pdeathsig()
            if self.cgroup_v:
                cgroups.Group(group_name, self.cgroup_v).join()
            spec = self._jail_spec(slot)
            if self.jailed:
                jail.enter_namespaces(net_ns)
                jail.build_root(spec, self.stash, self.root_files)
            _child_descriptors(pipes)
            from trainer.sandbox import runner

            runner.setup_stdio()
            if self.jailed:
                self._lock_down(spec)
            else:
                work = f"/tmp/tfpg-insecure-{os.getpid()}"  # noqa: S108 - opt-out mode only
                os.makedirs(work, exist_ok=True)
                os.chdir(work)
            os.environ.update({"HOME": os.getcwd(), "TMPDIR": "/tmp"})  # noqa: S108
        except BaseException as exc:  # noqa: BLE001 - reported to the zygote, never hidden
            protocol.write_message(ready_w, messages.Refusal(
                f"jail: {exc!r}\n" + traceback.format_exc()).to_wire())
            os._exit(72)
        self._serve(slot, spare)

    def _jail_spec(self, slot: int) -> jail.JailSpec:
        cfg, limits = self.config, self.config.limits
        uid = gid = cfg.uid_base + slot
        if self.rootless:  # the uid the user namespace maps: the slot's, or the worker's user's
            uid, gid = os.geteuid(), os.getegid()
        return jail.JailSpec(
            uid=uid, gid=gid, readable=cfg.readable, cpu_seconds=limits.cpu_seconds,
            written_bytes=limits.written_bytes, open_files=limits.open_files,
            max_tasks=limits.max_tasks, memory_fallback_bytes=limits.memory_bytes * 2,
            processes=self.processes, devices=cfg.devices,
        )

    def _lock_down(self, spec: jail.JailSpec) -> None:
        """Limits, a uid of the slot's own, no new privileges, Landlock and seccomp."""
        jail.set_limits(spec, with_cgroup=bool(self.cgroup_v))
        if self.rootless:
            jail.drop_capabilities()
        else:
            jail.drop_privileges(spec.uid, spec.gid)
        _pdeathsig()
        from trainer.sandbox import landlock

        jail.no_new_privs()
        landlock.restrict(writable=(jail.SANDBOX_DIR, "/tmp", "/dev/shm"),  # noqa: S108
                          devices=(*(f"/dev/{d}" for d in jail.DEVICES), *self.config.devices))
        if seccomp.supported():
            seccomp.apply()
        os.chdir(jail.WORK_DIR)
        _link_datasets(self.config.datasets_dir)

    def _serve(self, slot: int, spare: str) -> None:
        from trainer.sandbox import runner

        cfg = self.config
        try:
            runner.serve(device_class=cfg.device_class, slot=slot,
                         logical_cpus=cfg.logical_cpus, ready_fd=READY_FD,
                         graph_max_bytes=cfg.limits.graph_event_bytes,
                         image_max_bytes=cfg.limits.image_bytes,
                         limits=cfg.limits,
                         warm_function=cfg.warm_function, spare=spare,
                         max_tasks=cfg.limits.max_tasks, instrument=cfg.instrumentation)
        except BaseException as exc:  # noqa: BLE001
            try:
                protocol.write_message(READY_FD, messages.Refusal(f"warm-up: {exc!r}").to_wire())
            except OSError:
                # Past warm-up: the learner sees that the sandbox, not their code, failed.
                traceback.print_exc()
                sys.stderr.flush()
            os._exit(73)

    def _on_ready(self, spare: Child) -> None:
        message: messages.Message
        try:
            message = messages.decode(protocol.read_message(spare.ready_fd),
                                      (messages.Warm, messages.Refusal))
        except (EOFError, ValueError):
            message = messages.Refusal("the spare died while warming up")
        os.close(spare.ready_fd)
        spare.ready_fd = -1
        if isinstance(message, messages.Warm):
            spare.runtime = message.runtime
            if spare.kind == WARM:  # a cold spare cannot list devices without starting TF
                self.last_runtime = spare.runtime
            self.failures = 0
            return
        assert isinstance(message, messages.Refusal)
        self.failures += 1
        print(f"zygote: spare failed: {message.error}", file=sys.stderr, flush=True)
        self._discard(spare)

    def _discard(self, spare: Child) -> None:
        self.spares.remove(spare)
        for fd in spare.fds.values():
            os.close(fd)
        if spare.ready_fd >= 0:
            os.close(spare.ready_fd)
        try:
            os.kill(spare.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.busy_slots[spare.pid] = spare.slot  # freed when reaped

    # --- requests -----------------------------------------------------------------------
    def _ready_spare(self, kind: str = WARM) -> Child | None:
        for spare in self.spares:
            if spare.runtime is not None and spare.kind == kind:
                return spare
        return None

    def _hand_out(self) -> None:
        while self.waiting:
            kind = self.waiting[0]
            spare = self._ready_spare(kind)
            if spare is None:
                return
            self.spares.remove(spare)
            self.busy_slots[spare.pid] = spare.slot
            handout = messages.Handout(pid=spare.pid, run_pid=self._run_pid(spare.pid),
                                       slot=spare.slot, group=spare.group,
                                       cgroup=self.cgroup_v, runtime=spare.runtime or {},
                                       spare=kind)
            protocol.send_with_fds(self.sock, handout, [spare.fds[n] for n in SPARE_PIPES])
            for fd in spare.fds.values():
                os.close(fd)
            self.waiting.pop(0)
            if self.refill_due is None:
                self.refill_due = time.monotonic() + REFILL_DELAY

    def _run_pid(self, pid: int) -> int:
        """The process that runs the code: in a rootless jail, the child's only child."""
        if not self.rootless:
            return pid
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                return int(f.read().split()[0])
        except (OSError, IndexError, ValueError):
            return pid

    def _on_request(self) -> bool:
        try:
            message, _ = protocol.recv_with_fds(self.sock, tuple(messages.PAIRS), max_fds=0)
        except (EOFError, ConnectionError, messages.BadMessage):
            return False
        if isinstance(message, messages.Take):
            if message.spare not in SPARE_KINDS:
                return False  # not our pool's: like any message outside the contract
            self.waiting.append(message.spare)
        elif isinstance(message, messages.Info):
            ready = sum(1 for s in self.spares if s.runtime and s.kind == WARM)
            answer = messages.Runtime(runtime=self.last_runtime, ready=ready, cgroup=self.cgroup_v)
            protocol.send_with_fds(self.sock, answer, [])
        return True

    def _reap(self) -> None:
        """Collect exited children; each one's wait status goes on its status pipe, with its
        peak memory (KiB) and CPU seconds, its own and its waited-for children's (what the
        supervisor of a run without a cgroup reports for it)."""
        while True:
            try:
                pid, wait_status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            self.busy_slots.pop(pid, None)
            status_w = self.status_fds.pop(pid, -1)
            if status_w >= 0:
                cpu = usage.ru_utime + usage.ru_stime
                try:
                    os.write(status_w, f"{wait_status} {usage.ru_maxrss} {cpu:.3f}\n".encode())
                except OSError:
                    pass
                os.close(status_w)
        for pidfd, pid in list(self.exit_fds.items()):
            if pid not in self.status_fds:
                del self.exit_fds[pidfd]
                os.close(pidfd)

    def _refill(self) -> float:
        """Fork spares up to the target. While a ready spare is left and nobody waits, wait up to
        REFILL_DELAY after a hand-out first, so the run just handed out gets the CPU to itself;
        later hand-outs do not push that moment back, so a steady stream of runs never starves
        the pool. Returns the seconds until a deferred refill is due."""
        if self.refill_due is not None and not self.waiting and self._ready_spare() is not None:
            due = self.refill_due - time.monotonic()
            if due > 0:
                return due
        self.refill_due = None
        total = len(self.spares) + len(self.busy_slots)
        for kind in self._refill_order():
            while self._count(kind) < self._target(kind) and total < self.config.slots:
                if self.failures >= 5:
                    return IDLE_WAKE  # the jail keeps failing: say so through the refusals
                self.spawn(kind)
                total += 1
        return IDLE_WAKE

    def _refill_order(self) -> tuple[str, ...]:
        """The kind a waiting request asks for first, then the other."""
        return (COLD, WARM) if self.waiting[:1] == [COLD] else (WARM, COLD)

    def _count(self, kind: str) -> int:
        return sum(1 for s in self.spares if s.kind == kind)

    def _target(self, kind: str) -> int:
        """Spares of `kind` to keep, warming or ready: the configured ones, and one more per
        request waiting (at most two more), since a cold spare may be made only on demand."""
        configured = self.config.spares if kind == WARM else self.config.cold_spares
        return configured + min(self.waiting.count(kind), 2)

    def loop(self) -> None:
        while True:
            self._reap()
            # A waiting run comes first: forking a replacement spare takes the zygote a few ms.
            self._hand_out()
            wake = self._refill()
            warming = {s.ready_fd: s for s in self.spares if s.ready_fd >= 0}
            readable, _, _ = select.select([self.sock, *warming, *self.exit_fds], [], [], wake)
            for fd in readable:
                if fd is self.sock:
                    if not self._on_request():
                        return
                elif fd in warming:
                    self._on_ready(warming[fd])
            if self.failures >= 5 and self.waiting:
                refusal = messages.Refusal("the sandbox cannot start a child on this worker")
                protocol.send_with_fds(self.sock, refusal, [])
                self.waiting.pop(0)


def _exit_like(status: int) -> None:
    """Exit as a process whose wait status is `status` would have: same code, same signal."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def rootless_process_limit(config: ZygoteConfig) -> int:
    """RLIMIT_NPROC for a rootless child sharing the worker's uid: what that user runs now, plus
    every slot's share. A root worker told to jail without root gives each slot its own uid,
    where the usual per-run limit holds."""
    if os.geteuid() == 0:
        return 0
    uid = str(os.getuid())
    tasks = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
            except OSError:
                continue
            if fields.get("Uid", "").split()[:1] == [uid]:
                tasks += int(fields.get("Threads", "1"))
    return tasks + config.limits.max_tasks * config.slots


def _child_descriptors(pipes: dict[str, tuple[int, int]]) -> None:
    """Put the child's ends of its pipes at their fixed numbers and close every other fd."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    wanted = {0: devnull, 1: pipes["stdout"][1], 2: pipes["stderr"][1],
              3: pipes["events"][1], 4: pipes["control"][0], READY_FD: pipes["ready"][1]}
    # Lift every source above the targets first, so no dup2 overwrites a later source.
    lifted = {t: fcntl.fcntl(src, fcntl.F_DUPFD, 64) for t, src in wanted.items()}
    for target, source in lifted.items():
        os.dup2(source, target)
    jail.close_fds_except(set(wanted))


def _link_datasets(datasets_dir: str) -> None:
    """Keras looks for datasets under /tmp/.keras when its home is read-only: point it there."""
    base = os.path.join("/tmp", ".keras", "datasets")  # noqa: S108
    os.makedirs(base, exist_ok=True)
    if os.path.isdir(datasets_dir):
        for name in os.listdir(datasets_dir):
            os.symlink(os.path.join(datasets_dir, name), os.path.join(base, name))


def preload() -> None:
    """Import what the child needs while the zygote can still read the whole host."""
    import keras  # noqa: F401
    import numpy  # noqa: F401
    import tensorflow as tf

    tf.autograph.to_code  # noqa: B018 - touch the lazy module now
    import keras.src.datasets.fashion_mnist  # noqa: F401
    import keras.src.utils.file_utils  # noqa: F401

    from trainer.sandbox import autograph_fixes, keras_fixes, landlock, runner, seccomp  # noqa: F401

    try:
        import trainer.instrument.figures

        trainer.instrument.figures.prepare()
    except ImportError:
        pass
    _import_dataset_ops()
    import gzip  # noqa: F401
    import inspect  # noqa: F401
    import platform  # noqa: F401

    autograph_fixes.install()
    keras_fixes.install()
    # Converting (not tracing) a function runs no TF op: it loads and primes AutoGraph's
    # converters here once, instead of in every child.
    sample = runner.register_source("<zygote autograph>", runner.AUTOGRAPH_SAMPLE)
    tf.autograph.to_code(sample["sample"])


def _import_dataset_ops() -> None:
    """tf.data imports each transformation's module on its first use (`map`, `batch`, `zip`,
    ...); every Keras fit builds its input with five of them. Importing runs no op."""
    import importlib
    import pkgutil

    from tensorflow.python.data import ops

    for module in pkgutil.iter_modules(ops.__path__):
        if module.name.endswith("_op"):
            importlib.import_module(f"{ops.__name__}.{module.name}")


def collapse_huge_pages() -> None:
    """Back the zygote's private anonymous memory with huge pages where the kernel can.

    Each fork then copies one page-table entry per 2 MiB instead of 512, and each child's exit
    frees them as fast; a child's first write to one still copies only 4 KiB. Best effort: a
    kernel without MADV_COLLAPSE (before 6.1) or with huge pages off leaves the memory as it is.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    with open("/proc/self/maps") as f:
        maps = f.read().splitlines()
    for line in maps:
        fields = line.split()
        if fields[1] != "rw-p" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue
        start, end = (int(x, 16) for x in fields[0].split("-"))
        start = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)
        end &= ~(HUGE_PAGE - 1)
        if end > start:
            libc.madvise(start, end - start, MADV_COLLAPSE)


def main() -> None:
    config = ZygoteConfig.from_json(sys.argv[1])
    stash: dict[str, str] = {}
    if config.sandbox == "rootless" and os.geteuid() == 0:
        stash = jail.stash_unwalkable(jail.SYSTEM_TREES + config.readable)
    preload()
    priming.prime_tensorflow(config.device_class)
    gc.collect()
    gc.freeze()
    priming.release_free_heap()
    collapse_huge_pages()
    Zygote(config, stash).loop()


if __name__ == "__main__":
    main()
