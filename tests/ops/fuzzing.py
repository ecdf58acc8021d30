"""What both fuzz tests share: the operations of `/api/schema` with the modes they are fuzzed
in, their cases as Hypothesis strategies, and the checks every answer must pass."""
from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 25))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# What a valid request may get besides a 2xx: what it names does not exist (or is not this
# session's), or the run it names has not finished.
ACCEPTED = ["2XX", 404, 409]
CONFIG = {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}
FIGURES: Counter[str] = Counter()


def operations() -> list[tuple[str, str]]:
    """(operationId, mode) for every operation: `positive` (valid requests), `negative` (invalid
    ones) where there is something to get wrong (a path parameter or a body), and `known` (valid
    requests naming things that exist, which the fuzzer would hardly ever guess) where a path
    names something."""
    from playground.ops.openapi import document

    found = []
    for item in document()["paths"].values():
        for method, spec in item.items():
            if method == "parameters":
                continue
            found.append((spec["operationId"], "positive"))
            if "parameters" in item or "requestBody" in spec:
                found.append((spec["operationId"], "negative"))
            if "parameters" in item:
                found.append((spec["operationId"], "known"))
    return found




def settings(examples: int = EXAMPLES) -> hypothesis_settings:
    """Bounded, and derandomized: a failure fails the same way on every machine."""
    return hypothesis_settings(max_examples=examples, deadline=None, database=None,
                               derandomize=True, suppress_health_check=list(HealthCheck))


def operation(op_id: str) -> Any:
    from playground.ops.openapi import document

    schema = schemathesis.openapi.from_dict(document(),
                                            config=SchemathesisConfig.from_dict(CONFIG))
    return next(op.ok() for op in schema.get_all_operations()
                if op.ok().definition.raw.get("operationId") == op_id)


def cases(op: Any, mode: str, known: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """The requests of one operation in one mode; `known` names things that exist."""
    if mode == "known":
        names = [p.name for p in op.path_parameters]
        body = {"run": st.sampled_from(known["run_id"])} if op.body else {}
        found = st.fixed_dictionaries({n: st.sampled_from(known[n]) for n in names}).flatmap(
            lambda params: st.fixed_dictionaries(body).flatmap(
                lambda sent: op.as_strategy(path_parameters=params, **(
                    {"body": sent} if sent else {}))))
    else:
        found = op.as_strategy(generation_mode=GenerationMode(mode))
    if mode == "negative":
        return found
    return found.filter(valid_as_read).flatmap(in_the_catalogue(known["concept"]))


def checks(mode: str) -> list[Any]:
    return CHECKS + [negative_data_rejection if mode == "negative" else
                     positive_data_acceptance]


def check_answer(op_id: str, mode: str, case: schemathesis.Case, response: Any) -> None:
    """The schema's checks, and an error's shape and status by the API's own rules."""
    from playground.api import Code
    from playground.ops.openapi import ERROR_STATUS

    FIGURES["requests"] += 1
    FIGURES[f"{op_id} {response.status_code}"] += 1
    case.validate_response(response, checks=checks(mode))
    if response.status_code < 400 or op_id == "health":
        return
    FIGURES["errors"] += 1
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["code"] in Code.__args__ and isinstance(error["message"], str), body
    assert set(error) <= {"code", "message", "field"}, body
    assert response.status_code == ERROR_STATUS[error["code"]], (response.status_code, body)


def report(began: float, where: str) -> str:
    import time

    lines = [f"\nfuzzed {where}: {FIGURES['requests']} requests ({FIGURES['errors']} error "
             f"answers) over {FIGURES['operations']} operation runs in "
             f"{time.monotonic() - began:.1f} s"]
    if os.environ.get("FUZZ_VERBOSE"):
        lines += [f"  {key}: {n}" for key, n in sorted(FIGURES.items()) if " " in key]
    FIGURES.clear()
    return "\n".join(lines)


def valid_as_read(case: schemathesis.Case) -> bool:
    """What JSON Schema cannot say of a valid run request: JSON Schema counts 7.0 as an integer,
    which the API reads as Python's json does, a float; and JSON can escape a lone surrogate,
    which no UTF-8 text holds. The API refuses both (400 `invalid`)."""
    if not isinstance(case.body, dict):
        return True
    try:
        for text in (case.body.get("code"), case.body.get("stdin")):
            if isinstance(text, str):
                text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not isinstance(case.body.get("seed"), float)


def in_the_catalogue(concepts: list[str]) -> Callable[[schemathesis.Case], Any]:
    """A valid `concept` is a slug the catalogue has, which the schema cannot list: a generated
    one is swapped for one of the catalogue's."""
    def swap(case: schemathesis.Case) -> Any:
        if not (isinstance(case.body, dict) and isinstance(case.body.get("concept"), str)
                and case.body["concept"]):
            return st.just(case)
        return st.sampled_from(concepts).map(lambda slug: with_concept(case, slug))
    return swap


def with_concept(case: schemathesis.Case, slug: str) -> schemathesis.Case:
    case.body = {**case.body, "concept": slug}
    return case


