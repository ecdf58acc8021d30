"""How TensorFlow ran the code, on the stand-in page fed recorded events (tests/browser/fixtures,
made by the real instrumentation): ops linked to their lines both ways, the AutoGraph tab's line
map, tensor types on edges, an input's trace signature, a figure in the output, and a
compare_eager run's two passes. test_run_insights_live.py runs the same against the real stack."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import output_text, workspace
from tests.browser.standin import fixture

pytestmark = pytest.mark.browser

IF_LINE, THEN_LINE, LOOP_LINE = 6, 7, 11  # in fixtures/cond.json's code


def replay(page: Page, name: str) -> None:
    page.evaluate("""(data) => {
        const ws = document.getElementById('workspace').pgWorkspace;
        ws.setCode(data.code);
        ws.replay(data.events);
    }""", fixture(name))


def settled(page: Page) -> None:
    page.evaluate("() => document.getElementById('workspace').pgWorkspace.settled()")


def graph_view(page: Page, call: str, *args: Any) -> Any:
    return page.evaluate(
        f"(args) => document.getElementById('workspace').pgWorkspace.graphView().{call}(...args)",
        list(args))


def put_cursor_on(page: Page, line: int) -> None:
    page.locator(".pg-editor-host .cm-line").nth(line - 1).click()


def source_line(page: Page) -> Any:
    return page.locator(".pg-editor-host .pg-cm-source-line")


@pytest.fixture
def graph(page: Page, standin: str) -> Page:
    workspace(page, standin)
    replay(page, "cond")
    page.click("[data-tab=graph]")
    settled(page)
    return page


def test_clicking_the_if_node_marks_the_if_line(graph: Page, shot: Any) -> None:
    where = graph_view(graph, "positionOf", "cond")
    graph.mouse.click(where["x"], where["y"])

    expect(source_line(graph)).to_have_attribute("data-pg-source-line", str(IF_LINE))
    expect(source_line(graph)).to_contain_text("if tf.reduce_sum(x) > 0:")
    shot("if-node-marks-its-line")


def test_the_cursor_on_the_loop_line_highlights_the_while_node(graph: Page, shot: Any) -> None:
    put_cursor_on(graph, LOOP_LINE)

    graph.wait_for_function("() => document.getElementById('workspace').pgWorkspace"
                            ".graphView().highlighted().includes('while')")
    assert "cond" not in graph_view(graph, "highlighted")
    shot("loop-line-highlights-while")


def test_the_cursor_on_a_branch_line_opens_the_branch(graph: Page) -> None:
    put_cursor_on(graph, THEN_LINE)

    expect(graph.locator(".pg-crumbs")).to_contain_text("cond › then_branch")
    graph.wait_for_function("() => document.getElementById('workspace').pgWorkspace"
                            ".graphView().highlighted().includes('cond/Relu')")
    # Edited code has other line numbers: the graph lets go of the line.
    graph.keyboard.type("# a comment ")
    graph.wait_for_function("() => !document.getElementById('workspace').pgWorkspace"
                            ".graphView().highlighted().length")


def test_edges_show_their_tensor_types(graph: Page, shot: Any) -> None:
    assert graph_view(graph, "edgeTypes") == []

    graph.check("[data-action=edge-types]")

    types = graph_view(graph, "edgeTypes")
    assert "float32[3]" in types and "bool[]" in types, types
    shot("edge-types")


def test_an_edge_known_only_at_run_time_says_so(page: Page, standin: str) -> None:
    workspace(page, standin)
    node = {"scope": "", "device": "", "attrs": {}, "dtype": "float32", "shape": [None, 4]}
    event = {"seq": 1, "t": 0, "type": "graph", "function": "norm", "functions": [],
             "nodes": [{**node, "id": "x", "name": "x", "op": "Placeholder"},
                       {**node, "id": "mul", "name": "mul", "op": "Mul"}],
             "edges": [{"source": "x", "target": "mul", "tensor": "x:0", "control": False,
                        "dtype": "float32", "shape": [None, 4]}]}
    page.evaluate("(e) => document.getElementById('workspace').pgWorkspace.replay(e)", [event])
    page.click("[data-tab=graph]")
    settled(page)
    page.check("[data-action=edge-types]")

    assert graph_view(page, "edgeTypes") == ["float32[None,4]"]
    a, b = graph_view(page, "positionOf", "x"), graph_view(page, "positionOf", "mul")
    page.mouse.move((a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2)
    expect(page.locator(".pg-graph-tip")).to_contain_text("known only at run time")


def test_hovering_an_input_shows_its_trace_and_what_changed(graph: Page, shot: Any) -> None:
    graph.select_option("[data-role=function-picker]", "1")  # the retrace for float32[4]
    settled(graph)

    where = graph_view(graph, "positionOf", "x")
    graph.mouse.move(where["x"], where["y"])

    tip = graph.locator(".pg-graph-tip")
    expect(tip).to_contain_text("Traced for (x: float32[4])")
    expect(tip).to_contain_text("new shape for x: float32[3] → float32[4]")
    shot("input-trace-signature")


def test_the_autograph_tab_links_back_to_the_source(page: Page, standin: str, shot: Any) -> None:
    page.set_viewport_size({"width": 1400, "height": 1800})  # the whole listing drawn
    workspace(page, standin)
    replay(page, "cond")
    page.click("[data-tab=autograph]")
    generated = page.locator(".pg-autograph-item .cm-line")
    expect(generated.first).to_be_visible()

    generated.filter(has_text="ag__.if_stmt(").click()

    expect(source_line(page)).to_have_attribute("data-pg-source-line", str(IF_LINE))
    # And back: the editor's loop line marks the generated lines that came from it.
    put_cursor_on(page, LOOP_LINE)
    marked = page.locator(".pg-autograph-item .pg-cm-source-line")
    expect(marked.filter(has_text="ag__.for_stmt(")).to_have_count(1)
    assert all("ag__.if_stmt" not in text for text in marked.all_inner_texts())
    shot("autograph-links")


def figure_drawn(page: Page) -> None:
    """A figure in the output is drawn (the rows of it on screen), and it is a plot (many
    colours), not a blank box."""
    expect(page.locator("canvas.pg-figure[data-drawn='true'] >> visible=true").first).to_be_visible(
        timeout=10_000)
    colours = page.evaluate("""() => {
        const seen = new Set();
        for (const c of document.querySelectorAll('canvas.pg-figure[data-drawn]')) {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 0; i < d.length; i += 4 * 7) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]}`);
        }
        return seen.size;
    }""")
    assert colours > 8, colours


def test_a_figure_shows_in_the_output_where_it_was_shown(page: Page, standin: str,
                                                        shot: Any) -> None:
    workspace(page, standin)
    replay(page, "figure")

    figure_drawn(page)
    text = output_text(page)
    assert text.index("before the figure") < text.index("[Figure 1]") < text.index(
        "after the figure")
    shot("figure-in-output")


def test_compare_eager_shows_both_passes_and_each_functions_speed_up(
        page: Page, standin: str, shot: Any) -> None:
    workspace(page, standin)
    replay(page, "compare")

    page.click("[data-tab=timing]")
    expect(page.locator("[data-wall=graph]")).to_contain_text("Wall time")
    expect(page.locator("[data-wall=eager]")).to_contain_text("Wall time")
    expect(page.locator(".pg-compare-col[data-pass=graph] pre")).to_have_text("done as graphs\n")
    expect(page.locator(".pg-compare-col[data-pass=eager] pre")).to_have_text("done eagerly\n")
    expect(page.locator("tr[data-function=tiny] [data-col=speedup]")).to_contain_text(
        "slower as a graph")
    expect(page.locator("tr[data-function=heavy] [data-col=speedup]")).to_contain_text(
        "faster as a graph")
    expect(page.locator("[data-note=slower]")).to_contain_text("fixed cost")
    # The run's own views show the first pass only.
    assert "eagerly" not in output_text(page)
    shot("compare-eager")
