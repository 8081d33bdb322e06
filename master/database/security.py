"""Security events (failed logins, lockouts, rejected agent tokens) kept for review.

Plain functions over a `sqlite3.Connection`; callers run them through
`Database.write` / `Database.read`. Times are Unix seconds.
"""

from __future__ import annotations

import sqlite3
from typing import Any

_COLUMNS = "id, type, severity, ip, username, details, created_at"


def record_security_event(
    conn: sqlite3.Connection,
    *,
    type: str,
    severity: str,
    ip: str,
    username: str,
    details: str,
    now: float,
) -> None:
    """Store one security event that happened at `now`."""
    conn.execute(
        "INSERT INTO security_events (type, severity, ip, username, details, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (type, severity, ip, username, details, now),
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
