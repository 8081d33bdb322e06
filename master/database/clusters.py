"""Clusters the master has heard from, and when, so they are listed after a restart."""

from __future__ import annotations

import sqlite3

from master.model.agent import AgentStatus
from master.model.generation import GENERATIONS, Generation


def upsert_cluster(
    conn: sqlite3.Connection,
    cluster_id: str,
    *,
    seen: float,
    heartbeat: float | None,
    snapshot: float | None,
    generation: Generation | None = None,
) -> None:
    """Record that a cluster was seen at `seen` (Unix seconds).

    A new cluster gets first_seen = seen. The heartbeat and snapshot times
    and the agent's generation are updated only when given, so a heartbeat
    does not erase the last snapshot time.
    """
    conn.execute(
        """
        INSERT INTO clusters
            (cluster_id, first_seen, last_seen, last_heartbeat, last_snapshot, agent_generation)
        VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (cluster_id) DO UPDATE SET
            last_seen = excluded.last_seen,
            last_heartbeat = COALESCE(excluded.last_heartbeat, clusters.last_heartbeat),
            last_snapshot = COALESCE(excluded.last_snapshot, clusters.last_snapshot),
            agent_generation = COALESCE(excluded.agent_generation, clusters.agent_generation)
        """,
        (cluster_id, seen, seen, heartbeat, snapshot, generation),
    )


def list_clusters(conn: sqlite3.Connection) -> list[AgentStatus]:
    """Every known cluster, ordered by cluster_id, offline until its agent reports."""
    rows = conn.execute(
        "SELECT cluster_id, first_seen, last_heartbeat, last_snapshot, agent_generation"
        " FROM clusters ORDER BY cluster_id"
    )
    return [
        AgentStatus(
            cluster_id=cid,
            first_seen=first,
            last_heartbeat=beat,
            last_snapshot=snap,
            generation=generation if generation in GENERATIONS else None,
        )
        for cid, first, beat, snap, generation in rows
    ]
