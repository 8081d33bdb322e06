"""The live stream as a subscriber sees it: what to send on (re)subscribe and on resync.

Each method runs without a checkpoint, so the state (or replay) it returns and
the subscriber's queue meet exactly at the stream's head: nothing is missed or
sent twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..datahub.fanout import TOPICS, Body, Subscriber, control, encode
from ..datahub.memory import command_body
from .base import Reads

__all__ = ["TOPICS", "StreamReads", "Subscriber", "control"]


class StreamReads(Reads):
    def stream_subscribe(self, clusters: Iterable[str] | None, topics: Iterable[str]) -> Subscriber:
        return self.hub.fanout.subscribe(clusters, topics)

    def stream_unsubscribe(self, sub: Subscriber) -> None:
        self.hub.fanout.unsubscribe(sub)

    def stream_head(self) -> int:
        return self.hub.fanout.seq

    async def stream_closed(self) -> None:
        """Return when the master begins shutting down."""
        await self.hub.fanout.closed.wait()

    def stream_open(
        self,
        sub: Subscriber,
        since: int | None,
        subscribed: Body,
        clusters: Iterable[str] | None = None,
        topics: Iterable[str] | None = None,
    ) -> list[str]:
        """`subscribed`, then the replay after `since` or (resync and) the state, then `synced`.

        With `clusters`/`topics`, the subscription changes first (a new
        `subscribe` on an open connection).
        """
        fanout = self.hub.fanout
        if topics is not None:
            fanout.change(sub, clusters, topics)
        else:
            fanout.restart(sub)  # what it queued since subscribing is in what follows
        head = fanout.seq
        replay = fanout.since(sub, since) if since is not None else None
        out = [
            control(
                "subscribed", head, subscribed | {"mode": "state" if replay is None else "replay"}
            )
        ]
        if replay is not None:
            out.extend(m.data for m in replay)
        else:
            if since is not None:
                fanout.resynced(sub, "gone")
                reason = (
                    f"since {since} is from another run of this master (it restarted)"
                    if since > head or since < fanout.first
                    else f"messages after {since} are no longer buffered"
                )
                out.append(control("resync", head, {"reason": reason}))
            out.extend(self._state(sub, head))
        out.append(control("synced", head, {"replayed": len(replay or ())}))
        return out

    def stream_resync(self, sub: Subscriber) -> list[str]:
        """For a lagging subscriber: `resync`, the current state, `synced`."""
        fanout = self.hub.fanout
        dropped = sub.dropped
        fanout.resynced(sub, "lagging")
        head = fanout.seq
        return [
            control("resync", head, {"reason": f"lagging: {dropped} or more messages dropped"}),
            *self._state(sub, head),
            control("synced", head, {"replayed": 0}),
        ]

    def _state(self, sub: Subscriber, head: int) -> list[str]:
        hub = self.hub
        ids = sorted(
            a.cluster_id
            for a in hub.agents()
            if sub.clusters is None or a.cluster_id in sub.clusters
        )
        out: list[str] = []
        for cid in ids:
            bodies = {
                "clusters": hub.cluster_body(cid) if "clusters" in sub.topics else None,
                "summary": hub.summary_body(cid) if "summary" in sub.topics else None,
                "events": hub.events_body(cid) if "events" in sub.topics else None,
            }
            out.extend(
                encode(topic, head, cid, body, state=True)
                for topic, body in bodies.items()
                if body is not None
            )
            if "alerts" in sub.topics:
                out.extend(
                    encode("alerts", head, cid, body, state=True) for body in hub.alert_bodies(cid)
                )
        if "commands" in sub.topics:
            held = sorted(hub.commands.held(), key=lambda c: c.created_at)
            out.extend(
                encode("commands", head, c.cluster_id, command_body(c), state=True)
                for c in held
                if sub.wants("commands", c.cluster_id)
            )
        return out
