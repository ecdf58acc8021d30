"""The run socket against hostile clients, through a live Daphne: other origins, made-up
sessions, absurd `after`s and more sockets than a page needs."""
from __future__ import annotations

import time
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from playground.runs import consumers
from tests.live import LiveClient

pytestmark = pytest.mark.sandbox


def open_socket(client: LiveClient, run_id: str, query: str = "", origin: str | None = None,
                cookie: str | None = None) -> ClientConnection:
    url = client.base_url.replace("http", "ws", 1) + f"/ws/runs/{run_id}{query}"
    if cookie is None:
        cookie = "; ".join(f"{k}={v}" for k, v in client.http.cookies.items())
    return connect(url, additional_headers={"Cookie": cookie},
                   origin=origin or client.base_url, open_timeout=10)  # type: ignore[arg-type]


def close_code(ws: ClientConnection, timeout: float = 10) -> int | None:
    """Read until the server closes; its close code."""
    try:
        while True:
            ws.recv(timeout=timeout)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None


@pytest.fixture
def finished(live_client: LiveClient) -> dict[str, Any]:
    run = live_client.start('print("hi")')
    live_client.follow(run["id"])
    return run


@pytest.mark.parametrize("origin", ["http://127.0.0.1:1", "https://{host}", "http://evil.test",
                                    "null"])
def test_a_page_of_another_origin_cannot_open_a_run_socket(live_client: LiveClient,
                                                           finished, origin: str) -> None:
    host = live_client.base_url.split("//", 1)[1]
    with pytest.raises(InvalidStatus) as refused:
        open_socket(live_client, finished["id"], origin=origin.format(host=host))
    assert refused.value.response.status_code == 403


def test_a_made_up_session_cookie_owns_nothing(live_client: LiveClient, finished) -> None:
    """Refused at the handshake, as a run of another session is."""
    with pytest.raises(InvalidStatus) as refused:
        open_socket(live_client, finished["id"], cookie="sessionid=made-up-0123456789abcdef")
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("after", ["9" * 40, "-1", "1e3", "abc", "1%00"])
def test_a_malformed_after_is_a_clear_close(live_client: LiveClient, finished, after) -> None:
    ws = open_socket(live_client, finished["id"], f"?after={after}")
    assert close_code(ws) == consumers.BAD_REQUEST


def test_an_after_past_the_end_of_a_finished_run_closes_at_once(live_client: LiveClient,
                                                                finished) -> None:
    ws = open_socket(live_client, finished["id"], "?after=99999999")
    # Without frames: a socket that waited for events that never come would time out here.
    assert close_code(ws, timeout=30) == 1000


def test_a_session_may_hold_only_so_many_sockets(live_client: LiveClient) -> None:
    run = live_client.start("import time\ntime.sleep(8)\n")
    held = [open_socket(live_client, run["id"]) for _ in range(consumers.SOCKETS_PER_SESSION)]
    extra = open_socket(live_client, run["id"])
    assert close_code(extra) == consumers.TOO_MANY
    held.pop().close()
    time.sleep(0.3)
    again = open_socket(live_client, run["id"])
    for ws in [*held, again]:
        ws.close()
    live_client.post(f"/api/runs/{run['id']}/cancel")
