"""`/ws/runs/<id>?after=<seq>`: replay a run's events after `seq`, then follow it live to `done`."""
from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

import redis
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import DatabaseError

from contract import keys
from contract.events import is_done
from playground.fastpath.channels import HopFreeWebsocketConsumer
from playground.runs import actions, streams
from playground.runs.models import Run

BLOCK_MS = 5000
BATCH = 500
# Close codes: 4400 a malformed `after`, 4404 no such run of this session, 4429 this session
# has too many sockets open, 4503 this server has too many or cannot reach Redis or the
# database right now (the page tries again after a pause, with `after=`).
BAD_REQUEST, NOT_FOUND, TOO_MANY, SERVER_FULL = 4400, 4404, 4429, 4503
UNAVAILABLE = SERVER_FULL
# What a socket meets while Redis or the database is away or restarting: it waits and reads again.
OUTAGE = (redis.ConnectionError, redis.TimeoutError, DatabaseError)
OUTAGE_PAUSE_SECONDS = 0.2
SOCKETS_PER_SESSION = 16  # a page holds one per run it shows; a few tabs
SOCKETS_PER_PROCESS = 4000
AFTER = re.compile(r"[0-9]{1,15}")  # a seq; Redis stream ids stop at 2**64


FIELD = keys.STREAM_FIELD.encode()


def _owned(run_id: str, session_key: str | None) -> Run | None:
    return actions.get_owned(run_id, session_key)


class OpenSockets:
    """The run sockets this process holds, counted per session."""

    def __init__(self) -> None:
        self.by_session: Counter[str] = Counter()

    def refusal(self, session_key: str) -> int | None:
        """The close code for one more socket of this session, None when it may open."""
        if sum(self.by_session.values()) >= SOCKETS_PER_PROCESS:
            return SERVER_FULL
        if self.by_session[session_key] >= SOCKETS_PER_SESSION:
            return TOO_MANY
        return None

    def opened(self, session_key: str) -> None:
        self.by_session[session_key] += 1

    def closed(self, session_key: str) -> None:
        self.by_session[session_key] -= 1
        if self.by_session[session_key] <= 0:
            del self.by_session[session_key]


open_sockets = OpenSockets()


def parse_after(query_string: bytes) -> int | None:
    """`after` of the query (0 when absent); None when it is not a plain seq."""
    values = parse_qs(query_string.decode("latin-1")).get("after", ["0"])
    return int(values[0]) if AFTER.fullmatch(values[0]) else None


class RunConsumer(HopFreeWebsocketConsumer):
    async def connect(self) -> None:
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        # The cookie's key, not loaded: it only has to equal the owner's, and only keys the
        # session store issued ever own a run.
        session_key = self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)
        after = parse_after(self.scope.get("query_string", b""))
        if after is None:
            await self._refuse(BAD_REQUEST)
            return
        try:
            run, ready = await self._owned_run(run_id, session_key, after)
        except OUTAGE:
            await self._refuse(UNAVAILABLE)
            return
        if run is None or session_key is None:
            await self.close(code=NOT_FOUND)
            return
        refused = open_sockets.refusal(session_key)
        if refused is not None:
            await self._refuse(refused)
            return
        open_sockets.opened(session_key)
        self.counted = session_key
        await self.accept()
        self.follower = asyncio.ensure_future(self._follow(run, after, ready))

    async def _refuse(self, code: int) -> None:
        """Accept only to close with a code that says why, which a refused handshake cannot."""
        await self.accept()
        await self.close(code=code)

    async def _owned_run(self, run_id: str, session_key: str | None,
                         after: int) -> tuple[Run | None, list[Any]]:
        """The run if this session owns it: from Redis while the run is fresh, else the DB.
        A fresh run's events after `after` come in the same round trip as its owner."""
        if not session_key:
            return None, []
        pipe = streams.async_client().pipeline(transaction=False)
        pipe.get(keys.owner_key(run_id))
        pipe.xread({keys.stream_key(run_id): keys.entry_id(after)}, count=BATCH)
        pipe.xrevrange(keys.stream_key(run_id), count=1)
        owner, ready, last = await pipe.execute()
        if owner is None:
            return await database_sync_to_async(_owned)(run_id, session_key), []
        if owner.decode() != session_key:
            return None, []
        # Ended, and nothing after `after`: the run reads as finished with nothing to replay.
        ended = not ready and bool(last) and is_done(last[0][1][FIELD])
        return Run(id=run_id, session_key=session_key, status="succeeded" if ended
                   else "running"), ready

    async def disconnect(self, code: int) -> None:
        follower = getattr(self, "follower", None)
        if follower is not None:
            follower.cancel()
        counted = getattr(self, "counted", None)
        if counted is not None:
            open_sockets.closed(counted)
            self.counted = None

    async def _send_event(self, event: dict[str, Any]) -> None:
        await self.send(text_data=json.dumps(event, separators=(",", ":")))

    async def _follow(self, run: Run, after: int, ready: list[Any]) -> None:
        try:
            if run.is_finished:
                await self._replay_stored(run.events, after)
                return
            await self._follow_stream(run, after, ready)
        except asyncio.CancelledError:
            raise
        finally:
            await self.close()

    async def _replay_stored(self, events: list[dict[str, Any]], after: int) -> None:
        for event in events:
            if event["seq"] > after:
                await self._send_event(event)

    async def _nothing_more(self, run: Run, key: str, after: int) -> bool:
        """After a quiet read: whether the run has ended with nothing after `after` left to send
        (an `after` past its `done`, say), replaying the stored run if its stream is gone."""
        last = await streams.async_client().xrevrange(key, count=1)
        if last:
            return is_done(last[0][1][FIELD])
        stored = await database_sync_to_async(Run.objects.filter(id=run.id).first)()
        if stored is not None and stored.is_finished:
            await self._replay_stored(stored.events, after)
            return True
        return False

    async def _follow_stream(self, run: Run, after: int, ready: list[Any]) -> None:
        """`ready`: an XREAD answer already in hand, sent before the first blocking read."""
        r = streams.async_client()
        key = keys.stream_key(run.id)
        last = keys.entry_id(after)
        while True:
            if ready:
                answer, ready = ready, []
            else:
                try:
                    answer = await r.xread({key: last}, count=BATCH, block=BLOCK_MS)
                    if not answer and await self._nothing_more(run, key, int(last.split("-")[0])):
                        return
                except OUTAGE:
                    # Redis or the database was slow or restarted: resume from `last`.
                    await asyncio.sleep(OUTAGE_PAUSE_SECONDS)
                    continue
            if not answer:
                continue
            for entry_id, fields in answer[0][1]:
                last = entry_id.decode()
                # Relayed as written: the entry is already the event's JSON.
                await self.send(text_data=fields[FIELD].decode())
                if is_done(fields[FIELD]):
                    return
