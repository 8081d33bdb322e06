"""Live-stream fan-out: one sequence, a bounded replay buffer, a bounded queue per subscriber.

Publishing never waits: each message is encoded once and offered to every
interested subscriber with `send_nowait`. A subscriber whose queue is full is
marked lagging and gets no more until it has been resynced (the Kubernetes
"410 Gone, relist" idea), so ingest never waits for a browser.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

import msgspec
import trio

from ..config import StreamConfig
from ..metrics import Metrics
from ..model.views import Body

# Topic a client subscribes to -> `type` of its messages.
TOPICS = {
    "clusters": "cluster",
    "summary": "summary",
    "events": "events",
    "commands": "command",
    "alerts": "alert",
}
# The replay buffer is bounded by count (config) and by size: a few large
# event batches must not pin a lot of memory.
REPLAY_MAX_CHARS = 64 << 20


class Message(NamedTuple):
    seq: int
    topic: str
    cluster_id: str
    # JSON text, encoded (and decoded to str) once for every subscriber.
    data: str


def encode(topic: str, seq: int, cluster_id: str, body: Body, *, state: bool = False) -> str:
    head: Body = {"type": TOPICS[topic], "seq": seq, "cluster_id": cluster_id}
    if state:
        head["state"] = True
    return msgspec.json.encode(head | body).decode()


def control(kind: str, seq: int, body: Body | None = None) -> str:
    """A message about the stream itself (subscribed, resync, synced, ping)."""
    return msgspec.json.encode({"type": kind, "seq": seq} | (body or {})).decode()


# Why a `since` could not be replayed: from another run of the master, or too old.
Gone = Literal["restarted", "expired"]


@dataclass(frozen=True, slots=True)
class Opening:
    """What a (re)subscribing or lagging connection is sent, taken at one instant.

    Either `replay` (what it wants after its `since`) or, when that is None, `state`
    (the current state, stamped `head`); `gone` says why a `since` was not replayed.
    """

    head: int
    replay: list[str] | None
    state: list[str]
    gone: Gone | None = None


class Subscriber:
    """One connection's subscription: what it wants and its bounded queue."""

    def __init__(self, clusters: frozenset[str] | None, topics: frozenset[str], size: int) -> None:
        self.clusters = clusters  # None: every cluster
        self.topics = topics
        self.send, self.receive = trio.open_memory_channel[Message](size)
        self.lagging = False
        self.dropped = 0
        # Messages up to this seq are covered by the state or replay last sent.
        self.floor = 0

    def wants(self, topic: str, cluster_id: str) -> bool:
        return topic in self.topics and (self.clusters is None or cluster_id in self.clusters)

    def drain(self) -> None:
        """Forget what is queued (a resync or a new subscription replaces it)."""
        while True:
            try:
                self.receive.receive_nowait()
            except trio.WouldBlock:
                return


# The current state a subscriber wants, as encoded `state` messages stamped with a seq.
StateBuilder = Callable[["Subscriber", int], list[str]]


