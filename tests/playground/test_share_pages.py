"""The share pages from the database alone (no worker, no stream): /s/<slug>, its embed view,
link-preview tags, framing rules, the 404 page and the Japanese interface."""
from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from playground.concepts.models import Concept
from playground.runs.models import Run
from playground.shares.actions import share_run
from playground.shares.models import Share

pytestmark = pytest.mark.django_db

CODE = '''import tensorflow as tf

# Fit a line, then divide by zero on purpose.
x = tf.constant([1.0, 2.0, 3.0])
print("<script>alert(1)</script>")
print(x / 0)
'''
RUNTIME = {"tensorflow": "2.21.0", "keras": "3.15.1", "python": "3.11.7", "device": "cpu",
           "host": "worker-7", "sandbox": "jail"}


def events(stdout: list[str], error: dict[str, Any] | None, status: str) -> list[dict[str, Any]]:
    made: list[dict[str, Any]] = [
        {"type": "status", "status": "queued"},
        {"type": "status", "status": "running", "host": "worker-7", "device": "cpu",
         "runtime": RUNTIME},
        *({"type": "stdout", "text": text} for text in stdout),
        {"type": "graph", "function": "step", "functions": [],
         "nodes": [{"id": "x", "op": "Placeholder", "name": "x", "scope": "", "device": "",
                    "dtype": "float32", "shape": "(3,)", "attrs": {}},
                   {"id": "mul", "op": "Mul", "name": "mul", "scope": "", "device": "",
                    "dtype": "float32", "shape": "(3,)", "attrs": {}}],
         "edges": [{"source": "x", "target": "mul", "tensor": "x:0", "control": False}]},
        *([error] if error else []),
        {"type": "resources", "rss_mb": 402.0, "cpu_s": 1.4},
        {"type": "done", "status": status, "duration_ms": 1234, "exit_code": 1 if error else 0},
    ]
    for seq, event in enumerate(made, start=1):
        event.update(seq=seq, t=seq * 10)
    return made


def make_share(code: str = CODE, concept: str = "", failed: bool = True,
               stdout: list[str] | None = None) -> Share:
    error = {"type": "error", "exc_type": "ZeroDivisionError", "message": "division by zero",
             "traceback": [{"line": 6, "name": "<module>", "text": "print(x / 0)"}], "line": 6}
    progress = ["1/3 [=====>....] - loss: 0.90\r", "2/3 [========>.] - loss: 0.50\r",
                "3/3 [==========] - loss: 0.20\n", "<script>alert(1)</script>\n"]
    status = "failed" if failed else "succeeded"
    run = Run.objects.create(session_key="owner-session", code=code, device="cpu",
                             concept=concept, status=status, duration_ms=1234,
                             exit_code=1 if failed else 0, runtime=RUNTIME,
                             events=events(progress if stdout is None else stdout,
                                           error if failed else None, status))
    share, created = share_run(run)
    assert created
    return share


