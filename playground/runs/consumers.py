"""`/ws/runs/<id>?after=<seq>`: replay a run's events after `seq`, then follow it live to `done`."""
from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qs

import redis.exceptions
from channels.db import database_sync_to_async
from django.conf import settings

from contract import keys
from contract.events import is_done
from playground.fastpath.channels import HopFreeWebsocketConsumer
from playground.runs import actions, streams
from playground.runs.models import Run

BLOCK_MS = 5000
BATCH = 500
NOT_FOUND = 4404


FIELD = keys.STREAM_FIELD.encode()


def _owned(run_id: str, session_key: str | None) -> Run | None:
    return actions.get_owned(run_id, session_key)


class RunConsumer(HopFreeWebsocketConsumer):
    async def connect(self) -> None:
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        # The cookie's key, not loaded: it only has to equal the owner's (secret) key.
        session_key = self.scope.get("cookies", {}).get(settings.SESSION_COOKIE_NAME)
        query = parse_qs(self.scope.get("query_string", b"").decode())
        try:
            after = max(0, int(query.get("after", ["0"])[0]))
        except ValueError:
            after = 0
        run, ready = await self._owned_run(run_id, session_key, after)
        if run is None:
            await self.close(code=NOT_FOUND)
            return
        await self.accept()
        self.follower = asyncio.ensure_future(self._follow(run, after, ready))

    async def _owned_run(self, run_id: str, session_key: str | None,
                         after: int) -> tuple[Run | None, list[Any]]:
        """The run if this session owns it: from Redis while the run is fresh, else the DB.
        A fresh run's events after `after` come in the same round trip as its owner."""
        if not session_key:
            return None, []
        pipe = streams.async_client().pipeline(transaction=False)
        pipe.get(keys.owner_key(run_id))
        pipe.xread({keys.stream_key(run_id): keys.entry_id(after)}, count=BATCH)
        owner, ready = await pipe.execute()
        if owner is None:
            return await database_sync_to_async(_owned)(run_id, session_key), []
        if owner.decode() != session_key:
            return None, []
        return Run(id=run_id, session_key=session_key, status="running"), ready

    async def disconnect(self, code: int) -> None:
        follower = getattr(self, "follower", None)
        if follower is not None:
            follower.cancel()

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
                except (redis.exceptions.TimeoutError, redis.exceptions.ConnectionError):
                    await asyncio.sleep(0.2)  # Redis was slow or restarted: resume from `last`
                    continue
            if not answer:
                if not await r.exists(key):
                    stored = await database_sync_to_async(Run.objects.get)(id=run.id)
                    if stored.is_finished:
                        await self._replay_stored(stored.events, int(last.split("-")[0]))
                        return
                continue
            for entry_id, fields in answer[0][1]:
                last = entry_id.decode()
                # Relayed as written: the entry is already the event's JSON.
                await self.send(text_data=fields[FIELD].decode())
                if is_done(fields[FIELD]):
                    return
