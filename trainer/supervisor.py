"""The supervisor owns one run: feeds the job to a warm spare, relays and checks what comes back,
enforces the limits, samples resources and writes the terminal `done` event.

Events the child could forge (`status`, `stdout`, `stderr`, `truncated`, `resources`, `done`)
are written here only; the child's own events are schema-checked and size-capped first.
"""
from __future__ import annotations

import codecs
import json
import os
import selectors
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

from trainer import protocol
from trainer.events import EventStream
from trainer.limits import Limits
from trainer.pool import Pool, Spare

MiB = 1024 * 1024
READ_CHUNK = 64 * 1024
SAMPLE_SECONDS = 1.0
CANCEL_POLL_SECONDS = 0.2
DRAIN_SECONDS = 2.0
OUTPUT_INTERVAL = 0.02
STATUS_HOLD = 0.002  # `running` waits this long for the child's first output, to share its write
OOM_EXCEPTIONS = {"MemoryError", "ResourceExhaustedError"}


class Supervisor:
    def __init__(self, stream: EventStream, pool: Pool, limits: Limits,
                 cancelled: Callable[[], bool], device: str) -> None:
        self.stream = stream
        self.pool = pool
        self.limits = limits
        self.cancelled = cancelled
        self.device = device
        self.kept_output = 0
        self.dropped = {"stdout": 0, "stderr": 0, "events": 0}
        self.event_bytes = 0
        self.decoders = {n: codecs.getincrementaldecoder("utf-8")("replace")
                         for n in ("stdout", "stderr")}
        self.event_buffer = b""
        self.skipping_line = False
        self.last_error: dict[str, Any] | None = None
        self.pending_stream: str | None = None
        self.pending_text: list[str] = []
        self.pending_size = 0
        self.last_output = -OUTPUT_INTERVAL
        self.kill_reason: str | None = None
        self.wait_status: int | None = None

    # --- output ------------------------------------------------------------------------
    def _output(self, name: str, data: bytes) -> None:
        room = self.limits.output_bytes - self.kept_output
        if room <= 0:
            self.dropped[name] += len(data)
            return
        if len(data) > room:
            self.dropped[name] += len(data) - room
            data = data[:room]
        self.kept_output += len(data)
        text = protocol.text_safe(self.decoders[name].decode(data))
        if not text:
            return
        if self.pending_stream not in (None, name):
            self._flush_output()
        self.pending_stream = name
        self.pending_text.append(text)
        self.pending_size += len(text)
        if self.pending_size >= READ_CHUNK:
            self._flush_output()

    def _flush_output(self) -> None:
        """One event for the output gathered since the last one: a flood of short writes
        becomes at most one event per OUTPUT_INTERVAL, while a lone line goes out at once."""
        if self.pending_stream is not None:
            self.stream.add(self.pending_stream, text="".join(self.pending_text))
            self.last_output = time.monotonic()
        self.pending_stream = None
        self.pending_text = []
        self.pending_size = 0

    def _events(self, data: bytes) -> None:
        line_cap = self.limits.graph_event_bytes + 64 * 1024
        self.event_buffer += data
        while True:
            newline = self.event_buffer.find(b"\n")
            if newline < 0:
                if len(self.event_buffer) > line_cap:
                    self.dropped["events"] += len(self.event_buffer)
                    self.event_buffer = b""
                    self.skipping_line = True
                return
            line, self.event_buffer = self.event_buffer[:newline], self.event_buffer[newline + 1:]
            if self.skipping_line:
                self.dropped["events"] += len(line)
                self.skipping_line = False
                continue
            self._event_line(line)

    def _event_line(self, line: bytes) -> None:
        if self.event_bytes + len(line) > self.limits.event_bytes:
            self.dropped["events"] += len(line)
            return
        try:
            event = protocol.check_child_event(json.loads(line))
        except (ValueError, RecursionError):
            event = None
        if event is None:
            return
        self.event_bytes += len(line)
        kind = event.pop("type")
        if kind == "error":
            self.last_error = event
        self._flush_output()  # keep the order in which the child wrote
        self.stream.add(kind, **event)

    # --- the run -------------------------------------------------------------------------
    def _kill(self, spare: Spare, reason: str) -> None:
        if self.kill_reason is None:
            self.kill_reason = reason
        if spare.child_pid > 0:
            try:
                os.kill(spare.child_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def _sample(self, spare: Spare, cpu0: float) -> tuple[float, float]:
        if spare.group is not None:
            try:
                return spare.group.memory_bytes() / MiB, spare.group.cpu_seconds() - cpu0
            except OSError:
                return 0.0, 0.0
        try:
            with open(f"/proc/{spare.child_pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks = os.sysconf("SC_CLK_TCK")
            rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / MiB
            return rss, (int(fields[11]) + int(fields[12])) / ticks - cpu0
        except (OSError, IndexError, ValueError):
            return 0.0, 0.0

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        spare = self.pool.take()
        runtime = {**spare.runtime, "device": self.device, "host": socket.gethostname(),
                   "sandbox": self.pool.sandbox}
        # The warm-up's CPU is not the run's (with a cgroup, read when the spare was fetched).
        cpu0 = spare.cpu0 if spare.group else self._sample(spare, 0.0)[1]
        oom0 = spare.oom0
        started = time.monotonic()
        # The child gets its code first. `status` is written with the first output if that comes
        # within STATUS_HOLD (one Redis round trip, not two, before a quick print shows), else
        # alone; it is queued before any output is read, so it still comes first in the stream.
        try:
            protocol.write_message(spare.control, job)
        except BrokenPipeError:
            pass
        os.close(spare.control)
        self.stream.add("status", status="running", host=runtime["host"], device=self.device,
                        runtime=runtime, started_at=time.time())
        self._pump(spare, started, cpu0)
        status, exit_code = self._outcome(spare, oom0, cpu0)
        for name in ("stdout", "stderr", "events"):
            if self.dropped[name]:
                self.stream.add("truncated", stream=name, dropped_bytes=self.dropped[name])
        duration = int((time.monotonic() - started) * 1000)
        self.stream.add("done", status=status, duration_ms=duration, exit_code=exit_code)
        self.stream.flush()
        if spare.group is not None:
            spare.group.remove()
        return {"status": status, "duration_ms": duration, "runtime": runtime}

    def _pump(self, spare: Spare, started: float, cpu0: float) -> None:
        sel = selectors.DefaultSelector()
        names = {spare.stdout: "stdout", spare.stderr: "stderr", spare.events: "events",
                 spare.status: "status"}
        for fd in names:
            sel.register(fd, selectors.EVENT_READ)
        deadline = started + self.limits.wall_seconds
        next_sample = started + SAMPLE_SECONDS
        next_cancel = started + CANCEL_POLL_SECONDS
        status_text = b""
        drain_until: float | None = None
        open_fds = set(names)
        while open_fds:
            now = time.monotonic()
            wake = min(deadline, next_sample, next_cancel)
            if self.pending_stream is not None:
                wake = min(wake, self.last_output + OUTPUT_INTERVAL)
            if drain_until is not None:
                wake = min(wake, drain_until)
            if self.stream.pending:
                wake = min(wake, started + STATUS_HOLD)
            for key, _ in sel.select(max(0.0, wake - now)):
                fd = key.fd
                data = os.read(fd, READ_CHUNK)
                if not data:
                    sel.unregister(fd)
                    os.close(fd)
                    open_fds.discard(fd)
                    if names[fd] == "status":
                        self.wait_status = _parse_wait_status(status_text)
                        drain_until = time.monotonic() + DRAIN_SECONDS
                    continue
                kind = names[fd]
                if kind == "status":
                    status_text += data
                elif kind == "events":
                    self._events(data)
                else:
                    self._output(kind, data)
            now = time.monotonic()
            if self.pending_stream is not None and now >= self.last_output + OUTPUT_INTERVAL:
                self._flush_output()
            if drain_until is not None and now >= drain_until:
                break
            if self.kill_reason is None and drain_until is None:
                if now >= deadline:
                    self._kill(spare, "timeout")
                if now >= next_cancel:
                    next_cancel = now + CANCEL_POLL_SECONDS
                    if self.cancelled():
                        self._kill(spare, "cancelled")
            if now >= next_sample and drain_until is None:
                next_sample = now + SAMPLE_SECONDS
                rss, cpu = self._sample(spare, cpu0)
                self.stream.add("resources", rss_mb=round(rss, 1), cpu_s=round(cpu, 2))
                if cpu > self.limits.cpu_seconds and self.kill_reason is None:
                    self._kill(spare, "timeout")
            self.stream.flush()
        for fd in open_fds:
            sel.unregister(fd)
            os.close(fd)
        for name in ("stdout", "stderr"):
            tail = protocol.text_safe(self.decoders[name].decode(b"", final=True))
            if tail:
                if self.pending_stream not in (None, name):
                    self._flush_output()
                self.pending_stream = name
                self.pending_text.append(tail)
        self._flush_output()

    def _outcome(self, spare: Spare, oom0: int, cpu0: float) -> tuple[str, int]:
        wait_status = self.wait_status if self.wait_status is not None else 0
        if os.WIFSIGNALED(wait_status):
            exit_code = 128 + os.WTERMSIG(wait_status)
        else:
            exit_code = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else 1
        if self.kill_reason:
            return self.kill_reason, exit_code
        if spare.group is not None and spare.group.oom_kills() > oom0:
            return "oom", exit_code
        if self.last_error and self.last_error.get("exc_type") in OOM_EXCEPTIONS:
            return "oom", exit_code
        if os.WIFSIGNALED(wait_status):
            if os.WTERMSIG(wait_status) in (signal.SIGXCPU, signal.SIGKILL):
                _, cpu = self._sample(spare, cpu0)
                if cpu >= self.limits.cpu_seconds - 1:
                    return "timeout", exit_code
            return "killed", exit_code
        return ("succeeded" if exit_code == 0 else "failed"), exit_code


def _parse_wait_status(text: bytes) -> int | None:
    try:
        return int(text) if text.strip() else None
    except ValueError:
        return None
