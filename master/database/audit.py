"""The audit log: who called what, from where, and how it ended.

Plain functions over a `sqlite3.Connection`; callers run them through
`Database.write` / `Database.read`. Entries arrive in batches (one
`executemany` per batch) because every API request produces one. Times are
Unix seconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

from .paging import page


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One request to record. Defaults match the column defaults."""

    created_at: float
    username: str = ""
    user_id: int = 0  # 0: nobody logged in
    role: int | None = None
    source: str = ""  # 'gateway' or 'agent'
    action: str
    resource: str = ""
    method: str
    path: str
    status: int
    success: bool
    error: str = ""
    ip: str = ""
    user_agent: str = ""
    duration_ms: float = 0.0
    request_body: str = ""


_FIELDS = tuple(f.name for f in fields(AuditEntry))
_INSERT = (
    f"INSERT INTO audit_logs ({', '.join(_FIELDS)}) VALUES ({', '.join(':' + f for f in _FIELDS)})"
)
_COLUMNS = "id, " + ", ".join(_FIELDS)


def _params(entries: Iterable[AuditEntry]) -> Iterator[dict[str, Any]]:
    for entry in entries:
        values = {f: getattr(entry, f) for f in _FIELDS}
        values["success"] = int(entry.success)
        yield values


def record_audit(conn: sqlite3.Connection, entries: Iterable[AuditEntry]) -> int:
    """Insert a batch of entries in one statement; return how many were inserted."""
    return max(conn.executemany(_INSERT, _params(entries)).rowcount, 0)


def query_audit(
    conn: sqlite3.Connection,
    *,
    username: str | None = None,
    user_id: int | None = None,
    actions: Sequence[str] | None = None,
    method: str | None = None,
    success: bool | None = None,
    status: int | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of entries, newest first, and how many match in total.

    Filters are AND-ed and exact (`actions`: any of them); since/until are
    inclusive bounds on created_at. Each item has every column, `success` as a bool. Raises
    ValueError for a negative limit or offset.
    """
    clauses: list[str] = []
    args: list[Any] = []
    for column, value in (
        ("username", username),
        ("user_id", user_id),
        ("method", method),
        ("success", None if success is None else int(success)),
        ("status", status),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    if actions is not None:
        clauses.append(f"action IN ({', '.join('?' * len(actions))})" if actions else "0")
        args.extend(actions)
    if since is not None:
        clauses.append("created_at >= ?")
        args.append(since)
    if until is not None:
        clauses.append("created_at <= ?")
        args.append(until)
    rows, total = page(
        conn,
        table="audit_logs",
        columns=_COLUMNS,
        clauses=clauses,
        args=args,
        order="created_at DESC, id DESC",
        limit=limit,
        offset=offset,
    )
    items = [dict(row) for row in rows]
    for item in items:
        item["success"] = bool(item["success"])
    return items, total


def cleanup_audit(conn: sqlite3.Connection, *, older_than: float) -> int:
    """Delete entries created before `older_than`; return how many were deleted."""
    return conn.execute("DELETE FROM audit_logs WHERE created_at < ?", (older_than,)).rowcount


def cap_audit(conn: sqlite3.Connection, *, keep: int) -> int:
    """Delete all but the newest `keep` entries (by id); return how many were deleted."""
    return conn.execute(
        "DELETE FROM audit_logs WHERE id <= (SELECT MAX(id) FROM audit_logs) - ?", (keep,)
    ).rowcount
