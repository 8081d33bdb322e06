"""Alert history: one row per alert, from firing to resolved, with its repeat count.

Plain functions over a `sqlite3.Connection`, run through `Database.write` /
`Database.read`. Times are Unix seconds; `notified` is a JSON list of channel types.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import msgspec

from ..model.alert import Alert
from ..model.overview import AlertCount

COLUMNS = (
    "id",
    "rule",
    "cluster_id",
    "severity",
    "title",
    "message",
    "object_kind",
    "object_namespace",
    "object_name",
    "reason",
    "status",
    "fired_at",
    "resolved_at",
    "count",
    "notified",
)
_SELECT = ", ".join(COLUMNS)
_WRITABLE = COLUMNS[1:]
_notified = msgspec.json.Decoder(tuple[str, ...])


def _alerts(cur: sqlite3.Cursor) -> list[Alert]:
    found = []
    for row in cur.fetchall():
        fields = dict(zip(COLUMNS, row, strict=True))
        fields["notified"] = _notified.decode(fields["notified"])
        found.append(Alert(**fields))
    return found


def _values(alert: Alert) -> list[Any]:
    return [
        msgspec.json.encode(alert.notified).decode() if c == "notified" else getattr(alert, c)
        for c in _WRITABLE
    ]


def save_alerts(conn: sqlite3.Connection, alerts: Sequence[Alert]) -> list[int]:
    """Insert the alerts without an `id`, update those with one; return every id, in order."""
    ids = []
    for alert in alerts:
        values = _values(alert)
        if alert.id is None:
            cur = conn.execute(
                f"INSERT INTO alert_history ({', '.join(_WRITABLE)})"
                f" VALUES ({', '.join('?' * len(_WRITABLE))})",
                values,
            )
            ids.append(int(cur.lastrowid or 0))
        else:
            conn.execute(
                f"UPDATE alert_history SET {', '.join(f'{c} = ?' for c in _WRITABLE)} WHERE id = ?",
                [*values, alert.id],
            )
            ids.append(alert.id)
    return ids


def firing_alerts(conn: sqlite3.Connection) -> list[Alert]:
    """Alerts still firing (to carry on after a restart), oldest first."""
    return _alerts(
        conn.execute(f"SELECT {_SELECT} FROM alert_history WHERE status = 'firing' ORDER BY id")
    )


def query_alerts(
    conn: sqlite3.Connection,
    *,
    cluster_id: str | None = None,
    status: str | None = None,
    severity: str | None = None,
    rule: str | None = None,
    since: float | None = None,
    until: float | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Alert], int]:
    """One page of alerts, newest first, and how many match; since/until bound fired_at."""
    clauses: list[str] = []
    args: list[Any] = []
    for column, value in (
        ("cluster_id", cluster_id),
        ("status", status),
        ("severity", severity),
        ("rule", rule),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    if since is not None:
        clauses.append("fired_at >= ?")
        args.append(since)
    if until is not None:
        clauses.append("fired_at <= ?")
        args.append(until)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    total = int(conn.execute(f"SELECT COUNT(*) FROM alert_history{where}", args).fetchone()[0])
    rows = _alerts(
        conn.execute(
            f"SELECT {_SELECT} FROM alert_history{where} ORDER BY fired_at DESC, id DESC"
            " LIMIT ? OFFSET ?",
            [*args, limit, offset],
        )
    )
    return rows, total


def alert_activity(
    conn: sqlite3.Connection, *, cluster_id: str, since: float, recent: int
) -> tuple[list[AlertCount], list[Alert]]:
    """A cluster's alerts fired since `since`: counted per hour (UTC), object kind and
    severity, and the `recent` newest of them."""
    counts = [
        AlertCount(hour=int(hour), kind=kind, severity=severity, count=int(count))
        for hour, kind, severity, count in conn.execute(
            "SELECT CAST(fired_at / 3600 AS INTEGER) * 3600, object_kind, severity, COUNT(*)"
            " FROM alert_history WHERE cluster_id = ? AND fired_at >= ? GROUP BY 1, 2, 3",
            (cluster_id, since),
        )
    ]
    newest, _ = query_alerts(conn, cluster_id=cluster_id, since=since, limit=recent)
    return counts, newest
