"""Inside the jailed child: warm TensorFlow up, wait for one job, run the snippet, report, exit."""
from __future__ import annotations

import builtins
import io
import json
import linecache
import os
import re
import sys
import threading
import traceback
import types
from typing import Any

from contract.events import json_safe
from contract.job import Job
from contract.limits import Limits
from contract.spares import COLD, WARM
from contract.zygote import Warm
from trainer import accelerators, protocol
from trainer.sandbox import hints, offline, thread_pools
from trainer.sandbox import stdin as standard_input

STDIN, STDOUT, STDERR, EVENTS_FD, CONTROL_FD = 0, 1, 2, 3, 4
SNIPPET_NAME = "main.py"
SANDBOX_THREADS = 2  # each of TensorFlow's two thread pools, unless the snippet sets its own


class EventWriter:
    """Writes child events as JSON lines on the event pipe; safe from several threads.

    The supervisor checks and cleans every event it reads, so an event goes out as it is; only
    one that is not plain JSON (a NaN, an object) is made JSON-safe first."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        line = encode_line(event)
        with self.lock:
            view = memoryview(line)
            while view:
                view = view[os.write(self.fd, view):]


def encode_line(event: dict[str, Any]) -> bytes:
    """One event as the line the supervisor reads."""
    try:
        text = json.dumps(event, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        text = json.dumps(json_safe(event, _bounded_repr), separators=(",", ":"))
    return text.encode("utf-8", "backslashreplace") + b"\n"


def _bounded_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a user's __repr__ may raise anything
        return f"<{type(value).__name__}>"
    return text if len(text) <= 200 else text[:199] + "…"


def setup_stdio() -> None:
    sys.stdin = io.TextIOWrapper(io.FileIO(STDIN, "r", closefd=False), encoding="utf-8")
    for fd, name in ((STDOUT, "stdout"), (STDERR, "stderr")):
        raw = io.FileIO(fd, "w", closefd=False)
        stream = io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8",
                                  errors="backslashreplace", line_buffering=True)
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def configure_devices(tf: Any, device_class: str, slot: int, logical_cpus: int) -> None:
    """Before the first op: give this slot one GPU, connect to the TPU, or split the CPU for
    MirroredStrategy.

    CUDA reads CUDA_VISIBLE_DEVICES once, when its driver starts: here, at the listing below
    (the zygote never starts it, since a fork cannot carry it). The zygote's list holds the
    worker's GPUs; this child narrows it to its slot's one, so the run sees that GPU only, as
    `GPU:0`, and its memory grows on demand instead of TensorFlow taking it all at once.
    """
    sandbox_defaults(tf, device_class, slot)
    if device_class == "tpu":
        accelerators.connect_tpu(tf)
        return
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        tf.config.set_visible_devices(gpus[:1], "GPU")
        tf.config.experimental.set_memory_growth(gpus[0], True)
    elif logical_cpus > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(logical_cpus)]
        )


def sandbox_defaults(tf: Any, device_class: str, slot: int) -> None:
    """What every spare keeps, a cold one too: TensorFlow's thread pools sized for the run's
    task limit (a snippet may set its own: nothing has started), and its slot's GPU only."""
    tf.config.threading.set_inter_op_parallelism_threads(SANDBOX_THREADS)
    tf.config.threading.set_intra_op_parallelism_threads(SANDBOX_THREADS)
    if device_class == "gpu":
        mine = accelerators.slot_gpu(slot, os.environ.get("CUDA_VISIBLE_DEVICES", ""))
        if mine is not None:
            os.environ["CUDA_VISIBLE_DEVICES"] = mine


WARM_UP_SOURCE = """\
@tf.function
def double(x):
    if x > 0:
        return x * 2
    return x

double(tf.constant(1.0)).numpy()
"""


AUTOGRAPH_SAMPLE = """\
def sample(x):
    total = 0
    for i in range(3):
        if x > i:
            total += x
    return total
"""


def register_source(name: str, source: str) -> dict[str, Any]:
    """Compile `source` under `name` with its lines in linecache, as AutoGraph needs them.

    AutoGraph rereads the file of any function whose module has a `__file__`, and this checkout
    is hidden by the jail: functions made here live in a namespace of their own instead.
    """
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    namespace: dict[str, Any] = {"__name__": name.strip("<>").replace(" ", "_")}
    exec(compile(source, name, "exec"), namespace)  # noqa: S102 - our own constant source
    return namespace


def warm_up(tf: Any, trace_function: bool) -> dict[str, Any]:
    """Run the first op here, and optionally trace a first tf.function, so the run does not pay.

    The first op builds the eager context and its devices. Every further kind of op costs ~5 ms
    of CPU on its first use (it is wrapped in a function that goes through TensorFlow's graph
    passes), so only the one a tensor needs is run here: spares are refilled on every run.
    Tracing costs about 60 ms of CPU per spare and saves the learner about 35 ms on their first
    tf.function; it is off unless TRAINER_WARM_FUNCTION=1.
    """
    tf.constant([1.0, 2.0]).numpy()
    if trace_function:
        register_source("<sandbox warm-up>", "import tensorflow as tf\n" + WARM_UP_SOURCE)
    return {**versions(tf), "devices": [d.name for d in tf.config.list_logical_devices()]}


def versions(tf: Any) -> dict[str, Any]:
    """TensorFlow's, Keras' and Python's versions: what a cold spare says of itself, since
    listing its logical devices would start TensorFlow."""
    import platform

    import keras

    return {"tensorflow": tf.__version__, "keras": keras.__version__,
            "python": platform.python_version()}


