"""The Data and Replicas tabs on the stand-in page, fed events recorded by the real
instrumentation (tests/browser/fixtures/data_*.json, made by make_data_events.py)."""
from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import workspace
from tests.browser.standin import fixture

pytestmark = pytest.mark.browser


def replay(page: Page, name: str) -> dict[str, Any]:
    data = fixture(name)
    page.evaluate("""(data) => {
        const ws = document.getElementById('workspace').pgWorkspace;
        ws.setCode(data.code);
        ws.replay(data.events);
    }""", data)
    return data


def painted(page: Page, selector: str) -> int:
    """How many canvases under `selector` hold pixels that are not all one colour."""
    return int(page.evaluate("""(selector) =>
        [...document.querySelectorAll(selector)].filter((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 4; i < d.length; i += 4) if (d[i] !== d[0]) return true;
        return false;
    }).length""", selector))


def test_a_pipeline_shows_its_stages_specs_thumbnails_and_throughput(
        page: Page, standin: str, shot: Any) -> None:
    workspace(page, standin)
    replay(page, "data_pipeline")
    page.click("[data-tab=data]")

    stages = page.locator("[data-pipeline='1'] .pg-data-stage")
    expect(stages).to_have_count(5)
    assert stages.evaluate_all("(s) => s.map((x) => x.dataset.stageOp)") == [
        "from_tensor_slices", "map", "shuffle", "batch", "prefetch"]
    expect(stages.nth(1).locator("[data-arg=num_parallel_calls]")).to_have_text(
        "num_parallel_calls=AUTOTUNE")
    expect(stages.nth(3).locator(".pg-data-spec")).to_have_text("(float32[?,28,28], int64[?])")
    expect(page.locator("[data-pipeline='1'] .pg-data-throughput")).to_contain_text("examples/s")
    expect(page.locator(".pg-data-preview tbody tr")).to_have_count(8)
    assert painted(page, ".pg-data-preview canvas.pg-thumb") == 8
    grids = page.locator(".pg-data-augment")
    expect(grids).to_have_count(2)
    assert painted(page, ".pg-data-augment[data-augment=layer] canvas") == 8
    shot("data-tab")


def test_a_stage_marks_its_line_and_opens_its_map_graph(page: Page, standin: str) -> None:
    workspace(page, standin)
    replay(page, "data_pipeline")
    page.click("[data-tab=data]")

    page.locator("[data-pipeline='1'] .pg-data-stage").nth(1).locator("[data-graph]").click()
    expect(page.locator("[data-tab=graph]")).to_have_attribute("aria-selected", "true")
    picker = page.locator("[data-role=function-picker]")
    assert picker.evaluate("(p) => p.options[p.selectedIndex].text").startswith("map: normalise")


def test_a_mirrored_step_shows_two_replicas_and_the_all_reduce(
        page: Page, standin: str, shot: Any) -> None:
    workspace(page, standin)
    replay(page, "data_mirrored")
    page.click("[data-tab=replicas]")

    card = page.locator("[data-strategy=MirroredStrategy]")
    expect(card.locator("tbody tr")).to_have_count(2)
    expect(card).to_contain_text("CPU:1")
    run = page.locator("[data-site=run]")
    expect(run.locator(".pg-replicas-split")).to_have_text(
        "Global batch 16 = 8 + 8 (one part per replica)")
    diagram = run.locator("svg.pg-allreduce")
    expect(diagram.locator("[data-replica]")).to_have_count(2)
    expect(diagram.locator("[data-reduced]")).to_contain_text("all-reduce (SUM)")
    expect(run.locator(".pg-replicas-values tbody tr")).to_have_count(2)
    run.locator("[data-role=step-picker]").select_option("1")
    expect(run.locator("[data-role=step-picker]")).to_have_value("1")
    expect(page.locator("[data-site=reduce] svg [data-reduced]")).to_contain_text("strategy.reduce")
    shot("replicas-tab")


def test_a_missing_tpu_says_why_and_what_it_would_have_distributed(
        page: Page, standin: str) -> None:
    workspace(page, standin)
    replay(page, "data_tpu")
    page.click("[data-tab=replicas]")

    notice = page.locator("[data-fallback=TPUStrategy]")
    expect(notice).to_contain_text("Please provide a TPU Name to connect to.")
    expect(notice).to_contain_text("A global batch of 64 would have been split 8 ways: 8 per core.")
    expect(notice).to_contain_text("This run used MirroredStrategy instead.")
    expect(page.locator("[data-site=fit] .pg-replicas-split")).to_have_text(
        "Global batch 64 = 32 + 32 (one part per replica)")
