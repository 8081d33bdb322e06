"""The audit trail: who did what, written in batches off the request path."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from functools import partial
from typing import Any

import msgspec
import trio

from ..database import Database
from ..database.audit import AuditEntry, cleanup_audit, query_audit, record_audit
from ..database.security import cleanup_security_events, list_security_events
from ..model.errors import Unavailable

log = logging.getLogger("master.audit")

__all__ = ["AuditEntry", "AuditLog", "mask_secrets", "masked_body"]

FLUSH_INTERVAL = 1.0
# Entries waiting for the writer at most; past that the oldest are dropped and counted
# (a flood of refused calls must not grow memory without bound).
MAX_PENDING = 50_000
SECRET_KEYS = ("password", "secret", "token", "webhook_url", "smtp_password", "authorization")
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


class AuditLog:
    def __init__(self, db: Database, *, retention_days: int) -> None:
        self._db = db
        self._retention = retention_days * 86400
        self._pending: list[AuditEntry] = []
        self._wake = trio.Event()
        self.dropped = 0

    def record(self, entry: AuditEntry) -> None:
        """Queue an entry; never waits."""
        if len(self._pending) >= MAX_PENDING:
            del self._pending[0]
            self.dropped += 1
        self._pending.append(entry)
        self._wake.set()

    async def flush(self, *, retry: bool = False) -> None:
        """Write the queued entries; those of a failed write stay queued."""
        entries, self._pending = self._pending, []
        if not entries:
            return
        try:
            await self._db.write(partial(record_audit, entries=entries), retry=retry)
        except BaseException:
            self._pending[:0] = entries
            raise

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Write queued entries about once a second; purge old audit and security records hourly."""
        task_status.started()
        last_purge = 0.0
        while True:
            await self._wake.wait()
            self._wake = trio.Event()
            await self.flush(retry=True)
            if time.time() - last_purge > 3600:
                last_purge = time.time()
                await self._purge(last_purge - self._retention)
            await trio.sleep(FLUSH_INTERVAL)

    async def _purge(self, older_than: float) -> None:
        def purge(conn: sqlite3.Connection) -> int:
            return cleanup_audit(conn, older_than=older_than) + cleanup_security_events(
                conn, older_than=older_than
            )

        removed = await self._db.write(purge, durable=False, retry=True)
        if removed:
            log.info("retention removed %d audit and security records", removed)

    async def security_events(self, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        return await self._db.read(partial(list_security_events, **filters))

    async def query(self, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        with contextlib.suppress(Unavailable):  # storage fault: reads go on without the newest
            await self.flush()
        return await self._db.read(partial(query_audit, **filters))
