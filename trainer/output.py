"""A run's stdout and stderr on their way to the stream: decoded, capped, batched in order."""
from __future__ import annotations

import codecs
import time

from contract.events import text_safe
from trainer.events import EventStream

BATCH_BYTES = 64 * 1024
OUTPUT_INTERVAL = 0.02  # a flood of short writes becomes at most one event per this many s


class OutputRelay:
    """Keeps at most `limit` bytes of output; what is dropped is counted per stream (and, for
    child events the supervisor drops, under `events`)."""

    def __init__(self, stream: EventStream, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.kept = 0
        self.dropped = {"stdout": 0, "stderr": 0, "events": 0}
        self.decoders = {n: codecs.getincrementaldecoder("utf-8")("replace")
                         for n in ("stdout", "stderr")}
        self.pending_stream: str | None = None
        self.pending_text: list[str] = []
        self.pending_size = 0
        self.last_output = -OUTPUT_INTERVAL

    @property
    def due(self) -> float | None:
        """When the gathered output must be written, if any is gathered."""
        return None if self.pending_stream is None else self.last_output + OUTPUT_INTERVAL

    def add(self, name: str, data: bytes) -> None:
        room = self.limit - self.kept
        if room <= 0:
            self.dropped[name] += len(data)
            return
        if len(data) > room:
            self.dropped[name] += len(data) - room
            data = data[:room]
        self.kept += len(data)
        self._gather(name, text_safe(self.decoders[name].decode(data)))

    def _gather(self, name: str, text: str) -> None:
        if not text:
            return
        if self.pending_stream not in (None, name):
            self.flush()
        self.pending_stream = name
        self.pending_text.append(text)
        self.pending_size += len(text)
        if self.pending_size >= BATCH_BYTES:
            self.flush()

    def flush_due(self, now: float) -> None:
        due = self.due
        if due is not None and now >= due:
            self.flush()

    def flush(self) -> None:
        """One event for the output gathered since the last one; a lone line goes out at once."""
        if self.pending_stream is not None:
            self.stream.add(self.pending_stream, {"text": "".join(self.pending_text)})
            self.last_output = time.monotonic()
        self.pending_stream = None
        self.pending_text = []
        self.pending_size = 0

    def finish(self) -> None:
        """Write what is gathered, with the decoders' last incomplete characters."""
        for name in ("stdout", "stderr"):
            self._gather(name, text_safe(self.decoders[name].decode(b"", final=True)))
        self.flush()
