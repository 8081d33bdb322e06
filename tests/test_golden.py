"""A snapshot written byte for byte as a Go agent writes it goes in; every view gives it back.

`agent_v2.golden` holds every kind Agent V2 sends, every omitempty case,
`\\u003c` escapes, U+2028, local offsets, zero times and nested nulls;
`agent_v3.golden` is the same cluster as the later agent (68cc533) writes it
(camelCase keys, richer jobs and policies, node metrics, an `otel` subtree).
Pushed as the agent pushes it, each resource list and each single resource
answers with exactly the agent's bytes (ConfigMaps and Secrets with what the
web UI reads added after them: the number of keys, the key names as
`dataKeys`, which the later agent sends itself), events with exactly their
values (times in UTC), and the cluster's summary equals the one the agent
computed, whichever generation sent it.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest
import trio

from master.model.gotime import normalize_go_time
from master.query.resources import LISTED_KINDS

from . import agent_v2, agent_v3
from .conftest import MasterRunner
from .goagent import GoAgent


class Generation:
    """One agent generation's fixtures: its lists, its encoder, its golden clusters."""

    def __init__(self, name: str, fixtures: Any) -> None:
        self.name = name
        self.lists = fixtures.LISTS
        self.encode_snapshot = fixtures.encode_snapshot
        self.encode_items = fixtures.encode_items
        self.golden = fixtures.golden
        self.empty = fixtures.empty
        # Snapshot list key -> REST path (the key in lower case); events have their own API.
        self.paths = {key: key.lower() for _, key, _, _ in self.lists if key != "events"}


V2 = Generation("v2", agent_v2)
V3 = Generation("v3", agent_v3)


class _Page(msgspec.Struct):
    total: int
    data: list[msgspec.Raw]


class _One(msgspec.Struct):
    data: msgspec.Raw


def with_ui_fields(path: str, raw: bytes, gen: Generation) -> bytes:
    """The agent's bytes of an item with what the gateway adds for the web UI."""
    item = msgspec.json.decode(raw)
    keys = item.get("dataKeys" if gen is V3 else "data_keys")
    if keys is None:
        return raw
    ui = {"configmaps": {"keys": len(keys)}, "secrets": {"dataKeys": keys}}.get(path, {})
    added = {k: v for k, v in ui.items() if k not in item}
    return raw[:-1] + b"," + msgspec.json.encode(added)[1:] if added else raw


def identity(key: str, item: dict[str, Any]) -> tuple[str, str]:
    """(namespace, name) of an item, where its kind keeps them."""
    where = item["summary"] if "summary" in item else item
    return where.get("namespace", ""), where["name"]


async def push(agent: GoAgent, snapshot: dict[str, Any], gen: Generation = V2) -> None:
    r = await agent.push(agent_v2.gzip(gen.encode_snapshot(snapshot)))
    assert r.status_code == 200, r.text


def event_view(go: dict[str, Any]) -> dict[str, Any]:
    """An event's REST view, from its Go values: the same values, times in UTC."""
    obj = go["InvolvedObject"]
    times = {
        key: normalize_go_time(go.get(field) or agent_v2.ZERO_TIME)
        for key, field in (
            ("created_at", "CreatedAt"),
            ("first_timestamp", "FirstTimestamp"),
            ("last_timestamp", "LastTimestamp"),
        )
    }
    return {
        "uid": go["UID"],
        "name": go["Name"],
        "namespace": go.get("Namespace", ""),
        "kind": go["Kind"],
        "type": go["Type"],
        "reason": go["Reason"],
        "message": go["Message"],
        "source": go.get("Source", ""),
        "involved_object": {
            "kind": obj["Kind"],
            "namespace": obj.get("Namespace", ""),
            "name": obj["Name"],
            "uid": obj.get("UID", ""),
        },
        "count": go.get("Count", 0),
        **times,
        "event_time": times["last_timestamp"] or times["first_timestamp"] or times["created_at"],
    }


