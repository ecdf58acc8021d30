"""The workspace on its own, fed recorded events (tests/browser/fixtures, made by the real
instrumentation) on the stand-in page: what each view shows, that nothing a program prints can
become markup, and that a dropped socket loses and repeats nothing. The backend is a stand-in
here; test_play.py drives the same page against the real stack."""
from __future__ import annotations

import json
import re
from typing import Any, Literal
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Dialog, Page, Route, WebSocketRoute, expect

from tests.browser.pages import output_text, status, workspace
from tests.browser.standin import fixture, standin_server

pytestmark = pytest.mark.browser

MARKUP = ('<script>window.__pwned = "script"</script><img src=x onerror="window.__pwned=\'img\'">'
          '<b id="injected">bold</b>')


def replay(page: Page, name: str) -> dict[str, Any]:
    data = fixture(name)
    page.evaluate("""(data) => {
        const ws = document.getElementById('workspace').pgWorkspace;
        ws.setCode(data.code);
        ws.replay(data.events);
    }""", data)
    return data


def settled(page: Page) -> None:
    page.evaluate("() => document.getElementById('workspace').pgWorkspace.settled()")


def test_it_renders_keras_progress_bars_as_a_terminal(page: Page, standin: str, shot: Any) -> None:
    workspace(page, standin)
    replay(page, "keras_fit")
    expect(page.locator(".pg-status")).to_have_attribute("data-status", "succeeded")
    text = output_text(page)
    assert text.count("Epoch ") == 4
    # Each bar redrew itself in place (\r and \b): only the final 12/12 state is left.
    assert " 1/12" not in text
    assert text.count("12/12") == 4
    assert "\x1b" not in text and "\b" not in text
    expect(page.locator("[data-tab=training]")).to_be_visible()
    expect(page.locator("[data-tab=model]")).to_be_visible()
    expect(page.locator("[data-tab=graph]")).to_be_hidden()
    shot("keras-output")


def test_it_draws_training_curves_per_family(page: Page, standin: str, shot: Any) -> None:
    workspace(page, standin)
    replay(page, "keras_fit")
    page.click("[data-tab=training]")
    charts = page.locator(".pg-chart")
    expect(charts).to_have_count(2)
    loss = page.locator(".pg-chart[data-family=loss] .u-legend")
    expect(loss).to_contain_text("val_loss (epoch)")
    accuracy = page.locator(".pg-chart[data-family=accuracy] .u-legend")
    expect(accuracy).to_contain_text("accuracy (batch)")
    expect(page.locator(".pg-eval")).to_contain_text("Evaluation")
    # The orange training curve is really on the canvas.
    orange = page.evaluate("""() => {
        const canvas = document.querySelector('.pg-chart[data-family=loss] canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
            if (data[i] > 200 && data[i + 1] > 90 && data[i + 1] < 140 && data[i + 2] < 60) n++;
        }
        return n;
    }""")
    assert orange > 50
    shot("training")


def test_it_marks_the_error_line_and_jumps_to_it(page: Page, standin: str, shot: Any) -> None:
    workspace(page, standin)
    replay(page, "error")
    expect(page.locator(".pg-status")).to_have_attribute("data-status", "failed")
    expect(page.locator(".pg-error")).to_contain_text("ZeroDivisionError")
    expect(page.locator(".pg-cm-error-line")).to_have_attribute("data-pg-error-line", "5")
    page.click(".pg-line-link[data-line='9']")
    expect(page.locator(".pg-cm-error-line")).to_have_attribute("data-pg-error-line", "9")
    expect(page.locator(".pg-cm-error-line")).to_contain_text("print(scale([1, 2, 3], 0))")
    shot("error")