def meta(page: str, key: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', page)
    assert found, f"no {key} meta tag"
    return html.unescape(found.group(1))


def page_data(page: str) -> dict[str, Any]:
    found = re.search(r'<script id="pg-share-data" type="application/json">(.*?)</script>',
                      page, re.S)
    assert found
    return dict(json.loads(found.group(1)))


def test_it_shows_a_shared_run_with_link_preview_tags(client: Client) -> None:
    share = make_share()
    answer = client.get(f"/s/{share.slug}")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert meta(page, "og:title") == "Fit a line, then divide by zero on purpose."
    summary = meta(page, "og:description")
    assert summary.startswith("Failed in 1.2 s: ZeroDivisionError: division by zero (line 6)")
    assert meta(page, "twitter:card") == "summary"
    assert meta(page, "twitter:description") == summary
    assert meta(page, "og:url") == f"http://testserver/s/{share.slug}"
    # What produced it, in the page itself and not only after the script ran.
    for fact in ("2.21.0", "3.15.1", "3.11.7", "CPU", "worker-7", "Eager", "1.2 s"):
        assert f"<dd>{fact}</dd>" in page, fact
    assert f'href="/api/shares/{share.slug}.ipynb"' in page
    assert f'href="/api/shares/{share.slug}.py"' in page
    assert 'data-action="open-in-editor"' in page


def test_the_page_carries_the_frozen_record_for_the_replay(client: Client) -> None:
    share = make_share()
    data = page_data(client.get(f"/s/{share.slug}").content.decode())
    record = data["record"]
    assert record == {**share.record, "shared": share.created.isoformat()}
    kinds = [e["type"] for e in record["events"]]
    assert {"stdout", "graph", "error", "done"} <= set(kinds)
    assert "\r" in record["events"][2]["text"]


def test_printed_markup_stays_text(client: Client) -> None:
    share = make_share()
    page = client.get(f"/s/{share.slug}").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the code, shown as text
    assert page_data(page)["record"]["code"] == CODE


def test_the_summary_is_the_first_line_a_terminal_would_show(client: Client) -> None:
    share = make_share(code="import tensorflow as tf\n\nprint(tf.constant(3))\n", failed=False)
    page = client.get(f"/s/{share.slug}").content.decode()
    assert meta(page, "og:title") == "print(tf.constant(3))"
    assert meta(page, "og:description") == "Succeeded in 1.2 s: 3/3 [==========] - loss: 0.20"


def test_a_silent_run_says_so(client: Client) -> None:
    share = make_share(code="x = 1\n", failed=False, stdout=[])
    page = client.get(f"/s/{share.slug}").content.decode()
    assert meta(page, "og:description") == "Succeeded in 1.2 s: no output"


def test_a_concept_run_is_titled_by_its_concept(client: Client) -> None:
    Concept.objects.create(slug="tensor", order=1, title_en="Tensors", title_ja="テンソル",
                           summary_en="", summary_ja="", definition_en="", definition_ja="",
                           explanation_en="", explanation_ja="", uses_en="", uses_ja="")
    share = make_share(concept="tensor")
    page = client.get(f"/s/{share.slug}").content.decode()
    assert meta(page, "og:title") == "Tensors"
    assert "<title>Tensors · TensorFlow Playground</title>" in page


def test_only_the_embed_view_may_be_framed(client: Client) -> None:
    share = make_share()
    full = client.get(f"/s/{share.slug}")
    embed = client.get(f"/s/{share.slug}?embed=1")
    assert full.headers["X-Frame-Options"] == "DENY"
    assert embed.status_code == 200
    assert "X-Frame-Options" not in embed.headers
    page = embed.content.decode()
    assert 'class="pg-share-embed"' in page
    assert f'href="http://testserver/s/{share.slug}" target="_blank"' in page
    assert page_data(page)["embed"] is True
    assert meta(page, "og:title") == "Fit a line, then divide by zero on purpose."
    # The site's own pages keep refusing frames.
    for path in ("/play", "/s/unknown-slug", f"/api/shares/{share.slug}"):
        assert client.get(path).headers.get("X-Frame-Options") == "DENY", path


def test_an_unknown_slug_is_a_404_page(client: Client) -> None:
    answer = client.get("/s/AAAAAAAAAAAAAAAAAAAAAA")
    assert answer.status_code == 404
    assert "Shared run not found" in answer.content.decode()
    embed = client.get("/s/AAAAAAAAAAAAAAAAAAAAAA?embed=1")
    assert embed.status_code == 404
    assert "X-Frame-Options" not in embed.headers
    assert client.get("/s/" + "x" * 500).status_code == 404


def test_the_share_outlives_its_run(client: Client) -> None:
    share = make_share()
    Run.objects.all().delete()
    page = client.get(f"/s/{share.slug}").content.decode()
    assert "ZeroDivisionError" in meta(page, "og:description")
    assert page_data(page)["record"]["code"] == CODE


def test_it_speaks_japanese(client: Client) -> None:
    share = make_share()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    page = client.get(f"/s/{share.slug}").content.decode()
    assert '<html lang="ja"' in page
    for text in ("共有された実行", "エディタで開く", "ノートブックをダウンロード", "失敗"):
        assert text in page, text
    assert meta(page, "og:description").startswith("失敗")
    missing = client.get("/s/AAAAAAAAAAAAAAAAAAAAAA").content.decode()
    assert "共有された実行が見つかりません" in missing


def test_the_page_only_answers_reads(client: Client) -> None:
    share = make_share()
    assert client.head(f"/s/{share.slug}").status_code == 200
    assert client.post(f"/s/{share.slug}").status_code == 405
