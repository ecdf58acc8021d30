"""A Channels WebSocket consumer without the thread hops that close database connections."""
from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import InvalidChannelLayerError, StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer


class HopFreeWebsocketConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """Channels closes stale database connections in a thread before every message and after a
    disconnect. A consumer that reaches the database only through `database_sync_to_async`,
    which does so itself in the thread it runs in, derives from this class to skip those hops."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        try:
            for group in self.groups:
                await self.channel_layer.group_discard(group, self.channel_name)
        except AttributeError:
            raise InvalidChannelLayerError("BACKEND is unconfigured or doesn't support groups")
        await self.disconnect(message["code"])
        raise StopConsumer()
