"""Security events (failed logins, throttling, refused calls) kept for review.

Plain functions over a `sqlite3.Connection`; callers run them through
`Database.write` / `Database.read`. A flood is one row per address, reason
and window whose `count` grows as it goes on (`add_to_security_event`), so
refusals cannot fill the disk. Times are Unix seconds.
"""

from __future__ import annotations

import sqlite3
from typing import Any

_COLUMNS = "id, type, severity, ip, username, details, created_at, count, last_at"


def record_security_event(
    conn: sqlite3.Connection,
    *,
    type: str,
    severity: str,
    ip: str,
    username: str,
    details: str,
    now: float,
    count: int = 1,
    last_at: float | None = None,
) -> int:
    """Store one security event that happened at `now` (`count` of them until `last_at`);
    return its id."""
    cur = conn.execute(
        "INSERT INTO security_events"
        " (type, severity, ip, username, details, created_at, count, last_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (type, severity, ip, username, details, now, count, last_at),
    )
    return int(cur.lastrowid or 0)


def add_to_security_event(
    conn: sqlite3.Connection, event_id: int, *, count: int, last_at: float
) -> None:
    """Set how many refusals the event stands for and when the last one came."""
    conn.execute(
        "UPDATE security_events SET count = ?, last_at = ? WHERE id = ?",
        (count, last_at, event_id),
    )


def list_security_events(
    conn: sqlite3.Connection,
    *,
    type: str | None = None,
    since: float | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of events, newest first, and how many match in total.

    `since` is an inclusive lower bound on created_at. Each item has every
    column. Raises ValueError for a negative limit or offset.
    """
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    clauses: list[str] = []
    args: list[Any] = []
    if type is not None:
        clauses.append("type = ?")
        args.append(type)
    if since is not None:
        clauses.append("created_at >= ?")
        args.append(since)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    total = int(conn.execute(f"SELECT COUNT(*) FROM security_events{where}", args).fetchone()[0])
    cur = conn.execute(
        f"SELECT {_COLUMNS} FROM security_events{where}"
        " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        [*args, limit, offset],
    )
    names = [d[0] for d in cur.description]
    # zip over the row works for tuples and sqlite3.Row alike, whatever the
    # connection's row_factory.
    return [dict(zip(names, row, strict=True)) for row in cur], total


def cleanup_security_events(conn: sqlite3.Connection, *, older_than: float) -> int:
    """Delete events created before `older_than`; return how many were deleted."""
    return conn.execute("DELETE FROM security_events WHERE created_at < ?", (older_than,)).rowcount


def cap_security_events(conn: sqlite3.Connection, *, keep: int) -> int:
    """Delete all but the newest `keep` events (by id); return how many were deleted."""
    return conn.execute(
        "DELETE FROM security_events WHERE id <= (SELECT MAX(id) FROM security_events) - ?",
        (keep,),
    ).rowcount
