"""The web side's Celery app: it only persists finished runs (queue `web`)."""
from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

app = Celery("playground")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(task_ignore_result=True, worker_prefetch_multiplier=4,
                broker_connection_retry_on_startup=True, task_default_queue="web")
app.autodiscover_tasks(["playground.runs"])


@task_prerun.connect
def _drop_unusable_connections(sender: Any = None, **_: Any) -> None:
    # As the fixup does: a task applied in-process (tests) runs inside its caller's transaction.
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
