"""A run: the code a browser session submitted and, once it ended, everything it produced."""
from __future__ import annotations

import secrets

from django.db import models

TERMINAL = ("succeeded", "failed", "timeout", "cancelled", "oom", "killed", "worker-lost")


def new_run_id() -> str:
    return secrets.token_urlsafe(12)


class Run(models.Model):
    MODES = [("eager", "eager"), ("graph", "graph")]
    DEVICES = [("cpu", "cpu"), ("gpu", "gpu"), ("tpu", "tpu")]
    STATUSES = [(s, s) for s in ("queued", "running", *TERMINAL)]

    id = models.CharField(primary_key=True, max_length=32, default=new_run_id, editable=False)
    session_key = models.CharField(max_length=64, db_index=True)
    code = models.TextField()
    mode = models.CharField(max_length=8, choices=MODES, default="eager")
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
        return self.status in TERMINAL
