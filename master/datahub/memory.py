"""The in-memory hub: what every cluster looks like now, kept in this process."""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import trio

from ..config import CommandsConfig, DatahubConfig, StreamConfig
from ..metrics import Metrics
from ..model.agent import OFFLINE, ONLINE, AgentStatus
from ..model.command import Command, CommandResult
from ..model.event import Event, event_time
from ..model.gotime import format_time
from ..model.snapshot import ClusterSnapshot, SnapshotChanges
from ..model.views import cluster_view, command_view
from ..processor import diff_snapshot
from .commands import CommandBoard
from .fanout import Body, Fanout

log = logging.getLogger("master.datahub")

SWEEP_INTERVAL = 1.0
# The event window is minutes long; trimming it is the costly part of a sweep.
TRIM_EVENTS_EVERY = 30
# Final commands stay in memory this long so `?wait=` and status reads need no database.
KEEP_FINAL_COMMANDS = 600.0
# A new subscriber's state of the `events` topic: each cluster's latest events.
STATE_EVENTS = 200


class _Cluster:
    def __init__(self, status: AgentStatus) -> None:
        self.status = status
        self.snapshot: ClusterSnapshot | None = None
        # uid -> (event, when it was last received): the realtime window.
        self.events: dict[str, tuple[Event, float]] = {}


