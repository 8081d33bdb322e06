"""Notification channels: one row per type, its config JSON and delivery outcomes.

Plain functions over a `sqlite3.Connection`, run through `Database.write` /
`Database.read`. Secret config fields arrive here already encrypted; this
module never sees them in clear. Times are Unix seconds.
"""

from __future__ import annotations

import sqlite3
from typing import Any

_COLUMNS = (
    "type, name, enabled, config, last_test_status, last_test_message, last_test_at, "
    "last_send_status, last_send_error, last_send_at, sent_count, failed_count, "
    "dropped_count, created_at, updated_at"
)


def _rows(cur: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    out = []
    for row in cur.fetchall():
        # zip works for tuples and sqlite3.Row alike, whatever the row_factory.
        item = dict(zip(names, row, strict=True))
        item["enabled"] = bool(item["enabled"])
        out.append(item)
    return out


def list_channels(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every stored channel row, by type."""
    return _rows(conn.execute(f"SELECT {_COLUMNS} FROM notify_channels ORDER BY type"))


def save_channel(
    conn: sqlite3.Connection, type: str, *, name: str, enabled: bool, config: str, now: float
) -> dict[str, Any]:
    """Create or replace the channel's name, enabled flag and config JSON; return the row."""
    conn.execute(
        "INSERT INTO notify_channels (type, name, enabled, config, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (type) DO UPDATE SET name = excluded.name,"
        " enabled = excluded.enabled, config = excluded.config, updated_at = excluded.updated_at",
        (type, name, int(enabled), config, now, now),
    )
    return _rows(conn.execute(f"SELECT {_COLUMNS} FROM notify_channels WHERE type = ?", (type,)))[0]


def seed_channels(conn: sqlite3.Connection, rows: list[dict[str, Any]], now: float) -> bool:
    """Insert `rows` (type, name, enabled, config) only if no channel is stored yet.

    Returns whether it seeded. Checked inside the write transaction, so two
    starts can never both seed.
    """
    if conn.execute("SELECT COUNT(*) FROM notify_channels").fetchone()[0]:
        return False
    for row in rows:
        save_channel(
            conn,
            row["type"],
            name=row["name"],
            enabled=row["enabled"],
            config=row["config"],
            now=now,
        )
    return True


def record_test(
    conn: sqlite3.Connection, type: str, *, status: str, message: str, now: float
) -> None:
    """Remember the outcome of the channel's last test send."""
    conn.execute(
        "UPDATE notify_channels SET last_test_status = ?, last_test_message = ?,"
        " last_test_at = ? WHERE type = ?",
        (status, message, now, type),
    )


def record_send(
    conn: sqlite3.Connection, type: str, *, status: str, error: str, now: float
) -> None:
    """Count one delivery outcome ('ok', 'failed' or 'dropped') and keep the latest."""
    column = {"ok": "sent_count", "failed": "failed_count", "dropped": "dropped_count"}[status]
    conn.execute(
        f"UPDATE notify_channels SET {column} = {column} + 1, last_send_status = ?,"
        " last_send_error = ?, last_send_at = ? WHERE type = ?",
        (status, error, now, type),
    )
