"""The public run contract against a live stack: events, replay, bad input, privacy, shares."""
from __future__ import annotations

import pytest
from websockets.exceptions import InvalidStatus

from tests.live import LiveClient

pytestmark = pytest.mark.sandbox


def test_print_hi_streams_status_stdout_done_in_order(live_client: LiveClient):
    run = live_client.start('print("hi")')
    assert run["ws"] == f"/ws/runs/{run['id']}" and run["url"] == f"/runs/{run['id']}"
    events = live_client.follow(run["id"])
    # The last `resources` is the run's peak: a short run reports its memory and CPU too.
    assert [e["type"] for e in events] == ["status", "stdout", "resources", "done"]
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert events[1]["text"] == "hi\n" and events[3]["status"] == "succeeded"
    assert all(isinstance(e["t"], int) for e in events)


def test_reconnect_with_after_loses_nothing_and_repeats_nothing(live_client: LiveClient):
    run = live_client.start("import time\nfor i in range(5):\n    print(i, flush=True)\n"
                            "    time.sleep(0.2)\n")
    first = live_client.events(run["id"], limit=3)
    rest = live_client.follow(run["id"], after=first[-1]["seq"])
    seqs = [e["seq"] for e in first + rest]
    assert seqs == list(range(1, len(seqs) + 1))
    text = "".join(e["text"] for e in first + rest if e["type"] == "stdout")
    assert text == "0\n1\n2\n3\n4\n"
    # After the end, the stored copy replays the same events.
    assert live_client.follow(run["id"], after=0) == first + rest


def test_record_is_persisted_with_runtime(live_client: LiveClient):
    record = live_client.run("print(6 * 7)", seed=3)
    assert record["status"] == "succeeded" and record["seed"] == 3
    assert record["runtime"]["tensorflow"].startswith("2.")
    assert record["runtime"]["device"] == "cpu" and record["runtime"]["python"]
    assert record["finished"] and record["duration_ms"] is not None


@pytest.mark.parametrize("body, status, field", [
    (b"{not json", 400, None),
    (b"[1, 2]", 400, None),
    (b'{"mode": "eager"}', 400, "code"),
    (b'{"code": 5}', 400, "code"),
    (b'{"code": "1", "mode": "turbo"}', 400, "mode"),
    (b'{"code": "1", "device": "quantum"}', 400, "device"),
    (b'{"code": "1", "seed": "x"}', 400, "seed"),
    (b'{"code": "1", "device": "gpu"}', 503, "device"),
    (b'{"code": "1", "device": "tpu"}', 503, "device"),
])
def test_bad_input_gets_a_json_error(live_client: LiveClient, body, status, field):
    answer = live_client.post("/api/runs", raw=body)
    assert answer.status_code == status
    error = answer.json()["error"]
    assert error["message"] and error.get("field") == field


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 2 * 1024 * 1024, 3 * 1024 * 1024])
def test_too_much_code_is_413_json(live_client: LiveClient, size):
    answer = live_client.post("/api/runs", {"code": "#" * size})
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"


def test_a_run_is_private_to_its_session(live_client: LiveClient, live_stack):
    run_id = live_client.run("print('mine')")["id"]
    stranger = LiveClient(live_stack.url)
    try:
        assert stranger.http.get(f"/api/runs/{run_id}").status_code == 404
        assert stranger.post(f"/api/runs/{run_id}/cancel").status_code == 404
        assert stranger.post(f"/api/runs/{run_id}/share").status_code == 404
        with pytest.raises(InvalidStatus) as refused:
            stranger.events(run_id, timeout=5)
        assert refused.value.response.status_code in (403, 404)
    finally:
        stranger.close()


def test_share_freezes_the_record_and_gives_one_link(live_client: LiveClient, live_stack):
    record = live_client.run("print('shared!')")
    first = live_client.post(f"/api/runs/{record['id']}/share")
    second = live_client.post(f"/api/runs/{record['id']}/share")
    assert first.status_code == 201 and second.json()["slug"] == first.json()["slug"]
    slug = first.json()["slug"]
    assert len(slug) >= 16 and first.json()["url"] == f"/s/{slug}"
    stranger = LiveClient(live_stack.url)
    try:
        frozen = stranger.http.get(f"/api/shares/{slug}").json()
    finally:
        stranger.close()
    assert frozen.pop("shared")
    assert frozen == record


def test_devices_lists_the_cpu_worker(live_client: LiveClient):
    devices = live_client.http.get("/api/devices").json()["devices"]
    cpu = next(d for d in devices if d["class"] == "cpu")
    assert cpu["workers"] >= 1 and "/device:CPU:0" in cpu["tf_devices"]
    assert cpu["sandbox"] == "jail"


def test_exports_as_a_valid_notebook_and_a_script(live_client: LiveClient, live_stack):
    import nbformat

    record = live_client.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\n1/0\n")
    slug = live_client.post(f"/api/runs/{record['id']}/share").json()["slug"]
    stranger = LiveClient(live_stack.url)
    try:
        answer = stranger.http.get(f"/api/shares/{slug}.ipynb")
        script = stranger.http.get(f"/api/shares/{slug}.py")
        assert stranger.http.get(f"/api/runs/{record['id']}.ipynb").status_code == 404
    finally:
        stranger.close()
    assert answer.status_code == 200 and "attachment" in answer.headers["content-disposition"]
    nb = nbformat.reads(answer.text, as_version=4)
    nbformat.validate(nb)
    cell = nb.cells[1]
    assert cell.source == record["code"]
    kinds = [(o.output_type, o.get("name")) for o in cell.outputs]
    assert kinds == [("stream", "stdout"), ("stream", "stderr"), ("error", None)]
    assert cell.outputs[2].ename == "ZeroDivisionError"
    assert script.text.endswith(record["code"]) and script.text.startswith("# Ran on TensorFlow")
    own = live_client.http.get(f"/api/runs/{record['id']}.py")
    assert own.status_code == 200 and record["code"] in own.text
