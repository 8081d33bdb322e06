"""The live stream `/api/v2/subscribe` against a real master, as a browser uses it."""

from __future__ import annotations

import contextlib
import logging
import math
import re
import socket
from typing import Any

import httpx
import pytest
import trio
from trio_websocket import ConnectionClosed, ConnectionRejected, wrap_client_stream

from .alerting import CLEAN, crash, first_look, start_alerting
from .conftest import MasterRunner, StartMaster
from .goagent import GoAgent, event, pod
from .http import TLS
from .streamclient import StreamClient


def by_type(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in messages if m["type"] == kind]


async def metric(master: MasterRunner, name: str) -> float:
    async with httpx.AsyncClient(verify=TLS) as client:
        text = (await client.get(master.gateway_url + "/metrics")).text
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


async def closed_with(stream: StreamClient) -> tuple[int, str]:
    """Read until the server closes; (code, reason)."""
    with pytest.raises(ConnectionClosed) as info, trio.fail_after(20):
        while True:
            await stream.next()
    return info.value.reason.code, info.value.reason.reason or ""


async def test_state_on_connect_then_changes_in_order(master: MasterRunner, agent: GoAgent) -> None:
    assert (await agent.snapshot()).status_code == 200
    token = await master.admin_token()
    async with StreamClient.connect(master.gateway_url) as stream:
        await stream.subscribe(token)
        opening = await stream.opening()
        head = opening[0]["seq"]
        assert opening[0]["mode"] == "state" and opening[0]["role"] == "admin"
        assert {m["seq"] for m in opening} == {head}
        (cluster,) = by_type(opening, "cluster")
        assert cluster["cluster_id"] == "c1" and cluster["state"] is True
        assert cluster["cluster"]["status"] == "online"
        (summary,) = by_type(opening, "summary")
        assert summary["summary"]["total_pods"] == 3 and summary["received_at"] > 0
        (events,) = by_type(opening, "events")
        assert {e["severity"] for e in events["events"]} >= {"critical"}

        # A new event, a heartbeat and a command, each pushed as it happens, in order.
        r = await agent.snapshot(
            events=[event("e-new", reason="OOMKilled", count=1, last="2026-01-18T10:05:00Z")]
        )
        assert r.status_code == 200
        msg, seen = await stream.until("events")
        (new,) = msg["events"]
        assert new["uid"] == "e-new" and new["change"] == "new" and new["severity"] == "critical"
        async with master.gateway_client() as gw:
            r = await gw.post(
                "/api/v2/commands",
                json={
                    "cluster_id": "c1",
                    "action": "scale",
                    "target_kind": "Deployment",
                    "target_namespace": "default",
                    "target_name": "web",
                    "params": {"replicas": 3},
                },
            )
            assert r.status_code == 201, r.text
            command_id = r.json()["command_id"]
            pending, more = await stream.until("command")
            assert pending["command"]["status"] == "pending"
            polled = await agent.poll()
            assert polled is not None
            running, more2 = await stream.until("command")
            assert running["command"]["status"] == "running"
            await agent.result(command_id, success=True, output="scaled to 3")
            done, more3 = await stream.until("command")
        assert done["command"]["status"] == "success"
        assert done["command"]["result"] == {
            "success": True,
            "error": "",
            "executed_at": done["command"]["result"]["executed_at"],
            "has_output": True,
        }
        live = [*seen, *more, *more2, *more3]
        seqs = [m["seq"] for m in live]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and seqs[0] > head


async def test_subscription_filters_and_changes_without_reconnecting(
    master: MasterRunner,
) -> None:
    token = await master.admin_token()
    async with GoAgent.open(master.agent_url, "a") as a, GoAgent.open(master.agent_url, "b") as b:
        await a.snapshot()
        await b.snapshot()
        async with StreamClient.connect(master.gateway_url) as stream:
            await stream.subscribe(token, clusters=["a"], topics=["clusters"])
            opening = await stream.opening()
            assert {(m["type"], m.get("cluster_id")) for m in opening[1:-1]} == {("cluster", "a")}
            await b.heartbeat()
            await a.heartbeat()
            msg = await stream.next()
            assert (msg["type"], msg["cluster_id"]) == ("cluster", "a")

            await stream.subscribe(None, clusters=["b"], topics=["summary"])
            opening = await stream.opening()
            assert opening[0]["clusters"] == ["b"] and opening[0]["topics"] == ["summary"]
            assert {(m["type"], m.get("cluster_id")) for m in opening[1:-1]} == {("summary", "b")}
            await a.snapshot()
            await b.snapshot()
            msg = await stream.next()
            assert (msg["type"], msg["cluster_id"]) == ("summary", "b")


