"""`Fanout` on its own: one sequence, replay, bounded queues, lagging, coalescing, openings.

Driven directly on trio's MockClock (autojump): the coalescing intervals cost
no real time. The websocket side is tested in tests/test_stream.py.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
import trio
import trio.testing

from master.config import StreamConfig
from master.datahub.fanout import Fanout, Message, Subscriber, encode
from master.metrics import Metrics


def fanout(**settings: Any) -> Fanout:
    return Fanout(StreamConfig(**settings), metrics=Metrics())


def queued(sub: Subscriber) -> list[Message]:
    out = []
    while True:
        try:
            out.append(sub.receive.receive_nowait())
        except trio.WouldBlock:
            return out


def decoded(data: str) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.json.decode(data)
    return out


def state(sub: Subscriber, head: int) -> list[str]:
    """A stand-in for the hub's state: one message naming what `sub` wants."""
    return [encode("clusters", head, "state", {"topics": sorted(sub.topics)}, state=True)]


async def test_each_message_encoded_once_in_order_to_those_who_want_it() -> None:
    f = fanout()
    everything = f.subscribe(None, ["clusters", "events"])
    only_c2 = f.subscribe(["c2"], ["events"])
    f.publish("events", "c1", {"events": [1]})
    f.publish("clusters", "c2", {"cluster": {}})
    f.publish("events", "c2", {"events": [2]})
    got = queued(everything)
    assert [m.seq for m in got] == [f.seq - 2, f.seq - 1, f.seq]
    (mine,) = queued(only_c2)
    assert mine is got[2], "the same Message (one encoding) for every subscriber"
    assert decoded(got[2].data) == {
        "type": "events",
        "seq": f.seq,
        "cluster_id": "c2",
        "events": [2],
    }
    f.unsubscribe(only_c2)
    f.publish("events", "c2", {"events": [3]})
    assert queued(only_c2) == [] and len(queued(everything)) == 1


async def test_replay_after_a_seq_while_buffered() -> None:
    f = fanout(replay=3)
    sub = f.subscribe(None, ["events"])
    start = f.seq
    for n in range(5):
        f.publish("events", "c1" if n % 2 else "c2", {"n": n})
    wanted = f.subscribe(["c1"], ["events"])
    assert [decoded(m.data)["n"] for m in f.since(sub, f.seq - 2) or []] == [3, 4]
    assert [decoded(m.data)["n"] for m in f.since(wanted, f.seq - 3) or []] == [3]
    assert f.since(sub, f.seq) == []
    assert f.since(sub, start + 1) is None, "older than the three kept"
    assert f.since(sub, f.seq + 1) is None and f.since(sub, f.first - 1) is None, "another run"


async def test_a_full_queue_marks_the_subscriber_lagging_and_skips_it() -> None:
    f = fanout(queue=2)
    slow, fast = f.subscribe(None, ["events"]), f.subscribe(None, ["events"])
    for n in range(3):
        f.publish("events", "c1", {"n": n})
        if n == 1:
            queued(fast)  # this one keeps up
    assert slow.lagging and slow.dropped == 1 and not fast.lagging
    f.publish("events", "c1", {"n": 3})
    assert [decoded(m.data)["n"] for m in queued(fast)] == [2, 3]
    assert len(queued(slow)) == 2, "nothing more while lagging"
    assert slow.dropped == 1 and not fast.lagging
    opening = f.resync(slow, state)
    assert not slow.lagging and opening.replay is None and opening.head == f.seq
    assert [decoded(m)["state"] for m in opening.state] == [True]
    f.publish("events", "c1", {"n": 4})
    assert [decoded(m.data)["n"] for m in queued(slow)] == [4]


async def test_open_replays_or_sends_the_state_and_meets_the_queue_exactly() -> None:
    f = fanout(replay=2)
    sub = f.subscribe(None, ["events"])
    f.publish("events", "c1", {"n": 0})
    since = f.seq
    f.publish("events", "c1", {"n": 1})
    opening = f.open(sub, since, state)
    assert opening.gone is None and opening.state == []
    assert [decoded(m)["n"] for m in opening.replay or []] == [1]
    assert queued(sub) == [], "what it had queued is in the replay"
    f.publish("events", "c1", {"n": 2})
    assert [decoded(m.data)["n"] for m in queued(sub)] == [2]

    fresh = f.open(sub, None, state)
    assert fresh.replay is None and fresh.gone is None and len(fresh.state) == 1
    for n in range(3):
        f.publish("events", "c1", {"n": n})
    assert f.open(sub, since, state).gone == "expired"
    assert f.open(sub, f.seq + 10, state).gone == "restarted"
    changed = f.open(sub, None, state, ["c2"], ["alerts"])
    assert decoded(changed.state[0])["topics"] == ["alerts"] and sub.clusters == {"c2"}
    f.publish("events", "c1", {"n": 9})
    assert queued(sub) == []


async def test_coalescing_sends_the_first_at_once_and_the_last_one_later(
    autojump_clock: trio.testing.MockClock,
) -> None:
    f = fanout(coalesce=1.0)
    sub = f.subscribe(None, ["summary", "clusters"])
    built: list[int] = []

    def body(n: int) -> Any:
        def build() -> dict[str, int]:
            built.append(n)
            return {"n": n}

        return build

    async with trio.open_nursery() as nursery:
        await nursery.start(f.serve)
        f.publish_coalesced("summary", "c1", body(1))
        for n in (2, 3):
            await trio.sleep(0.1)
            f.publish_coalesced("summary", "c1", body(n))
        assert built == [1], "the waiting ones are built only when sent"
        f.publish_coalesced("summary", "c2", body(10))  # another cluster has its own interval
        await trio.sleep(1.0)
        assert built == [1, 10, 3] and [decoded(m.data)["n"] for m in queued(sub)] == [1, 10, 3]
        f.publish_coalesced("clusters", "c1", body(4))
        f.publish_coalesced("clusters", "c1", body(5))
        f.publish_coalesced("clusters", "c1", body(6), urgent=True)
        assert [decoded(m.data)["n"] for m in queued(sub)] == [4, 6], "urgent: at once, replaces"
        await trio.sleep(5)
        assert queued(sub) == [] and built == [1, 10, 3, 4, 6]
        nursery.cancel_scope.cancel()


async def test_close_sets_closed() -> None:
    f = fanout()
    assert not f.closed.is_set()
    f.close()
    with trio.fail_after(1):
        await f.closed.wait()


@pytest.mark.parametrize("topic", ["clusters", "summary", "events", "commands", "alerts"])
def test_message_type_of_each_topic(topic: str) -> None:
    types = {"clusters": "cluster", "commands": "command", "alerts": "alert"}
    assert decoded(encode(topic, 7, "c1", {}))["type"] == types.get(topic, topic)
