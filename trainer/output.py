"""A run's stdout and stderr on their way to the stream: decoded, capped, batched in order."""
from __future__ import annotations

import codecs
import time

from contract.events import text_safe
from trainer.events import EventStream

BATCH_BYTES = 64 * 1024
OUTPUT_INTERVAL = 0.02  # output gathered for this long goes out together
MAX_SWITCHES = 2  # chunks in one batch before it is merged per stream


class OutputRelay:
    """Keeps at most `limit` bytes of output; what is dropped is counted per stream (and, for
    child events the supervisor drops, under `events`).

    Output is written at once after a quiet spell, else gathered for OUTPUT_INTERVAL. A batch
    keeps the order of its writes, unless the child switches between stdout and stderr more
    than MAX_SWITCHES times in it: then it becomes one event per stream, so the number of
    events stays bounded by time, whatever the child writes."""

    def __init__(self, stream: EventStream, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.kept = 0
        self.dropped = {"stdout": 0, "stderr": 0, "events": 0}
        self.decoders = {n: codecs.getincrementaldecoder("utf-8")("replace")
                         for n in ("stdout", "stderr")}
        self.chunks: list[tuple[str, list[str]]] = []  # (stream, texts), in the order written
        self.size = 0
        self.last_output = -OUTPUT_INTERVAL

    @property
    def due(self) -> float | None:
        """When the gathered output must be written, if any is gathered."""
        return self.last_output + OUTPUT_INTERVAL if self.chunks else None

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
        if self.chunks and self.chunks[-1][0] == name:
            self.chunks[-1][1].append(text)
        else:
            self.chunks.append((name, [text]))
        self.size += len(text)
        if self.size >= BATCH_BYTES:
            self.flush()

    def flush_due(self, now: float) -> None:
        due = self.due
        if due is not None and now >= due:
            self.flush()

    def flush(self) -> None:
        """Write what is gathered; a lone line after a quiet spell goes out at once."""
        if not self.chunks:
            return
        chunks = self.chunks
        if len(chunks) > MAX_SWITCHES:
            merged: dict[str, list[str]] = {}
            for name, texts in chunks:
                merged.setdefault(name, []).extend(texts)
            chunks = list(merged.items())
        for name, texts in chunks:
            self.stream.add(name, {"text": "".join(texts)})
        self.last_output = time.monotonic()
        self.chunks = []
        self.size = 0

    def finish(self) -> None:
        """Write what is gathered, with the decoders' last incomplete characters."""
        for name in ("stdout", "stderr"):
            self._gather(name, text_safe(self.decoders[name].decode(b"", final=True)))
        self.flush()