async def test_reconnect_replays_exactly_what_was_missed(master: MasterRunner) -> None:
    token = await master.admin_token()
    async with (
        GoAgent.open(master.agent_url, "c1") as agent,
        StreamClient.connect(master.gateway_url) as witness,
    ):
        await witness.subscribe(token)
        await witness.opening()
        async with StreamClient.connect(master.gateway_url) as first:
            await first.subscribe(token)
            await first.opening()
            await agent.snapshot()
            await first.until("summary")
        since = first.last_seq
        # While disconnected: new events, a new cluster, heartbeats.
        for i in range(3):
            await agent.snapshot(events=[event(f"gone-{i}", last=f"2026-01-18T10:0{i}:00Z")])
        async with GoAgent.open(master.agent_url, "c2") as other:
            await other.heartbeat()
        await trio.sleep(0.6)  # let a coalesced last-seen update go out as well
        await agent.heartbeat()
        missed = []
        with trio.move_on_after(1.5):
            while True:
                msg = await witness.next()
                if msg["seq"] > since:
                    missed.append(msg)
        assert missed, "the witness saw nothing"

        async with StreamClient.connect(master.gateway_url) as again:
            await again.subscribe(token, since=since)
            opening = await again.opening()
        assert opening[0]["mode"] == "replay" and opening[-1]["replayed"] == len(missed)
        assert opening[1:-1] == missed


async def test_resync_when_the_replay_buffer_is_gone(start_master: StartMaster) -> None:
    master = await start_master(stream={"replay": 3})
    token = await master.admin_token()
    async with GoAgent.open(master.agent_url, "c1") as agent:
        await agent.snapshot()
        async with StreamClient.connect(master.gateway_url) as stream:
            await stream.subscribe(token)
            await stream.opening()
            since = stream.last_seq
        for i in range(4):
            await agent.snapshot(events=[event(f"e{i}", last=f"2026-01-18T10:0{i}:00Z")])
        async with StreamClient.connect(master.gateway_url) as stream:
            await stream.subscribe(token, since=since)
            opening = await stream.opening()
        assert opening[0]["mode"] == "state"
        resync = opening[1]
        assert resync["type"] == "resync" and "no longer buffered" in resync["reason"]
        assert {"cluster", "summary", "events"} <= {m["type"] for m in opening[2:-1]}
        # A `since` from before a restart (ahead of this stream) resyncs too.
        async with StreamClient.connect(master.gateway_url) as stream:
            await stream.subscribe(token, since=10**9)
            opening = await stream.opening()
        assert opening[1]["type"] == "resync" and "restarted" in opening[1]["reason"]


BAD_SUBSCRIBES: list[tuple[str, Any, int, str]] = [
    ("not json", "{nope", 4400, "not a JSON object"),
    ("a list", "[1, 2]", 4400, "bad message"),
    ("unknown type", {"type": "hello"}, 4400, "unknown type 'hello'"),
    ("pong first", {"type": "pong"}, 4400, "first message must be subscribe"),
    ("unknown topic", {"type": "subscribe", "topics": ["pods"]}, 4400, "unknown topic 'pods'"),
    ("no topics", {"type": "subscribe", "topics": []}, 4400, "no topics"),
    ("no clusters", {"type": "subscribe", "clusters": []}, 4400, "no clusters"),
    ("since negative", {"type": "subscribe", "since": -1}, 4400, "since"),
    ("clusters a string", {"type": "subscribe", "clusters": "*"}, 4400, "clusters"),
    ("no token", {"type": "subscribe"}, 4401, "send a token"),
    ("bad token", {"type": "subscribe", "token": "abc"}, 4401, "invalid token"),
]


