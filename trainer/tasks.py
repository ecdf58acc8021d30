"""Celery tasks of the worker side; thin: they take ids and primitives and hand over."""
from __future__ import annotations

import logging
import time
from typing import Any

from celery import signals

from contract.job import EXECUTE_TASK, Job
from trainer import worker
from trainer.celery import app

log = logging.getLogger(__name__)


@signals.worker_ready.connect
def _start(**_: Any) -> None:
    began = time.monotonic()
    worker.start()
    log.info("worker ready in %.1f s: zygote and spares warm", time.monotonic() - began)


@signals.worker_shutting_down.connect
def _drain(**_: Any) -> None:
    # Celery's warm shutdown (SIGTERM) stops taking tasks and waits for the running ones.
    log.info("draining: no new runs; waiting for the runs in hand")
    worker.drain()


@signals.worker_shutdown.connect
def _stop(**_: Any) -> None:
    worker.stop()


@app.task(name=EXECUTE_TASK, ignore_result=True)
def execute_run(run_id: str, code: str, options: dict[str, Any]) -> None:
    worker.execute(run_id, Job.from_task(code, options))
