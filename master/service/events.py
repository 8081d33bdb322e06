"""Event and cluster persistence from the hub's change marks, and retention cleanup."""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime

import trio

from ..config import StorageConfig
from ..database import Database
from ..database.clusters import list_clusters, upsert_cluster
from ..database.events import cleanup_events, upsert_events
from ..datahub import DataHub
from ..model.agent import AgentStatus
from ..model.event import Event
from ..model.gotime import format_time

log = logging.getLogger("master.events")

# Changes are written at most this often: marks coalesce meanwhile, so one
# transaction carries a second of every cluster's snapshots.
PERSIST_INTERVAL = 1.0


class EventPersister:
    """Drains the hub's marks into SQLite: changed events (UPSERT by uid) and cluster rows."""

    def __init__(self, hub: DataHub, db: Database) -> None:
        self._hub = hub
        self._db = db

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        while True:
            events, agents = await self._hub.wait_dirty_clusters()
            # Through a storage fault this waits (marks keep coalescing meanwhile).
            await self._save(events, agents, retry=True)
            await trio.sleep(PERSIST_INTERVAL)

    async def flush(self) -> None:
        """Write what is marked now (shutdown: one attempt, Unavailable if it fails)."""
        await self._save(*self._hub.take_dirty_clusters(), retry=False)

    async def _save(
        self, events: dict[str, list[Event]], agents: list[AgentStatus], *, retry: bool
    ) -> None:
        if not events and not agents:
            return
        now = format_time(datetime.now(UTC))
        assert now is not None

        def save(conn: sqlite3.Connection) -> int:
            for agent in agents:
                upsert_cluster(
                    conn,
                    agent.cluster_id,
                    seen=agent.last_seen or agent.first_seen,
                    heartbeat=agent.last_heartbeat,
                    snapshot=agent.last_snapshot,
                )
            return sum(upsert_events(conn, cid, evs, now) for cid, evs in events.items())

        written = await self._db.write(save, durable=False, retry=retry)
        log.debug("persisted %d events of %d clusters", written, len(events))


async def serve_event_cleanup(
    db: Database,
    storage: StorageConfig,
    *,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Delete stored events older than the retention or beyond the per-cluster count or size."""
    task_status.started()
    while True:
        cutoff = format_time(
            datetime.fromtimestamp(time.time() - storage.event_retention_days * 86400, UTC)
        )
        assert cutoff is not None

        def clean(conn: sqlite3.Connection, cutoff: str = cutoff) -> int:
            return cleanup_events(
                conn,
                older_than=cutoff,
                max_per_cluster=storage.event_max_count,
                max_bytes_per_cluster=storage.event_max_bytes,
            )

        deleted = await db.write(clean, retry=True)
        if deleted:
            log.info("event retention removed %d stored events", deleted)
        await trio.sleep(storage.event_cleanup_interval)


async def restore_clusters(hub: DataHub, db: Database) -> int:
    """Clusters known before a restart come back offline until their agents report."""
    statuses = await db.read(list_clusters)
    await hub.restore_agents(statuses)
    return len(statuses)
