"""Clusters the master has heard from, and when, so they are listed after a restart."""

from __future__ import annotations

import sqlite3

from master.model.agent import AgentStatus


def upsert_cluster(
    conn: sqlite3.Connection,
    cluster_id: str,
    *,
    seen: float,
    heartbeat: float | None,
    snapshot: float | None,
) -> None:
    """Record that a cluster was seen at `seen` (Unix seconds).

    A new cluster gets first_seen = seen. The heartbeat and snapshot times
    are updated only when given, so a heartbeat does not erase the last
    snapshot time.
    """
    conn.execute(
        """
        INSERT INTO clusters (cluster_id, first_seen, last_seen, last_heartbeat, last_snapshot)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (cluster_id) DO UPDATE SET
            last_seen = excluded.last_seen,
            last_heartbeat = COALESCE(excluded.last_heartbeat, clusters.last_heartbeat),
            last_snapshot = COALESCE(excluded.last_snapshot, clusters.last_snapshot)
        """,
        (cluster_id, seen, seen, heartbeat, snapshot),
    )


def list_clusters(conn: sqlite3.Connection) -> list[AgentStatus]:
    """Every known cluster, ordered by cluster_id, offline until its agent reports."""
    rows = conn.execute(
        "SELECT cluster_id, first_seen, last_heartbeat, last_snapshot FROM clusters"
        " ORDER BY cluster_id"
    )
    return [
        AgentStatus(cluster_id=cid, first_seen=first, last_heartbeat=beat, last_snapshot=snap)
        for cid, first, beat, snap in rows
    ]
