"""The web worker's Celery tasks reuse one database connection, and drop a broken one."""
from __future__ import annotations

import types
from collections.abc import Iterator

import pytest
from celery import signals
from celery.fixups.django import DjangoWorkerFixup
from django.db import connection

from playground.celery import app

pytestmark = pytest.mark.django_db(transaction=True)


class Task:
    request = types.SimpleNamespace(is_eager=False)


@pytest.fixture
def closes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    calls: list[int] = []
    real_close = connection.close
    monkeypatch.setattr(connection, "close", lambda: (calls.append(1), real_close()))
    yield calls


def one_task(fixup: DjangoWorkerFixup) -> None:
    """What the worker does around a task: the prerun signal (the fixup's and ours), the task's
    query, the fixup's postrun."""
    task = Task()
    fixup.on_task_prerun(task)
    signals.task_prerun.send(sender=task, task_id="t", task=task, args=(), kwargs={})
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    fixup.on_task_postrun(task)


def test_tasks_keep_the_connection(closes: list[int]) -> None:
    fixup = DjangoWorkerFixup(app)
    for _ in range(5):
        one_task(fixup)
    assert closes == []


def test_without_reuse_every_task_would_reconnect_twice(closes: list[int]) -> None:
    fixup = DjangoWorkerFixup(app)
    fixup.db_reuse_max = None  # Celery's default, which the settings override
    for _ in range(3):
        one_task(fixup)
    assert len(closes) == 6


def test_a_broken_connection_is_dropped_before_the_next_task(
        closes: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    fixup = DjangoWorkerFixup(app)
    one_task(fixup)
    connection.errors_occurred = True
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    signals.task_prerun.send(sender=None, task_id="t", task=None, args=(), kwargs={})
    assert closes == [1]