def test_it_draws_a_traced_graph_and_opens_a_branch(page: Page, standin: str, shot: Any) -> None:
    workspace(page, standin)
    replay(page, "cond")
    page.click("[data-tab=graph]")
    settled(page)
    expect(page.locator(".pg-graph-canvas canvas").first).to_be_visible()
    expect(page.locator(".pg-traces")).to_contain_text("new shape for x: float32[3] → float32[4]")
    expect(page.locator("[data-role=function-picker] option")).to_have_count(2)
    shot("graph")
    page.click(".pg-body-list [data-action=open-body][data-body^=cond_true]")
    settled(page)
    expect(page.locator(".pg-crumbs")).to_contain_text("cond › then_branch")
    # The branch's own ops are what can be found now.
    options = page.eval_on_selector_all(".pg-graph datalist option", "os => os.map(o => o.value)")
    assert "cond/Relu" in options and "cond/mul" in options, options
    shot("graph-branch")
    page.click(".pg-crumbs button")
    settled(page)
    expect(page.locator(".pg-crumbs")).not_to_contain_text("then_branch")


def test_it_shows_the_autograph_code(page: Page, standin: str) -> None:
    workspace(page, standin)
    replay(page, "cond")
    page.click("[data-tab=autograph]")
    code = page.locator(".pg-autograph-item .cm-content")
    expect(code).to_contain_text("def tf__step(x):")
    expect(code).to_contain_text("ag__.if_stmt")
    expect(code).to_have_attribute("aria-readonly", "true")


def test_it_draws_functional_and_subclassed_models(page: Page, standin: str, shot: Any) -> None:
    workspace(page, standin)
    replay(page, "models")
    page.click("[data-tab=model]")
    settled(page)
    expect(page.locator(".pg-model-summary")).to_contain_text("two_inputs")
    page.click(".pg-model-table summary")
    expect(page.locator(".pg-model-table tbody tr")).to_have_count(6)
    shot("functional-model")
    page.select_option(".pg-tabpanel-model select", "net")
    settled(page)
    expect(page.locator(".pg-model-summary")).to_contain_text("Net")
    expect(page.locator(".pg-tabpanel-model")).to_contain_text("subclassed model")
    expect(page.locator(".pg-model-table tbody")).to_contain_text("LayerNormalization")
    shot("subclassed-model")


def hostile_events() -> list[dict[str, Any]]:
    node = {"id": "scope/x", "op": MARKUP, "name": "scope/x", "scope": "scope", "device": MARKUP,
            "dtype": MARKUP, "shape": MARKUP, "attrs": {MARKUP: MARKUP}}
    events: list[dict[str, Any]] = [
        {"type": "status", "status": "running", "host": MARKUP, "device": MARKUP},
        {"type": "stdout", "text": MARKUP + "\n"},
        {"type": "stdout",
         "text": "\x1b]8;;javascript:window.__pwned='osc8'\x07click me\x1b]8;;\x07\n"},
        {"type": "stdout", "text": "\x1b]0;pwned title\x07\x1b[6n\x1b[?1049h after the codes\n"},
        {"type": "stderr", "text": MARKUP + "\n"},
        {"type": "truncated", "stream": MARKUP, "dropped_bytes": 2048},
        {"type": "trace", "function": MARKUP, "signature": MARKUP, "count": 2, "reason": MARKUP},
        {"type": "autograph", "function": MARKUP, "code": MARKUP},
        {"type": "graph", "function": MARKUP, "nodes": [node], "edges": [], "functions": [],
         "note": MARKUP},
        {"type": "model", "name": MARKUP, "class": MARKUP, "kind": "functional", "total_params": 1,
         "layers": [{"name": MARKUP, "class": MARKUP, "output_shape": MARKUP, "params": 1,
                     "inbound": []}]},
        {"type": "metrics", "phase": "train", "scope": "epoch", "epoch": 1, "step": 1,
         "logs": {MARKUP: 0.5}},
        {"type": "error", "exc_type": MARKUP, "message": MARKUP,
         "traceback": [{"line": 1, "name": MARKUP, "text": MARKUP}], "line": 1},
        {"type": "done", "status": "failed", "duration_ms": 5, "exit_code": 1},
    ]
    return [{"seq": i + 1, "t": i, **e} for i, e in enumerate(events)]