@pytest.mark.parametrize(
    ("message", "code", "reason"),
    [case[1:] for case in BAD_SUBSCRIBES],
    ids=[c[0] for c in BAD_SUBSCRIBES],
)
async def test_bad_subscribe_is_closed_with_a_reason(
    master: MasterRunner,
    message: Any,
    code: int,
    reason: str,
) -> None:
    token = await master.admin_token()
    if (
        isinstance(message, dict)
        and message.get("type") == "subscribe"
        and "token" not in message
        and code != 4401
    ):
        message = message | {"token": token}
    async with StreamClient.connect(master.gateway_url) as stream:
        await stream.send(message)
        got_code, got_reason = await closed_with(stream)
    assert (got_code, reason in got_reason) == (code, True), got_reason


async def test_bad_message_later_closes_too_and_the_master_stays_up(master: MasterRunner) -> None:
    token = await master.admin_token()
    async with StreamClient.connect(master.gateway_url) as stream:
        await stream.subscribe(token)
        await stream.opening()
        await stream.send({"type": "subscribe", "topics": ["nope"]})
        code, reason = await closed_with(stream)
    assert code == 4400 and "nope" in reason
    async with StreamClient.connect(master.gateway_url) as stream:
        await stream.subscribe(token)
        assert (await stream.opening())[0]["type"] == "subscribed"


async def test_wrong_origin_is_refused_and_allowed_origins_are_not(
    start_master: StartMaster,
) -> None:
    master = await start_master(server={"cors_origins": ("https://ops.example.com",)})
    token = await master.admin_token()
    with pytest.raises(ConnectionRejected) as info:
        async with StreamClient.connect(master.gateway_url, origin="https://evil.example.com"):
            pass
    assert info.value.status_code == 403
    for origin in (master.gateway_url, "https://ops.example.com"):
        async with StreamClient.connect(master.gateway_url, origin=origin) as stream:
            await stream.subscribe(token)
            assert (await stream.opening())[0]["type"] == "subscribed"


async def test_public_read_needs_no_token(start_master: StartMaster) -> None:
    master = await start_master(auth={"public_read": True})
    async with StreamClient.connect(master.gateway_url) as stream:
        await stream.subscribe(None, topics=["clusters", "summary", "events", "alerts"])
        opening = await stream.opening()
    assert opening[0]["role"] == "anonymous"
    async with StreamClient.connect(master.gateway_url) as stream:
        await stream.subscribe(None, topics=["clusters", "commands"])
        code, reason = await closed_with(stream)
    assert code == 4401 and "commands topic needs a login" in reason


async def test_silent_first_message_times_out(start_master: StartMaster) -> None:
    master = await start_master(stream={"first_message_timeout": 0.3})
    async with StreamClient.connect(master.gateway_url) as stream:
        code, reason = await closed_with(stream)
    assert code == 4408 and reason == "no subscribe message within 0.3s"


async def test_dead_client_is_released_and_live_one_kept(start_master: StartMaster) -> None:
    master = await start_master(stream={"ping_interval": 0.3})
    token = await master.admin_token()
    async with (
        StreamClient.connect(master.gateway_url) as silent,
        StreamClient.connect(master.gateway_url) as alive,
    ):
        for stream in (silent, alive):
            await stream.subscribe(token)
            await stream.opening()
        assert await metric(master, "master_stream_subscribers") == 2

        async def keep_answering() -> None:
            while True:
                await alive.next()

        async with trio.open_nursery() as nursery:
            nursery.start_soon(keep_answering)
            # `silent` reads (so TCP is fine) but never answers a ping.
            with pytest.raises(ConnectionClosed) as info, trio.fail_after(10):
                while True:
                    await silent.ws.get_message()
            assert info.value.reason.code == 4408
            await trio.sleep(1)  # several more ping intervals for `alive`
            assert await metric(master, "master_stream_subscribers") == 1
            nursery.cancel_scope.cancel()


