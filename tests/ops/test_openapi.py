"""`/api/schema` says what the code does: the same routes and methods, the error codes of
playground/api.py, and the enums of contract/ (taken from there, never written again)."""
from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from contract.events import EVENT_TYPES, LIVE_STATUSES, RUN_STATUSES, TERMINAL_STATUSES
from contract.job import DEVICE_CHOICES, DEVICE_CLASSES, MODES

OPS = Path(__file__).resolve().parents[2] / "playground" / "ops"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    from playground.ops.openapi import document

    return document()


def routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern of the site as an OpenAPI path: `<slug:run_id>` becomes `{run_id}`."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def filled(path: str) -> str:
    """The path with each parameter replaced by a value its converter takes."""
    return re.sub(r"\{(\w+)\}", lambda m: "1" if m.group(1) == "n" else "some-id_1", path)


def test_every_api_route_is_in_the_schema_and_every_schema_path_is_routed(doc):
    api_routes = {route for route in routes() if route.startswith("/api/")}
    documented = set(doc["paths"])
    assert api_routes - documented == set(), "routes missing from the schema"
    assert {p for p in documented if p.startswith("/api/")} == api_routes
    for path in documented:
        match = resolve(filled(path))  # raises Resolver404 for a path no route takes
        assert "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", match.route) == path


@pytest.mark.django_db
def test_each_path_answers_the_documented_methods_and_405_with_allow_to_others(doc):
    client = Client()
    for path, item in doc["paths"].items():
        documented = sorted(m.upper() for m in item if m in METHODS)
        answer = client.generic("PUT" if "PUT" not in documented else "PATCH", filled(path))
        assert answer.status_code == 405, path
        assert sorted(m.strip() for m in answer["Allow"].split(",")) == documented, path
        assert answer.json()["error"]["code"] == "method_not_allowed"


def documented_codes(doc: dict[str, Any]) -> dict[str, set[int]]:
    """Each error code the operations declare, with the statuses they declare it under."""
    found: dict[str, set[int]] = {}
    for item in doc["paths"].values():
        for method in set(item) & set(METHODS):
            for status, answer in item[method]["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
                codes = schema.get("properties", {}).get("error", {}).get("properties", {}).get(
                    "code", {}).get("enum", [])
                for code in codes:
                    found.setdefault(code, set()).add(int(status))
    return found


def test_error_codes_are_the_api_vocabulary_each_under_one_status(doc):
    from playground.api import Code
    from playground.ops.openapi import ERROR_STATUS

    vocabulary = set(get_args(Code))
    assert set(ERROR_STATUS) == vocabulary
    assert set(doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
               ["code"]["enum"]) == vocabulary
    declared = documented_codes(doc)
    # 405 answers a method that has no operation: the Error schema covers it, no operation does.
    assert set(declared) | {"method_not_allowed"} == vocabulary
    for code, statuses in declared.items():
        assert statuses == {ERROR_STATUS[code]}, code  # type: ignore[index]


def test_enums_are_the_contracts(doc):
    schemas = doc["components"]["schemas"]
    request = schemas["RunRequest"]["properties"]
    assert request["mode"]["enum"] == list(MODES)
    assert request["device"]["enum"] == list(DEVICE_CHOICES)
    record = schemas["RunRecord"]["properties"]
    assert record["status"]["enum"] == list(RUN_STATUSES)
    assert record["device"]["enum"] == list(DEVICE_CLASSES)
    event = schemas["Event"]
    assert event["properties"]["type"]["enum"] == list(EVENT_TYPES)
    by_type = {kind["properties"]["type"]["const"]: kind for kind in event["oneOf"]}
    assert list(by_type) == list(EVENT_TYPES)
    assert by_type["done"]["properties"]["status"]["enum"] == list(TERMINAL_STATUSES)
    assert by_type["status"]["properties"]["status"]["enum"] == list(LIVE_STATUSES)


def test_no_value_of_a_contract_enum_is_written_in_the_ops_code():
    """A mode, device or status spelled out in playground/ops/ would be a second copy."""
    values = set(MODES) | set(DEVICE_CHOICES) | set(RUN_STATUSES)
    for module in OPS.glob("*.py"):
        literals = {node.value for node in ast.walk(ast.parse(module.read_text()))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        assert literals & values == set(), module.name


def test_every_reference_resolves_and_the_document_is_valid_openapi_3_1(doc):
    import schemathesis

    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(doc))
    assert refs and set(refs) <= set(doc["components"]["schemas"])
    schemathesis.openapi.from_dict(doc).validate()
    assert doc["openapi"].startswith("3.1")


@pytest.mark.django_db
def test_the_schema_is_served_as_json(doc):
    answer = Client().get("/api/schema")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    assert answer.json() == json.loads(json.dumps(doc))