def _user_frames(tb: types.TracebackType | None, filename: str) -> list[dict[str, Any]]:
    frames = []
    for frame in traceback.extract_tb(tb):
        if frame.filename == filename:
            frames.append({"line": frame.lineno, "name": frame.name, "text": frame.line or ""})
    return frames


def error_event(exc: BaseException, filename: str) -> dict[str, Any]:
    line: int | None
    frames: list[dict[str, Any]]
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        frames = [{"line": exc.lineno, "name": "<module>", "text": (exc.text or "").rstrip()}]
        line = exc.lineno
    else:
        frames = _user_frames(exc.__traceback__, filename)
        line = frames[-1]["line"] if frames else None
        # Errors raised while tracing a tf.function name the user's line in their message.
        mentioned = re.findall(rf'File "{re.escape(filename)}", line (\d+)', str(exc))
        if mentioned:
            line = int(mentioned[-1])
    return {
        "type": "error",
        "exc_type": type(exc).__name__,
        "message": str(exc) if not isinstance(exc, SyntaxError) else exc.msg,
        "traceback": frames,
        "line": line,
    }


def _exit_status(code: object) -> int:
    if isinstance(code, int):
        return code
    return 0 if code is None else 1


def _prepare(job: Job, filename: str, instrumentation: Any) -> None:
    """Write the snippet where AutoGraph can read it back, and apply the job's options."""
    with open(filename, "w", encoding="utf-8") as f:
        f.write(job.code)
    # AutoGraph reads the source of user functions; a cache entry with no mtime is never evicted.
    linecache.cache[filename] = (len(job.code), None, job.code.splitlines(True), filename)
    if job.seed is not None:
        import keras

        keras.utils.set_random_seed(int(job.seed))
    if instrumentation is not None:
        instrumentation.configure(keras_graphs=bool(job.keras_graphs), source_file=filename)
    if job.functions_eagerly:  # the second pass of a compare_eager run
        import tensorflow as tf

        tf.config.run_functions_eagerly(True)
    sys.argv = [filename]


def _flush_quietly() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001, S110 - the user may have closed it
            pass


def _run_snippet(job: Job, filename: str, tf: Any) -> Any:
    """Execute the snippet; returns the graph it ran in when the mode is `graph`."""
    namespace = {"__name__": "__main__", "__file__": filename, "__builtins__": builtins}
    compiled = compile(job.code, filename, "exec", dont_inherit=True)
    if job.mode != "graph":
        exec(compiled, namespace)  # noqa: S102 - running the learner's code is the point
        return None
    with tf.Graph().as_default() as graph:
        exec(compiled, namespace)  # noqa: S102
    return graph


def execute(job: Job, emit: EventWriter, instrumentation: Any, tf: Any,
            spare: str = WARM) -> int:
    """Run one snippet; returns the process exit code."""
    filename = os.path.join(os.getcwd(), SNIPPET_NAME)
    _prepare(job, filename, instrumentation)
    standard_input.feed(job.stdin)
    graph = None
    status = 0
    try:
        graph = _run_snippet(job, filename, tf)
    except SystemExit as exc:
        status = _exit_status(exc.code)
        if not isinstance(exc.code, int) and exc.code is not None:
            print(exc.code, file=sys.stderr)
    except BaseException as exc:  # noqa: BLE001 - every failure of user code is reported
        _flush_quietly()
        event = error_event(exc, filename)
        if hint := hints.device_setup_hint(exc, spare):
            event["message"] = f"{event['message']}\n{hint}"
        emit(event)
        status = 1
    finally:
        if instrumentation is not None:
            try:
                instrumentation.finish(graph)
            except Exception:  # noqa: BLE001, S110 - never let instrumentation change the outcome
                pass
        _flush_quietly()
    return status


def serve(*, device_class: str, slot: int, logical_cpus: int, ready_fd: int,
          graph_max_bytes: int, image_max_bytes: int, warm_function: bool, spare: str = WARM,
          max_tasks: int = 64, instrument: bool = True, limits: Limits | None = None) -> None:
    """The child's life after the jail: warm up, say ready, take one job, run it, exit.

    A cold spare (contract.spares) skips the warm-up: TensorFlow has not started when the
    snippet's own device set-up runs, as in a fresh interpreter."""
    import tensorflow as tf

    emit = EventWriter(EVENTS_FD)
    thread_pools.limit(max_tasks)
    if spare == COLD:
        sandbox_defaults(tf, device_class, slot)
        runtime = versions(tf)
    else:
        configure_devices(tf, device_class, slot, logical_cpus)
        runtime = warm_up(tf, warm_function)
    offline.install(os.environ.get("TFDS_DATA_DIR", ""))
    instrumentation = None
    try:
        from trainer.instrument import Instrumentation

        instrumentation = Instrumentation(emit, graph_max_bytes=graph_max_bytes,
                                          image_max_bytes=image_max_bytes, limits=limits,
                                          views=instrument)
        instrumentation.install()
    except ImportError:
        instrumentation = None
    protocol.write_message(ready_fd, Warm(runtime=runtime).to_wire())
    os.close(ready_fd)
    try:
        message = protocol.read_message(CONTROL_FD)
        job = Job.from_task(message["code"], message)
    except (EOFError, ValueError, TypeError, KeyError):
        os._exit(0)  # the spare was retired without a job
    os.close(CONTROL_FD)
    status = execute(job, emit, instrumentation, tf, spare)
    os._exit(status if 0 <= status < 256 else 1)
