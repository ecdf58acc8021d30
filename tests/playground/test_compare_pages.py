"""Comparing two runs: /compare/<a>/<b> for two shares (anyone) or a run of one's own session,
/compare?a= to pick the other side, and what the page carries of each run."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from playground.compare.actions import ref_from_text
from playground.compare.summary import plain_output
from playground.runs.models import Run
from playground.shares.actions import share_run

pytestmark = pytest.mark.django_db

RUNTIME = {"tensorflow": "2.21.0", "keras": "3.15.1", "python": "3.11.7", "device": "cpu",
           "host": "worker-7", "sandbox": "jail"}


def events(loss: list[float], text: str) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = [
        {"type": "status", "status": "running", "host": "worker-7", "device": "cpu",
         "runtime": RUNTIME},
        {"type": "stdout", "text": text},
        *({"type": "metrics", "phase": "train", "scope": "epoch", "epoch": i + 1, "step": i + 1,
           "logs": {"loss": value}} for i, value in enumerate(loss)),
        {"type": "model", "name": "net", "layers": [
            {"name": "dense", "class": "Dense", "output_shape": [None, 1], "params": 5}],
         "total_params": 5},
        {"type": "done", "status": "succeeded", "duration_ms": 900, "exit_code": 0},
    ]
    for seq, event in enumerate(made, start=1):
        event.update(seq=seq, t=seq * 10)
    return made


def make_run(session: str, code: str, loss: list[float], seed: int | None = None) -> Run:
    return Run.objects.create(session_key=session, code=code, device="cpu", seed=seed,
                              status="succeeded", duration_ms=900, exit_code=0,
                              runtime=RUNTIME, events=events(loss, f"{code}\n"))


def shared(code: str, loss: list[float], seed: int | None = None) -> str:
    share, _ = share_run(make_run("someone-else", code, loss, seed))
    return share.slug


def page_data(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="pg-compare-data" type="application/json">(.*?)</script>',
                      page, re.S)
    assert found
    return dict(json.loads(found.group(1)))


def own_session(client: Client) -> str:
    client.get("/api/session")
    return str(client.session.session_key)


def test_anyone_with_both_share_links_sees_the_comparison(client: Client) -> None:
    a, b = shared("print(1)", [0.9, 0.5], seed=1), shared("print(2)", [0.8, 0.3])

    answer = client.get(f"/compare/{a}/{b}")

    assert answer.status_code == 200
    page = answer.content.decode()
    data = page_data(page)
    assert data["url"] == f"/compare/{a}/{b}"
    assert (data["a"]["code"], data["b"]["code"]) == ("print(1)", "print(2)")
    assert [m["logs"]["loss"] for m in data["a"]["metrics"]] == [0.9, 0.5]
    assert data["a"]["seed"] == 1 and data["b"]["seed"] is None
    assert data["a"]["runtime"]["tensorflow"] == "2.21.0"
    assert data["b"]["model"]["total_params"] == 5
    assert "Anyone holding this link" in page
    assert f'href="/s/{a}"' in page and f'href="/s/{b}"' in page


def test_a_run_of_ones_own_can_be_compared_but_not_by_anyone_else(client: Client) -> None:
    mine = make_run(own_session(client), "x = 1", [1.0])
    other = shared("x = 2", [2.0])

    assert client.get(f"/compare/{mine.id}/{other}").status_code == 200
    stranger = Client()
    answer = stranger.get(f"/compare/{mine.id}/{other}")
    assert answer.status_code == 404
    assert mine.id in answer.content.decode()


def test_unknown_sides_answer_a_404_naming_them(client: Client) -> None:
    answer = client.get("/compare/nope/<script>")
    assert answer.status_code == 404
    assert "<script>" not in answer.content.decode()


def test_compare_with_lists_ones_runs_and_takes_a_pasted_share_link(client: Client) -> None:
    key = own_session(client)
    first, second = make_run(key, "import x\nprint('first')", [1.0]), make_run(key, "y = 2", [])
    other = shared("z = 3", [])

    page = client.get(f"/compare?a={first.id}").content.decode()
    assert f'href="/compare/{first.id}/{second.id}"' in page
    assert f'href="/compare/{first.id}/{first.id}"' not in page
    answer = client.get(f"/compare?a={first.id}&b=https://example.org/s/{other}")
    assert answer.status_code == 302 and answer["Location"] == f"/compare/{first.id}/{other}"
    wrong = client.get(f"/compare?a={first.id}&b=https://example.org/s/missing")
    assert wrong.status_code == 200 and "No shared run" in wrong.content.decode()


def test_run_and_share_pages_link_to_compare_with(client: Client) -> None:
    run = make_run(own_session(client), "print(1)", [])
    share, _ = share_run(run)

    assert f'href="/compare?a={run.id}"' in client.get(f"/runs/{run.id}").content.decode()
    assert f'href="/compare?a={share.slug}"' in client.get(f"/s/{share.slug}").content.decode()


@pytest.mark.parametrize(("text", "ref"), [
    ("https://play.example/s/AbC-_12", "AbC-_12"), ("/runs/xyz", "xyz"), ("  slug9 ", "slug9"),
    ("https://play.example/compare/a/b", None), ("", None), ("bad slug", None),
])
def test_a_pasted_link_gives_its_slug(text: str, ref: str | None) -> None:
    assert ref_from_text(text) == ref


def test_the_output_compared_is_what_a_terminal_shows() -> None:
    events_ = [{"type": "stdout", "text": "1/3 \x1b[32m=\x1b[0m\r3/3 done\nok\b!\n"},
               {"type": "stdout", "text": "second pass\n", "pass": "eager"},
               {"type": "stderr", "text": "warning\n"}]
    assert plain_output(events_) == "3/3 done\no!\nwarning"


def test_the_comparison_speaks_japanese(client: Client, settings: Any) -> None:
    a, b = shared("print(1)", [1.0]), shared("print(2)", [2.0])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"

    page = client.get(f"/compare/{a}/{b}").content.decode()
    assert "2 つの実行の比較" in page
    catalog = client.get("/jsi18n/").content.decode()
    assert all(json.dumps(text)[1:-1] in catalog for text in ("グラフを開く", "学習曲線"))