async def test_revoked_token_closes_the_stream(start_master: StartMaster) -> None:
    master = await start_master(stream={"ping_interval": 0.3})
    async with master.gateway_client() as gw:
        r = await gw.post(
            "/api/v2/user/register",
            json={"username": "viewer1", "password": "a-long-viewer-passphrase", "role": 1},
        )
        assert r.status_code == 201, r.text
        viewer = await master.login("viewer1", "a-long-viewer-passphrase")
        async with StreamClient.connect(master.gateway_url) as stream:
            await stream.subscribe(viewer)
            assert (await stream.opening())[0]["role"] == "viewer"
            r = await gw.post(
                "/api/v2/user/update-status", json={"username": "viewer1", "status": 0}
            )
            assert r.status_code == 200, r.text
            code, reason = await closed_with(stream)
    assert code == 4401 and "revoked" in reason


async def test_shutdown_closes_streams_going_away(master: MasterRunner) -> None:
    token = await master.admin_token()
    async with (
        StreamClient.connect(master.gateway_url) as stream,
        StreamClient.connect(master.gateway_url) as quiet,
    ):
        await stream.subscribe(token)
        await stream.opening()
        # `quiet` has not even subscribed yet: it is told too, not left to time out.
        async with trio.open_nursery() as nursery:
            nursery.start_soon(master.stop)
            for client in (stream, quiet):
                code, reason = await closed_with(client)
                assert code == 1001 and "shutting down" in reason


async def test_since_from_before_a_restart_is_a_resync_not_a_replay(master: MasterRunner) -> None:
    async with GoAgent.open(master.agent_url, "c1") as agent:
        await agent.snapshot()
    async with StreamClient.connect(master.gateway_url) as stream:
        await stream.subscribe(await master.admin_token())
        await stream.opening()
        since = stream.last_seq
    await master.restart()
    async with GoAgent.open(master.agent_url, "c1") as agent:
        for _ in range(5):  # the new run's stream moves on
            await agent.snapshot()
            await agent.heartbeat()
    async with StreamClient.connect(master.gateway_url) as stream:
        await stream.subscribe(await master.admin_token(), since=since)
        opening = await stream.opening()
    assert opening[0]["mode"] == "state"
    assert opening[1]["type"] == "resync" and "restarted" in opening[1]["reason"]


async def _stalled_client(nursery: trio.Nursery, gateway_url: str) -> StreamClient:
    """A client whose socket buffer is tiny and which will not read until told to."""
    host, port = gateway_url.removeprefix("http://").split(":")
    sock = trio.socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    await sock.connect((host, int(port)))
    ws = await wrap_client_stream(
        nursery, trio.SocketStream(sock), host, "/api/v2/subscribe", message_queue_size=1
    )
    return StreamClient(ws)


async def _ingest(
    agent: GoAgent,
    rounds: int,
    tag: str,
    received: list[dict[str, Any]],
) -> list[float]:
    """Snapshots with a batch of new events each (big stream messages); their latencies.

    Each round waits until the reader that keeps up has the round's events: the
    reader shares this process's CPU with the master, and must not lag itself.
    """
    latencies = []
    for i in range(rounds):
        events = [event(f"{tag}-{i}-{j}", last="2026-01-18T10:00:00Z") for j in range(150)]
        for e in events:
            e["message"] = "m" * 1000
        started = trio.current_time()
        r = await agent.snapshot(events=events)
        latencies.append(trio.current_time() - started)
        assert r.status_code == 200, r.text
        with trio.fail_after(15):
            while not any(
                m.get("events", [{}])[-1].get("uid") == events[-1]["uid"] for m in received[-3:]
            ):
                await trio.sleep(0.01)
    return sorted(latencies)


