"""Downloads of a run and of a share as a notebook or a script, and where their routes live."""
from __future__ import annotations

import json
import types

import pytest
from django.test import Client
from django.urls import resolve

from playground import urls
from playground.runs import api as run_api
from playground.runs.models import Run
from playground.shares import api as share_api
from playground.shares.actions import share_run

pytestmark = pytest.mark.django_db

DONE = [{"seq": 1, "type": "stdout", "t": 1, "text": "hi\n"},
        {"seq": 2, "type": "done", "t": 2, "status": "succeeded", "duration_ms": 2,
         "exit_code": 0}]


def own_run(client: Client) -> Run:
    client.get("/api/session")
    return Run.objects.create(session_key=client.session.session_key, code="print('hi')",
                              status="succeeded", events=DONE)


def test_it_downloads_an_own_run_and_nobody_elses(client: Client) -> None:
    run = own_run(client)
    notebook = client.get(f"/api/runs/{run.id}.ipynb")
    assert notebook.status_code == 200
    assert notebook["Content-Type"] == "application/x-ipynb+json"
    assert "".join(json.loads(notebook.content)["cells"][1]["source"]) == "print('hi')"
    script = client.get(f"/api/runs/{run.id}.py")
    assert script["Content-Disposition"] == f'attachment; filename="tf-playground-{run.id[:8]}.py"'
    assert script.content.decode().endswith("print('hi')\n")
    stranger = Client().get(f"/api/runs/{run.id}.py")
    assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"


def test_anyone_downloads_a_share(client: Client) -> None:
    share, _ = share_run(own_run(client))
    answer = Client().get(f"/api/shares/{share.slug}.py")
    assert answer.status_code == 200 and "print('hi')" in answer.content.decode()
    missing = Client().get("/api/shares/nope.ipynb")
    assert missing.status_code == 404 and "'nope'" in missing.json()["error"]["message"]


@pytest.mark.parametrize("path, view", [
    ("/api/runs/abc-_1", run_api.get_run), ("/api/runs/abc-_1.ipynb", run_api.export_run),
    ("/api/runs/abc-_1.py", run_api.export_run), ("/api/runs/abc/share", share_api.create_share),
    ("/api/shares/abc", share_api.get_share), ("/api/shares/abc.py", share_api.export_share),
])
def test_each_route_is_its_apps_whatever_the_include_order(path: str, view: object) -> None:
    reversed_urls = types.ModuleType("reversed_urls")
    reversed_urls.urlpatterns = list(reversed(urls.urlpatterns))  # type: ignore[attr-defined]
    assert resolve(path).func is view
    assert resolve(path, urlconf=reversed_urls).func is view


def test_a_dotted_run_id_is_no_route(client: Client) -> None:
    answer = client.get("/api/runs/a.b")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("traceback", [[1], [{}], ["x"], [{"line": "2", "name": None}]])
def test_a_stored_record_with_a_malformed_error_still_exports_and_shows(client: Client,
                                                                        traceback) -> None:
    """Records stored before the supervisor cleaned error events, or edited by hand."""
    run = own_run(client)
    # (A lone surrogate cannot be stored at all on PostgreSQL; the contract cleans it before.)
    bad = {"seq": 2, "type": "error", "t": 1, "exc_type": "E", "message": "m <b>x</b>",
           "traceback": traceback, "line": None}
    Run.objects.filter(id=run.id).update(events=[DONE[0], bad, {**DONE[1], "seq": 3}],
                                         concept="<img src=x onerror=alert(1)>")
    notebook = client.get(f"/api/runs/{run.id}.ipynb")
    assert notebook.status_code == 200
    cells = json.loads(notebook.content)["cells"]
    assert "<img" not in "".join(cells[0]["source"])
    (error,) = [o for o in cells[1]["outputs"] if o["output_type"] == "error"]
    assert error["ename"] == "E"
    slug = client.post(f"/api/runs/{run.id}/share").json()["slug"]
    assert client.get(f"/s/{slug}").status_code == 200
    assert client.get(f"/api/shares/{slug}.ipynb").status_code == 200


PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAAB"
       "JRU5ErkJggg==")


def test_figures_become_display_data_where_they_were_shown(client: Client) -> None:
    import nbformat

    run = own_run(client)
    image = {"seq": 2, "type": "image", "t": 1, "mime": "image/png", "data": PNG, "width": 1,
             "height": 1, "label": "Figure 1", "source": "show", "line": 3}
    dropped = {"seq": 4, "type": "image", "t": 1, "mime": "image/png", "data": "",
               "label": "Figure 2", "note": "Figure 2 is too large."}
    eager = {"seq": 5, "type": "stdout", "t": 1, "text": "eager pass\n", "pass": "eager"}
    after = {"seq": 3, "type": "stdout", "t": 1, "text": "after\n"}
    Run.objects.filter(id=run.id).update(events=[DONE[0], image, after, dropped, eager,
                                                 {**DONE[1], "seq": 6}])

    notebook = nbformat.reads(client.get(f"/api/runs/{run.id}.ipynb").content.decode(), 4)

    nbformat.validate(notebook)
    outputs = notebook.cells[1].outputs
    assert [o["output_type"] for o in outputs] == ["stream", "display_data", "stream",
                                                   "display_data"]
    assert outputs[1]["data"]["image/png"] == PNG
    assert outputs[1]["data"]["text/plain"] == "<Figure 1 (1×1)>"
    assert outputs[3]["data"] == {"text/plain": "Figure 2 is too large."}
    assert "eager pass" not in json.dumps(notebook)
