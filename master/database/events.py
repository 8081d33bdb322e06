"""Event history: idempotent upsert of agents' event windows, queries, retention.

Plain functions over a `sqlite3.Connection`; callers run them through
`Database.write` / `Database.read`. Timestamps are `gotime.format_time` text,
which sorts correctly as text.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from master.model.event import Event, InvolvedObject

from .paging import page

_COLUMNS = (
    "id, event_uid, cluster_id, namespace, name, kind, type, reason, message, source_component,"
    " involved_kind, involved_namespace, involved_name, involved_uid,"
    " first_timestamp, last_timestamp, count, created_at"
)

# The agent resends its whole window every snapshot, so a known uid takes the
# agent's latest values (count is the agent's running total, never added up).
# A known time is not forgotten when a later copy leaves it unset, which keeps
# sort_ts = COALESCE(last_timestamp, first_timestamp, created_at, stored_at)
# true: the event's last time, else the creation of its Kubernetes object (all
# an events.k8s.io event has), else when this master first stored it.
# The WHERE stops an agent of another cluster that reuses a uid from
# overwriting this cluster's row.
_UPSERT = """
INSERT INTO cluster_events (
    event_uid, cluster_id, namespace, name, kind, type, reason, message, source_component,
    involved_kind, involved_namespace, involved_name, involved_uid,
    first_timestamp, last_timestamp, count, created_at, stored_at, sort_ts
) VALUES (
    :uid, :cluster_id, :namespace, :name, :kind, :type, :reason, :message, :source,
    :involved_kind, :involved_namespace, :involved_name, :involved_uid,
    :first_timestamp, :last_timestamp, :count, :created_at, :now,
    COALESCE(:last_timestamp, :first_timestamp, :created_at, :now)
)
ON CONFLICT (event_uid) DO UPDATE SET
    namespace = excluded.namespace,
    name = excluded.name,
    kind = excluded.kind,
    type = excluded.type,
    reason = excluded.reason,
    message = excluded.message,
    source_component = excluded.source_component,
    involved_kind = excluded.involved_kind,
    involved_namespace = excluded.involved_namespace,
    involved_name = excluded.involved_name,
    involved_uid = excluded.involved_uid,
    first_timestamp = COALESCE(excluded.first_timestamp, cluster_events.first_timestamp),
    last_timestamp = COALESCE(excluded.last_timestamp, cluster_events.last_timestamp),
    created_at = COALESCE(excluded.created_at, cluster_events.created_at),
    count = excluded.count,
    sort_ts = COALESCE(
        excluded.last_timestamp, cluster_events.last_timestamp,
        excluded.first_timestamp, cluster_events.first_timestamp,
        excluded.created_at, cluster_events.created_at,
        cluster_events.stored_at
    )
