"""SIGKILL of the web side mid-run: the recorder (the run is stored once a new one starts) and
Daphne (a page reconnecting with `after=` to the restarted Daphne sees every event once)."""
from __future__ import annotations

import secrets
import time

import pytest

from tests.faults.conftest import FaultStack, until
from tests.faults.watch import Watch, check_run, ticker
from tests.live import LiveClient

pytestmark = pytest.mark.faults


def start_ticking(client: LiveClient, lines: int) -> Watch:
    run = client.start(ticker(secrets.token_hex(6), lines))
    watch = Watch(client, run["id"])
    watch.start()
    until(lambda: watch.seen("stdout") >= 2, 60,
          what=f"2 lines of output (closes {watch.closes}, refusals {watch.refusals})")
    return watch


def test_a_run_that_ends_while_the_recorder_is_dead_is_stored_by_the_next_one(
        stack: FaultStack, client: LiveClient) -> None:
    watch = start_ticking(client, lines=6)
    stack.kill("recorder")
    events = watch.finish(60)
    assert check_run(events)["status"] == "succeeded"
    # Until a recorder runs again, the run is read from its stream, and its row waits.
    assert client.record(watch.run_id)["events"] == events
    time.sleep(1.0)
    assert stack.stored(watch.run_id) == ("queued", 0)
    stack.restart("recorder")
    until(lambda: stack.stored(watch.run_id) == ("succeeded", len(events)), 30,
          what="the run stored by the new recorder")
    assert client.record(watch.run_id)["events"] == events


def test_a_page_reconnecting_to_a_restarted_daphne_sees_every_event_once(
        stack: FaultStack, client: LiveClient) -> None:
    watch = start_ticking(client, lines=12)
    seen_before = len(watch.events)
    stack.kill("daphne")
    time.sleep(1.0)  # the page retries meanwhile and is refused
    stack.restart("daphne")
    stack.wait_ready()
    events = watch.finish(60)
    assert check_run(events)["status"] == "succeeded"
    assert watch.refusals, "the page never found Daphne gone"
    assert len(events) > seen_before + 1, "nothing came from the new Daphne"
    print(f"\nDaphne killed after {seen_before} events: {len(watch.refusals)} refused "
          f"reconnections, then {len(events) - seen_before} more events, each once")
    until(lambda: stack.stored(watch.run_id) == ("succeeded", len(events)), 30,
          what="the stored run")
    record = client.run('print("after the restart")')
    assert record["status"] == "succeeded"