class Fanout:
    """The master-local half of the stream: every hub feeds one and serves `open` from it."""

    def __init__(
        self,
        stream: StreamConfig,
        *,
        metrics: Metrics,
    ) -> None:
        # The sequence starts from the clock (microseconds), so a `since` from an
        # earlier run of the master is recognised as such, never resumed against.
        self.first = self.seq = time.time_ns() // 1000
        self._replay: deque[Message] = deque()
        self._replay_limit = stream.replay
        self._replay_chars = 0
        self._queue_size = stream.queue
        self._coalesce = stream.coalesce
        self._metrics = metrics
        self._subscribers: set[Subscriber] = set()
        # Coalescing: when each (topic, cluster) was last published, and the
        # builders of those waiting for their turn.
        self._last: dict[tuple[str, str], float] = {}
        self._deferred: dict[tuple[str, str], Callable[[], Body]] = {}
        self._deferred_mark = trio.Event()
        self.closed = trio.Event()

    # -- subscribers ------------------------------------------------------------

    def subscribe(self, clusters: Iterable[str] | None, topics: Iterable[str]) -> Subscriber:
        sub = Subscriber(_frozen(clusters), frozenset(topics), self._queue_size)
        sub.floor = self.seq
        self._subscribers.add(sub)
        self._metrics.stream_subscribers.inc()
        return sub

    def change(
        self, sub: Subscriber, clusters: Iterable[str] | None, topics: Iterable[str]
    ) -> None:
        """A new subscription on the same connection: the queue restarts from now."""
        sub.clusters = _frozen(clusters)
        sub.topics = frozenset(topics)
        self.restart(sub)

    def restart(self, sub: Subscriber) -> None:
        """What `sub` queued so far is covered by the state or replay it gets now."""
        sub.drain()
        sub.lagging = False
        sub.floor = self.seq

    def unsubscribe(self, sub: Subscriber) -> None:
        if sub in self._subscribers:
            self._subscribers.discard(sub)
            self._metrics.stream_subscribers.dec()

    def since(self, sub: Subscriber, seq: int) -> list[Message] | None:
        """What `sub` wants after `seq`, or None when some of it is no longer buffered."""
        if seq > self.seq or seq < self.first:
            return None  # from another run of this master
        oldest = self._replay[0].seq if self._replay else self.seq + 1
        if seq + 1 < oldest:
            return None
        return [m for m in self._replay if m.seq > seq and sub.wants(m.topic, m.cluster_id)]

    def resynced(self, sub: Subscriber, reason: str) -> None:
        """`sub` is about to get the current state: what it queued is obsolete."""
        self.restart(sub)
        self._metrics.stream_resyncs.labels(reason).inc()

    def open(
        self,
        sub: Subscriber,
        since: int | None,
        state: StateBuilder,
        clusters: Iterable[str] | None = None,
        topics: Iterable[str] | None = None,
    ) -> Opening:
        """The replay after `since`, or the state; with `topics`, the subscription changes first.

        Runs without a checkpoint, so what it returns and the subscriber's queue
        meet exactly at the head: nothing is missed or sent twice.
        """
        if topics is not None:
            self.change(sub, clusters, topics)
        else:
            self.restart(sub)  # what it queued since subscribing is in what follows
        head = self.seq
        replay = self.since(sub, since) if since is not None else None
        if replay is not None:
            return Opening(head, [m.data for m in replay], [])
        gone: Gone | None = None
        if since is not None:
            self.resynced(sub, "gone")
            gone = "restarted" if since > head or since < self.first else "expired"
        return Opening(head, None, state(sub, head), gone)

    def resync(self, sub: Subscriber, state: StateBuilder) -> Opening:
        """For a lagging subscriber: the current state, replacing what it queued."""
        self.resynced(sub, "lagging")
        return Opening(self.seq, None, state(sub, self.seq))

    # -- publishing ---------------------------------------------------------------

    def publish(self, topic: str, cluster_id: str, body: Body) -> None:
        self.seq += 1
        msg = Message(self.seq, topic, cluster_id, encode(topic, self.seq, cluster_id, body))
        self._remember(msg)
        delivered = 0
        for sub in self._subscribers:
            if sub.lagging or not sub.wants(topic, cluster_id):
                continue
            try:
                sub.send.send_nowait(msg)
                delivered += 1
            except trio.WouldBlock:
                sub.lagging = True
                sub.dropped += 1
        self._metrics.stream_messages.labels(topic).inc()
        if delivered:
            self._metrics.stream_deliveries.inc(delivered)

    def publish_coalesced(
        self, topic: str, cluster_id: str, build: Callable[[], Body], *, urgent: bool = False
    ) -> None:
        """Publish at most once per coalesce interval per cluster; `build` runs when it is sent.

        `urgent` (a status change) goes out now and replaces any waiting message.
        """
        key = (topic, cluster_id)
        now = trio.current_time()
        last = self._last.get(key)
        if urgent or (key not in self._deferred and (last is None or now - last >= self._coalesce)):
            self._deferred.pop(key, None)
            self._last[key] = now
            self.publish(topic, cluster_id, build())
        else:
            self._deferred[key] = build
            self._deferred_mark.set()

    def _remember(self, msg: Message) -> None:
        self._replay.append(msg)
        self._replay_chars += len(msg.data)
        while len(self._replay) > self._replay_limit or self._replay_chars > REPLAY_MAX_CHARS:
            self._replay_chars -= len(self._replay.popleft().data)

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Send coalesced messages when their interval is over; runs until cancelled."""
        task_status.started()
        while True:
            await self._deferred_mark.wait()
            self._deferred_mark = trio.Event()
            while self._deferred:
                now = trio.current_time()
                due = [k for k in self._deferred if self._last[k] + self._coalesce <= now]
                if not due:
                    await trio.sleep(
                        min(self._last[k] for k in self._deferred) + self._coalesce - now
                    )
                    continue
                for key in due:
                    build = self._deferred.pop(key)
                    self._last[key] = now
                    self.publish(key[0], key[1], build())

    def close(self) -> None:
        """Shutdown: stream connections close (1001) so the servers can stop."""
        self.closed.set()


def _frozen(clusters: Iterable[str] | None) -> frozenset[str] | None:
    return None if clusters is None else frozenset(clusters)
