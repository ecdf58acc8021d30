"""A browser-like client for a live stack: HTTP with session and CSRF, then the websocket."""
from __future__ import annotations

import json
import time
from typing import Any

import httpx
from websockets.sync.client import connect


class LiveClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = httpx.Client(base_url=base_url, timeout=30)
        self.http.get("/api/session").raise_for_status()
        self.csrf = self.http.cookies.get("csrftoken") or ""

    def close(self) -> None:
        self.http.close()

    def post(self, path: str, body: Any = None, raw: bytes | None = None) -> httpx.Response:
        content = raw if raw is not None else json.dumps(body).encode()
        return self.http.post(path, content=content, headers={
            "X-CSRFToken": self.csrf, "Content-Type": "application/json",
            "Referer": self.base_url + "/"})

    def start(self, code: str, **options: Any) -> dict[str, Any]:
        answer = self.post("/api/runs", {"code": code, **options})
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def events(self, run_id: str, after: int = 0, limit: int | None = None,
               timeout: float = 90) -> list[dict[str, Any]]:
        """Read the socket from `after`; stop at `done`, after `limit` events, or when it closes."""
        ws_url = self.base_url.replace("http", "ws", 1) + f"/ws/runs/{run_id}?after={after}"
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        seen: list[dict[str, Any]] = []
        with connect(ws_url, additional_headers={"Cookie": cookie}, origin=self.base_url,
                     open_timeout=10, close_timeout=2, max_size=32 * 1024 * 1024) as ws:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    event = json.loads(ws.recv(timeout=deadline - time.monotonic()))
                except Exception:  # noqa: BLE001 - closed or timed out: the caller checks
                    break
                seen.append(event)
                if event["type"] == "done" or (limit and len(seen) >= limit):
                    break
        return seen

    def record(self, run_id: str) -> dict[str, Any]:
        answer = self.http.get(f"/api/runs/{run_id}")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def run(self, code: str, **options: Any) -> dict[str, Any]:
        """Run to the end and return the stored record (as `GET /api/runs/<id>` gives it)."""
        run_id = self.start(code, **options)["id"]
        events = self.follow(run_id)
        assert events and events[-1]["type"] == "done", events[-3:]
        return self.record(run_id)

    def follow(self, run_id: str, after: int = 0, timeout: float = 90) -> list[dict[str, Any]]:
        """Every event after `after` up to `done`, reconnecting with `after=` as the page does:
        the server may reset a socket it has closed before the client read its last frames."""
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (seen and seen[-1]["type"] == "done"):
            last = seen[-1]["seq"] if seen else after
            seen += self.events(run_id, after=last, timeout=deadline - time.monotonic())
        return seen
