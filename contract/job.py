"""What a run asks for: its code and options, with their defaults, and where it may run."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from contract.spares import spare_for

MODES = ("eager", "graph")
DEVICE_CLASSES = ("tpu", "gpu", "cpu")  # best first: what `auto` picks
DEVICE_CHOICES = ("auto", *DEVICE_CLASSES)
DEFAULT_MODE = "eager"
DEFAULT_DEVICE = "auto"
SEED_RANGE = (0, 2**32)  # a seed is an integer in [low, high)

# The Celery task that runs a job on a worker of the run's device class (its queue's name).
EXECUTE_TASK = "trainer.execute_run"
# Queue priorities (0 first, as Celery's Redis transport orders them): a session's only run in
# flight goes before the second and later runs of sessions that already have one.
QUEUE_PRIORITIES = (0, 3, 6, 9)


def queue_priority(runs_in_flight: int) -> int:
    """The priority of a run that is its session's `runs_in_flight`-th in flight."""
    return QUEUE_PRIORITIES[min(max(runs_in_flight, 1), len(QUEUE_PRIORITIES)) - 1]


@dataclass(frozen=True)
class Job:
    """One snippet and how to run it; the worker needs nothing else of the run."""

    code: str
    mode: str = DEFAULT_MODE
    seed: int | None = None
    keras_graphs: bool = False
    stdin: str = ""  # what the snippet's standard input reads, then end of file
    # Run the snippet a second time with tf.function running eagerly, to compare the two.
    compare_eager: bool = False
    # Set by the supervisor on that second pass's job only.
    functions_eagerly: bool = False

    def options(self) -> dict[str, Any]:
        """Everything but the code, as the task's `options` argument."""
        data = asdict(self)
        del data["code"]
        return data

    def spare(self) -> tuple[str, str]:
        """The kind of spare this job takes (`contract.spares`), and why when not the usual."""
        return spare_for(self.code)

    @classmethod
    def from_task(cls, code: str, options: dict[str, Any]) -> Job:
        """The job a task carries; options it does not know are ignored."""
        known = {f.name for f in fields(cls)} - {"code"}
        return cls(code=code, **{k: v for k, v in options.items() if k in known})
