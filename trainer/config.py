"""The worker's settings, read from the environment in this one place (limits: contract.limits)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from contract.job import DEVICE_CLASSES
from contract.limits import Limits

ROOT = Path(__file__).resolve().parent.parent
INSECURE_ENV = "TRAINER_INSECURE_NO_SANDBOX"
SANDBOX_CHOICES = ("auto", "jail", "rootless")


@dataclass(frozen=True)
class WorkerSettings:
    redis_url: str = "redis://127.0.0.1:6379/0"
    broker_url: str = ""  # CELERY_BROKER_URL; REDIS_URL when empty
    device_class: str = ""  # TRAINER_DEVICE; detected when empty
    concurrency: int = 4  # runs at once (more than cores: runs often wait on sleep or I/O)
    spares: int = 2  # warm spares the zygote keeps
    cold_spares: int = 1  # spares before TensorFlow's first op (contract.spares); 0: on demand
    held_spares: int = 1  # spares the worker keeps in hand
    logical_cpus: int = 2  # CPU split into this many devices for MirroredStrategy
    uid_base: int = 61000  # slot n runs as uid/gid uid_base + n
    cpu_cores: float = 1.5  # a run's CPU quota, in cores
    warm_function: bool = False  # trace a tf.function in each spare's warm-up
    # TRAINER_BENCH_NO_INSTRUMENTATION=1: children skip the views of TensorFlow (graphs,
    # traces, curves, data views; the figures a program draws are its output and still come),
    # so that bench/snippets.py can show what they cost; a worker setting only, never a run's.
    instrumentation: bool = True
    datasets_dir: str = str(ROOT / ".cache" / "datasets")
    insecure: bool = False  # TRAINER_INSECURE_NO_SANDBOX=1: no jail (single-user laptops only)
    sandbox: str = "auto"  # TRAINER_SANDBOX: auto (the root jail as root, else rootless),
    # jail (root only), rootless (even as root: each slot then drops to its own uid first)
    onednn: str = "0"  # TF_ENABLE_ONEDNN_OPTS handed to the zygote
    cuda_visible_devices: str | None = None
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WorkerSettings:
        env = os.environ if environ is None else environ
        device = env.get("TRAINER_DEVICE", "")
        if device and device not in DEVICE_CLASSES:
            raise ValueError(f"TRAINER_DEVICE must be one of {DEVICE_CLASSES}, not {device!r}")
        if env.get("TRAINER_SANDBOX", "auto") not in SANDBOX_CHOICES:
            raise ValueError(f"TRAINER_SANDBOX must be one of {SANDBOX_CHOICES}")
        redis_url = env.get("REDIS_URL", cls.redis_url)
        return cls(
            redis_url=redis_url,
            broker_url=env.get("CELERY_BROKER_URL", redis_url),
            device_class=device,
            concurrency=int(env.get("TRAINER_CONCURRENCY", cls.concurrency)),
            spares=int(env.get("TRAINER_SPARES", cls.spares)),
            cold_spares=int(env.get("TRAINER_COLD_SPARES", cls.cold_spares)),
            held_spares=max(1, int(env.get("TRAINER_HELD_SPARES", cls.held_spares))),
            logical_cpus=int(env.get("TRAINER_LOGICAL_CPUS", cls.logical_cpus)),
            uid_base=int(env.get("TRAINER_UID_BASE", cls.uid_base)),
            cpu_cores=float(env.get("TRAINER_CPU_CORES", cls.cpu_cores)),
            warm_function=env.get("TRAINER_WARM_FUNCTION", "0") == "1",
            instrumentation=env.get("TRAINER_BENCH_NO_INSTRUMENTATION", "0") != "1",
            datasets_dir=env.get("TRAINER_DATASETS_DIR", cls.datasets_dir),
            insecure=env.get(INSECURE_ENV, "") == "1",
            sandbox=env.get("TRAINER_SANDBOX", cls.sandbox),
            onednn=env.get("TF_ENABLE_ONEDNN_OPTS", cls.onednn),
            cuda_visible_devices=env.get("CUDA_VISIBLE_DEVICES"),
            limits=Limits.from_env(env),
        )

    @property
    def tfds_dir(self) -> str:
        """tensorflow-datasets' data dir in the cache: what `datasets pull` prepared."""
        return os.path.join(self.datasets_dir, "tfds")

    @property
    def matplotlib_dir(self) -> str:
        """matplotlib's config and font cache, written once by the zygote, read by spares."""
        return os.path.join(self.datasets_dir, ".matplotlib")
