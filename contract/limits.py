"""Every limit of a run, with the environment variable that changes it: the one place."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    wall_seconds: int = 30
    cpu_seconds: int = 30
    memory_bytes: int = 2048 * MiB
    max_tasks: int = 64  # processes and threads of one run
    code_bytes: int = 1 * MiB  # one snippet, as UTF-8
    stdin_bytes: int = 64 * 1024  # the text a run's standard input reads, as UTF-8
    # What one run stores is at most output_bytes + event_bytes (8 MiB by default) plus the
    # supervisor's few small events.
    output_bytes: int = 4 * MiB  # stdout + stderr kept
    graph_event_bytes: int = 2 * MiB
    image_bytes: int = 512 * 1024  # one figure as PNG; images count toward event_bytes
    event_bytes: int = 4 * MiB  # every byte a child writes on its event pipe, valid or not
    data_pipelines: int = 16  # tf.data pipelines shown per run (dataset and preview events)
    data_event_bytes: int = 256 * 1024  # one dataset, preview or augment event, images included
    replica_steps: int = 100  # replica_step events per run (per-replica values, all-reduces)
    written_bytes: int = 50 * MiB  # files one run writes
    open_files: int = 256

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """The defaults, each replaced by its variable in ENVIRONMENT where that is set."""
        env = os.environ if environ is None else environ
        return cls(**{name: int(env[var]) * unit
                      for name, (var, unit) in ENVIRONMENT.items() if env.get(var)})

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, int]) -> Limits:
        known = {f.name for f in fields(cls)}
        return cls(**{k: int(v) for k, v in data.items() if k in known})


# Limit -> (environment variable, how many of the limit's units one of the variable's is).
ENVIRONMENT: dict[str, tuple[str, int]] = {
    "wall_seconds": ("RUN_WALL_SECONDS", 1),
    "cpu_seconds": ("RUN_CPU_SECONDS", 1),
    "memory_bytes": ("RUN_MEMORY_MB", MiB),
    "max_tasks": ("RUN_MAX_TASKS", 1),
    "code_bytes": ("RUN_MAX_CODE_BYTES", 1),
    "stdin_bytes": ("RUN_MAX_STDIN_BYTES", 1),
    "output_bytes": ("RUN_OUTPUT_BYTES", 1),
    "graph_event_bytes": ("RUN_GRAPH_EVENT_BYTES", 1),
    "image_bytes": ("RUN_IMAGE_BYTES", 1),
    "event_bytes": ("RUN_EVENT_BYTES", 1),
    "data_pipelines": ("RUN_DATA_PIPELINES", 1),
    "data_event_bytes": ("RUN_DATA_EVENT_BYTES", 1),
    "replica_steps": ("RUN_REPLICA_STEPS", 1),
    "written_bytes": ("RUN_WRITTEN_MB", MiB),
    "open_files": ("RUN_OPEN_FILES", 1),
}
