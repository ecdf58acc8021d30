"""The worker's Celery app: lean settings, one queue per device class, no Django."""
from __future__ import annotations

from celery import Celery

from trainer.config import WorkerSettings

app = Celery("trainer", broker=WorkerSettings.from_env().broker_url)
app.conf.update(
    task_ignore_result=True,
    task_acks_late=False,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    task_serializer="json",
    accept_content=["json"],
    worker_send_task_events=False,
    imports=["trainer.tasks"],
    # A run is acknowledged as it starts: kombu's record of unacknowledged messages in Redis
    # would cost a round trip as each arrives (on the run's path) and another at the ack. A
    # worker that stops cleanly still puts back what it took and had not started.
    broker_transport_options={"ack_emulation": False},
)