WHERE cluster_events.cluster_id = excluded.cluster_id
"""


def _params(cluster_id: str, events: Iterable[Event], now: str) -> Iterator[dict[str, Any]]:
    for ev in events:
        if not ev.uid:
            # An empty uid would fold every such event into one row; the
            # processor fills uids, so this only drops malformed input.
            continue
        obj = ev.involved_object
        yield {
            "uid": ev.uid,
            "cluster_id": cluster_id,
            "namespace": ev.namespace,
            "name": ev.name,
            "kind": ev.kind,
            "type": ev.type,
            "reason": ev.reason,
            "message": ev.message,
            "source": ev.source,
            "involved_kind": obj.kind,
            "involved_namespace": obj.namespace,
            "involved_name": obj.name,
            "involved_uid": obj.uid,
            "first_timestamp": ev.first_timestamp,
            "last_timestamp": ev.last_timestamp,
            "count": ev.count,
            "created_at": ev.created_at,
            "now": now,
        }


def upsert_events(
    conn: sqlite3.Connection, cluster_id: str, events: Iterable[Event], now: str
) -> int:
    """Insert or refresh a cluster's events by uid; `now` becomes stored_at of new rows.

    Idempotent, so resending a window changes nothing. Events without a uid
    are skipped. Returns the rows inserted or updated (a uid owned by another
    cluster is not counted).
    """
    cur = conn.executemany(_UPSERT, _params(cluster_id, events, now))
    return max(cur.rowcount, 0)


def _where(
    *,
    cluster_id: str | None,
    type: str | None,
    reason: str | None,
    namespace: str | None,
    since: str | None,
    until: str | None,
    objects: Sequence[tuple[str, str, str]] | None,
) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    for column, value in (
        ("cluster_id", cluster_id),
        ("type", type),
        ("reason", reason),
        ("namespace", namespace),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    if since is not None:
        clauses.append("sort_ts >= ?")
        args.append(since)
    if until is not None:
        clauses.append("sort_ts <= ?")
        args.append(until)
    if objects is not None:
        # One JSON parameter however many objects: no SQLite variable limit.
        # An empty list is "related to nothing".
        clauses.append(
            "(involved_kind, involved_namespace, involved_name) IN ("
            "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
            " json_extract(value, '$[2]') FROM json_each(?))"
        )
        args.append(json.dumps([list(o) for o in objects]))
    return clauses, args


def _row_to_json(row: sqlite3.Row) -> dict[str, Any]:
    event = Event(
        uid=row["event_uid"],
        name=row["name"],
        namespace=row["namespace"],
        kind=row["kind"],
        type=row["type"],
        reason=row["reason"],
        message=row["message"],
        source=row["source_component"],
        involved_object=InvolvedObject(
            kind=row["involved_kind"],
            namespace=row["involved_namespace"],
            name=row["involved_name"],
            uid=row["involved_uid"],
        ),
        count=row["count"],
        created_at=row["created_at"],
        first_timestamp=row["first_timestamp"],
        last_timestamp=row["last_timestamp"],
    )
    return event.to_json(row["cluster_id"])


def query_events(
    conn: sqlite3.Connection,
    *,
    cluster_id: str | None = None,
    type: str | None = None,
    reason: str | None = None,
    namespace: str | None = None,
    since: str | None = None,
    until: str | None = None,
    objects: Sequence[tuple[str, str, str]] | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """One page of events, newest first, and how many match in total.

    Filters are AND-ed; `objects` ((kind, namespace, name) of involved
    objects) keeps events about any of them. since/until are inclusive bounds
    on the event's time (`event_time`). Each item is `Event.to_json(cluster_id)`.
    Raises ValueError for a negative limit or offset.
    """
    clauses, args = _where(
        cluster_id=cluster_id,
        type=type,
        reason=reason,
        namespace=namespace,
        since=since,
        until=until,
        objects=objects,
    )
    rows, total = page(
        conn,
        table="cluster_events",
        columns=_COLUMNS,
        clauses=clauses,
        args=args,
        order="sort_ts DESC, id DESC",
        limit=limit,
        offset=offset,
    )
    return [_row_to_json(row) for row in rows], total


# Every distinct cluster_id by hopping along the index: one seek per cluster
# instead of reading every row.
_CLUSTER_IDS = """
WITH RECURSIVE ids(cluster_id) AS (
    SELECT MIN(cluster_id) FROM cluster_events
    UNION ALL
    SELECT (SELECT MIN(cluster_id) FROM cluster_events WHERE cluster_id > ids.cluster_id)
    FROM ids WHERE ids.cluster_id IS NOT NULL
)
SELECT cluster_id FROM ids WHERE cluster_id IS NOT NULL
"""


# An event's size, as the byte bound counts it: its text.
_ROW_BYTES = " + ".join(
    f"length(CAST({c} AS BLOB))"
    for c in (
        "event_uid",
        "namespace",
        "name",
        "kind",
        "type",
        "reason",
        "message",
        "source_component",
        "involved_kind",
        "involved_namespace",
        "involved_name",
        "involved_uid",
    )
)
# The newest row beyond the first `max_bytes` of a cluster's events, newest first.
_BYTES_EDGE = f"""
SELECT sort_ts, id FROM (
    SELECT sort_ts, id, SUM({_ROW_BYTES}) OVER (ORDER BY sort_ts DESC, id DESC) AS total
    FROM cluster_events WHERE cluster_id = ?
) WHERE total > ? ORDER BY sort_ts DESC, id DESC LIMIT 1
"""


def cleanup_events(
    conn: sqlite3.Connection,
    *,
    older_than: str,
    max_per_cluster: int,
    max_bytes_per_cluster: int | None = None,
) -> int:
    """Delete events older than `older_than`, then all but each cluster's newest
    `max_per_cluster`, then the oldest beyond `max_bytes_per_cluster` of text.

    Age is sort_ts (`event_time`, else when the master first stored the
    event). The first two steps are an index range per cluster, not a table
    scan; the byte bound sums the cluster's rows. Returns the number of rows
    deleted. Raises ValueError for a negative bound.
    """
    if max_per_cluster < 0 or (max_bytes_per_cluster or 0) < 0:
        raise ValueError("max_per_cluster and max_bytes_per_cluster must not be negative")
    deleted = 0
    clusters = [row[0] for row in conn.execute(_CLUSTER_IDS)]
    for cluster_id in clusters:
        deleted += conn.execute(
            "DELETE FROM cluster_events WHERE cluster_id = ? AND sort_ts < ?",
            (cluster_id, older_than),
        ).rowcount
        # The newest row that falls outside the kept window; it and all older go.
        edge = conn.execute(
            "SELECT sort_ts, id FROM cluster_events WHERE cluster_id = ?"
            " ORDER BY sort_ts DESC, id DESC LIMIT 1 OFFSET ?",
            (cluster_id, max_per_cluster),
        ).fetchone()
        if max_bytes_per_cluster is not None:
            by_size = conn.execute(_BYTES_EDGE, (cluster_id, max_bytes_per_cluster)).fetchone()
            if by_size is not None and (edge is None or tuple(by_size) > tuple(edge)):
                edge = by_size
        if edge is not None:
            deleted += conn.execute(
                "DELETE FROM cluster_events WHERE cluster_id = ? AND (sort_ts, id) <= (?, ?)",
                (cluster_id, edge[0], edge[1]),
            ).rowcount
    return deleted
