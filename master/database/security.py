"""Security events (failed logins, throttling, refused calls) kept for review.

Plain functions over a `sqlite3.Connection`; callers run them through
`Database.write` / `Database.read`. A flood is one row per address, reason
and window whose `count` grows as it goes on (`add_to_security_event`), so
refusals cannot fill the disk. Times are Unix seconds.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from .paging import page

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
    clauses: list[str] = []
    args: list[Any] = []
    if type is not None:
        clauses.append("type = ?")
        args.append(type)
    if since is not None:
        clauses.append("created_at >= ?")
        args.append(since)
    rows, total = page(
        conn,
        table="security_events",
        columns=_COLUMNS,
        clauses=clauses,
        args=args,
        order="created_at DESC, id DESC",
        limit=limit,
        offset=offset,
    )
    return [dict(row) for row in rows], total


def cleanup_security_events(conn: sqlite3.Connection, *, older_than: float) -> int:
    """Delete events created before `older_than`; return how many were deleted."""
    return conn.execute("DELETE FROM security_events WHERE created_at < ?", (older_than,)).rowcount


def cap_security_events(conn: sqlite3.Connection, *, keep: int) -> int:
    """Delete all but the newest `keep` events (by id); return how many were deleted."""
    return conn.execute(
        "DELETE FROM security_events WHERE id <= (SELECT MAX(id) FROM security_events) - ?",
        (keep,),
    ).rowcount
