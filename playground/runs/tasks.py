"""Web-side Celery tasks: persisting a finished run, sent by the worker by name."""
from __future__ import annotations

from celery import Task, shared_task

from playground.runs import actions


@shared_task(bind=True, name="playground.finalize_run", ignore_result=True, max_retries=10)
def finalize_run(self: Task, run_id: str) -> None:
    try:
        actions.finalize_run(run_id)
    except actions.NotStoredYet as exc:
        raise self.retry(countdown=0.5, exc=exc) from exc
