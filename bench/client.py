"""A lean browser stand-in for the benchmarks: HTTP/1.1 keep-alive and RFC 6455 WebSocket over
asyncio streams, with a cookie jar.

A browser's network stack costs next to nothing per request; httpx added ~2 ms of client time to
each POST here, which would be charged to the server. This client speaks the public contract
exactly as the page does: POST /api/runs with the CSRF header, then /ws/runs/<id>?after=<seq>,
reconnecting until `done`.
"""
from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    pass


class Browser:
    """One browser session: one keep-alive connection, its cookies, sequential requests."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.base = base.rstrip("/")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.cookies: dict[str, str] = {}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def _headers(self, extra: dict[str, str]) -> str:
        headers = {"Host": f"{self.host}:{self.port}", **extra}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return "".join(f"{k}: {v}\r\n" for k, v in headers.items())

    async def _read_head(self, reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("the server closed the connection")
        headers: dict[str, str] = {}
        while True:
            line = (await reader.readline()).decode("latin-1")
            if line in ("\r\n", ""):
                break
            name, value = line.split(":", 1)
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key.strip()] = val
            else:
                headers[name] = value
        return int(status_line.split()[1]), headers

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            head = f"{method} {path} HTTP/1.1\r\n" + self._headers(
                {"Content-Length": str(len(body)), **(headers or {})}) + "\r\n"
            self.writer.write(head.encode("latin-1") + body)
            try:
                status, answer_headers = await self._read_head(self.reader)
            except ConnectionError:
                self.close()
                if attempt == 2:
                    raise
                continue
            if answer_headers.get("transfer-encoding") == "chunked":
                data = b""
                while size := int((await self.reader.readline()).strip(), 16):
                    data += await self.reader.readexactly(size)
                    await self.reader.readline()
                await self.reader.readline()
            else:
                data = await self.reader.readexactly(int(answer_headers.get("content-length", 0)))
            if answer_headers.get("connection", "").lower() == "close":
                self.close()
            return status, data
        raise AssertionError("unreachable")

    async def open(self) -> None:
        status, _ = await self.request("GET", "/api/session")
        if status != 200:
            raise HttpError(f"GET /api/session answered {status}")

    async def run(self, code: str, **fields: Any) -> dict[str, Any]:
        """POST a run (with any further API fields) and follow its socket to `done`: times to
        the first stdout, to the first event of each type, and to done."""
        began = time.perf_counter()
        status, body = await self.request(
            "POST", "/api/runs", json.dumps({**fields, "code": code}).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": self.cookies.get("csrftoken", ""),
             "Referer": self.base + "/", "Origin": self.base})
        if status != 201:
            return {"error": f"{status} {body[:200]!r}"}
        run_id = json.loads(body)["id"]
        first = done = None
        outcome = None
        last_seq = 0
        firsts: dict[str, float] = {}  # the first event of each type
        while done is None:  # reconnect with after= until `done`, as the page does
            async for event in self.follow(run_id, last_seq):
                last_seq = event["seq"]
                firsts.setdefault(event["type"], time.perf_counter() - began)
                if event["type"] == "stdout" and first is None:
                    first = time.perf_counter() - began
                if event["type"] == "done":
                    done = time.perf_counter() - began
                    outcome = event["status"]
                    break
        return {"first": first, "done": done, "status": outcome, "firsts": firsts}

    async def follow(self, run_id: str, after: int) -> Any:
        """The events of /ws/runs/<id>?after=<after>, until the server closes the socket."""
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            key = base64.b64encode(os.urandom(16)).decode()
            head = f"GET /ws/runs/{run_id}?after={after} HTTP/1.1\r\n" + self._headers({
                "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Key": key,
                "Sec-WebSocket-Version": "13", "Origin": self.base}) + "\r\n"
            writer.write(head.encode("latin-1"))
            status, _ = await self._read_head(reader)
            if status != 101:
                raise HttpError(f"the socket was refused with {status}")
            message = b""
            while True:
                try:
                    first_byte, second = await reader.readexactly(2)
                except asyncio.IncompleteReadError:
                    return
                size = second & 0x7F
                if size == 126:
                    size = int.from_bytes(await reader.readexactly(2), "big")
                elif size == 127:
                    size = int.from_bytes(await reader.readexactly(8), "big")
                payload = await reader.readexactly(size)
                opcode = first_byte & 0x0F
                if opcode == 0x8:  # close
                    return
                if opcode in (0x9, 0xA):  # ping, pong: nothing to answer for our purpose
                    continue
                message += payload
                if first_byte & 0x80:  # FIN: a whole message
                    yield json.loads(message)
                    message = b""
        finally:
            writer.close()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
