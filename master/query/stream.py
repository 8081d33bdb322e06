"""The live stream as a subscriber sees it: what to send on (re)subscribe and on resync.

The hub takes the replay or the state at one instant (`DataHub.stream_open`);
this wraps it in the stream's control messages.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..datahub import Opening, Subscriber
from ..datahub.fanout import TOPICS, control
from ..model.views import Body
from .base import Reads

__all__ = ["TOPICS", "StreamReads", "Subscriber", "control"]

_GONE = {
    "restarted": "since {since} is from another run of this master (it restarted)",
    "expired": "messages after {since} are no longer buffered",
}


class StreamReads(Reads):
    def stream_subscribe(self, clusters: Iterable[str] | None, topics: Iterable[str]) -> Subscriber:
        return self.hub.stream_subscribe(clusters, topics)

    def stream_unsubscribe(self, sub: Subscriber) -> None:
        self.hub.stream_unsubscribe(sub)

    def stream_head(self) -> int:
        return self.hub.stream_head()

    async def stream_closed(self) -> None:
        """Return when the master begins shutting down."""
        await self.hub.stream_closed()

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
        opening = self.hub.stream_open(sub, since, clusters, topics)
        mode = "state" if opening.replay is None else "replay"
        out = [control("subscribed", opening.head, subscribed | {"mode": mode})]
        if opening.gone is not None:
            reason = _GONE[opening.gone].format(since=since)
            out.append(control("resync", opening.head, {"reason": reason}))
        return out + _rest(opening)

    def stream_resync(self, sub: Subscriber) -> list[str]:
        """For a lagging subscriber: `resync`, the current state, `synced`."""
        reason = f"lagging: {sub.dropped} or more messages dropped"
        opening = self.hub.stream_resync(sub)
        return [control("resync", opening.head, {"reason": reason}), *_rest(opening)]


def _rest(opening: Opening) -> list[str]:
    """The replay or the state, then `synced`."""
    return [
        *(opening.state if opening.replay is None else opening.replay),
        control("synced", opening.head, {"replayed": len(opening.replay or ())}),
    ]