class MemoryHub:
    """Latest snapshots, agent status, the event window, command queues and change marks.

    Persistence drains the change marks (`wait_dirty_*`); marks coalesce, so a
    slow database delays persistence but never blocks ingest. Every change is
    also published on `fanout` for the live stream.
    """

    def __init__(
        self,
        *,
        metrics: Metrics,
        datahub: DatahubConfig = DatahubConfig(),
        commands: CommandsConfig = CommandsConfig(),
        stream: StreamConfig = StreamConfig(),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._heartbeat_expire = datahub.heartbeat_expire
        self._event_window = datahub.event_retention
        self._event_window_max = datahub.event_window_max
        self._clock = clock
        self._clusters: dict[str, _Cluster] = {}
        self._dirty_events: dict[str, dict[str, Event]] = {}
        self._dirty_agents: set[str] = set()
        self._dirty_commands: dict[str, Command] = {}
        self._cluster_mark = trio.Event()
        self._command_mark = trio.Event()
        self._sweeps = 0
        # cluster -> alert id -> the alert's view, while it fires (for new subscribers).
        self._alerts: dict[str, dict[int, Body]] = {}
        self.fanout = Fanout(stream, metrics=metrics)
        self.commands = CommandBoard(
            commands,
            keep_final=KEEP_FINAL_COMMANDS,
            clock=clock,
            on_change=self._mark_command,
            metrics=metrics,
        )

    # -- agents ---------------------------------------------------------------

    def _seen(self, cluster_id: str, now: float) -> tuple[_Cluster, bool]:
        """The cluster, registered and marked online; True when that changed its status."""
        cluster = self._clusters.get(cluster_id)
        if cluster is None:
            cluster = self._clusters[cluster_id] = _Cluster(
                AgentStatus(cluster_id=cluster_id, first_seen=now)
            )
            log.info("cluster %s registered", cluster_id)
        changed = cluster.status.status != ONLINE
        if changed:
            cluster.status.status = ONLINE
            log.info("cluster %s online", cluster_id)
        self._dirty_agents.add(cluster_id)
        self._cluster_mark.set()
        return cluster, changed

    def restore_agents(self, statuses: Iterable[AgentStatus]) -> None:
        """Known clusters from the database after a restart: offline until they report."""
        for status in statuses:
            if status.cluster_id not in self._clusters:
                status.status = OFFLINE
                self._clusters[status.cluster_id] = _Cluster(status)

    def heartbeat(self, cluster_id: str) -> None:
        """A heartbeat: registers an unknown cluster, marks it online."""
        now = self._clock()
        cluster, changed = self._seen(cluster_id, now)
        cluster.status.last_heartbeat = now
        self._publish_cluster(cluster_id, urgent=changed)

    def apply_snapshot(self, snapshot: ClusterSnapshot) -> SnapshotChanges:
        """Store the cluster's latest snapshot and merge its events into the window."""
        cluster, online = self._seen(snapshot.cluster_id, snapshot.received_at)
        cluster.status.last_snapshot = snapshot.received_at
        known = {uid: e for uid, (e, _) in cluster.events.items()}
        changes = diff_snapshot(snapshot, cluster.snapshot, known)
        cluster.snapshot = snapshot
        for event in snapshot.events:
            cluster.events[event.uid] = (event, snapshot.received_at)
        if len(cluster.events) > self._event_window_max:
            # An agent sending fresh uids fast would grow the window without bound.
            present = {e.uid for e in snapshot.events}
            older = sorted(
                (uid for uid in cluster.events if uid not in present),
                key=lambda uid: event_time(cluster.events[uid][0]),
            )
            for uid in older[: len(cluster.events) - self._event_window_max]:
                del cluster.events[uid]
        changed = changes.new_events + changes.updated_events
        if changed:
            dirty = self._dirty_events.setdefault(snapshot.cluster_id, {})
            dirty.update((e.uid, e) for e in changed)
        cid = snapshot.cluster_id
        self._publish_cluster(cid, urgent=online)
        self.fanout.publish_coalesced("summary", cid, lambda: self.summary_body(cid) or {})
        if changed:
            self.fanout.publish(
                "events",
                cid,
                {
                    "events": [
                        *(_event_json(cid, e, "new") for e in changes.new_events),
                        *(_event_json(cid, e, "updated") for e in changes.updated_events),
                    ]
                },
            )
        return changes

    def known(self, cluster_id: str) -> bool:
        return cluster_id in self._clusters

    def agent(self, cluster_id: str) -> AgentStatus | None:
        cluster = self._clusters.get(cluster_id)
        return cluster.status if cluster else None

    def agents(self) -> list[AgentStatus]:
        return [c.status for c in self._clusters.values()]

    def snapshot(self, cluster_id: str) -> ClusterSnapshot | None:
        cluster = self._clusters.get(cluster_id)
        return cluster.snapshot if cluster else None

    def event_window(self, cluster_id: str) -> list[Event]:
        cluster = self._clusters.get(cluster_id)
        return [e for e, _ in cluster.events.values()] if cluster else []

    # -- commands -------------------------------------------------------------

    def enqueue(self, cmd: Command) -> None:
        self.commands.enqueue(cmd)
        self.fanout.publish("commands", cmd.cluster_id, command_body(cmd))

    async def poll(self, cluster_id: str) -> Command | None:
        return await self.commands.poll(cluster_id)

    def complete(self, result: CommandResult) -> Command | None:
        return self.commands.complete(result)

    def release(self, cmd: Command) -> None:
        """A hand-out whose record could not be written goes back (see CommandBoard.release)."""
        self.commands.release(cmd)

    def _mark_command(self, cmd: Command) -> None:
        self._dirty_commands[cmd.id] = cmd
        self._command_mark.set()
        self.fanout.publish("commands", cmd.cluster_id, command_body(cmd))

    # -- the live stream ------------------------------------------------------

    def _publish_cluster(self, cluster_id: str, *, urgent: bool) -> None:
        """Status changes go out now; last-seen updates are coalesced."""
        self.fanout.publish_coalesced(
            "clusters", cluster_id, lambda: self.cluster_body(cluster_id), urgent=urgent
        )

    def cluster_body(self, cluster_id: str) -> Body:
        cluster = self._clusters[cluster_id]
        summary = cluster.snapshot.summary if cluster.snapshot else None
        return {"cluster": cluster_view(cluster.status, summary)}

    def summary_body(self, cluster_id: str) -> Body | None:
        """None before the cluster's first snapshot."""
        cluster = self._clusters.get(cluster_id)
        snap = cluster.snapshot if cluster else None
        if snap is None:
            return None
        return {
            "summary": snap.summary,
            "received_at": snap.received_at,
            "fetched_at": snap.fetched_at,
        }

    def publish_alert(self, view: Body) -> None:
        """An alert fired, repeated or resolved (the alert service's change hook)."""
        cid = view["cluster_id"]
        active = self._alerts.setdefault(cid, {})
        if view["status"] == "firing":
            active[view["id"]] = view
        else:
            active.pop(view["id"], None)
        self.fanout.publish("alerts", cid, {"alert": view})

    def alert_bodies(self, cluster_id: str) -> list[Body]:
        """The cluster's firing alerts."""
        return [{"alert": v} for v in self._alerts.get(cluster_id, {}).values()]

    def events_body(self, cluster_id: str) -> Body | None:
        """The latest events of the cluster's window; None when it has none."""
        window = self.event_window(cluster_id)
        if not window:
            return None
        latest = heapq.nlargest(STATE_EVENTS, window, key=event_time)
        return {"events": [e.to_json(cluster_id) for e in latest]}

    # -- change marks for persistence ----------------------------------------

    async def wait_dirty_clusters(self) -> tuple[dict[str, list[Event]], list[AgentStatus]]:
        """Wait for changes, then take them: changed events per cluster and touched agents."""
        await self._cluster_mark.wait()
        return self.take_dirty_clusters()

    def take_dirty_clusters(self) -> tuple[dict[str, list[Event]], list[AgentStatus]]:
        self._cluster_mark = trio.Event()
        events = {cid: list(evs.values()) for cid, evs in self._dirty_events.items()}
        agents = [self._clusters[cid].status for cid in self._dirty_agents]
        self._dirty_events = {}
        self._dirty_agents = set()
        return events, agents

    async def wait_dirty_commands(self) -> list[Command]:
        await self._command_mark.wait()
        return self.take_dirty_commands()

    def take_dirty_commands(self) -> list[Command]:
        self._command_mark = trio.Event()
        commands = list(self._dirty_commands.values())
        self._dirty_commands = {}
        return commands

    # -- time -----------------------------------------------------------------

    def sweep(self, *, trim_events: bool = True) -> None:
        """Heartbeat expiry, command expiry and timeouts, and (when asked) event window trimming."""
        now = self._clock()
        for cluster in self._clusters.values():
            status = cluster.status
            seen = status.last_seen
            if status.status == ONLINE and (seen is None or now - seen > self._heartbeat_expire):
                status.status = OFFLINE
                log.warning(
                    "cluster %s offline: nothing heard for %.0fs",
                    status.cluster_id,
                    now - (seen or now),
                )
                self._publish_cluster(status.cluster_id, urgent=True)
        self.commands.sweep(now)
        if trim_events:
            self._trim_events(now)

    def _trim_events(self, now: float) -> None:
        oldest = format_time(datetime.fromtimestamp(now - self._event_window, UTC))
        assert oldest is not None
        for cluster in self._clusters.values():
            # Events the latest snapshot still carries stay (else each snapshot would
            # announce them as new); the others leave by last_timestamp, and those with
            # unknown (zero) times by when they were last received, never as "ancient".
            present = {e.uid for e in cluster.snapshot.events} if cluster.snapshot else set()
            cluster.events = {
                uid: (e, got)
                for uid, (e, got) in cluster.events.items()
                if uid in present
                or ((event_time(e) or "9") >= oldest and now - got <= self._event_window)
            }

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the sweeper until cancelled."""
        task_status.started()
        while True:
            await trio.sleep(SWEEP_INTERVAL)
            self._sweeps += 1
            self.sweep(trim_events=self._sweeps % TRIM_EVENTS_EVERY == 0)

    def close(self) -> None:
        """Shutdown: waiting polls answer "no command"; nothing queued is dropped; streams end."""
        self.commands.close()
        self.fanout.close()


def command_body(cmd: Command) -> Body:
    """One encoding for every role, so without output (REST applies the role rules)."""
    return {"command": command_view(cmd, reveal_secrets=False, output=False)}


def _event_json(cluster_id: str, event: Event, change: str) -> Body:
    out = event.to_json(cluster_id)
    out["change"] = change
    return out
