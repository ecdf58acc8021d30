"""A stand-in web server for front-end tests and the graph bench: serves the built bundles
(static/dist) under /static/ and a bare page that mounts the workspace like /play does, with
`/api/devices` answered from a fixture. Everything else a test needs (runs, sockets) it routes
itself with Playwright. It runs no Django, no worker: the real stack is tested elsewhere.
"""
from __future__ import annotations

import json
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "static" / "dist"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DEVICES = {"devices": [{"class": "cpu", "workers": 1, "tf_devices": ["/device:CPU:0"],
                        "runtime": {"tensorflow": "2.21.0"}, "sandbox": "jail"}]}


def fixture(name: str) -> dict[str, Any]:
    """A recorded run: {"code", "events"} from tests/browser/fixtures/<name>.json."""
    return dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def manifest() -> dict[str, str]:
    path = DIST / "assets-manifest.json"
    if not path.exists():
        raise RuntimeError("static/dist is not built: run `node static/build.mjs` first")
    return dict(json.loads(path.read_text(encoding="utf-8")))


def page_html(page_data: dict[str, Any]) -> str:
    names = manifest()
    links = "".join(f'<link rel="stylesheet" href="/static/{names[n]}">'
                    for n in ("base.css", "play.css") if n in names)
    data = json.dumps(page_data).replace("<", "\\u003c")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>workspace stand-in</title>{links}
<script type="module" src="/static/{names['base.js']}"></script>
<script type="module" src="/static/{names['play.js']}"></script>
</head><body class="pg-play-page">
<header class="pg-header"><a class="pg-brand" href="/">TensorFlow Playground</a>
<nav class="pg-nav"></nav><div class="pg-header-tools">
<button type="button" class="pg-btn pg-btn-icon pg-theme-toggle" data-pg-theme-toggle hidden
 aria-pressed="false"><span class="pg-icon-moon" aria-hidden="true">☾</span><span
 class="pg-icon-sun" aria-hidden="true">☀</span><span class="pg-visually-hidden">Dark theme</span>
</button></div></header>
<main id="main" class="pg-main pg-play-main">
<div class="pg-play-top"><h1 class="pg-play-title">Playground</h1>
<p id="pg-play-context" class="pg-play-context" hidden></p>
<p id="pg-play-problem" class="pg-notice pg-notice-error" role="alert" hidden></p></div>
<div id="workspace" class="pg-workspace-host pg-play-workspace"></div>
<script type="application/json" id="pg-play-data">{data}</script>
</main></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    page_data: dict[str, Any] = {}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = self.path.split("?", 1)[0]
        if path in ("/", "/play"):
            self._send(200, page_html(self.page_data).encode(), "text/html; charset=utf-8")
        elif path.startswith("/static/"):
            file = (DIST / path[len("/static/"):]).resolve()
            if DIST.resolve() not in file.parents or not file.is_file():
                self._send(404, b"not found", "text/plain")
                return
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if file.suffix in (".js", ".mjs"):
                kind = "text/javascript"
            self._send(200, file.read_bytes(), kind)
        elif path == "/api/devices":
            self._send(200, json.dumps(DEVICES).encode(), "application/json")
        else:
            body = {"error": {"code": "not_found", "message": "not in the stand-in"}}
            self._send(404, json.dumps(body).encode(), "application/json")


@contextmanager
def standin_server(page_data: dict[str, Any] | None = None) -> Iterator[str]:
    """Serves the stand-in page on a free local port; yields its base URL."""
    handler = type("Handler", (_Handler,), {"page_data": page_data or {"code": ""}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