async def check_views(
    gateway: httpx.AsyncClient, snapshot: dict[str, Any], gen: Generation = V2
) -> None:
    cluster = snapshot["ClusterID"]
    go_json = msgspec.json.decode(gen.encode_snapshot(snapshot))
    for key, path in gen.paths.items():
        assert path in LISTED_KINDS, f"{key} is not served"
        expected = [with_ui_fields(path, raw, gen) for raw in gen.encode_items(snapshot, key)]
        r = await gateway.get(f"/api/v2/{path}", params={"cluster_id": cluster, "limit": 1000})
        assert r.status_code == 200, r.text
        page = msgspec.json.decode(r.content, type=_Page)
        assert page.total == len(expected), key
        assert [bytes(raw) for raw in page.data] == expected, key
        for item, raw in zip(go_json.get(key) or (), expected, strict=True):
            namespace, name = identity(key, item)
            where = f"{namespace}/{name}" if LISTED_KINDS[path] else name
            one = await gateway.get(f"/api/v2/{path}/{where}", params={"cluster_id": cluster})
            assert one.status_code == 200, (key, where, one.text)
            assert bytes(msgspec.json.decode(one.content, type=_One).data) == raw, (key, where)
    events = {e["UID"]: event_view(e) for e in snapshot["Events"] or ()}
    for source in ("realtime", "history"):
        with trio.fail_after(10):  # history: once the persister has written them
            while True:
                r = await gateway.get(
                    "/api/v2/events", params={"cluster_id": cluster, "source": source}
                )
                got = r.json()["events"]
                if len(got) == len(events):
                    break
                await trio.sleep(0.05)
        for view in got:
            expected_view = events[view["uid"]]
            assert {k: view[k] for k in expected_view} == expected_view, view["uid"]
        times = [e["event_time"] for e in got]
        assert times == sorted(times, reverse=True), "newest first"
    detail = (await gateway.get(f"/api/v2/clusters/{cluster}")).json()
    assert detail["agent_generation"] == gen.name
    assert detail["extra_kinds"] == []
    otel = msgspec.json.decode(gen.encode_snapshot(snapshot), type=dict[str, msgspec.Raw]).get(
        "otel"
    )
    assert detail["otel_bytes"] == (len(otel) if otel else 0)
    # The master's summary, in its own keys, equals the one the agent computed.
    assert detail["summary"] == dict(
        zip(
            (key for _, key in agent_v2.SUMMARY),
            (snapshot["Summary"].get(go, 0) for go, _ in agent_v2.SUMMARY),
            strict=True,
        )
    )


@pytest.mark.parametrize("tz", agent_v2.OFFSETS)
@pytest.mark.parametrize("gen", [V2, V3], ids=["v2", "v3"])
async def test_every_view_gives_back_what_the_agent_sent(
    master: MasterRunner, gateway: httpx.AsyncClient, tz: str, gen: Generation
) -> None:
    snapshot = gen.golden(f"golden{agent_v2.OFFSETS.index(tz)}", tz)
    async with GoAgent.open(master.agent_url, snapshot["ClusterID"]) as agent:
        await push(agent, snapshot, gen)
    await check_views(gateway, snapshot, gen)


@pytest.mark.parametrize("gen", [V2, V3], ids=["v2", "v3"])
async def test_an_empty_cluster(
    master: MasterRunner, gateway: httpx.AsyncClient, gen: Generation
) -> None:
    snapshot = gen.empty()
    async with GoAgent.open(master.agent_url, snapshot["ClusterID"]) as agent:
        await push(agent, snapshot, gen)
    await check_views(gateway, snapshot, gen)


@pytest.mark.parametrize("size", [agent_v3.OTelSize(), agent_v3.BIG], ids=["otel", "big-otel"])
async def test_the_later_agent_with_clickhouse(
    master: MasterRunner, gateway: httpx.AsyncClient, size: agent_v3.OTelSize
) -> None:
    """The `otel` subtree is kept as sent (and served whole), never counted as a kind."""
    snapshot = agent_v3.golden("with-otel", "+09:00", size)
    async with GoAgent.open(master.agent_url, "with-otel") as agent:
        await push(agent, snapshot, V3)
    await check_views(gateway, snapshot, V3)
    r = await gateway.get("/api/v2/clusters/with-otel/otel")
    body = msgspec.json.decode(V3.encode_snapshot(snapshot), type=dict[str, msgspec.Raw])
    assert r.status_code == 200 and r.content == bytes(body["otel"])
    async with GoAgent.open(master.agent_url, "without") as agent:
        await push(agent, agent_v3.golden("without"), V3)
    r = await gateway.get("/api/v2/clusters/without/otel")  # never sent: 404 saying why
    assert r.status_code == 404 and "ClickHouse" in r.json()["error"]["message"]


@pytest.mark.parametrize("gen", [V2, V3], ids=["v2", "v3"])
async def test_secrets_show_only_what_the_agent_sends(
    master: MasterRunner, gateway: httpx.AsyncClient, gen: Generation
) -> None:
    """An agent that sent values (a modified one) does not get them shown; what it sends
    (`data_keys` or `dataKeys`, names and times) stays, in its own spelling."""
    body = gen.golden("leaky")
    raw = msgspec.json.decode(gen.encode_snapshot(body))
    leaky = {**raw["secrets"][0], "data": {"password": "aHVudGVyMg=="}, "stringData": {"a": "b"}}
    raw["secrets"][0] = leaky
    async with GoAgent.open(master.agent_url, "leaky") as agent:
        r = await agent.push(agent_v2.gzip(msgspec.json.encode(raw)))
        assert r.status_code == 200, r.text
    one = await gateway.get("/api/v2/secrets/shop/db-credentials", params={"cluster_id": "leaky"})
    shown = bytes(msgspec.json.decode(one.content, type=_One).data)
    assert shown == with_ui_fields("secrets", gen.encode_items(body, "secrets")[0], gen)
    page = (await gateway.get("/api/v2/secrets", params={"cluster_id": "leaky"})).text
    assert "aHVudGVyMg" not in page and "stringData" not in page
