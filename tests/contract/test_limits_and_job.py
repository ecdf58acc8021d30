"""Limits come from one table of environment variables; a job keeps to its known options."""
from __future__ import annotations

from contract.job import Job
from contract.limits import ENVIRONMENT, Limits, MiB


def test_every_limit_has_its_variable_and_reads_it():
    assert set(ENVIRONMENT) == set(Limits().as_dict())
    env = {var: "7" for var, _unit in ENVIRONMENT.values()}
    limits = Limits.from_env(env)
    for name, (_var, unit) in ENVIRONMENT.items():
        assert getattr(limits, name) == 7 * unit


def test_unset_or_empty_variables_keep_the_defaults():
    assert Limits.from_env({}) == Limits()
    assert Limits.from_env({"RUN_MEMORY_MB": ""}).memory_bytes == 2048 * MiB


def test_limits_survive_their_trip_through_json():
    limits = Limits.from_env({"RUN_WALL_SECONDS": "5"})
    assert Limits.from_dict(limits.as_dict()) == limits


def test_a_job_from_a_task_ignores_options_it_does_not_know():
    job = Job.from_task("print(1)", {"mode": "graph", "seed": 3, "code": "other", "x": 1})
    assert job == Job(code="print(1)", mode="graph", seed=3)
    assert job.options() == {"mode": "graph", "seed": 3, "keras_graphs": False, "stdin": "",
                             "compare_eager": False, "functions_eagerly": False}