async def test_a_stalled_subscriber_gets_resync_and_slows_no_one(
    start_master: StartMaster,
    nursery: trio.Nursery,
) -> None:
    master = await start_master(stream={"queue": 4})
    token = await master.admin_token()
    async with (
        GoAgent.open(master.agent_url, "c1") as agent,
        StreamClient.connect(master.gateway_url) as reader,
    ):
        await reader.subscribe(token, topics=["events"])
        await reader.opening()
        received: list[dict[str, Any]] = []

        async def read_all() -> None:
            with contextlib.suppress(ConnectionClosed):
                while True:
                    received.append(await reader.next(patience=math.inf))

        nursery.start_soon(read_all)
        before = await _ingest(agent, 10, "before", received)

        stalled = await _stalled_client(nursery, master.gateway_url)
        await stalled.subscribe(token, topics=["events"])
        during = await _ingest(agent, 40, "during", received)
        logging.getLogger("test").warning(
            "ingest p50/max without a stalled subscriber %.1f/%.1f ms, with one %.1f/%.1f ms",
            before[len(before) // 2] * 1e3,
            before[-1] * 1e3,
            during[len(during) // 2] * 1e3,
            during[-1] * 1e3,
        )

        # Nothing lost for the reader that keeps up: every event, in order, no resync.
        with trio.fail_after(15):
            while sum(len(m["events"]) for m in received if m["type"] == "events") < 50 * 150:
                await trio.sleep(0.05)
        assert not by_type(received, "resync")
        seqs = [m["seq"] for m in received]
        assert seqs == sorted(seqs)
        # Every event is stored too (the persister writes once a second).
        async with master.gateway_client() as gw:
            with trio.fail_after(30):
                while True:
                    r = await gw.get("/api/v2/events", params={"cluster_id": "c1", "limit": 1})
                    if r.json()["total"] >= 50 * 150:
                        break
                    await trio.sleep(0.2)

        # The stalled one, once it reads, gets one resync (then the state), not the backlog.
        opening = await stalled.opening()
        assert opening[0]["mode"] == "state"
        msg, skipped = await stalled.until("resync", patience=30)
        assert msg["reason"].startswith("lagging")
        assert len([m for m in skipped if m["type"] == "events"]) < 40
        _, state = await stalled.until("synced")
        assert {m.get("state") for m in state[:-1]} == {True}
        assert await metric(master, 'master_stream_resyncs_total{reason="lagging"}') >= 1


async def test_alerts_topic_state_and_changes(start_master: StartMaster) -> None:
    master = await start_alerting(start_master)
    token = await master.admin_token()
    async with master.gateway_client() as gw, GoAgent.open(master.agent_url, "c1") as agent:
        await first_look(agent, gw)
        async with StreamClient.connect(master.gateway_url) as stream:
            await stream.subscribe(token, topics=["alerts"])
            await stream.opening()
            assert (await agent.snapshot(**{**CLEAN, "events": [crash(1)]})).status_code == 200
            fired, _ = await stream.until("alert")
            assert fired["cluster_id"] == "c1" and fired["alert"]["status"] == "firing"
            assert fired["alert"]["reason"] == "BackOff" and fired["alert"]["count"] == 1
        # A new subscriber gets the firing alert as state.
        async with StreamClient.connect(master.gateway_url) as late:
            await late.subscribe(token, topics=["alerts"])
            state = by_type(await late.opening(), "alert")
            assert [m["alert"]["id"] for m in state] == [fired["alert"]["id"]]
            assert state[0]["state"] is True
            assert (await agent.snapshot(**CLEAN)).status_code == 200
            resolved, _ = await late.until("alert")
            assert resolved["alert"]["status"] == "resolved"
            assert resolved["alert"]["id"] == fired["alert"]["id"]


async def test_summaries_of_one_cluster_coalesce_and_the_last_one_wins(
    start_master: StartMaster,
) -> None:
    master = await start_master(stream={"coalesce": 1.0})
    token = await master.admin_token()
    async with (
        GoAgent.open(master.agent_url, "c1") as agent,
        StreamClient.connect(master.gateway_url) as stream,
    ):
        await agent.snapshot()
        await stream.subscribe(token, topics=["summary"])
        await stream.opening()
        # Ten snapshots in quick succession, the pod count growing each time.
        for n in range(1, 11):
            pods = [pod(f"p-{i}") for i in range(n)]
            assert (await agent.snapshot(pods=pods)).status_code == 200
        summaries = []
        with trio.move_on_after(2.5):
            while True:
                summaries.append(await stream.next())
    counts = [m["summary"]["total_pods"] for m in summaries]
    # At most one per second (plus the one that may open a new interval), and the last is current.
    assert 1 <= len(counts) <= 3, counts
    assert counts[-1] == 10
