"""The supervisor owns one run: feeds the job to a warm spare, relays and checks what comes back,
enforces the limits, samples resources and writes the run's every event up to `done`.

Events the child could forge (`status`, `stdout`, `stderr`, `truncated`, `resources`, `done`)
are written here only; the child's own events are schema-checked and size-capped first. Whatever
goes wrong here, the child and its cgroup are killed and the run still ends with one `done`.
"""
from __future__ import annotations

import logging
import os
import selectors
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from contract.events import EAGER_PASS, PASS_FIELD, parse_child_line
from contract.job import Job
from trainer import accelerators, protocol
from trainer.events import EventStream
from trainer.output import OutputRelay
from trainer.pool import HeldSpare, Pool

log = logging.getLogger(__name__)
MiB = 1024 * 1024
READ_CHUNK = 64 * 1024
SAMPLE_SECONDS = 1.0
CANCEL_POLL_SECONDS = 0.2
DRAIN_SECONDS = 2.0
STATUS_HOLD = 0.002  # `running` waits this long for the child's first output, to share its write
OOM_EXCEPTIONS = {"MemoryError", "ResourceExhaustedError"}
MAX_UNWRITTEN_EVENTS = 20_000  # held while Redis is away, then the run is stopped
REDIS_PATIENCE_SECONDS = 300.0  # how long the end of a run waits for Redis to come back
NEAR_LIMIT = 0.9  # a failed allocation at this share of the memory limit is the limit's doing
SUPERVISOR_FAILED = "The worker failed while supervising this run, so it was stopped.\n"
NO_SPARE = "The worker could not start a sandbox for this run. Try again in a moment.\n"


def end_unstarted(stream: EventStream, status: str) -> None:
    """End a run that never reached a spare (cancelled while queued)."""
    stream.add("done", {"status": status, "duration_ms": 0, "exit_code": -1})
    stream.flush_until_written(patience=REDIS_PATIENCE_SECONDS)


