"""Web-side Celery tasks: persisting a finished run, sent by the worker by name."""
from __future__ import annotations

from celery import shared_task

from playground.runs import actions


@shared_task(name="playground.finalize_run", ignore_result=True)
def finalize_run(run_id: str) -> None:
    actions.finalize_run(run_id)
