"""Run snippets instrumented in a fresh interpreter whose CPU is split into two logical devices,
as a sandbox child's is (MirroredStrategy then has two replicas): `python -m
tests.trainer.instrumented_child < snippets.json` prints each snippet's events and output."""
from __future__ import annotations

import contextlib
import io
import json
import sys
from typing import Any


def main() -> None:
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from tests.trainer.conftest_instrument import Recorder, run_snippet
    from trainer.instrument import Instrumentation

    results: list[dict[str, Any]] = []
    for code in json.load(sys.stdin):
        recorder = Recorder()
        instrumentation = Instrumentation(recorder)
        instrumentation.install()
        out, err = io.StringIO(), io.StringIO()
        error = None
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run_snippet(code)
            except Exception as exc:  # noqa: BLE001 - reported to the test
                error = f"{type(exc).__name__}: {exc}"
            instrumentation.finish()
        instrumentation.uninstall()
        results.append({"events": recorder.events, "stdout": out.getvalue(),
                        "stderr": err.getvalue(), "error": error})
    sys.stdout.write(json.dumps(results))


if __name__ == "__main__":
    main()
