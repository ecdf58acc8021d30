"""Freezing a run into a share; the only writer of Share."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from contract.events import TERMINAL_STATUSES, json_safe
from playground.runs import actions as run_actions
from playground.runs.models import Run
from playground.shares.models import Share

if TYPE_CHECKING:
    from playground.api import Code

MAX_SHARE_BYTES = 32 * 1024 * 1024


class NotShareable(Exception):
    """The run cannot be shared; `status` and `code` are the API's answer (playground.api)."""

    def __init__(self, status: int, code: Code, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def share_run(run: Run) -> tuple[Share, bool]:
    """The run's share, made on first call; sharing twice gives the same link."""
    existing = Share.objects.filter(run=run).first()
    if existing:
        return existing, False
    record = run_actions.record(run)
    if record["status"] not in TERMINAL_STATUSES:
        raise NotShareable(409, "not_finished", "Only a finished run can be shared.")
    if len(json.dumps(record)) > MAX_SHARE_BYTES:
        raise NotShareable(413, "too_large", "This run's output is too large to share.")
    try:
        with transaction.atomic():
            return Share.objects.create(run=run, record=json_safe(record)), True
    except IntegrityError:
        return Share.objects.get(run=run), False


def shared_record(share: Share) -> dict[str, Any]:
    return {**share.record, "shared": share.created.isoformat()}
