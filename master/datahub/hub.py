"""`DataHub`: the interface every part of the master uses for live state.

The hub holds what every cluster looks like now (latest snapshot, agent
status, the realtime event window), the command queues, the marks of what
changed since it was last persisted, and feeds the live stream. `MemoryHub`
keeps all of it in this process; a hub shared by several masters (Redis)
implements the same protocol, and only the supervisor names a concrete class.

Blocking: the `async` calls may wait on the network in a shared hub (the
memory hub answers them at once); those documented as "waits" wait for
something to happen and are bounded by the caller (`trio.move_on_after`),
never by the hub. The plain calls never block: change marks are this master's
own, and the stream is served from this master's `Fanout`, which a shared hub
feeds from its change feed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import trio

from ..model.agent import AgentStatus
from ..model.command import Command, CommandResult
from ..model.event import Event
from ..model.snapshot import ClusterSnapshot, SnapshotChanges
from ..model.views import Body
from .fanout import Opening, Subscriber

__all__ = ["DataHub"]


class DataHub(Protocol):
    # -- what agents report ------------------------------------------------------------

    async def heartbeat(self, cluster_id: str) -> None:
        """A heartbeat: registers an unknown cluster, marks it online."""

    async def apply_snapshot(self, snapshot: ClusterSnapshot) -> SnapshotChanges:
        """Store the cluster's latest snapshot and merge its events into the window."""

    async def restore_agents(self, statuses: Iterable[AgentStatus]) -> None:
        """Clusters known before a restart: offline until they report."""

    # -- live reads ----------------------------------------------------------------------

    async def known(self, cluster_id: str) -> bool:
        """Whether any agent ever reported for this cluster."""

    async def agent(self, cluster_id: str) -> AgentStatus | None: ...

    async def agents(self) -> list[AgentStatus]: ...

    async def snapshot(self, cluster_id: str) -> ClusterSnapshot | None:
        """The cluster's latest snapshot; None before its first."""

    async def event_window(self, cluster_id: str) -> list[Event]:
        """The realtime events of the cluster (the configured window), in no order."""

    # -- commands ------------------------------------------------------------------------

    async def enqueue(self, cmd: Command) -> None:
        """Queue a pending command; raises QueueFull when the cluster's queue is full."""

    async def poll(self, cluster_id: str) -> Command | None:
        """Waits for the cluster's next command and hands it out (marked running).

        None once the hub closes. A cancelled poll loses nothing, and a poll while a
        hand-off has no result re-hands or finishes that command (the agent lost it).
        """

    async def release(self, cmd: Command) -> None:
        """Take back a hand-out `poll` returned that could not be recorded (the agent never
        got it): a first hand-out is pending again and handed out before the rest of its
        queue; a repeated one is back at its earlier attempt, still running."""

    async def complete(self, result: CommandResult, *, cluster_id: str) -> Command | None:
        """Record an agent's result; None (and no change) for unknown or finished commands.

        Raises Forbidden when the command belongs to another cluster, ValueError
        for an `executed_at` that is not RFC 3339.
        """

    async def command(self, command_id: str) -> Command | None:
        """A live command's current state (open ones and those finished lately)."""

    async def wait_command(self, command_id: str) -> Command | None:
        """Waits until the command is final; None when the hub does not hold it."""

    async def queued(self, cluster_id: str) -> int:
        """Commands of the cluster waiting to be handed out."""

    async def restore_commands(self, commands: Iterable[Command]) -> None:
        """Take back pending and running commands loaded after a restart."""

    # -- what to persist -----------------------------------------------------------------

    async def wait_dirty_clusters(self) -> tuple[dict[str, list[Event]], list[AgentStatus]]:
        """Waits for changes, then takes them: changed events per cluster, touched agents."""

    def take_dirty_clusters(self) -> tuple[dict[str, list[Event]], list[AgentStatus]]:
        """Take what is marked now (shutdown)."""

    async def wait_dirty_commands(self) -> list[Command]:
        """Waits for command changes (queued or any later transition), then takes them."""

    def take_dirty_commands(self) -> list[Command]:
        """Take what is marked now (shutdown)."""

    # -- the live stream (this master's subscribers) -------------------------------------

    def stream_subscribe(self, clusters: Iterable[str] | None, topics: Iterable[str]) -> Subscriber:
        """A bounded queue of the messages `clusters` (None: all) and `topics` will get."""

    def stream_unsubscribe(self, sub: Subscriber) -> None: ...

    def stream_open(
        self,
        sub: Subscriber,
        since: int | None,
        clusters: Iterable[str] | None = None,
        topics: Iterable[str] | None = None,
    ) -> Opening:
        """What `sub` gets now: the replay after `since` or the current state.

        With `topics`, the subscription changes first. Nothing is missed or sent
        twice between what this returns and what `sub` queues afterwards.
        """

    def stream_resync(self, sub: Subscriber) -> Opening:
        """The current state for a lagging subscriber, replacing what it queued."""

    def stream_head(self) -> int:
        """The seq of the latest message."""

    async def stream_closed(self) -> None:
        """Waits until the hub closes (shutdown)."""

    def publish_alert(self, view: Body) -> None:
        """An alert fired, repeated or resolved: tell subscribers, keep it for new ones."""

    # -- running -------------------------------------------------------------------------

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the hub's timers (heartbeat and command expiry, coalesced stream messages)
        until cancelled."""

    def close(self) -> None:
        """Shutdown: waiting polls answer "no command", nothing queued is dropped, streams end."""
