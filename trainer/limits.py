"""Every limit of a sandboxed run, named in one place and read from the environment."""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass

MiB = 1024 * 1024


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Limits:
    wall_seconds: int = 30
    cpu_seconds: int = 30
    memory_bytes: int = 2048 * MiB
    max_tasks: int = 64  # processes and threads of one run
    code_bytes: int = 1 * MiB
    output_bytes: int = 4 * MiB  # stdout + stderr kept
    graph_event_bytes: int = 2 * MiB
    event_bytes: int = 16 * MiB  # all child events of one run
    written_bytes: int = 50 * MiB
    open_files: int = 256

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            wall_seconds=_env_int("RUN_WALL_SECONDS", cls.wall_seconds),
            cpu_seconds=_env_int("RUN_CPU_SECONDS", cls.cpu_seconds),
            memory_bytes=_env_int("RUN_MEMORY_MB", cls.memory_bytes // MiB) * MiB,
            max_tasks=_env_int("RUN_MAX_TASKS", cls.max_tasks),
            code_bytes=_env_int("RUN_MAX_CODE_BYTES", cls.code_bytes),
            output_bytes=_env_int("RUN_OUTPUT_BYTES", cls.output_bytes),
            graph_event_bytes=_env_int("RUN_GRAPH_EVENT_BYTES", cls.graph_event_bytes),
            event_bytes=_env_int("RUN_EVENT_BYTES", cls.event_bytes),
            written_bytes=_env_int("RUN_WRITTEN_MB", cls.written_bytes // MiB) * MiB,
            open_files=_env_int("RUN_OPEN_FILES", cls.open_files),
        )

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
