"""The audit trail and the security record: who did what, and what was refused.

Both are written in batches off the request path. Authenticated calls become
audit rows; refusals and failures (most of them from people nobody knows)
are counted per address and reason per window and become one security record
with a count, so a flood of them cannot fill the disk. Both tables are capped.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import msgspec
import trio

from ..database import Database
from ..database.audit import AuditEntry, cap_audit, cleanup_audit, query_audit, record_audit
from ..database.security import (
    add_to_security_event,
    cap_security_events,
    cleanup_security_events,
    list_security_events,
    record_security_event,
)
from ..model.errors import Unavailable
from .throttle import RefusalWindows, Window

log = logging.getLogger("master.audit")

__all__ = ["AuditEntry", "AuditLog", "mask_secrets", "masked_body"]

FLUSH_INTERVAL = 1.0
# Entries waiting for the writer at most; past that the oldest are dropped and counted
# (a flood of calls must not grow memory without bound).
MAX_PENDING = 50_000
# One security record per type, address, account and reason per window.
REFUSAL_WINDOW = 60.0
# What a security record keeps of what the caller sent (an address, a name, a path).
MAX_FIELD = 200
SECRET_KEYS = ("password", "secret", "token", "url", "authorization")
MASK = "***"


def mask_secrets(value: Any) -> Any:
    """A copy of a JSON value with every secret-looking field's value replaced."""
    if isinstance(value, dict):
        return {
            k: MASK if any(s in k.lower() for s in SECRET_KEYS) else mask_secrets(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def masked_body(body: bytes, limit: int = 4096) -> str:
    """The request body as recorded: JSON with secrets masked, else a note of its size."""
    if not body:
        return ""
    try:
        decoded = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
        return f"<{len(body)} bytes, not JSON>"
    text = msgspec.json.encode(mask_secrets(decoded)).decode()
    return text if len(text) <= limit else text[:limit] + "…"


def clip(text: str, limit: int = MAX_FIELD) -> str:
    """`text` cut to `limit` characters, marked when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AuditLog:
    def __init__(
        self,
        db: Database,
        *,
        retention_days: int,
        max_rows: int = 1_000_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = db
        self._retention = retention_days * 86400
        self._max_rows = max_rows
        self._pending: list[AuditEntry] = []
        self._refusals = RefusalWindows(REFUSAL_WINDOW, clock)
        self._flushing = trio.Lock()
        self._wake = trio.Event()
        self.dropped = 0

    def record(self, entry: AuditEntry) -> None:
        """Queue an entry; never waits."""
        if len(self._pending) >= MAX_PENDING:
            del self._pending[0]
            self.dropped += 1
        self._pending.append(entry)
        self._wake.set()

    def refused(
        self,
        type: str,
        *,
        ip: str,
        reason: str,
        details: str = "",
        username: str = "",
        severity: str = "warning",
    ) -> bool:
        """Count a refused or failed call; never waits.

        One security record per type, address, account and reason per window
        carries the count; `details` of the first one in a window are kept.
        Returns True when this opened a new window (worth a log line).
        """
        key = (type, severity, clip(ip, 64), clip(username, 64), clip(reason))
        opened = self._refusals.count(key, clip(details))
        self._wake.set()
        return opened

    async def flush(self) -> None:
        """Write the queued entries and the refusal counts; a failed write keeps them queued."""
        async with self._flushing:
            entries, self._pending = self._pending, []
            refusals = [(key, w, w.count, w.last) for key, w in self._refusals.pending()]
            if not entries and not refusals:
                return
            try:
                ids = await self._db.write(
                    partial(self._write, entries=entries, refusals=refusals), durable=False
                )
            except BaseException:
                self._pending[:0] = entries
                raise
            for (_, window, count, _), row_id in zip(refusals, ids, strict=True):
                window.row_id, window.recorded = row_id, count

    def _write(
        self,
        conn: sqlite3.Connection,
        entries: list[AuditEntry],
        refusals: list[tuple[tuple[str, ...], Window, int, float]],
    ) -> list[int]:
        ids = []
        for (type, severity, ip, username, reason), window, count, last in refusals:
            if window.row_id is None:
                details = f"{reason}; {window.details}" if window.details else reason
                row_id = record_security_event(
                    conn,
                    type=type,
                    severity=severity,
                    ip=ip,
                    username=username,
                    details=details,
                    now=window.started,
                    count=count,
                    last_at=last,
                )
            else:
                row_id = window.row_id
                add_to_security_event(conn, row_id, count=count, last_at=last)
            ids.append(row_id)
        if refusals:
            cap_security_events(conn, keep=self._max_rows)
        if entries:
            record_audit(conn, entries)
            cap_audit(conn, keep=self._max_rows)
        return ids

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Write queued entries about once a second; purge old audit and security records hourly."""
        task_status.started()
        last_purge = 0.0
        while True:
            await self._wake.wait()
            self._wake = trio.Event()
            try:
                await self.flush()
                if time.time() - last_purge > 3600:
                    await self._purge(time.time() - self._retention)
                    last_purge = time.time()
            except Unavailable:
                self._wake.set()  # a storage fault: what is queued is tried again next round
            await trio.sleep(FLUSH_INTERVAL)

    async def _purge(self, older_than: float) -> None:
        def purge(conn: sqlite3.Connection) -> int:
            return cleanup_audit(conn, older_than=older_than) + cleanup_security_events(
                conn, older_than=older_than
            )

        removed = await self._db.write(purge, durable=False)
        if removed:
            log.info("retention removed %d audit and security records", removed)

    async def security_events(self, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        await self._flush_before_read()
        return await self._db.read(partial(list_security_events, **filters))

    async def query(self, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        await self._flush_before_read()
        return await self._db.read(partial(query_audit, **filters))

    async def _flush_before_read(self) -> None:
        """Show what is queued too, unless the storage fails: then reads go on without it."""
        if self._db.fault is None:
            with contextlib.suppress(Unavailable):
                await self.flush()
