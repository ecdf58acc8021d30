"""A run: the code a browser session submitted and, once it ended, everything it produced."""
from __future__ import annotations

import secrets

from django.db import models

from contract.events import RUN_STATUSES, TERMINAL_STATUSES
from contract.job import DEFAULT_MODE, DEVICE_CLASSES, MODES


def new_run_id() -> str:
    return secrets.token_urlsafe(12)


class Run(models.Model):
    MODES = [(m, m) for m in MODES]
    DEVICES = [(d, d) for d in sorted(DEVICE_CLASSES)]
    STATUSES = [(s, s) for s in RUN_STATUSES]

    id = models.CharField(primary_key=True, max_length=32, default=new_run_id, editable=False)
    session_key = models.CharField(max_length=64, db_index=True)
    code = models.TextField()
    mode = models.CharField(max_length=8, choices=MODES, default=DEFAULT_MODE)
    device = models.CharField(max_length=8, choices=DEVICES, default="cpu")
    concept = models.CharField(max_length=100, blank=True, default="")
    seed = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUSES, default="queued")
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    duration_ms = models.IntegerField(null=True, blank=True)
    exit_code = models.IntegerField(null=True, blank=True)
    events = models.JSONField(default=list, blank=True)
    runtime = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"run {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in TERMINAL_STATUSES