def test_printed_markup_stays_text_everywhere(page: Page, standin: str, shot: Any) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    workspace(page, standin)
    title = page.title()
    page.evaluate("(events) => document.getElementById('workspace').pgWorkspace.replay(events)",
                  hostile_events())
    for tab in ("autograph", "model", "training", "output", "graph"):
        page.click(f"[data-tab={tab}]")
        settled(page)
    page.fill(".pg-find", "scope/x")
    page.dispatch_event(".pg-find", "change")
    settled(page)
    expect(page.locator(".pg-graph-side")).to_contain_text("<script>")
    expect(page.locator(".pg-error")).to_contain_text("<img src=x onerror=")
    assert "<script>window.__pwned" in output_text(page)
    assert "click me" in output_text(page)
    injected = page.evaluate("""() => ({
        pwned: window.__pwned ?? null,
        nodes: document.querySelectorAll('#workspace img, #workspace script, #injected, '
                                         + '#workspace a[href^="javascript"]').length,
    })""")
    assert injected == {"pwned": None, "nodes": 0}
    assert dialogs == []
    assert page.title() == title
    page.click("[data-tab=output]")
    link = page.locator(".xterm-rows").get_by_text("click me").bounding_box()
    assert link
    page.mouse.click(link["x"] + 5, link["y"] + link["height"] / 2)
    assert dialogs == []
    shot("markup-as-text")


def test_it_reconnects_without_losing_or_repeating_output(
        page: Page, standin: str, shot: Any) -> None:
    events = fixture("keras_fit")["events"]
    sockets: list[str] = []

    def on_socket(ws: WebSocketRoute) -> None:
        sockets.append(ws.url)
        after = int(parse_qs(urlparse(ws.url).query)["after"][0])
        if len(sockets) == 1:
            for event in events[:9]:
                ws.send(json.dumps(event))
            ws.close(code=4000, reason="dropped")
            return
        # A server may resend the event it was cut on: the page must not show it twice.
        for event in events:
            if event["seq"] >= after:
                ws.send(json.dumps(event))
        ws.close()

    record = {"id": "r1", "status": "succeeded", "code": "", "events": events,
              "runtime": {"tensorflow": "2.21.0", "device": "cpu"}}
    page.route_web_socket(re.compile(r".*/ws/runs/r1.*"), on_socket)
    page.route(re.compile(r".*/api/runs$"), lambda route: route.fulfill(
        status=201, json={"id": "r1", "status": "queued", "ws": "/ws/runs/r1", "url": "/runs/r1"}))
    page.route(re.compile(r".*/api/runs/r1$"), lambda route: route.fulfill(json=record))
    workspace(page, standin)
    page.click("[data-action=run]")
    expect(page.locator(".pg-status")).to_have_attribute("data-status", "succeeded", timeout=10000)
    assert len(sockets) == 2
    assert sockets[1].endswith(f"after={events[8]['seq']}")
    live = output_text(page)
    page.evaluate("(e) => document.getElementById('workspace').pgWorkspace.replay(e)", events)
    assert live == output_text(page)
    assert live.count("Epoch 2/4") == 1
    shot("after-reconnect")


def test_it_shows_a_refused_run(page: Page, standin: str) -> None:
    def refuse(route: Route) -> None:
        route.fulfill(status=503, json={"error": {"code": "no_worker", "field": "device",
                                                   "message": "No worker serves GPU right now."}})

    page.route(re.compile(r".*/api/runs$"), refuse)
    workspace(page, standin)
    page.focus("[data-action=reset]")
    page.keyboard.press("Control+Enter")
    expect(page.locator(".pg-output-banners")).to_contain_text("No worker serves GPU right now.")
    assert status(page) == "rejected"


def test_it_greys_out_devices_without_workers(page: Page, standin: str) -> None:
    workspace(page, standin)
    expect(page.locator("select[name=device] option[value=gpu]")).to_be_disabled()
    expect(page.locator("select[name=device] option[value=cpu]")).to_be_enabled()
    expect(page.locator("select[name=device] option[value=tpu]")).to_contain_text("no worker")


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_it_follows_the_os_theme_and_toggles(
        page: Page, standin: str, shot: Any, scheme: Literal["dark", "light"]) -> None:
    page.emulate_media(color_scheme=scheme)
    workspace(page, standin)
    replay(page, "keras_fit")
    assert page.get_attribute("html", "data-theme") == scheme
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    shot(f"theme-{scheme}")
    page.click("[data-pg-theme-toggle]")
    other = "light" if scheme == "dark" else "dark"
    assert page.get_attribute("html", "data-theme") == other
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != background
    page.reload()
    page.wait_for_selector(".cm-content")
    assert page.get_attribute("html", "data-theme") == other


