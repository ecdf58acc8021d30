"""Data, distribution and comparison against the real stack: a Fashion-MNIST pipeline's
stages, thumbnails and throughput in the Data tab; a MirroredStrategy custom step's two
replicas and all-reduce in the Replicas tab; two share links compared, loss curves overlaid."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from scripts.stack import Stack
from tests.browser.pages import set_code, workspace
from tests.live import LiveClient
from tests.trainer.test_sandbox_data_views import FASHION, MIRRORED

pytestmark = pytest.mark.browser

RUN_TIMEOUT = 90_000

FIT = """import numpy as np
import keras

keras.utils.set_random_seed(0)
x = np.random.default_rng(0).normal(size=(256, 4)).astype("float32")
y = (x.sum(axis=1) > 0).astype("float32")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(keras.optimizers.SGD(LEARNING_RATE), "binary_crossentropy")
model.fit(x, y, epochs=4, batch_size=32, verbose=0)
print("done")
"""


def run_in_page(page: Page, base: str, code: str) -> None:
    workspace(page, base)
    set_code(page, code)
    page.click("[data-action=run]")
    expect(page.locator(".pg-status")).to_have_attribute("data-status", "succeeded",
                                                         timeout=RUN_TIMEOUT)


def test_the_data_tab_shows_a_fashion_mnist_pipeline(page: Page, live_stack: Stack,
                                                     shot: Any) -> None:
    run_in_page(page, live_stack.url, FASHION)
    page.click("[data-tab=data]")

    stages = page.locator("[data-pipeline='1'] .pg-data-stage")
    expect(stages).to_have_count(5)
    assert stages.evaluate_all("(s) => s.map((x) => x.dataset.stageKind)") == [
        "source", "map", "shuffle", "batch", "prefetch"]
    specs = page.locator("[data-pipeline='1'] .pg-data-spec").all_text_contents()
    assert specs == ["(uint8[28,28], uint8[])", "(float32[28,28], uint8[])",
                     "(float32[28,28], uint8[])", "(float32[?,28,28], uint8[?])",
                     "(float32[?,28,28], uint8[?])"]
    expect(page.locator(".pg-data-preview canvas.pg-thumb")).to_have_count(8)
    expect(page.locator("[data-pipeline='1'] [data-throughput]")).to_contain_text("examples/s")
    shot("fashion-pipeline")


def test_the_replicas_tab_shows_two_replicas_and_the_all_reduce(page: Page, live_stack: Stack,
                                                                shot: Any) -> None:
    run_in_page(page, live_stack.url, MIRRORED)
    page.click("[data-tab=replicas]")

    expect(page.locator("[data-strategy=MirroredStrategy] tbody tr")).to_have_count(2)
    run = page.locator("[data-site=run]")
    expect(run.locator("svg.pg-allreduce [data-replica]")).to_have_count(2)
    expect(run.locator("svg.pg-allreduce [data-reduced]")).to_contain_text("all-reduce (SUM)")
    expect(run.locator(".pg-replicas-split")).to_have_text(
        "Global batch 16 = 8 + 8 (one part per replica)")
    shot("mirrored-replicas")


@pytest.fixture(scope="module")
def owner(live_stack: Stack) -> Iterator[LiveClient]:
    client = LiveClient(live_stack.url)
    yield client
    client.close()


def shared_fit(owner: LiveClient, rate: str) -> str:
    record = owner.run(FIT.replace("LEARNING_RATE", rate))
    assert record["status"] == "succeeded", record["events"][-3:]
    answer = owner.post(f"/api/runs/{record['id']}/share")
    assert answer.status_code == 201, answer.text
    return str(answer.json()["slug"])


def colour_pixels(page: Page, selector: str, rgb: tuple[int, int, int]) -> int:
    return int(page.evaluate("""([selector, rgb]) => {
        const canvas = document.querySelector(selector);
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
            if (Math.abs(d[i] - rgb[0]) < 40 && Math.abs(d[i + 1] - rgb[1]) < 40
                && Math.abs(d[i + 2] - rgb[2]) < 40) n++;
        }
        return n;
    }""", [selector, list(rgb)]))


def test_two_share_links_compared_overlay_their_loss_curves(
        owner: LiveClient, browser: Browser, live_stack: Stack, output_path: str) -> None:
    a, b = shared_fit(owner, "0.05"), shared_fit(owner, "0.5")
    context = browser.new_context(base_url=live_stack.url, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.add_init_script("""window.__violations = [];
        document.addEventListener('securitypolicyviolation',
            (e) => window.__violations.push(e.violatedDirective));""")
    try:
        page.goto(f"/compare/{a}/{b}")
        expect(page.locator("#pg-compare")).to_have_attribute("data-ready", "true")
        chart = page.locator(".pg-compare-chart[data-metric=loss]")
        expect(chart.locator(".u-legend")).to_contain_text("A: loss")
        expect(chart.locator(".u-legend")).to_contain_text("B: loss")
        canvas = ".pg-compare-chart[data-metric=loss] canvas"
        assert colour_pixels(page, canvas, (0xE8, 0x71, 0x0A)) > 30
        assert colour_pixels(page, canvas, (0x2F, 0x6F, 0xDB)) > 30
        expect(page.locator("[data-diff-summary=code]")).to_have_text("1 line(s) differ")
        expect(page.locator(".pg-diff[data-diff=code] tr[data-kind=change]")).to_contain_text(
            "SGD(0.05)")
        expect(page.locator("[data-section=runtime]")).to_contain_text("2.21")
        assert page.evaluate("window.__violations") == []  # the page keeps to its CSP
        page.screenshot(path=f"{output_path}/compare.png", full_page=True)
    finally:
        context.close()


def test_compare_with_from_a_run_page_picks_one_of_ones_runs(page: Page,
                                                             live_stack: Stack) -> None:
    run_in_page(page, live_stack.url, 'print("first")\n')
    first = page.get_attribute(".pg-run-link", "href")
    run_in_page(page, live_stack.url, 'print("second")\n')
    second = page.get_attribute(".pg-run-link", "href")
    assert first and second
    page.goto(live_stack.url + second)
    page.click("[data-action=compare]")
    page.click(f"[data-compare-run='{first.rsplit('/', 1)[-1]}']")
    expect(page.locator("#pg-compare")).to_have_attribute("data-ready", "true")
    expect(page.locator(".pg-diff[data-diff=output] tr[data-kind=change]")).to_contain_text(
        "second")
    expect(page.locator("[data-action=share-both]")).to_be_visible()
