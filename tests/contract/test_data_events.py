"""Data and distribution events: what a child may send of them, and their caps' variables."""
from __future__ import annotations

from contract.events import check_child_event
from contract.limits import Limits


def test_a_dataset_event_keeps_its_stages_and_drops_what_it_does_not_declare():
    event = {"type": "dataset", "id": 1, "stages": [{"kind": "source"}], "consumer": "for",
             "line": 3, "seq": 9, "status": "succeeded"}
    assert check_child_event(event) == {"type": "dataset", "id": 1,
                                        "stages": [{"kind": "source"}], "consumer": "for",
                                        "line": 3}


def test_malformed_data_and_replica_events_are_dropped():
    assert check_child_event({"type": "dataset", "id": "1", "stages": []}) is None
    assert check_child_event({"type": "dataset_stats", "id": 1, "elements": True}) is None
    assert check_child_event({"type": "replicas", "strategy": "MirroredStrategy"}) is None
    assert check_child_event({"type": "replica_step", "kind": "run", "replicas": {}}) is None
    assert check_child_event({"type": "augment", "function": "f", "samples": "x"}) is None


def test_throughput_keeps_no_infinity():
    clean = check_child_event({"type": "dataset_stats", "id": 2, "elements": 0,
                               "per_second": float("inf")})
    assert clean == {"type": "dataset_stats", "id": 2, "elements": 0, "per_second": None}


def test_the_caps_have_variables():
    limits = Limits.from_env({"RUN_DATA_PIPELINES": "3", "RUN_DATA_EVENT_BYTES": "1000",
                              "RUN_REPLICA_STEPS": "5"})
    assert (limits.data_pipelines, limits.data_event_bytes, limits.replica_steps) == (3, 1000, 5)