def test_it_stacks_the_tabs_under_the_editor_at_360_px(page: Page, standin: str, shot: Any) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.emulate_media(color_scheme="dark")
    workspace(page, standin)
    replay(page, "cond")
    editor = page.locator(".pg-ws-editor").bounding_box()
    results = page.locator(".pg-results").bounding_box()
    assert editor and results
    assert results["y"] >= editor["y"] + editor["height"] - 1
    assert results["width"] > 300
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    shot("narrow-output")
    page.click("[data-tab=graph]")
    settled(page)
    page.locator(".pg-results").scroll_into_view_if_needed()
    shot("narrow-graph")


CONCEPT = {
    "slug": "tf-function", "title": {"en": "tf.function", "ja": "tf.function"},
    "examples": [
        {"id": "first", "title": {"en": "First"}, "code": "print('first')\n"},
        {"id": "retrace", "title": {"en": "Retracing", "ja": "再トレース"},
         "code": "print('retrace')\n"},
    ],
}


def test_play_preloads_a_concept_example_and_keeps_edits(page: Page, shot: Any) -> None:
    page.route(re.compile(r".*/api/concepts/tf-function$"),
               lambda route: route.fulfill(json=CONCEPT))
    with standin_server({"concept": "tf-function", "example": "retrace", "code": ""}) as base:
        workspace(page, base)
        expect(page.locator(".cm-content")).to_have_text("print('retrace')")
        expect(page.locator("#pg-play-context")).to_contain_text("tf.function › Retracing")
        page.click(".cm-content")
        page.keyboard.press("Control+End")
        page.keyboard.insert_text("print('mine')")
        page.reload()
        page.wait_for_selector(".cm-content")
        expect(page.locator(".cm-content")).to_contain_text("print('mine')")
        shot("concept-example")
        page.click("[data-action=reset]")
        expect(page.locator(".cm-content")).to_have_text("print('retrace')")


def test_the_divider_and_tabs_work_from_the_keyboard(page: Page, standin: str) -> None:
    workspace(page, standin)
    replay(page, "cond")
    before = page.locator(".pg-ws-editor").bounding_box()
    page.focus(".pg-splitter")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".pg-splitter")).to_have_attribute("aria-valuenow", "60")
    after = page.locator(".pg-ws-editor").bounding_box()
    assert before and after and after["width"] > before["width"] + 50
    page.focus("[data-tab=output]")
    page.keyboard.press("ArrowRight")
    expect(page.locator("[data-tab=graph]")).to_have_attribute("aria-selected", "true")
    expect(page.locator("[data-tab=graph]")).to_be_focused()
    # The editor lets Tab indent; Escape then Tab leaves it.
    page.click(".cm-content")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !document.activeElement.closest('.cm-editor')")


def test_a_graph_sent_collapsed_says_so(page: Page, standin: str) -> None:
    def scope(name: str, count: int) -> dict[str, Any]:
        return {"id": name, "op": "scope", "name": name, "scope": "", "device": "", "dtype": None,
                "shape": None, "attrs": {"ops": count, "op_types": {"MatMul": count}},
                "count": count}

    graph = {"seq": 1, "t": 0, "type": "graph", "function": "big", "collapsed": True,
             "note": "12000 ops over the 2 MiB cap: shown by top-level name scope.",
             "nodes": [scope("encoder", 7000), scope("decoder", 5000)],
             "edges": [{"source": "encoder", "target": "decoder", "tensor": None,
                        "control": False, "count": 40}],
             "functions": []}
    workspace(page, standin)
    page.evaluate("(e) => document.getElementById('workspace').pgWorkspace.replay(e)", [graph])
    page.click("[data-tab=graph]")
    settled(page)
    expect(page.locator(".pg-graph-note")).to_have_text(graph["note"])
    expect(page.locator(".pg-legend")).to_contain_text("name scopes (collapsed)")
