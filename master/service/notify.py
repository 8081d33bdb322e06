"""Notification channels: stored config (secrets sealed), the admin API's operations, delivery.

Delivery never runs in the request or ingest path: `notify()` puts a message
on each wanted channel's bounded queue with `send_nowait` and returns; one
sender task per channel drains its queue with timeouts and retries, so a
receiver that is down delays only its own channel. A full queue drops the
message, and the drop is logged and counted on the channel, never silent.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from functools import partial
from typing import Any, NamedTuple

import httpx
import msgspec
import trio

from ..config import NotifyConfig
from ..database import Database
from ..database.notify import (
    StoredChannel,
    list_channels,
    record_send,
    record_test,
    save_channel,
    seed_channels,
)
from ..model.channel import ChannelState, SendStatus, TestStatus
from ..model.errors import BadRequest, Conflict, NotFound, Unavailable
from ..notifier import (
    CHANNEL_TYPES,
    DEFAULT_NAMES,
    SECRET_FIELDS,
    ChannelConfig,
    Notification,
    SendError,
    deliver,
    ineffective_reason,
    masked,
    normalize_config,
    open_http_client,
    send_once,
    wants,
)
from .secretbox import SecretBox

log = logging.getLogger("master.notify")


class ChannelView(ChannelState, kw_only=True):
    """A channel as the admin API shows it: secrets masked, and whether it would deliver."""

    config: ChannelConfig
    secrets_set: dict[str, bool]
    effective: bool
    ineffective_reason: str | None
    queued: int


class ChannelTest(msgspec.Struct, kw_only=True):
    """The outcome of `POST /api/v2/notify/channels/{type}/test`."""

    type: str
    status: TestStatus
    message: str
    tested_at: float


class _Channel:
    def __init__(self, type: str, queue_size: int) -> None:
        self.type = type
        self.state = ChannelState(type=type, name=DEFAULT_NAMES[type])
        self.config: ChannelConfig = normalize_config(type, {})
        self.send, self.receive = trio.open_memory_channel[Notification](queue_size)
        self.busy = False

    @property
    def reason(self) -> str | None:
        return ineffective_reason(self.state.enabled, self.config)


class _Outcome(NamedTuple):
    """A delivery outcome waiting to be written."""

    type: str
    status: SendStatus
    error: str
    at: float


class NotifyService:
    """The three channels, their stored state, and the tasks that deliver to them."""

    def __init__(
        self,
        db: Database,
        box: SecretBox,
        settings: NotifyConfig = NotifyConfig(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._box = box
        self._settings = settings
        self._clock = clock
        self._channels = {t: _Channel(t, settings.queue_size) for t in CHANNEL_TYPES}
        self._client: httpx.AsyncClient | None = None
        self._pending_records: list[_Outcome] = []
        self._records_ready = trio.Event()
        self.stopped = trio.Event()

    # -- stored state ---------------------------------------------------------

    def _seal(self, type: str, config: ChannelConfig) -> str:
        sealed = {key: self._box.seal(getattr(config, key)) for key in SECRET_FIELDS[type]}
        return msgspec.json.encode(msgspec.structs.replace(config, **sealed)).decode()

    def _unseal(self, type: str, text: str) -> tuple[ChannelConfig, bool]:
        """The stored config, and whether a secret in it is still in clear (an older master
        kept the webhook URL so)."""
        stored = msgspec.json.decode(text)
        clear = False
        for key in SECRET_FIELDS[type]:
            value = stored.get(key) or ""
            clear = clear or not self._box.is_sealed(value)
            stored[key] = self._box.open(value)
        return normalize_config(type, stored), clear

    def _take(self, stored: StoredChannel) -> bool:
        """Take a stored channel; True when it holds a secret in clear."""
        channel = self._channels[stored.state.type]
        channel.state = stored.state
        channel.config, clear = self._unseal(channel.type, stored.config)
        return clear

    async def load(self) -> bool:
        """Read the stored channels; first seed them from the settings (MASTER_MAIL_*,
        MASTER_SLACK_*, MASTER_WEBHOOK_*) if the table is empty. Returns whether it seeded."""
        seeded = False
        seeds: list[StoredChannel] = []
        for type, enabled, given in _seed(self._settings):
            try:
                config = normalize_config(type, given)
            except BadRequest as err:
                log.error("not seeding the %s channel from the environment: %s", type, err)
                continue
            state = ChannelState(type=type, name=DEFAULT_NAMES[type], enabled=enabled)
            seeds.append(StoredChannel(state, self._seal(type, config)))
        if seeds:
            seeded = await self._db.write(partial(seed_channels, channels=seeds, now=self._clock()))
            if seeded:
                log.info(
                    "seeded notification channels from the environment: %s",
                    ", ".join(sorted(s.state.type for s in seeds)),
                )
        for stored in await self._db.read(list_channels):
            if self._take(stored):
                channel = self._channels[stored.state.type]
                await self._save(channel, stored.state.name, stored.state.enabled)
                log.info("sealed the %s channel's secrets stored in clear", channel.type)
        return seeded

    def view(self, type: str) -> ChannelView:
        """A channel as the API shows it: secrets masked, effectiveness and why not."""
        channel = self._get(type)
        config, secrets_set = masked(channel.config)
        reason = channel.reason
        return ChannelView(
            **msgspec.structs.asdict(channel.state),
            config=config,
            secrets_set=secrets_set,
            effective=reason is None,
            ineffective_reason=reason,
            queued=channel.send.statistics().current_buffer_used + int(channel.busy),
        )

    def views(self) -> list[ChannelView]:
        return [self.view(t) for t in CHANNEL_TYPES]

    def _get(self, type: str) -> _Channel:
        channel = self._channels.get(type)
        if channel is None:
            raise NotFound(f"no channel type {type!r}; the types are {', '.join(CHANNEL_TYPES)}")
        return channel

    async def update(
        self, type: str, *, name: str | None, enabled: bool | None, config: dict[str, Any] | None
    ) -> ChannelView:
        """Change a channel; omitted parts stay. Raises NotFound, BadRequest naming the field."""
        channel = self._get(type)
        new_config = (
            channel.config if config is None else normalize_config(type, config, channel.config)
        )
        new_name = channel.state.name if name is None else name.strip()
        if not new_name or len(new_name) > 100:
            raise BadRequest("name must be 1-100 characters")
        new_enabled = channel.state.enabled if enabled is None else enabled
        channel.config = new_config
        await self._save(channel, new_name, new_enabled)
        return self.view(type)

    async def _save(self, channel: _Channel, name: str, enabled: bool) -> None:
        stored = await self._db.write(
            partial(
                save_channel,
                type=channel.type,
                name=name,
                enabled=enabled,
                config=self._seal(channel.type, channel.config),
                now=self._clock(),
            )
        )
        self._take(stored)

    async def test(self, type: str) -> ChannelTest:
        """Send a test message now (one attempt), record and return the outcome.

        Raises NotFound, or Conflict saying why when the channel is not effective.
        """
        channel = self._get(type)
        if channel.reason is not None:
            raise Conflict(f"the {type} channel is not effective: {channel.reason}")
        now = self._clock()
        note = Notification(
            kind="test", cluster_id="", severity="info", title="AtlHyper test notification", at=now
        )
        try:
            await send_once(
                channel.config,
                note,
                client=self._http(),
                per_attempt=self._settings.timeout,
                allow_private=self._settings.allow_private,
            )
            status: TestStatus = "ok"
            message = "test message sent"
        except SendError as err:
            status, message = "failed", str(err)
            log.warning("test of the %s channel failed: %s", type, message)
        await self._db.write(
            partial(record_test, type=type, status=status, message=message, now=now)
        )
        channel.state.last_test_status = status
        channel.state.last_test_message = message
        channel.state.last_test_at = now
        return ChannelTest(type=type, status=status, message=message, tested_at=now)

    # -- delivery ---------------------------------------------------------------

    def notify(self, note: Notification) -> list[str]:
        """Queue `note` for every effective channel whose filters want it; never waits.

        Returns the channel types it was queued for.
        """
        queued = []
        for channel in self._channels.values():
            if channel.reason is not None or not wants(
                channel.config, note.cluster_id, note.severity
            ):
                continue
            try:
                channel.send.send_nowait(note)
                queued.append(channel.type)
            except trio.WouldBlock:
                log.warning(
                    "notification queue of the %s channel is full: dropped %r",
                    channel.type,
                    note.title,
                )
                self._record(channel, "dropped", "queue full")
            except (trio.ClosedResourceError, trio.BrokenResourceError):
                log.warning("shutting down: %s notification %r not sent", channel.type, note.title)
                self._record(channel, "dropped", "master shutting down")
        return queued

    def _record(self, channel: _Channel, status: SendStatus, error: str) -> None:
        now = self._clock()
        state = channel.state
        if status == "ok":
            state.sent_count += 1
        elif status == "failed":
            state.failed_count += 1
        else:
            state.dropped_count += 1
        state.last_send_status, state.last_send_error, state.last_send_at = status, error, now
        self._pending_records.append(_Outcome(channel.type, status, error, now))
        self._records_ready.set()

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = open_http_client(
                self._settings.timeout, allow_private=self._settings.allow_private
            )
        return self._client

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run one sender per channel and the outcome writer until `aclose()` and drained."""
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._write_records)
                async with trio.open_nursery() as senders:
                    for channel in self._channels.values():
                        senders.start_soon(self._sender, channel)
                    task_status.started()
                try:
                    await self.flush_records()
                except Unavailable as err:
                    log.error("delivery outcomes not written at shutdown: %s", err)
                nursery.cancel_scope.cancel()
        finally:
            if self._client is not None:
                with trio.CancelScope(shield=True):
                    await self._client.aclose()
                self._client = None
            self.stopped.set()

    async def _sender(self, channel: _Channel) -> None:
        async with channel.receive:
            async for note in channel.receive:
                if channel.reason is not None:  # disabled or emptied since it was queued
                    self._record(channel, "dropped", f"not sent: {channel.reason}")
                    continue
                d = self._settings
                channel.busy = True
                try:
                    await deliver(
                        channel.config,
                        note,
                        client=self._http(),
                        per_attempt=d.timeout,
                        attempts=d.attempts,
                        backoff=d.backoff,
                        allow_private=d.allow_private,
                    )
                    self._record(channel, "ok", "")
                except SendError as err:
                    log.warning("%s notification %r failed: %s", channel.type, note.title, err)
                    self._record(channel, "failed", str(err))
                except Exception as err:  # a sender bug must not take the master down
                    log.error(
                        "%s notification %r failed unexpectedly: %s",
                        channel.type,
                        note.title,
                        type(err).__name__,
                    )  # no traceback: it could quote a secret
                    self._record(channel, "failed", f"internal error: {type(err).__name__}")
                finally:
                    channel.busy = False

    async def _write_records(self) -> None:
        while True:
            await self._records_ready.wait()
            self._records_ready = trio.Event()
            await self.flush_records(retry=True)
            await trio.sleep(0.2)  # outcomes of a burst share one transaction

    async def flush_records(self, *, retry: bool = False) -> None:
        """Write the delivery outcomes counted so far."""
        records, self._pending_records = self._pending_records, []
        if not records:
            return

        def write(conn: sqlite3.Connection) -> None:
            for record in records:
                record_send(
                    conn, record.type, status=record.status, error=record.error, now=record.at
                )

        await self._db.write(write, durable=False, retry=retry)

    async def aclose(self) -> None:
        """Stop taking notifications; `serve` returns once what was queued is delivered."""
        for channel in self._channels.values():
            await channel.send.aclose()


def _seed(s: NotifyConfig) -> list[tuple[str, bool, dict[str, Any]]]:
    """The channels the settings name: type, enabled, config (first start only)."""
    seed: list[tuple[str, bool, dict[str, Any]]] = []
    if s.mail_enabled or s.mail_smtp_host:
        email = {
            "smtp_host": s.mail_smtp_host,
            "smtp_port": s.mail_smtp_port,
            "smtp_tls": s.mail_smtp_tls,
            "smtp_user": s.mail_username,
            "smtp_password": s.mail_password,
            "from_address": s.mail_from,
            "to_addresses": list(s.mail_to),
        }
        seed.append(("email", s.mail_enabled, email))
    if s.slack_enabled or s.slack_webhook_url:
        seed.append(("slack", s.slack_enabled, {"webhook_url": s.slack_webhook_url}))
    if s.webhook_enabled or s.webhook_url:
        seed.append(
            ("webhook", s.webhook_enabled, {"url": s.webhook_url, "secret": s.webhook_secret})
        )
    return seed
