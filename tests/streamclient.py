"""A live-stream client as a browser uses it: trio-websocket against `/api/v2/subscribe`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import trio
from trio_websocket import WebSocketConnection, open_websocket_url

TIMEOUT = 15


class StreamClient:
    def __init__(self, ws: WebSocketConnection) -> None:
        self.ws = ws
        self.last_seq = 0

    @classmethod
    @asynccontextmanager
    async def connect(
        cls,
        gateway_url: str,
        *,
        origin: str | None = None,
        queue: int = 64,
    ) -> AsyncIterator[StreamClient]:
        url = gateway_url.replace("http://", "ws://") + "/api/v2/subscribe"
        headers = [(b"Origin", origin.encode())] if origin else []
        async with open_websocket_url(url, extra_headers=headers, message_queue_size=queue) as ws:
            yield cls(ws)

    async def send(self, message: dict[str, Any] | str) -> None:
        await self.ws.send_message(message if isinstance(message, str) else json.dumps(message))

    async def subscribe(
        self,
        token: str | None,
        *,
        clusters: list[str] | None = None,
        topics: list[str] | None = None,
        since: int | None = None,
    ) -> None:
        msg: dict[str, Any] = {
            "type": "subscribe",
            "clusters": clusters or ["*"],
            "topics": topics or ["clusters", "summary", "events", "commands"],
        }
        if token is not None:
            msg["token"] = token
        if since is not None:
            msg["since"] = since
        await self.send(msg)

    async def next(self, patience: float = TIMEOUT) -> dict[str, Any]:
        """The next message (pings answered and skipped)."""
        with trio.fail_after(patience):
            while True:
                msg: dict[str, Any] = json.loads(await self.ws.get_message())
                assert isinstance(msg.get("seq"), int), msg
                self.last_seq = max(self.last_seq, msg["seq"])
                if msg["type"] == "ping":
                    await self.send({"type": "pong"})
                    continue
                return msg

    async def until(
        self, kind: str, patience: float = TIMEOUT, **match: Any
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Read until a message of `kind` (with the given top-level values); (it, all read)."""
        seen = []
        with trio.fail_after(patience):
            while True:
                msg = await self.next()
                seen.append(msg)
                if msg["type"] == kind and all(msg.get(k) == v for k, v in match.items()):
                    return msg, seen

    async def opening(self) -> list[dict[str, Any]]:
        """`subscribed` … `synced`, as a list."""
        first = await self.next()
        assert first["type"] == "subscribed", first
        _, rest = await self.until("synced")
        return [first, *rest]
