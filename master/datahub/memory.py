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
from ..model.errors import Forbidden
from ..model.event import Event, event_time
from ..model.gotime import format_time
from ..model.snapshot import ClusterSnapshot, SnapshotChanges
from ..model.views import (
    Body,
    alert_body,
    cluster_body,
    command_body,
    event_changes_body,
    events_body,
    summary_body,
)
from ..processor import diff_snapshot
from .commands import CommandBoard
from .fanout import Fanout, Opening, Subscriber, encode

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
    """The `DataHub` of a single master: everything in this process, nothing waits.

    Persistence drains the change marks (`wait_dirty_*`); marks coalesce, so a
    slow database delays persistence but never blocks ingest. Every change is
    also published on the stream's `Fanout`, its body built once.
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
        self._fanout = Fanout(stream, metrics=metrics)
        self._commands = CommandBoard(
            commands,
            keep_final=KEEP_FINAL_COMMANDS,
            clock=clock,
            on_change=self._command_changed,
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

    # Each async method checkpoints first, as a networked hub's would, then acts at once:
    # a cancelled call has changed nothing, and callers cannot come to rely on two calls
    # running without a checkpoint between them.

    async def restore_agents(self, statuses: Iterable[AgentStatus]) -> None:
        await trio.lowlevel.checkpoint()
        for status in statuses:
            if status.cluster_id not in self._clusters:
                status.status = OFFLINE
                self._clusters[status.cluster_id] = _Cluster(status)

    async def heartbeat(self, cluster_id: str) -> None:
        await trio.lowlevel.checkpoint()
        now = self._clock()
        cluster, changed = self._seen(cluster_id, now)
        cluster.status.last_heartbeat = now
        self._publish_cluster(cluster_id, urgent=changed)

    async def apply_snapshot(self, snapshot: ClusterSnapshot) -> SnapshotChanges:
        await trio.lowlevel.checkpoint()
        return self._apply(snapshot)

    def _apply(self, snapshot: ClusterSnapshot) -> SnapshotChanges:
        cid = snapshot.cluster_id
        cluster, online = self._seen(cid, snapshot.received_at)
        cluster.status.last_snapshot = snapshot.received_at
        known = {uid: e for uid, (e, _) in cluster.events.items()}
        changes = diff_snapshot(snapshot, known)
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
            dirty = self._dirty_events.setdefault(cid, {})
            dirty.update((e.uid, e) for e in changed)
        self._publish_cluster(cid, urgent=online)
        self._fanout.publish_coalesced("summary", cid, lambda: self._summary_body(cid) or {})
        if changed:
            body = event_changes_body(cid, changes.new_events, changes.updated_events)
            self._fanout.publish("events", cid, body)
        return changes

    async def known(self, cluster_id: str) -> bool:
        await trio.lowlevel.checkpoint()
        return cluster_id in self._clusters

    async def agent(self, cluster_id: str) -> AgentStatus | None:
        await trio.lowlevel.checkpoint()
        cluster = self._clusters.get(cluster_id)
        return cluster.status if cluster else None

    async def agents(self) -> list[AgentStatus]:
        await trio.lowlevel.checkpoint()
        return [c.status for c in self._clusters.values()]

    async def snapshot(self, cluster_id: str) -> ClusterSnapshot | None:
        await trio.lowlevel.checkpoint()
        cluster = self._clusters.get(cluster_id)
        return cluster.snapshot if cluster else None

    async def event_window(self, cluster_id: str) -> list[Event]:
        await trio.lowlevel.checkpoint()
        return self._window(cluster_id)

    def _window(self, cluster_id: str) -> list[Event]:
        cluster = self._clusters.get(cluster_id)
        return [e for e, _ in cluster.events.values()] if cluster else []

    # -- commands -------------------------------------------------------------

    async def enqueue(self, cmd: Command) -> None:
        await trio.lowlevel.checkpoint()
        self._commands.enqueue(cmd)

    async def poll(self, cluster_id: str) -> Command | None:
        return await self._commands.poll(cluster_id)

    async def complete(self, result: CommandResult, *, cluster_id: str) -> Command | None:
        await trio.lowlevel.checkpoint()
        known = self._commands.get(result.command_id)
        if known is not None and known.cluster_id != cluster_id:
            raise Forbidden(f"command {result.command_id} belongs to another cluster")
        return self._commands.complete(result)

    async def release(self, cmd: Command) -> None:
        await trio.lowlevel.checkpoint()
        self._commands.release(cmd)

    async def command(self, command_id: str) -> Command | None:
        await trio.lowlevel.checkpoint()
        return self._commands.get(command_id)

    async def wait_command(self, command_id: str) -> Command | None:
        return await self._commands.wait(command_id)

    async def queued(self, cluster_id: str) -> int:
        await trio.lowlevel.checkpoint()
        return self._commands.queued(cluster_id)

    async def restore_commands(self, commands: Iterable[Command]) -> None:
        await trio.lowlevel.checkpoint()
        self._commands.restore(commands)

    def _command_changed(self, cmd: Command) -> None:
        """The board's hook: every change of a command, from queued to final, comes here."""
        self._dirty_commands[cmd.id] = cmd
        self._command_mark.set()
        self._fanout.publish("commands", cmd.cluster_id, command_body(cmd))

    # -- the live stream ------------------------------------------------------

    def _publish_cluster(self, cluster_id: str, *, urgent: bool) -> None:
        """Status changes go out now; last-seen updates are coalesced."""
        self._fanout.publish_coalesced(
            "clusters", cluster_id, lambda: self._cluster_body(cluster_id), urgent=urgent
        )

    def _cluster_body(self, cluster_id: str) -> Body:
        cluster = self._clusters[cluster_id]
        return cluster_body(cluster.status, cluster.snapshot)

    def _summary_body(self, cluster_id: str) -> Body | None:
        """None before the cluster's first snapshot."""
        cluster = self._clusters.get(cluster_id)
        return summary_body(cluster.snapshot) if cluster and cluster.snapshot else None

    def _events_body(self, cluster_id: str) -> Body | None:
        """The latest events of the cluster's window; None when it has none."""
        window = self._window(cluster_id)
        if not window:
            return None
        return events_body(cluster_id, heapq.nlargest(STATE_EVENTS, window, key=event_time))

    def publish_alert(self, view: Body) -> None:
        cid = view["cluster_id"]
        active = self._alerts.setdefault(cid, {})
        if view["status"] == "firing":
            active[view["id"]] = view
        else:
            active.pop(view["id"], None)
        self._fanout.publish("alerts", cid, alert_body(view))

    def _state(self, sub: Subscriber, head: int) -> list[str]:
        """What `sub` wants of the current state, as messages stamped `head`."""
        ids = sorted(cid for cid in self._clusters if sub.clusters is None or cid in sub.clusters)
        out: list[str] = []
        for cid in ids:
            bodies = {
                "clusters": self._cluster_body(cid) if "clusters" in sub.topics else None,
                "summary": self._summary_body(cid) if "summary" in sub.topics else None,
                "events": self._events_body(cid) if "events" in sub.topics else None,
            }
            out.extend(
                encode(topic, head, cid, body, state=True)
                for topic, body in bodies.items()
                if body is not None
            )
            if "alerts" in sub.topics:
                out.extend(
                    encode("alerts", head, cid, alert_body(view), state=True)
                    for view in self._alerts.get(cid, {}).values()
                )
        if "commands" in sub.topics:
            held = sorted(self._commands.held(), key=lambda c: c.created_at)
            out.extend(
                encode("commands", head, c.cluster_id, command_body(c), state=True)
                for c in held
                if sub.wants("commands", c.cluster_id)
            )
        return out

    def stream_subscribe(self, clusters: Iterable[str] | None, topics: Iterable[str]) -> Subscriber:
        return self._fanout.subscribe(clusters, topics)

    def stream_unsubscribe(self, sub: Subscriber) -> None:
        self._fanout.unsubscribe(sub)

    def stream_open(
        self,
        sub: Subscriber,
        since: int | None,
        clusters: Iterable[str] | None = None,
        topics: Iterable[str] | None = None,
    ) -> Opening:
        return self._fanout.open(sub, since, self._state, clusters, topics)

    def stream_resync(self, sub: Subscriber) -> Opening:
        return self._fanout.resync(sub, self._state)

    def stream_head(self) -> int:
        return self._fanout.seq

    async def stream_closed(self) -> None:
        await self._fanout.closed.wait()

    # -- change marks for persistence ----------------------------------------

    async def wait_dirty_clusters(self) -> tuple[dict[str, list[Event]], list[AgentStatus]]:
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

    def _sweep(self, *, trim_events: bool = True) -> None:
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
        self._commands.sweep(now)
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
        async with trio.open_nursery() as nursery:
            await nursery.start(self._fanout.serve)
            task_status.started()
            while True:
                await trio.sleep(SWEEP_INTERVAL)
                self._sweeps += 1
                self._sweep(trim_events=self._sweeps % TRIM_EVENTS_EVERY == 0)

    def close(self) -> None:
        self._commands.close()
        self._fanout.close()