class Supervisor:
    def __init__(self, stream: EventStream, pool: Pool, worker: str,
                 cancelled: Callable[[], bool]) -> None:
        self.stream = stream
        self.pool = pool
        self.limits = pool.limits
        self.worker = worker
        self.cancelled = cancelled
        self.output = OutputRelay(stream, self.limits.output_bytes)
        self.event_bytes = 0
        self.event_buffer = bytearray()
        self.skipping_line = False
        self.last_error: dict[str, Any] | None = None
        self.kill_reason: str | None = None
        self.wait_status: int | None = None
        self.pidfd = -1
        self.started = time.monotonic()
        self.cpu0 = 0.0
        self.peak_mb = 0.0
        self.cpu_s = 0.0
        self.reaped_peak_mb = self.reaped_cpu_s = 0.0
        self.spare_reason = ""  # why the run took a cold spare (contract.spares)
        self.pass_ms = 0  # wall time of the child supervised last
        # An image event's data may be this long (base64 of RUN_IMAGE_BYTES).
        self.image_chars = 4 * -(-self.limits.image_bytes // 3)

    # --- the run -------------------------------------------------------------------------
    def run(self, job: Job) -> None:
        spare = self._take(job)
        if spare is None:
            end_unstarted(self.stream, "killed")
            return
        status, exit_code = self._supervise(spare, job)
        if job.compare_eager:
            self._compare(job, status, exit_code)
        self._finish(status, exit_code)

    def _take(self, job: Job) -> HeldSpare | None:
        kind, self.spare_reason = job.spare()
        try:
            return self.pool.take(kind)
        except Exception:  # noqa: BLE001 - the run must still end, once
            log.exception("no spare for run %s", self.stream.run_id)
            self.stream.add("stderr", {"text": NO_SPARE})
            return None

    def _supervise(self, spare: HeldSpare, job: Job) -> tuple[str, int]:
        """One child from hand-over to exit: its outcome (status, exit code)."""
        status, exit_code = "killed", -1
        try:
            self._begin(spare, job)
            self._pump(spare)
            self.pass_ms = int((time.monotonic() - self.started) * 1000)
            self._final_sample(spare)
            status, exit_code = self._outcome(spare)
        except Exception:  # noqa: BLE001 - a fault here must still end the run and its child
            log.exception("supervising run %s failed", self.stream.run_id)
            self.kill_reason = self.kill_reason or "killed"
            self.stream.add("stderr", {"text": SUPERVISOR_FAILED})
        finally:
            self._release(spare)
        return status, exit_code

    def _compare(self, job: Job, status: str, exit_code: int) -> None:
        """`compare_eager`: once the snippet succeeded, run it again in a fresh spare with
        tf.function running eagerly. Its events go into this stream tagged `pass: "eager"`,
        between `pass` events; its own time limits hold, and its timeout ends only that pass.
        `done` then covers both passes: their wall time, the higher peak, the CPU of both."""
        self.stream.add("pass", {PASS_FIELD: "graph", "status": status, "exit_code": exit_code,
                                 **self._pass_usage()})
        if self.kill_reason or status != "succeeded":
            return
        run_started, first_peak, first_cpu = self.started, self.peak_mb, self.cpu_s
        self._new_pass()
        self.stream.tag = {PASS_FIELD: EAGER_PASS}
        try:
            eager = replace(job, compare_eager=False, functions_eagerly=True)
            spare = self._take(eager)
            eager_status, eager_exit = ("killed", -1) if spare is None else \
                self._supervise(spare, eager)
            if self.kill_reason == "timeout":
                eager_status, self.kill_reason = "timeout", None
            self.stream.add("pass", {PASS_FIELD: EAGER_PASS,
                                     "status": self.kill_reason or eager_status,
                                     "exit_code": eager_exit, **self._pass_usage()})
        finally:
            self.stream.tag = {}
        self.started = run_started
        self.peak_mb, self.cpu_s = max(first_peak, self.peak_mb), first_cpu + self.cpu_s

    def _pass_usage(self) -> dict[str, Any]:
        return {"duration_ms": self.pass_ms, "peak_mb": round(self.peak_mb, 1),
                "cpu_s": round(self.cpu_s, 3)}

    def _new_pass(self) -> None:
        """Forget the child of the pass that ended; the run's output and event budgets go on."""
        self.event_buffer = bytearray()
        self.skipping_line = False
        self.last_error = None
        self.wait_status = None
        self.pass_ms = 0
        self.peak_mb = self.cpu_s = 0.0
        self.reaped_peak_mb = self.reaped_cpu_s = 0.0

    def _begin(self, spare: HeldSpare, job: Job) -> None:
        """Hand the job to the child, then queue `running`: it is written with the first output
        if that comes within STATUS_HOLD (one Redis round trip, not two), else alone."""
        self.pidfd = os.pidfd_open(spare.child_pid)
        # The warm-up's CPU is not the run's (with a cgroup, read when the spare was fetched).
        self.cpu0 = spare.cpu0 if spare.group else self._sample(spare)[1]
        self.started = time.monotonic()
        try:
            protocol.write_message(spare.control, asdict(job))
        except BrokenPipeError:
            pass
        os.close(spare.control)
        spare.control = -1
        runtime = {**spare.runtime, "device": self.pool.device_class,
                   "host": socket.gethostname(), "sandbox": self.pool.sandbox,
                   "spare": spare.spare}
        if self.spare_reason:
            runtime["spare_reason"] = self.spare_reason
        if self.pool.simulated:
            runtime["simulated"] = True
        if job.functions_eagerly:
            self.stream.add("pass", {PASS_FIELD: EAGER_PASS, "status": "running"})
            return
        self.stream.claim(self.worker)
        self.stream.add("status", {"status": "running", "host": runtime["host"],
                                   "device": self.pool.device_class, "runtime": runtime,
                                   "started_at": time.time()})

    def _release(self, spare: HeldSpare) -> None:
        """Kill the child's pid namespace unless it is gone, then free its fds and cgroup."""
        if self.wait_status is None:
            self._signal_child()
        if self.pidfd >= 0:
            os.close(self.pidfd)
            self.pidfd = -1
        spare.discard()  # closes what is still open, kills what is left in the cgroup

    def _finish(self, status: str, exit_code: int) -> None:
        if self.kill_reason:
            status = self.kill_reason
        for name, dropped in self.output.dropped.items():
            if dropped:
                self.stream.add("truncated", {"stream": name, "dropped_bytes": dropped})
        duration = int((time.monotonic() - self.started) * 1000)
        usage = {"peak_mb": round(self.peak_mb, 1), "cpu_s": round(self.cpu_s, 3)}
        self.stream.add("resources", {"rss_mb": usage["peak_mb"], "cpu_s": usage["cpu_s"]})
        self.stream.add("done", {"status": status, "duration_ms": duration,
                                 "exit_code": exit_code, **usage})
        if not self.stream.flush_until_written(patience=REDIS_PATIENCE_SECONDS):
            log.error("run %s: Redis stayed away; its end is not written",
                      self.stream.run_id)

    def _signal_child(self) -> None:
        if self.pidfd >= 0:
            try:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _kill(self, reason: str) -> None:
        if self.kill_reason is None:
            self.kill_reason = reason
        self._signal_child()

    # --- pumping the pipes ---------------------------------------------------------------
    def _pump(self, spare: HeldSpare) -> None:
        pump = _Pump(self, spare)
        while pump.open_fds and not pump.drained():
            pump.wait()
            self._enforce(spare, pump)
            self.stream.flush()
        pump.close()
        self.output.finish()

    def _read(self, kind: str, data: bytes) -> None:
        if kind == "events":
            self._events(data)
        else:
            self.output.add(kind, data)

    def _enforce(self, spare: HeldSpare, pump: _Pump) -> None:
        """The wall-clock and CPU limits, cancellation, a run ended by the watcher, too much
        waiting for a Redis that is away, and a resource sample per second."""
        now = time.monotonic()
        self.output.flush_due(now)
        if pump.drain_until is not None:
            return
        if self.kill_reason is None and self.stream.closed:
            self._kill("worker-lost")  # declared lost: nobody will see what it does now
        if self.kill_reason is None and len(self.stream.pending) > MAX_UNWRITTEN_EVENTS:
            self._kill("killed")  # Redis has been away too long to keep buffering
        if self.kill_reason is None:
            if now >= pump.deadline:
                self._kill("timeout")
            if now >= pump.next_cancel:
                pump.next_cancel = now + CANCEL_POLL_SECONDS
                if self.cancelled():
                    self._kill("cancelled")
        if now >= pump.next_sample:
            pump.next_sample = now + SAMPLE_SECONDS
            rss, cpu = self._sample(spare)
            self.stream.add("resources", {"rss_mb": round(rss, 1), "cpu_s": round(cpu, 2),
                                          **self._accelerator_sample(spare)})
            self.peak_mb, self.cpu_s = max(self.peak_mb, rss), max(self.cpu_s, cpu)
            if cpu > self.limits.cpu_seconds and self.kill_reason is None:
                self._kill("timeout")

    # --- child events --------------------------------------------------------------------
    def _events(self, data: bytes) -> None:
        """Split the event pipe into lines, in time linear in what the child writes. Every byte
        counts toward the run's event budget, whether or not it makes a valid event."""
        if self.event_bytes >= self.limits.event_bytes:
            self.output.dropped["events"] += len(data)
            return
        self.event_bytes += len(data)
        start = len(self.event_buffer)
        self.event_buffer += data
        line_start = 0
        newline = self.event_buffer.find(b"\n", start)
        while newline >= 0:
            line = bytes(self.event_buffer[line_start:newline])
            if self.skipping_line:
                self.output.dropped["events"] += len(line)
                self.skipping_line = False
            else:
                self._event_line(line)
            line_start = newline + 1
            newline = self.event_buffer.find(b"\n", line_start)
        del self.event_buffer[:line_start]
        if len(self.event_buffer) > max(self.limits.graph_event_bytes,
                                        self.image_chars) + 64 * 1024:
            # A line longer than any event may be: drop it, and what follows up to its end.
            self.output.dropped["events"] += len(self.event_buffer)
            self.event_buffer.clear()
            self.skipping_line = True

    def _event_line(self, line: bytes) -> None:
        event = parse_child_line(line)
        if event is None:
            self.output.dropped["events"] += len(line)
            return
        kind = event.pop("type")
        if kind == "image" and len(event["data"]) > self.image_chars:
            self.output.dropped["events"] += len(line)
            return
        if kind == "error":
            self.last_error = event
        self.output.flush()  # keep the order in which the child wrote
        self.stream.add(kind, event)

    # --- measuring and judging -----------------------------------------------------------
    def _sample(self, spare: HeldSpare) -> tuple[float, float]:
        """Memory (MiB) and CPU seconds of the run so far."""
        if spare.group is not None:
            try:
                return spare.group.memory_bytes() / MiB, spare.group.cpu_seconds() - self.cpu0
            except OSError:
                return 0.0, 0.0
        try:
            with open(f"/proc/{spare.run_pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks = os.sysconf("SC_CLK_TCK")
            rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / MiB
            return rss, (int(fields[11]) + int(fields[12])) / ticks - self.cpu0
        except (OSError, IndexError, ValueError):
            return 0.0, 0.0

    def _accelerator_sample(self, spare: HeldSpare) -> dict[str, float]:
        """GPU memory and utilisation of the run's GPU, where NVML sees one."""
        if not self.pool.gpus:
            return {}
        gpu = accelerators.slot_gpu(spare.slot, self.pool.gpus)
        return accelerators.gpu_usage(gpu, accelerators.run_pids(spare.group, spare.child_pid))

    def ended(self, status_line: bytes) -> None:
        """The child was reaped: its wait status, and (without a cgroup) its peak and CPU."""
        self.wait_status, peak_mb, cpu = _parse_status_line(status_line)
        self.reaped_peak_mb, self.reaped_cpu_s = peak_mb, max(0.0, cpu - self.cpu0)

    def _final_sample(self, spare: HeldSpare) -> None:
        """The run's peak memory and CPU, read once it ended (the last sample of a short run)."""
        rss, cpu = self._sample(spare)
        if spare.group is not None:
            try:
                rss = spare.group.peak_memory_bytes() / MiB
            except OSError:
                pass
        else:
            rss, cpu = max(rss, self.reaped_peak_mb), max(cpu, self.reaped_cpu_s)
        self.peak_mb, self.cpu_s = max(self.peak_mb, rss), max(self.cpu_s, cpu)

    def _outcome(self, spare: HeldSpare) -> tuple[str, int]:
        if self.wait_status is None and self.kill_reason is None:
            # The status pipe closed without a wait status: the zygote died, and the child,
            # by its death signal, with it, before the code had ended.
            return "killed", -1
        wait_status = self.wait_status if self.wait_status is not None else 0
        if os.WIFSIGNALED(wait_status):
            exit_code = 128 + os.WTERMSIG(wait_status)
        else:
            exit_code = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else 1
        if self.kill_reason:
            return self.kill_reason, exit_code
        if spare.group is not None and spare.group.oom_kills() > spare.oom0:
            return "oom", exit_code
        if exit_code != 0 and self._claims_memory_error() and self._near_memory_limit():
            return "oom", exit_code
        if os.WIFSIGNALED(wait_status):
            by_cpu_limit = os.WTERMSIG(wait_status) in (signal.SIGXCPU, signal.SIGKILL)
            if by_cpu_limit and self.cpu_s >= self.limits.cpu_seconds - 1:
                return "timeout", exit_code
            return "killed", exit_code
        return ("succeeded" if exit_code == 0 else "failed"), exit_code


    def _claims_memory_error(self) -> bool:
        return bool(self.last_error and self.last_error.get("exc_type") in OOM_EXCEPTIONS)

    def _near_memory_limit(self) -> bool:
        """What the supervisor saw, not what the child says: its memory reached the limit."""
        return self.peak_mb * MiB >= NEAR_LIMIT * self.limits.memory_bytes


class _Pump:
    """The selector over one child's pipes and the timers of the supervising loop."""

    def __init__(self, supervisor: Supervisor, spare: HeldSpare) -> None:
        self.supervisor = supervisor
        self.spare = spare
        self.sel = selectors.DefaultSelector()
        self.names = {spare.stdout: "stdout", spare.stderr: "stderr", spare.events: "events",
                      spare.status: "status"}
        for fd in self.names:
            self.sel.register(fd, selectors.EVENT_READ)
        self.open_fds = set(self.names)
        started = supervisor.started
        self.deadline = started + supervisor.limits.wall_seconds
        self.next_sample = started + SAMPLE_SECONDS
        self.next_cancel = started + CANCEL_POLL_SECONDS
        self.status_text = b""
        self.drain_until: float | None = None

    def drained(self) -> bool:
        return self.drain_until is not None and time.monotonic() >= self.drain_until

    def _wake(self) -> float:
        s = self.supervisor
        wake = min(self.deadline, self.next_sample, self.next_cancel)
        if s.output.due is not None:
            wake = min(wake, s.output.due)
        if self.drain_until is not None:
            wake = min(wake, self.drain_until)
        if s.stream.pending:
            wake = min(wake, s.started + STATUS_HOLD)
        return max(0.0, wake - time.monotonic())

    def wait(self) -> None:
        for key, _ in self.sel.select(self._wake()):
            self._readable(int(key.fd))

    def _readable(self, fd: int) -> None:
        data = os.read(fd, READ_CHUNK)
        kind = self.names[fd]
        if not data:
            self._closed(fd)
            if kind == "status":
                self.supervisor.ended(self.status_text)
                self.drain_until = time.monotonic() + DRAIN_SECONDS
        elif kind == "status":
            self.status_text += data
        else:
            self.supervisor._read(kind, data)

    def _closed(self, fd: int) -> None:
        self.sel.unregister(fd)
        os.close(fd)
        self.open_fds.discard(fd)
        setattr(self.spare, self.names[fd], -1)  # closed: the number may be another's soon

    def close(self) -> None:
        for fd in list(self.open_fds):
            self._closed(fd)
        self.sel.close()


def _parse_status_line(text: bytes) -> tuple[int | None, float, float]:
    """The zygote's line for a reaped child: wait status, peak memory in KiB, CPU seconds."""
    try:
        status, maxrss_kib, cpu = text.split()
        return int(status), int(maxrss_kib) / 1024, float(cpu)
    except ValueError:
        return None, 0.0, 0.0

