"""Every operation of `/api/schema` fuzzed in process: valid and invalid requests generated from
the document itself (Schemathesis), sent through Django's WSGI handler with a real session and
CSRF token, Redis and the test database. No answer may be a 5xx (a 503 `no_worker` cannot
happen: every device class has a live heartbeat here), every answer must be one the document
declares, and every error must be `{"error": {"code", "message", "field"?}}` with the status of
its code.

FUZZ_EXAMPLES sets the examples per operation and mode (default 25), FUZZ_VERBOSE=1 prints the
answers' statuses per operation (with -s).
"""
from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import given
from werkzeug.test import Client

from tests.ops import fuzzing

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    began = time.monotonic()
    yield
    print(fuzzing.report(began, "in process"))


@pytest.fixture
def world(settings, ops_redis: redis.Redis) -> Iterator[dict[str, Any]]:
    """Redis with a live worker of every class, limits that do not get in the way, and Celery's
    send (the process boundary) kept here."""
    from playground.runs import actions

    settings.RUN_MAX_IN_FLIGHT = settings.RUN_MAX_IN_FLIGHT_PER_ADDRESS = 1_000_000
    settings.RUN_RATE_LIMIT = settings.SHARE_RATE_LIMIT = settings.EDIT_RATE_LIMIT = "1000000/s"
    client = ops_redis
    for name in ("cpu", "gpu", "tpu"):
        client.hset("workers", f"{name}:fuzz:1", json.dumps(
            {"class": name, "seen": time.time() + 3600, "tf_devices": [], "slots": 1}))
    sent: list[Any] = []

    class Broker:
        def send_task(self, name: str, args: list[Any], **options: Any) -> None:
            sent.append((name, args, options))

    old, actions._celery = actions._celery, Broker()  # type: ignore[assignment]
    # As Django's test client does: a request's end must not close the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {"redis": client, "sent": sent}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        actions._celery = old


def browser(app: WSGIHandler) -> tuple[Client, str, str]:
    """A werkzeug client holding a fresh session's cookies, its CSRF token and session key."""
    client = Client(app)
    assert client.get("/api/session").status_code == 200
    token, session = client.get_cookie("csrftoken"), client.get_cookie("sessionid")
    assert token is not None and session is not None
    return client, token.value, session.value


def known_things(session_key: str, redis_client: redis.Redis) -> dict[str, list[Any]]:
    """Things that exist, so generated requests also reach the code behind a found thing: a
    finished and a running run of this session, a share, a concept and a tour with a step."""
    from contract import keys
    from contract.events import encode_event
    from playground.concepts.models import Concept, Tour, TourStep
    from playground.runs.models import Run
    from playground.shares.actions import share_run

    events = [{"seq": 1, "type": "status", "t": 0, "status": "running", "host": "h",
               "device": "cpu", "started_at": time.time()},
              {"seq": 2, "type": "stdout", "t": 1, "text": "hi\n"},
              {"seq": 3, "type": "done", "t": 2, "status": "succeeded", "duration_ms": 2,
               "exit_code": 0}]
    done = Run.objects.create(session_key=session_key, code="print('hi')", status="succeeded",
                              events=events, duration_ms=2, exit_code=0)
    live = Run.objects.create(session_key=session_key, code="while True: pass")
    for event in events[:2]:
        fields = {k: v for k, v in event.items() if k not in ("seq", "type", "t")}
        redis_client.xadd(keys.stream_key(live.id), {keys.STREAM_FIELD: encode_event(
            event["seq"], event["type"], event["t"], fields)}, id=keys.entry_id(event["seq"]))
    other = Run.objects.create(session_key="someone-else", code="1", status="failed")
    share, _created = share_run(done)
    texts = {f"{name}_{lang}": f"{name} {lang}" for name in (
        "title", "summary", "definition", "explanation", "uses") for lang in ("en", "ja")}
    concept = Concept.objects.create(slug="tensor-fuzz", order=1, related=[], **texts)
    tour = Tour.objects.create(slug="tour-fuzz", order=1, concepts=[concept.slug], **{
        k: v for k, v in texts.items() if k.startswith(("title", "summary"))})
    TourStep.objects.create(tour=tour, position=1, name="one", title_en="t", title_ja="t",
                            text_en="x", text_ja="x", code="print(1)",
                            checks=[{"kind": "stdout_contains", "text": "hi"}])
    return {"run_id": [done.id, live.id, other.id], "slug": [share.slug, concept.slug,
                                                             tour.slug], "n": [1],
            "concept": [concept.slug]}


@pytest.mark.parametrize("op_id, mode", fuzzing.operations())
def test_no_operation_answers_5xx_or_an_undocumented_shape(world, op_id: str, mode: str) -> None:
    operation = fuzzing.operation(op_id)
    app = WSGIHandler()
    client, token, session = browser(app)
    known = known_things(session, world["redis"])
    fuzzing.FIGURES["operations"] += 1

    @fuzzing.settings()
    @given(case=fuzzing.cases(operation, mode, known))
    def fuzz(case: Any) -> None:
        response = case.call(app=app, session=client, headers={"X-CSRFToken": token})
        fuzzing.check_answer(op_id, mode, case, response)

    fuzz()
