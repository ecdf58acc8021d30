"""Every operation of `/api/schema` fuzzed over HTTP against a real Daphne started by
`scripts/stack.py serve` (the ASGI handler, the middleware on the event loop, the views on
shared threads, the real Celery broker), with the checks of the in-process fuzz (fuzzing.py).

Fewer examples than in process (FUZZ_DAPHNE_EXAMPLES, default 8 per operation and mode): what
differs here is the server path, not the inputs.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from hypothesis import given

from contract import keys
from contract.job import DEVICE_CLASSES
from tests.ops import fuzzing
from tests.ops.served import Served

EXAMPLES = int(os.environ.get("FUZZ_DAPHNE_EXAMPLES", 8))


@pytest.fixture(scope="module")
def daphne(ops_redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A served stack with the content loaded and a live heartbeat of every device class (a run
    goes to its class's Celery queue in Redis, where no worker takes it)."""
    client = redis.Redis.from_url(ops_redis_url)
    for name in DEVICE_CLASSES:
        client.hset(keys.WORKERS_KEY, keys.heartbeat_field(name, "fuzz", 1), json.dumps(
            {"class": name, "seen": time.time() + 3600, "slots": 1}))
    limits = {"RUN_MAX_IN_FLIGHT": "1000000", "RUN_MAX_IN_FLIGHT_PER_ADDRESS": "1000000",
              "RUN_RATE_LIMIT": "1000000/s", "SHARE_RATE_LIMIT": "1000000/s",
              "EDIT_RATE_LIMIT": "1000000/s"}
    served = Served(ops_redis_url, Path(tmp_path_factory.mktemp("daphne")), content=True,
                    env=limits)
    began = time.monotonic()
    try:
        served.wait_for(r"The playground is serving at")
        yield served
    finally:
        print(fuzzing.report(began, "through Daphne"))
        served.stop()
        client.flushdb()


@pytest.fixture(scope="module")
def api_session(daphne: Served) -> tuple[requests.Session, dict[str, list[Any]]]:
    """A session with its CSRF token, and things that exist: a queued run of this session, the
    first concept and tour of the catalogue."""
    session = requests.Session()
    session.get(f"{daphne.url}/api/session", timeout=10).raise_for_status()
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    concept = session.get(f"{daphne.url}/api/concepts", timeout=10).json()[0]["slug"]
    tour = session.get(f"{daphne.url}/api/tours", timeout=10).json()[0]["slug"]
    run = session.post(f"{daphne.url}/api/runs", json={"code": "print(1)"}, timeout=10)
    assert run.status_code == 201, run.text
    return session, {"run_id": [run.json()["id"]], "slug": [concept, tour], "n": [1],
                     "concept": [concept]}


@pytest.mark.parametrize("op_id, mode", fuzzing.operations())
def test_no_operation_answers_5xx_or_an_undocumented_shape_through_daphne(
        daphne: Served, api_session: tuple[requests.Session, dict[str, list[Any]]], op_id: str,
        mode: str) -> None:
    session, known = api_session
    operation = fuzzing.operation(op_id)
    fuzzing.FIGURES["operations"] += 1

    @fuzzing.settings(EXAMPLES)
    @given(case=fuzzing.cases(operation, mode, known))
    def fuzz(case: Any) -> None:
        response = case.call(base_url=daphne.url, session=session, timeout=10)
        fuzzing.check_answer(op_id, mode, case, response)

    fuzz()
