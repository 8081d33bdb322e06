"""Notification channels: one row per type, its config JSON and delivery outcomes.

Plain functions over a `sqlite3.Connection`, run through `Database.write` /
`Database.read`. Secret config fields arrive here already encrypted; this
module never sees them in clear. Times are Unix seconds.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from master.model.channel import ChannelState, SendStatus, TestStatus

from .paging import select

_STATE = tuple(ChannelState.__struct_fields__)
_COLUMNS = ", ".join((*_STATE, "config"))
_COUNTS: dict[SendStatus, str] = {
    "ok": "sent_count",
    "failed": "failed_count",
    "dropped": "dropped_count",
}


class StoredChannel(NamedTuple):
    """A channel row: its state and its config JSON (secret fields sealed)."""

    state: ChannelState
    config: str


def _channel(row: sqlite3.Row) -> StoredChannel:
    values = {name: row[name] for name in _STATE}
    values["enabled"] = bool(values["enabled"])
    return StoredChannel(ChannelState(**values), row["config"])


def list_channels(conn: sqlite3.Connection) -> list[StoredChannel]:
    """Every stored channel, by type."""
    return [
        _channel(row)
        for row in select(conn, f"SELECT {_COLUMNS} FROM notify_channels ORDER BY type")
    ]


def save_channel(
    conn: sqlite3.Connection, type: str, *, name: str, enabled: bool, config: str, now: float
) -> StoredChannel:
    """Create or replace the channel's name, enabled flag and config JSON; return the row."""
    conn.execute(
        "INSERT INTO notify_channels (type, name, enabled, config, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (type) DO UPDATE SET name = excluded.name,"
        " enabled = excluded.enabled, config = excluded.config, updated_at = excluded.updated_at",
        (type, name, int(enabled), config, now, now),
    )
    (row,) = select(conn, f"SELECT {_COLUMNS} FROM notify_channels WHERE type = ?", (type,))
    return _channel(row)


def seed_channels(conn: sqlite3.Connection, channels: list[StoredChannel], now: float) -> bool:
    """Insert `channels` (type, name, enabled and config) only if no channel is stored yet.

    Returns whether it seeded. Checked inside the write transaction, so two
    starts can never both seed.
    """
    if conn.execute("SELECT COUNT(*) FROM notify_channels").fetchone()[0]:
        return False
    for state, config in channels:
        save_channel(
            conn, state.type, name=state.name, enabled=state.enabled, config=config, now=now
        )
    return True


def record_test(
    conn: sqlite3.Connection, type: str, *, status: TestStatus, message: str, now: float
) -> None:
    """Remember the outcome of the channel's last test send."""
    conn.execute(
        "UPDATE notify_channels SET last_test_status = ?, last_test_message = ?,"
        " last_test_at = ? WHERE type = ?",
        (status, message, now, type),
    )


def record_send(
    conn: sqlite3.Connection, type: str, *, status: SendStatus, error: str, now: float
) -> None:
    """Count one delivery outcome and keep the latest."""
    column = _COUNTS[status]
    conn.execute(
        f"UPDATE notify_channels SET {column} = {column} + 1, last_send_status = ?,"
        " last_send_error = ?, last_send_at = ? WHERE type = ?",
        (status, error, now, type),
    )
