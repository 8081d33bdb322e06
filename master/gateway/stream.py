"""`/api/v2/subscribe`: the live stream over a websocket (protocol: docs/stream.md).

Three tasks per connection share one send lock: the reader (subscribe, pong),
the writer (the subscriber's queue; a lagging subscriber gets a resync), and
the pinger (keeps proxies from closing idle connections, closes dead ones and
ones whose token expired or was revoked). Whichever decides to close records
the code and cancels the others.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Annotated

import msgspec
import trio
from quart import Response, websocket
from quart_trio import QuartTrio

from ..config import StreamConfig
from ..model.auth import ANONYMOUS, ROLE_NAMES, Principal
from ..model.errors import Unauthorized
from ..query import Query
from ..query.stream import TOPICS, Subscriber, control
from ..service.auth import AuthService
from .auth import Admission

log = logging.getLogger("master.stream")

MAX_CLUSTERS = 1000
# A close reason must fit a control frame (123 bytes of UTF-8).
MAX_REASON = 123

BAD_MESSAGE = 4400
UNAUTHORIZED = 4401
TIMED_OUT = 4408
GOING_AWAY = 1001
# What anonymous subscribers may follow under public_read: what they may read over REST
# (gateway/auth.py ANONYMOUS_READS), so never `commands`.
ANONYMOUS_TOPICS = ("clusters", "summary", "events", "alerts")


class ClientMessage(msgspec.Struct, kw_only=True):
    type: str
    token: str | None = None
    clusters: list[Annotated[str, msgspec.Meta(min_length=1, max_length=253)]] | None = None
    topics: list[str] | None = None
    since: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] | None = None


_decoder = msgspec.json.Decoder(ClientMessage)


class _Close(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _parse(raw: str | bytes) -> ClientMessage:
    try:
        msg = _decoder.decode(raw)
    except msgspec.ValidationError as err:
        raise _Close(BAD_MESSAGE, f"bad message: {err}") from None
    except (msgspec.DecodeError, RecursionError):
        raise _Close(BAD_MESSAGE, "bad message: not a JSON object") from None
    if msg.type not in ("subscribe", "pong"):
        raise _Close(BAD_MESSAGE, f"bad message: unknown type {msg.type!r}")
    return msg


def _subscription(msg: ClientMessage, who: Principal) -> tuple[list[str] | None, list[str]]:
    """(clusters or None for all, topics); both default to everything `who` may follow."""
    allowed = ANONYMOUS_TOPICS if who.anonymous else TOPICS
    topics = msg.topics if msg.topics is not None else list(allowed)
    unknown = sorted(set(topics) - set(TOPICS))
    if unknown or not topics:
        raise _Close(
            BAD_MESSAGE,
            f"bad subscribe: unknown topic {unknown[0]!r}"
            if unknown
            else "bad subscribe: no topics",
        )
    refused = sorted(set(topics) - set(allowed))
    if refused:
        raise _Close(UNAUTHORIZED, f"unauthorized: the {refused[0]} topic needs a login")
    clusters = msg.clusters if msg.clusters is not None else ["*"]
    if len(clusters) > MAX_CLUSTERS:
        raise _Close(BAD_MESSAGE, f"bad subscribe: more than {MAX_CLUSTERS} clusters")
    if not clusters:
        raise _Close(BAD_MESSAGE, 'bad subscribe: no clusters (["*"] means all)')
    return (None if "*" in clusters else sorted(set(clusters))), sorted(set(topics))


class _Connection:
    def __init__(
        self, query: Query, auth: AuthService, *, public_read: bool, settings: StreamConfig
    ) -> None:
        self.query = query
        self.auth = auth
        self.public_read = public_read
        self.ping_interval = settings.ping_interval
        self.first_message_timeout = settings.first_message_timeout
        self.lock = trio.Lock()
        self.token: str | None = None
        self.principal = ANONYMOUS
        self.heard = trio.current_time()
        self.closing: _Close | None = None

    async def run(self) -> None:
        try:
            first = await self._first_message()
            await self._login(first.token)
            clusters, topics = _subscription(first, self.principal)
        except _Close as close:
            await self._close(close)
            return
        sub = self.query.stream_subscribe(clusters, topics)
        try:
            async with trio.open_nursery() as nursery:
                self.nursery = nursery
                nursery.start_soon(self._guard, self._shutdown)
                nursery.start_soon(self._guard, self._start, sub, first, clusters, topics)
        finally:
            self.query.stream_unsubscribe(sub)
        if self.closing is not None:
            await self._close(self.closing)

    async def _start(
        self, sub: Subscriber, first: ClientMessage, clusters: list[str] | None, topics: list[str]
    ) -> None:
        """The opening, then the other tasks: a second subscribe is read only after it."""
        async with self.lock:
            await self._send_all(
                self.query.stream_open(sub, first.since, self._subscribed(clusters, topics))
            )
        for task in (self._reader, self._writer):
            self.nursery.start_soon(self._guard, task, sub)
        self.nursery.start_soon(self._guard, self._pinger)

    async def _guard(self, task: Callable[..., Awaitable[None]], *args: object) -> None:
        """Run one of the connection's tasks; a `_Close` from it ends the connection."""
        try:
            await task(*args)
        except _Close as close:
            self.closing = self.closing or close
            self.nursery.cancel_scope.cancel()

    async def _first_message(self) -> ClientMessage:
        """The opening `subscribe`; a shutdown meanwhile closes with 1001."""
        got: list[ClientMessage | _Close] = []

        async def receive(cancel: trio.CancelScope) -> None:
            with trio.move_on_after(self.first_message_timeout):
                try:
                    got.append(_parse(await websocket.receive()))
                except _Close as close:
                    got.append(close)
            cancel.cancel()

        async def shutdown(cancel: trio.CancelScope) -> None:
            await self.query.stream_closed()
            got.append(_Close(GOING_AWAY, "the master is shutting down"))
            cancel.cancel()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(receive, nursery.cancel_scope)
            nursery.start_soon(shutdown, nursery.cancel_scope)
        if not got:
            raise _Close(TIMED_OUT, f"no subscribe message within {self.first_message_timeout:g}s")
        if isinstance(got[0], _Close):
            raise got[0]
        if got[0].type != "subscribe":
            raise _Close(BAD_MESSAGE, "bad message: the first message must be subscribe")
        return got[0]

    async def _login(self, token: str | None) -> None:
        if not token:  # none, or empty: no token
            if self.token is None and not self.public_read:
                raise _Close(UNAUTHORIZED, "unauthorized: send a token in the subscribe message")
            return
        try:
            self.principal = await self.auth.authenticate(token)
        except Unauthorized as err:
            raise _Close(UNAUTHORIZED, f"unauthorized: {err}") from None
        self.token = token

    def _subscribed(self, clusters: list[str] | None, topics: list[str]) -> dict[str, object]:
        return {
            "clusters": ["*"] if clusters is None else clusters,
            "topics": topics,
            "role": ROLE_NAMES.get(self.principal.role, "anonymous"),
        }

    async def _reader(self, sub: Subscriber) -> None:
        while True:
            msg = _parse(await websocket.receive())
            self.heard = trio.current_time()
            if msg.type == "pong":
                continue
            await self._login(msg.token)
            clusters, topics = _subscription(msg, self.principal)
            async with self.lock:
                await self._send_all(
                    self.query.stream_open(
                        sub, msg.since, self._subscribed(clusters, topics), clusters, topics
                    )
                )

    async def _writer(self, sub: Subscriber) -> None:
        async for msg in sub.receive:
            async with self.lock:
                if sub.lagging:
                    log.info(
                        "stream subscriber of %s lagging: resync",
                        self.principal.username or "anonymous",
                    )
                    await self._send_all(self.query.stream_resync(sub))
                elif msg.seq > sub.floor:
                    await self._send(msg.data)

    async def _pinger(self) -> None:
        while True:
            await trio.sleep(self.ping_interval)
            silent = trio.current_time() - self.heard
            if silent > 2 * self.ping_interval:
                raise _Close(TIMED_OUT, f"no message from the client for {silent:.0f}s")
            if self.token is not None:
                await self._login(self.token)  # expired or revoked since: 4401
            async with self.lock:
                await self._send(control("ping", self.query.stream_head()))

    async def _shutdown(self) -> None:
        await self.query.stream_closed()
        raise _Close(GOING_AWAY, "the master is shutting down")

    async def _send_all(self, messages: list[str]) -> None:
        for data in messages:
            await self._send(data)

    async def _send(self, data: str) -> None:
        # A peer that stops reading blocks the send; two ping intervals later it is dead.
        with trio.move_on_after(2 * self.ping_interval):
            await websocket.send(data)
            return
        raise _Close(TIMED_OUT, "the client stopped reading")

    async def _close(self, close: _Close) -> None:
        # The reason may quote the client; a close frame holds 123 bytes of it.
        reason = close.reason.encode()[:MAX_REASON].decode("utf-8", "ignore")
        log.info("stream connection closed: %d %s", close.code, reason)
        with trio.move_on_after(1):
            await websocket.close(close.code, reason)


def register(
    app: QuartTrio,
    query: Query,
    auth: AuthService,
    *,
    public_read: bool,
    admission: Admission,
    settings: StreamConfig,
) -> None:
    @app.websocket("/api/v2/subscribe")
    async def subscribe() -> Response | None:
        if not admission.host_allowed(websocket.host):
            log.warning("stream refused: host %r not allowed", websocket.host[:200])
            return Response(
                "host not allowed: add it to allowed_hosts\n", status=400, content_type="text/plain"
            )
        origin = websocket.headers.get("Origin")
        scheme = "https" if websocket.scheme in ("wss", "https") else "http"
        if origin is not None and not admission.origin_allowed(origin, scheme, websocket.host):
            log.warning("stream refused: origin %r not allowed", origin[:200])
            return Response(
                f"origin {origin[:200]!r} is not allowed\n", status=403, content_type="text/plain"
            )
        await websocket.accept()
        await _Connection(query, auth, public_read=public_read, settings=settings).run()
        return None
